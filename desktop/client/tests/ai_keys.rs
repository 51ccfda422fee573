//! The creator's own AI keys, end to end on this side: added (the key to the real OS
//! keychain, a gnome-keyring in a D-Bus session under scripts/test; nothing of it in the
//! database or the data folder), tested with one small request against local fake
//! providers that answer as OpenAI and Anthropic do (paths, headers, JSON bodies, status
//! codes, `retry-after`), refused in words naming the provider, and removed. Everything
//! logged meanwhile, at every level and from every crate (HTTP included), is kept and
//! searched: no key is in it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::time::Duration;

use pint_client::Engine;
use pint_client::ai::keys::{self, NewProvider};
use pint_client::ai::probe::test_key;
use pint_client::ai::{AiError, Provider};
use pint_client::keychain::Keychain;
use poem::http::StatusCode;
use poem::web::Json;
use poem::{IntoResponse, Request, Response, Route, get, handler};
use serde_json::json;

#[handler]
fn openai_models(req: &Request) -> Response {
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match auth {
        "Bearer sk-good" => Json(json!({
            "object": "list",
            "data": [
                {"id": "gpt-4o-mini", "object": "model", "created": 1, "owned_by": "system"},
                {"id": "gpt-4o", "object": "model", "created": 1, "owned_by": "system"},
            ]
        }))
        .into_response(),
        "Bearer sk-busy" => Json(json!({"error": {
            "message": "Rate limit reached for requests", "type": "requests",
            "param": null, "code": "rate_limit_exceeded"}}))
        .with_status(StatusCode::TOO_MANY_REQUESTS)
        .with_header("retry-after", "7")
        .into_response(),
        _ => Json(json!({"error": {
            "message": "Incorrect API key provided: sk-wr***ng.", "type": "invalid_request_error",
            "param": null, "code": "invalid_api_key"}}))
        .with_status(StatusCode::UNAUTHORIZED)
        .into_response(),
    }
}

#[handler]
fn anthropic_models(req: &Request) -> Response {
    let key = req.headers().get("x-api-key").and_then(|v| v.to_str().ok());
    let version = req.headers().get("anthropic-version").is_some();
    if key == Some("ak-good") && version {
        Json(json!({
            "data": [{"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5",
                      "created_at": "2025-09-29T00:00:00Z"}],
            "has_more": false, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"
        }))
        .into_response()
    } else {
        Json(json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}))
            .with_status(StatusCode::UNAUTHORIZED)
            .into_response()
    }
}

#[handler]
async fn slow() -> Response {
    tokio::time::sleep(Duration::from_secs(5)).await;
    Json(json!({"data": []})).into_response()
}

async fn fake_providers() -> String {
    let app = Route::new()
        .at("/v1/models", get(openai_models))
        .at("/anthropic/v1/models", get(anthropic_models))
        .at("/slow/v1/models", get(slow));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let acceptor = poem::listener::TcpListener::bind(addr.to_string());
    tokio::spawn(poem::Server::new(acceptor).run(app));
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    format!("http://{addr}")
}

fn files_holding(dir: &std::path::Path, secret: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_holding(&path, secret));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
        {
            found.push(path.display().to_string());
        }
    }
    found
}

