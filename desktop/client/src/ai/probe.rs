//! One small request to a provider, to tell the creator at once whether a key works, and
//! the translation of every provider's refusals (status, headers, error bodies) into
//! `AiError`s a person understands. Requests go only to the provider's configured address
//! (tests point it at a local fake that speaks the same wire format).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{AiError, Provider, ProviderConfig};

/// How long a key test may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// What a key test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyWorks {
    /// In a few words ("12 models available").
    pub detail: String,
}

/// Test `key` against `config`'s provider with one small request that needs the key.
pub async fn test_key(
    config: &ProviderConfig,
    key: &str,
    timeout: Duration,
) -> Result<KeyWorks, AiError> {
    crate::server::install_crypto_provider();
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| AiError::Invalid(e.to_string()))?;
    let provider = config.provider;
    let request = match provider {
        Provider::Pint => {
            return Err(AiError::Invalid(
                "Pint AI has no key to test: it uses the blog's credits".into(),
            ));
        }
        Provider::Anthropic => http
            .get(format!("{}/models", config.base_url))
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01"),
        // OpenRouter lists its models to anyone; its key endpoint needs the key.
        Provider::OpenRouter => http
            .get(format!("{}/key", config.base_url))
            .bearer_auth(key),
        Provider::OpenAi | Provider::Compatible => http
            .get(format!("{}/models", config.base_url))
            .bearer_auth(key),
    };
    let response = request.send().await.map_err(|e| sent_error(provider, &e))?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = response
        .text()
        .await
        .map_err(|e| sent_error(provider, &e))?;
    if !status.is_success() {
        return Err(refusal(provider, status.as_u16(), retry_after, &body));
    }
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let detail = match provider {
        Provider::OpenRouter => match json["data"]["limit_remaining"].as_f64() {
            Some(left) => format!("the key works; ${left:.2} of credit left"),
            None => "the key works".to_owned(),
        },
        _ => match json["data"].as_array().map(Vec::len) {
            Some(1) => "the key works; 1 model available".to_owned(),
            Some(n) => format!("the key works; {n} models available"),
            None => "the key works".to_owned(),
        },
    };
    Ok(KeyWorks { detail })
}

pub(super) fn sent_error(provider: Provider, e: &reqwest::Error) -> AiError {
    let provider = provider.name();
    if e.is_timeout() {
        AiError::Timeout { provider }
    } else if e.is_connect() {
        AiError::NoNetwork { provider }
    } else {
        AiError::Provider {
            provider,
            status: 0,
            message: e.to_string(),
        }
    }
}

/// A provider's refusal in words: the status, `retry-after`, and the error body as each
/// provider writes it (OpenAI and OpenRouter: `{"error": {"message", "type", "code"}}`;
/// Anthropic: `{"type": "error", "error": {"type", "message"}}`).
pub fn refusal(provider: Provider, status: u16, retry_after: Option<u64>, body: &str) -> AiError {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let error = &json["error"];
    let message = error["message"]
        .as_str()
        .or_else(|| json["message"].as_str())
        .unwrap_or("")
        .to_owned();
    let code = [&error["code"], &error["type"]]
        .iter()
        .filter_map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let name = provider.name();
    if provider == Provider::Pint {
        return pint_refusal(status, retry_after, message);
    }
    let no_credit = code.contains("insufficient_quota")
        || message.to_lowercase().contains("credit balance")
        || status == 402;
    match status {
        _ if no_credit => AiError::OutOfCredit { provider: name },
        401 | 403 => AiError::WrongKey { provider: name },
        429 => AiError::RateLimited {
            provider: name,
            retry_after_secs: retry_after,
        },
        408 | 504 => AiError::Timeout { provider: name },
        _ => AiError::Provider {
            provider: name,
            status,
            message: if message.is_empty() {
                "no explanation given".to_owned()
            } else {
                message
            },
        },
    }
}

/// Pint's server says why in its own words (`{"error": {"code", "message", "details"}}`),
/// written for the creator: no credits left, no AI on this server, the provider busy.
fn pint_refusal(status: u16, retry_after: Option<u64>, message: String) -> AiError {
    match status {
        429 => AiError::RateLimited {
            provider: Provider::Pint.name(),
            retry_after_secs: retry_after,
        },
        401 => AiError::Refused("sign in to your blog again to use Pint AI".into()),
        _ if message.is_empty() => AiError::Provider {
            provider: Provider::Pint.name(),
            status,
            message: "no explanation given".into(),
        },
        _ => AiError::Refused(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_in_words_with_the_provider_named() {
        let openai = r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}"#;
        let e = refusal(Provider::OpenAi, 401, None, openai);
        assert_eq!(e, AiError::WrongKey { provider: "OpenAI" });
        assert!(e.to_string().starts_with("OpenAI did not accept this key"));

        let quota = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#;
        assert_eq!(
            refusal(Provider::OpenAi, 429, None, quota),
            AiError::OutOfCredit { provider: "OpenAI" }
        );
        let busy = r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}"#;
        let e = refusal(Provider::Anthropic, 429, Some(30), busy);
        assert_eq!(
            e.to_string(),
            "Anthropic is limiting requests: try again in 30 seconds"
        );
        let broke = r#"{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API."}}"#;
        assert_eq!(
            refusal(Provider::Anthropic, 400, None, broke),
            AiError::OutOfCredit {
                provider: "Anthropic"
            }
        );
        assert_eq!(
            refusal(Provider::OpenRouter, 402, None, "{}"),
            AiError::OutOfCredit {
                provider: "OpenRouter"
            }
        );
        let down = refusal(Provider::Compatible, 500, None, "<html>oops</html>");
        assert_eq!(
            down.to_string(),
            "the OpenAI-compatible server answered with an error (500): no explanation given"
        );
    }
}
