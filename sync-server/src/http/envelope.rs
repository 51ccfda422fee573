//! The middleware every request passes through: a request id (taken from a well-formed
//! `x-request-id` or made), a tracing span, the body size limit, a JSON body checked
//! against its operation's schema (`contract`), panics caught, and every error turned
//! into the one JSON shape by `error::to_response`.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use pint_model::ErrorCode;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tracing::Instrument;

use super::contract::RequestBodies;
use super::error::{ApiError, to_response};

const REQUEST_ID: &str = "x-request-id";

/// The request id of the current request, for handlers that log or answer with it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

#[derive(Debug, Clone)]
pub struct Envelope {
    pub max_body_bytes: usize,
    /// For the one route that takes large bodies: uploading a media variant.
    pub max_upload_bytes: usize,
    /// For the `Allow` header of a 405.
    pub allowed: std::sync::Arc<super::allow::AllowedMethods>,
    /// The schemas JSON bodies are checked against.
    pub bodies: std::sync::Arc<RequestBodies>,
}

impl<E: Endpoint> Middleware<E> for Envelope {
    type Output = EnvelopeEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        EnvelopeEndpoint {
            inner,
            max_body_bytes: self.max_body_bytes,
            max_upload_bytes: self.max_upload_bytes,
            allowed: std::sync::Arc::clone(&self.allowed),
            bodies: std::sync::Arc::clone(&self.bodies),
        }
    }
}

#[derive(Debug)]
pub struct EnvelopeEndpoint<E> {
    inner: E,
    max_body_bytes: usize,
    max_upload_bytes: usize,
    allowed: std::sync::Arc<super::allow::AllowedMethods>,
    bodies: std::sync::Arc<RequestBodies>,
}

impl<E: Endpoint> Endpoint for EnvelopeEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let request_id = req
            .header(REQUEST_ID)
            .filter(|id| is_well_formed(id))
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        req.extensions_mut().insert(RequestId(request_id.clone()));
        let started = std::time::Instant::now();
        let (method, path) = (req.method().to_string(), req.uri().path().to_owned());
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %req.method(),
            path = %req.uri().path(),
        );
        async move {
            let limit = if is_upload(req.method(), req.uri().path()) {
                self.max_upload_bytes
            } else {
                self.max_body_bytes
            };
            let checked = match limit_body(req, limit).await {
                Ok(req) => check_body(req, &self.bodies, self.max_body_bytes).await,
                Err(e) => Err(e),
            };
            let result = match checked {
                Ok(req) => match AssertUnwindSafe(self.inner.call(req)).catch_unwind().await {
                    Ok(result) => result.map(IntoResponse::into_response),
                    Err(_) => {
                        tracing::error!("handler panicked");
                        Err(ApiError::internal().into())
                    }
                },
                Err(e) => Err(e),
            };
            let mut resp = match result {
                Ok(resp) => resp,
                Err(err) => to_response(&err, &request_id),
            };
            if resp.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED
                && let Some(allow) = self.allowed.allow_header(&path)
                && let Ok(value) = HeaderValue::from_str(&allow)
            {
                resp.headers_mut().insert(poem::http::header::ALLOW, value);
            }
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                resp.headers_mut().insert(REQUEST_ID, value);
            }
            tracing::info!(status = resp.status().as_u16(), "answered");
            super::metrics::observe(&method, &path, resp.status(), started.elapsed());
            Ok(resp)
        }
        .instrument(span)
        .await
    }
}

/// A request id from a client is kept only when it is short and plain.
fn is_well_formed(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Refuse bodies over the limit: at once when the declared length is too large, and
/// while reading when the length is not declared. The body is never read past the limit.
/// Uploading a media variant: `PUT /v1/tenants/{id}/media/{mediaId}/variants/{name}`.
fn is_upload(method: &poem::http::Method, path: &str) -> bool {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    method == poem::http::Method::PUT
        && matches!(
            parts.as_slice(),
            ["v1", "tenants", _, "media", _, "variants", _]
        )
}

async fn limit_body(mut req: Request, max: usize) -> Result<Request> {
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the request body is larger than the {max} bytes this server accepts"),
        )
        .with_details(serde_json::json!({"limitBytes": max}))
    };
    let declared = req.header(header::CONTENT_LENGTH).map(|v| v.parse::<u64>());
    match declared {
        Some(Ok(len)) if len > max as u64 => return Err(too_large().into()),
        Some(Ok(_)) => return Ok(req),
        Some(Err(_)) => {
            return Err(ApiError::new(
                ErrorCode::ValidationError,
                "Content-Length is not a number",
            )
            .into());
        }
        None if req.header(header::TRANSFER_ENCODING).is_none() => return Ok(req),
        None => {}
    }
    let body = req.take_body();
    match body.into_bytes_limit(max).await {
        Ok(bytes) => {
            req.set_body(bytes);
            Ok(req)
        }
        Err(poem::error::ReadBodyError::PayloadTooLarge) => Err(too_large().into()),
        Err(e) => Err(ApiError::new(ErrorCode::ValidationError, e.to_string()).into()),
    }
}

/// A JSON body for an operation that takes one is read (within the limit) and checked
/// against the operation's schema; the handler then reads the same bytes.
async fn check_body(mut req: Request, bodies: &RequestBodies, max: usize) -> Result<Request> {
    let is_json = req.content_type().is_some_and(|t| {
        t.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    let op = if is_json {
        bodies.operation(req.method(), req.uri().path())
    } else {
        None
    };
    let Some(op) = op else {
        return Ok(req);
    };
    let bytes = req
        .take_body()
        .into_bytes_limit(max)
        .await
        .map_err(|e| ApiError::new(ErrorCode::ValidationError, e.to_string()))?;
    bodies.check_operation(op, &bytes)?;
    req.set_body(bytes);
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::{EndpointExt, Route, endpoint::make_sync, http::StatusCode};

    async fn body_json(resp: Response) -> serde_json::Value {
        let bytes = resp.into_body().into_vec().await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_internal_error_without_details() {
        let app = Route::new()
            .at(
                "/boom",
                make_sync(|_| -> &'static str { panic!("secret internal state /etc/passwd") }),
            )
            .with(Envelope {
                max_body_bytes: 16,
                max_upload_bytes: 16,
                allowed: Default::default(),
                bodies: std::sync::Arc::new(RequestBodies::from_doc(&serde_json::Value::Null)),
            });
        let resp = app
            .call(Request::builder().uri_str("/boom").finish())
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_json(resp).await;
        assert_eq!(body["error"]["code"], "INTERNAL_ERROR");
        assert!(!body.to_string().contains("passwd"), "{body}");
        assert!(body["meta"]["requestId"].is_string());
    }

    #[tokio::test]
    async fn a_malformed_content_length_is_a_validation_error() {
        let app = Route::new().at("/", make_sync(|_| "ok")).with(Envelope {
            max_body_bytes: 16,
            max_upload_bytes: 16,
            allowed: Default::default(),
            bodies: std::sync::Arc::new(RequestBodies::from_doc(&serde_json::Value::Null)),
        });
        let req = Request::builder()
            .method(poem::http::Method::POST)
            .header(header::CONTENT_LENGTH, "ten")
            .finish();
        let resp = app.call(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body_json(resp).await["error"]["code"], "VALIDATION_ERROR");
    }
}
