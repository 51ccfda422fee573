//! The monthly AI credits a plan includes (Max): granted to each blog on such a plan at
//! the start of each calendar month (UTC), expiring at the end of it. One grant per blog
//! and month, whichever server runs it and however often (the month is the grant's
//! idempotency key).

use std::sync::Arc;
use std::time::Duration;

use super::Plans;
use crate::clock::now_ms;
use crate::db::credits::Grant;
use crate::db::{DbError, Storage};

/// How often servers look for blogs whose month's credits are due.
const EVERY: Duration = Duration::from_secs(3600);

/// The calendar month (UTC) holding `now_ms`: its name (`2026-12`) and when it ends
/// (unix ms).
pub fn month_of(now_ms: i64) -> (String, i64) {
    let day = jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let first = day.first_of_month();
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(first);
    let end = next
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(i64::MAX, |z| z.timestamp().as_millisecond());
    (format!("{:04}-{:02}", first.year(), first.month()), end)
}

/// When the calendar month (UTC) holding `now_ms` began (unix ms).
pub fn month_start(now_ms: i64) -> i64 {
    let day = jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .first_of_month();
    day.to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_millisecond())
}

/// Grant this month's credits to every blog whose plan includes some; answers how many
/// blogs were granted now.
pub async fn grant_due(storage: &Storage, plans: Plans, now: i64) -> Result<usize, DbError> {
    let (month, end) = month_of(now);
    let mut granted = 0;
    let mut after: Option<String> = None;
    loop {
        let page = storage.all_tenants(after.as_deref(), 500).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        for blog in &page {
            let amount = plans.entitlements(&blog.plan).ai_credits_per_month;
            if amount <= 0 {
                continue;
            }
            let key = format!("monthly:{month}");
            let (_, fresh) = storage
                .grant_credits(&blog.id, amount, Grant::MonthlyGrant, &key, Some(end), now)
                .await?;
            granted += usize::from(fresh);
        }
    }
    Ok(granted)
}

/// Grant the month's credits now and every hour until the process ends.
pub async fn run(storage: Arc<Storage>, plans: Plans) {
    if !plans.billing_on {
        return;
    }
    loop {
        match grant_due(&storage, plans, now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(blogs = n, "monthly AI credits granted"),
            Err(e) => tracing::warn!(error = %e, "cannot grant the monthly AI credits"),
        }
        tokio::time::sleep(EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_ends_where_the_next_begins() {
        // 2026-12-07T14:00:00Z
        assert_eq!(
            month_of(1_796_652_000_000),
            ("2026-12".to_owned(), 1_798_761_600_000)
        );
        // The last millisecond of December is still December; the next is January.
        assert_eq!(month_of(1_798_761_599_999).0, "2026-12");
        assert_eq!(month_of(1_798_761_600_000).0, "2027-01");
        assert_eq!(month_start(1_796_652_000_000), 1_796_083_200_000);
        assert_eq!(month_start(1_798_761_600_000), 1_798_761_600_000);
    }
}
