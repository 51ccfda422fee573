//! Stripe's objects as its API writes them: every field async-stripe requires, and the
//! ones Pint reads, with Stripe's names and types (amounts in the currency's smallest
//! unit, times in unix seconds, ids with Stripe's prefixes).

use serde_json::{Value, json};

/// A product: what a price sells (`metadata` names the Pint plan or the credits).
pub fn product(id: &str, name: &str, metadata: &Value, now: i64) -> Value {
    json!({
        "id": id,
        "object": "product",
        "active": true,
        "created": now,
        "updated": now,
        "default_price": null,
        "description": null,
        "images": [],
        "livemode": false,
        "marketing_features": [],
        "metadata": metadata,
        "name": name,
        "type": "service",
        "url": null,
    })
}

/// What a price is for sale as: its amount, currency, and for subscriptions the interval.
#[derive(Debug, Clone)]
pub struct PriceSpec {
    pub product_name: String,
    pub unit_amount: i64,
    pub currency: String,
    /// `month` or `year` for a subscription; none for a one-time payment.
    pub interval: Option<String>,
    pub lookup_key: Option<String>,
    /// The price's metadata (`pint_plan`, `pint_credits`).
    pub metadata: Value,
}

/// A price, its product given by id (as Stripe writes it unless `expand` asks).
pub fn price(id: &str, product_id: &str, spec: &PriceSpec, active: bool, now: i64) -> Value {
    let recurring = spec.interval.as_ref().map(|interval| {
        json!({
            "interval": interval,
            "interval_count": 1,
            "meter": null,
            "trial_period_days": null,
            "usage_type": "licensed",
        })
    });
    json!({
        "id": id,
        "object": "price",
        "active": active,
        "billing_scheme": "per_unit",
        "created": now,
        "currency": spec.currency,
        "custom_unit_amount": null,
        "livemode": false,
        "lookup_key": spec.lookup_key,
        "metadata": spec.metadata,
        "nickname": null,
        "product": product_id,
        "recurring": recurring,
        "tax_behavior": "unspecified",
        "tiers_mode": null,
        "transform_quantity": null,
        "type": if spec.interval.is_some() { "recurring" } else { "one_time" },
        "unit_amount": spec.unit_amount,
        "unit_amount_decimal": spec.unit_amount.to_string(),
    })
}

pub fn customer(
    id: &str,
    email: Option<&str>,
    name: Option<&str>,
    metadata: &Value,
    now: i64,
) -> Value {
    json!({
        "id": id,
        "object": "customer",
        "address": null,
        "balance": 0,
        "created": now,
        "currency": null,
        "default_source": null,
        "delinquent": false,
        "description": null,
        "email": email,
        "invoice_prefix": id.trim_start_matches("cus_").to_uppercase(),
        "livemode": false,
        "metadata": metadata,
        "name": name,
        "phone": null,
        "preferred_locales": [],
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": null,
    })
}

/// What a new Checkout session was asked for.
#[derive(Debug, Clone)]
pub struct SessionSpec {
    pub mode: String,
    pub customer: String,
    pub price: String,
    pub quantity: u64,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub client_reference_id: Option<String>,
    pub metadata: Value,
    /// `subscription_data[metadata]` (subscription mode) or `payment_intent_data[metadata]`.
    pub child_metadata: Value,
}

/// A Checkout session as it stands: open and unpaid, or complete with what it made.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub spec: SessionSpec,
    pub created: i64,
    pub amount_total: i64,
    pub currency: String,
    pub url: String,
    pub subscription: Option<String>,
    pub payment_intent: Option<String>,
    pub invoice: Option<String>,
}

impl Session {
    pub fn complete(&self) -> bool {
        self.subscription.is_some() || self.payment_intent.is_some()
    }

    pub fn to_json(&self, line_items: Option<Value>) -> Value {
        let complete = self.complete();
        let mut session = json!({
            "id": self.id,
            "object": "checkout.session",
            "amount_subtotal": self.amount_total,
            "amount_total": self.amount_total,
            "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
            "cancel_url": self.spec.cancel_url,
            "client_reference_id": self.spec.client_reference_id,
            "created": self.created,
            "currency": self.currency,
            "custom_fields": [],
            "custom_text": {"after_submit": null, "shipping_address": null, "submit": null,
                            "terms_of_service_acceptance": null},
            "customer": self.spec.customer,
            "customer_creation": null,
            "expires_at": self.created + 24 * 3600,
            "invoice": self.invoice,
            "livemode": false,
            "locale": null,
            "metadata": self.spec.metadata,
            "mode": self.spec.mode,
            "payment_intent": self.payment_intent,
            "payment_method_types": ["card"],
            "payment_status": if complete { "paid" } else { "unpaid" },
            "shipping_options": [],
            "status": if complete { "complete" } else { "open" },
            "subscription": self.subscription,
            "success_url": self.spec.success_url,
            "ui_mode": "hosted",
            "url": if complete { Value::Null } else { Value::String(self.url.clone()) },
        });
        if let Some(items) = line_items {
            session["line_items"] = items;
        }
        session
    }
}

/// One line of a session (`line_items`), its price expanded as Stripe always does.
pub fn line_item(session_id: &str, price: &Value, product_name: &str, quantity: u64) -> Value {
    let amount = price["unit_amount"].as_i64().unwrap_or(0) * i64::try_from(quantity).unwrap_or(1);
    json!({
        "id": format!("li_{}", session_id.trim_start_matches("cs_test_")),
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": amount,
        "amount_tax": 0,
        "amount_total": amount,
        "currency": price["currency"],
        "description": product_name,
        "price": price,
        "quantity": quantity,
    })
}

