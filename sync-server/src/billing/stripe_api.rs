//! The calls Pint makes to Stripe's API, through async-stripe: a blog's customer (made
//! once, under an idempotency key), Checkout sessions (subscriptions and one-time
//! payments), Billing Portal sessions, the prices on sale, and a completed session read
//! back with its line items. The address is configurable (`PINT_STRIPE_API_BASE`): tests
//! point it at a local fake that speaks Stripe's wire format.

use std::collections::HashMap;
use std::time::Duration;

use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionPaymentIntentData,
    CreateCheckoutSessionSubscriptionData, RetrieveCheckoutSession,
};
use stripe_checkout::{CheckoutSessionMode, CheckoutSessionPaymentStatus};
use stripe_core::customer::CreateCustomer;
use stripe_product::price::ListPrice;
use stripe_product::{Price, PriceType};
use stripe_types::Expandable;

use crate::settings::StripeSettings;

/// How long one call to Stripe may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Why a call to Stripe failed, in words for the log and the caller.
#[derive(Debug, thiserror::Error)]
pub enum StripeFailure {
    /// Stripe refused the request (a 4xx): what it said.
    #[error("Stripe refused the request: {0}")]
    Refused(String),
    /// Stripe could not be reached, failed (5xx) or answered something unreadable:
    /// worth trying again later.
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
}

impl From<StripeError> for StripeFailure {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::Stripe(api, status) if status < 500 => StripeFailure::Refused(
                api.message
                    .unwrap_or_else(|| format!("HTTP {status} without a message")),
            ),
            StripeError::Stripe(api, status) => StripeFailure::Unavailable(format!(
                "HTTP {status}: {}",
                api.message.unwrap_or_default()
            )),
            other => StripeFailure::Unavailable(other.to_string()),
        }
    }
}

/// What a price on sale buys, read from its metadata (`pint_plan`, `pint_credits`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// A plan (pro, max by subscription; lifetime paid once).
    Plan(super::Plan),
    /// A pack of credits for managed AI.
    Credits(i64),
}

/// A price Pint sells, as Stripe has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceOnSale {
    pub id: String,
    pub product_name: String,
    pub offer: Offer,
    pub unit_amount: i64,
    pub currency: String,
    /// `month` or `year`; none for a one-time price.
    pub period: Option<String>,
}

/// A Checkout session as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    pub id: String,
    pub paid: bool,
    pub price_id: Option<String>,
    pub tenant_id: Option<String>,
    pub payment_intent: Option<String>,
    /// Stripe's receipt of the payment's charge.
    pub receipt_url: Option<String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
}

/// Stripe, for one server.
#[derive(Clone)]
pub struct StripeApi {
    client: Client,
}

impl std::fmt::Debug for StripeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeApi").finish_non_exhaustive()
    }
}

impl StripeApi {
    pub fn new(settings: &StripeSettings) -> Result<Self, StripeFailure> {
        let mut builder = ClientBuilder::new(settings.secret_key.clone()).timeout(TIMEOUT);
        if let Some(base) = &settings.api_base {
            // async-stripe joins paths onto the base: it must end with a slash.
            let base = if base.ends_with('/') {
                base.clone()
            } else {
                format!("{base}/")
            };
            builder = builder.url(base);
        }
        Ok(StripeApi {
            client: builder.build()?,
        })
    }

