//! "Review with AI", "Draft with AI" and "Rewrite selection" against local fake
//! providers that stream as the real ones do:
//! OpenAI's chat completion chunks (`data:` lines, usage in a last chunk, `[DONE]`),
//! Anthropic's message events (a forced tool call whose input streams as
//! `input_json_delta`), OpenRouter's keep-alive comments and its errors mid-stream; and
//! refusals (401, 429 with `retry-after`, 500), a stream cut in the middle, a slow first
//! byte, a cancelled request. Production code reaches them only through the provider's
//! configured address.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pint_client::ai::review::{self, ReviewRequest, ReviewUpdate, Suggestion, TextRange};
use pint_client::ai::stream::{Limits, Usage};
use pint_client::ai::write::{self, DraftBrief, Length, Rewrite};
use pint_client::ai::{AiError, Provider, ProviderConfig};
use poem::http::{HeaderMap, StatusCode};
use poem::web::{Data, Json};
use poem::{Body, EndpointExt, IntoResponse, Response, Route, handler, post};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

const TEXT: &str = "# Trip notes\n\nWe was going to the the market early. In order to see \
the boats, we walked “very  quickly” to the harbour.\n\n```\nlet x = 1;\n```\n";

/// What the model answers: three suggestions Pint finds in the text (the third quoted
/// with straight quotes and one space where the text has curly ones and two), and one
/// quoting a sentence that is not there.
fn answer() -> String {
    json!({"suggestions": [
        {"type": "grammar", "severity": "major", "original": "We was going",
         "suggestion": "We were going", "explanation": "“We” takes “were”."},
        {"type": "style", "severity": "minor", "original": "In order to see the boats",
         "suggestion": "To see the boats", "explanation": "Shorter."},
        {"type": "clarity", "severity": "moderate", "original": "we walked \"very quickly\"",
         "suggestion": "we hurried", "explanation": "One strong verb."},
        {"type": "tone", "severity": "minor", "original": "The weather was lovely.",
         "suggestion": "It was sunny.", "explanation": "Concrete."},
    ]})
    .to_string()
}

/// What the model writes when asked for prose (a draft, a rewrite).
const PROSE: &str =
    "# Dawn at the harbour\n\nWe were there **early**, when the boats came in. 🍺\n";

/// The fake's shared state: a gate the test opens once the first suggestion is in (so a
/// review that did not stream would never see the rest), and whether a stream was
/// dropped by the client.
#[derive(Default)]
struct Fake {
    go_on: Notify,
    dropped: AtomicBool,
}

type Tx = mpsc::Sender<Result<Vec<u8>, std::io::Error>>;

/// A `text/event-stream` response written by `script`.
fn sse<F>(script: impl FnOnce(Tx) -> F) -> Response
where
    F: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(script(tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Response::builder()
        .content_type("text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_bytes_stream(stream))
}

async fn send(tx: &Tx, fake: &Fake, text: String) -> bool {
    let ok = tx.send(Ok(text.into_bytes())).await.is_ok();
    if !ok {
        fake.dropped.store(true, Ordering::SeqCst);
    }
    ok
}

/// The answer in pieces of a few characters, split after the first suggestion.
fn pieces() -> (Vec<String>, Vec<String>) {
    let answer = answer();
    let first_end = answer.find("},").unwrap() + 1;
    let cut = |s: &str| {
        let chars: Vec<char> = s.chars().collect();
        chars
            .chunks(7)
            .map(|c| c.iter().collect())
            .collect::<Vec<String>>()
    };
    (cut(&answer[..first_end]), cut(&answer[first_end..]))
}

fn chunk(content: &str) -> String {
    let c = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
        "model": "gpt-4.1-mini", "choices": [{"index": 0, "delta": {"content": content},
        "logprobs": null, "finish_reason": null}]});
    format!("data: {c}\n\n")
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim_start_matches("Bearer ")
        .to_owned()
}

