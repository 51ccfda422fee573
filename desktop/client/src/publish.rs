//! Publishing from the device: the draft as this device has it (its heads) goes on the
//! blog. The background sync sends the latest edits; publishing waits (bounded) until
//! the server has them, then asks it to publish exactly that revision.

use std::sync::Mutex;
use std::time::Duration;

use pint_model::DocumentId;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Engine;
use crate::account::{AccountError, Session, call};

/// A draft's place on the blog, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PublishState {
    /// Published: where readers find it (full URL) and which revision they see.
    pub published: Option<PublishedPost>,
    /// The draft here differs from what readers see.
    pub changed_since: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PublishedPost {
    pub slug: String,
    pub url: String,
    pub heads: Vec<String>,
    /// Unix milliseconds.
    pub published_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostView {
    document_id: String,
    slug: String,
    heads: Vec<String>,
    published_at: i64,
    updated_at: i64,
    path: String,
}

/// How long publishing waits for the sync to bring the server the latest edits.
const WAIT_FOR_SYNC: Duration = Duration::from_secs(15);

fn lock(engine: &Mutex<Engine>) -> std::sync::MutexGuard<'_, Engine> {
    engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn state(session: &Session, post: Option<PostView>, heads: &[String]) -> PublishState {
    let server = &session.account().server;
    match post {
        None => PublishState {
            published: None,
            changed_since: false,
        },
        Some(p) => {
            let mut a = p.heads.clone();
            let mut b = heads.to_vec();
            a.sort();
            b.sort();
            PublishState {
                changed_since: a != b,
                published: Some(PublishedPost {
                    url: format!("{server}{}", p.path),
                    slug: p.slug,
                    heads: p.heads,
                    published_at: p.published_at,
                    updated_at: p.updated_at,
                }),
            }
        }
    }
}

/// Publish the draft as it is on this device (`slug`: empty for the default).
pub async fn publish(
    engine: &Mutex<Engine>,
    session: &Session,
    id: DocumentId,
    slug: &str,
) -> Result<PublishState, AccountError> {
    let heads = lock(engine).heads(id)?;
    let a = session.account();
    let url = format!(
        "{}/v1/tenants/{}/documents/{id}/publish",
        a.server, a.blog_id
    );
    let mut body = json!({ "heads": heads });
    if !slug.trim().is_empty() {
        body["slug"] = json!(slug.trim());
    }
    let started = std::time::Instant::now();
    loop {
        let token = session.access_token().await?;
        match call::<PostView>(session.http().post(&url).bearer_auth(token).json(&body)).await {
            Ok(post) => return Ok(state(session, Some(post), &heads)),
            // The sync is still on its way with the draft or its last edits: wait for it.
            Err(AccountError::Refused {
                status,
                ref details,
                ..
            }) if status == 404 || (status == 409 && details["reason"] == "not-synced") => {
                if started.elapsed() >= WAIT_FOR_SYNC {
                    return Err(AccountError::Invalid(
                        "the server does not have this draft as it is here yet; it is published \
                         once sync has sent it (is this device offline?)"
                            .into(),
                    ));
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Take the draft off the blog.
pub async fn unpublish(
    engine: &Mutex<Engine>,
    session: &Session,
    id: DocumentId,
) -> Result<PublishState, AccountError> {
    let a = session.account();
    let token = session.access_token().await?;
    let resp = session
        .http()
        .delete(format!(
            "{}/v1/tenants/{}/documents/{id}/publish",
            a.server, a.blog_id
        ))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| AccountError::Network(e.without_url().to_string()))?;
    if !(resp.status().is_success() || resp.status().as_u16() == 404) {
        return Err(AccountError::Refused {
            status: resp.status().as_u16(),
            code: String::new(),
            message: format!("the server answered {}", resp.status()),
            details: serde_json::Value::Null,
        });
    }
    let heads = lock(engine).heads(id)?;
    Ok(state(session, None, &heads))
}

/// Whether and how the draft is on the blog.
pub async fn publish_state(
    engine: &Mutex<Engine>,
    session: &Session,
    id: DocumentId,
) -> Result<PublishState, AccountError> {
    let a = session.account();
    let token = session.access_token().await?;
    let posts: Vec<PostView> = call(
        session
            .http()
            .get(format!("{}/v1/tenants/{}/posts", a.server, a.blog_id))
            .bearer_auth(token),
    )
    .await?;
    let key = id.to_string();
    let post = posts.into_iter().find(|p| p.document_id == key);
    let heads = lock(engine).heads(id)?;
    Ok(state(session, post, &heads))
}