    /// Make the blog's customer. The idempotency key is the blog's: two requests for it
    /// at the same moment (two servers) get one customer from Stripe.
    pub async fn create_customer(
        &self,
        tenant_id: &str,
        blog_name: &str,
    ) -> Result<String, StripeFailure> {
        let key = IdempotencyKey::new(format!("pint-customer-{tenant_id}"))
            .map_err(|e| StripeFailure::Refused(e.to_string()))?;
        // No email: Checkout asks the buyer for one and keeps it on the customer.
        let customer = CreateCustomer::new()
            .name(blog_name)
            .metadata(HashMap::from([(
                "tenant_id".to_owned(),
                tenant_id.to_owned(),
            )]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await?;
        Ok(customer.id.to_string())
    }

    /// A Checkout session for `price` (a subscription when the price recurs, a one-time
    /// payment otherwise), in the blog's name. Answers (id, the page's address).
    pub async fn checkout(
        &self,
        customer: &str,
        tenant_id: &str,
        price: &PriceOnSale,
        success_url: &str,
        cancel_url: &str,
    ) -> Result<(String, String), StripeFailure> {
        let metadata = HashMap::from([
            ("tenant_id".to_owned(), tenant_id.to_owned()),
            ("price_id".to_owned(), price.id.clone()),
        ]);
        let mut line = CreateCheckoutSessionLineItems::new();
        line.price = Some(price.id.clone());
        line.quantity = Some(1);
        let mut request = CreateCheckoutSession::new()
            .customer(customer)
            .client_reference_id(tenant_id)
            .line_items(vec![line])
            .metadata(metadata.clone())
            .success_url(success_url)
            .cancel_url(cancel_url);
        request = if price.period.is_some() {
            let mut data = CreateCheckoutSessionSubscriptionData::new();
            data.metadata = Some(metadata);
            request
                .mode(CheckoutSessionMode::Subscription)
                .subscription_data(data)
        } else {
            let mut data = CreateCheckoutSessionPaymentIntentData::new();
            data.metadata = Some(metadata);
            request
                .mode(CheckoutSessionMode::Payment)
                .payment_intent_data(data)
        };
        let session = request.send(&self.client).await?;
        let url = session.url.ok_or_else(|| {
            StripeFailure::Unavailable("Stripe made a Checkout session without a page".into())
        })?;
        Ok((session.id.to_string(), url))
    }

    /// A Billing Portal session for the customer; answers its address.
    pub async fn portal(&self, customer: &str, return_url: &str) -> Result<String, StripeFailure> {
        let session = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(return_url)
            .send(&self.client)
            .await?;
        Ok(session.url)
    }

    /// Every active price whose metadata says what Pint sells with it. Prices with no
    /// such metadata (another product of the same Stripe account) are left out.
    pub async fn prices_on_sale(&self) -> Result<Vec<PriceOnSale>, StripeFailure> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        // Bounded: 20 pages of 100 prices is far beyond any catalogue.
        for _ in 0..20 {
            let mut request = ListPrice::new()
                .active(true)
                .limit(100)
                .expand(vec!["data.product".to_owned()]);
            if let Some(after) = &after {
                request = request.starting_after(after.clone());
            }
            let page = request.send(&self.client).await?;
            after = page.data.last().map(|p| p.id.to_string());
            out.extend(page.data.iter().filter_map(on_sale));
            if !page.has_more || after.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// A Checkout session as Stripe has it now, with what it sold.
    pub async fn session(&self, id: &str) -> Result<SessionState, StripeFailure> {
        let session = RetrieveCheckoutSession::new(id)
            .expand(vec![
                "line_items".to_owned(),
                "payment_intent.latest_charge".to_owned(),
            ])
            .send(&self.client)
            .await?;
        let price_id = session
            .line_items
            .as_ref()
            .and_then(|items| items.data.first())
            .and_then(|item| item.price.as_ref())
            .map(|p| p.id.to_string());
        Ok(SessionState {
            id: session.id.to_string(),
            paid: matches!(
                session.payment_status,
                CheckoutSessionPaymentStatus::Paid
                    | CheckoutSessionPaymentStatus::NoPaymentRequired
            ),
            price_id,
            tenant_id: session
                .metadata
                .as_ref()
                .and_then(|m| m.get("tenant_id").cloned())
                .or(session.client_reference_id.clone()),
            payment_intent: session.payment_intent.as_ref().map(|p| p.id().to_string()),
            receipt_url: match &session.payment_intent {
                Some(Expandable::Object(pi)) => match &pi.latest_charge {
                    Some(Expandable::Object(charge)) => charge.receipt_url.clone(),
                    _ => None,
                },
                _ => None,
            },
            amount_total: session.amount_total,
            currency: session.currency.map(|c| c.to_string()),
        })
    }
}

/// What a price sells, if Pint sells it.
fn on_sale(price: &Price) -> Option<PriceOnSale> {
    let offer = if let Some(credits) = price.metadata.get("pint_credits") {
        Offer::Credits(credits.parse().ok().filter(|n: &i64| *n > 0)?)
    } else {
        let plan = price.metadata.get("pint_plan")?;
        let plan = super::Plan::ALL
            .into_iter()
            .find(|p| p.as_str() == plan && *p != super::Plan::Free)?;
        Offer::Plan(plan)
    };
    let period = price
        .recurring
        .as_ref()
        .map(|r| r.interval.as_str().to_owned());
    // A lifetime plan or a pack is paid once; pro and max recur.
    let one_time = matches!(
        offer,
        Offer::Credits(_) | Offer::Plan(super::Plan::Lifetime)
    );
    if one_time != (price.type_ == PriceType::OneTime) || one_time == period.is_some() {
        return None;
    }
    let product_name = match &price.product {
        Expandable::Object(product) => product.name.clone(),
        Expandable::Id(id) => id.to_string(),
    };
    Some(PriceOnSale {
        id: price.id.to_string(),
        product_name,
        offer,
        unit_amount: price.unit_amount?,
        currency: price.currency.to_string(),
        period,
    })
}