/// OpenAI's chat completions (OpenRouter's too, with `keep_alive`).
async fn openai_like(
    headers: &HeaderMap,
    body: Value,
    fake: Arc<Fake>,
    keep_alive: bool,
) -> Response {
    let key = bearer(headers);
    if body["response_format"].is_null() {
        return prose_openai(&body, &key, fake);
    }
    let asked_right = body["stream"] == true
        && body["stream_options"]["include_usage"] == true
        && body["response_format"]["type"] == "json_schema"
        && body["response_format"]["json_schema"]["strict"] == true
        && body["messages"][1]["content"]
            .as_str()
            .is_some_and(|c| c.contains("We was going"));
    if !asked_right {
        return Json(json!({"error": {"message": "bad request", "type": "invalid_request_error"}}))
            .with_status(StatusCode::BAD_REQUEST)
            .into_response();
    }
    match key.as_str() {
        "sk-wrong" => {
            return Json(json!({"error": {"message": "Incorrect API key provided",
                "type": "invalid_request_error", "code": "invalid_api_key"}}))
            .with_status(StatusCode::UNAUTHORIZED)
            .into_response();
        }
        "sk-busy" => {
            return Json(
                json!({"error": {"message": "Rate limit reached", "type": "requests",
                "code": "rate_limit_exceeded"}}),
            )
            .with_status(StatusCode::TOO_MANY_REQUESTS)
            .with_header("retry-after", "20")
            .into_response();
        }
        "sk-down" => {
            return Json(
                json!({"error": {"message": "The server had an error", "type": "server_error"}}),
            )
            .with_status(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response();
        }
        "sk-slow" => tokio::time::sleep(Duration::from_secs(3)).await,
        _ => {}
    }
    sse(move |tx| async move {
        let ping = async || {
            if keep_alive {
                send(&tx, &fake, ": OPENROUTER PROCESSING\n\n".into()).await;
            }
        };
        ping().await;
        let role = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]});
        send(&tx, &fake, format!("data: {role}\n\n")).await;
        let (first, rest) = pieces();
        for p in &first {
            send(&tx, &fake, chunk(p)).await;
        }
        ping().await;
        match key.as_str() {
            "sk-cut" => return,
            "sk-abort" => {
                let _ = tx
                    .send(Err(std::io::Error::other("connection reset")))
                    .await;
                return;
            }
            "sk-hang" => {
                // Keeps the connection open, a keep-alive every 50 ms, until the client
                // goes (bounded: 10 s).
                for _ in 0..200 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if !send(&tx, &fake, ": keep-alive\n\n".into()).await {
                        return;
                    }
                }
                return;
            }
            "or-broke" => {
                let e = json!({"id": "gen-1", "object": "chat.completion.chunk",
                    "error": {"code": 502, "message": "Provider returned error"},
                    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]});
                send(&tx, &fake, format!("data: {e}\n\n")).await;
                return;
            }
            _ => {}
        }
        // The rest only once the client showed the first suggestion.
        let _ = tokio::time::timeout(Duration::from_secs(10), fake.go_on.notified()).await;
        if key == "sk-garbled" {
            send(&tx, &fake, chunk(r#"{"type": "style", "severity": "minor", "original": "to the the market", "suggestion": "to the market", "explanation": "A repeated word."} ]} and then some"#)).await;
        } else {
            for p in &rest {
                send(&tx, &fake, chunk(p)).await;
                ping().await;
            }
        }
        let reason = if key == "sk-long" { "length" } else { "stop" };
        let done = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]});
        send(&tx, &fake, format!("data: {done}\n\n")).await;
        let usage = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": [],
            "usage": {"prompt_tokens": 412, "completion_tokens": 187, "total_tokens": 599}});
        send(&tx, &fake, format!("data: {usage}\n\n")).await;
        send(&tx, &fake, "data: [DONE]\n\n".into()).await;
    })
}

