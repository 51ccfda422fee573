//! A request to the operator's provider and its answer passed on to the app as it
//! streams, with the blog's credits held before and settled after: at the tokens the
//! provider counted when it finishes; at what it was sent and wrote so far when the app
//! goes away mid-answer (the provider charges for that); not at all when the provider
//! fails (nothing usable came of it).

use std::sync::Arc;

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use pint_model::ErrorCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{ManagedAi, credits_for, tokens_at_most};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::credits::{Settled, Taken};
use crate::http::ApiError;

/// A checked request: its messages, the longest answer asked, and the answer's JSON
/// schema as OpenAI's `response_format` (passed on as given).
#[derive(Debug, Clone)]
pub struct Chat {
    pub messages: Vec<(String, String)>,
    pub max_tokens: u32,
    pub response_format: Option<Value>,
}

impl Chat {
    /// The tokens it may come to at most: what it sends, counted high, and the longest
    /// answer it asks for.
    fn tokens_sent_at_most(&self) -> u64 {
        let chars: usize = self
            .messages
            .iter()
            .map(|(_, content)| content.chars().count() + 8)
            .sum();
        tokens_at_most(chars)
    }
}

/// How a request is paid for.
#[derive(Debug)]
pub enum Metering {
    /// Not metered: a server that does not bill (the operator's own blogs).
    Off { tenant: String },
    /// Credits held under a reservation, to settle when the answer ends.
    Held {
        storage: Arc<Storage>,
        tenant: String,
        reservation: String,
    },
}

impl Metering {
    /// Hold the credits `chat` may cost at most, from `tenant`'s balance; QUOTA_EXCEEDED
    /// (with the balance and what was needed) when there are not enough.
    pub async fn reserve(
        storage: &Arc<Storage>,
        tenant: &str,
        plan: &str,
        chat: &Chat,
    ) -> Result<Metering, poem::Error> {
        let needed = credits_for(chat.tokens_sent_at_most() + u64::from(chat.max_tokens));
        let key = format!("ai:{}", uuid::Uuid::now_v7());
        match storage
            .reserve_credits(tenant, needed, &key, now_ms())
            .await?
        {
            Taken::Done(entry) => Ok(Metering::Held {
                storage: Arc::clone(storage),
                tenant: tenant.to_owned(),
                reservation: entry.id,
            }),
            Taken::Insufficient { balance, needed } => Err(ApiError::new(
                ErrorCode::QuotaExceeded,
                format!(
                    "this needs up to {needed} AI credits and the blog has {balance}: \
                     credits come each month with the Max plan, or in a pack from Settings → Plan"
                ),
            )
            .with_details(json!({
                "limit": "aiCredits",
                "balance": balance,
                "needed": needed,
                "plan": plan,
            }))
            .into()),
        }
    }

    /// Settle at `tokens` (0: release it all).
    async fn settle(self, tokens: u64) {
        match self {
            Metering::Off { tenant } => {
                tracing::info!(tenant, tokens, "managed AI used (not metered)");
            }
            Metering::Held {
                storage,
                tenant,
                reservation,
            } => {
                let spent = if tokens == 0 { 0 } else { credits_for(tokens) };
                match storage
                    .settle_credits(&tenant, &reservation, spent, now_ms())
                    .await
                {
                    Ok(Settled::Done { spent, balance }) => {
                        tracing::info!(tenant, tokens, spent, balance, "managed AI settled");
                    }
                    Ok(Settled::Released) => tracing::info!(tenant, "managed AI released"),
                    Ok(Settled::Unknown) => {
                        tracing::error!(tenant, reservation, "managed AI: no such reservation");
                    }
                    Err(e) => {
                        tracing::error!(tenant, reservation, error = %e, "managed AI could not settle")
                    }
                }
            }
        }
    }

    /// Give back everything held (the provider failed before answering).
    pub async fn release(self) {
        self.settle(0).await;
    }
}

