//! The wall of love: readers send a note (a name and a message) from the blog; the
//! blog's owners and admins approve or reject it through the API; approved notes are
//! shown on the blog's `/love` page. Nothing a reader sends is shown before a person
//! approved it, and everything is escaped when it is.

use std::fmt::Write;
use std::sync::Arc;

use pint_model::ErrorCode;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::html::{Page, esc};
use super::readers::{self, MAX_MESSAGE_CHARS, MAX_NAME_CHARS, ReaderError};
use super::{Site, blog_or_404, gate, page_response, private, root_for, server_error};
use crate::auth::BearerAuth;
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::love::LoveNote;
use crate::http::ApiError;
use crate::http::validation::Fields;
use crate::tenants::{Action, scope_for};

/// Most notes the page shows.
const SHOWN: i64 = 100;

#[derive(Debug, Deserialize)]
pub struct LoveForm {
    name: Option<String>,
    message: Option<String>,
}

/// What the wall answers a reader with besides the notes: the status, a notice, and
/// what they typed into the form (kept when it must be sent again).
struct Said<'a> {
    status: StatusCode,
    notice: Option<&'a str>,
    name: &'a str,
    message: &'a str,
}

/// The wall: approved notes, and the form to send one.
fn wall(
    req: &Request,
    site: &Site,
    blog: &crate::db::tenants::TenantRecord,
    pages: &[crate::db::posts::PostRecord],
    notes: &[LoveNote],
    said: Said<'_>,
) -> Response {
    let Said {
        status,
        notice,
        name,
        message,
    } = said;
    let root = root_for(req, &blog.subdomain);
    let mut main = String::from("<h1>Wall of love</h1>");
    if let Some(n) = notice {
        let role = if status.is_success() {
            "status"
        } else {
            "alert"
        };
        let _ = write!(main, "<p role=\"{role}\">{}</p>", esc(n));
    }
    if notes.is_empty() {
        main.push_str("<p>No notes yet. Be the first to leave one.</p>");
    } else {
        main.push_str("<ul class=\"love\">");
        for n in notes {
            let _ = write!(
                main,
                "<li><figure><blockquote><p>{}</p></blockquote><figcaption>{}</figcaption>\
                 </figure></li>",
                esc(&n.message),
                esc(&n.name)
            );
        }
        main.push_str("</ul>");
    }
    let _ = write!(
        main,
        "<h2>Leave a note</h2><p class=\"meta\">Shown here once the author approves it.</p>\
         <form class=\"love-form\" method=\"post\" action=\"{action}\">\
         <p><label for=\"love-name\">Your name</label><br>\
         <input id=\"love-name\" name=\"name\" required maxlength=\"{MAX_NAME_CHARS}\" \
         autocomplete=\"name\" value=\"{name}\"></p>\
         <p><label for=\"love-message\">Your note</label><br>\
         <textarea id=\"love-message\" name=\"message\" required rows=\"4\" \
         maxlength=\"{MAX_MESSAGE_CHARS}\">{message}</textarea></p>\
         <p><button type=\"submit\">Send</button></p></form>",
        action = esc(&format!("{root}love")),
        name = esc(name),
        message = esc(message),
    );
    let home = site.home(blog);
    let canonical = format!("{home}love");
    let title = format!("Wall of love – {}", blog.name);
    let description = format!("What readers say about {}", blog.name);
    page_response(
        status,
        &Page {
            blog,
            credit: site.credit(blog),
            root: &root,
            title: &title,
            description: &description,
            nav: pages,
            main,
            canonical: &canonical,
            home: &home,
            og_type: "website",
            json_ld: serde_json::json!({
                "@context": "https://schema.org", "@type": "WebPage",
                "name": title, "url": canonical,
            }),
            image: None,
        },
    )
}

/// `GET /love`: the approved notes and the form.
#[handler]
pub async fn page(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    site: Data<&Site>,
    poem::web::Path(subdomain): poem::web::Path<String>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let behind_password = match gate(req, storage.as_ref(), &blog).await {
        Ok(p) => p,
        Err(locked) => return locked,
    };
    let notes = match storage.approved_love_notes(&blog.id, SHOWN).await {
        Ok(n) => n,
        Err(e) => return server_error(e),
    };
    let resp = wall(
        req,
        &site,
        &blog,
        &pages,
        &notes,
        Said {
            status: StatusCode::OK,
            notice: None,
            name: "",
            message: "",
        },
    );
    if behind_password { private(resp) } else { resp }
}

