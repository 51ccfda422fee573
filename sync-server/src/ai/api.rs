//! Managed AI over HTTP: `POST /v1/tenants/{id}/ai/chat/completions`, in OpenAI's chat
//! completion shape (the app's streaming code speaks it to every OpenAI-compatible
//! server, and this is one), answered as server-sent events. The request is OpenAI's, so
//! its fields keep OpenAI's names; the model is the operator's, whatever is asked.

use std::sync::Arc;
use std::time::Duration;

use pint_model::ErrorCode;
use poem::web::Data;
use poem::web::sse::Event;
use poem_openapi::param::Path;
use poem_openapi::payload::{EventStream, Json};
use poem_openapi::{Object, OpenApi};
use serde_json::Value;

use super::relay::{self, Chat, Metering};
use super::{MAX_MESSAGES, MAX_OUTPUT_TOKENS, ManagedAi};
use crate::auth::BearerAuth;
use crate::billing::Plans;
use crate::db::Storage;
use crate::http::ApiError;
use crate::http::validation::Fields;
use crate::tenants::{Action, scope_for};

/// The roles a message may have.
pub const ROLES: [&str; 3] = ["system", "user", "assistant"];

/// How often a quiet answer gets a comment line: it keeps proxies from closing the
/// stream while the model thinks, and lets the server notice soon that the app went
/// away (a closed connection shows only when something is written to it), so the
/// provider is let go of and the credits settled.
const KEEP_ALIVE: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct AiApi;

/// A chat completion request, as OpenAI's API takes it (the fields Pint reads).
#[derive(Debug, Object)]
pub struct ChatRequest {
    /// Not read: the server's operator chooses the model.
    pub model: Option<String>,
    pub messages: Vec<ChatMessage>,
    /// The longest answer, in tokens (1 to 8192; 1024 when not given).
    pub max_tokens: Option<u32>,
    /// Must be true when given: answers stream.
    pub stream: Option<bool>,
    /// Not read: the server always asks the provider for the usage.
    pub stream_options: Option<Value>,
    /// OpenAI's `response_format` (a JSON schema the answer must follow), passed on.
    pub response_format: Option<Value>,
}

#[derive(Debug, Object)]
pub struct ChatMessage {
    /// system, user or assistant.
    pub role: String,
    /// Any length: the server's body limit (`PINT_MAX_BODY_BYTES`) holds the request.
    pub content: String,
}

#[OpenApi(prefix_path = "/v1/tenants")]
impl AiApi {
    /// AI paid with the blog's credits (editors and above): the answer streams as
    /// OpenAI's chat completion chunks, then `[DONE]`. Credits for the most it could cost
    /// are held first (QUOTA_EXCEEDED when the blog has too few), then settled at the
    /// tokens the provider counted; nothing is spent when the provider fails. On a server
    /// that does not bill, blogs use it freely; on one with no operator key, FORBIDDEN.
    #[oai(path = "/:id/ai/chat/completions", method = "post")]
    async fn chat(
        &self,
        storage: Data<&Arc<Storage>>,
        plans: Data<&Plans>,
        ai: Data<&Option<ManagedAi>>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<ChatRequest>,
    ) -> poem::Result<EventStream<futures_util::stream::BoxStream<'static, String>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UseAi,
            "using the blog's AI credits",
        )
        .await?;
        let Some(ai) = ai.0.as_ref() else {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "this server offers no AI of its own: add a key of your own in Settings → AI",
            )
            .with_details(serde_json::json!({"limit": "managedAi"}))
            .into());
        };
        let chat = check(body.0)?;
        let metering = if plans.billing_on {
            let tenant = storage
                .tenant(&scope)
                .await?
                .ok_or_else(ApiError::internal)?;
            Metering::reserve(storage.0, scope.tenant_id(), &tenant.plan, &chat).await?
        } else {
            Metering::Off {
                tenant: scope.tenant_id().to_owned(),
            }
        };
        let response = match relay::ask(ai, &chat).await {
            Ok(response) => response,
            Err(refused) => {
                metering.release().await;
                return Err(refused.into());
            }
        };
        Ok(
            EventStream::new(relay::relay(ai, response, &chat, metering))
                .to_event(Event::message)
                .keep_alive(KEEP_ALIVE),
        )
    }
}

/// The request's fields checked (every problem at once); the checked request.
fn check(request: ChatRequest) -> Result<Chat, ApiError> {
    let mut fields = Fields::new();
    fields.check(
        "messages",
        (request.messages.is_empty() || request.messages.len() > MAX_MESSAGES)
            .then(|| format!("1 to {MAX_MESSAGES} messages")),
    );
    for (i, m) in request.messages.iter().enumerate() {
        fields.check(
            &format!("messages[{i}].role"),
            (!ROLES.contains(&m.role.as_str())).then(|| "must be system, user or assistant".into()),
        );
    }
    let max_tokens = request.max_tokens.unwrap_or(1_024);
    fields.check(
        "max_tokens",
        (!(1..=MAX_OUTPUT_TOKENS).contains(&max_tokens))
            .then(|| format!("1 to {MAX_OUTPUT_TOKENS}")),
    );
    fields.check(
        "stream",
        (request.stream == Some(false)).then(|| "answers stream: true, or leave it out".into()),
    );
    fields.check(
        "response_format",
        request
            .response_format
            .as_ref()
            .filter(|f| !f.is_object())
            .map(|_| "an object, as OpenAI's API takes it".into()),
    );
    fields.finish()?;
    Ok(Chat {
        messages: request
            .messages
            .into_iter()
            .map(|m| (m.role, m.content))
            .collect(),
        max_tokens,
        response_format: request.response_format,
    })
}
