//! The REST API's requests and answers, as both sides use them: the server describes and
//! parses them (with the `openapi` feature, as poem-openapi objects: the OpenAPI document
//! is made from these), the app's engine sends and reads them (serde). Field names are
//! camelCase on the wire; times are unix milliseconds unless a field says otherwise.

use serde::{Deserialize, Serialize};

/// Every error answer: `{"error": {...}, "meta": {"requestId"}}` (the server writes
/// it with this type too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ErrorBody {
    pub error: ErrorDetail,
    #[serde(default)]
    pub meta: ErrorMeta,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
#[serde(rename_all = "camelCase")]
pub struct ErrorMeta {
    /// The id the server's log knows the request by.
    #[serde(default)]
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ErrorDetail {
    /// An `ErrorCode` (e.g. `VALIDATION_ERROR`); clients act on it.
    pub code: String,
    /// For people.
    pub message: String,
    /// Varies by code: `{"fields": {name: problem}}` for validation errors, `{"reason"}`
    /// for some conflicts.
    #[serde(default)]
    pub details: serde_json::Value,
}

/// A user as the API shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// `user`, `admin` or `banned`.
    pub role: String,
    pub email_verified: bool,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A signed-in session: the user and the tokens to act as them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct SignedIn {
    pub user: UserView,
    pub session_id: String,
    /// Send as `Authorization: Bearer …`; good for 15 minutes.
    pub access_token: String,
    /// Unix seconds.
    pub access_token_expires_at: i64,
    /// Exchange at `/v1/auth/refresh` for new tokens; each works once.
    pub refresh_token: String,
    /// The blog created with the account, when one was asked for (null if its subdomain
    /// was taken in the same instant by someone else).
    #[serde(default)]
    pub blog: Option<TenantView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    /// Defaults to the part of the email before `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Shown in the list of sessions, e.g. "Ada's laptop".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// Create the account's first blog too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blog: Option<NewBlog>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A blog as its members see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct TenantView {
    pub id: String,
    pub subdomain: String,
    pub name: String,
    /// `free`, `pro`, `max` or `lifetime`.
    pub plan: String,
    pub settings: serde_json::Value,
    /// The caller's role in it.
    pub role: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A blog to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct NewBlog {
    /// 3–63 lowercase letters, digits and hyphens.
    pub subdomain: String,
    /// Defaults to the subdomain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A draft to create on the server, empty: its content arrives by sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct NewDocument {
    /// The automerge-repo document id the device chose (base58check of 16 bytes).
    pub document_id: String,
}

/// A draft as the server has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct DocumentView {
    pub document_id: String,
    /// Hex hashes of the document's heads on the server.
    pub heads: Vec<String>,
    /// The blog's change number at this document's last change: pass the largest one
    /// seen as `since` to learn what changed afterwards.
    pub change_seq: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct PublishRequest {
    /// The URL slug; default: the draft's own slug, else one made from its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// The revision to publish: the heads the creator's device has (what they saw).
    /// Default: the draft as the server has it now. When the server does not have this
    /// revision yet, the answer is 409 with `details.reason = "not-synced"`: sync, then
    /// publish again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heads: Option<Vec<String>>,
    /// Publish then (Unix ms) instead of now: the publication is scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    /// Readers need this password (4 to 256 characters); `""` removes it; absent: as
    /// it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A published post or page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct PostView {
    pub id: String,
    pub document_id: String,
    /// `post` or `page`.
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub tags: Vec<String>,
    /// The revision on the blog: the draft's heads when it was published. The app shows
    /// "changed since published" when the draft's heads differ.
    pub heads: Vec<String>,
    pub word_count: i64,
    pub reading_minutes: i64,
    /// Unix milliseconds.
    pub published_at: i64,
    pub updated_at: i64,
    /// Where readers find it on this server (path form).
    pub path: String,
    /// Readers need a password.
    pub protected: bool,
    /// The featured image published (empty: none).
    pub featured_image: String,
    /// The SEO fields published (empty fields are derived: title, excerpt, URL, image).
    pub meta_title: String,
    pub meta_description: String,
    pub canonical_url: String,
    pub og_image: String,
    /// A page's place in the navigation (none: after the ordered ones, by title).
    #[serde(default)]
    pub nav_order: Option<i64>,
}

/// A scheduled publication, as members see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct ScheduledView {
    pub document_id: String,
    /// When it goes on the blog (Unix ms).
    pub run_at: i64,
    /// The revision that will be published.
    pub heads: Vec<String>,
    #[serde(default)]
    pub slug: Option<String>,
    pub attempts: i64,
    /// Why the last attempt failed, if it did (it is tried again with backoff, up to
    /// five attempts).
    #[serde(default)]
    pub last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_leave_out_what_they_do_not_set() {
        let publish = PublishRequest {
            heads: Some(vec!["ab".into()]),
            ..PublishRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&publish).unwrap(),
            serde_json::json!({"heads": ["ab"]})
        );
        let login = LoginRequest {
            email: "a@example.com".into(),
            password: "pw".into(),
            device_name: None,
        };
        assert_eq!(
            serde_json::to_value(&login).unwrap(),
            serde_json::json!({"email": "a@example.com", "password": "pw"})
        );
    }

    #[test]
    fn answers_read_with_nulls_or_missing_optional_fields() {
        let job: ScheduledView = serde_json::from_value(serde_json::json!({
            "documentId": "d", "runAt": 5, "heads": [], "slug": null, "attempts": 0
        }))
        .unwrap();
        assert_eq!(job.last_error, None);
        let error: ErrorBody = serde_json::from_value(serde_json::json!({
            "error": {"code": "NOT_FOUND", "message": "no"}, "meta": {"requestId": "r"}
        }))
        .unwrap();
        assert_eq!(error.error.details, serde_json::Value::Null);
        assert_eq!(error.meta.request_id, "r");
    }
}

