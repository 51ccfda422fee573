//! A local Stripe for Pint's tests. It answers the paths async-stripe calls (customers,
//! Checkout sessions and their line items, Billing Portal sessions, prices), reads
//! form-encoded requests as Stripe does, answers Stripe's objects and error bodies, and
//! sends webhooks signed as Stripe signs them (`t=…,v1=HMAC-SHA256("{t}.{body}")`).
//!
//! What a person does on Stripe's pages (paying on Checkout) and what Stripe decides by
//! itself (a renewal that fails, giving up after its retries, a refund, a dispute) are
//! methods here, and `/_fake/…` routes for tests in other languages (the window's e2e
//! tests start the `pint-fake-stripe` binary).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

mod http;
pub mod objects;

pub use objects::PriceSpec;
pub use objects::Session;

/// A delivered event and what the endpoint answered (0: not reached).
#[derive(Debug, Clone)]
pub struct Delivery {
    pub event: Value,
    pub status: u16,
}

#[derive(Debug, Default)]
struct State {
    next: u64,
    customers: BTreeMap<String, Value>,
    /// Idempotency-Key → the answer given to it first.
    idempotent: HashMap<String, (u16, Value)>,
    products: BTreeMap<String, Value>,
    prices: BTreeMap<String, Value>,
    sessions: BTreeMap<String, Session>,
    subscriptions: BTreeMap<String, Value>,
    charges: BTreeMap<String, Value>,
    payment_intents: BTreeMap<String, Value>,
    /// Path prefixes whose next request fails with Stripe's 500.
    fail_next: Vec<String>,
    /// Every API request: (method, path).
    requests: Vec<(String, String)>,
    webhook: Option<(String, String)>,
    /// Events not yet sent (held) and every delivery made.
    held: Vec<Value>,
    hold: bool,
    deliveries: Vec<Delivery>,
}

impl State {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}_fake{:06}", self.next)
    }
}

/// A running fake Stripe (`Fake`'s methods); it stops when dropped.
#[derive(Debug, Clone)]
pub struct FakeStripe {
    fake: Fake,
    _server: Arc<ServerTask>,
}

impl std::ops::Deref for FakeStripe {
    type Target = Fake;
    fn deref(&self) -> &Fake {
        &self.fake
    }
}

/// The fake's state and what can happen to it.
#[derive(Debug, Clone)]
pub struct Fake {
    /// Where the API answers, with the trailing slash async-stripe wants.
    pub base: String,
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct ServerTask(tokio::task::JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The secret key the fake accepts (any `sk_test_…` works).
pub const SECRET_KEY: &str = "sk_test_fake";

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
    .unwrap_or(0)
}

/// Stripe's signature header for `body` under `secret` at `t`.
pub fn signature(body: &[u8], secret: &str, t: i64) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

impl FakeStripe {
    /// Start on 127.0.0.1 (`port` 0: any free port).
    pub async fn start(port: u16) -> anyhow::Result<Self> {
        use poem::listener::{Acceptor, Listener};
        let _ = rustls::crypto::ring::default_provider().install_default();
        let state = Arc::new(Mutex::new(State::default()));
        let acceptor = poem::listener::TcpListener::bind(format!("127.0.0.1:{port}"))
            .into_acceptor()
            .await?;
        let addr = acceptor
            .local_addr()
            .into_iter()
            .find_map(|a| a.as_socket_addr().copied())
            .ok_or_else(|| anyhow::anyhow!("the fake Stripe has no address"))?;
        let base = format!("http://{addr}/");
        let fake = Fake { base, state };
        let app = http::routes(fake.clone());
        let task = tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
        });
        Ok(FakeStripe {
            fake,
            _server: Arc::new(ServerTask(task)),
        })
    }
}

impl Fake {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where events go, signed with `secret`.
    pub fn send_webhooks_to(&self, url: &str, secret: &str) {
        self.state().webhook = Some((url.to_owned(), secret.to_owned()));
    }

    /// Hold events instead of sending them (a test sends them itself, in any order).
    pub fn hold_events(&self, hold: bool) {
        self.state().hold = hold;
    }

    /// The events held so far, taken.
    pub fn take_held(&self) -> Vec<Value> {
        std::mem::take(&mut self.state().held)
    }

