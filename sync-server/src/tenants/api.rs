//! Blogs over HTTP: the requests and answers of `/v1/tenants` and `/v1/invites`. Each
//! handler checks the request's fields, calls `service`, and answers its errors
//! (`From<TenantError>`); a user who is not a member of a blog gets 404 for everything
//! in it, exactly as if it did not exist.

use std::sync::Arc;

use pint_model::ErrorCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::Value;

use crate::auth::{BearerAuth, Caller};
use crate::billing::Plans;
use crate::db::Storage;
use crate::db::tenants::{AuditRecord, InviteRecord, MemberRecord, Role, TenantScope};
use crate::http::ApiError;
use crate::http::validation::{Fields, email_problem, line_problem, normalize_email};
use crate::mail::Mailer;

use super::roles::Action;
use super::service::{self, TenantError};
use super::wire::{NewBlog, TenantView, check_new_blog, tenant_view};

/// The largest settings object, serialized.
const MAX_SETTINGS_BYTES: usize = 16 * 1024;

impl From<TenantError> for poem::Error {
    fn from(e: TenantError) -> Self {
        let message = e.to_string();
        let error = match e {
            TenantError::NotFound
            | TenantError::NoSuchMember
            | TenantError::NoSuchInvite
            | TenantError::InvalidInvite => ApiError::new(ErrorCode::NotFound, message),
            TenantError::Forbidden { .. } => ApiError::new(ErrorCode::Forbidden, message),
            TenantError::SubdomainTaken => ApiError::new(ErrorCode::Conflict, message)
                .with_details(serde_json::json!({"fields": {"subdomain": "is taken"}})),
            TenantError::LastOwner => ApiError::new(ErrorCode::Conflict, message),
            TenantError::Full { plan, .. } => {
                ApiError::new(ErrorCode::QuotaExceeded, message).with_details(
                    crate::billing::plans::details(&plan, crate::billing::Limit::Members),
                )
            }
            TenantError::Randomness => ApiError::internal(),
            TenantError::Db(e) => return e.into(),
        };
        error.into()
    }
}

