//! Tokens: short-lived access tokens (JWT, HS256, 15 minutes) and opaque refresh tokens
//! (32 random bytes), stored only as their SHA-256.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long an access token is good for.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// How long an unused refresh token is good for.
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 60 * 60;

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user.
    pub sub: String,
    /// The session (device sign-in) it belongs to.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    /// Always `access`, so no other token we might sign one day passes for one.
    pub typ: String,
}

/// How long a reader stays let in to a protected post.
pub const UNLOCK_TTL_SECS: i64 = 30 * 86_400;

/// The keys that sign and check access tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        // HS256 only: `alg: none` and every other algorithm are refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// An access token for a session, and when it expires (unix seconds).
    pub fn issue(
        &self,
        user_id: &str,
        session_id: &str,
        now_secs: i64,
    ) -> Result<(String, i64), jsonwebtoken::errors::Error> {
        let claims = AccessClaims {
            sub: user_id.to_owned(),
            sid: session_id.to_owned(),
            iat: now_secs,
            exp: now_secs + ACCESS_TTL_SECS,
            typ: "access".into(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, claims.exp))
    }

    /// A reader's proof of having given a protected post's password (a cookie value):
    /// good for 30 days, for that post only.
    pub fn issue_unlock(
        &self,
        post_id: &str,
        now_secs: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = AccessClaims {
            sub: post_id.to_owned(),
            sid: String::new(),
            iat: now_secs,
            exp: now_secs + UNLOCK_TTL_SECS,
            typ: "unlock".into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Whether `token` is a genuine, unexpired proof for `post_id`.
    pub fn check_unlock(&self, token: &str, post_id: &str) -> bool {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .is_ok_and(|d| d.claims.typ == "unlock" && d.claims.sub == post_id)
    }

    /// The unsubscribe link's token for a subscriber, put in every mail of new posts:
    /// signed, so nothing is stored per mail; valid for ten years (old mails' links work).
    pub fn issue_unsubscribe(
        &self,
        subscriber_id: &str,
        now_secs: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = AccessClaims {
            sub: subscriber_id.to_owned(),
            sid: String::new(),
            iat: now_secs,
            exp: now_secs + 10 * 366 * 86_400,
            typ: "unsubscribe".into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The subscriber a genuine unsubscribe token names.
    pub fn check_unsubscribe(&self, token: &str) -> Option<String> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .ok()
            .filter(|d| d.claims.typ == "unsubscribe")
            .map(|d| d.claims.sub)
    }

    /// The claims of a genuine, unexpired access token; `None` for anything else.
    pub fn check(&self, token: &str) -> Option<AccessClaims> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
            .filter(|c| c.typ == "access")
    }
}

/// A new refresh token and the hash it is stored as.
pub fn new_refresh_token() -> Result<(String, String), getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = refresh_hash(&token);
    Ok((token, hash))
}

/// What a refresh token is stored as: lookups are by this hash, so a database leak gives
/// no usable token and no comparison of secrets happens in our code.
pub fn refresh_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn issued_tokens_check_and_forged_ones_do_not() {
        let keys = TokenKeys::new(SECRET);
        let (token, exp) = keys.issue("u1", "s1", 1_000).unwrap();
        // Expired long ago at this test's wall clock: refused.
        assert_eq!(exp, 1_000 + ACCESS_TTL_SECS);
        assert!(keys.check(&token).is_none());
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let (token, _) = keys.issue("u1", "s1", now).unwrap();
        let claims = keys.check(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.sid.as_str()), ("u1", "s1"));
        // Another key.
        assert!(
            TokenKeys::new(b"another secret, also 32 bytes long!!")
                .check(&token)
                .is_none()
        );
        // `alg: none`, with the same claims.
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            keys.check(&format!("{none_header}.{}.", parts[1]))
                .is_none()
        );
        // A tampered payload under the original signature.
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&AccessClaims {
                sub: "admin".into(),
                ..claims
            })
            .unwrap(),
        );
        assert!(
            keys.check(&format!("{}.{forged}.{}", parts[0], parts[2]))
                .is_none()
        );
        assert!(keys.check("garbage").is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (a, ha) = new_refresh_token().unwrap();
        let (b, hb) = new_refresh_token().unwrap();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(refresh_hash(&a), ha);
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a));
    }
}
