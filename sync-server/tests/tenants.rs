//! Blogs, members and roles over HTTP, on both backends: invitations delivered to a real
//! SMTP server and accepted through their links; the role matrix; the last owner; the
//! audit log; the cross-tenant matrix (a member of one blog asking for another's
//! resources gets 404 and nothing changes); and, on PostgreSQL, row-level security
//! holding even for a query that forgets its tenant filter.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::api::{Account, Api, code};
use common::{Backend, SmtpSink, TestDb, TestServer, link_in};
use reqwest::Method;
use serde_json::{Value, json};

/// Invite `email` to `tenant` as `role` (by `token`), follow the mail's link as the
/// invitee (`invitee_token`).
async fn invite_and_accept(
    api: &Api,
    sink: &SmtpSink,
    tenant: &str,
    token: &str,
    email: &str,
    role: &str,
    invitee_token: &str,
) {
    let seen = sink.count(email, "invites/accept");
    let (status, body) = api
        .call(
            Method::POST,
            &format!("/v1/tenants/{tenant}/invites"),
            Some(token),
            Some(json!({"email": email, "role": role})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mail = sink.wait_for_next(email, "invites/accept", seen).await;
    let link = link_in(&mail, "http://pint.test/invites/accept?token=");
    let invite_token = url::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let (status, body) = api
        .call(
            Method::POST,
            "/v1/invites/accept",
            Some(invitee_token),
            Some(json!({"token": invite_token})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], role);
    // Once only.
    let (status, _) = api
        .call(
            Method::POST,
            "/v1/invites/accept",
            Some(invitee_token),
            Some(json!({"token": invite_token})),
        )
        .await;
    assert_eq!(status, 404);
}

/// An action, its request, and whether owner, admin, editor, viewer may do it.
type MatrixRow = (&'static str, Method, String, Option<Value>, [bool; 4]);

/// Everything a member of a blog can see of it: to check that nothing changed.
async fn snapshot(api: &Api, tenant: &str, owner: &str) -> Value {
    let mut out = json!({});
    for part in ["", "/members", "/invites"] {
        let (status, body) = api
            .call(
                Method::GET,
                &format!("/v1/tenants/{tenant}{part}"),
                Some(owner),
                None,
            )
            .await;
        assert_eq!(status, 200, "{part}: {body}");
        out[part] = body;
    }
    out
}

async fn blogs_story(backend: Backend) {
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let server = TestServer::start_with(backend, |s| s.smtp_url = Some(smtp)).await;
    let api = server.api();

    // Ada registers with her first blog; Bob with his.
    let Account {
        token: ada,
        body: ada_body,
        ..
    } = api.register("ada@example.com", Some("ada-writes")).await;
    assert_eq!(ada_body["blog"]["subdomain"], "ada-writes");
    assert_eq!(ada_body["blog"]["role"], "owner");
    assert_eq!(ada_body["blog"]["plan"], "free");
    let a = ada_body["blog"]["id"].as_str().unwrap().to_owned();
    let Account {
        token: bob,
        body: bob_body,
        ..
    } = api.register("bob@example.com", Some("bob-notes")).await;
    let b = bob_body["blog"]["id"].as_str().unwrap().to_owned();

    // Subdomains: validated, reserved names refused, taken ones a conflict.
    for bad in ["www", "Ada", "a", "ada_writes", "-ada", "admin"] {
        let (status, body) = api
            .call(
                Method::POST,
                "/v1/tenants",
                Some(&ada),
                Some(json!({"subdomain": bad})),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (422, "VALIDATION_ERROR"),
            "{bad}: {body}"
        );
    }
    let (status, body) = api
        .call(
            Method::POST,
            "/v1/tenants",
            Some(&ada),
            Some(json!({"subdomain": "bob-notes"})),
        )
        .await;
    assert_eq!((status, code(&body)), (409, "CONFLICT"), "{body}");
    let (status, _) = api
        .post("/v1/auth/register", None, json!({"email": "eve@example.com", "password": "correct horse battery", "blog": {"subdomain": "ada-writes"}}))
        .await;
    assert_eq!(status, 409, "registration with a taken subdomain");
    let (status, _) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "eve@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 401, "and no account was made");

    // Carol (admin), Dave (editor) and Erin (viewer) join Ada's blog by invitation.
    let Account {
        token: carol,
        body: carol_body,
        ..
    } = api.register("carol@example.com", None).await;
    let Account {
        token: dave,
        body: dave_body,
        ..
    } = api.register("dave@example.com", None).await;
    let Account {
        token: erin,
        body: erin_body,
        ..
    } = api.register("erin@example.com", None).await;
    invite_and_accept(&api, &sink, &a, &ada, "carol@example.com", "admin", &carol).await;
    invite_and_accept(&api, &sink, &a, &carol, "dave@example.com", "editor", &dave).await;
    invite_and_accept(&api, &sink, &a, &ada, "erin@example.com", "viewer", &erin).await;
    let id = |v: &Value| v["user"]["id"].as_str().unwrap().to_owned();
    let (ada_id, carol_id, dave_id, erin_id) = (
        id(&ada_body),
        id(&carol_body),
        id(&dave_body),
        id(&erin_body),
    );

    // An invitation for someone else's address is useless to whoever holds it.
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/v1/tenants/{a}/invites"),
            Some(&ada),
            Some(json!({"email": "frank@example.com", "role": "editor"})),
        )
        .await;
    assert_eq!(status, 201);
    let mail = sink.wait_for("frank@example.com", "invites/accept").await;
    let link = link_in(&mail, "http://pint.test/invites/accept?token=");
    let stolen = link.split("token=").nth(1).unwrap().to_owned();
    let (status, _) = api
        .call(
            Method::POST,
            "/v1/invites/accept",
            Some(&bob),
            Some(json!({"token": stolen})),
        )
        .await;
    assert_eq!(status, 404);

    // Each member lists the blog with their role.
    let (_, list) = api
        .call(Method::GET, "/v1/tenants", Some(&dave), None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["role"], "editor");

    // The role matrix: (action, method, path, body, allowed for owner/admin/editor/viewer).
    let matrix: Vec<MatrixRow> = vec![
        (
            "read blog",
            Method::GET,
            format!("/v1/tenants/{a}"),
            None,
            [true, true, true, true],
        ),
        (
            "read members",
            Method::GET,
            format!("/v1/tenants/{a}/members"),
            None,
            [true, true, true, true],
        ),
        (
            "change settings",
            Method::PATCH,
            format!("/v1/tenants/{a}"),
            Some(json!({"settings": {"theme": "dark"}})),
            [true, true, false, false],
        ),
        (
            "list invites",
            Method::GET,
            format!("/v1/tenants/{a}/invites"),
            None,
            [true, true, false, false],
        ),
        (
            "invite",
            Method::POST,
            format!("/v1/tenants/{a}/invites"),
            Some(json!({"email": "guest@example.com", "role": "viewer"})),
            [true, true, false, false],
        ),
        (
            "change a role",
            Method::PATCH,
            format!("/v1/tenants/{a}/members/{erin_id}"),
            Some(json!({"role": "viewer"})),
            [true, true, false, false],
        ),
        (
            "read audit",
            Method::GET,
            format!("/v1/tenants/{a}/audit"),
            None,
            [true, true, false, false],
        ),
        (
            "remove a member",
            Method::DELETE,
            format!("/v1/tenants/{a}/members/{carol_id}"),
            None,
            [true, true, false, false],
        ),
    ];
    let members = [
        ("owner", &ada),
        ("admin", &carol),
        ("editor", &dave),
        ("viewer", &erin),
    ];
    for (action, method, path, body, allowed) in &matrix {
        // Removing Dave succeeds once; test the refusals first, then the allowed ones
        // on a fresh target each time.
        for (i, (role, token)) in members.iter().enumerate().rev() {
            if *action == "remove a member" && allowed[i] {
                continue;
            }
            let (status, resp) = api
                .call(method.clone(), path, Some(token), body.clone())
                .await;
            if allowed[i] {
                assert!(
                    (200..300).contains(&status),
                    "{role} may {action}: {status} {resp}"
                );
            } else {
                assert_eq!(
                    (status, code(&resp)),
                    (403, "FORBIDDEN"),
                    "{role} may not {action}: {resp}"
                );
            }
        }
    }
    // Removing members: an admin removes Dave; the owner would too (re-invite first).
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/tenants/{a}/members/{dave_id}"),
            Some(&carol),
            None,
        )
        .await;
    assert_eq!(status, 204);
    invite_and_accept(&api, &sink, &a, &ada, "dave@example.com", "editor", &dave).await;
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/tenants/{a}/members/{dave_id}"),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, 204);
    invite_and_accept(&api, &sink, &a, &ada, "dave@example.com", "editor", &dave).await;

    // Owners: an admin may neither make one nor touch one; the last owner stays.
    let (status, _) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}/members/{erin_id}"),
            Some(&carol),
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}/members/{ada_id}"),
            Some(&carol),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/tenants/{a}/members/{ada_id}"),
            Some(&carol),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}/members/{ada_id}"),
            Some(&ada),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (409, "CONFLICT"),
        "the last owner: {body}"
    );
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/tenants/{a}/members/{ada_id}"),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, 409, "the last owner cannot leave");
    let (status, _) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}/members/{carol_id}"),
            Some(&ada),
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}/members/{ada_id}"),
            Some(&carol),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, 204, "with two owners, one may step down");
    let (status, _) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}/members/{ada_id}"),
            Some(&carol),
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}/members/{erin_id}"),
            Some(&ada),
            Some(json!({"role": "emperor"})),
        )
        .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"));
    // A viewer may leave.
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/tenants/{a}/members/{erin_id}"),
            Some(&erin),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .call(Method::GET, &format!("/v1/tenants/{a}"), Some(&erin), None)
        .await;
    assert_eq!(status, 404, "once gone, the blog is invisible");

    // Settings: an object of bounded size.
    let (status, body) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}"),
            Some(&ada),
            Some(json!({"settings": [1, 2]})),
        )
        .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"));
    let (status, body) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}"),
            Some(&ada),
            Some(json!({"settings": {"x": "y".repeat(20_000)}})),
        )
        .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"));
    let (status, body) = api
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{a}"),
            Some(&ada),
            Some(json!({"name": "<script>alert(1)</script>", "settings": {"theme": "dark"}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["name"], "<script>alert(1)</script>",
        "stored verbatim; escaping is the blog's job"
    );
    assert_eq!(body["settings"]["theme"], "dark");

    // The audit log records who did what.
    let (status, audit) = api
        .call(
            Method::GET,
            &format!("/v1/tenants/{a}/audit?limit=200"),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for wanted in [
        "tenant.created",
        "invite.created",
        "member.joined",
        "member.role_changed",
        "member.removed",
        "tenant.updated",
    ] {
        assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
    }
    assert_eq!(actions.last(), Some(&"tenant.created"), "newest first");
    let first_page = &audit.as_array().unwrap()[..2];
    let (_, next) = api
        .call(
            Method::GET,
            &format!(
                "/v1/tenants/{a}/audit?limit=2&before={}",
                first_page[1]["id"].as_str().unwrap()
            ),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(next[0]["id"], audit[2]["id"], "pages follow on");

    // The cross-tenant matrix: Bob, owner of his own blog, at every endpoint of Ada's
    // blog, gets 404; Ada's blog is the same afterwards. And B's paths with A's ids.
    let before = snapshot(&api, &a, &ada).await;
    let (_, invites) = api
        .call(
            Method::GET,
            &format!("/v1/tenants/{a}/invites"),
            Some(&ada),
            None,
        )
        .await;
    let a_invite = invites[0]["id"].as_str().unwrap().to_owned();
    let cross: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/v1/tenants/{a}"), None),
        (
            Method::PATCH,
            format!("/v1/tenants/{a}"),
            Some(json!({"name": "pwned"})),
        ),
        (Method::DELETE, format!("/v1/tenants/{a}"), None),
        (Method::GET, format!("/v1/tenants/{a}/members"), None),
        (
            Method::PATCH,
            format!("/v1/tenants/{a}/members/{ada_id}"),
            Some(json!({"role": "viewer"})),
        ),
        (
            Method::DELETE,
            format!("/v1/tenants/{a}/members/{dave_id}"),
            None,
        ),
        (Method::GET, format!("/v1/tenants/{a}/invites"), None),
        (
            Method::POST,
            format!("/v1/tenants/{a}/invites"),
            Some(json!({"email": "bob@example.com", "role": "admin"})),
        ),
        (
            Method::DELETE,
            format!("/v1/tenants/{a}/invites/{a_invite}"),
            None,
        ),
        (Method::GET, format!("/v1/tenants/{a}/audit"), None),
        // Bob's own blog's paths, pointed at Ada's members and invitations.
        (
            Method::PATCH,
            format!("/v1/tenants/{b}/members/{ada_id}"),
            Some(json!({"role": "viewer"})),
        ),
        (
            Method::DELETE,
            format!("/v1/tenants/{b}/members/{dave_id}"),
            None,
        ),
        (
            Method::DELETE,
            format!("/v1/tenants/{b}/invites/{a_invite}"),
            None,
        ),
    ];
    for (method, path, body) in &cross {
        let (status, resp) = api
            .call(method.clone(), path, Some(&bob), body.clone())
            .await;
        assert_eq!(
            (status, code(&resp)),
            (404, "NOT_FOUND"),
            "{method} {path}: {resp}"
        );
    }
    assert_eq!(
        snapshot(&api, &a, &ada).await,
        before,
        "nothing changed in Ada's blog"
    );
    let (_, bob_list) = api.call(Method::GET, "/v1/tenants", Some(&bob), None).await;
    assert_eq!(bob_list.as_array().unwrap().len(), 1);

    // Row-level security on PostgreSQL: with no tenant set, a query that forgets its
    // filter sees nothing; with Bob's blog set, only Bob's rows.
    if let TestDb::Postgres(pg, _) = &server.db {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&pg.url).await.unwrap();
        for table in ["tenants", "memberships", "invites", "audit_log"] {
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
            assert_eq!(n, 0, "{table} without a scope");
        }
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("SELECT set_config('pint.tenant_id', $1, true)")
            .bind(&b)
            .execute(&mut *tx)
            .await
            .unwrap();
        let tenants: Vec<String> = sqlx::query_scalar("SELECT DISTINCT tenant_id FROM memberships")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        assert_eq!(tenants, std::slice::from_ref(&b));
        let audit: Vec<String> = sqlx::query_scalar("SELECT DISTINCT tenant_id FROM audit_log")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        assert_eq!(audit, std::slice::from_ref(&b));
        // Writing into another tenant is refused too.
        let err = sqlx::query("INSERT INTO audit_log (id, tenant_id, action, created_at) VALUES ('x', $1, 'forged', 0)")
            .bind(&a)
            .execute(&mut *tx)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("row-level security"), "{err}");
        drop(tx);
    }

    // Deleting: only the owner; then it is gone for everyone.
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/tenants/{a}"),
            Some(&dave),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/tenants/{a}"),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .call(Method::GET, &format!("/v1/tenants/{a}"), Some(&carol), None)
        .await;
    assert_eq!(status, 404);
    server.stop().await;
}