/// The caller's scope in a blog, if they may do `action` there, for handlers: 404 for
/// non-members (nothing is revealed), 403 for members whose role does not allow it.
pub async fn scope_for(
    storage: &Storage,
    caller: &Caller,
    tenant_id: &str,
    action: Action,
    described: &str,
) -> poem::Result<TenantScope> {
    Ok(service::scope_for(storage, &caller.user.id, tenant_id, action, described).await?)
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct UpdateTenant {
    name: Option<String>,
    /// A JSON object; replaces the settings as a whole.
    settings: Option<Value>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct MemberView {
    user_id: String,
    email: String,
    display_name: String,
    role: String,
    /// Unix milliseconds.
    joined_at: i64,
}

impl From<MemberRecord> for MemberView {
    fn from(m: MemberRecord) -> Self {
        MemberView {
            user_id: m.user_id,
            email: m.email,
            display_name: m.display_name,
            role: m.role,
            joined_at: m.created_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct ChangeRole {
    /// `owner`, `admin`, `editor` or `viewer`.
    role: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct InviteRequest {
    email: String,
    /// `admin`, `editor` or `viewer`.
    role: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct InviteView {
    id: String,
    email: String,
    role: String,
    invited_by: Option<String>,
    /// Unix milliseconds.
    created_at: i64,
    expires_at: i64,
}

impl From<InviteRecord> for InviteView {
    fn from(i: InviteRecord) -> Self {
        InviteView {
            id: i.id,
            email: i.email,
            role: i.role,
            invited_by: i.invited_by,
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct AcceptInvite {
    /// The token from the invitation mail's link.
    token: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct AuditView {
    id: String,
    actor_id: Option<String>,
    /// e.g. `member.role_changed`, `tenant.updated`, `invite.created`.
    action: String,
    target: Option<String>,
    details: Value,
    /// Unix milliseconds.
    at: i64,
}

impl From<AuditRecord> for AuditView {
    fn from(a: AuditRecord) -> Self {
        AuditView {
            id: a.id,
            actor_id: a.actor_id,
            action: a.action,
            target: a.target,
            details: serde_json::from_str(&a.details).unwrap_or(Value::Null),
            at: a.created_at,
        }
    }
}

#[derive(Debug, ApiResponse)]
enum Created<T: poem_openapi::types::ToJSON + Send + Sync> {
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(Debug, ApiResponse)]
enum Done {
    #[oai(status = 204)]
    NoContent,
}

#[derive(Debug, Default)]
pub struct TenantsApi;

#[OpenApi(prefix_path = "/v1")]
impl TenantsApi {
    /// Create a blog; the caller becomes its owner.
    #[oai(path = "/tenants", method = "post")]
    async fn create(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        body: Json<NewBlog>,
    ) -> poem::Result<Created<TenantView>> {
        let mut fields = Fields::new();
        let name = check_new_blog(&body.0, &mut fields);
        fields.finish()?;
        let tenant =
            service::create_blog(storage.as_ref(), &caller.0.user.id, &body.subdomain, &name)
                .await?;
        Ok(Created::Created(Json(tenant_view(&tenant, Role::Owner))))
    }

    /// The blogs the caller is a member of, with their role in each.
    #[oai(path = "/tenants", method = "get")]
    async fn list(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
    ) -> poem::Result<Json<Vec<TenantView>>> {
        let tenants = storage.tenants_of(&caller.0.user.id).await?;
        Ok(Json(
            tenants.iter().map(|(t, r)| tenant_view(t, *r)).collect(),
        ))
    }

    /// One blog.
    #[oai(path = "/tenants/:id", method = "get")]
    async fn get(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<TenantView>> {
        let scope = scope_for(storage.as_ref(), &caller.0, &id, Action::Read, "this").await?;
        let tenant = service::blog(storage.as_ref(), &scope).await?;
        Ok(Json(tenant_view(&tenant, scope.role())))
    }

    /// Change a blog's name or settings (admins and owners).
    #[oai(path = "/tenants/:id", method = "patch")]
    async fn update(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<UpdateTenant>,
    ) -> poem::Result<Json<TenantView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UpdateSettings,
            "changing its settings",
        )
        .await?;
        let name = body.name.as_deref().map(str::trim);
        let settings = body.settings.as_ref().map(Value::to_string);
        Fields::new()
            .check("name", name.and_then(|n| line_problem(n, 1, 100)))
            .check(
                "settings",
                match (&body.settings, &settings) {
                    (Some(v), _) if !v.is_object() => Some("must be a JSON object".into()),
                    (_, Some(s)) if s.len() > MAX_SETTINGS_BYTES => {
                        Some(format!("must be at most {MAX_SETTINGS_BYTES} bytes"))
                    }
                    (_, Some(s)) if s.contains("\\u0000") => {
                        Some("cannot contain NUL characters".into())
                    }
                    _ => None,
                },
            )
            .check(
                "settings.widgets",
                body.settings
                    .as_ref()
                    .and_then(crate::blog::widgets::settings_problem),
            )
            .finish()?;
        let tenant =
            service::update_blog(storage.as_ref(), &scope, name, settings.as_deref()).await?;
        Ok(Json(tenant_view(&tenant, scope.role())))
    }

    /// Delete a blog with everything in it (owners only).
    #[oai(path = "/tenants/:id", method = "delete")]
    async fn delete(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Done> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::Delete,
            "deleting it",
        )
        .await?;
        storage.delete_tenant(&scope).await?;
        Ok(Done::NoContent)
    }

    /// The blog's members and their roles.
    #[oai(path = "/tenants/:id/members", method = "get")]
    async fn members(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<Vec<MemberView>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadMembers,
            "seeing its members",
        )
        .await?;
        let members = service::members(storage.as_ref(), &scope).await?;
        Ok(Json(members.into_iter().map(MemberView::from).collect()))
    }

    /// Change a member's role. Admins manage admins, editors and viewers; only owners
    /// make owners or change an owner's role; the last owner stays owner.
    #[oai(path = "/tenants/:id/members/:user_id", method = "patch")]
    async fn change_role(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        user_id: Path<String>,
        body: Json<ChangeRole>,
    ) -> poem::Result<Done> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ChangeRoles,
            "changing roles",
        )
        .await?;
        let role = Role::parse(&body.role);
        Fields::new()
            .check(
                "role",
                role.is_none()
                    .then(|| "must be owner, admin, editor or viewer".into()),
            )
            .finish()?;
        let Some(role) = role else {
            return Err(ApiError::internal().into());
        };
        service::change_role(storage.as_ref(), &scope, &user_id, role).await?;
        Ok(Done::NoContent)
    }

    /// Remove a member; any member may remove themselves (leave). Only owners remove
    /// owners; the last owner cannot leave.
    #[oai(path = "/tenants/:id/members/:user_id", method = "delete")]
    async fn remove_member(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        user_id: Path<String>,
    ) -> poem::Result<Done> {
        let action = if user_id.0 == caller.0.user.id {
            Action::Read
        } else {
            Action::RemoveMembers
        };
        let scope = scope_for(storage.as_ref(), &caller.0, &id, action, "removing members").await?;
        service::remove_member(storage.as_ref(), &scope, &user_id).await?;
        Ok(Done::NoContent)
    }

    /// Invite someone by email to join with a role (admins and owners). The mail holds a
    /// link that works once, for 7 days, for that address only.
    #[oai(path = "/tenants/:id/invites", method = "post")]
    async fn invite(
        &self,
        storage: Data<&Arc<Storage>>,
        mailer: Data<&Mailer>,
        plans: Data<&Plans>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<InviteRequest>,
    ) -> poem::Result<Created<InviteView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ManageInvites,
            "inviting",
        )
        .await?;
        let email = normalize_email(&body.email);
        let role = Role::parse(&body.role).filter(|r| *r != Role::Owner);
        Fields::new()
            .check("email", email_problem(&email))
            .check(
                "role",
                role.is_none()
                    .then(|| "must be admin, editor or viewer".into()),
            )
            .finish()?;
        let invite = service::invite(
            storage.as_ref(),
            &mailer,
            **plans,
            &scope,
            &caller.0.user.display_name,
            &email,
            role.unwrap_or(Role::Viewer),
        )
        .await?;
        Ok(Created::Created(Json(invite.into())))
    }

    /// Invitations not yet accepted, revoked or expired.
    #[oai(path = "/tenants/:id/invites", method = "get")]
    async fn invites(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<Vec<InviteView>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ManageInvites,
            "seeing invitations",
        )
        .await?;
        let invites = service::invites(storage.as_ref(), &scope).await?;
        Ok(Json(invites.into_iter().map(InviteView::from).collect()))
    }

    /// Withdraw an invitation.
    #[oai(path = "/tenants/:id/invites/:invite_id", method = "delete")]
    async fn revoke_invite(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        invite_id: Path<String>,
    ) -> poem::Result<Done> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ManageInvites,
            "withdrawing invitations",
        )
        .await?;
        service::revoke_invite(storage.as_ref(), &scope, &invite_id).await?;
        Ok(Done::NoContent)
    }

    /// Accept an invitation sent to the caller's address.
    #[oai(path = "/invites/accept", method = "post")]
    async fn accept(
        &self,
        storage: Data<&Arc<Storage>>,
        plans: Data<&Plans>,
        caller: BearerAuth,
        body: Json<AcceptInvite>,
    ) -> poem::Result<Json<TenantView>> {
        let user = &caller.0.user;
        let (tenant, role) = service::accept_invite(
            storage.as_ref(),
            **plans,
            &user.id,
            &user.email,
            &body.token,
        )
        .await?;
        Ok(Json(tenant_view(&tenant, role)))
    }

    /// Who did what in the blog, newest first (admins and owners). Page with `before`,
    /// the last id of the previous page.
    #[oai(path = "/tenants/:id/audit", method = "get")]
    async fn audit(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        before: Query<Option<String>>,
        limit: Query<Option<i64>>,
    ) -> poem::Result<Json<Vec<AuditView>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadAudit,
            "reading the audit log",
        )
        .await?;
        let entries = service::audit_log(
            storage.as_ref(),
            &scope,
            before.0.as_deref(),
            limit.0.unwrap_or(50),
        )
        .await?;
        Ok(Json(entries.into_iter().map(AuditView::from).collect()))
    }
}