/// Everything logged, kept in memory.
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

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
async fn keys_live_in_the_keychain_are_tested_against_the_provider_and_refusals_say_why() {
    let logs = Logs::default();
    let writer = logs.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();
    let base = fake_providers().await;
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(dir.path()).unwrap();
    let keychain = Keychain::os().expect(
        "the OS keychain: run under scripts/test, which starts gnome-keyring in a D-Bus session",
    );

    // A local OpenAI-compatible server and Anthropic, each with its key.
    let local = keys::add(
        &mut engine,
        &keychain,
        &NewProvider {
            provider: Provider::Compatible,
            label: "Model server on this machine".into(),
            base_url: format!("{base}/v1/"),
            model: "llama3.1:8b".into(),
            key: " sk-good ".into(),
        },
    )
    .unwrap();
    assert_eq!(local.base_url, format!("{base}/v1"));
    let claude = keys::add(
        &mut engine,
        &keychain,
        &NewProvider {
            provider: Provider::Anthropic,
            label: String::new(),
            base_url: format!("{base}/anthropic/v1"),
            model: String::new(),
            key: "ak-good".into(),
        },
    )
    .unwrap();
    assert_eq!(claude.label, "Anthropic");
    assert_eq!(
        claude.model, "claude-sonnet-4-5",
        "the provider's usual model"
    );
    assert_eq!(local.model, "llama3.1:8b");
    assert_eq!(
        engine.ai_providers().unwrap(),
        [local.clone(), claude.clone()]
    );

    // The keys are in the keychain, read back by another handle, and nowhere on disk.
    let again = Keychain::os().unwrap();
    assert_eq!(again.ai_key(&local.id).unwrap().as_deref(), Some("sk-good"));
    for secret in ["sk-good", "ak-good"] {
        assert_eq!(files_holding(dir.path(), secret), Vec::<String>::new());
    }

    // Tested with one small request each.
    let (config, key) = keys::with_key(&engine, &keychain, &local.id).unwrap();
    let works = test_key(&config, &key, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(works.detail, "the key works; 2 models available");
    let (config, key) = keys::with_key(&engine, &keychain, &claude.id).unwrap();
    let works = test_key(&config, &key, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(works.detail, "the key works; 1 model available");

    // Refusals, in words, the provider named.
    let wrong = test_key(&claude, "ak-wrong", Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(
        wrong,
        AiError::WrongKey {
            provider: "Anthropic"
        }
    );
    let openai = pint_client::ai::ProviderConfig {
        provider: Provider::OpenAi,
        ..local.clone()
    };
    let busy = test_key(&openai, "sk-busy", Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(
        busy.to_string(),
        "OpenAI is limiting requests: try again in 7 seconds"
    );
    let sluggish = pint_client::ai::ProviderConfig {
        base_url: format!("{base}/slow/v1"),
        ..local.clone()
    };
    let late = test_key(&sluggish, "sk-good", Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(late, AiError::Timeout { .. }), "{late:?}");
    let gone = pint_client::ai::ProviderConfig {
        base_url: "http://127.0.0.1:9/v1".into(),
        ..local.clone()
    };
    let offline = test_key(&gone, "sk-good", Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(matches!(offline, AiError::NoNetwork { .. }), "{offline:?}");

    // Bad input: refused, nothing kept.
    for (bad, why) in [
        (Provider::Compatible, ""),
        (Provider::OpenAi, "ftp://example.com"),
        (Provider::OpenAi, "https://user:pw@example.com/v1"),
    ] {
        let refused = keys::add(
            &mut engine,
            &keychain,
            &NewProvider {
                provider: bad,
                label: String::new(),
                base_url: why.into(),
                model: "m".into(),
                key: "sk-x".into(),
            },
        );
        assert!(
            matches!(refused, Err(AiError::Invalid(_))),
            "{why}: {refused:?}"
        );
    }
    let spaced = keys::add(
        &mut engine,
        &keychain,
        &NewProvider {
            provider: Provider::OpenAi,
            label: String::new(),
            base_url: String::new(),
            model: String::new(),
            key: "sk two parts".into(),
        },
    );
    assert!(matches!(spaced, Err(AiError::Invalid(_))));
    for model in ["", "two words"] {
        let unnamed = keys::add(
            &mut engine,
            &keychain,
            &NewProvider {
                provider: Provider::Compatible,
                label: String::new(),
                base_url: format!("{base}/v1"),
                model: model.into(),
                key: "sk-x".into(),
            },
        );
        assert!(matches!(unnamed, Err(AiError::Invalid(_))), "{model:?}");
    }
    assert_eq!(engine.ai_providers().unwrap().len(), 2);

    // Removed: gone from the list and the keychain.
    keys::remove(&mut engine, &keychain, &local.id).unwrap();
    keys::remove(&mut engine, &keychain, &claude.id).unwrap();
    assert_eq!(engine.ai_providers().unwrap(), []);
    assert_eq!(again.ai_key(&local.id).unwrap(), None);
    assert_eq!(again.ai_key(&claude.id).unwrap(), None);

    // Nothing logged holds a key, though requests with each went out and came back.
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logged.len() > 100, "logging was on: {logged}");
    for secret in ["sk-good", "ak-good", "ak-wrong", "sk-busy"] {
        assert!(!logged.contains(secret), "{secret} was logged");
    }
}
