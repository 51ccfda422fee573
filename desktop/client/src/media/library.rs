//! The media library: every image on this device and on the blog, with its size, its
//! dimensions, the drafts that show it, and the storage the blog's images take against
//! its plan's limit; and removing one. An image is removed from the blog and from this
//! device together, and never while something shows it: a draft here (named, checked
//! in the same transaction as the removal) or a published post (the blog refuses and
//! names it). Offline, the library lists what is here and says why the blog is missing.

use std::collections::HashMap;
use std::sync::Mutex;

use pint_model::wire::MediaLibraryView;
use serde::Serialize;

use super::upload::Blog;
use super::{lock, store};
use crate::Engine;
use crate::account::{AccountError, Session, call, call_bytes};
use crate::store::{DraftNamed, RemovedHere};

/// One image of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LibraryImage {
    pub id: String,
    pub width: u32,
    pub height: u32,
    /// Every variant together: what it takes here, and on the blog.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Kept on this device (the library shows it; otherwise only its size is known).
    pub here: bool,
    /// The blog has it.
    pub on_blog: bool,
    /// Unix ms: added here, or kept by the blog.
    #[ts(type = "number")]
    pub added_at: i64,
    /// The drafts here (outside the trash) that show it.
    pub drafts: Vec<DraftNamed>,
}

/// The storage the blog's images take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BlogStorage {
    #[ts(type = "number")]
    pub used_bytes: u64,
    /// The plan's limit; `null`: none.
    #[ts(type = "number | null")]
    pub limit_bytes: Option<u64>,
}

/// The library as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MediaLibrary {
    /// Newest first.
    pub images: Vec<LibraryImage>,
    /// The blog's storage; `null` when the blog was not reached.
    pub blog: Option<BlogStorage>,
    /// Why the blog's images are not listed (not signed in, offline), for people.
    pub blog_problem: Option<String>,
}

const SIGNED_OUT: &str = "Sign in to see the blog's images.";
const UNREACHABLE: &str = "The blog cannot be reached: only the images on this device are shown.";

/// The library: the images here, and the blog's when signed in and it answers.
pub async fn library(
    engine: &Mutex<Engine>,
    session: Option<&Session>,
) -> Result<MediaLibrary, AccountError> {
    let (from_blog, blog_problem) = match session {
        None => (None, Some(SIGNED_OUT.to_owned())),
        Some(session) => match blog_images(session).await {
            Ok(found) => (Some(found), None),
            Err(AccountError::Network(_)) => (None, Some(UNREACHABLE.to_owned())),
            Err(e) => return Err(e),
        },
    };
    let mut engine = lock(engine);
    let mut images: Vec<LibraryImage> = engine
        .store()
        .kept_images()
        .map_err(store)?
        .into_iter()
        .map(|k| LibraryImage {
            id: k.id,
            width: k.width,
            height: k.height,
            bytes: k.stored_bytes,
            here: true,
            on_blog: false,
            added_at: k.added_at,
            drafts: k.drafts,
        })
        .collect();
    let blog = match from_blog {
        None => None,
        Some((tenant, view)) => {
            let at: HashMap<String, usize> = images
                .iter()
                .enumerate()
                .map(|(i, m)| (m.id.clone(), i))
                .collect();
            for m in view.images {
                match at.get(&m.id) {
                    Some(&i) => {
                        images[i].on_blog = true;
                        // What the blog has need not be sent to it again.
                        engine.mark_media_sent(&tenant, &m.id)?;
                    }
                    None => images.push(LibraryImage {
                        drafts: engine.store().drafts_showing(&m.id).map_err(store)?,
                        id: m.id,
                        width: m.width,
                        height: m.height,
                        bytes: u64::try_from(m.bytes).unwrap_or(0),
                        here: false,
                        on_blog: true,
                        added_at: m.created_at,
                    }),
                }
            }
            Some(BlogStorage {
                used_bytes: u64::try_from(view.used_bytes).unwrap_or(0),
                limit_bytes: view.limit_bytes.and_then(|l| u64::try_from(l).ok()),
            })
        }
    };
    images.sort_by(|a, b| b.added_at.cmp(&a.added_at).then(a.id.cmp(&b.id)));
    Ok(MediaLibrary {
        images,
        blog,
        blog_problem,
    })
}

/// The blog's images as it lists them, and its id.
async fn blog_images(session: &Session) -> Result<(String, MediaLibraryView), AccountError> {
    let blog = Blog::of(session).await?;
    let view = call(blog.http.get(blog.url("media")).bearer_auth(&blog.token)).await?;
    Ok((blog.tenant, view))
}

fn shown_in(drafts: &[DraftNamed]) -> AccountError {
    let names: Vec<String> = drafts.iter().map(|d| format!("“{}”", d.title)).collect();
    AccountError::Invalid(format!(
        "{} {} this image; take it out of {} first",
        names.join(", "),
        if drafts.len() == 1 { "shows" } else { "show" },
        if drafts.len() == 1 {
            "the draft"
        } else {
            "those drafts"
        },
    ))
}

/// Remove an image from the blog (when signed in) and from this device. Refused,
/// nothing removed anywhere, while a draft here shows it; refused by the blog while a
/// published post shows it. Signed out, an image the blog has is not removed here
/// either (it would come back).
pub async fn remove(
    engine: &Mutex<Engine>,
    session: Option<&Session>,
    id: &str,
) -> Result<(), AccountError> {
    if !pint_model::media::is_media_id(id) {
        return Err(AccountError::Invalid(format!("{id:?} is not an image id")));
    }
    let shown = lock(engine).store().drafts_showing(id).map_err(store)?;
    if !shown.is_empty() {
        return Err(shown_in(&shown));
    }
    match session {
        Some(session) => {
            let blog = Blog::of(session).await?;
            match call_bytes(
                blog.http
                    .delete(blog.url(&format!("media/{id}")))
                    .bearer_auth(&blog.token),
            )
            .await
            {
                // 404: the blog never had it, or it was removed already.
                Ok(_) | Err(AccountError::Refused { status: 404, .. }) => {}
                Err(e) => return Err(e),
            }
            lock(engine).forget_media_sent(&blog.tenant, id)?;
        }
        None => {
            let sent: bool = lock(engine)
                .store()
                .media_sent_anywhere(id)
                .map_err(store)?;
            if sent {
                return Err(AccountError::Invalid(
                    "this image is on the blog too; sign in to remove it from both".into(),
                ));
            }
        }
    }
    match lock(engine).remove_image(id)? {
        RemovedHere::Now | RemovedHere::NotHere => Ok(()),
        // A draft that shows it arrived meanwhile: it stays here (the blog's copy is
        // gone; sync sends it again with that draft).
        RemovedHere::Shown(drafts) => Err(shown_in(&drafts)),
    }
}
