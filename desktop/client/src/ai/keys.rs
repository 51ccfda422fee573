//! Adding, listing and removing the creator's AI providers: the key goes to the OS
//! keychain and nowhere else; the store keeps the provider's kind, name and address.

use super::{AiError, Provider, ProviderConfig};
use crate::Engine;
use crate::keychain::Keychain;

/// A key's length at most (real keys are under 200 characters).
const MAX_KEY_CHARS: usize = 500;
const MAX_LABEL_CHARS: usize = 80;

/// What the creator typed to add a provider.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NewProvider {
    pub provider: Provider,
    /// Empty: the provider's own name.
    pub label: String,
    /// Empty: the provider's usual address (required for `compatible`).
    pub base_url: String,
    /// Empty: the provider's usual model (required for `compatible`).
    pub model: String,
    pub key: String,
}

/// The API address to use: the one given (http or https, no query, no credentials),
/// else the provider's own; without a trailing slash.
pub fn base_url(provider: Provider, given: &str) -> Result<String, AiError> {
    let given = given.trim();
    let raw = match (given.is_empty(), provider.default_base_url()) {
        (false, _) => given,
        (true, Some(default)) => default,
        (true, None) => {
            return Err(AiError::Invalid(
                "an OpenAI-compatible server needs its address (for example http://127.0.0.1:11434/v1)"
                    .into(),
            ));
        }
    };
    let url = url::Url::parse(raw)
        .map_err(|_| AiError::Invalid(format!("“{raw}” is not a web address")))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(AiError::Invalid(format!(
            "“{raw}” is not an http(s) address of an API (no login, query or fragment in it)"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The model to ask: the one named (a model id: no spaces), else the provider's usual.
pub fn model(provider: Provider, given: &str) -> Result<String, AiError> {
    let given = given.trim();
    if given.is_empty() {
        return provider.default_model().map(str::to_owned).ok_or_else(|| {
            AiError::Invalid(
                "name the model this server should use (for example llama3.1:8b)".into(),
            )
        });
    }
    if given.chars().count() > MAX_LABEL_CHARS * 2 || given.chars().any(char::is_whitespace) {
        return Err(AiError::Invalid(format!(
            "“{given}” is not a model id (one word, as the provider lists it)"
        )));
    }
    Ok(given.to_owned())
}

/// Add a provider: its key checked for shape and kept in the keychain, the rest in the
/// store. Nothing is kept when anything is refused.
pub fn add(
    engine: &mut Engine,
    keychain: &Keychain,
    new: &NewProvider,
) -> Result<ProviderConfig, AiError> {
    if new.provider == Provider::Pint {
        return Err(AiError::Invalid(
            "Pint AI needs no key: it is there while you are signed in to a blog that offers it"
                .into(),
        ));
    }
    let key = new.key.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS || key.chars().any(char::is_whitespace)
    {
        return Err(AiError::Invalid(
            "the key should be pasted whole, with no spaces in it".into(),
        ));
    }
    let label = match new.label.trim() {
        "" => new.provider.name().trim_start_matches("the ").to_owned(),
        l if l.chars().count() > MAX_LABEL_CHARS => {
            return Err(AiError::Invalid(format!(
                "a name of at most {MAX_LABEL_CHARS} characters"
            )));
        }
        l => l.to_owned(),
    };
    let config = ProviderConfig {
        id: format!("ai-{:016x}", rand_id()?),
        provider: new.provider,
        label,
        base_url: base_url(new.provider, &new.base_url)?,
        model: model(new.provider, &new.model)?,
        added_at: crate::engine::now_millis(),
    };
    keychain.set_ai_key(&config.id, key)?;
    if let Err(e) = engine.add_ai_provider(&config) {
        let _ = keychain.delete_ai_key(&config.id);
        return Err(e.into());
    }
    Ok(config)
}

/// Remove a provider and forget its key.
pub fn remove(engine: &mut Engine, keychain: &Keychain, id: &str) -> Result<(), AiError> {
    keychain.delete_ai_key(id)?;
    engine.remove_ai_provider(id)?;
    Ok(())
}

/// A provider and its key, for a request.
pub fn with_key(
    engine: &Engine,
    keychain: &Keychain,
    id: &str,
) -> Result<(ProviderConfig, String), AiError> {
    let config = engine
        .ai_providers()?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AiError::Invalid("that AI provider was removed".into()))?;
    let key = keychain.ai_key(id)?.ok_or_else(|| {
        AiError::Keychain(format!(
            "no key for “{}” in the system keychain: add it again",
            config.label
        ))
    })?;
    Ok((config, key))
}

fn rand_id() -> Result<u64, AiError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| AiError::Invalid(e.to_string()))?;
    Ok(u64::from_le_bytes(bytes))
}
