//! Stripe's events as they are applied: each recorded by its id in the transaction that
//! applies it (a second delivery, to this server or another at the same moment, finds it
//! and does nothing), and a blog's subscription changed only by an event newer than the
//! last one applied to it (events arrive in any order).

use super::payments::lock_blog;
use super::{DbError, Rls, Storage};

/// A subscription as an event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionEvent {
    pub event_id: String,
    pub event_type: String,
    /// When Stripe made the event (unix s).
    pub created: i64,
    pub tenant_id: String,
    pub subscription_id: String,
    pub customer_id: Option<String>,
    pub status: String,
    /// The plan the blog is on while this holds (free once it ended).
    pub plan: String,
}

/// What applying an event came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Applied now; whether the blog's plan changed.
    Now { plan_changed: bool },
    /// Processed before (by this server or another).
    Before,
    /// Older than what the blog's subscription already shows: recorded, nothing changed.
    Stale,
    /// For no blog here: recorded, nothing changed.
    NoBlog,
    /// Recorded; nothing here to act on.
    Ignored,
}

impl Storage {
    /// The blog's subscription status as the newest event applied says (none: never
    /// subscribed).
    pub async fn subscription_status(&self, tenant_id: &str) -> Result<Option<String>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let status =
            sqlx::query_scalar("SELECT status FROM billing_subscriptions WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(status)
    }

    /// Whether an event was processed already.
    pub async fn billing_event_seen(&self, event_id: &str) -> Result<bool, DbError> {
        let mut tx = self.read(Rls::PLATFORM).await?;
        let seen: Option<i64> = sqlx::query_scalar("SELECT 1 FROM billing_events WHERE id = $1")
            .bind(event_id)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(seen.is_some())
    }

    /// Record an event that changes nothing here (a type Pint does not act on), once.
    pub async fn record_billing_event(
        &self,
        event_id: &str,
        event_type: &str,
        created: i64,
        outcome: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let fresh = record(&mut tx, event_id, event_type, created, outcome, now).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    /// Apply a subscription's state from an event, once and in order.
    pub async fn apply_subscription_event(
        &self,
        e: &SubscriptionEvent,
        now: i64,
    ) -> Result<Applied, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM tenants WHERE id = $1")
            .bind(&e.tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            let fresh = record(
                &mut tx,
                &e.event_id,
                &e.event_type,
                e.created,
                "no such blog",
                now,
            )
            .await?;
            tx.commit().await?;
            return Ok(if fresh {
                Applied::NoBlog
            } else {
                Applied::Before
            });
        }
        lock_blog(&mut tx, &e.tenant_id).await?;
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT event_created FROM billing_subscriptions WHERE tenant_id = $1",
        )
        .bind(&e.tenant_id)
        .fetch_optional(&mut *tx)
        .await?;
        if last.is_some_and(|last| last > e.created) {
            let fresh =
                record(&mut tx, &e.event_id, &e.event_type, e.created, "stale", now).await?;
            tx.commit().await?;
            return Ok(if fresh {
                Applied::Stale
            } else {
                Applied::Before
            });
        }
        let outcome = format!("{} → {}", e.status, e.plan);
        if !record(
            &mut tx,
            &e.event_id,
            &e.event_type,
            e.created,
            &outcome,
            now,
        )
        .await?
        {
            return Ok(Applied::Before);
        }
        sqlx::query(
            "INSERT INTO billing_subscriptions
                 (tenant_id, subscription_id, customer_id, status, plan, event_created, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (tenant_id) DO UPDATE SET
                 subscription_id = excluded.subscription_id, customer_id = excluded.customer_id,
                 status = excluded.status, plan = excluded.plan,
                 event_created = excluded.event_created, updated_at = excluded.updated_at",
        )
        .bind(&e.tenant_id)
        .bind(&e.subscription_id)
        .bind(&e.customer_id)
        .bind(&e.status)
        .bind(&e.plan)
        .bind(e.created)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let why = format!("{} ({})", e.event_type, e.event_id);
        self.settle_plan(tx, &e.tenant_id, &why, now).await
    }
}

/// Record the event; answers false when it was recorded before (nothing to do).
pub(crate) async fn record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    event_id: &str,
    event_type: &str,
    created: i64,
    outcome: &str,
    now: i64,
) -> Result<bool, DbError> {
    let inserted = sqlx::query(
        "INSERT INTO billing_events (id, type, created, outcome, processed_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
    )
    .bind(event_id)
    .bind(event_type)
    .bind(created)
    .bind(outcome)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
