//! What plans unlock, with billing on (as on the hosted Pint), on both backends: a free
//! blog is refused scheduled publishing and password-protected posts, each refusal
//! naming the plan that lifts it; on pro both go through; a downgrade deletes nothing
//! (the protected post stays published and protected), and every change of plan is in
//! the blog's audit log. With billing off, a free blog has them all.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer};
use pint_model::DraftKind;
use serde_json::{Value, json};

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn refusal(body: &Value) -> (Option<&str>, Value) {
    (
        body["error"]["code"].as_str(),
        body["error"]["details"].clone(),
    )
}

async fn plans_unlock(backend: Backend) {
    let server = TestServer::start_with(backend, |s| common::billing_on(s, None)).await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let (post, _) = blog.draft(DraftKind::Post, "Launch", "Soon.").await;
    let (secret, _) = blog.draft(DraftKind::Post, "For friends", "Hush.").await;

    // Free: refused, each naming the plan that lifts it.
    let (status, body) = blog
        .publish(&post, json!({"at": now_ms() + 3_600_000}))
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        refusal(&body),
        (
            Some("FORBIDDEN"),
            json!({"limit": "scheduledPublishing", "allowed": 0, "plan": "free", "liftedBy": "pro"})
        )
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("scheduled publishing")
    );
    let (status, body) = blog.publish(&secret, json!({"password": "friends"})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(refusal(&body).1["limit"], "passwordProtection");
    assert_eq!(
        blog.publish(&post, json!({})).await.0,
        200,
        "publishing itself is free"
    );

    // Pro: both go through.
    assert!(
        blog.storage
            .set_plan(&blog.tenant, "pro", None, "checkout cs_test_1", now_ms())
            .await
            .unwrap()
    );
    let (status, body) = blog
        .publish(&post, json!({"at": now_ms() + 3_600_000}))
        .await;
    assert_eq!(status, 202, "{body}");
    let (status, body) = blog.publish(&secret, json!({"password": "friends"})).await;
    assert_eq!(status, 200, "{body}");
    let path = body["path"].as_str().unwrap().to_owned();
    // Pro removes the "published with Pint" credit from the blog's footer.
    let home = || async {
        common::http()
            .get(server.url("/b/ada-writes/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert!(!home().await.contains("published with Pint"));

    // Back to free: nothing deleted, the protected post still published and protected;
    // new additions refused again.
    blog.storage
        .set_plan(&blog.tenant, "free", None, "subscription deleted", now_ms())
        .await
        .unwrap();
    let page = common::http().get(server.url(&path)).send().await.unwrap();
    let status = page.status().as_u16();
    let text = page.text().await.unwrap();
    assert_eq!(status, 200, "still published");
    assert!(
        text.contains("/unlock\""),
        "still behind its password: {text}"
    );
    assert!(!text.contains("Hush."));
    // Free shows the credit again (on a page this server renders now; a page it cached
    // goes when the server itself changes the plan, as a Stripe event does).
    let love = common::http()
        .get(server.url("/b/ada-writes/love"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        love.contains("published with Pint"),
        "free shows the credit"
    );
    let (status, _) = blog.publish(&secret, json!({"password": "other"})).await;
    assert_eq!(status, 403);

    // Each change of plan is in the audit log.
    let (status, audit) = blog
        .api
        .get(
            &format!("/v1/tenants/{}/audit", blog.tenant),
            Some(&blog.token),
        )
        .await;
    assert_eq!(status, 200, "{audit}");
    let changes: Vec<(String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "plan.changed")
        .map(|e| {
            (
                e["details"]["from"].as_str().unwrap_or("").to_owned(),
                e["details"]["to"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(changes.len(), 2, "{audit}");
    assert!(changes.contains(&("free".into(), "pro".into())));
    assert!(changes.contains(&("pro".into(), "free".into())));
    server.stop().await;
}

#[tokio::test]
async fn plans_unlock_features_on_sqlite() {
    plans_unlock(Backend::Sqlite).await;
}

#[tokio::test]
async fn plans_unlock_features_on_postgres() {
    plans_unlock(Backend::Postgres).await;
}

#[tokio::test]
async fn with_billing_off_a_free_blog_has_everything() {
    let server = TestServer::start(Backend::Sqlite).await;
    let blog = BlogOwner::register(&server.base, &server.db, "bo@example.com", "bo-writes").await;
    let (post, _) = blog.draft(DraftKind::Post, "Launch", "Soon.").await;
    let (status, body) = blog
        .publish(&post, json!({"at": now_ms() + 3_600_000}))
        .await;
    assert_eq!(status, 202, "{body}");
    let (secret, _) = blog.draft(DraftKind::Post, "For friends", "Hush.").await;
    assert_eq!(
        blog.publish(&secret, json!({"password": "friends"}))
            .await
            .0,
        200
    );
    server.stop().await;
}

/// The invitation token in the newest mail to `email`.
async fn invite_token(sink: &common::SmtpSink, email: &str, seen: usize) -> String {
    let mail = sink.wait_for_next(email, "invites/accept", seen).await;
    let link = common::link_in(&mail, "http://pint.test/invites/accept?token=");
    url::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

async fn members_and_domains(backend: Backend) {
    let sink = common::SmtpSink::start();
    let smtp = sink.url();
    let server = TestServer::start_with(backend, |s| {
        common::billing_on(s, None);
        s.smtp_url = Some(smtp);
    })
    .await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let bob = server.api().register("bob@example.com", None).await;
    let invites = format!("/v1/tenants/{}/invites", blog.tenant);
    let invite = async |email: &str| {
        let body = json!({"email": email, "role": "editor"});
        blog.api.post(&invites, Some(&blog.token), body).await
    };

    // Free: the owner alone. An invitation is refused, naming the plan that lifts it.
    let (status, body) = invite("bob@example.com").await;
    assert_eq!(status, 402, "{body}");
    assert_eq!(
        refusal(&body),
        (
            Some("QUOTA_EXCEEDED"),
            json!({"limit": "members", "allowed": 1, "plan": "free", "liftedBy": "pro"})
        )
    );
    // Nor a domain of its own.
    let (status, body) = blog
        .api
        .put(
            &format!("/v1/tenants/{}/domain", blog.tenant),
            Some(&blog.token),
            json!({"domain": "ada.example.org"}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(refusal(&body).1["limit"], "customDomain");

    // Pro: invited; but the blog went back to free before Bob accepted: refused, and
    // the invitation still works once there is room again.
    blog.storage
        .set_plan(&blog.tenant, "pro", None, "test", now_ms())
        .await
        .unwrap();
    let seen = sink.count("bob@example.com", "invites/accept");
    let (status, body) = invite("bob@example.com").await;
    assert_eq!(status, 201, "{body}");
    let token = invite_token(&sink, "bob@example.com", seen).await;
    blog.storage
        .set_plan(&blog.tenant, "free", None, "test", now_ms())
        .await
        .unwrap();
    let accept = async || {
        server
            .api()
            .post(
                "/v1/invites/accept",
                Some(&bob.token),
                json!({"token": token}),
            )
            .await
    };
    let (status, body) = accept().await;
    assert_eq!(status, 402, "{body}");
    assert_eq!(refusal(&body).1["limit"], "members");
    blog.storage
        .set_plan(&blog.tenant, "pro", None, "test", now_ms())
        .await
        .unwrap();
    let (status, body) = accept().await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = blog
        .api
        .put(
            &format!("/v1/tenants/{}/domain", blog.tenant),
            Some(&blog.token),
            json!({"domain": "ada.example.org"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    server.stop().await;
}

#[tokio::test]
async fn members_and_domains_follow_the_plan_on_sqlite() {
    members_and_domains(Backend::Sqlite).await;
}

#[tokio::test]
async fn members_and_domains_follow_the_plan_on_postgres() {
    members_and_domains(Backend::Postgres).await;
}

async fn mailings_a_month(backend: Backend) {
    let server = TestServer::start_with(backend, |s| common::billing_on(s, None)).await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    // Free: two new-post mailings a month. The third post is published; its mail is not
    // queued, and the audit log says why.
    for n in 0..3 {
        let (doc, _) = blog
            .draft(DraftKind::Post, &format!("Post {n}"), "Words.")
            .await;
        let (status, body) = blog.publish(&doc, json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    let path = format!("/v1/tenants/{}/plan", blog.tenant);
    let (_, plan) = blog.api.get(&path, Some(&blog.token)).await;
    assert_eq!(plan["usage"]["posts"], 3);
    assert_eq!(plan["usage"]["mailings"], 2);
    assert_eq!(plan["limits"]["mailingsPerMonth"], 2);
    let (_, audit) = blog
        .api
        .get(
            &format!("/v1/tenants/{}/audit", blog.tenant),
            Some(&blog.token),
        )
        .await;
    let skipped: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "mailing.skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{audit}");
    assert_eq!(
        skipped[0]["details"],
        json!({"limit": "mailingsPerMonth", "allowed": 2, "plan": "free", "liftedBy": "pro"})
    );
    // Pro: thirty a month.
    blog.storage
        .set_plan(&blog.tenant, "pro", None, "test", now_ms())
        .await
        .unwrap();
    let (doc, _) = blog.draft(DraftKind::Post, "Post 4", "Words.").await;
    assert_eq!(blog.publish(&doc, json!({})).await.0, 200);
    let (_, plan) = blog.api.get(&path, Some(&blog.token)).await;
    assert_eq!(plan["usage"]["mailings"], 3);
    // A post brought from another blog keeps its date, and is not news to mail.
    let (doc, mut draft) = blog.draft(DraftKind::Post, "From 2019", "Old words.").await;
    draft.set_date("2019-05-04T10:00:00Z").unwrap();
    blog.save(&doc, &mut draft).await;
    let (status, body) = blog.publish(&doc, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["publishedAt"], 1_556_964_000_000_i64, "{body}");
    let (_, plan) = blog.api.get(&path, Some(&blog.token)).await;
    assert_eq!(plan["usage"]["mailings"], 3, "no mail for an old post");
    assert_eq!(plan["usage"]["posts"], 5);
    server.stop().await;
}

#[tokio::test]
async fn mailings_a_month_follow_the_plan_on_sqlite() {
    mailings_a_month(Backend::Sqlite).await;
}

#[tokio::test]
async fn mailings_a_month_follow_the_plan_on_postgres() {
    mailings_a_month(Backend::Postgres).await;
}
