//! Stripe's prices Pint sells, mirrored: replaced whole from Stripe at start and on each
//! `product.*` / `price.*` event, so the prices the app shows are the ones Stripe
//! charges. A price no longer on sale stays (inactive) for the purchases made with it.

use super::{DbError, Rls, Storage};

/// A mirrored price. `offer` is pro, max, lifetime, or credits (with `credits`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PriceRow {
    pub id: String,
    pub product_name: String,
    pub offer: String,
    pub credits: Option<i64>,
    pub unit_amount: i64,
    pub currency: String,
    pub period: Option<String>,
    pub active: i64,
}

impl Storage {
    /// Make `on_sale` the prices on sale: each upserted active, every other one inactive.
    pub async fn mirror_prices(&self, on_sale: &[PriceRow], now: i64) -> Result<(), DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        sqlx::query("UPDATE billing_prices SET active = 0, updated_at = $1 WHERE active = 1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for p in on_sale {
            sqlx::query(
                "INSERT INTO billing_prices
                     (id, product_name, offer, credits, unit_amount, currency, period, active, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)
                 ON CONFLICT (id) DO UPDATE SET
                     product_name = excluded.product_name, offer = excluded.offer,
                     credits = excluded.credits, unit_amount = excluded.unit_amount,
                     currency = excluded.currency, period = excluded.period, active = 1,
                     updated_at = excluded.updated_at",
            )
            .bind(&p.id)
            .bind(&p.product_name)
            .bind(&p.offer)
            .bind(p.credits)
            .bind(p.unit_amount)
            .bind(&p.currency)
            .bind(&p.period)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The prices on sale, cheapest first within each offer.
    pub async fn prices_on_sale(&self) -> Result<Vec<PriceRow>, DbError> {
        let mut tx = self.read(Rls::PLATFORM).await?;
        let rows = sqlx::query_as(
            "SELECT id, product_name, offer, credits, unit_amount, currency, period, active
             FROM billing_prices WHERE active = 1 ORDER BY offer, unit_amount, id",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// A price by id, on sale or not.
    pub async fn price(&self, id: &str) -> Result<Option<PriceRow>, DbError> {
        let mut tx = self.read(Rls::PLATFORM).await?;
        let row = sqlx::query_as(
            "SELECT id, product_name, offer, credits, unit_amount, currency, period, active
             FROM billing_prices WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row)
    }
}
