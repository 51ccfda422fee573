//! New posts by email, on both backends, through a real SMTP server on 127.0.0.1: a
//! post's first publication mails every confirmed subscriber (not the pending ones) once,
//! with its title, excerpt and link, and a one-click unsubscribe link in the body and in
//! the `List-Unsubscribe` headers; publishing it again, pages and protected posts mail
//! nobody; the one-click POST of a mail client unsubscribes, and the next post does not
//! reach that reader.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::time::Duration;

use common::blog_owner::BlogOwner;
use common::{Backend, SmtpSink, TestServer, http, link_in};
use pint_model::DraftKind;
use serde_json::json;

/// A reader subscribes; `confirm` follows the mailed link.
async fn subscribe(server: &TestServer, sink: &SmtpSink, email: &str, confirm: bool) {
    let resp = http()
        .post(server.url("/b/ada-writes/subscribe"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}", email.replace('@', "%40")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mail = sink.wait_for(email, "subscribe/confirm").await;
    if confirm {
        let link = link_in(
            &mail,
            "http://pint.test/b/ada-writes/subscribe/confirm?token=",
        );
        let resp = http()
            .get(link.replace("http://pint.test", &server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
}

async fn story(backend: Backend) {
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let server = TestServer::start_with(backend, |s| s.smtp_url = Some(smtp)).await;
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    subscribe(&server, &sink, "grace@example.com", true).await;
    subscribe(&server, &sink, "alan@example.com", true).await;
    subscribe(&server, &sink, "pending@example.com", false).await;

    let (doc, _) = owner
        .draft(
            DraftKind::Post,
            "Night trains",
            "Sleeping across Europe, one border at a time.",
        )
        .await;
    assert_eq!(owner.publish(&doc, json!({})).await.0, 200);
    let mail = sink.wait_for("grace@example.com", "Night trains").await;
    assert!(mail.contains("Subject: Night trains "), "{mail}");
    assert!(mail.contains("Sleeping across Europe"), "{mail}");
    assert!(
        mail.contains("Read it: http://pint.test/b/ada-writes/night-trains"),
        "{mail}"
    );
    assert!(
        mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{mail}"
    );
    // Plain text and HTML, the link in both.
    assert!(mail.contains("multipart/alternative"), "{mail}");
    assert!(mail.contains("Content-Type: text/html"), "{mail}");
    let decoded = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(
        decoded.contains("<a href=\"http://pint.test/b/ada-writes/night-trains\">"),
        "{mail}"
    );
    let header = mail
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: <"))
        .expect("a List-Unsubscribe header");
    sink.wait_for("alan@example.com", "Night trains").await;

    // Publishing again, a page, a protected post: nobody is mailed.
    assert_eq!(owner.publish(&doc, json!({})).await.0, 200);
    let (page, _) = owner
        .draft(DraftKind::Page, "About me", "Who writes.")
        .await;
    assert_eq!(owner.publish(&page, json!({})).await.0, 200);
    let (secret, _) = owner
        .draft(DraftKind::Post, "Members only", "Secret.")
        .await;
    assert_eq!(
        owner
            .publish(&secret, json!({"password": "open sesame"}))
            .await
            .0,
        200
    );
    // The one-click unsubscribe of Alan's mail client (RFC 8058): a POST to the header's URL.
    let alan = sink.wait_for("alan@example.com", "Night trains").await;
    // (The first link is the header's, inside <…>.)
    let alan_link = link_in(&alan, "http://pint.test/b/ada-writes/unsubscribe?token=")
        .trim_end_matches('>')
        .to_owned();
    assert!(
        header.contains("/b/ada-writes/unsubscribe?token=ey"),
        "{header}"
    );
    let resp = http()
        .post(alan_link.replace("http://pint.test", &server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("You are unsubscribed"));
    let (_, subscribers) = owner
        .call(
            reqwest::Method::GET,
            &format!("/v1/tenants/{}/subscribers", owner.tenant),
            None,
        )
        .await;
    assert_eq!(subscribers, json!(["grace@example.com"]));

    // The next post reaches Grace only.
    let (next, _) = owner.draft(DraftKind::Post, "Ferries", "By sea.").await;
    assert_eq!(owner.publish(&next, json!({})).await.0, 200);
    sink.wait_for("grace@example.com", "Ferries").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for (to, needle, count) in [
        ("grace@example.com", "Night trains", 1),
        ("alan@example.com", "Night trains", 1),
        ("alan@example.com", "Ferries", 0),
        ("pending@example.com", "Read it:", 0),
        ("grace@example.com", "About me", 0),
        ("grace@example.com", "Members only", 0),
    ] {
        assert_eq!(sink.count(to, needle), count, "{to} {needle}");
    }
}

#[tokio::test]
async fn new_posts_are_mailed_to_subscribers_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn new_posts_are_mailed_to_subscribers_on_postgres() {
    story(Backend::Postgres).await;
}
