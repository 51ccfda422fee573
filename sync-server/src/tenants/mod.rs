//! Blogs (tenants) over HTTP: create and list one's blogs, settings, members and their
//! roles, invitations by email, and the audit log. What each role may do is decided in
//! one place (`may`); a user who is not a member of a blog gets 404 for everything in
//! it, exactly as if it did not exist.

pub mod subdomain;

use std::sync::Arc;

use pint_model::ErrorCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::Value;

use crate::auth::{BearerAuth, Caller, now_ms, tokens};
use crate::db::Storage;
use crate::db::tenants::{
    Accepted, AuditRecord, InviteRecord, MemberChange, MemberRecord, NewInvite, NewTenant, Role,
    TenantRecord, TenantScope,
};
use crate::http::ApiError;
use crate::http::validation::{Fields, email_problem, line_problem, normalize_email};
use crate::mail::{Mail, Mailer};

/// How long an invitation works.
const INVITE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// The largest settings object, serialized.
const MAX_SETTINGS_BYTES: usize = 16 * 1024;

/// Everything a member may be asked to do in a blog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    ReadMembers,
    UpdateSettings,
    ManageInvites,
    ChangeRoles,
    RemoveMembers,
    ReadAudit,
    Delete,
    /// Read and sync the blog's drafts.
    ReadDocuments,
    /// Create drafts and change them.
    WriteDocuments,
}

/// The role matrix: whether `role` may do `action`. (Some actions have further rules on
/// whom they touch: only owners act on owners; see `change_role` and `remove_member`.)
pub fn may(role: Role, action: Action) -> bool {
    match action {
        Action::Read | Action::ReadMembers | Action::ReadDocuments => true,
        Action::WriteDocuments => role.at_least(Role::Editor),
        Action::UpdateSettings
        | Action::ManageInvites
        | Action::ChangeRoles
        | Action::RemoveMembers
        | Action::ReadAudit => role.at_least(Role::Admin),
        Action::Delete => role == Role::Owner,
    }
}

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "there is no such blog, or you are not one of its members",
    )
}

fn forbidden(action: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Forbidden,
        format!("your role in this blog does not allow {action}"),
    )
}

/// The caller's scope in a blog, if they may do `action` there: 404 for non-members
/// (nothing is revealed), 403 for members whose role does not allow it.
pub async fn scope_for(
    storage: &dyn Storage,
    caller: &Caller,
    tenant_id: &str,
    action: Action,
    described: &str,
) -> poem::Result<TenantScope> {
    if tenant_id.len() > 64 {
        return Err(not_found().into());
    }
    let scope = storage
        .scope(&caller.user.id, tenant_id)
        .await?
        .ok_or_else(not_found)?;
    if !may(scope.role(), action) {
        return Err(forbidden(described).into());
    }
    Ok(scope)
}

