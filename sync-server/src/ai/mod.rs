//! Managed AI: AI for blogs that pay with their credits instead of a key of their own.
//! The app sends the request in OpenAI's chat completion shape (its own streaming code
//! speaks it); the server checks it, reserves credits for the most it could cost, calls
//! the operator's provider with the operator's key (`PINT_AI_*`), relays the answer as it
//! streams, and settles the reservation at the tokens the provider counted, releasing it
//! all when the provider fails. A creator's own keys never reach this code: the app calls
//! those providers itself.
//!
//! `api.rs` is the endpoint and its request's checks; `relay.rs` the provider's stream
//! passed on to the app with the credits settled at its end.

pub mod api;
pub mod relay;

use std::time::Duration;

pub use api::AiApi;

use crate::settings::AiSettings;

/// What one credit buys: a thousand tokens, read and written together.
pub const TOKENS_PER_CREDIT: u64 = 1_000;

/// The longest answer a request may ask for, in tokens.
pub const MAX_OUTPUT_TOKENS: u32 = 8_192;

/// The most messages one request may carry.
pub const MAX_MESSAGES: usize = 16;

/// The operator's provider, when managed AI is on.
#[derive(Clone)]
pub struct ManagedAi {
    http: reqwest::Client,
    base_url: String,
    key: String,
    model: String,
    /// How long to wait for the answer to start, and between two of its pieces.
    wait: Duration,
}

impl std::fmt::Debug for ManagedAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagedAi")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

impl ManagedAi {
    pub fn new(settings: &AiSettings) -> Result<Self, reqwest::Error> {
        let wait = Duration::from_secs(60);
        Ok(ManagedAi {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .build()?,
            base_url: settings.base_url.clone(),
            key: settings.key.clone(),
            model: settings.model.clone(),
            wait,
        })
    }
}

/// Credits for `tokens`, rounded up (any use costs at least one).
pub fn credits_for(tokens: u64) -> i64 {
    i64::try_from(tokens.div_ceil(TOKENS_PER_CREDIT).max(1)).unwrap_or(i64::MAX)
}

/// Tokens a text of `chars` characters may come to, counted high (about three characters
/// a token for English prose, fewer for other scripts): what a reservation holds for.
pub fn tokens_at_most(chars: usize) -> u64 {
    u64::try_from(chars).unwrap_or(u64::MAX).div_ceil(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_round_up_and_any_use_costs_one() {
        assert_eq!(credits_for(0), 1);
        assert_eq!(credits_for(1), 1);
        assert_eq!(credits_for(1_000), 1);
        assert_eq!(credits_for(1_001), 2);
        assert_eq!(
            credits_for(u64::MAX),
            i64::try_from(u64::MAX / 1_000 + 1).unwrap_or(i64::MAX)
        );
    }
}