/// Ask the operator's provider; its refusal (or silence) answered in Pint's error shape.
pub async fn ask(ai: &ManagedAi, chat: &Chat) -> Result<reqwest::Response, ApiError> {
    let mut body = json!({
        "model": ai.model,
        "stream": true,
        "stream_options": {"include_usage": true},
        "max_tokens": chat.max_tokens,
        "messages": chat.messages.iter().map(|(role, content)| json!({"role": role, "content": content})).collect::<Vec<_>>(),
    });
    if let Some(format) = &chat.response_format {
        body["response_format"] = format.clone();
    }
    let sent = ai
        .http
        .post(format!("{}/chat/completions", ai.base_url))
        .bearer_auth(&ai.key)
        .json(&body)
        .send();
    let response = match tokio::time::timeout(ai.wait, sent).await {
        Err(_) => return Err(unavailable("took too long to answer")),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "managed AI: the provider cannot be reached");
            return Err(unavailable("cannot be reached"));
        }
        Ok(Ok(response)) => response,
    };
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = tokio::time::timeout(ai.wait, response.text())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let said: Value = serde_json::from_str(&text).unwrap_or_default();
    let message = said["error"]["message"].as_str().unwrap_or("").to_owned();
    tracing::warn!(status, message, "managed AI: the provider refused");
    Err(match status {
        429 => ApiError::new(
            ErrorCode::RateLimitExceeded,
            "the AI provider is busy; try again shortly (no credits were used)",
        )
        .with_details(json!({"retryAfterSeconds": retry_after.unwrap_or(20)})),
        // The operator's key or account: nothing the creator can change.
        401..=403 => unavailable("refused the server's key (the operator has been told)"),
        // The request itself (a schema the provider cannot follow, too long a text).
        400 | 413 | 422 => ApiError::new(
            ErrorCode::ValidationError,
            format!(
                "the AI provider did not take this request: {}",
                if message.is_empty() {
                    "no reason given"
                } else {
                    &message
                }
            ),
        ),
        _ => unavailable("answered with an error"),
    })
}

fn unavailable(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Unavailable,
        format!("the AI provider {what}; no credits were used, try again in a moment"),
    )
}

/// How the provider's answer ended.
enum Ending {
    /// It finished (`[DONE]`); the tokens it counted, if it said.
    Complete(Option<u64>),
    /// The app went away (cancelled) mid-answer.
    Gone,
    /// The provider failed mid-answer.
    Failed(String),
}

/// Pass `response`'s events on (each `data:` as it came: OpenAI's chunks, then
/// `[DONE]`), then settle `metering`. A failure mid-answer is passed on as an OpenAI
/// error chunk, so the app hears it the way it hears the provider's own.
pub fn relay(
    ai: &ManagedAi,
    response: reqwest::Response,
    chat: &Chat,
    metering: Metering,
) -> BoxStream<'static, String> {
    let (tx, rx) = mpsc::channel::<String>(32);
    let wait = ai.wait;
    let sent_tokens = chat.tokens_sent_at_most();
    tokio::spawn(async move {
        let mut events = response.bytes_stream().eventsource();
        let mut written = 0usize;
        let mut counted: Option<u64> = None;
        let ending = loop {
            let next = tokio::select! {
                // The app went away while the provider was thinking.
                () = tx.closed() => break Ending::Gone,
                next = tokio::time::timeout(wait, events.next()) => next,
            };
            let event = match next {
                Err(_) => break Ending::Failed("the AI provider stopped answering".into()),
                Ok(None) | Ok(Some(Err(_))) => {
                    break Ending::Failed("the AI provider's answer stopped halfway".into());
                }
                Ok(Some(Ok(event))) => event,
            };
            let data = event.data;
            if data.trim() == "[DONE]" {
                // Passed on once settled, so the balance the app reads next is right.
                break Ending::Complete(counted);
            }
            let Ok(chunk) = serde_json::from_str::<Value>(&data) else {
                break Ending::Failed("the AI provider's answer could not be read".into());
            };
            if let Some(error) = chunk.get("error") {
                let message = error["message"].as_str().unwrap_or("no reason given");
                break Ending::Failed(format!("the AI provider failed: {message}"));
            }
            if let Some(text) = chunk["choices"][0]["delta"]["content"].as_str() {
                written += text.chars().count();
            }
            if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
                let n = |v: &Value| v.as_u64().unwrap_or(0);
                counted = Some(n(&usage["prompt_tokens"]) + n(&usage["completion_tokens"]));
            }
            if tx.send(data).await.is_err() {
                break Ending::Gone;
            }
        };
        // The provider is let go of at once (a cancelled answer stops costing).
        drop(events);
        match ending {
            Ending::Complete(counted) => {
                let tokens = counted.unwrap_or(sent_tokens + tokens_at_most(written));
                metering.settle(tokens.max(1)).await;
                let _ = tx.send("[DONE]".to_owned()).await;
            }
            Ending::Gone => {
                metering.settle(sent_tokens + tokens_at_most(written)).await;
            }
            Ending::Failed(message) => {
                tracing::warn!(message, "managed AI: the answer failed");
                metering.release().await;
                let chunk = json!({"error": {"code": 502, "message": format!("{message}; no credits were used")}});
                let _ = tx.send(chunk.to_string()).await;
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|data| (data, rx))
    })
    .boxed()
}