#[tokio::test]
async fn blogs_on_sqlite() {
    blogs_story(Backend::Sqlite).await;
}

#[tokio::test]
async fn blogs_on_postgres() {
    blogs_story(Backend::Postgres).await;
}

/// Hostile input in every text field of the blog endpoints: a validation error (or the
/// text stored verbatim), never a 500, never executed.
async fn hostile_blog_input(backend: Backend) {
    let server = TestServer::start(backend).await;
    let api = server.api();
    let Account {
        token: ada, body, ..
    } = api.register("ada@example.com", Some("ada-writes")).await;
    let a = body["blog"]["id"].as_str().unwrap().to_owned();
    let huge = "x".repeat(1_000_000);
    let long = "x".repeat(4_000); // as long as a URL path gets through clients and proxies
    let nul = "bad\u{0}name";
    let cases: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/v1/tenants".into(),
            json!({"subdomain": huge}),
        ),
        (
            Method::POST,
            "/v1/tenants".into(),
            json!({"subdomain": "fine-name", "name": nul}),
        ),
        (
            Method::POST,
            "/v1/tenants".into(),
            json!({"subdomain": "fine-name", "name": huge}),
        ),
        (
            Method::POST,
            "/v1/tenants".into(),
            json!({"subdomain": "o'; drop table tenants;--"}),
        ),
        (
            Method::PATCH,
            format!("/v1/tenants/{a}"),
            json!({"name": nul}),
        ),
        (
            Method::PATCH,
            format!("/v1/tenants/{a}"),
            json!({"settings": {"k": huge}}),
        ),
        (
            Method::PATCH,
            format!("/v1/tenants/{a}"),
            json!({"settings": "not an object"}),
        ),
        (
            Method::POST,
            format!("/v1/tenants/{a}/invites"),
            json!({"email": "nul\u{0}@example.com", "role": "editor"}),
        ),
        (
            Method::POST,
            format!("/v1/tenants/{a}/invites"),
            json!({"email": "x@example.com", "role": huge}),
        ),
        (
            Method::PATCH,
            format!("/v1/tenants/{a}/members/{long}"),
            json!({"role": "viewer"}),
        ),
        (Method::GET, format!("/v1/tenants/{long}"), Value::Null),
        (
            Method::POST,
            "/v1/invites/accept".into(),
            json!({"token": huge}),
        ),
        (
            Method::POST,
            "/v1/invites/accept".into(),
            json!({"token": nul}),
        ),
    ];
    for (method, path, body) in cases {
        let body = (!body.is_null()).then_some(body);
        let (status, resp) = api.call(method.clone(), &path, Some(&ada), body).await;
        assert!(
            (400..500).contains(&status),
            "{method} {}: {status} {resp}",
            &path[..path.len().min(60)]
        );
    }
    // Stored verbatim, not executed.
    let (status, body) = api
        .call(Method::PATCH, &format!("/v1/tenants/{a}"), Some(&ada), Some(json!({"name": "Robert'); DROP TABLE tenants;--", "settings": {"q": "' OR 1=1 --"}})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Robert'); DROP TABLE tenants;--");
    let (status, _) = api.call(Method::GET, "/v1/tenants", Some(&ada), None).await;
    assert_eq!(status, 200);
    // Invalid UTF-8.
    let resp = api
        .client
        .post(server.url("/v1/tenants"))
        .bearer_auth(&ada)
        .header("content-type", "application/json")
        .body(b"{\"subdomain\": \"\xff\xfe\"}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        422,
        "not JSON: refused like any malformed body"
    );
    server.stop().await;
}

#[tokio::test]
async fn hostile_blog_input_on_sqlite() {
    hostile_blog_input(Backend::Sqlite).await;
}

#[tokio::test]
async fn hostile_blog_input_on_postgres() {
    hostile_blog_input(Backend::Postgres).await;
}
