//! The credits ledger of each blog (managed AI): append-only entries with the balance
//! after each, credits in lots that expire, spending from the earliest-expiring lot
//! first, reservations settled or released. Every operation takes the blog's account row
//! first (PostgreSQL's row lock; SQLite's write transaction holds the file), so two at
//! the same moment never take the balance below zero, and an idempotency key already in
//! the ledger answers its entry instead of acting twice.

use sqlx::{Any, Transaction};

use super::{DbError, Rls, Storage};

/// Why credits came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    MonthlyGrant,
    PackPurchase,
    AdminGrant,
}

impl Grant {
    fn reason(self) -> &'static str {
        match self {
            Grant::MonthlyGrant => "monthly_grant",
            Grant::PackPurchase => "pack_purchase",
            Grant::AdminGrant => "admin_grant",
        }
    }
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CreditEntry {
    pub id: String,
    pub amount: i64,
    /// monthly_grant, pack_purchase, admin_grant, spend, reserve, release, refund, expiry.
    pub reason: String,
    pub idempotency_key: String,
    pub balance_after: i64,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// What a spend or a reservation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Taken (or taken before, under the same key): its entry.
    Done(CreditEntry),
    /// Not enough: nothing taken.
    Insufficient { balance: i64, needed: i64 },
}

/// What settling a reservation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Settled now or before: what was spent of it, and the balance after.
    Done { spent: i64, balance: i64 },
    /// There is no such reservation in this blog.
    Unknown,
    /// It was released before; nothing spent.
    Released,
}

/// A blog's credits now: the balance, and each lot still holding some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditBalance {
    pub balance: i64,
    /// (what is left, when it expires), earliest-expiring first.
    pub lots: Vec<(i64, Option<i64>)>,
}

