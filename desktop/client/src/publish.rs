//! Publishing from the device: the draft as this device has it (its heads) goes on the
//! blog. The background sync sends the latest edits; publishing waits (bounded) until
//! the server has them, then asks it to publish exactly that revision.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use pint_model::DocumentId;
use pint_model::wire::{PostView, PublishRequest, ScheduledView};
use serde::{Deserialize, Serialize};

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
    /// A publication scheduled for later.
    pub scheduled: Option<ScheduledPublish>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledPublish {
    /// Unix milliseconds.
    pub run_at: i64,
    /// Why the last attempt failed, if it did (it is tried again).
    pub last_error: Option<String>,
}

/// What the publish dialog asks.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishOptions {
    /// Empty: the draft's own slug, else one made from its title.
    #[serde(default)]
    pub slug: String,
    /// Publish then (Unix ms) instead of now.
    #[serde(default)]
    pub at: Option<i64>,
    /// Readers need this password; `""` removes it; absent: as it was.
    #[serde(default)]
    pub password: Option<String>,
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

/// How long publishing waits for the sync to bring the server the latest edits.
const WAIT_FOR_SYNC: Duration = Duration::from_secs(15);

fn lock(engine: &Mutex<Engine>) -> std::sync::MutexGuard<'_, Engine> {
    engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn state(
    session: &Session,
    post: Option<PostView>,
    job: Option<ScheduledView>,
    heads: &[String],
) -> PublishState {
    let server = &session.account().server;
    let scheduled = job.map(|j| ScheduledPublish {
        run_at: j.run_at,
        last_error: j.last_error,
    });
    match post {
        None => PublishState {
            published: None,
            changed_since: false,
            scheduled,
        },
        Some(p) => {
            let mut a = p.heads.clone();
            let mut b = heads.to_vec();
            a.sort();
            b.sort();
            PublishState {
                scheduled,
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

/// Publish the draft as it is on this device, now or at `options.at`.
pub async fn publish(
    engine: &Mutex<Engine>,
    session: &Session,
    id: DocumentId,
    options: &PublishOptions,
) -> Result<PublishState, AccountError> {
    let heads = lock(engine).heads(id)?;
    let a = session.account();
    let url = format!(
        "{}/v1/tenants/{}/documents/{id}/publish",
        a.server, a.blog_id
    );
    // The draft's images first: the blog publishes a post only with all of them.
    let images = lock(engine)
        .store()
        .media_of_draft(id)
        .map_err(|e| AccountError::Engine(e.into()))?;
    if !images.is_empty() {
        let blog = crate::media::upload::Blog::of(session).await?;
        crate::media::upload::send(engine, &blog, &images, &|_| {}).await?;
    }
    let slug = options.slug.trim();
    let body = PublishRequest {
        heads: Some(heads.clone()),
        slug: (!slug.is_empty()).then(|| slug.to_owned()),
        at: options.at,
        password: options.password.clone(),
    };
    let started = std::time::Instant::now();
    loop {
        let token = session.access_token().await?;
        match call::<serde_json::Value>(session.http().post(&url).bearer_auth(token).json(&body))
            .await
        {
            // 202: scheduled for later; 200: on the blog now.
            Ok(answer) if answer.get("runAt").is_some() => {
                let job: ScheduledView = serde_json::from_value(answer)
                    .map_err(|e| AccountError::Protocol(e.to_string()))?;
                return publish_state_with(engine, session, id, Some(job)).await;
            }
            Ok(answer) => {
                let post: PostView = serde_json::from_value(answer)
                    .map_err(|e| AccountError::Protocol(e.to_string()))?;
                return Ok(state(session, Some(post), None, &heads));
            }
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

/// Take the draft off the blog (and cancel its schedule).
pub async fn unpublish(
    engine: &Mutex<Engine>,
    session: &Session,
    id: DocumentId,
) -> Result<PublishState, AccountError> {
    delete_for_draft(session, id, "publish").await?;
    let heads = lock(engine).heads(id)?;
    Ok(state(session, None, None, &heads))
}

/// Cancel the draft's scheduled publication; what is on the blog stays as it is.
pub async fn cancel_schedule(
    engine: &Mutex<Engine>,
    session: &Session,
    id: DocumentId,
) -> Result<PublishState, AccountError> {
    delete_for_draft(session, id, "schedule").await?;
    publish_state_with(engine, session, id, None).await
}

/// `DELETE …/documents/{id}/{what}`. A 404 is fine: there was nothing to take away
/// (done already, here or elsewhere), and the caller reads where the draft stands now.
async fn delete_for_draft(
    session: &Session,
    id: DocumentId,
    what: &str,
) -> Result<(), AccountError> {
    let a = session.account();
    let token = session.access_token().await?;
    let resp = session
        .http()
        .delete(format!(
            "{}/v1/tenants/{}/documents/{id}/{what}",
            a.server, a.blog_id
        ))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| AccountError::Network(e.without_url().to_string()))?;
    if resp.status().is_success() || resp.status().as_u16() == 404 {
        Ok(())
    } else {
        Err(AccountError::Refused {
            status: resp.status().as_u16(),
            code: String::new(),
            message: format!("the server answered {}", resp.status()),
            details: serde_json::Value::Null,
        })
    }
}

/// One draft's place on the blog, for the drafts list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftPublished {
    #[ts(type = "string")]
    pub id: DocumentId,
    pub state: PublishState,
}

/// Where every draft of this device that is on the blog or scheduled stands (two
/// requests, whatever the number of drafts); drafts not listed are not published.
pub async fn publish_states(
    engine: &Mutex<Engine>,
    session: &Session,
) -> Result<Vec<DraftPublished>, AccountError> {
    let a = session.account();
    let token = session.access_token().await?;
    let posts: Vec<PostView> = call(
        session
            .http()
            .get(format!("{}/v1/tenants/{}/posts", a.server, a.blog_id))
            .bearer_auth(&token),
    )
    .await?;
    let jobs: Vec<ScheduledView> = call(
        session
            .http()
            .get(format!("{}/v1/tenants/{}/scheduled", a.server, a.blog_id))
            .bearer_auth(token),
    )
    .await?;
    let mut posts: HashMap<String, PostView> = posts
        .into_iter()
        .map(|p| (p.document_id.clone(), p))
        .collect();
    let mut jobs: HashMap<String, ScheduledView> = jobs
        .into_iter()
        .map(|j| (j.document_id.clone(), j))
        .collect();
    let keys: BTreeSet<String> = posts.keys().chain(jobs.keys()).cloned().collect();
    let mut out = Vec::new();
    for key in keys {
        let Ok(id) = key.parse::<DocumentId>() else {
            continue;
        };
        // Only drafts this device has (a teammate's not synced yet are not listed here).
        let Ok(heads) = lock(engine).heads(id) else {
            continue;
        };
        out.push(DraftPublished {
            id,
            state: state(session, posts.remove(&key), jobs.remove(&key), &heads),
        });
    }
    Ok(out)
}

/// Whether and how the draft is on the blog, and whether it is scheduled.
pub async fn publish_state(
    engine: &Mutex<Engine>,
    session: &Session,
    id: DocumentId,
) -> Result<PublishState, AccountError> {
    let a = session.account();
    let token = session.access_token().await?;
    let jobs: Vec<ScheduledView> = call(
        session
            .http()
            .get(format!("{}/v1/tenants/{}/scheduled", a.server, a.blog_id))
            .bearer_auth(token),
    )
    .await?;
    let key = id.to_string();
    let job = jobs.into_iter().find(|j| j.document_id == key);
    publish_state_with(engine, session, id, job).await
}

async fn publish_state_with(
    engine: &Mutex<Engine>,
    session: &Session,
    id: DocumentId,
    job: Option<ScheduledView>,
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
    Ok(state(session, post, job, &heads))
}
