//! Accounts over HTTP, as a client uses them, on both backends: register, sign in on two
//! devices, refresh with rotation and stolen-token detection, sessions, profile and
//! password changes, sign out, ban, delete; forged tokens and hostile input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::api::code;
use common::{Backend, TEST_JWT_SECRET, TestServer, http};
use reqwest::Method;
use serde_json::{Value, json};

fn token(body: &Value, field: &str) -> String {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {body}"))
        .to_owned()
}

fn forge(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn now_secs() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

async fn accounts_story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let api = server.api();

    // Register: the email is stored lowercased; this device is signed in.
    let (status, laptop) = api
        .post(
            "/v1/auth/register",
            None,
            json!({"email": "  Ada@Example.com ", "password": "correct horse battery", "deviceName": "Ada's laptop"}),
        )
        .await;
    assert_eq!(status, 201, "{laptop}");
    assert_eq!(laptop["user"]["email"], "ada@example.com");
    assert_eq!(laptop["user"]["displayName"], "ada");
    assert_eq!(laptop["user"]["role"], "user");
    let laptop_access = token(&laptop, "accessToken");
    let (status, me) = api.get("/v1/users/me", Some(&laptop_access)).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "ada@example.com");

    // The same email again, in other letters: a conflict, and nothing changes.
    let (status, body) = api
        .post(
            "/v1/auth/register",
            None,
            json!({"email": "ADA@example.com", "password": "another password!"}),
        )
        .await;
    assert_eq!((status, code(&body)), (409, "CONFLICT"), "{body}");

    // Bad fields: every problem listed at once; no account made.
    let (status, body) = api
        .post(
            "/v1/auth/register",
            None,
            json!({"email": "not-an-email", "password": "short", "displayName": "Bad\u{0}Name"}),
        )
        .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"), "{body}");
    for field in ["email", "password", "displayName"] {
        assert!(
            body["error"]["details"]["fields"].get(field).is_some(),
            "{field}: {body}"
        );
    }

    // Sign in: a wrong password and an unknown email get the same answer.
    let (status, wrong) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "wrong password"}),
        )
        .await;
    assert_eq!((status, code(&wrong)), (401, "UNAUTHORIZED"));
    let (status, unknown) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": "wrong password"}),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(wrong["error"]["message"], unknown["error"]["message"]);
    let (status, phone) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "ADA@example.com", "password": "correct horse battery", "deviceName": "Ada's phone"}),
        )
        .await;
    assert_eq!(status, 200, "{phone}");
    let phone_access = token(&phone, "accessToken");

    // Both devices are listed; the one asking is marked.
    let (status, sessions) = api
        .call(
            Method::GET,
            "/v1/users/me/sessions",
            Some(&phone_access),
            None,
        )
        .await;
    assert_eq!(status, 200, "{sessions}");
    let sessions = sessions.as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["deviceName"], "Ada's laptop");
    assert_eq!(sessions[1]["current"], true);

    // Refresh rotates: the new pair works, the old refresh token is spent.
    let first_refresh = token(&laptop, "refreshToken");
    let (status, rotated) = api
        .post(
            "/v1/auth/refresh",
            None,
            json!({"refreshToken": first_refresh}),
        )
        .await;
    assert_eq!(status, 200, "{rotated}");
    let second_refresh = token(&rotated, "refreshToken");
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(
        api.get("/v1/users/me", Some(&token(&rotated, "accessToken")))
            .await
            .0,
        200
    );

    // Someone replays the spent token (it was stolen): refused, and the whole laptop
    // session ends — the thief's and the owner's copies alike.
    let (status, body) = api
        .post(
            "/v1/auth/refresh",
            None,
            json!({"refreshToken": first_refresh}),
        )
        .await;
    assert_eq!((status, code(&body)), (401, "UNAUTHORIZED"));
    let (status, _) = api
        .post(
            "/v1/auth/refresh",
            None,
            json!({"refreshToken": second_refresh}),
        )
        .await;
    assert_eq!(status, 401, "the family is revoked");
    assert_eq!(
        api.get("/v1/users/me", Some(&token(&rotated, "accessToken")))
            .await
            .0,
        401
    );
    assert_eq!(api.get("/v1/users/me", Some(&laptop_access)).await.0, 401);
    // The phone's session is untouched.
    assert_eq!(api.get("/v1/users/me", Some(&phone_access)).await.0, 200);

    // Forged and broken access tokens.
    let (_, me) = api.get("/v1/users/me", Some(&phone_access)).await;
    let user_id = me["id"].as_str().unwrap().to_owned();
    let phone_session = token(&phone, "sessionId");
    let claims = |exp: i64| json!({"sub": user_id, "sid": phone_session, "iat": now_secs(), "exp": exp, "typ": "access"});
    assert_eq!(
        api.get(
            "/v1/users/me",
            Some(&forge(&claims(now_secs() + 600), TEST_JWT_SECRET))
        )
        .await
        .0,
        200,
        "the test forges like the server"
    );
    for (what, bad) in [
        ("expired", forge(&claims(now_secs() - 1), TEST_JWT_SECRET)),
        (
            "wrong key",
            forge(
                &claims(now_secs() + 600),
                b"some other secret of at least 32 bytes",
            ),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
                URL_SAFE_NO_PAD.encode(claims(now_secs() + 600).to_string())
            ),
        ),
        ("tampered", {
            let good = forge(&claims(now_secs() + 600), TEST_JWT_SECRET);
            let parts: Vec<&str> = good.split('.').collect();
            let mut other = claims(now_secs() + 600);
            other["sub"] = json!("someone-else");
            format!(
                "{}.{}.{}",
                parts[0],
                URL_SAFE_NO_PAD.encode(other.to_string()),
                parts[2]
            )
        }),
        (
            "not a refresh-able type",
            forge(
                &json!({"sub": user_id, "sid": phone_session, "exp": now_secs() + 600, "typ": "refresh"}),
                TEST_JWT_SECRET,
            ),
        ),
        ("garbage", "garbage".to_owned()),
    ] {
        let (status, body) = api.get("/v1/users/me", Some(&bad)).await;
        assert_eq!(
            (status, code(&body)),
            (401, "UNAUTHORIZED"),
            "{what}: {body}"
        );
    }
    let (status, body) = api.call(Method::GET, "/v1/users/me", None, None).await;
    assert_eq!(
        (status, code(&body)),
        (401, "UNAUTHORIZED"),
        "no token: {body}"
    );

    // Profile: a new display name; a password change needs the current one and signs
    // every other device out.
    let (status, body) = api
        .call(
            Method::PATCH,
            "/v1/users/me",
            Some(&phone_access),
            Some(json!({"displayName": "Ada L."})),
        )
        .await;
    assert_eq!(
        (status, body["displayName"].as_str()),
        (200, Some("Ada L.")),
        "{body}"
    );
    let (_, tablet) = api
        .post("/v1/auth/login", None, json!({"email": "ada@example.com", "password": "correct horse battery", "deviceName": "tablet"}))
        .await;
    let (status, body) = api
        .call(
            Method::PATCH,
            "/v1/users/me",
            Some(&phone_access),
            Some(json!({"password": "a new password here"})),
        )
        .await;
    assert_eq!((status, code(&body)), (422, "VALIDATION_ERROR"), "{body}");
    let (status, _) = api
        .call(
            Method::PATCH,
            "/v1/users/me",
            Some(&phone_access),
            Some(json!({"password": "a new password here", "currentPassword": "not it at all"})),
        )
        .await;
    assert_eq!(status, 401);
    let (status, body) = api
        .call(
            Method::PATCH,
            "/v1/users/me",
            Some(&phone_access),
            Some(json!({"password": "a new password here", "currentPassword": "correct horse battery"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        api.get("/v1/users/me", Some(&token(&tablet, "accessToken")))
            .await
            .0,
        401,
        "other devices signed out"
    );
    assert_eq!(
        api.get("/v1/users/me", Some(&phone_access)).await.0,
        200,
        "this device stays"
    );
    let (status, _) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 401, "the old password is gone");

    // Revoke a session from another device; then sign out here.
    let (_, desktop) = api
        .post("/v1/auth/login", None, json!({"email": "ada@example.com", "password": "a new password here", "deviceName": "desktop"}))
        .await;
    let desktop_session = token(&desktop, "sessionId");
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/users/me/sessions/{desktop_session}"),
            Some(&phone_access),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        api.get("/v1/users/me", Some(&token(&desktop, "accessToken")))
            .await
            .0,
        401
    );
    let (status, body) = api
        .call(
            Method::DELETE,
            &format!("/v1/users/me/sessions/{desktop_session}"),
            Some(&phone_access),
            None,
        )
        .await;
    assert_eq!((status, code(&body)), (404, "NOT_FOUND"));
    let (status, _) = api
        .post("/v1/auth/logout", Some(&phone_access), json!({}))
        .await;
    assert_eq!(status, 204);
    assert_eq!(api.get("/v1/users/me", Some(&phone_access)).await.0, 401);

    // Another user cannot touch Ada's sessions.
    let (_, bob) = api
        .post(
            "/v1/auth/register",
            None,
            json!({"email": "bob@example.com", "password": "bob's password"}),
        )
        .await;
    let (_, ada) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "a new password here"}),
        )
        .await;
    let ada_session = token(&ada, "sessionId");
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/v1/users/me/sessions/{ada_session}"),
            Some(&token(&bob, "accessToken")),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        api.get("/v1/users/me", Some(&token(&ada, "accessToken")))
            .await
            .0,
        200
    );

    // A banned user: every request answers 403 at once, refresh and sign-in refused.
    let storage = pint_server::prepare_storage(&server.db.settings())
        .await
        .unwrap();
    let bob_id = token(&bob["user"], "id");
    assert!(storage.set_role(&bob_id, "banned", 1).await.unwrap());
    let (status, body) = api
        .get("/v1/users/me", Some(&token(&bob, "accessToken")))
        .await;
    assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body}");
    let (status, _) = api
        .post(
            "/v1/auth/refresh",
            None,
            json!({"refreshToken": token(&bob, "refreshToken")}),
        )
        .await;
    assert_eq!(status, 401);
    let (status, body) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "bob@example.com", "password": "bob's password"}),
        )
        .await;
    assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body}");

    // Delete the account: the password confirms it; afterwards nothing of it works.
    let ada_access = token(&ada, "accessToken");
    let (status, _) = api
        .call(
            Method::DELETE,
            "/v1/users/me",
            Some(&ada_access),
            Some(json!({"password": "wrong one"})),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = api
        .call(
            Method::DELETE,
            "/v1/users/me",
            Some(&ada_access),
            Some(json!({"password": "a new password here"})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(api.get("/v1/users/me", Some(&ada_access)).await.0, 401);
    let (status, _) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "a new password here"}),
        )
        .await;
    assert_eq!(status, 401);
    server.stop().await;
}