impl Storage {
    /// Add a lot of `amount` credits (expiring at `expires_at`, if ever). Answers its
    /// entry, and whether it is new (not granted before under `key`).
    pub async fn grant_credits(
        &self,
        tenant_id: &str,
        amount: i64,
        grant: Grant,
        key: &str,
        expires_at: Option<i64>,
        now: i64,
    ) -> Result<(CreditEntry, bool), DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let granted = grant_in(&mut tx, tenant_id, amount, grant, key, expires_at, now).await?;
        tx.commit().await?;
        Ok(granted)
    }

    /// Spend `amount` credits, earliest-expiring first.
    pub async fn spend_credits(
        &self,
        tenant_id: &str,
        amount: i64,
        key: &str,
        now: i64,
    ) -> Result<Taken, DbError> {
        self.take(tenant_id, amount, "spend", key, now).await
    }

    /// Hold `amount` credits for work of unknown cost; the entry's id is the
    /// reservation's, for `settle_credits`.
    pub async fn reserve_credits(
        &self,
        tenant_id: &str,
        amount: i64,
        key: &str,
        now: i64,
    ) -> Result<Taken, DbError> {
        self.take(tenant_id, amount, "reserve", key, now).await
    }

    async fn take(
        &self,
        tenant_id: &str,
        amount: i64,
        reason: &'static str,
        key: &str,
        now: i64,
    ) -> Result<Taken, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let balance = lock_account(&mut tx, tenant_id, now).await?;
        if let Some(done) = entry_by_key(&mut tx, tenant_id, key).await? {
            return Ok(Taken::Done(done));
        }
        let balance = expire_due(&mut tx, tenant_id, balance, now).await?;
        if balance < amount {
            // What expired stays expired.
            tx.commit().await?;
            return Ok(Taken::Insufficient {
                balance,
                needed: amount,
            });
        }
        let entry = append(
            &mut tx,
            tenant_id,
            (-amount, reason, key),
            balance - amount,
            None,
            now,
        )
        .await?;
        let lots: Vec<(String, i64)> = sqlx::query_as(
            "SELECT id, remaining FROM credit_lots WHERE tenant_id = $1 AND remaining > 0
             ORDER BY (expires_at IS NULL), expires_at, created_at, id",
        )
        .bind(tenant_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut left = amount;
        for (lot, remaining) in lots {
            if left == 0 {
                break;
            }
            let took = remaining.min(left);
            left -= took;
            add_to_lot(&mut tx, tenant_id, &lot, -took).await?;
            sqlx::query(
                "INSERT INTO credit_takes (tenant_id, entry_id, lot_id, amount) VALUES ($1, $2, $3, $4)",
            )
            .bind(tenant_id)
            .bind(&entry.id)
            .bind(&lot)
            .bind(took)
            .execute(&mut *tx)
            .await?;
        }
        if left != 0 {
            // The lots hold less than the balance says: refuse rather than go on.
            return Err(DbError::Invariant(format!(
                "blog {tenant_id}'s credit lots hold {left} less than its balance"
            )));
        }
        if reason == "reserve" {
            sqlx::query(
                "INSERT INTO credit_reservations (tenant_id, id, amount, state, created_at)
                 VALUES ($1, $2, $3, 'held', $4)",
            )
            .bind(tenant_id)
            .bind(&entry.id)
            .bind(amount)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Taken::Done(entry))
    }

    /// Settle a reservation at what the work really cost (`spent`, at most what was
    /// held; 0 releases it all): the rest goes back to the lots it came from. Settling
    /// twice changes nothing.
    pub async fn settle_credits(
        &self,
        tenant_id: &str,
        reservation: &str,
        spent: i64,
        now: i64,
    ) -> Result<Settled, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let balance = lock_account(&mut tx, tenant_id, now).await?;
        let held: Option<(i64, String, Option<i64>)> = sqlx::query_as(
            "SELECT amount, state, spent FROM credit_reservations WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(reservation)
        .fetch_optional(&mut *tx)
        .await?;
        let amount = match held {
            None => return Ok(Settled::Unknown),
            Some((_, state, _)) if state == "released" => return Ok(Settled::Released),
            Some((_, state, spent)) if state == "settled" => {
                return Ok(Settled::Done {
                    spent: spent.unwrap_or(0),
                    balance,
                });
            }
            Some((amount, _, _)) => amount,
        };
        let spent = spent.clamp(0, amount);
        let back = amount - spent;
        let mut balance = balance;
        if back > 0 {
            // Given back to the lots taken from, the latest-expiring first.
            let takes: Vec<(String, i64)> = sqlx::query_as(
                "SELECT t.lot_id, t.amount FROM credit_takes t
                 JOIN credit_lots l ON l.tenant_id = t.tenant_id AND l.id = t.lot_id
                 WHERE t.tenant_id = $1 AND t.entry_id = $2
                 ORDER BY (l.expires_at IS NULL) DESC, l.expires_at DESC, l.created_at DESC, l.id DESC",
            )
            .bind(tenant_id)
            .bind(reservation)
            .fetch_all(&mut *tx)
            .await?;
            let mut left = back;
            for (lot, took) in takes {
                if left == 0 {
                    break;
                }
                let give = took.min(left);
                left -= give;
                add_to_lot(&mut tx, tenant_id, &lot, give).await?;
            }
            balance += back;
            append(
                &mut tx,
                tenant_id,
                (back, "release", &format!("release:{reservation}")),
                balance,
                None,
                now,
            )
            .await?;
        }
        sqlx::query(
            "UPDATE credit_reservations SET state = $3, spent = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(reservation)
        .bind(if spent == 0 { "released" } else { "settled" })
        .bind(spent)
        .execute(&mut *tx)
        .await?;
        // Given back to a lot that expired meanwhile: it expires now.
        let balance = expire_due(&mut tx, tenant_id, balance, now).await?;
        tx.commit().await?;
        Ok(if spent == 0 {
            Settled::Released
        } else {
            Settled::Done { spent, balance }
        })
    }

    /// Take back what is left of the lot granted under `grant_key` (a refunded pack).
    /// Answers the refund's entry, or none when there was no such grant.
    pub async fn refund_grant(
        &self,
        tenant_id: &str,
        grant_key: &str,
        key: &str,
        now: i64,
    ) -> Result<Option<CreditEntry>, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let refunded = refund_grant_in(&mut tx, tenant_id, grant_key, key, now).await?;
        tx.commit().await?;
        Ok(refunded)
    }

    /// The balance now (lots past their expiry expired first) and the lots holding some.
    pub async fn credit_balance(
        &self,
        tenant_id: &str,
        now: i64,
    ) -> Result<CreditBalance, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let balance = lock_account(&mut tx, tenant_id, now).await?;
        let balance = expire_due(&mut tx, tenant_id, balance, now).await?;
        let lots = sqlx::query_as(
            "SELECT remaining, expires_at FROM credit_lots WHERE tenant_id = $1 AND remaining > 0
             ORDER BY (expires_at IS NULL), expires_at, created_at, id",
        )
        .bind(tenant_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(CreditBalance { balance, lots })
    }

    /// The ledger, oldest first.
    pub async fn credit_entries(&self, tenant_id: &str) -> Result<Vec<CreditEntry>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let entries = sqlx::query_as(
            "SELECT id, amount, reason, idempotency_key, balance_after, expires_at, created_at
             FROM credit_entries WHERE tenant_id = $1 ORDER BY id",
        )
        .bind(tenant_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(entries)
    }
}