/// Prose, streamed as chat completion chunks (the user's message must carry the ask).
fn prose_openai(body: &Value, key: &str, fake: Arc<Fake>) -> Response {
    let user = body["messages"][1]["content"].as_str().unwrap_or("");
    if body["stream"] != true || !(user.contains("harbour") || user.contains("The passage:")) {
        return Json(json!({"error": {"message": "bad request", "type": "invalid_request_error"}}))
            .with_status(StatusCode::BAD_REQUEST)
            .into_response();
    }
    let reason = if key == "sk-long" { "length" } else { "stop" };
    sse(move |tx| async move {
        let chars: Vec<char> = PROSE.chars().collect();
        for piece in chars.chunks(5) {
            send(&tx, &fake, chunk(&piece.iter().collect::<String>())).await;
        }
        let done = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]});
        send(&tx, &fake, format!("data: {done}\n\n")).await;
        let usage = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": [],
            "usage": {"prompt_tokens": 90, "completion_tokens": 30, "total_tokens": 120}});
        send(&tx, &fake, format!("data: {usage}\n\n")).await;
        send(&tx, &fake, "data: [DONE]\n\n".into()).await;
    })
}

#[handler]
async fn openai_endpoint(
    headers: &HeaderMap,
    Json(body): Json<Value>,
    fake: Data<&Arc<Fake>>,
) -> Response {
    openai_like(headers, body, fake.0.clone(), false).await
}

#[handler]
async fn openrouter_endpoint(
    headers: &HeaderMap,
    Json(body): Json<Value>,
    fake: Data<&Arc<Fake>>,
) -> Response {
    openai_like(headers, body, fake.0.clone(), true).await
}

/// Anthropic's messages: the answer as the input of the one tool it was made to call.
#[handler]
async fn anthropic_endpoint(
    headers: &HeaderMap,
    Json(body): Json<Value>,
    fake: Data<&Arc<Fake>>,
) -> Response {
    let key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if body["tools"].is_null() && key == "ak-good" && body["system"].is_string() {
        let fake = fake.0.clone();
        return sse(move |tx| async move {
            let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
            send(
                &tx,
                &fake,
                event(
                    "message_start",
                    json!({"type": "message_start", "message": {
                "id": "msg_2", "type": "message", "role": "assistant", "content": [],
                "model": "claude-sonnet-4-5", "usage": {"input_tokens": 95, "output_tokens": 1}}}),
                ),
            )
            .await;
            send(
                &tx,
                &fake,
                event(
                    "content_block_start",
                    json!({"type": "content_block_start", "index": 0,
                "content_block": {"type": "text", "text": ""}}),
                ),
            )
            .await;
            let chars: Vec<char> = PROSE.chars().collect();
            for piece in chars.chunks(4) {
                send(
                    &tx,
                    &fake,
                    event(
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": 0,
                    "delta": {"type": "text_delta", "text": piece.iter().collect::<String>()}}),
                    ),
                )
                .await;
                send(&tx, &fake, event("ping", json!({"type": "ping"}))).await;
            }
            send(
                &tx,
                &fake,
                event(
                    "content_block_stop",
                    json!({"type": "content_block_stop", "index": 0}),
                ),
            )
            .await;
            send(
                &tx,
                &fake,
                event(
                    "message_delta",
                    json!({"type": "message_delta",
                "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 31}}),
                ),
            )
            .await;
            send(
                &tx,
                &fake,
                event("message_stop", json!({"type": "message_stop"})),
            )
            .await;
        });
    }
    let asked_right = headers.get("anthropic-version").is_some()
        && body["stream"] == true
        && body["max_tokens"].as_u64().is_some()
        && body["tool_choice"]["name"] == "report_suggestions"
        && body["tools"][0]["input_schema"]["required"][0] == "suggestions";
    if !asked_right {
        return Json(json!({"type": "error", "error": {"type": "invalid_request_error", "message": "bad request"}}))
            .with_status(StatusCode::BAD_REQUEST)
            .into_response();
    }
    if key == "ak-wrong" {
        return Json(json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}))
            .with_status(StatusCode::UNAUTHORIZED)
            .into_response();
    }
    let key = key.to_owned();
    let fake = fake.0.clone();
    sse(move |tx| async move {
        let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
        send(
            &tx,
            &fake,
            event(
                "message_start",
                json!({"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "content": [],
            "model": "claude-sonnet-4-5", "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 530, "output_tokens": 1}}}),
            ),
        )
        .await;
        send(&tx, &fake, event("content_block_start", json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "report_suggestions", "input": {}}}))).await;
        send(&tx, &fake, event("ping", json!({"type": "ping"}))).await;
        let delta = |p: &str| {
            event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": p}}),
            )
        };
        let (first, rest) = pieces();
        for p in &first {
            send(&tx, &fake, delta(p)).await;
        }
        if key == "ak-overloaded" {
            send(
                &tx,
                &fake,
                event(
                    "error",
                    json!({"type": "error",
                "error": {"type": "overloaded_error", "message": "Overloaded"}}),
                ),
            )
            .await;
            return;
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), fake.go_on.notified()).await;
        for p in &rest {
            send(&tx, &fake, delta(p)).await;
        }
        send(
            &tx,
            &fake,
            event(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ),
        )
        .await;
        send(&tx, &fake, event("message_delta", json!({"type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": null}, "usage": {"output_tokens": 203}}))).await;
        send(
            &tx,
            &fake,
            event("message_stop", json!({"type": "message_stop"})),
        )
        .await;
    })
}

