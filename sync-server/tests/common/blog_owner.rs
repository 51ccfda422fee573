//! A blog's owner on a test server: registered with their blog, and able to put drafts
//! on the server as sync leaves them (through storage) and to publish them (through the
//! API), for the tests of publishing and of what readers get.

use std::sync::Arc;

use pint_model::{DocumentId, Draft, DraftKind, Splice};
use pint_server::db::Storage;
use pint_server::db::tenants::TenantScope;
use serde_json::{Value, json};

use super::{TestDb, http};

pub struct BlogOwner {
    /// The server's base URL.
    pub base: String,
    /// The registration's answer (user, tokens, blog).
    pub account: Value,
    pub tenant: String,
    pub token: String,
    pub storage: Arc<Storage>,
    pub scope: TenantScope,
}

impl BlogOwner {
    /// Register `email` with the blog `subdomain` on the server at `base` (database `db`).
    pub async fn register(base: &str, db: &TestDb, email: &str, subdomain: &str) -> Self {
        let account: Value = http()
            .post(format!("{base}/v1/auth/register"))
            .json(&json!({"email": email, "password": "correct horse battery", "blog": {"subdomain": subdomain}}))
            .send()
            .await
            .expect("register")
            .json()
            .await
            .expect("registration answer");
        let tenant = account["blog"]["id"].as_str().expect("a blog").to_owned();
        let storage = pint_server::prepare_storage(&db.settings())
            .await
            .expect("storage");
        let scope = storage
            .scope(account["user"]["id"].as_str().expect("user id"), &tenant)
            .await
            .expect("scope")
            .expect("a member");
        BlogOwner {
            base: base.to_owned(),
            token: account["accessToken"].as_str().expect("token").to_owned(),
            account,
            tenant,
            storage,
            scope,
        }
    }

    /// A draft stored on the server, as sync leaves it; its id and the draft (ready for
    /// more edits, saved up to here).
    pub async fn draft(&self, kind: DraftKind, title: &str, body: &str) -> (String, Draft) {
        let mut d = Draft::new(kind);
        d.set_title(title).expect("title");
        d.splice_body(&[Splice {
            pos: 0,
            delete: 0,
            insert: body.into(),
        }])
        .expect("body");
        let id = DocumentId::random().expect("id").to_string();
        self.storage
            .create_document(&self.scope, &id, &d.save(), &d.heads(), 1)
            .await
            .expect("stored")
            .expect("a new id");
        d.save_incremental();
        (id, d)
    }

    /// Store the edits made to `draft` since it was last saved, as sync would.
    pub async fn save(&self, doc: &str, draft: &mut Draft) {
        let chunk = draft.save_incremental();
        self.storage
            .append_document_chunk(&self.scope, doc, &chunk, &draft.heads(), 2)
            .await
            .expect("stored")
            .expect("the draft");
    }

    /// A call to the API as this owner: the status and the JSON answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = http()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the API answers");
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    /// `POST …/publish` with `body`: the status and the JSON answer.
    pub async fn publish(&self, doc: &str, body: Value) -> (u16, Value) {
        let resp = http()
            .post(format!(
                "{}/v1/tenants/{}/documents/{doc}/publish",
                self.base, self.tenant
            ))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("publish");
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }
}
