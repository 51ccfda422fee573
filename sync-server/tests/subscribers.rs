//! Email subscribers with double opt-in, through mail delivered to a real SMTP server on
//! 127.0.0.1 (aiosmtpd), on both backends: the form mails a confirmation link and says
//! the same whatever the address; only following the link subscribes; the mail's
//! unsubscribe link shows a button, and only pressing it unsubscribes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{Backend, SmtpSink, TestServer, link_in};
use serde_json::json;

fn path_of(link: &str) -> String {
    let url = url::Url::parse(link).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

async fn story(backend: Backend) {
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let server = TestServer::start_with(backend, |s| s.smtp_url = Some(smtp)).await;
    let ada = server
        .api()
        .register("ada@example.com", Some("ada-writes"))
        .await;
    let tenant = ada.tenant();
    let token = &ada.token;
    let reader = reqwest::Client::new();
    let subscribe = |email: &str| {
        reader
            .post(server.url("/b/ada-writes/subscribe"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("email", email)
                    .finish(),
            )
            .send()
    };
    let api = server.api();
    let subscribers = || async {
        let path = format!("/v1/tenants/{tenant}/subscribers");
        let (status, list) = api.get(&path, Some(token)).await;
        assert_eq!(status, 200, "{list}");
        list
    };

    let index = reader
        .get(server.url("/b/ada-writes/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("action=\"/b/ada-writes/subscribe\""));
    let resp = subscribe("Reader@Example.com ").await.unwrap();
    assert_eq!(resp.status(), 200);
    let answer = resp.text().await.unwrap();
    assert!(answer.contains("Check your inbox"));
    assert!(
        answer.contains("Wall of love</a></p></footer>"),
        "the answer is a page of the blog, in its look: {answer}"
    );
    let mail = sink
        .wait_for("reader@example.com", "subscribe/confirm")
        .await;
    assert!(
        mail.contains("Confirm your subscription to ada-writes"),
        "{mail}"
    );
    assert_eq!(
        subscribers().await,
        json!([]),
        "nobody is subscribed before confirming"
    );

    let confirm = link_in(
        &mail,
        "http://pint.test/b/ada-writes/subscribe/confirm?token=",
    );
    let resp = reader
        .get(server.url(&path_of(&confirm)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("You are subscribed"));
    assert_eq!(subscribers().await, json!(["reader@example.com"]));
    // Used links and made-up tokens do nothing.
    assert_eq!(
        reader
            .get(server.url(&path_of(&confirm)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        reader
            .get(server.url("/b/ada-writes/subscribe/confirm?token=made-up"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // The same answer for an address already subscribed (and no new mail), and a bad
    // address is told.
    let before = sink.count("reader@example.com", "subscribe/confirm");
    let again = subscribe("reader@example.com")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("Check your inbox"));
    assert_eq!(subscribe("not an address").await.unwrap().status(), 422);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        sink.count("reader@example.com", "subscribe/confirm"),
        before
    );

    // Unsubscribe: the link shows a button; only pressing it unsubscribes.
    let unsubscribe = link_in(&mail, "http://pint.test/b/ada-writes/unsubscribe?token=");
    let shown = reader
        .get(server.url(&path_of(&unsubscribe)))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), 200);
    assert!(shown.text().await.unwrap().contains("Stop the mails"));
    assert_eq!(subscribers().await, json!(["reader@example.com"]));
    let done = reader
        .post(server.url(&path_of(&unsubscribe)))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("You are unsubscribed"));
    assert_eq!(subscribers().await, json!([]));
    assert_eq!(
        reader
            .post(server.url(&path_of(&unsubscribe)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // An address the mailer could not send to is refused on the form, escaped, and
    // stores nothing: no "check your inbox" for a mail that never leaves.
    let hostile = subscribe("a+<script>alert(1)</script>@example.com")
        .await
        .unwrap();
    assert_eq!(hostile.status(), 422);
    let page = hostile.text().await.unwrap();
    assert!(!page.contains("Check your inbox"), "{page}");
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert_eq!(subscribers().await, json!([]));

    // Mails are rate limited per address.
    let mut limited = false;
    for i in 0..10 {
        if subscribe(&format!("r{i}@example.com"))
            .await
            .unwrap()
            .status()
            == 429
        {
            limited = true;
            break;
        }
    }
    assert!(limited);
}

#[tokio::test]
async fn subscribers_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn subscribers_on_postgres() {
    story(Backend::Postgres).await;
}