async fn fake_providers(fake: Arc<Fake>) -> String {
    let app = Route::new()
        .at("/openai/v1/chat/completions", post(openai_endpoint))
        .at(
            "/openrouter/api/v1/chat/completions",
            post(openrouter_endpoint),
        )
        .at("/anthropic/v1/messages", post(anthropic_endpoint))
        .data(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    tokio::spawn(poem::Server::new(poem::listener::TcpListener::bind(addr.to_string())).run(app));
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    format!("http://{addr}")
}

fn config(provider: Provider, base_url: String) -> ProviderConfig {
    ProviderConfig {
        id: "ai-test".into(),
        provider,
        label: provider.name().into(),
        base_url,
        model: provider.default_model().unwrap_or("local").into(),
        added_at: 0,
    }
}

fn utf16_at(text: &str, r: TextRange) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    String::from_utf16(&units[r.from as usize..r.to as usize]).unwrap()
}

/// Runs a review of all of `TEXT`, opening the fake's gate at the first suggestion.
async fn run(
    config: &ProviderConfig,
    key: &str,
    fake: &Fake,
    limits: Limits,
) -> (
    Result<review::ReviewDone, AiError>,
    Vec<Suggestion>,
    Vec<String>,
) {
    let request = ReviewRequest {
        text: TEXT.into(),
        part: None,
    };
    let (mut kept, mut dropped) = (Vec::new(), Vec::new());
    let done = review::review(config, key, &request, limits, |update| match update {
        ReviewUpdate::Suggestion(s) => {
            fake.go_on.notify_one();
            kept.push(s);
        }
        ReviewUpdate::Dropped(why) => dropped.push(why),
    })
    .await;
    (done, kept, dropped)
}

const LIMITS: Limits = Limits {
    wait: Duration::from_secs(5),
};

#[tokio::test]
async fn a_review_streams_in_from_each_provider_and_pint_places_each_suggestion_itself() {
    // Everything logged meanwhile, at every level and from every crate (HTTP included),
    // is kept: no key is in it.
    let logs = Logs::default();
    let writer = logs.clone();
    let _logging = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish(),
    );
    let fake = Arc::new(Fake::default());
    let base = fake_providers(fake.clone()).await;
    for (provider, base_url, key, usage) in [
        (
            Provider::OpenAi,
            format!("{base}/openai/v1"),
            "sk-good",
            (412, 187),
        ),
        (
            Provider::OpenRouter,
            format!("{base}/openrouter/api/v1"),
            "sk-good",
            (412, 187),
        ),
        (
            Provider::Anthropic,
            format!("{base}/anthropic/v1"),
            "ak-good",
            (530, 203),
        ),
    ] {
        let (done, kept, dropped) = run(&config(provider, base_url), key, &fake, LIMITS).await;
        let done = done.unwrap_or_else(|e| panic!("{provider:?}: {e}"));
        assert_eq!(
            done.usage,
            Usage {
                input_tokens: usage.0,
                output_tokens: usage.1
            },
            "{provider:?}"
        );
        assert_eq!((done.kept, done.dropped, done.note), (3, 1, None));
        let found: Vec<_> = kept.iter().map(|s| utf16_at(TEXT, s.range)).collect();
        assert_eq!(
            found,
            [
                "We was going",
                "In order to see the boats",
                "we walked “very  quickly”"
            ],
            "{provider:?}: positions found by Pint, tolerant of quotes and spaces"
        );
        assert_eq!(kept[2].found, "we walked “very  quickly”");
        assert_eq!(kept[0].suggestion, "We were going");
        assert_eq!(
            dropped,
            ["suggestion 4: “The weather was lovely.” is not in the text"]
        );
    }
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logged.len() > 100, "logging was on: {logged}");
    for secret in ["sk-good", "ak-good"] {
        assert!(!logged.contains(secret), "{secret} was logged");
    }
}

