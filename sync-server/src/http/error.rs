//! The one error shape of the API, and the one place errors become responses:
//! `{"error": {"code", "message", "details"}, "meta": {"requestId"}}`.
//!
//! Internals (SQL, paths, panics) never reach a response: 5xx answers carry a generic
//! message, and the cause is logged with the request id.

use pint_model::ErrorCode;
use pint_model::wire::{ErrorBody, ErrorDetail, ErrorMeta};
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use serde_json::Value;

/// An error a handler returns on purpose, with a code the client can act on.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorCode::InternalError,
            "something went wrong on the server; the request changed nothing it reported",
        )
    }
}

impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// A storage failure is the server's fault: 500 INTERNAL_ERROR, its cause in the log (with
/// the request id, by `to_response`), never in the answer. With this, handlers use `?` on
/// storage calls.
impl poem::error::ResponseError for crate::db::DbError {
    fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

/// Turn any error that reached the edge into the JSON shape.
pub fn to_response(err: &poem::Error, request_id: &str) -> Response {
    let status = err.status();
    let api = match err.downcast_ref::<ApiError>() {
        Some(api) => ApiError {
            code: api.code,
            message: api.message.clone(),
            details: api.details.clone(),
        },
        None => from_status(status, err),
    };
    if status.is_server_error() {
        tracing::error!(request_id, error = %err, "request failed");
    }
    let retry_after = err
        .downcast_ref::<ApiError>()
        .and_then(|e| e.details.get("retryAfterSeconds"))
        .and_then(Value::as_u64);
    let body = ErrorBody {
        error: ErrorDetail {
            code: api.code.as_str().to_owned(),
            message: api.message,
            details: api.details,
        },
        meta: ErrorMeta {
            request_id: request_id.to_owned(),
        },
    };
    let mut resp = poem::web::Json(body).with_status(status).into_response();
    if let Some(secs) = retry_after {
        resp.headers_mut().insert(
            poem::http::header::RETRY_AFTER,
            poem::http::HeaderValue::from(secs),
        );
    }
    resp
}

/// Errors raised by poem itself (routing, parsing) get a code from their status. Their
/// messages describe the request, not the server, so 4xx messages are kept.
fn from_status(status: StatusCode, err: &poem::Error) -> ApiError {
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::RateLimitExceeded,
        400..=499 => ErrorCode::ValidationError,
        _ => ErrorCode::InternalError,
    };
    match code {
        ErrorCode::InternalError => ApiError::internal(),
        ErrorCode::NotFound => ApiError::new(code, "there is nothing at this address"),
        ErrorCode::MethodNotAllowed => ApiError::new(
            code,
            "this address does not accept this method (the Allow header lists those it does)",
        ),
        _ => ApiError::new(code, err.to_string()),
    }
}
