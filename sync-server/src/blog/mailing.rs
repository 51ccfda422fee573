//! New posts by email: every server runs a mailer that claims queued mailings (a post's
//! first publication queues one, `db::mailings`) and mails the blog's confirmed
//! subscribers one by one, noting after each mail how far it got. Every mail carries a
//! one-click unsubscribe link (RFC 8058 headers too). A failed mail is tried again a
//! minute later from where it stopped; a post taken off the blog meanwhile is not mailed.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::Auth;
use crate::blog::{Site, post_url};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::mailings::MailingRecord;
use crate::mail::{Mailer, texts};

/// How often queued mailings are looked for.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// How long a claim holds without progress: a server that dies leaves it to another.
const LEASE_MS: i64 = 60_000;
/// Subscribers read per query.
const BATCH: i64 = 100;

/// Send queued mailings until the process ends.
pub async fn run(storage: Arc<Storage>, mailer: Mailer, auth: Arc<Auth>, site: Site) {
    loop {
        tokio::time::sleep(POLL_EVERY).await;
        loop {
            match storage.claim_mailing(now_ms(), LEASE_MS).await {
                Ok(Some(mailing)) => send(storage.as_ref(), &mailer, &auth, &site, mailing).await,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot look for mailings");
                    break;
                }
            }
        }
    }
}

async fn send(
    storage: &Storage,
    mailer: &Mailer,
    auth: &Auth,
    site: &Site,
    mut mailing: MailingRecord,
) {
    loop {
        let batch = match storage.mailing_batch(&mailing, BATCH).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a mailing");
                let _ = storage.release_mailing(&mailing, now_ms() + LEASE_MS).await;
                return;
            }
        };
        let (Some(blog), Some(post)) = (batch.blog, batch.post) else {
            // Taken off the blog (or the blog is gone): nobody is told.
            let _ = storage.finish_mailing(&mailing, now_ms()).await;
            return;
        };
        if batch.subscribers.is_empty() {
            tracing::info!(document = %mailing.document_id, "new post mailed to every subscriber");
            let _ = storage.finish_mailing(&mailing, now_ms()).await;
            return;
        }
        let home = site.home(&blog);
        let url = post_url(&home, &post.slug);
        for (subscriber, email) in batch.subscribers {
            let Ok(token) = auth.keys.issue_unsubscribe(&subscriber, now_ms() / 1000) else {
                let _ = storage.release_mailing(&mailing, now_ms() + LEASE_MS).await;
                return;
            };
            let unsubscribe = format!("{home}unsubscribe?token={token}");
            let mail = texts::new_post(
                &email,
                &post.title,
                &post.excerpt,
                &blog.name,
                &url,
                &unsubscribe,
            );
            if let Err(e) = mailer.send(&mail).await {
                tracing::warn!(error = %e, "a new-post mail failed; trying again in a minute");
                let _ = storage.release_mailing(&mailing, now_ms() + LEASE_MS).await;
                return;
            }
            if let Err(e) = storage
                .mailing_sent(&mailing, &subscriber, now_ms() + LEASE_MS)
                .await
            {
                tracing::warn!(error = %e, "cannot note a mailing's progress");
                return;
            }
            mailing.sent_through = subscriber;
        }
    }
}
