//! A blog's owner on a test server: registered with their blog, and able to put drafts
//! on the server as sync leaves them (through storage) and to publish them (through the
//! API), for the tests of publishing and of what readers get.

use std::sync::Arc;

use pint_model::{DocumentId, Draft, DraftKind, Splice};
use pint_server::db::Storage;
use pint_server::db::tenants::TenantScope;
use serde_json::Value;

use super::TestDb;
use super::api::Api;

pub struct BlogOwner {
    /// The server's base URL.
    pub base: String,
    /// The registration's answer (user, tokens, blog).
    pub account: Value,
    pub tenant: String,
    pub token: String,
    pub api: Api,
    pub storage: Arc<Storage>,
    pub scope: TenantScope,
}

impl BlogOwner {
    /// Register `email` with the blog `subdomain` on the server at `base` (database `db`).
    pub async fn register(base: &str, db: &TestDb, email: &str, subdomain: &str) -> Self {
        let api = Api::new(base);
        let account = api.register(email, Some(subdomain)).await;
        let storage = pint_server::prepare_storage(&db.settings())
            .await
            .expect("storage");
        let scope = storage
            .scope(&account.user, account.tenant())
            .await
            .expect("scope")
            .expect("a member");
        BlogOwner {
            base: base.to_owned(),
            tenant: account.tenant().to_owned(),
            token: account.token.clone(),
            account: account.body,
            api,
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
        self.api.call(method, path, Some(&self.token), body).await
    }

    /// Upload an image prepared as the device prepares it, and keep it: its id.
    pub async fn upload_image(&self, image: &pint_client::media::Prepared) -> String {
        let mut names = Vec::new();
        for v in &image.variants {
            let name = pint_model::media::variant_name(v.width, v.format);
            let resp = super::http()
                .put(format!(
                    "{}/v1/tenants/{}/media/{}/variants/{name}",
                    self.base, self.tenant, image.id
                ))
                .bearer_auth(&self.token)
                .header("content-type", "application/octet-stream")
                .body(v.bytes.clone())
                .send()
                .await
                .expect("upload");
            assert_eq!(resp.status(), 204, "{name} refused");
            names.push(name);
        }
        let (status, body) = self
            .api
            .post(
                &format!("/v1/tenants/{}/media/{}", self.tenant, image.id),
                Some(&self.token),
                serde_json::json!({ "variants": names }),
            )
            .await;
        assert!(status == 201 || status == 200, "not kept: {body}");
        image.id.clone()
    }

    /// `POST …/publish` with `body`: the status and the JSON answer.
    pub async fn publish(&self, doc: &str, body: Value) -> (u16, Value) {
        let path = format!("/v1/tenants/{}/documents/{doc}/publish", self.tenant);
        self.api.post(&path, Some(&self.token), body).await
    }
}
