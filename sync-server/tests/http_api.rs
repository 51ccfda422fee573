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
    // An address that exists, with a method it does not take: 405, the methods it does
    // take in `Allow` (read from the OpenAPI document), in the error shape.
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/healthz".to_owned(), "GET"),
        (reqwest::Method::PUT, "/v1/auth/login".to_owned(), "POST"),
        (
            reqwest::Method::PATCH,
            "/v1/tenants/0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b/documents".to_owned(),
            "POST",
        ),
        (reqwest::Method::POST, "/metrics".to_owned(), "GET"),
    ] {
        let resp = client
            .request(method.clone(), server.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{method} {path}");
        assert_eq!(
            resp.headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_owned()),
            Some(allow.to_owned()),
            "{method} {path}"
        );
        assert_error_shape(&json(resp).await, "METHOD_NOT_ALLOWED");
    }
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

/// Every `$ref` in `value` names a schema that `components` defines.
fn refs_resolve(value: &Value, components: &Value, missing: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let name = r.trim_start_matches("#/components/schemas/");
                if components["schemas"].get(name).is_none() {
                    missing.push(r.clone());
                }
            }
            for v in map.values() {
                refs_resolve(v, components, missing);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| refs_resolve(v, components, missing)),
        _ => {}
    }
}

/// The served OpenAPI document is well formed (every operation answers something, every
/// reference resolves, every path parameter is declared), and every operation it lists
/// is routed: called without credentials or body, none answers "nothing at this address".
#[tokio::test]
async fn the_openapi_document_is_valid_and_matches_the_routes() {
    let server = TestServer::start(Backend::Sqlite).await;
    let client = http();
    let spec: Value = json(
        client
            .get(server.url("/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let mut missing = Vec::new();
    refs_resolve(&spec["paths"], &spec["components"], &mut missing);
    assert!(missing.is_empty(), "unresolved references: {missing:?}");
    let paths = spec["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .filter_map(|p| p["name"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            let mut concrete = path.clone();
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    declared.contains(&name),
                    "{method} {path}: {name} not declared"
                );
                concrete = concrete.replace(segment, "0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b");
            }
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = client
                .request(method.clone(), server.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let body = resp.text().await.unwrap();
            assert!(
                !(status == 404 && body.contains("nothing at this address")) && status != 405,
                "{method} {path} is documented but not routed: {status} {body}"
            );
            assert!(status.as_u16() < 500, "{method} {path}: {status} {body}");
        }
    }
    assert!(operations >= 30, "{operations} operations documented");
    server.stop().await;
}

/// `/metrics` speaks Prometheus: request counts by route (ids folded), latency, process.
#[tokio::test]
async fn metrics_are_exported_for_prometheus() {
    let server = TestServer::start(Backend::Sqlite).await;
    let client = http();
    for _ in 0..3 {
        client.get(server.url("/healthz")).send().await.unwrap();
    }
    client
        .get(server.url("/v1/tenants/0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b"))
        .send()
        .await
        .unwrap();
    client
        .get(server.url("/no/such/route/12345"))
        .send()
        .await
        .unwrap();
    let resp = client.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = resp.text().await.unwrap();
    assert!(
        text.contains(r#"pint_http_requests_total{method="GET",route="/healthz",status="200"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/v1/tenants/:id",status="401""#),
        "{text}"
    );
    assert!(text.contains(r#"route="(unmatched)""#), "{text}");
    assert!(!text.contains("12345"), "no label from a client's path");
    assert!(
        text.contains("pint_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains("pint_process_resident_memory_bytes"),
        "{text}"
    );
    server.stop().await;
}
