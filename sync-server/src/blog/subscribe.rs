//! Email subscribers, with double opt-in: a reader gives an address on the blog, a
//! confirmation link is mailed to it, and only following it subscribes them. The answer
//! to the form is the same whatever the address's state (nothing about who subscribes
//! is revealed). Every mail carries an unsubscribe link: opening it shows one button,
//! which unsubscribes at once (a link scanner that only GETs it changes nothing).

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;

use super::html::{Page, esc};
use super::readers::{self, ReaderError};
use super::{Site, blog_or_404, page_response, private, root_for, server_error};
use crate::db::Storage;
use crate::db::posts::PostRecord;
use crate::db::tenants::TenantRecord;
use crate::mail::Mailer;

/// A page about one reader's subscription, in the blog's own look (its name, pages,
/// light and dark): never cached (by us or on the way).
fn page(
    req: &Request,
    site: &Site,
    (blog, pages): (&TenantRecord, &[PostRecord]),
    status: StatusCode,
    title: &str,
    body: &str,
) -> Response {
    let root = root_for(req, &blog.subdomain);
    let home = site.home(blog);
    let main = format!(
        "<h1>{title}</h1>{body}<p><a href=\"{root}\">Back to {blog_name}</a></p>",
        title = esc(title),
        root = esc(&root),
        blog_name = esc(&blog.name),
    );
    let full_title = format!("{title} – {}", blog.name);
    let canonical = format!("{home}subscribe");
    private(page_response(
        status,
        &Page {
            blog,
            credit: site.credit(blog),
            root: &root,
            title: &full_title,
            description: &full_title,
            nav: pages,
            main,
            canonical: &canonical,
            home: &home,
            og_type: "website",
            json_ld: serde_json::json!({
                "@context": "https://schema.org", "@type": "WebPage",
                "name": full_title, "url": canonical,
            }),
            image: None,
        },
    ))
}

/// The blog's pages for the navigation of a page a mail's link opens: none when the
/// blog is behind a password the reader has not given (the link works without it).
async fn shown_pages(
    req: &Request,
    storage: &Storage,
    blog: &TenantRecord,
    pages: Vec<PostRecord>,
) -> Vec<PostRecord> {
    match super::gate(req, storage, blog).await {
        Ok(_) => pages,
        Err(_) => Vec::new(),
    }
}

#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    email: String,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The form's target: mail a confirmation link (rate limited per address).
#[handler]
pub async fn subscribe(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    auth: Data<&Arc<crate::auth::Auth>>,
    mailer: Data<&Mailer>,
    site: Data<&Site>,
    Path(subdomain): Path<String>,
    form: poem::Result<poem::web::Form<SubscribeForm>>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    // A blog behind a password takes subscriptions from readers who gave it.
    if let Err(locked) = super::gate(req, storage.as_ref(), &blog).await {
        return locked;
    }
    if let Err(e) = auth
        .limits
        .subscribe_per_ip
        .check(&crate::auth::client_key(req))
    {
        return page(
            req,
            &site,
            (&blog, &pages),
            StatusCode::TOO_MANY_REQUESTS,
            "Slow down",
            &format!("<p>{}</p>", esc(&e.message)),
        );
    }
    let email = form.map(|f| f.0.email).unwrap_or_default();
    let now = crate::clock::now_ms();
    match readers::subscribe(storage.as_ref(), &mailer, &site, &blog, &email, now).await {
        Ok(()) => {}
        Err(ReaderError::Invalid(problem)) => {
            return page(
                req,
                &site,
                (&blog, &pages),
                StatusCode::UNPROCESSABLE_ENTITY,
                "Subscribe",
                &format!("<p role=\"alert\">{}</p>", esc(&problem)),
            );
        }
        Err(e) => return server_error(e),
    }
    page(
        req,
        &site,
        (&blog, &pages),
        StatusCode::OK,
        "Check your inbox",
        "<p>If the address can subscribe, a link to confirm is on its way. Nothing is sent \
         until it is followed.</p>",
    )
}

/// The confirmation link.
#[handler]
pub async fn confirm(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    site: Data<&Site>,
    Path(subdomain): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let pages = shown_pages(req, storage.as_ref(), &blog, pages).await;
    let token = query.token.unwrap_or_default();
    let done = readers::confirm(storage.as_ref(), &blog.id, &token, crate::clock::now_ms())
        .await
        .unwrap_or(false);
    if done {
        page(
            req,
            &site,
            (&blog, &pages),
            StatusCode::OK,
            "You are subscribed",
            "<p>New posts will come to your inbox. Every mail has a link to stop them.</p>",
        )
    } else {
        page(
            req,
            &site,
            (&blog, &pages),
            StatusCode::NOT_FOUND,
            "This link does not work",
            "<p>It was used already, or it is not a confirmation link of this blog.</p>",
        )
    }
}

/// The unsubscribe link: one button (GET changes nothing; link scanners only GET).
#[handler]
pub async fn unsubscribe_page(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    site: Data<&Site>,
    Path(subdomain): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let pages = shown_pages(req, storage.as_ref(), &blog, pages).await;
    let root = root_for(req, &blog.subdomain);
    let token = query.token.unwrap_or_default();
    page(
        req,
        &site,
        (&blog, &pages),
        StatusCode::OK,
        "Unsubscribe",
        &format!(
            "<form method=\"post\" action=\"{root}unsubscribe?token={token}\">\
             <button type=\"submit\">Stop the mails</button></form>",
            root = esc(&root),
            token =
                esc(&url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()),
        ),
    )
}

/// One click: unsubscribed (also what mail clients' one-click unsubscribe POSTs). The
/// token is the one of the confirmation mail (stored hashed) or the signed one of a
/// new-post mail.
#[handler]
pub async fn unsubscribe(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    auth: Data<&Arc<crate::auth::Auth>>,
    site: Data<&Site>,
    Path(subdomain): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let pages = shown_pages(req, storage.as_ref(), &blog, pages).await;
    let token = query.token.unwrap_or_default();
    let done = readers::unsubscribe(storage.as_ref(), &auth.keys, &blog.id, &token)
        .await
        .unwrap_or(false);
    page(
        req,
        &site,
        (&blog, &pages),
        if done {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        },
        if done {
            "You are unsubscribed"
        } else {
            "Nothing to unsubscribe"
        },
        if done {
            "<p>No more mails will come from this blog.</p>"
        } else {
            "<p>This link was used already, or it is not an unsubscribe link of this blog.</p>"
        },
    )
}
