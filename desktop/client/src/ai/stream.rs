//! One streamed request to a provider: the prompt sent in the provider's own wire format
//! (OpenAI's chat completions, which OpenRouter and compatible servers speak too, or
//! Anthropic's messages), its server-sent events read as they arrive, and the text handed
//! on piece by piece. Where a JSON schema is given, the provider is held to it (OpenAI's
//! `response_format`, Anthropic's forced tool use), and the pieces are that JSON.
//!
//! The request goes only to the provider's configured address. Every wait (for the
//! answer to start, and between two pieces) has a limit; dropping the future closes the
//! connection at once, which is how a request is cancelled.

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::probe::{refusal, sent_error};
use super::{AiError, Provider, ProviderConfig};

/// What is asked.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// How the model should work.
    pub system: String,
    /// The creator's text and what to do with it.
    pub user: String,
    /// The answer's shape, where it must be JSON.
    pub schema: Option<Schema>,
    pub max_tokens: u32,
}

/// A JSON schema the answer must follow.
#[derive(Debug, Clone)]
pub struct Schema {
    /// A name for it (letters, digits, `_`).
    pub name: &'static str,
    pub description: &'static str,
    pub json: Value,
}

/// How long to wait for the answer to start, and between two of its pieces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            wait: Duration::from_secs(60),
        }
    }
}

/// The tokens a request used, as the provider counted them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub input_tokens: u32,
    pub output_tokens: u32,
}

/// How a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The model finished.
    Complete,
    /// The model stopped at the token limit: the answer is cut short.
    TokenLimit,
}

/// Send `prompt`, handing each piece of the answer's text to `on_text` as it arrives.
/// Answers the usage and how the answer ended; a refusal, a stream cut in the middle, or
/// a wait past `limits` is an error (what `on_text` was given stands).
pub async fn stream(
    config: &ProviderConfig,
    key: &str,
    prompt: &Prompt,
    limits: Limits,
    mut on_text: impl FnMut(&str),
) -> Result<(Usage, Ending), AiError> {
    crate::server::install_crypto_provider();
    let provider = config.provider;
    let name = provider.name();
    let http = reqwest::Client::builder()
        .connect_timeout(limits.wait)
        .build()
        .map_err(|e| AiError::Invalid(e.to_string()))?;
    let request = match provider {
        Provider::Anthropic => http
            .post(format!("{}/messages", config.base_url))
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01")
            .json(&anthropic_body(&config.model, prompt)),
        Provider::OpenAi | Provider::OpenRouter | Provider::Compatible | Provider::Pint => http
            .post(format!("{}/chat/completions", config.base_url))
            .bearer_auth(key)
            .json(&openai_body(&config.model, prompt)),
    };
    let late = |_: tokio::time::error::Elapsed| AiError::Timeout { provider: name };
    let response = tokio::time::timeout(limits.wait, request.send())
        .await
        .map_err(late)?
        .map_err(|e| sent_error(provider, &e))?;
    let status = response.status();
    if !status.is_success() {
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = tokio::time::timeout(limits.wait, response.text())
            .await
            .map_err(late)?
            .unwrap_or_default();
        return Err(refusal(provider, status.as_u16(), retry_after, &body));
    }

    let mut events = response.bytes_stream().eventsource();
    let mut reader = match provider {
        Provider::Anthropic => Reader::Anthropic(AnthropicReader::default()),
        _ => Reader::OpenAi(OpenAiReader::default()),
    };
    loop {
        let Some(event) = tokio::time::timeout(limits.wait, events.next())
            .await
            .map_err(late)?
        else {
            // The connection closed before the provider said it had finished.
            return Err(AiError::Cut { provider: name });
        };
        let event = event.map_err(|_| AiError::Cut { provider: name })?;
        let step = match &mut reader {
            Reader::OpenAi(r) => r.read(provider, &event.data, &mut on_text)?,
            Reader::Anthropic(r) => r.read(&event.event, &event.data, &mut on_text)?,
        };
        if let Some(ending) = step {
            let usage = match &reader {
                Reader::OpenAi(r) => r.usage,
                Reader::Anthropic(r) => r.usage,
            };
            return Ok((usage, ending));
        }
    }
}

fn openai_body(model: &str, prompt: &Prompt) -> Value {
    let mut body = json!({
        "model": model,
        "stream": true,
        "stream_options": {"include_usage": true},
        "max_tokens": prompt.max_tokens,
        "messages": [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": prompt.user},
        ],
    });
    if let Some(schema) = &prompt.schema {
        body["response_format"] = json!({
            "type": "json_schema",
            "json_schema": {
                "name": schema.name,
                "description": schema.description,
                "strict": true,
                "schema": schema.json,
            },
        });
    }
    body
}