/// Everything logged, kept in memory.
#[derive(Clone, Default)]
struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn refusals_cut_streams_and_slow_answers_are_told_in_words_keeping_what_arrived() {
    let fake = Arc::new(Fake::default());
    let base = fake_providers(fake.clone()).await;
    let openai = config(Provider::OpenAi, format!("{base}/openai/v1"));

    let (e, ..) = run(&openai, "sk-wrong", &fake, LIMITS).await;
    assert_eq!(e.unwrap_err(), AiError::WrongKey { provider: "OpenAI" });
    let (e, ..) = run(&openai, "sk-busy", &fake, LIMITS).await;
    assert_eq!(
        e.unwrap_err().to_string(),
        "OpenAI is limiting requests: try again in 20 seconds"
    );
    let (e, ..) = run(&openai, "sk-down", &fake, LIMITS).await;
    assert_eq!(
        e.unwrap_err().to_string(),
        "OpenAI answered with an error (500): The server had an error"
    );
    for key in ["sk-cut", "sk-abort"] {
        let (e, kept, _) = run(&openai, key, &fake, LIMITS).await;
        assert_eq!(e.unwrap_err(), AiError::Cut { provider: "OpenAI" }, "{key}");
        assert_eq!(kept.len(), 1, "{key}: the suggestion that arrived stands");
    }
    let quick = Limits {
        wait: Duration::from_millis(300),
    };
    let (e, ..) = run(&openai, "sk-slow", &fake, quick).await;
    assert_eq!(e.unwrap_err(), AiError::Timeout { provider: "OpenAI" });

    let openrouter = config(Provider::OpenRouter, format!("{base}/openrouter/api/v1"));
    let (e, kept, _) = run(&openrouter, "or-broke", &fake, LIMITS).await;
    assert_eq!(
        e.unwrap_err().to_string(),
        "OpenRouter answered with an error (502): Provider returned error"
    );
    assert_eq!(kept.len(), 1);

    let anthropic = config(Provider::Anthropic, format!("{base}/anthropic/v1"));
    let (e, ..) = run(&anthropic, "ak-wrong", &fake, LIMITS).await;
    assert_eq!(
        e.unwrap_err(),
        AiError::WrongKey {
            provider: "Anthropic"
        }
    );
    let (e, kept, _) = run(&anthropic, "ak-overloaded", &fake, LIMITS).await;
    assert_eq!(
        e.unwrap_err().to_string(),
        "Anthropic answered with an error (529): Overloaded"
    );
    assert_eq!(kept.len(), 1);

    let nowhere = config(Provider::OpenAi, "http://127.0.0.1:9/v1".into());
    let (e, ..) = run(&nowhere, "sk-good", &fake, LIMITS).await;
    assert_eq!(e.unwrap_err(), AiError::NoNetwork { provider: "OpenAI" });
}

