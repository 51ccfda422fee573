//! Pint AI: help paid with the blog's AI credits (the Max plan's monthly ones, or a pack),
//! for creators without a provider key of their own. The blog's server speaks OpenAI's
//! chat completions at `…/v1/tenants/{blog}/ai`, so a request goes through `stream.rs`
//! like any OpenAI-compatible one, with the account's session as the key. The server
//! holds the credits, calls its operator's provider and settles at what was used; the
//! creator's own keys are never sent there.

use super::{AiError, Provider, ProviderConfig};
use crate::account::{AccountError, Session};
use crate::media::upload::Blog;

/// The provider id the window names Pint AI by (never one of the creator's own, which
/// are `ai-…`).
pub const PROVIDER_ID: &str = "pint";

/// Pint AI for the blog `session` is signed in to, and the key to call it with.
pub async fn provider(session: &Session) -> Result<(ProviderConfig, String), AiError> {
    let blog = Blog::of(session).await.map_err(|e| match e {
        AccountError::Network(_) => AiError::NoNetwork {
            provider: Provider::Pint.name(),
        },
        other => AiError::Refused(other.to_string()),
    })?;
    let config = ProviderConfig {
        id: PROVIDER_ID.to_owned(),
        provider: Provider::Pint,
        label: "Pint AI".to_owned(),
        base_url: blog.url("ai"),
        model: "pint".to_owned(),
        added_at: 0,
    };
    Ok((config, blog.token))
}
