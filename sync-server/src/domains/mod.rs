//! Blogs at their own domain. An owner or admin claims a domain (`PUT …/domain`), adds
//! the TXT record `_pint-verify.<domain>` = `pint-verify=<token>` at their DNS host and
//! points the domain at Pint, then asks for verification (`POST …/domain/verify`): the
//! server reads the record and, when it is there, serves the blog at that Host. A
//! domain serves nothing before it is verified, and only one blog can have it.

pub mod dns;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pint_model::ErrorCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::auth::BearerAuth;
use crate::billing::{Limit, Plans};
use crate::blog::Site;
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::domains::{DomainRecord, Verified};
use crate::events::{Change, Listener};
use crate::http::ApiError;
use crate::http::validation::Fields;
use crate::tenants::{Action, scope_for};

/// The name the TXT record is at.
pub fn txt_name(domain: &str) -> String {
    format!("_pint-verify.{domain}")
}

/// What the TXT record must say.
pub fn txt_value(token: &str) -> String {
    format!("pint-verify={token}")
}

/// `domain` as stored (lowercase, no final dot), or why it cannot be a blog's domain.
pub fn normalize(domain: &str, site: &Site) -> Result<String, String> {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if !d.is_ascii() {
        return Err("must be ASCII: write an international name in its xn-- form".into());
    }
    if d.len() > 253 {
        return Err("is longer than 253 characters".into());
    }
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 {
        return Err("must be a full domain name, such as blog.example.com".into());
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!("has a part that is not a DNS label: “{label}”"));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err("must be a name, not an IP address".into());
    }
    if let Some(blog_domain) = &site.blog_domain
        && (d == *blog_domain || d.ends_with(&format!(".{blog_domain}")))
    {
        return Err(format!(
            "is under {blog_domain}, where every blog has its name already"
        ));
    }
    if url::Url::parse(&site.public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|h| h == d)
    {
        return Err("is this server's own name".into());
    }
    Ok(d)
}

/// Which blog a Host names, for the blog's routing: verified domains, kept for 30 s
/// (unknown names too, so requests for other names do not each reach the database).
/// Dropped when this server changes a domain, and when any server announces that a
/// blog changed.
#[derive(Debug)]
pub struct DomainHosts {
    storage: Arc<Storage>,
    seen: Mutex<HashMap<String, (Option<String>, Instant)>>,
}

const HOST_TTL: Duration = Duration::from_secs(30);
const MAX_HOSTS: usize = 10_000;

impl DomainHosts {
    pub fn new(storage: Arc<Storage>) -> Self {
        DomainHosts {
            storage,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The subdomain of the blog whose verified domain `host` is (lowercase, no port).
    pub async fn blog_at(&self, host: &str) -> Option<String> {
        if let Ok(seen) = self.seen.lock()
            && let Some((found, at)) = seen.get(host)
            && at.elapsed() < HOST_TTL
        {
            return found.clone();
        }
        let found = match self.storage.blog_by_domain(host).await {
            Ok(blog) => blog.map(|b| b.subdomain),
            Err(e) => {
                tracing::warn!(error = %e, "custom domains could not be read");
                return None;
            }
        };
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= MAX_HOSTS {
                seen.clear();
            }
            seen.insert(host.to_owned(), (found.clone(), Instant::now()));
        }
        found
    }

    pub fn clear(&self) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.clear();
        }
    }
}

/// A blog changed (its domain among what may have): the hosts are read again.
impl Listener for DomainHosts {
    fn heard(&self, change: &Change) {
        if let Change::Blog { .. } = change {
            self.clear();
        }
    }
}

/// A blog's domain, as its owners see it.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct DomainView {
    pub domain: String,
    /// Readers reach the blog there.
    pub verified: bool,
    /// Unix ms.
    pub verified_at: Option<i64>,
    /// The TXT record to add at the domain's DNS host: its name…
    pub txt_name: String,
    /// …and its value.
    pub txt_value: String,
}

impl From<DomainRecord> for DomainView {
    fn from(d: DomainRecord) -> Self {
        DomainView {
            txt_name: txt_name(&d.domain),
            txt_value: txt_value(&d.token),
            verified: d.verified_at.is_some(),
            verified_at: d.verified_at,
            domain: d.domain,
        }
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct ClaimDomain {
    /// Such as `blog.example.com`.
    domain: String,
}

#[derive(Debug, ApiResponse)]
enum Removed {
    #[oai(status = 204)]
    Done,
}

fn no_domain() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "this blog has no domain of its own")
}

/// Verifying before a domain is claimed: the blog is there, the claim is not (409, not
/// 404, which would say the blog is not there).
fn nothing_to_verify() -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        "this blog has claimed no domain to verify; claim one first",
    )
    .with_details(serde_json::json!({ "reason": "no-domain" }))
}

#[derive(Debug, Default)]
pub struct DomainsApi;