fn anthropic_body(model: &str, prompt: &Prompt) -> Value {
    let mut body = json!({
        "model": model,
        "stream": true,
        "max_tokens": prompt.max_tokens,
        "system": prompt.system,
        "messages": [{"role": "user", "content": prompt.user}],
    });
    // Anthropic's way to hold the answer to a schema: one tool, which it must call.
    if let Some(schema) = &prompt.schema {
        body["tools"] = json!([{
            "name": schema.name,
            "description": schema.description,
            "input_schema": schema.json,
        }]);
        body["tool_choice"] = json!({"type": "tool", "name": schema.name});
    }
    body
}

enum Reader {
    OpenAi(OpenAiReader),
    Anthropic(AnthropicReader),
}

/// OpenAI's chat completion chunks: `data: {choices: [{delta: {content}}]}` lines, the
/// usage in a last chunk with no choices, then `data: [DONE]`. OpenRouter sends keep-alive
/// comments (`: OPENROUTER PROCESSING`), which the event parser leaves out, and an error
/// mid-stream as a chunk with `error`.
#[derive(Default)]
struct OpenAiReader {
    usage: Usage,
    ending: Option<Ending>,
}

impl OpenAiReader {
    fn read(
        &mut self,
        provider: Provider,
        data: &str,
        on_text: &mut impl FnMut(&str),
    ) -> Result<Option<Ending>, AiError> {
        if data.trim() == "[DONE]" {
            return Ok(Some(self.ending.unwrap_or(Ending::Complete)));
        }
        let chunk: Value = serde_json::from_str(data).map_err(|_| AiError::Cut {
            provider: provider.name(),
        })?;
        if chunk.get("error").is_some() {
            let status = chunk["error"]["code"]
                .as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(500);
            return Err(refusal(provider, status, None, data));
        }
        if let Some(choice) = chunk["choices"].get(0) {
            if let Some(text) = choice["delta"]["content"].as_str() {
                on_text(text);
            }
            match choice["finish_reason"].as_str() {
                Some("length") => self.ending = Some(Ending::TokenLimit),
                Some(_) => self.ending = Some(Ending::Complete),
                None => {}
            }
        }
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = Usage {
                input_tokens: count(&usage["prompt_tokens"]),
                output_tokens: count(&usage["completion_tokens"]),
            };
        }
        Ok(None)
    }
}

/// Anthropic's message events: `message_start` (input tokens), `content_block_delta`
/// (`text_delta`, or `input_json_delta` for a tool's input), `message_delta` (output
/// tokens, stop reason), `message_stop`; `ping` between; `error` (overloaded, …).
#[derive(Default)]
struct AnthropicReader {
    usage: Usage,
    ending: Option<Ending>,
}

impl AnthropicReader {
    fn read(
        &mut self,
        event: &str,
        data: &str,
        on_text: &mut impl FnMut(&str),
    ) -> Result<Option<Ending>, AiError> {
        let name = Provider::Anthropic.name();
        let body: Value =
            serde_json::from_str(data).map_err(|_| AiError::Cut { provider: name })?;
        let kind = match event {
            "" | "message" => body["type"].as_str().unwrap_or(""),
            named => named,
        };
        match kind {
            "message_start" => {
                let usage = &body["message"]["usage"];
                self.usage.input_tokens = count(&usage["input_tokens"])
                    + count(&usage["cache_read_input_tokens"])
                    + count(&usage["cache_creation_input_tokens"]);
                self.usage.output_tokens = count(&usage["output_tokens"]);
            }
            "content_block_delta" => {
                let delta = &body["delta"];
                let text = match delta["type"].as_str() {
                    Some("text_delta") => delta["text"].as_str(),
                    Some("input_json_delta") => delta["partial_json"].as_str(),
                    _ => None,
                };
                if let Some(text) = text {
                    on_text(text);
                }
            }
            "message_delta" => {
                if let Some(out) = body["usage"]["output_tokens"].as_u64() {
                    self.usage.output_tokens = u32::try_from(out).unwrap_or(u32::MAX);
                }
                self.ending = Some(match body["delta"]["stop_reason"].as_str() {
                    Some("max_tokens") => Ending::TokenLimit,
                    _ => Ending::Complete,
                });
            }
            "message_stop" => return Ok(Some(self.ending.unwrap_or(Ending::Complete))),
            "error" => {
                let status = match body["error"]["type"].as_str() {
                    Some("overloaded_error") => 529,
                    Some("rate_limit_error") => 429,
                    Some("authentication_error") => 401,
                    _ => 500,
                };
                return Err(refusal(Provider::Anthropic, status, None, data));
            }
            _ => {}
        }
        Ok(None)
    }
}

fn count(v: &Value) -> u32 {
    v.as_u64()
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}