async fn hostile_input(backend: Backend) {
    let server = TestServer::start(backend).await;
    let api = server.api();
    // SQL metacharacters are data: stored verbatim, never executed. (The address keeps
    // to what mail can be sent to: a quote and dashes; `"` and `;` are in the password
    // and the name.)
    let sneaky = "o'brien--drop@example.com";
    let (status, body) = api
        .post("/v1/auth/register", None, json!({"email": sneaky, "password": "quotes ' and \" and ;", "displayName": "Robert'); DROP TABLE users;--"}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["user"]["email"], sneaky);
    assert_eq!(body["user"]["displayName"], "Robert'); DROP TABLE users;--");
    let (status, _) = api
        .post(
            "/v1/auth/login",
            None,
            json!({"email": sneaky, "password": "quotes ' and \" and ;"}),
        )
        .await;
    assert_eq!(status, 200);

    // Text fields of a megabyte, NUL bytes, wrong types, missing fields: 4xx, never 500.
    let huge = "a".repeat(1_000_000);
    for body in [
        json!({"email": format!("{huge}@example.com"), "password": "long enough password"}),
        json!({"email": "x@example.com", "password": huge}),
        json!({"email": "nul\u{0}@example.com", "password": "long enough password"}),
        json!({"email": "y@example.com", "password": "long enough password", "deviceName": "dev\u{0}ice"}),
        json!({"email": 42, "password": "long enough password"}),
        json!({"password": "long enough password"}),
    ] {
        let (status, resp) = api.post("/v1/auth/register", None, body.clone()).await;
        assert!(
            (400..500).contains(&status),
            "{status} for {}: {resp}",
            &body.to_string()[..60.min(body.to_string().len())]
        );
        assert!(
            ["VALIDATION_ERROR", "PAYLOAD_TOO_LARGE"].contains(&code(&resp)),
            "{resp}"
        );
    }
    for body in [
        json!({"email": format!("{huge}@example.com"), "password": "whatever it is"}),
        json!({"email": "nul\u{0}@example.com", "password": "whatever it is"}),
        json!({"email": "x@example.com", "password": "nul\u{0}byte in it"}),
    ] {
        let (status, resp) = api.post("/v1/auth/login", None, body).await;
        assert!((400..500).contains(&status), "{status}: {resp}");
    }
    let (status, _) = api
        .post("/v1/auth/refresh", None, json!({"refreshToken": huge}))
        .await;
    assert!((400..500).contains(&status));

    // Invalid UTF-8 in the JSON body.
    let resp = api
        .client
        .post(api.url("/v1/auth/register"))
        .header("content-type", "application/json")
        .body(
            b"{\"email\": \"\xff\xfe@example.com\", \"password\": \"long enough password\"}"
                .to_vec(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "VALIDATION_ERROR");
    server.stop().await;
}

/// Sign-in is limited per account (even with the right password, so guessing is bounded)
/// and per address; the answer says when to come back. In memory: one backend suffices.
#[tokio::test]
async fn sign_in_and_registration_are_rate_limited() {
    let server = TestServer::start(Backend::Sqlite).await;
    let api = server.api();
    let creds = json!({"email": "ada@example.com", "password": "correct horse battery"});
    assert_eq!(
        api.post("/v1/auth/register", None, creds.clone()).await.0,
        201
    );
    let mut limited = None;
    for attempt in 1..=11 {
        let (status, body) = api
            .post(
                "/v1/auth/login",
                None,
                json!({"email": "ada@example.com", "password": "guess {attempt}"}),
            )
            .await;
        if status == 429 {
            limited = Some((attempt, body));
            break;
        }
        assert_eq!(status, 401);
    }
    let (attempt, body) = limited.expect("the 11th guess is refused");
    assert_eq!(attempt, 11);
    assert_eq!(code(&body), "RATE_LIMIT_EXCEEDED");
    assert!(
        body["error"]["details"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let resp = api
        .client
        .post(api.url("/v1/auth/login"))
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429, "the right password waits too");
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");

    // Per address: many accounts from one address.
    let mut statuses = Vec::new();
    for i in 0..25 {
        let (status, _) = api
            .post(
                "/v1/auth/login",
                None,
                json!({"email": format!("user{i}@example.com"), "password": "whatever it is"}),
            )
            .await;
        statuses.push(status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let mut registered = Vec::new();
    for i in 0..12 {
        let (status, _) = api
            .post(
                "/v1/auth/register",
                None,
                json!({"email": format!("new{i}@example.com"), "password": "long enough password"}),
            )
            .await;
        registered.push(status);
    }
    assert_eq!(
        registered.iter().filter(|s| **s == 201).count(),
        9,
        "{registered:?}"
    );
    assert_eq!(registered.last(), Some(&429));
    server.stop().await;
}

/// Behind a trusted proxy, the address limited is the client's (from `X-Forwarded-For`);
/// without one, the header changes nothing (a client cannot dodge the limit with it).
#[tokio::test]
async fn the_address_limit_follows_the_client_only_behind_a_trusted_proxy() {
    for trusted in [true, false] {
        let server = TestServer::start_with(Backend::Sqlite, |s| {
            if trusted {
                s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            }
        })
        .await;
        let client = http();
        let attempt = |i: usize, from: &'static str| {
            client
                .post(server.url("/v1/auth/login"))
                .header("x-forwarded-for", from)
                .json(
                    &json!({"email": format!("user{i}@example.com"), "password": "whatever it is"}),
                )
                .send()
        };
        // 30 a minute: one more comes back every 2 s, so a slow machine may get a few
        // more than 30 through before the first 429.
        let started = std::time::Instant::now();
        let mut refused_after = None;
        for i in 0..60 {
            match attempt(i, "198.51.100.1").await.unwrap().status().as_u16() {
                401 => {}
                429 => {
                    refused_after = Some(i);
                    break;
                }
                other => panic!("attempt {i}: {other}"),
            }
        }
        let refused_after = refused_after.expect("the address was never limited");
        let refilled = usize::try_from(started.elapsed().as_secs() / 2).unwrap() + 1;
        assert!(
            (30..=30 + refilled).contains(&refused_after),
            "limited after {refused_after} attempts"
        );
        let other = attempt(99, "198.51.100.2").await.unwrap().status();
        if trusted {
            assert_eq!(other, 401, "another client behind the proxy is not limited");
        } else {
            assert_eq!(other, 429, "the header is ignored from an untrusted peer");
        }
        server.stop().await;
    }
}

/// Registration is limited per email address too.
#[tokio::test]
async fn registration_is_rate_limited_per_address() {
    let server = TestServer::start(Backend::Sqlite).await;
    let api = server.api();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (status, _) = api
            .post(
                "/v1/auth/register",
                None,
                json!({"email": "Ada@example.com", "password": "correct horse battery"}),
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(statuses, [201, 409, 409, 409, 409, 429]);
    server.stop().await;
}

#[tokio::test]
async fn accounts_on_sqlite() {
    accounts_story(Backend::Sqlite).await;
}

#[tokio::test]
async fn accounts_on_postgres() {
    accounts_story(Backend::Postgres).await;
}

#[tokio::test]
async fn hostile_input_on_sqlite() {
    hostile_input(Backend::Sqlite).await;
}

#[tokio::test]
async fn hostile_input_on_postgres() {
    hostile_input(Backend::Postgres).await;
}
