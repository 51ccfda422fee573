//! The one API client of the server's tests and benches: a call as a signed-in user or
//! as nobody answers its status and its body (JSON when it is JSON), and an account with
//! or without a blog is one line.

use reqwest::Method;
use serde_json::{Value, json};

/// The password test accounts are registered with.
pub const PASSWORD: &str = "correct horse battery";

/// The REST API of one server.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

/// A registered account, signed in on one device.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: String,
    pub token: String,
    pub refresh: String,
    /// The id of the blog registered with the account, if one was.
    pub blog: Option<String>,
    /// The registration's whole answer.
    pub body: Value,
}

impl Account {
    /// The blog registered with the account (the test asked for one).
    pub fn tenant(&self) -> &str {
        self.blog.as_deref().expect("registered with a blog")
    }
}

impl Api {
    pub fn new(base: &str) -> Self {
        Api {
            base: base.trim_end_matches('/').to_owned(),
            client: super::http(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `method path` as `token` (or as nobody), with `body` as JSON: the status and the
    /// answer (JSON parsed, other text as a string, nothing as null).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: no answer: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.call(Method::DELETE, path, token, None).await
    }

    /// Register `email` (password [`PASSWORD`]) with the blog `subdomain` if given;
    /// panics unless the server answers 201.
    pub async fn register(&self, email: &str, subdomain: Option<&str>) -> Account {
        let mut body = json!({"email": email, "password": PASSWORD});
        if let Some(sub) = subdomain {
            body["blog"] = json!({"subdomain": sub});
        }
        self.register_with(body).await
    }

    /// Register with this request body; panics unless the server answers 201.
    pub async fn register_with(&self, body: Value) -> Account {
        let (status, body) = self.post("/v1/auth/register", None, body).await;
        assert_eq!(status, 201, "registration refused: {body}");
        let text = |v: &Value| v.as_str().expect("registration answer").to_owned();
        Account {
            user: text(&body["user"]["id"]),
            token: text(&body["accessToken"]),
            refresh: text(&body["refreshToken"]),
            blog: body["blog"]["id"].as_str().map(str::to_owned),
            body,
        }
    }

    /// A new draft id, created on `tenant` as `token`; panics unless the server answers 201.
    pub async fn new_document(&self, tenant: &str, token: &str) -> String {
        let id = pint_model::DocumentId::random().expect("an id").to_string();
        let (status, body) = self
            .post(
                &format!("/v1/tenants/{tenant}/documents"),
                Some(token),
                json!({"documentId": id}),
            )
            .await;
        assert_eq!(status, 201, "document refused: {body}");
        id
    }
}

/// The error code of an error answer, `(none)` when it is not one.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("(none)")
}