/// Which of these images the blog lacks (`POST /v1/tenants/{id}/missing-media`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct MediaMissingRequest {
    /// Image ids (32 lowercase hex digits), at most 100.
    pub ids: Vec<String>,
}

/// An image the blog lacks, and which of its variants are uploaded already.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct MissingMedia {
    pub id: String,
    /// Variant names (`960.webp`) stored already: an upload cut off resumes after them.
    pub uploaded: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct MediaMissingView {
    pub missing: Vec<MissingMedia>,
}

/// Keep an uploaded image: the names of all its variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct KeepMediaRequest {
    /// `WIDTH.FORMAT` names (`480.webp`, `480.jpeg`, …), every variant of the image.
    pub variants: Vec<String>,
}

/// One variant of a blog's image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct MediaVariantView {
    /// `960.webp`: also the last part of its URL on the blog.
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// `webp`, `jpeg` or `png`.
    pub format: String,
    pub bytes: i64,
}

/// A blog's image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct MediaView {
    pub id: String,
    pub width: u32,
    pub height: u32,
    /// Every variant together: what counts against the plan's storage.
    pub bytes: i64,
    pub created_at: i64,
    pub variants: Vec<MediaVariantView>,
}

/// A blog's images and the storage they take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct MediaLibraryView {
    pub used_bytes: i64,
    /// The plan's limit; `null`: none.
    pub limit_bytes: Option<i64>,
    /// Newest first.
    pub images: Vec<MediaView>,
}

/// What a blog's plan unlocks. `null` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct Entitlements {
    /// Published posts (pages do not count).
    #[ts(type = "number | null")]
    pub posts: Option<i64>,
    /// Bytes of images kept.
    #[ts(type = "number | null")]
    pub media_bytes: Option<i64>,
    /// People in the blog, the owner included.
    #[ts(type = "number | null")]
    pub members: Option<i64>,
    pub custom_domain: bool,
    pub scheduled_publishing: bool,
    pub password_protection: bool,
    /// Newsletter mailings of new posts per calendar month.
    #[ts(type = "number | null")]
    pub mailings_per_month: Option<i64>,
    /// Credits for managed AI granted each month.
    #[ts(type = "number")]
    pub ai_credits_per_month: i64,
    /// The "made with Pint" footer may be removed.
    pub remove_footer: bool,
}

/// Credits left of one grant, and when they expire (`null`: never).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct CreditLotView {
    #[ts(type = "number")]
    pub remaining: i64,
    /// Unix ms.
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
}

/// How much of each limit a blog uses now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct PlanUsage {
    #[ts(type = "number")]
    pub posts: i64,
    #[ts(type = "number")]
    pub media_bytes: i64,
    #[ts(type = "number")]
    pub members: i64,
    /// New-post mailings this month (UTC).
    #[ts(type = "number")]
    pub mailings: i64,
    /// Credits for managed AI.
    #[ts(type = "number")]
    pub credits: i64,
    /// Earliest-expiring first.
    pub credit_lots: Vec<CreditLotView>,
}

/// Something Stripe sells for a blog, at the price Stripe charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct PriceView {
    /// Stripe's price id (price_…), for `BillingCheckout`.
    pub id: String,
    pub product_name: String,
    /// pro or max (a subscription), lifetime (paid once), or credits (a pack).
    pub offer: String,
    /// The credits a pack holds.
    #[ts(type = "number | null")]
    pub credits: Option<i64>,
    /// In the currency's smallest unit (cents).
    #[ts(type = "number")]
    pub unit_amount: i64,
    /// ISO 4217, lowercase (`eur`).
    pub currency: String,
    /// `month` or `year` for a subscription; `null` when paid once.
    pub period: Option<String>,
    /// What the plan it buys unlocks (`null` for a pack of credits).
    pub limits: Option<Entitlements>,
}

/// One payment of a blog: an invoice of its subscription or a one-time payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct PaymentView {
    pub id: String,
    pub description: String,
    /// In the currency's smallest unit (cents).
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    /// paid, failed, refunded or disputed.
    pub status: String,
    /// Unix ms.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Stripe's page for the invoice or receipt.
    pub receipt_url: Option<String>,
}

/// A blog's billing: what it can buy, what it paid, and whether it has a Stripe customer
/// (then the Billing Portal is open to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct BillingView {
    pub prices: Vec<PriceView>,
    pub payments: Vec<PaymentView>,
    pub portal: bool,
}

/// Buy a price (`POST /v1/tenants/{id}/billing/checkout`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct BillingCheckout {
    pub price_id: String,
}

/// A Stripe page to open in the browser (Checkout or the Billing Portal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct StripePage {
    pub url: String,
}

/// A blog's plan, what it unlocks and what the blog uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[derive(ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", oai(rename_all = "camelCase"))]
pub struct PlanView {
    /// free, pro, max or lifetime.
    pub plan: String,
    /// Whether plans limit anything on this server (off: a self-hosted server, where
    /// every blog has everything).
    pub billing: bool,
    /// The subscription's last payment failed and Stripe is retrying (`past_due`): the
    /// plan holds meanwhile; the card should be updated before Stripe gives up.
    pub payment_problem: bool,
    /// Whether this server offers AI paid with the blog's credits (its operator set a key
    /// of its own): the app offers "Pint AI" beside the creator's own keys.
    #[serde(default)]
    pub managed_ai: bool,
    pub limits: Entitlements,
    pub usage: PlanUsage,
}
