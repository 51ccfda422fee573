//! Stripe's webhook signatures, checked as Stripe signs them: the `Stripe-Signature`
//! header is `t=TIMESTAMP,v1=HEX[,v1=HEX…]`, each `v1` an HMAC-SHA256 of
//! `"{t}.{body}"` under an endpoint's signing secret. Any `v1` under any configured
//! secret is accepted (during a rotation Stripe signs with both, and we may hold both),
//! compared in constant time, and only within the tolerance of the timestamp (replays
//! of an old delivery are refused). async-stripe's own check reads only the last `v1`,
//! which breaks during rotation (BUILD-NOTES), hence this one.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How old (or how far ahead) a signed timestamp may be.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header, or not one Stripe writes")]
    Malformed,
    #[error("the signature is {0} seconds away from now, over the {TOLERANCE_SECS} s tolerance")]
    Stale(i64),
    #[error("no signature matches a configured webhook secret")]
    Mismatch,
}

/// Check `header` for `body` at `now` (unix seconds) against `secrets`.
pub fn verify(
    header: &str,
    body: &[u8],
    secrets: &[String],
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", hex)) => {
                if let Ok(bytes) = hex::decode(hex) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let (Some(t), false) = (timestamp, signatures.is_empty()) else {
        return Err(SignatureError::Malformed);
    };
    let skew = (now - t).abs();
    if skew > TOLERANCE_SECS {
        return Err(SignatureError::Stale(skew));
    }
    for secret in secrets {
        for signature in &signatures {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
                continue;
            };
            mac.update(t.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            // Constant time.
            if mac.verify_slice(signature).is_ok() {
                return Ok(());
            }
        }
    }
    Err(SignatureError::Mismatch)
}

/// The header Stripe would send for `body` signed with `secret` at `t` (for tests and
/// the fake Stripe server).
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;

    #[test]
    fn a_signature_stripe_made_is_accepted_under_any_configured_secret() {
        let secrets = vec!["whsec_old".to_owned(), "whsec_new".to_owned()];
        let now = 1_800_000_000;
        for secret in &secrets {
            assert_eq!(
                verify(&sign(BODY, secret, now), BODY, &secrets, now),
                Ok(())
            );
        }
        // During a rotation Stripe sends both; ours may be the first or the last.
        let both = format!(
            "{},v1={}",
            sign(BODY, "whsec_unknown", now),
            sign(BODY, "whsec_new", now).split("v1=").nth(1).unwrap()
        );
        assert_eq!(verify(&both, BODY, &secrets, now), Ok(()));
        // A scheme other than v1 (v0 is a test-mode leftover) is not a signature.
        let v0 = sign(BODY, "whsec_new", now).replace("v1=", "v0=");
        assert_eq!(
            verify(&v0, BODY, &secrets, now),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn forged_altered_and_stale_deliveries_are_refused() {
        let secrets = vec!["whsec_new".to_owned()];
        let now = 1_800_000_000;
        assert_eq!(
            verify(&sign(BODY, "whsec_guess", now), BODY, &secrets, now),
            Err(SignatureError::Mismatch)
        );
        let altered = br#"{"id":"evt_1","type":"invoice.paid","amount":0}"#;
        assert_eq!(
            verify(&sign(BODY, "whsec_new", now), altered, &secrets, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&sign(BODY, "whsec_new", now - 301), BODY, &secrets, now),
            Err(SignatureError::Stale(301))
        );
        assert_eq!(
            verify(&sign(BODY, "whsec_new", now - 300), BODY, &secrets, now),
            Ok(())
        );
        for bad in [
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1800000000",
            "t=1800000000,v1=zz",
        ] {
            assert_eq!(
                verify(bad, BODY, &secrets, now),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            verify(&sign(BODY, "whsec_new", now), BODY, &[], now),
            Err(SignatureError::Mismatch),
            "no secret configured: nothing is trusted"
        );
    }
}