/// A blog as its members see it.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct TenantView {
    pub id: String,
    pub subdomain: String,
    pub name: String,
    /// `free`, `pro`, `max` or `lifetime`.
    pub plan: String,
    pub settings: Value,
    /// The caller's role in it.
    pub role: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl TenantView {
    pub fn new(t: &TenantRecord, role: Role) -> Self {
        TenantView {
            id: t.id.clone(),
            subdomain: t.subdomain.clone(),
            name: t.name.clone(),
            plan: t.plan.clone(),
            settings: serde_json::from_str(&t.settings)
                .unwrap_or_else(|_| Value::Object(Default::default())),
            role: role.as_str().into(),
            created_at: t.created_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NewBlog {
    /// 3–63 lowercase letters, digits and hyphens.
    pub subdomain: String,
    /// Defaults to the subdomain.
    pub name: Option<String>,
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

/// Check a new blog's fields; the name to use.
pub fn check_new_blog(blog: &NewBlog, fields: &mut Fields) -> String {
    let name = blog
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or(&blog.subdomain)
        .to_owned();
    fields
        .check("subdomain", subdomain::problem(&blog.subdomain))
        .check("name", line_problem(&name, 1, 100));
    name
}

/// Create a blog owned by `owner_id`; 409 when the subdomain is taken.
pub async fn create_blog(
    storage: &dyn Storage,
    owner_id: &str,
    subdomain: &str,
    name: &str,
) -> poem::Result<TenantRecord> {
    let id = uuid::Uuid::now_v7().to_string();
    storage
        .create_tenant(
            &NewTenant {
                id: &id,
                subdomain,
                name,
                now: now_ms(),
            },
            owner_id,
        )
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Conflict,
                "this subdomain is taken; choose another",
            )
            .with_details(serde_json::json!({"fields": {"subdomain": "is taken"}}))
            .into()
        })
}

/// The role of a member of the scope's blog, if they are one.
async fn member_role(
    storage: &dyn Storage,
    scope: &TenantScope,
    user_id: &str,
) -> poem::Result<Option<Role>> {
    Ok(storage
        .scope(user_id, scope.tenant_id())
        .await?
        .map(|theirs| theirs.role()))
}

fn member_change(change: MemberChange) -> poem::Result<Done> {
    match change {
        MemberChange::Done => Ok(Done::NoContent),
        MemberChange::NotFound => {
            Err(ApiError::new(ErrorCode::NotFound, "this blog has no such member").into())
        }
        MemberChange::LastOwner => Err(ApiError::new(
            ErrorCode::Conflict,
            "a blog needs an owner: make someone else owner first",
        )
        .into()),
    }
}

#[derive(Debug)]
pub struct TenantsApi;

#[OpenApi(prefix_path = "/v1")]
impl TenantsApi {
    /// Create a blog; the caller becomes its owner.
    #[oai(path = "/tenants", method = "post")]
    async fn create(
        &self,
        storage: Data<&Arc<dyn Storage>>,
        caller: BearerAuth,
        body: Json<NewBlog>,
    ) -> poem::Result<Created<TenantView>> {
        let mut fields = Fields::new();
        let name = check_new_blog(&body.0, &mut fields);
        fields.finish()?;
        let tenant =
            create_blog(storage.as_ref(), &caller.0.user.id, &body.subdomain, &name).await?;
        Ok(Created::Created(Json(TenantView::new(
            &tenant,
            Role::Owner,
        ))))
    }

    /// The blogs the caller is a member of, with their role in each.
    #[oai(path = "/tenants", method = "get")]
    async fn list(
        &self,
        storage: Data<&Arc<dyn Storage>>,
        caller: BearerAuth,
    ) -> poem::Result<Json<Vec<TenantView>>> {
        let tenants = storage.tenants_of(&caller.0.user.id).await?;
        Ok(Json(
            tenants
                .iter()
                .map(|(t, r)| TenantView::new(t, *r))
                .collect(),
        ))
    }

    /// One blog.
    #[oai(path = "/tenants/:id", method = "get")]
    async fn get(
        &self,
        storage: Data<&Arc<dyn Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<TenantView>> {
        let scope = scope_for(storage.as_ref(), &caller.0, &id, Action::Read, "this").await?;
        let tenant = storage.tenant(&scope).await?.ok_or_else(not_found)?;
        Ok(Json(TenantView::new(&tenant, scope.role())))
    }

    /// Change a blog's name or settings (admins and owners).
    #[oai(path = "/tenants/:id", method = "patch")]
    async fn update(
        &self,
        storage: Data<&Arc<dyn Storage>>,
        cache: Data<&Arc<crate::blog::cache::BlogCache>>,
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
        let tenant = storage
            .update_tenant(&scope, name, settings.as_deref(), now_ms())
            .await?
            .ok_or_else(not_found)?;
        // Its name and settings are on every page: readers get the new ones at once, on
        // this server and (told through the database) on every other one.
        cache.invalidate(&tenant.subdomain);
        if let Err(e) = storage.announce_blog_changed(&scope).await {
            tracing::warn!(error = %e, "other servers could not be told of new settings");
        }
        Ok(Json(TenantView::new(&tenant, scope.role())))
    }

    /// Delete a blog with everything in it (owners only).
    #[oai(path = "/tenants/:id", method = "delete")]
    async fn delete(
        &self,
        storage: Data<&Arc<dyn Storage>>,
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
        storage: Data<&Arc<dyn Storage>>,
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
        let members = storage.members(&scope).await?;
        Ok(Json(members.into_iter().map(MemberView::from).collect()))
    }

    /// Change a member's role. Admins manage admins, editors and viewers; only owners
    /// make owners or change an owner's role; the last owner stays owner.
    #[oai(path = "/tenants/:id/members/:user_id", method = "patch")]
    async fn change_role(
        &self,
        storage: Data<&Arc<dyn Storage>>,
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
        let target_role = member_role(storage.as_ref(), &scope, &user_id).await?;
        if scope.role() != Role::Owner && (role == Role::Owner || target_role == Some(Role::Owner))
        {
            return Err(forbidden("changing owners").into());
        }
        member_change(
            storage
                .set_member_role(&scope, &user_id, role, now_ms())
                .await?,
        )
    }

    /// Remove a member; any member may remove themselves (leave). Only owners remove
    /// owners; the last owner cannot leave.
    #[oai(path = "/tenants/:id/members/:user_id", method = "delete")]
    async fn remove_member(
        &self,
        storage: Data<&Arc<dyn Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        user_id: Path<String>,
    ) -> poem::Result<Done> {
        let leaving = user_id.0 == caller.0.user.id;
        let action = if leaving {
            Action::Read
        } else {
            Action::RemoveMembers
        };
        let scope = scope_for(storage.as_ref(), &caller.0, &id, action, "removing members").await?;
        if !leaving && scope.role() != Role::Owner {
            let target_role = member_role(storage.as_ref(), &scope, &user_id).await?;
            if target_role == Some(Role::Owner) {
                return Err(forbidden("removing owners").into());
            }
        }
        member_change(storage.remove_member(&scope, &user_id, now_ms()).await?)
    }

    /// Invite someone by email to join with a role (admins and owners). The mail holds a
    /// link that works once, for 7 days, for that address only.
    #[oai(path = "/tenants/:id/invites", method = "post")]
    async fn invite(
        &self,
        storage: Data<&Arc<dyn Storage>>,
        mailer: Data<&Mailer>,
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
        let role = role.unwrap_or(Role::Viewer);
        let tenant = storage.tenant(&scope).await?.ok_or_else(not_found)?;
        let (token, token_hash) = tokens::new_refresh_token().map_err(|e| {
            tracing::error!(error = %e, "no randomness for an invitation");
            ApiError::internal()
        })?;
        let now = now_ms();
        let invite_id = uuid::Uuid::now_v7().to_string();
        storage
            .create_invite(
                &scope,
                &NewInvite {
                    id: &invite_id,
                    email: &email,
                    role,
                    token_hash: &token_hash,
                    now,
                    expires_at: now + INVITE_TTL_MS,
                },
            )
            .await?;
        mailer.send_later(Mail {
            to: email.clone(),
            subject: format!("You are invited to {} on Pint", tenant.name),
            body: format!(
                "Hello,\n\n{inviter} invites you to join the blog \"{blog}\" on Pint as {role}.\n\n\
                 Accept here (sign in or create an account with this address first):\n\n\
                 {base}/invites/accept?token={token}\n\n\
                 The link works once, for 7 days.\n",
                inviter = caller.0.user.display_name,
                blog = tenant.name,
                role = role.as_str(),
                base = mailer.public_url,
            ),
            ..Mail::default()
        });
        Ok(Created::Created(Json(InviteView {
            id: invite_id,
            email,
            role: role.as_str().into(),
            invited_by: Some(caller.0.user.id.clone()),
            created_at: now,
            expires_at: now + INVITE_TTL_MS,
        })))
    }

    /// Invitations not yet accepted, revoked or expired.
    #[oai(path = "/tenants/:id/invites", method = "get")]
    async fn invites(
        &self,
        storage: Data<&Arc<dyn Storage>>,
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
        let invites = storage.invites(&scope, now_ms()).await?;
        Ok(Json(invites.into_iter().map(InviteView::from).collect()))
    }

    /// Withdraw an invitation.
    #[oai(path = "/tenants/:id/invites/:invite_id", method = "delete")]
    async fn revoke_invite(
        &self,
        storage: Data<&Arc<dyn Storage>>,
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
        if !storage.revoke_invite(&scope, &invite_id, now_ms()).await? {
            return Err(ApiError::new(ErrorCode::NotFound, "no such pending invitation").into());
        }
        Ok(Done::NoContent)
    }

    /// Accept an invitation sent to the caller's address.
    #[oai(path = "/invites/accept", method = "post")]
    async fn accept(
        &self,
        storage: Data<&Arc<dyn Storage>>,
        caller: BearerAuth,
        body: Json<AcceptInvite>,
    ) -> poem::Result<Json<TenantView>> {
        let user = &caller.0.user;
        let invalid = || {
            ApiError::new(
                ErrorCode::NotFound,
                "this invitation is not valid (used, withdrawn, expired, or sent to another address)",
            )
        };
        if body.token.len() > 256 {
            return Err(invalid().into());
        }
        match storage
            .accept_invite(
                &tokens::refresh_hash(&body.token),
                &user.id,
                &user.email,
                now_ms(),
            )
            .await?
        {
            Accepted::Joined { tenant, role } => Ok(Json(TenantView::new(&tenant, role))),
            Accepted::Invalid => Err(invalid().into()),
        }
    }

    /// Who did what in the blog, newest first (admins and owners). Page with `before`,
    /// the last id of the previous page.
    #[oai(path = "/tenants/:id/audit", method = "get")]
    async fn audit(
        &self,
        storage: Data<&Arc<dyn Storage>>,
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
        let limit = limit.0.unwrap_or(50).clamp(1, 200);
        let entries = storage
            .audit_log(&scope, before.0.as_deref(), limit)
            .await?;
        Ok(Json(entries.into_iter().map(AuditView::from).collect()))
    }
}
