//! Platform administration, on both backends: an operator makes a user admin with the
//! `pint-server set-role` command; the admin lists users and blogs and bans a user, whose
//! every request then answers 403 at once; non-admins are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{Backend, TestDb, TestServer};
use reqwest::Method;
use serde_json::json;

/// Run `pint-server set-role EMAIL ROLE` against the test server's database.
fn set_role(server: &TestServer, email: &str, role: &str) -> std::process::Output {
    let settings = server.db.settings();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pint-server"));
    cmd.args(["set-role", email, role])
        .env_clear()
        .env("PINT_DATA_DIR", &settings.data_dir)
        .env("PINT_LOG", "warn");
    if let TestDb::Postgres(pg, _) = &server.db {
        cmd.env("PINT_DATABASE_URL", &pg.url);
    }
    cmd.output().unwrap()
}

async fn admin_story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let api = server.api();
    let root = api.register("root@example.com", None).await;
    let user = api.register("user@example.com", Some("users-blog")).await;
    let blog = user.tenant().to_owned();
    let (root_token, root_id) = (root.token, root.user);
    let (user_token, user_id) = (user.token, user.user);

    // Not an admin yet.
    let (status, body) = api
        .call(Method::GET, "/v1/admin/users", Some(&root_token), None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("FORBIDDEN"))
    );

    // The operator's command.
    let out = set_role(&server, "nobody@example.com", "admin");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user has the address"));
    let out = set_role(&server, "root@example.com", "emperor");
    assert!(!out.status.success());
    let out = set_role(&server, "ROOT@example.com", "admin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Lists, paged.
    let (status, users) = api
        .call(
            Method::GET,
            "/v1/admin/users?limit=1",
            Some(&root_token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{users}");
    assert_eq!(users.as_array().unwrap().len(), 1);
    let first = users[0]["id"].as_str().unwrap();
    let (_, rest) = api
        .call(
            Method::GET,
            &format!("/v1/admin/users?after={first}"),
            Some(&root_token),
            None,
        )
        .await;
    assert_eq!(rest.as_array().unwrap().len(), 1);
    assert_ne!(rest[0]["id"], users[0]["id"]);
    let (status, tenants) = api
        .call(Method::GET, "/v1/admin/tenants", Some(&root_token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(tenants[0]["subdomain"], "users-blog");
    let (status, _) = api
        .call(Method::GET, "/v1/admin/tenants", Some(&user_token), None)
        .await;
    assert_eq!(status, 403);

    // A comp and a grant of credits: in the blog's plan and its audit log; bad values
    // refused by field; not for non-admins.
    let comp = json!({"plan": "max", "reason": "launch partner"});
    let path = format!("/v1/admin/tenants/{blog}/plan");
    assert_eq!(
        api.call(Method::PUT, &path, Some(&user_token), Some(comp.clone()))
            .await
            .0,
        403
    );
    let (status, body) = api
        .call(
            Method::PUT,
            &path,
            Some(&root_token),
            Some(json!({"plan": "platinum", "reason": ""})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"]["fields"]["plan"].is_string());
    assert!(body["error"]["details"]["fields"]["reason"].is_string());
    assert_eq!(
        api.call(Method::PUT, &path, Some(&root_token), Some(comp))
            .await
            .0,
        204
    );
    assert_eq!(
        api.call(
            Method::PUT,
            "/v1/admin/tenants/no-such-blog/plan",
            Some(&root_token),
            Some(json!({"plan": "pro", "reason": "x"}))
        )
        .await
        .0,
        404
    );
    let grant = json!({"amount": 500, "expiresAt": null, "reason": "welcome", "key": "welcome-1"});
    let credits = format!("/v1/admin/tenants/{blog}/credits");
    let (status, entry) = api
        .call(
            Method::POST,
            &credits,
            Some(&root_token),
            Some(grant.clone()),
        )
        .await;
    assert_eq!(
        (status, entry["balanceAfter"].as_i64()),
        (200, Some(500)),
        "{entry}"
    );
    let (_, again) = api
        .call(Method::POST, &credits, Some(&root_token), Some(grant))
        .await;
    assert_eq!(again["id"], entry["id"], "the same key grants once");
    let (status, _) = api
        .call(
            Method::POST,
            &credits,
            Some(&root_token),
            Some(json!({"amount": 0, "expiresAt": 1, "reason": "x", "key": "k"})),
        )
        .await;
    assert_eq!(status, 422);
    let (_, plan) = api
        .call(
            Method::GET,
            &format!("/v1/tenants/{blog}/plan"),
            Some(&user_token),
            None,
        )
        .await;
    assert_eq!(
        (plan["plan"].as_str(), plan["usage"]["credits"].as_i64()),
        (Some("max"), Some(500))
    );
    let (_, audit) = api
        .call(
            Method::GET,
            &format!("/v1/tenants/{blog}/audit"),
            Some(&user_token),
            None,
        )
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| *a == "plan.changed" || *a == "credits.granted")
        .collect();
    assert_eq!(actions.len(), 2, "{audit}");

    // Ban: every request of the user answers 403 at once; refresh and sign-in refused.
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/v1/admin/users/{root_id}/ban"),
            Some(&root_token),
            None,
        )
        .await;
    assert_eq!(status, 409, "no banning oneself");
    let (status, _) = api
        .call(
            Method::POST,
            "/v1/admin/users/nope/ban",
            Some(&root_token),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/v1/admin/users/{user_id}/ban"),
            Some(&root_token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    for path in ["/v1/users/me", "/v1/tenants", "/v1/users/me/sessions"] {
        let (status, body) = api.call(Method::GET, path, Some(&user_token), None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("FORBIDDEN")),
            "{path}"
        );
    }
    let (status, _) = api
        .call(
            Method::POST,
            "/v1/auth/refresh",
            None,
            Some(json!({"refreshToken": user.refresh})),
        )
        .await;
    assert_eq!(status, 401);
    let login = json!({"email": "user@example.com", "password": "correct horse battery"});
    let (status, _) = api
        .call(Method::POST, "/v1/auth/login", None, Some(login.clone()))
        .await;
    assert_eq!(status, 403);

    // Unban: the user signs in again (old sessions stay ended).
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/v1/admin/users/{user_id}/unban"),
            Some(&root_token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        api.call(Method::GET, "/v1/users/me", Some(&user_token), None)
            .await
            .0,
        401
    );
    let (status, _) = api
        .call(Method::POST, "/v1/auth/login", None, Some(login))
        .await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test]
async fn admin_on_sqlite() {
    admin_story(Backend::Sqlite).await;
}

#[tokio::test]
async fn admin_on_postgres() {
    admin_story(Backend::Postgres).await;
}