#[OpenApi(prefix_path = "/v1/tenants")]
impl DomainsApi {
    /// The blog's own domain and whether it is verified (owners and admins).
    #[oai(path = "/:id/domain", method = "get")]
    async fn get(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<DomainView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UpdateSettings,
            "its domain",
        )
        .await?;
        let found = storage.domain(&scope).await?;
        Ok(Json(found.ok_or_else(no_domain)?.into()))
    }

    /// Claim a domain for the blog (owners and admins): the answer names the TXT record
    /// to add before verifying. Claiming another domain replaces the claim (and a
    /// verified domain stops serving the blog); the same domain again changes nothing.
    #[oai(path = "/:id/domain", method = "put")]
    async fn claim(
        &self,
        storage: Data<&Arc<Storage>>,
        site: Data<&Site>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<ClaimDomain>,
        plans: Data<&Plans>,
    ) -> poem::Result<Json<DomainView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UpdateSettings,
            "its domain",
        )
        .await?;
        own_domain_allowed(&storage, **plans, &scope).await?;
        let normalized = normalize(&body.domain, &site);
        Fields::new()
            .check("domain", normalized.clone().err())
            .finish()?;
        let Ok(domain) = normalized else {
            return Err(ApiError::internal().into());
        };
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| ApiError::internal())?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let record = storage
            .claim_domain(&scope, &domain, &token, now_ms())
            .await?;
        Ok(Json(record.into()))
    }

    /// Verify the claimed domain (owners and admins): the TXT record must be there. Not
    /// there yet: 409 with `details.reason = "txt-record-missing"` and what DNS holds;
    /// another blog has the domain: 409 `"taken"`.
    #[oai(path = "/:id/domain/verify", method = "post")]
    async fn verify(
        &self,
        storage: Data<&Arc<Storage>>,
        dns: Data<&Arc<dns::Dns>>,
        plans: Data<&Plans>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<DomainView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UpdateSettings,
            "its domain",
        )
        .await?;
        own_domain_allowed(&storage, **plans, &scope).await?;
        let claim = storage
            .domain(&scope)
            .await?
            .ok_or_else(nothing_to_verify)?;
        let name = txt_name(&claim.domain);
        let want = txt_value(&claim.token);
        let found = dns.txt(&name).await;
        let present = found
            .as_ref()
            .is_ok_and(|f| f.iter().any(|t| t.trim() == want));
        if !present {
            let (message, seen) = match &found {
                Ok(seen) => (
                    format!(
                        "{name} does not hold the TXT record “{want}” yet: add it, then verify again (DNS changes can take a while to appear)"
                    ),
                    seen.clone(),
                ),
                Err(e) => (format!("{e}; try again in a moment"), Vec::new()),
            };
            let seen: Vec<String> = seen
                .into_iter()
                .take(20)
                .map(|s| s.chars().take(255).collect())
                .collect();
            return Err(ApiError::new(ErrorCode::Conflict, message)
                .with_details(serde_json::json!({
                    "reason": "txt-record-missing", "txtName": name, "txtValue": want,
                    "found": seen,
                }))
                .into());
        }
        match storage
            .mark_domain_verified(&scope, &claim.domain, now_ms())
            .await?
        {
            Verified::Done(record) => Ok(Json(record.into())),
            Verified::Taken => Err(ApiError::new(
                ErrorCode::Conflict,
                format!("{} is verified for another blog already", claim.domain),
            )
            .with_details(serde_json::json!({ "reason": "taken" }))
            .into()),
            Verified::NoDomain => Err(nothing_to_verify().into()),
        }
    }

    /// Stop using the blog's own domain (owners and admins); done too when it has none.
    #[oai(path = "/:id/domain", method = "delete")]
    async fn remove(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Removed> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UpdateSettings,
            "its domain",
        )
        .await?;
        // Idempotent: with no domain of its own, the blog already uses none (a 404 would
        // say the blog is not there).
        storage.remove_domain(&scope).await?;
        Ok(Removed::Done)
    }
}

/// A new domain (claimed or verified) needs a plan with custom domains; one verified
/// before a downgrade keeps serving the blog.
async fn own_domain_allowed(
    storage: &Storage,
    plans: Plans,
    scope: &crate::db::tenants::TenantScope,
) -> poem::Result<()> {
    let tenant = storage
        .tenant(scope)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(crate::billing::plans::require_feature(
        plans,
        &tenant.plan,
        Limit::CustomDomain,
        "Using your own domain",
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_checked() {
        let site = Site {
            public_url: "https://pint.example".into(),
            blog_domain: Some("pint.blog".into()),
            plans: crate::billing::Plans { billing_on: false },
        };
        assert_eq!(
            normalize(" Blog.Example.COM. ", &site),
            Ok("blog.example.com".into())
        );
        assert_eq!(
            normalize("xn--bcher-kva.example", &site),
            Ok("xn--bcher-kva.example".into())
        );
        for bad in [
            "localhost",
            "bücher.example",
            "ada.pint.blog",
            "pint.blog",
            "pint.example",
            "10.0.0.1",
            "-x.example.com",
            "a..example.com",
            "a_b.example.com",
            "evil.com/path",
            "",
        ] {
            assert!(normalize(bad, &site).is_err(), "{bad}");
        }
        assert!(normalize(&format!("{}.com", "a".repeat(64)), &site).is_err());
    }
}