/// Take the blog's account row (made at its first use) and answer its balance.
async fn lock_account(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    now: i64,
) -> Result<i64, DbError> {
    sqlx::query(
        "INSERT INTO credit_accounts (tenant_id, balance, updated_at) VALUES ($1, 0, $2)
         ON CONFLICT (tenant_id) DO NOTHING",
    )
    .bind(tenant_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE credit_accounts SET updated_at = $2 WHERE tenant_id = $1")
        .bind(tenant_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(
        sqlx::query_scalar("SELECT balance FROM credit_accounts WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

async fn entry_by_key(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    key: &str,
) -> Result<Option<CreditEntry>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, amount, reason, idempotency_key, balance_after, expires_at, created_at
         FROM credit_entries WHERE tenant_id = $1 AND idempotency_key = $2",
    )
    .bind(tenant_id)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Change what is left of a lot by `delta`.
async fn add_to_lot(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    lot: &str,
    delta: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE credit_lots SET remaining = remaining + $3 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(lot)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Expire what is left of every lot past its expiry; answers the balance after.
async fn expire_due(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    mut balance: i64,
    now: i64,
) -> Result<i64, DbError> {
    let due: Vec<(String, i64)> = sqlx::query_as(
        "SELECT id, remaining FROM credit_lots
         WHERE tenant_id = $1 AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= $2
         ORDER BY expires_at, id",
    )
    .bind(tenant_id)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    for (lot, remaining) in due {
        sqlx::query("UPDATE credit_lots SET remaining = 0 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(&lot)
            .execute(&mut **tx)
            .await?;
        balance -= remaining;
        // One expiry per time a lot runs out (a lot given back to after expiring runs
        // out again later).
        let key = format!("expiry:{lot}:{}", uuid::Uuid::now_v7());
        append(
            tx,
            tenant_id,
            (-remaining, "expiry", &key),
            balance,
            None,
            now,
        )
        .await?;
    }
    Ok(balance)
}

/// Append an entry and set the account's balance to `balance_after`.
async fn append(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    (amount, reason, key): (i64, &str, &str),
    balance_after: i64,
    expires_at: Option<i64>,
    now: i64,
) -> Result<CreditEntry, DbError> {
    let entry = CreditEntry {
        id: uuid::Uuid::now_v7().to_string(),
        amount,
        reason: reason.to_owned(),
        idempotency_key: key.to_owned(),
        balance_after,
        expires_at,
        created_at: now,
    };
    sqlx::query(
        "INSERT INTO credit_entries
             (id, tenant_id, amount, reason, idempotency_key, balance_after, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&entry.id)
    .bind(tenant_id)
    .bind(amount)
    .bind(reason)
    .bind(key)
    .bind(balance_after)
    .bind(expires_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE credit_accounts SET balance = $2 WHERE tenant_id = $1")
        .bind(tenant_id)
        .bind(balance_after)
        .execute(&mut **tx)
        .await?;
    Ok(entry)
}

/// `grant_credits` inside a transaction the caller commits (with what else the grant
/// belongs to: a pack's purchase completed by the same event).
pub(crate) async fn grant_in(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    amount: i64,
    grant: Grant,
    key: &str,
    expires_at: Option<i64>,
    now: i64,
) -> Result<(CreditEntry, bool), DbError> {
    let balance = lock_account(tx, tenant_id, now).await?;
    if let Some(done) = entry_by_key(tx, tenant_id, key).await? {
        return Ok((done, false));
    }
    let balance = expire_due(tx, tenant_id, balance, now).await?;
    let entry = append(
        tx,
        tenant_id,
        (amount, grant.reason(), key),
        balance + amount,
        expires_at,
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO credit_lots (tenant_id, id, remaining, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(&entry.id)
    .bind(amount)
    .bind(expires_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok((entry, true))
}

/// `refund_grant` inside a transaction the caller commits.
pub(crate) async fn refund_grant_in(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    grant_key: &str,
    key: &str,
    now: i64,
) -> Result<Option<CreditEntry>, DbError> {
    let balance = lock_account(tx, tenant_id, now).await?;
    if let Some(done) = entry_by_key(tx, tenant_id, key).await? {
        return Ok(Some(done));
    }
    let Some(grant) = entry_by_key(tx, tenant_id, grant_key).await? else {
        return Ok(None);
    };
    let balance = expire_due(tx, tenant_id, balance, now).await?;
    let remaining: i64 =
        sqlx::query_scalar("SELECT remaining FROM credit_lots WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(&grant.id)
            .fetch_one(&mut **tx)
            .await?;
    sqlx::query("UPDATE credit_lots SET remaining = 0 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(&grant.id)
        .execute(&mut **tx)
        .await?;
    let entry = append(
        tx,
        tenant_id,
        (-remaining, "refund", key),
        balance - remaining,
        None,
        now,
    )
    .await?;
    Ok(Some(entry))
}