#[tokio::test]
async fn a_malformed_answer_keeps_what_was_valid_and_says_what_was_not() {
    let fake = Arc::new(Fake::default());
    let base = fake_providers(fake.clone()).await;
    let openai = config(Provider::OpenAi, format!("{base}/openai/v1"));
    let (done, kept, _) = run(&openai, "sk-garbled", &fake, LIMITS).await;
    let done = done.unwrap();
    assert_eq!(kept.len(), 2, "the first and the one after it");
    assert_eq!(utf16_at(TEXT, kept[1].range), "to the the market");
    assert_eq!(
        done.note.as_deref(),
        Some("the answer was not valid JSON after its first 2 suggestions; those are kept")
    );
    let (done, ..) = run(&openai, "sk-long", &fake, LIMITS).await;
    assert!(done.unwrap().note.unwrap().contains("length limit"));

    // The creator's side is checked too: a part outside the text, or nothing to review.
    let outside = ReviewRequest {
        text: "short".into(),
        part: Some(TextRange { from: 2, to: 50 }),
    };
    let e = review::review(&openai, "sk-good", &outside, LIMITS, |_| {}).await;
    assert!(matches!(e, Err(AiError::Invalid(_))));
    let blank = ReviewRequest {
        text: " \n ".into(),
        part: None,
    };
    let e = review::review(&openai, "sk-good", &blank, LIMITS, |_| {}).await;
    assert_eq!(e.unwrap_err().to_string(), "there is no text to review");
}

#[tokio::test]
async fn cancelling_a_review_closes_the_connection_at_once() {
    let fake = Arc::new(Fake::default());
    let base = fake_providers(fake.clone()).await;
    let openai = config(Provider::OpenAi, format!("{base}/openai/v1"));
    let (first_tx, mut first_rx) = mpsc::channel(4);
    let task = tokio::spawn(async move {
        let request = ReviewRequest {
            text: TEXT.into(),
            part: None,
        };
        review::review(&openai, "sk-hang", &request, LIMITS, |update| {
            if let ReviewUpdate::Suggestion(s) = update {
                let _ = first_tx.try_send(s);
            }
        })
        .await
    });
    let first = tokio::time::timeout(Duration::from_secs(5), first_rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.found, "We was going");
    assert!(!fake.dropped.load(Ordering::SeqCst));
    task.abort();
    // The provider sees the connection go within its next keep-alive or so (bounded).
    let mut seen = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        if fake.dropped.load(Ordering::SeqCst) {
            seen = true;
            break;
        }
    }
    assert!(seen, "the provider still streams to a cancelled review");
}

#[tokio::test]
async fn a_draft_and_a_rewrite_stream_back_as_text_from_each_provider() {
    let fake = Arc::new(Fake::default());
    let base = fake_providers(fake.clone()).await;
    let brief = DraftBrief {
        topic: "Dawn at the harbour, when the fishing boats come in".into(),
        tone: "warm".into(),
        language: "English".into(),
        length: Length::Short,
    };
    for (provider, base_url, key, usage) in [
        (
            Provider::OpenAi,
            format!("{base}/openai/v1"),
            "sk-good",
            (90, 30),
        ),
        (
            Provider::Anthropic,
            format!("{base}/anthropic/v1"),
            "ak-good",
            (95, 31),
        ),
    ] {
        let config = config(provider, base_url);
        let mut text = String::new();
        let mut pieces = 0;
        let prompt = write::draft_prompt(&brief).unwrap();
        let done = write::write(&config, key, &prompt, LIMITS, |p| {
            text.push_str(p);
            pieces += 1;
        })
        .await
        .unwrap_or_else(|e| panic!("{provider:?}: {e}"));
        assert_eq!(text, PROSE, "{provider:?}");
        assert!(pieces > 5, "{provider:?}: streamed in pieces");
        assert_eq!(
            (done.usage.input_tokens, done.usage.output_tokens, done.note),
            (usage.0, usage.1, None)
        );

        let prompt = write::rewrite_prompt("We was there early.", &Rewrite::Clearer).unwrap();
        let mut rewritten = String::new();
        write::write(&config, key, &prompt, LIMITS, |p| rewritten.push_str(p))
            .await
            .unwrap();
        assert_eq!(rewritten, PROSE);
    }
    let openai = config(Provider::OpenAi, format!("{base}/openai/v1"));
    let prompt = write::draft_prompt(&brief).unwrap();
    let done = write::write(&openai, "sk-long", &prompt, LIMITS, |_| {})
        .await
        .unwrap();
    assert!(done.note.unwrap().contains("length limit"));
}
