//! What blogs buy and pay through Stripe: each blog's customer (made once), one-time
//! purchases (lifetime, credit packs: pending until Stripe confirms the payment,
//! completed, then perhaps refunded or disputed), and the payment history (invoices and
//! one-time payments). Each event's effect is applied in one transaction with the
//! event's record (`billing.rs`), so it happens once, whichever server it reaches.
//!
//! A blog's plan follows from all of it (`billing_plan`): a Max subscription, else a
//! lifetime purchase that stands, else a Pro subscription, else free.

use sqlx::{Any, Transaction};

use super::billing::{Applied, record};
use super::credits::{Grant, grant_in, refund_grant_in};
use super::tenants::PlanChange;
use super::{DbError, Rls, Storage};

/// How long credits bought in a pack last.
pub const PACK_VALID_MS: i64 = 365 * 24 * 3600 * 1000;

/// One line of a blog's payment history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentRow {
    /// Stripe's invoice (in_…) or payment intent (pi_…).
    pub id: String,
    pub description: String,
    pub amount: i64,
    pub currency: String,
    /// paid, failed, refunded, disputed.
    pub status: String,
    /// When it was made (unix s).
    pub created: i64,
    pub receipt_url: Option<String>,
}

/// An event as recorded: (id, type, created unix s).
#[derive(Debug, Clone, Copy)]
pub struct EventRef<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub created: i64,
}

/// A one-time purchase started with a Checkout session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PurchaseRow {
    pub session_id: String,
    pub tenant_id: String,
    pub price_id: String,
    /// lifetime or credits.
    pub offer: String,
    pub credits: Option<i64>,
    /// pending, completed, refunded, disputed.
    pub status: String,
    pub payment_intent: Option<String>,
}

