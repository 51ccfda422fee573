//! The flows that go through a real inbox: a real SMTP server on 127.0.0.1 (aiosmtpd)
//! receives the mail, and the test follows its link, as a user would. On both backends;
//! and the zero-config outbox when no SMTP server is configured.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{Backend, SmtpSink, TestServer, link_in, read_mails, wait_for_mail};
use serde_json::json;

/// The path and query of a link the server sent, to follow against the test server.
fn path_of(link: &str) -> String {
    let url = url::Url::parse(link).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

async fn verify_and_reset(backend: Backend) {
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let server = TestServer::start_with(backend, |s| s.smtp_url = Some(smtp)).await;
    let api = server.api();
    let client = &api.client;

    let access = api.register("ada@example.com", None).await.token;
    assert_eq!(
        api.get("/v1/users/me", Some(&access)).await.1["emailVerified"],
        false
    );

    // The verification mail arrives; its link confirms the address, once.
    let mail = sink.wait_for("ada@example.com", "verify-email").await;
    assert!(
        mail.contains("Subject: Confirm your email address for Pint"),
        "{mail}"
    );
    let link = link_in(&mail, "http://pint.test/v1/auth/verify-email?token=");
    let resp = client
        .get(server.url(&path_of(&link)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("ada@example.com is confirmed")
    );
    assert_eq!(
        api.get("/v1/users/me", Some(&access)).await.1["emailVerified"],
        true
    );
    let again = client
        .get(server.url(&path_of(&link)))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 422, "a link works once");

    // Forgot password: the same answer with or without an account; mail only to Ada.
    let (status, _) = api
        .post(
            "/v1/auth/forgot-password",
            None,
            json!({"email": "ADA@example.com"}),
        )
        .await;
    assert_eq!(status, 202);
    let (status, _) = api
        .post(
            "/v1/auth/forgot-password",
            None,
            json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(status, 202);
    let mail = sink.wait_for("ada@example.com", "reset-password").await;
    let link = link_in(&mail, "http://pint.test/reset-password?token=");
    let token = url::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert!(
        sink.messages()
            .iter()
            .all(|m| !m.contains("nobody@example.com"))
    );

    // A weak password is refused and the token stays usable; a good one works, once,
    // and every session ends.
    let (status, body) = api
        .post(
            "/v1/auth/reset-password",
            None,
            json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = api
        .post(
            "/v1/auth/reset-password",
            None,
            json!({"token": token, "password": "a brand new password"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        api.get("/v1/users/me", Some(&access)).await.0,
        401,
        "signed out everywhere"
    );
    let (status, _) = api
        .post(
            "/v1/auth/reset-password",
            None,
            json!({"token": token, "password": "yet another password"}),
        )
        .await;
    assert_eq!(status, 422, "a reset link works once");
    let (status, _) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "a brand new password"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 401);

    // Forged tokens get nothing.
    let resp = client
        .get(server.url("/v1/auth/verify-email?token=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    server.stop().await;
}

#[tokio::test]
async fn verify_and_reset_through_smtp_on_sqlite() {
    verify_and_reset(Backend::Sqlite).await;
}

#[tokio::test]
async fn verify_and_reset_through_smtp_on_postgres() {
    verify_and_reset(Backend::Postgres).await;
}

/// With no SMTP server configured, mail is kept in the data directory's outbox.
#[tokio::test]
async fn without_smtp_mail_goes_to_the_outbox() {
    let server = TestServer::start(Backend::Sqlite).await;
    let api = server.api();
    let client = &api.client;
    api.register("grace@example.com", None).await;
    let outbox = server.db.settings().data_dir.join("outbox");
    let mail = wait_for_mail(
        || read_mails(&outbox, "eml"),
        "grace@example.com",
        "verify-email",
    )
    .await;
    let link = link_in(&mail, "http://pint.test/v1/auth/verify-email?token=");
    let resp = client
        .get(server.url(&path_of(&link)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    server.stop().await;
}
