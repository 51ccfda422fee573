//! The fake's HTTP side: Stripe's API paths (bearer key, form-encoded bodies,
//! `Idempotency-Key`, Stripe's error bodies), the Checkout and Portal pages a person
//! would see, and `/_fake/…` control routes for tests in other languages.

use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};
use serde_json::{Value, json};

use super::objects::{self, PriceSpec, Session, SessionSpec};
use super::{Fake, Form, nested, now, product_name};

pub fn routes(fake: Fake) -> impl Endpoint {
    poem::endpoint::make(move |req: Request| {
        let fake = fake.clone();
        async move { handle(fake, req).await }
    })
}

fn answer(status: u16, body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .header("request-id", "req_fake")
        .body(body.to_string())
}

fn invalid(message: &str, param: Option<&str>) -> (u16, Value) {
    (400, objects::error("invalid_request_error", message, param))
}

fn missing(kind: &str, id: &str, param: &str) -> (u16, Value) {
    (
        404,
        objects::error(
            "invalid_request_error",
            &format!("No such {kind}: '{id}'"),
            Some(param),
        ),
    )
}

fn form(text: &str) -> Form {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Whether `expand[N]=what` is among the fields.
fn expands(form: &Form, what: &str) -> bool {
    form.iter()
        .any(|(k, v)| (k.starts_with("expand[") || k == "expand") && v == what)
}

async fn handle(fake: Fake, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = req.into_body().into_string().await.unwrap_or_default();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();

    if segments.first() == Some(&"v1") {
        if !auth.starts_with("Bearer sk_test_") {
            return answer(
                401,
                &objects::error(
                    "invalid_request_error",
                    "Invalid API Key provided. You did not provide an API key, or not a test key.",
                    None,
                ),
            );
        }
        let failing = {
            let mut s = fake.state();
            s.requests.push((method.to_string(), path.clone()));
            match s
                .fail_next
                .iter()
                .position(|p| path.starts_with(p.as_str()))
            {
                Some(i) => {
                    s.fail_next.remove(i);
                    true
                }
                None => false,
            }
        };
        if failing {
            return answer(
                500,
                &objects::error("api_error", "An unknown error occurred (fake).", None),
            );
        }
        if method == Method::POST
            && let Some(key) = &key
            && let Some((status, body)) = fake.state().idempotent.get(key).cloned()
        {
            return answer(status, &body);
        }
        let fields = form(if method == Method::GET { &query } else { &body });
        let (status, out) = api(&fake, &method, &segments[1..], &fields);
        if method == Method::POST
            && let Some(key) = key
        {
            fake.state().idempotent.insert(key, (status, out.clone()));
        }
        return answer(status, &out);
    }

    match (method.as_str(), segments.as_slice()) {
        ("GET", ["checkout", id]) => checkout_page(&fake, id),
        ("POST", ["checkout", id, "pay"]) => match fake.pay(id).await {
            Ok(to) => Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header("location", to)
                .finish(),
            Err(why) => Response::builder().status(StatusCode::BAD_REQUEST).body(why),
        },
        ("GET", ["portal", id]) => Response::builder()
            .content_type("text/html; charset=utf-8")
            .body(format!(
                "<!doctype html><title>Billing portal</title><h1>Manage your billing</h1><p>{id}</p>"
            )),
        ("POST", ["_fake", rest @ ..]) | ("GET", ["_fake", rest @ ..]) => {
            let (status, out) = control(&fake, rest, &body).await;
            answer(status, &out)
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn checkout_page(fake: &Fake, id: &str) -> Response {
    let s = fake.state();
    let Some(session) = s.sessions.get(id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let price = s
        .prices
        .get(&session.spec.price)
        .cloned()
        .unwrap_or(Value::Null);
    let name = product_name(&s, &price);
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><title>Checkout</title><h1>{name}</h1>\
             <p>{} {}</p><form method=post action=\"/checkout/{id}/pay\">\
             <button>Pay</button></form>",
            session.amount_total, session.currency
        ))
}

/// Stripe's API, after the key and idempotency checks.
fn api(fake: &Fake, method: &Method, path: &[&str], f: &Form) -> (u16, Value) {
    let mut s = fake.state();
    let t = now();
    match (method.as_str(), path) {
        ("POST", ["customers"]) => {
            let id = s.id("cus");
            let c = objects::customer(
                &id,
                f.get("email").map(String::as_str),
                f.get("name").map(String::as_str),
                &nested(f, "metadata"),
                t,
            );
            s.customers.insert(id, c.clone());
            (200, c)
        }
        ("GET", ["customers", id]) => match s.customers.get(*id) {
            Some(c) => (200, c.clone()),
            None => missing("customer", id, "id"),
        },
        ("GET", ["prices"]) => {
            let active = f.get("active").map(String::as_str);
            let product = f.get("product");
            let expand = expands(f, "data.product");
            let data = s
                .prices
                .values()
                .filter(|p| match active {
                    Some("true") => p["active"] == true,
                    Some("false") => p["active"] == false,
                    _ => true,
                })
                .filter(|p| product.is_none_or(|x| p["product"] == x.as_str()))
                .map(|p| expanded(&s, p, expand))
                .collect();
            (200, objects::list("/v1/prices", data))
        }
        ("GET", ["prices", id]) => match s.prices.get(*id) {
            Some(p) => (200, expanded(&s, p, expands(f, "product"))),
            None => missing("price", id, "price"),
        },
        ("POST", ["checkout", "sessions"]) => {
            drop(s);
            create_session(fake, f, t)
        }
        ("GET", ["checkout", "sessions", id]) => match s.sessions.get(*id) {
            Some(x) => {
                let items = expands(f, "line_items").then(|| line_items(&s, x));
                let mut session = x.to_json(items);
                // Expanding a nested path expands the objects on the way, as Stripe does.
                let charge = expands(f, "payment_intent.latest_charge");
                if (charge || expands(f, "payment_intent"))
                    && let Some(pi) = x
                        .payment_intent
                        .as_ref()
                        .and_then(|p| s.payment_intents.get(p))
                {
                    let mut pi = pi.clone();
                    if charge
                        && let Some(c) = pi["latest_charge"].as_str().and_then(|c| s.charges.get(c))
                    {
                        pi["latest_charge"] = c.clone();
                    }
                    session["payment_intent"] = pi;
                }
                (200, session)
            }
            None => missing("checkout.session", id, "session"),
        },
        ("GET", ["checkout", "sessions", id, "line_items"]) => match s.sessions.get(*id) {
            Some(x) => (200, line_items(&s, x)),
            None => missing("checkout.session", id, "session"),
        },
        ("POST", ["billing_portal", "sessions"]) => {
            let Some(customer) = f.get("customer") else {
                return invalid("Missing required param: customer.", Some("customer"));
            };
            if !s.customers.contains_key(customer) {
                return missing("customer", customer, "customer");
            }
            let id = s.id("bps");
            let url = format!("{}portal/{id}", fake.base);
            let return_url = f.get("return_url").map(String::as_str);
            (
                200,
                objects::portal_session(&id, customer, return_url, &url, t),
            )
        }
        _ => (
            404,
            objects::error(
                "invalid_request_error",
                &format!(
                    "Unrecognized request URL ({method}: /v1/{}).",
                    path.join("/")
                ),
                None,
            ),
        ),
    }
}

fn expanded(s: &super::State, price: &Value, expand: bool) -> Value {
    let mut price = price.clone();
    if expand && let Some(product) = price["product"].as_str().and_then(|p| s.products.get(p)) {
        price["product"] = product.clone();
    }
    price
}

fn line_items(s: &super::State, x: &Session) -> Value {
    let price = s.prices.get(&x.spec.price).cloned().unwrap_or(Value::Null);
    let name = product_name(s, &price);
    objects::list(
        &format!("/v1/checkout/sessions/{}/line_items", x.id),
        vec![objects::line_item(&x.id, &price, &name, x.spec.quantity)],
    )
}

/// `POST /v1/checkout/sessions`, checked as Stripe checks it.
fn create_session(fake: &Fake, f: &Form, t: i64) -> (u16, Value) {
    let mut s = fake.state();
    let Some(mode) = f.get("mode").cloned() else {
        return invalid("Missing required param: mode.", Some("mode"));
    };
    if mode != "subscription" && mode != "payment" {
        return invalid(&format!("Invalid mode: {mode}"), Some("mode"));
    }
    let Some(success_url) = f.get("success_url").cloned() else {
        return invalid("Missing required param: success_url.", Some("success_url"));
    };
    let Some(customer) = f.get("customer").cloned() else {
        return invalid(
            "Pint's fake wants a customer on every session.",
            Some("customer"),
        );
    };
    if !s.customers.contains_key(&customer) {
        return missing("customer", &customer, "customer");
    }
    let Some(price_id) = f.get("line_items[0][price]").cloned() else {
        return invalid("Missing required param: line_items.", Some("line_items"));
    };
    let Some(price) = s.prices.get(&price_id).cloned() else {
        return missing("price", &price_id, "line_items[0][price]");
    };
    if price["active"] != true {
        return invalid(
            &format!("The price specified is inactive: {price_id}"),
            Some("line_items[0][price]"),
        );
    }
    let recurring = price["type"] == "recurring";
    if recurring && mode == "payment" {
        return invalid(
            "You specified `payment` mode but passed a recurring price. Either switch to \
             `subscription` mode or use only one-time prices.",
            Some("mode"),
        );
    }
    if !recurring && mode == "subscription" {
        return invalid(
            "You must provide at least one recurring price in `subscription` mode when using prices.",
            Some("mode"),
        );
    }
    let quantity: u64 = f
        .get("line_items[0][quantity]")
        .and_then(|q| q.parse().ok())
        .unwrap_or(1);
    let child = if mode == "subscription" {
        "subscription_data[metadata]"
    } else {
        "payment_intent_data[metadata]"
    };
    let id = format!("cs_test_{}", s.id("a").trim_start_matches("a_"));
    let session = Session {
        url: format!("{}checkout/{id}", fake.base),
        id: id.clone(),
        spec: SessionSpec {
            mode,
            customer,
            price: price_id,
            quantity,
            success_url,
            cancel_url: f.get("cancel_url").cloned(),
            client_reference_id: f.get("client_reference_id").cloned(),
            metadata: nested(f, "metadata"),
            child_metadata: nested(f, child),
        },
        created: t,
        amount_total: price["unit_amount"].as_i64().unwrap_or(0)
            * i64::try_from(quantity).unwrap_or(1),
        currency: price["currency"].as_str().unwrap_or("eur").to_owned(),
        subscription: None,
        payment_intent: None,
        invoice: None,
    };
    let out = session.to_json(None);
    s.sessions.insert(id, session);
    (200, out)
}

/// `/_fake/…`: what a person or Stripe itself does, for tests outside Rust.
async fn control(fake: &Fake, path: &[&str], body: &str) -> (u16, Value) {
    let ok = |r: Result<(), String>| match r {
        Ok(()) => (200, json!({"ok": true})),
        Err(why) => (400, json!({"error": why})),
    };
    match path {
        ["checkout", "latest"] => match fake.latest_session() {
            Some((id, url)) => (200, json!({"id": id, "url": url})),
            None => (404, json!({"error": "no Checkout session yet"})),
        },
        ["checkout", id, "pay"] => match fake.pay(id).await {
            Ok(to) => (200, json!({"success_url": to})),
            Err(why) => (400, json!({"error": why})),
        },
        ["subscriptions"] => {
            let subs: Vec<Value> = fake.state().subscriptions.values().cloned().collect();
            (200, json!(subs))
        }
        ["subscriptions", id, "fail_renewal"] => ok(fake.fail_renewal(id).await),
        ["subscriptions", id, "give_up"] => ok(fake.give_up(id).await),
        ["charges", id, "refund"] => ok(fake.refund(id).await),
        ["charges", id, "dispute"] => ok(fake.dispute(id).await),
        ["prices"] => {
            let Ok(v) = serde_json::from_str::<Value>(body) else {
                return (400, json!({"error": "a price as JSON"}));
            };
            let spec = PriceSpec {
                product_name: v["product_name"].as_str().unwrap_or("Pint").to_owned(),
                unit_amount: v["unit_amount"].as_i64().unwrap_or(0),
                currency: v["currency"].as_str().unwrap_or("eur").to_owned(),
                interval: v["interval"].as_str().map(str::to_owned),
                lookup_key: v["lookup_key"].as_str().map(str::to_owned),
                metadata: v["metadata"].clone(),
            };
            let id = fake.add_price(spec).await;
            (200, json!({"id": id}))
        }
        ["webhook"] => {
            let Ok(v) = serde_json::from_str::<Value>(body) else {
                return (400, json!({"error": "{url, secret} as JSON"}));
            };
            match (v["url"].as_str(), v["secret"].as_str()) {
                (Some(url), Some(secret)) => {
                    fake.send_webhooks_to(url, secret);
                    (200, json!({"ok": true}))
                }
                _ => (400, json!({"error": "{url, secret} as JSON"})),
            }
        }
        _ => (404, json!({"error": "no such control"})),
    }
}
