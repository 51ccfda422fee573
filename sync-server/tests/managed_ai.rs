//! Managed AI (Pint AI), on both backends: a blog pays for AI with its credits. The app's
//! own streaming code (`pint_client::ai::stream`, as the window runs it) talks to the
//! server, which calls a local fake of OpenAI's chat completions with the operator's key
//! and relays the answer. Credits are reserved before, settled at the tokens the provider
//! counted, released when the provider refuses or its answer breaks off, settled at what
//! was written when the app cancels; two requests racing for the last credits never both
//! get them; bad requests are refused by field before anything is held.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer};
use pint_client::ai::stream::{self, Limits, Prompt, Usage};
use pint_client::ai::{AiError, Provider, ProviderConfig};
use pint_server::db::Storage;
use pint_server::db::credits::Grant;
use pint_server::settings::{AiSettings, Settings};
use poem::http::HeaderMap;
use poem::web::{Data, Json};
use poem::{Body, EndpointExt, Response, Route, handler, post};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

/// What the fake provider answers: text in three pieces, and the usage it counted
/// (1,500 + 700 tokens: 3 credits).
const PIECES: [&str; 3] = ["Dawn ", "at the ", "harbour."];
const USAGE: (u32, u32) = (1_500, 700);

/// The fake's record of what it was sent, and a gate the "slow" script waits at.
#[derive(Default)]
struct Fake {
    seen: Mutex<Vec<(String, Value)>>,
    go_on: Notify,
}

type Tx = mpsc::Sender<Result<Vec<u8>, std::io::Error>>;

fn sse<F>(script: impl FnOnce(Tx) -> F) -> Response
where
    F: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(script(tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Response::builder()
        .content_type("text/event-stream")
        .body(Body::from_bytes_stream(stream))
}

async fn data(tx: &Tx, value: &str) -> bool {
    tx.send(Ok(format!("data: {value}\n\n").into_bytes()))
        .await
        .is_ok()
}

fn chunk(text: &str) -> String {
    json!({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]}).to_string()
}