impl Storage {
    /// The blog's Stripe customer, if it has one.
    pub async fn billing_customer(&self, tenant_id: &str) -> Result<Option<String>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let id =
            sqlx::query_scalar("SELECT customer_id FROM billing_customers WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Keep the blog's customer; one kept before stays (answers the one kept).
    pub async fn keep_billing_customer(
        &self,
        tenant_id: &str,
        customer_id: &str,
        now: i64,
    ) -> Result<String, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        sqlx::query(
            "INSERT INTO billing_customers (tenant_id, customer_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(tenant_id)
        .bind(customer_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let kept =
            sqlx::query_scalar("SELECT customer_id FROM billing_customers WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(kept)
    }

    /// The blog a Stripe customer belongs to.
    pub async fn tenant_of_customer(&self, customer_id: &str) -> Result<Option<String>, DbError> {
        let mut tx = self.read(Rls::PLATFORM).await?;
        let id =
            sqlx::query_scalar("SELECT tenant_id FROM billing_customers WHERE customer_id = $1")
                .bind(customer_id)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A one-time purchase begins: pending until Stripe says it is paid.
    pub async fn start_purchase(
        &self,
        session_id: &str,
        tenant_id: &str,
        price_id: &str,
        offer: &str,
        credits: Option<i64>,
        now: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        sqlx::query(
            "INSERT INTO billing_purchases
                 (session_id, tenant_id, price_id, offer, credits, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6)",
        )
        .bind(session_id)
        .bind(tenant_id)
        .bind(price_id)
        .bind(offer)
        .bind(credits)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The blog's one-time purchases, newest first.
    pub async fn purchases(&self, tenant_id: &str) -> Result<Vec<PurchaseRow>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let rows = sqlx::query_as(
            "SELECT session_id, tenant_id, price_id, offer, credits, status, payment_intent
             FROM billing_purchases WHERE tenant_id = $1 ORDER BY created_at DESC, session_id",
        )
        .bind(tenant_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Stripe confirmed a purchase's payment: lifetime takes effect, a pack's credits
    /// come in, the payment joins the history. Once per event.
    pub async fn complete_purchase(
        &self,
        event: EventRef<'_>,
        session_id: &str,
        payment_intent: Option<&str>,
        payment: &PaymentRow,
        now: i64,
    ) -> Result<Applied, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let purchase: Option<PurchaseRow> = sqlx::query_as(
            "SELECT session_id, tenant_id, price_id, offer, credits, status, payment_intent
             FROM billing_purchases WHERE session_id = $1",
        )
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(purchase) = purchase else {
            return finish_recorded(tx, event, "no such purchase", Applied::NoBlog, now).await;
        };
        lock_blog(&mut tx, &purchase.tenant_id).await?;
        if !record(
            &mut tx,
            event.id,
            event.kind,
            event.created,
            "purchase completed",
            now,
        )
        .await?
        {
            return Ok(Applied::Before);
        }
        if purchase.status != "pending" {
            // Completed before by another event of the same session: nothing more.
            tx.commit().await?;
            return Ok(Applied::Now {
                plan_changed: false,
            });
        }
        sqlx::query(
            "UPDATE billing_purchases SET status = 'completed', payment_intent = $2, updated_at = $3
             WHERE session_id = $1",
        )
        .bind(session_id)
        .bind(payment_intent)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        upsert_payment(&mut tx, &purchase.tenant_id, payment, event.created).await?;
        // Refunded or disputed before this completion reached us: it stands reversed.
        let reversed: Option<String> = match payment_intent {
            Some(pi) => {
                sqlx::query_scalar("SELECT status FROM billing_reversals WHERE payment_intent = $1")
                    .bind(pi)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        if let Some(status) = &reversed {
            sqlx::query("UPDATE billing_purchases SET status = $2 WHERE session_id = $1")
                .bind(session_id)
                .bind(status)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE billing_payments SET status = $2 WHERE id = $1")
                .bind(&payment.id)
                .bind(status)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(credits) = purchase
            .credits
            .filter(|_| purchase.offer == "credits" && reversed.is_none())
        {
            grant_in(
                &mut tx,
                &purchase.tenant_id,
                credits,
                Grant::PackPurchase,
                &pack_key(session_id),
                Some(now + PACK_VALID_MS),
                now,
            )
            .await?;
        }
        let why = format!("{} ({})", event.kind, event.id);
        self.settle_plan(tx, &purchase.tenant_id, &why, now).await
    }

    /// A one-time payment was refunded or disputed: a lifetime plan ends, a pack's
    /// unspent credits go, the history says so. Once per event.
    pub async fn reverse_purchase(
        &self,
        event: EventRef<'_>,
        payment_intent: &str,
        status: &str,
        now: i64,
    ) -> Result<Applied, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let purchase: Option<PurchaseRow> = sqlx::query_as(
            "SELECT session_id, tenant_id, price_id, offer, credits, status, payment_intent
             FROM billing_purchases WHERE payment_intent = $1",
        )
        .bind(payment_intent)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(purchase) = purchase else {
            // Its completion may not have arrived yet: kept, applied when it does.
            sqlx::query(
                "INSERT INTO billing_reversals (payment_intent, status, event_id, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (payment_intent) DO NOTHING",
            )
            .bind(payment_intent)
            .bind(status)
            .bind(event.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let outcome = format!("{status} before its purchase was seen: kept");
            return finish_recorded(tx, event, &outcome, Applied::NoBlog, now).await;
        };
        lock_blog(&mut tx, &purchase.tenant_id).await?;
        if !record(&mut tx, event.id, event.kind, event.created, status, now).await? {
            return Ok(Applied::Before);
        }
        sqlx::query(
            "UPDATE billing_purchases SET status = $2, updated_at = $3 WHERE session_id = $1",
        )
        .bind(&purchase.session_id)
        .bind(status)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE billing_payments SET status = $2 WHERE id = $1")
            .bind(payment_intent)
            .bind(status)
            .execute(&mut *tx)
            .await?;
        if purchase.offer == "credits" {
            refund_grant_in(
                &mut tx,
                &purchase.tenant_id,
                &pack_key(&purchase.session_id),
                &format!("refund:{}", purchase.session_id),
                now,
            )
            .await?;
        }
        let why = format!("{} ({})", event.kind, event.id);
        self.settle_plan(tx, &purchase.tenant_id, &why, now).await
    }

    /// An invoice's state joins the blog's history (the newest event about it wins).
    pub async fn record_invoice(
        &self,
        event: EventRef<'_>,
        tenant_id: &str,
        payment: &PaymentRow,
        now: i64,
    ) -> Result<Applied, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        lock_blog(&mut tx, tenant_id).await?;
        if !record(
            &mut tx,
            event.id,
            event.kind,
            event.created,
            &payment.status,
            now,
        )
        .await?
        {
            return Ok(Applied::Before);
        }
        upsert_payment(&mut tx, tenant_id, payment, event.created).await?;
        tx.commit().await?;
        Ok(Applied::Now {
            plan_changed: false,
        })
    }

    /// The blog's payments, newest first.
    pub async fn payments(&self, tenant_id: &str) -> Result<Vec<PaymentRow>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let rows = sqlx::query_as(
            "SELECT id, description, amount, currency, status, created, receipt_url
             FROM billing_payments WHERE tenant_id = $1 ORDER BY created DESC, id DESC LIMIT 200",
        )
        .bind(tenant_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Set the plan billing says the blog is on, and commit.
    pub(crate) async fn settle_plan(
        &self,
        mut tx: Transaction<'static, Any>,
        tenant_id: &str,
        why: &str,
        now: i64,
    ) -> Result<Applied, DbError> {
        let plan = billing_plan(&mut tx, tenant_id).await?;
        match Self::set_plan_in(&mut tx, tenant_id, plan, None, why, now).await? {
            PlanChange::Changed(changed) => {
                self.commit_and_tell(tx, changed).await?;
                Ok(Applied::Now { plan_changed: true })
            }
            PlanChange::Same | PlanChange::NoBlog => {
                tx.commit().await?;
                Ok(Applied::Now {
                    plan_changed: false,
                })
            }
        }
    }
}

/// The credits ledger's key for a pack bought in `session_id`.
fn pack_key(session_id: &str) -> String {
    format!("pack:{session_id}")
}

/// The blog's row first: two servers with two events for one blog take turns.
pub(crate) async fn lock_blog(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE tenants SET updated_at = updated_at WHERE id = $1")
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Record an event that acts on nothing here and commit; `fresh` is what to answer when
/// it was not recorded before.
async fn finish_recorded(
    mut tx: Transaction<'static, Any>,
    event: EventRef<'_>,
    outcome: &str,
    fresh: Applied,
    now: i64,
) -> Result<Applied, DbError> {
    let new = record(&mut tx, event.id, event.kind, event.created, outcome, now).await?;
    tx.commit().await?;
    Ok(if new { fresh } else { Applied::Before })
}

async fn upsert_payment(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    p: &PaymentRow,
    event_created: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO billing_payments
             (id, tenant_id, description, amount, currency, status, created, receipt_url, event_created)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET
             description = excluded.description, amount = excluded.amount,
             currency = excluded.currency, status = excluded.status,
             receipt_url = COALESCE(excluded.receipt_url, billing_payments.receipt_url),
             event_created = excluded.event_created
         WHERE billing_payments.event_created <= excluded.event_created",
    )
    .bind(&p.id)
    .bind(tenant_id)
    .bind(&p.description)
    .bind(p.amount)
    .bind(&p.currency)
    .bind(&p.status)
    .bind(p.created)
    .bind(&p.receipt_url)
    .bind(event_created)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The plan billing puts the blog on: a Max subscription, else a lifetime purchase that
/// stands, else a Pro subscription, else free.
pub(crate) async fn billing_plan(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
) -> Result<&'static str, DbError> {
    let subscribed: Option<String> =
        sqlx::query_scalar("SELECT plan FROM billing_subscriptions WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut **tx)
            .await?;
    let lifetime: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM billing_purchases
         WHERE tenant_id = $1 AND offer = 'lifetime' AND status = 'completed' LIMIT 1",
    )
    .bind(tenant_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match (subscribed.as_deref(), lifetime.is_some()) {
        (Some("max"), _) => "max",
        (_, true) => "lifetime",
        (Some("pro"), _) => "pro",
        _ => "free",
    })
}
