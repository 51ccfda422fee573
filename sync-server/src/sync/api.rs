//! The HTTP side of sync: creating a blog's draft on the server (so devices can sync it
//! under that blog), and listing what changed since a cursor, so a reconnecting device
//! syncs only the drafts that changed instead of shaking hands for each of thousands.

use std::sync::Arc;

use pint_model::{DocumentId, ErrorCode};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::auth::BearerAuth;
use crate::clock::now_ms;
use crate::db::Storage;
use crate::http::ApiError;
use crate::http::validation::Fields;
use crate::tenants::{Action, scope_for};
use pint_model::wire::{DocumentView, NewDocument};

#[derive(Debug, ApiResponse)]
enum Created {
    #[oai(status = 201)]
    Created(Json<DocumentView>),
}

#[derive(Debug, Default)]
pub struct DocumentsApi;

#[OpenApi(prefix_path = "/v1/tenants")]
impl DocumentsApi {
    /// Create a draft of this blog on the server, empty; its content arrives by sync
    /// (editors and above).
    #[oai(path = "/:id/documents", method = "post")]
    async fn create(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<NewDocument>,
    ) -> poem::Result<Created> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::WriteDocuments,
            "creating drafts",
        )
        .await?;
        let parsed: Option<DocumentId> = body.document_id.parse().ok();
        Fields::new()
            .check(
                "documentId",
                parsed
                    .is_none()
                    .then(|| "is not a document id (base58check of 16 bytes)".into()),
            )
            .finish()?;
        let empty = automerge::Automerge::new().save();
        let change_seq = storage
            .create_document(&scope, &body.document_id, &empty, &[], now_ms())
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Conflict,
                    "this blog already has a document with this id",
                )
            })?;
        Ok(Created::Created(Json(DocumentView {
            document_id: body.0.document_id,
            heads: Vec::new(),
            change_seq,
        })))
    }

    /// The blog's drafts that changed after `since` (0: all), oldest change first, with
    /// their heads on the server; at most `limit` (default and maximum 10,000).
    #[oai(path = "/:id/documents/changes", method = "get")]
    async fn changes(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        since: Query<Option<i64>>,
        limit: Query<Option<i64>>,
    ) -> poem::Result<Json<Vec<DocumentView>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadDocuments,
            "reading drafts",
        )
        .await?;
        let changed = storage
            .changed_since(
                &scope,
                since.0.unwrap_or(0).max(0),
                limit.0.unwrap_or(10_000).clamp(1, 10_000),
            )
            .await?;
        Ok(Json(
            changed
                .into_iter()
                .map(|d| DocumentView {
                    document_id: d.id,
                    heads: d.heads,
                    change_seq: d.change_seq,
                })
                .collect(),
        ))
    }
}
