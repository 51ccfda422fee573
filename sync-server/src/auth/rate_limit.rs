//! Rate limits on the doors attackers knock on: sign-in, registration (and later password
//! reset), per client IP and per account. In memory, per server process (GCRA, from
//! `governor`); a limited request answers 429 RATE_LIMIT_EXCEEDED with `Retry-After`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use pint_model::ErrorCode;

use crate::http::ApiError;

/// One limit: at most `per_minute` per key, in bursts of as many.
pub struct Limit {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    what: &'static str,
    checks: AtomicU64,
}

impl std::fmt::Debug for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Limit({})", self.what)
    }
}

impl Limit {
    pub fn per_minute(n: u32, what: &'static str) -> Self {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Limit {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)),
            clock: DefaultClock::default(),
            what,
            checks: AtomicU64::new(0),
        }
    }

    /// Count one attempt for `key`; refused when the key is over its limit.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        // Forget keys that are back to full allowance now and then, so memory stays
        // bounded by the attackers of the last minute.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        match self.limiter.check_key(&key.to_owned()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                tracing::warn!(what = self.what, "rate limited");
                Err(ApiError::new(
                    ErrorCode::RateLimitExceeded,
                    format!("too many {}; try again in {secs} s", self.what),
                )
                .with_details(serde_json::json!({ "retryAfterSeconds": secs.max(1) })))
            }
        }
    }
}

/// The limits of the auth endpoints.
#[derive(Debug)]
pub struct Limits {
    pub login_per_ip: Limit,
    pub login_per_account: Limit,
    pub register_per_ip: Limit,
    pub register_per_account: Limit,
    pub reset_per_ip: Limit,
    /// Mails an account can be sent on request (resets, verification again).
    pub mail_per_account: Limit,
    /// Passwords of protected posts tried from one address.
    pub post_password_per_ip: Limit,
    /// Likes (and taking them back) from one address.
    pub likes_per_ip: Limit,
    /// Subscription requests (each sends a mail) from one address.
    pub subscribe_per_ip: Limit,
    /// Notes for a wall of love from one address.
    pub love_per_ip: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_per_ip: Limit::per_minute(30, "sign-in attempts from this address"),
            login_per_account: Limit::per_minute(10, "sign-in attempts for this account"),
            register_per_ip: Limit::per_minute(10, "registrations from this address"),
            register_per_account: Limit::per_minute(5, "registrations with this email"),
            reset_per_ip: Limit::per_minute(10, "password resets from this address"),
            mail_per_account: Limit::per_minute(3, "mails asked for this account"),
            post_password_per_ip: Limit::per_minute(10, "password attempts from this address"),
            likes_per_ip: Limit::per_minute(30, "likes from this address"),
            subscribe_per_ip: Limit::per_minute(5, "subscriptions from this address"),
            love_per_ip: Limit::per_minute(5, "notes from this address"),
        }
    }
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy, in which case
/// the right-most address of `X-Forwarded-For` that is not itself a trusted proxy (the
/// proxies append; anything left of the last trusted hop is the client's to forge).
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[ipnet::IpNet],
) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// The key of a client address: one IPv6 /64 counts as one client (one household or
/// server gets a whole /64, and would otherwise have 2^64 addresses to rotate through).
pub fn ip_key(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_over_its_limit_is_refused_with_a_wait_and_others_are_not() {
        let limit = Limit::per_minute(3, "tries");
        for _ in 0..3 {
            limit.check("a").unwrap();
        }
        let err = limit.check("a").unwrap_err();
        assert_eq!(err.code, ErrorCode::RateLimitExceeded);
        let wait = err.details["retryAfterSeconds"].as_u64().unwrap();
        assert!((1..=20).contains(&wait), "{wait}");
        limit.check("b").unwrap();
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // Straight from the internet: the header is ignored.
        assert_eq!(
            client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.9")
        );
        // Through the proxy: the right-most untrusted hop; forged entries left of it ignored.
        assert_eq!(
            client_ip(Some(proxy), Some("1.2.3.4, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(Some(proxy), Some("198.51.100.7, 10.0.0.9"), &trusted),
            ip("198.51.100.7")
        );
        // No header or garbage: the proxy itself.
        assert_eq!(client_ip(Some(proxy), None, &trusted), Some(proxy));
        assert_eq!(
            client_ip(Some(proxy), Some("garbage"), &trusted),
            Some(proxy)
        );
        // Nothing trusted: the peer.
        assert_eq!(client_ip(Some(proxy), Some("1.2.3.4"), &[]), Some(proxy));
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(ip_key(Some(a)), ip_key(Some(b)));
        assert_eq!(ip_key(Some("::ffff:10.0.0.1".parse().unwrap())), "10.0.0.1");
    }
}