pub fn list(url: &str, data: Vec<Value>) -> Value {
    json!({"object": "list", "data": data, "has_more": false, "url": url})
}

pub fn portal_session(
    id: &str,
    customer: &str,
    return_url: Option<&str>,
    url: &str,
    now: i64,
) -> Value {
    json!({
        "id": id,
        "object": "billing_portal.session",
        "configuration": "bpc_fake_default",
        "created": now,
        "customer": customer,
        "flow": null,
        "livemode": false,
        "locale": null,
        "on_behalf_of": null,
        "return_url": return_url,
        "url": url,
    })
}

/// A subscription with one item at `price`.
pub fn subscription(
    id: &str,
    customer: &str,
    price: &Value,
    status: &str,
    metadata: &Value,
    now: i64,
) -> Value {
    json!({
        "id": id,
        "object": "subscription",
        "cancel_at_period_end": false,
        "canceled_at": null,
        "created": now,
        "currency": price["currency"],
        "customer": customer,
        "ended_at": null,
        "items": list("/v1/subscription_items", vec![json!({
            "id": format!("si_{}", id.trim_start_matches("sub_")),
            "object": "subscription_item",
            "created": now,
            "current_period_start": now,
            "current_period_end": now + 30 * 24 * 3600,
            "metadata": {},
            "price": price,
            "quantity": 1,
            "subscription": id,
        })]),
        "latest_invoice": null,
        "livemode": false,
        "metadata": metadata,
        "start_date": now,
        "status": status,
    })
}

/// An invoice of a subscription: paid, or open with a failed attempt.
pub fn invoice(
    id: &str,
    customer: &str,
    subscription: &str,
    price: &Value,
    product_name: &str,
    paid: bool,
    now: i64,
) -> Value {
    let amount = price["unit_amount"].as_i64().unwrap_or(0);
    json!({
        "id": id,
        "object": "invoice",
        "amount_due": amount,
        "amount_paid": if paid { amount } else { 0 },
        "amount_remaining": if paid { 0 } else { amount },
        "attempt_count": 1,
        "attempted": true,
        "billing_reason": "subscription_cycle",
        "created": now,
        "currency": price["currency"],
        "customer": customer,
        "description": null,
        "hosted_invoice_url": format!("https://invoice.stripe.com/i/acct_fake/{id}"),
        "invoice_pdf": format!("https://pay.stripe.com/invoice/acct_fake/{id}/pdf"),
        "lines": list(&format!("/v1/invoices/{id}/lines"), vec![json!({
            "id": format!("il_{}", id.trim_start_matches("in_")),
            "object": "line_item",
            "amount": amount,
            "currency": price["currency"],
            "description": format!("1 × {product_name}"),
            "quantity": 1,
        })]),
        "livemode": false,
        "next_payment_attempt": if paid { Value::Null } else { json!(now + 3 * 24 * 3600) },
        "number": format!("FAKE-{}", id.trim_start_matches("in_")),
        "parent": {"type": "subscription_details",
                   "subscription_details": {"subscription": subscription, "metadata": {}}},
        "status": if paid { "paid" } else { "open" },
        "status_transitions": {"paid_at": if paid { json!(now) } else { Value::Null }},
    })
}

/// A charge for a one-time payment, as made (refunds and disputes change it after).
pub fn charge(
    id: &str,
    customer: &str,
    payment_intent: &str,
    amount: i64,
    currency: &str,
    now: i64,
) -> Value {
    json!({
        "id": id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": 0,
        "billing_details": {"address": null, "email": null, "name": null, "phone": null},
        "captured": true,
        "created": now,
        "currency": currency,
        "customer": customer,
        "disputed": false,
        "livemode": false,
        "metadata": {},
        "paid": true,
        "payment_intent": payment_intent,
        "receipt_url": format!("https://pay.stripe.com/receipts/payment/{id}"),
        "refunded": false,
        "status": "succeeded",
    })
}

/// A payment intent that succeeded with one charge (`latest_charge`, its id unless
/// expanded).
pub fn payment_intent(
    id: &str,
    customer: &str,
    amount: i64,
    currency: &str,
    charge: &str,
    metadata: &Value,
    now: i64,
) -> Value {
    json!({
        "id": id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": amount,
        "capture_method": "automatic_async",
        "confirmation_method": "automatic",
        "created": now,
        "currency": currency,
        "customer": customer,
        "latest_charge": charge,
        "livemode": false,
        "metadata": metadata,
        "payment_method_types": ["card"],
        "status": "succeeded",
    })
}

pub fn dispute(
    id: &str,
    charge: &str,
    payment_intent: &str,
    amount: i64,
    currency: &str,
    now: i64,
) -> Value {
    json!({
        "id": id,
        "object": "dispute",
        "amount": amount,
        "charge": charge,
        "created": now,
        "currency": currency,
        "livemode": false,
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": "needs_response",
    })
}

/// An event: what happened, with the object as it is now.
pub fn event(id: &str, kind: &str, object: Value, now: i64) -> Value {
    json!({
        "id": id,
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": now,
        "data": {"object": object},
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
    })
}

/// Stripe's error body.
pub fn error(kind: &str, message: &str, param: Option<&str>) -> Value {
    json!({"error": {"type": kind, "message": message, "param": param}})
}