/// `POST /love`: a reader's note, kept for the owners to decide (rate limited per
/// address). A bad note shows the form again with what the reader typed, and the
/// problem (422); nothing is stored.
#[handler]
pub async fn send(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    auth: Data<&Arc<crate::auth::Auth>>,
    site: Data<&Site>,
    poem::web::Path(subdomain): poem::web::Path<String>,
    form: poem::Result<poem::web::Form<LoveForm>>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if let Err(locked) = gate(req, storage.as_ref(), &blog).await {
        return locked;
    }
    let notes = match storage.approved_love_notes(&blog.id, SHOWN).await {
        Ok(n) => n,
        Err(e) => return server_error(e),
    };
    let (name, message) = match form {
        Ok(f) => (
            f.0.name.unwrap_or_default(),
            f.0.message.unwrap_or_default(),
        ),
        Err(_) => (String::new(), String::new()),
    };
    let answer = |status: StatusCode, notice: &str, keep: bool| {
        let kept = if keep {
            (name.trim(), message.trim())
        } else {
            ("", "")
        };
        private(wall(
            req,
            &site,
            &blog,
            &pages,
            &notes,
            Said {
                status,
                notice: Some(notice),
                name: kept.0,
                message: kept.1,
            },
        ))
    };
    if let Err(e) = auth.limits.love_per_ip.check(&crate::auth::client_key(req)) {
        return answer(StatusCode::TOO_MANY_REQUESTS, &e.message, true);
    }
    match readers::leave_note(storage.as_ref(), &blog.id, &name, &message, now_ms()).await {
        Ok(_) => answer(
            StatusCode::OK,
            "Thank you! Your note will appear here once the author approves it.",
            false,
        ),
        Err(ReaderError::Invalid(problem)) => {
            answer(StatusCode::UNPROCESSABLE_ENTITY, &problem, true)
        }
        Err(ReaderError::WallFull) => answer(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many notes are waiting for the author just now; please try again later.",
            true,
        ),
        Err(e) => server_error(e),
    }
}

/// A note on the wall of love, as members see it.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct LoveNoteView {
    pub id: String,
    pub name: String,
    pub message: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

impl From<LoveNote> for LoveNoteView {
    fn from(n: LoveNote) -> Self {
        LoveNoteView {
            id: n.id,
            name: n.name,
            message: n.message,
            status: n.status,
            created_at: n.created_at,
            decided_at: n.decided_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct Decision {
    /// `approved` (shown on the blog) or `rejected` (never shown).
    status: String,
}

#[derive(Debug, Default)]
pub struct LoveApi;

#[OpenApi(prefix_path = "/v1/tenants")]
impl LoveApi {
    /// The blog's wall-of-love notes, newest first (owners and admins): `status`
    /// `pending`, `approved` or `rejected`; without it, all.
    #[oai(path = "/:id/love", method = "get")]
    async fn list(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        status: Query<Option<String>>,
    ) -> poem::Result<Json<Vec<LoveNoteView>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UpdateSettings,
            "moderating its wall of love",
        )
        .await?;
        let status = status.0;
        Fields::new()
            .check(
                "status",
                status
                    .as_deref()
                    .filter(|s| !matches!(*s, "pending" | "approved" | "rejected"))
                    .map(|_| "must be pending, approved or rejected".into()),
            )
            .finish()?;
        let notes = storage.love_notes(&scope, status.as_deref(), 1_000).await?;
        Ok(Json(notes.into_iter().map(Into::into).collect()))
    }

    /// Approve a note (it is shown on the blog at once) or reject it (owners and admins).
    #[oai(path = "/:id/love/:note_id", method = "put")]
    async fn decide(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        note_id: Path<String>,
        body: Json<Decision>,
    ) -> poem::Result<Json<LoveNoteView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UpdateSettings,
            "moderating its wall of love",
        )
        .await?;
        Fields::new()
            .check(
                "status",
                (!matches!(body.status.as_str(), "approved" | "rejected"))
                    .then(|| "must be approved or rejected".into()),
            )
            .finish()?;
        let approve = body.status == "approved";
        let note = readers::decide_note(storage.as_ref(), &scope, &note_id, approve, now_ms());
        Ok(Json(note.await?.into()))
    }
}

/// A reader service's refusal as an API answer.
impl From<ReaderError> for poem::Error {
    fn from(e: ReaderError) -> Self {
        match e {
            ReaderError::NoSuchNote => {
                ApiError::new(ErrorCode::NotFound, "this blog has no such note").into()
            }
            ReaderError::Invalid(problem) => {
                ApiError::new(ErrorCode::ValidationError, problem).into()
            }
            ReaderError::WallFull => {
                ApiError::new(ErrorCode::RateLimitExceeded, e.to_string()).into()
            }
            ReaderError::NoRandomness => ApiError::internal().into(),
            ReaderError::Storage(e) => e.into(),
        }
    }
}