/// OpenAI's chat completions, scripted by the last word of the user's message: `ok`,
/// `slow` (waits at the gate after the first piece), `cut` (stops mid-answer), `busy`
/// (429 with retry-after), `down` (500).
#[handler]
async fn completions(
    headers: &HeaderMap,
    Json(body): Json<Value>,
    fake: Data<&Arc<Fake>>,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    fake.seen.lock().unwrap().push((auth, body.clone()));
    let user = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or("")
        .to_owned();
    let script = user.split_whitespace().last().unwrap_or("ok").to_owned();
    match script.as_str() {
        "busy" => Response::builder()
            .status(poem::http::StatusCode::TOO_MANY_REQUESTS)
            .header("retry-after", "7")
            .content_type("application/json")
            .body(r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#),
        "down" => Response::builder()
            .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
            .content_type("application/json")
            .body(r#"{"error":{"message":"The server had an error","type":"server_error"}}"#),
        _ => {
            let fake = Arc::clone(&fake);
            sse(move |tx| async move {
                for (i, piece) in PIECES.iter().enumerate() {
                    if !data(&tx, &chunk(piece)).await {
                        return;
                    }
                    if i == 0 && script == "slow" {
                        fake.go_on.notified().await;
                    }
                    if i == 1 && script == "cut" {
                        return;
                    }
                }
                let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
                data(&tx, &finish.to_string()).await;
                let usage = json!({"choices": [], "usage": {"prompt_tokens": USAGE.0, "completion_tokens": USAGE.1, "total_tokens": USAGE.0 + USAGE.1}});
                data(&tx, &usage.to_string()).await;
                data(&tx, "[DONE]").await;
            })
        }
    }
}

async fn fake_provider() -> (String, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    let app = Route::new()
        .at("/v1/chat/completions", post(completions))
        .data(Arc::clone(&fake));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    tokio::spawn(async move {
        poem::Server::new(poem::listener::TcpListener::bind(addr))
            .run(app)
            .await
            .unwrap();
    });
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (format!("http://{addr}/v1"), fake)
}

/// Managed AI paid in credits: billing on, and the fake as the operator's provider.
fn metered(settings: &mut Settings, base_url: &str) {
    common::billing_on(settings, None);
    managed(settings, base_url);
}

fn managed(settings: &mut Settings, base_url: &str) {
    settings.ai = Some(AiSettings {
        key: "sk-operator".into(),
        base_url: base_url.to_owned(),
        model: "op-model".into(),
    });
}

/// Pint AI as the app sees it for `blog`.
fn pint(server: &TestServer, blog: &BlogOwner) -> ProviderConfig {
    ProviderConfig {
        id: "pint".into(),
        provider: Provider::Pint,
        label: "Pint AI".into(),
        base_url: server.url(&format!("/v1/tenants/{}/ai", blog.tenant)),
        model: "pint".into(),
        added_at: 0,
    }
}

fn prompt(text: &str, max_tokens: u32) -> Prompt {
    Prompt {
        system: "You write.".into(),
        user: text.into(),
        schema: None,
        max_tokens,
    }
}

async fn ask(
    config: &ProviderConfig,
    token: &str,
    prompt: &Prompt,
) -> (String, Result<Usage, AiError>) {
    let mut text = String::new();
    let result = stream::stream(config, token, prompt, Limits::default(), |t| {
        text.push_str(t);
    })
    .await
    .map(|(usage, _)| usage);
    (text, result)
}

async fn balance(storage: &Storage, tenant: &str) -> i64 {
    storage
        .credit_balance(tenant, pint_server::clock::now_ms())
        .await
        .unwrap()
        .balance
}

/// The reasons in the ledger, oldest first.
async fn reasons(storage: &Storage, tenant: &str) -> Vec<(String, i64)> {
    storage
        .credit_entries(tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.reason, e.amount))
        .collect()
}

async fn credits_are_held_settled_and_released(backend: Backend) {
    let (fake_url, fake) = fake_provider().await;
    let server = TestServer::start_with(backend, |s| metered(s, &fake_url)).await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-ai").await;
    let config = pint(&server, &blog);
    let (status, plan) = blog
        .api
        .get(
            &format!("/v1/tenants/{}/plan", blog.tenant),
            Some(&blog.token),
        )
        .await;
    assert_eq!((status, &plan["managedAi"]), (200, &json!(true)), "{plan}");

    // No credits: refused before the provider is asked, in words, with the numbers.
    let (text, result) = ask(&config, &blog.token, &prompt("Write about dawn. ok", 1_000)).await;
    let Err(AiError::Refused(message)) = result else {
        panic!("{result:?}")
    };
    assert!(message.contains("AI credits"), "{message}");
    assert!(text.is_empty());
    assert!(
        fake.seen.lock().unwrap().is_empty(),
        "the provider was not asked"
    );

    let now = pint_server::clock::now_ms();
    blog.storage
        .grant_credits(&blog.tenant, 100, Grant::AdminGrant, "welcome", None, now)
        .await
        .unwrap();

    // A whole answer: relayed piece by piece, settled at what the provider counted (3
    // of the 4 credits held for up to 3,000 tokens and the prompt).
    let (text, result) = ask(&config, &blog.token, &prompt("Write about dawn. ok", 3_000)).await;
    assert_eq!(text, PIECES.concat());
    assert_eq!(
        result.unwrap(),
        Usage {
            input_tokens: USAGE.0,
            output_tokens: USAGE.1
        }
    );
    assert_eq!(
        balance(&blog.storage, &blog.tenant).await,
        97,
        "3 credits for 2,200 tokens"
    );
    {
        let seen = fake.seen.lock().unwrap();
        let (auth, body) = seen.last().unwrap();
        assert_eq!(
            auth, "Bearer sk-operator",
            "the operator's key, never the creator's session"
        );
        assert_eq!(body["model"], "op-model");
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["messages"][1]["content"], "Write about dawn. ok");
        assert!(!body.to_string().contains(&blog.token));
    }

    // The provider refuses: nothing spent, the refusal told as Pint's.
    let result = ask(&config, &blog.token, &prompt("Write. busy", 1_000))
        .await
        .1;
    assert_eq!(
        result.unwrap_err(),
        AiError::RateLimited {
            provider: "Pint",
            retry_after_secs: Some(7)
        }
    );
    let result = ask(&config, &blog.token, &prompt("Write. down", 1_000))
        .await
        .1;
    let Err(AiError::Refused(message)) = result else {
        panic!("{result:?}")
    };
    assert!(message.contains("no credits were used"), "{message}");
    // Its answer breaks off: what arrived stands, nothing spent.
    let (text, result) = ask(&config, &blog.token, &prompt("Write. cut", 1_000)).await;
    assert_eq!(text, "Dawn at the ");
    let Err(AiError::Refused(message)) = result else {
        panic!("{result:?}")
    };
    assert!(message.contains("stopped halfway"), "{message}");
    assert_eq!(balance(&blog.storage, &blog.tenant).await, 97);

    // Cancelled mid-answer (the app drops the request): settled at what was sent and
    // written so far, which is less than was held.
    let started = {
        let config = config.clone();
        let token = blog.token.clone();
        let (first_tx, mut first_rx) = mpsc::channel::<()>(1);
        let task = tokio::spawn(async move {
            let p = prompt("Write. slow", 2_000);
            stream::stream(&config, &token, &p, Limits::default(), |_| {
                let _ = first_tx.try_send(());
            })
            .await
        });
        first_rx.recv().await.unwrap();
        task.abort();
        let _ = task.await;
        tokio::time::Instant::now()
    };
    let mut settled = false;
    while started.elapsed() < Duration::from_secs(10) {
        let entries = reasons(&blog.storage, &blog.tenant).await;
        if entries.iter().filter(|(r, _)| r == "release").count() == 5 {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fake.go_on.notify_waiters();
    assert!(settled, "{:?}", reasons(&blog.storage, &blog.tenant).await);
    let after = balance(&blog.storage, &blog.tenant).await;
    assert_eq!(after, 96, "one credit for the few tokens sent and written");

    // Every entry: the grant; held and spent; held and given back three times; held
    // and partly given back.
    let entries = reasons(&blog.storage, &blog.tenant).await;
    let names: Vec<&str> = entries.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "admin_grant",
            "reserve",
            "release",
            "reserve",
            "release",
            "reserve",
            "release",
            "reserve",
            "release",
            "reserve",
            "release"
        ],
        "{entries:?}"
    );

    // Bad requests: refused by field, nothing held.
    let url = format!("/v1/tenants/{}/ai/chat/completions", blog.tenant);
    for (body, field) in [
        (json!({"messages": [], "max_tokens": 10}), "messages"),
        (
            json!({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}),
            "max_tokens",
        ),
        (
            json!({"messages": [{"role": "user", "content": "x"}], "max_tokens": 9000}),
            "max_tokens",
        ),
        (
            json!({"messages": [{"role": "tool", "content": "x"}]}),
            "role",
        ),
        (
            json!({"messages": [{"role": "user", "content": "x"}], "stream": false}),
            "stream",
        ),
        (json!({"messages": "hello"}), "messages"),
    ] {
        let (status, answer) = blog.api.post(&url, Some(&blog.token), body.clone()).await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert_eq!(answer["error"]["code"], "VALIDATION_ERROR");
        assert!(
            answer["error"]["details"].to_string().contains(field),
            "{answer}"
        );
    }
    let (status, _) = blog
        .api
        .post(
            &url,
            None,
            json!({"messages": [{"role": "user", "content": "x"}]}),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(
        reasons(&blog.storage, &blog.tenant).await.len(),
        entries.len()
    );
    assert_eq!(
        fake.seen.lock().unwrap().len(),
        5,
        "no bad request reached the provider"
    );
    server.stop().await;
}

#[tokio::test]
async fn credits_are_held_settled_and_released_on_sqlite() {
    credits_are_held_settled_and_released(Backend::Sqlite).await;
}

#[tokio::test]
async fn credits_are_held_settled_and_released_on_postgres() {
    credits_are_held_settled_and_released(Backend::Postgres).await;
}

/// Two requests at once for the last credits: one is held (and streams), the other is
/// refused, whichever server each reaches.
async fn two_requests_race_for_the_last_credits(backend: Backend) {
    let (fake_url, fake) = fake_provider().await;
    let server = TestServer::start_with(backend, |s| metered(s, &fake_url)).await;
    let sibling = server.sibling_with(|s| metered(s, &fake_url)).await;
    let blog = BlogOwner::register(&server.base, &server.db, "bo@example.com", "bo-ai").await;
    // Each asks for up to 4,000 tokens, held as 5 credits: the blog has 5.
    let now = pint_server::clock::now_ms();
    blog.storage
        .grant_credits(&blog.tenant, 5, Grant::AdminGrant, "last", None, now)
        .await
        .unwrap();
    let one = pint(&server, &blog);
    let mut two = one.clone();
    two.base_url = format!("{}/v1/tenants/{}/ai", sibling.base, blog.tenant);
    // The winner waits at the provider's gate, so the other is refused while it holds.
    let p = prompt("Race. slow", 4_000);
    let tasks: Vec<_> = [one, two]
        .into_iter()
        .map(|config| {
            let (token, p) = (blog.token.clone(), p.clone());
            tokio::spawn(async move { ask(&config, &token, &p).await })
        })
        .collect();
    let started = tokio::time::Instant::now();
    while !tasks.iter().any(tokio::task::JoinHandle::is_finished)
        && started.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    fake.go_on.notify_one();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let (won, lost): (Vec<_>, Vec<_>) = results.into_iter().partition(|(_, r)| r.is_ok());
    assert_eq!((won.len(), lost.len()), (1, 1), "{won:?} {lost:?}");
    assert_eq!(won[0].0, PIECES.concat());
    let Err(AiError::Refused(message)) = &lost[0].1 else {
        panic!("{lost:?}")
    };
    assert!(
        message.contains("needs up to 5 AI credits and the blog has 0"),
        "{message}"
    );
    assert_eq!(
        balance(&blog.storage, &blog.tenant).await,
        2,
        "5 held, 3 spent"
    );
    assert_eq!(fake.seen.lock().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn two_requests_race_for_the_last_credits_on_sqlite() {
    two_requests_race_for_the_last_credits(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_requests_race_for_the_last_credits_on_postgres() {
    two_requests_race_for_the_last_credits(Backend::Postgres).await;
}

/// A server that does not bill lets its blogs use its AI freely (no ledger); one with
/// no operator key offers none, and says so.
#[tokio::test]
async fn unmetered_without_billing_and_absent_without_a_key() {
    let (fake_url, _fake) = fake_provider().await;
    let server = TestServer::start_with(Backend::Sqlite, |s| managed(s, &fake_url)).await;
    let blog = BlogOwner::register(&server.base, &server.db, "cy@example.com", "cy-ai").await;
    let (text, result) = ask(&pint(&server, &blog), &blog.token, &prompt("Hi. ok", 500)).await;
    assert_eq!(text, PIECES.concat());
    assert!(result.is_ok());
    assert!(reasons(&blog.storage, &blog.tenant).await.is_empty());
    server.stop().await;

    let server = TestServer::start(Backend::Sqlite).await;
    let blog = BlogOwner::register(&server.base, &server.db, "di@example.com", "di-ai").await;
    let (status, plan) = blog
        .api
        .get(
            &format!("/v1/tenants/{}/plan", blog.tenant),
            Some(&blog.token),
        )
        .await;
    assert_eq!((status, &plan["managedAi"]), (200, &json!(false)));
    let result = ask(&pint(&server, &blog), &blog.token, &prompt("Hi. ok", 500))
        .await
        .1;
    let Err(AiError::Refused(message)) = result else {
        panic!("{result:?}")
    };
    assert!(message.contains("no AI of its own"), "{message}");
    server.stop().await;
}
