//! The HTTP surface as a client sees it, on both backends: health, readiness, the
//! OpenAPI document, and the one error shape for bad requests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{Backend, TestServer, http};
use serde_json::Value;

async fn json(resp: reqwest::Response) -> Value {
    resp.json().await.expect("JSON body")
}

fn assert_error_shape(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["error"].get("details").is_some(), "{body}");
    assert!(
        body["meta"]["requestId"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

async fn health_readiness_and_openapi(backend: Backend, name: &str) {
    let server = TestServer::start(backend).await;
    let client = http();

    let resp = client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["status"], "ok");

    let resp = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    let info = json(client.get(server.url("/v1/server")).send().await.unwrap()).await;
    assert_eq!(info["backend"], name);

    let spec = json(
        client
            .get(server.url("/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/healthz", "/readyz", "/v1/server"] {
        assert!(
            spec["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn health_readiness_and_openapi_on_sqlite() {
    health_readiness_and_openapi(Backend::Sqlite, "sqlite").await;
}

#[tokio::test]
async fn health_readiness_and_openapi_on_postgres() {
    health_readiness_and_openapi(Backend::Postgres, "postgres").await;
}

#[tokio::test]
async fn unknown_routes_answer_not_found_in_the_error_shape() {
    let server = TestServer::start(Backend::Sqlite).await;
    let client = http();
    for path in ["/nope", "/v1/does/not/exist", "/v1/openapi.json/x"] {
        let resp = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body = json(resp).await;
        assert_error_shape(&body, "NOT_FOUND");
        assert_eq!(body["meta"]["requestId"], id.as_str());
    }
    let resp = client.delete(server.url("/healthz")).send().await.unwrap();
    assert_error_shape(&json(resp).await, "NOT_FOUND");
}

#[tokio::test]
async fn bodies_over_the_limit_answer_payload_too_large_declared_or_streamed() {
    let server = TestServer::start(Backend::Sqlite).await;
    let client = http();
    let big = vec![b'x'; 64 * 1024 + 1];

    let resp = client
        .post(server.url("/v1/server"))
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert_error_shape(&json(resp).await, "PAYLOAD_TOO_LARGE");

    // No Content-Length: the body streams in chunks and is cut off at the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(4096).map(|c| Ok(c.to_vec())).collect();
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let resp = client
        .post(server.url("/v1/server"))
        .body(stream)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert_error_shape(&json(resp).await, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn a_client_request_id_is_echoed_only_when_well_formed() {
    let server = TestServer::start(Backend::Sqlite).await;
    let client = http();
    let resp = client
        .get(server.url("/nope"))
        .header("x-request-id", "trace-abc_123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-abc_123");
    assert_eq!(json(resp).await["meta"]["requestId"], "trace-abc_123");

    let resp = client
        .get(server.url("/nope"))
        .header("x-request-id", "<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(resp.headers()["x-request-id"], "<script>");
}
