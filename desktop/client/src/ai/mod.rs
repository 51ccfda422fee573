//! AI help with the creator's own provider keys (bring your own key). The keys live in
//! the OS keychain only (`keychain.rs`); this device keeps which providers there are
//! (`store/ai.rs`), and calls them itself: nothing of this reaches Pint's server.
//!
//! `keys.rs` adds, lists and removes providers; `probe.rs` tests a key with one small
//! request and turns each provider's refusals into words a person understands;
//! `stream.rs` sends a prompt and reads the answer as it streams in; `json_items.rs` picks
//! each finished item out of a JSON answer still arriving; `review.rs` asks for a review
//! and places each suggestion in the creator's text itself; `write.rs` asks for a new
//! draft or a rewrite, streamed back as text. `managed.rs` is the one exception to
//! "nothing reaches Pint's server": Pint AI, which a blog pays for with its credits, is
//! the blog's own server speaking OpenAI's API with the account's session as its key.

pub mod json_items;
pub mod keys;
pub mod managed;
pub mod probe;
pub mod review;
pub mod stream;
pub mod write;

use serde::{Deserialize, Serialize};

/// The services a key can be for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Provider {
    OpenAi,
    Anthropic,
    OpenRouter,
    /// Any server that speaks OpenAI's API (a local model server counts), at its own
    /// address.
    Compatible,
    /// Pint AI: the blog's server, paid with the blog's credits (no key of the creator's).
    Pint,
}

impl Provider {
    /// Its name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenAi => "openAi",
            Provider::Anthropic => "anthropic",
            Provider::OpenRouter => "openRouter",
            Provider::Compatible => "compatible",
            Provider::Pint => "pint",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            Provider::OpenAi,
            Provider::Anthropic,
            Provider::OpenRouter,
            Provider::Compatible,
            Provider::Pint,
        ]
        .into_iter()
        .find(|p| p.as_str() == name)
    }

    /// Its name as people know it.
    pub fn name(self) -> &'static str {
        match self {
            Provider::OpenAi => "OpenAI",
            Provider::Anthropic => "Anthropic",
            Provider::OpenRouter => "OpenRouter",
            Provider::Compatible => "the OpenAI-compatible server",
            Provider::Pint => "Pint",
        }
    }

    /// The model asked when none is named: a fast, capable one that follows a JSON
    /// schema (none for a compatible server: its models are its own).
    pub fn default_model(self) -> Option<&'static str> {
        match self {
            Provider::OpenAi => Some("gpt-4.1-mini"),
            Provider::Anthropic => Some("claude-sonnet-4-5"),
            Provider::OpenRouter => Some("openai/gpt-4.1-mini"),
            Provider::Compatible | Provider::Pint => None,
        }
    }

    /// Where its API is when no address is given (none: one must be given).
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Provider::OpenAi => Some("https://api.openai.com/v1"),
            Provider::Anthropic => Some("https://api.anthropic.com/v1"),
            Provider::OpenRouter => Some("https://openrouter.ai/api/v1"),
            Provider::Compatible | Provider::Pint => None,
        }
    }
}

/// One of the creator's providers, as the app lists it (never with its key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfig {
    pub id: String,
    pub provider: Provider,
    /// The creator's name for it ("Work key", "Ollama on my laptop").
    pub label: String,
    /// The API's address, without a trailing slash.
    pub base_url: String,
    /// The model asked (never empty: the provider's usual one when none was given).
    pub model: String,
    /// Unix ms.
    #[ts(type = "number")]
    pub added_at: i64,
}

/// What the window hears of a request to a provider while it streams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AiEvent {
    /// The request's id, as its command answered.
    pub request: String,
    pub update: AiUpdate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum AiUpdate {
    /// A review's suggestion, placed in the text.
    Suggestion { suggestion: review::Suggestion },
    /// A review's suggestion that was not kept, and why.
    Dropped { reason: String },
    /// The review is complete.
    ReviewDone { done: review::ReviewDone },
    /// The next piece of a draft or a rewrite.
    Text { delta: String },
    /// The draft or rewrite is complete.
    WriteDone { done: write::WriteDone },
    /// The request stopped on an error (what arrived before it stands).
    Failed { message: String },
}

/// Why an AI request did not go through, in words a person understands.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AiError {
    #[error("{0}")]
    Invalid(String),
    #[error("{provider} did not accept this key: check it, or make a new one in its dashboard")]
    WrongKey { provider: &'static str },
    #[error("{provider} is limiting requests: try again {}", retry_words(*.retry_after_secs))]
    RateLimited {
        provider: &'static str,
        retry_after_secs: Option<u64>,
    },
    #[error("the {provider} account has no credit left: add some in its billing settings")]
    OutOfCredit { provider: &'static str },
    #[error("{provider} took too long to answer; try again")]
    Timeout { provider: &'static str },
    #[error("the answer from {provider} stopped halfway; what arrived is kept")]
    Cut { provider: &'static str },
    #[error("{provider} cannot be reached: no network? (the offline checks still work)")]
    NoNetwork { provider: &'static str },
    #[error("{provider} answered with an error ({status}): {message}")]
    Provider {
        provider: &'static str,
        status: u16,
        message: String,
    },
    /// Pint's server refused, in its own words (no credits left, no AI of its own).
    #[error("{0}")]
    Refused(String),
    #[error("the key could not be kept in the system keychain: {0}")]
    Keychain(String),
    /// The local store (the message of its error).
    #[error("{0}")]
    Store(String),
}

impl From<crate::EngineError> for AiError {
    fn from(e: crate::EngineError) -> Self {
        AiError::Store(e.to_string())
    }
}

fn retry_words(secs: Option<u64>) -> String {
    match secs {
        Some(0) | None => "in a moment".into(),
        Some(1) => "in a second".into(),
        Some(s) if s < 120 => format!("in {s} seconds"),
        Some(s) => format!("in {} minutes", s.div_ceil(60)),
    }
}

impl From<crate::keychain::KeychainError> for AiError {
    fn from(e: crate::keychain::KeychainError) -> Self {
        AiError::Keychain(e.to_string())
    }
}