    /// Every delivery made so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state().deliveries.clone()
    }

    /// Every API request so far, as (method, path).
    pub fn requests(&self) -> Vec<(String, String)> {
        self.state().requests.clone()
    }

    /// The next API request whose path starts with `path` fails with Stripe's 500.
    pub fn fail_next(&self, path: &str) {
        self.state().fail_next.push(path.to_owned());
    }

    /// Put a price on sale (and its product); sends `product.created` and
    /// `price.created`. Answers the price's id.
    pub async fn add_price(&self, spec: PriceSpec) -> String {
        let (events, id) = {
            let mut s = self.state();
            let t = now();
            let product_id = s.id("prod");
            let price_id = s.id("price");
            let product = objects::product(&product_id, &spec.product_name, &json!({}), t);
            let price = objects::price(&price_id, &product_id, &spec, true, t);
            s.products.insert(product_id, product.clone());
            s.prices.insert(price_id.clone(), price.clone());
            (
                vec![("product.created", product), ("price.created", price)],
                price_id,
            )
        };
        self.emit(events).await;
        id
    }

    /// Take a price off sale (`price.updated` with `active: false`).
    pub async fn archive_price(&self, price_id: &str) {
        let price = {
            let mut s = self.state();
            let Some(price) = s.prices.get_mut(price_id) else {
                return;
            };
            price["active"] = json!(false);
            price.clone()
        };
        self.emit(vec![("price.updated", price)]).await;
    }

    /// A Checkout session as it stands (what it made once paid).
    pub fn session(&self, id: &str) -> Option<Session> {
        self.state().sessions.get(id).cloned()
    }

    /// How many customers were made.
    pub fn customers(&self) -> usize {
        self.state().customers.len()
    }

    /// The newest Checkout session: (id, url).
    pub fn latest_session(&self) -> Option<(String, String)> {
        let s = self.state();
        s.sessions
            .values()
            .max_by_key(|x| (x.created, x.id.clone()))
            .map(|x| (x.id.clone(), x.url.clone()))
    }

    /// The person pays on the Checkout page: a subscription (with its first invoice paid)
    /// or a one-time payment (with its charge) is made, and Stripe's events are sent.
    /// Answers where Checkout sends the browser (the success URL).
    pub async fn pay(&self, session_id: &str) -> Result<String, String> {
        let (events, success) = {
            let mut s = self.state();
            let t = now();
            let Some(session) = s.sessions.get(session_id).cloned() else {
                return Err(format!("no Checkout session {session_id}"));
            };
            if session.complete() {
                return Err("this Checkout session is complete already".into());
            }
            let price = s
                .prices
                .get(&session.spec.price)
                .cloned()
                .unwrap_or(Value::Null);
            let product_name = product_name(&s, &price);
            let mut session = session;
            let mut events = Vec::new();
            if session.spec.mode == "subscription" {
                let sub_id = s.id("sub");
                let invoice_id = s.id("in");
                let sub = objects::subscription(
                    &sub_id,
                    &session.spec.customer,
                    &price,
                    "active",
                    &session.spec.child_metadata,
                    t,
                );
                let invoice = objects::invoice(
                    &invoice_id,
                    &session.spec.customer,
                    &sub_id,
                    &price,
                    &product_name,
                    true,
                    t,
                );
                s.subscriptions.insert(sub_id.clone(), sub.clone());
                session.subscription = Some(sub_id);
                session.invoice = Some(invoice_id);
                events.push(("customer.subscription.created", sub));
                events.push(("invoice.paid", invoice));
            } else {
                let pi = s.id("pi");
                let charge_id = s.id("ch");
                let charge = objects::charge(
                    &charge_id,
                    &session.spec.customer,
                    &pi,
                    session.amount_total,
                    &session.currency,
                    t,
                );
                let intent = objects::payment_intent(
                    &pi,
                    &session.spec.customer,
                    session.amount_total,
                    &session.currency,
                    &charge_id,
                    &session.spec.child_metadata,
                    t,
                );
                s.payment_intents.insert(pi.clone(), intent);
                s.charges.insert(charge_id, charge.clone());
                session.payment_intent = Some(pi);
                events.push(("charge.succeeded", charge));
            }
            events.push(("checkout.session.completed", session.to_json(None)));
            let success = session
                .spec
                .success_url
                .replace("{CHECKOUT_SESSION_ID}", &session.id);
            s.sessions.insert(session.id.clone(), session);
            (events, success)
        };
        self.emit(events).await;
        Ok(success)
    }

    /// A renewal's payment fails: the invoice stays open and the subscription is
    /// past_due while Stripe retries.
    pub async fn fail_renewal(&self, subscription_id: &str) -> Result<(), String> {
        let events = {
            let mut s = self.state();
            let t = now();
            let sub = s
                .subscriptions
                .get_mut(subscription_id)
                .ok_or_else(|| format!("no subscription {subscription_id}"))?;
            sub["status"] = json!("past_due");
            let sub = sub.clone();
            let price = sub["items"]["data"][0]["price"].clone();
            let customer = sub["customer"].as_str().unwrap_or_default().to_owned();
            let invoice_id = s.id("in");
            let name = product_name(&s, &price);
            let invoice = objects::invoice(
                &invoice_id,
                &customer,
                subscription_id,
                &price,
                &name,
                false,
                t,
            );
            vec![
                ("invoice.payment_failed", invoice),
                ("customer.subscription.updated", sub),
            ]
        };
        self.emit(events).await;
        Ok(())
    }

    /// Stripe gives up after its retries and cancels the subscription.
    pub async fn give_up(&self, subscription_id: &str) -> Result<(), String> {
        let sub = {
            let mut s = self.state();
            let sub = s
                .subscriptions
                .get_mut(subscription_id)
                .ok_or_else(|| format!("no subscription {subscription_id}"))?;
            sub["status"] = json!("canceled");
            sub["ended_at"] = json!(now());
            sub.clone()
        };
        self.emit(vec![("customer.subscription.deleted", sub)])
            .await;
        Ok(())
    }

    /// The charge of a one-time payment, by its payment intent.
    pub fn charge_of(&self, payment_intent: &str) -> Option<String> {
        self.state()
            .charges
            .values()
            .find(|c| c["payment_intent"] == payment_intent)
            .and_then(|c| c["id"].as_str().map(str::to_owned))
    }

    /// Refund a charge in full.
    pub async fn refund(&self, charge_id: &str) -> Result<(), String> {
        let charge = {
            let mut s = self.state();
            let charge = s
                .charges
                .get_mut(charge_id)
                .ok_or_else(|| format!("no charge {charge_id}"))?;
            charge["amount_refunded"] = charge["amount"].clone();
            charge["refunded"] = json!(true);
            charge.clone()
        };
        self.emit(vec![("charge.refunded", charge)]).await;
        Ok(())
    }

    /// The card's owner disputes a charge.
    pub async fn dispute(&self, charge_id: &str) -> Result<(), String> {
        let dispute = {
            let mut s = self.state();
            let t = now();
            let id = s.id("dp");
            let charge = s
                .charges
                .get_mut(charge_id)
                .ok_or_else(|| format!("no charge {charge_id}"))?;
            charge["disputed"] = json!(true);
            let amount = charge["amount"].as_i64().unwrap_or(0);
            let currency = charge["currency"].as_str().unwrap_or("eur").to_owned();
            let pi = charge["payment_intent"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            objects::dispute(&id, charge_id, &pi, amount, &currency, t)
        };
        self.emit(vec![("charge.dispute.created", dispute)]).await;
        Ok(())
    }

    /// Send the held events again (or any events) to the webhook, in the order given.
    pub async fn send(&self, events: Vec<Value>) -> Vec<u16> {
        let mut statuses = Vec::new();
        for event in events {
            statuses.push(self.deliver(event).await);
        }
        statuses
    }

    /// Make events now and send them (or hold them).
    async fn emit(&self, events: Vec<(&str, Value)>) {
        let made: Vec<Value> = {
            let mut s = self.state();
            let t = now();
            events
                .into_iter()
                .map(|(kind, object)| {
                    let id = s.id("evt");
                    objects::event(&id, kind, object, t)
                })
                .collect()
        };
        let hold = self.state().hold;
        if hold {
            self.state().held.extend(made);
            return;
        }
        self.send(made).await;
    }

    async fn deliver(&self, event: Value) -> u16 {
        let hook = self.state().webhook.clone();
        let Some((url, secret)) = hook else {
            self.state().held.push(event);
            return 0;
        };
        let body = serde_json::to_vec(&event).unwrap_or_default();
        let header = signature(&body, &secret, now());
        let status = match reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json; charset=utf-8")
            .header("stripe-signature", header)
            .timeout(std::time::Duration::from_secs(30))
            .body(body)
            .send()
            .await
        {
            Ok(r) => r.status().as_u16(),
            Err(_) => 0,
        };
        self.state().deliveries.push(Delivery { event, status });
        status
    }
}

fn product_name(s: &State, price: &Value) -> String {
    price["product"]
        .as_str()
        .and_then(|p| s.products.get(p))
        .and_then(|p| p["name"].as_str())
        .unwrap_or("Pint")
        .to_owned()
}

/// A request's form fields (`line_items[0][price]` kept as one key, as Stripe writes them).
type Form = BTreeMap<String, String>;

/// `prefix[key]=value` fields as a JSON object (metadata).
fn nested(form: &Form, prefix: &str) -> Value {
    let mut out = serde_json::Map::new();
    let start = format!("{prefix}[");
    for (k, v) in form {
        if let Some(rest) = k.strip_prefix(&start)
            && let Some(key) = rest.strip_suffix(']')
            && !key.contains('[')
        {
            out.insert(key.to_owned(), Value::String(v.clone()));
        }
    }
    Value::Object(out)
}
