//! Where Stripe's pages send the browser back: `GET /billing/return?to=paid|cancelled|portal`.
//! A short page that tells the creator to go back to Pint, which notices the new plan by
//! itself (it never trusts this page: only Stripe's signed events change a plan).

use poem::handler;
use poem::web::{Html, Query};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Back {
    to: Option<String>,
}

#[handler]
pub fn returned(Query(back): Query<Back>) -> Html<String> {
    let (title, line) = match back.to.as_deref() {
        Some("paid") => (
            "Thank you",
            "Your payment is being confirmed. Go back to Pint: your plan changes there by itself in a moment.",
        ),
        Some("cancelled") => (
            "Nothing was charged",
            "You left the payment page. Go back to Pint whenever you are ready.",
        ),
        _ => ("All set", "You can close this tab and go back to Pint."),
    };
    Html(format!(
        "<!doctype html><html lang=en><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width,initial-scale=1\">\
         <title>{title} · Pint</title>\
         <style>body{{font:18px/1.5 system-ui,sans-serif;max-width:32rem;margin:20vh auto;padding:0 1rem;color:#222;background:#fbfaf7}}\
         h1{{font-weight:600;font-size:1.6rem}}@media(prefers-color-scheme:dark){{body{{color:#eee;background:#1b1b1d}}}}</style>\
         <h1>{title}</h1><p>{line}</p></html>"
    ))
}
