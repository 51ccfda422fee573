//! The rules of blogs, their members and invitations, whoever asks (the API, the
//! account sign-up, other services): who may act (`roles::may`), what protects owners,
//! what an invitation is. Errors say which rule refused, for the caller to put in its own
//! words (`api.rs` answers them over HTTP).

use crate::auth::tokens;
use crate::billing::Plans;
use crate::clock::now_ms;
use crate::db::tenants::{
    Accepted, AuditRecord, InviteRecord, MemberChange, MemberRecord, NewInvite, NewTenant, Role,
    TenantRecord, TenantScope,
};
use crate::db::{DbError, Storage};
use crate::mail::{Mailer, texts};

use super::roles::{Action, may};

/// How long an invitation works.
pub const INVITE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

/// Longest id or token looked up at all (longer ones cannot exist).
const MAX_ID_LEN: usize = 64;
const MAX_TOKEN_LEN: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// Not a member, or no such blog: the two are never told apart.
    #[error("there is no such blog, or you are not one of its members")]
    NotFound,
    /// A member whose role does not allow what they asked (`what`, for people).
    #[error("your role in this blog does not allow {what}")]
    Forbidden { what: String },
    #[error("this subdomain is taken; choose another")]
    SubdomainTaken,
    #[error("this blog has no such member")]
    NoSuchMember,
    #[error("a blog needs an owner: make someone else owner first")]
    LastOwner,
    #[error("no such pending invitation")]
    NoSuchInvite,
    #[error("this invitation is not valid (used, withdrawn, expired, or sent to another address)")]
    InvalidInvite,
    /// The blog has as many members as its plan allows (invitations waiting count).
    #[error(
        "the blog's {plan} plan allows {allowed} member(s), invitations waiting included: upgrade for more"
    )]
    Full { plan: String, allowed: i64 },
    #[error("no randomness for a token")]
    Randomness,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The user's scope in a blog, if they may do `action` there (`described`, for people,
/// names what they asked: "changing roles").
pub async fn scope_for(
    storage: &Storage,
    user_id: &str,
    tenant_id: &str,
    action: Action,
    described: &str,
) -> Result<TenantScope, TenantError> {
    if tenant_id.len() > MAX_ID_LEN {
        return Err(TenantError::NotFound);
    }
    let scope = storage
        .scope(user_id, tenant_id)
        .await?
        .ok_or(TenantError::NotFound)?;
    if !may(scope.role(), action) {
        return Err(TenantError::Forbidden {
            what: described.to_owned(),
        });
    }
    Ok(scope)
}

/// Create a blog owned by `owner_id` (its fields checked by the caller).
pub async fn create_blog(
    storage: &Storage,
    owner_id: &str,
    subdomain: &str,
    name: &str,
) -> Result<TenantRecord, TenantError> {
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
        .ok_or(TenantError::SubdomainTaken)
}

/// The blog of a scope.
pub async fn blog(storage: &Storage, scope: &TenantScope) -> Result<TenantRecord, TenantError> {
    storage.tenant(scope).await?.ok_or(TenantError::NotFound)
}

/// Rename the blog or replace its settings (checked by the caller).
pub async fn update_blog(
    storage: &Storage,
    scope: &TenantScope,
    name: Option<&str>,
    settings: Option<&str>,
) -> Result<TenantRecord, TenantError> {
    storage
        .update_tenant(scope, name, settings, now_ms())
        .await?
        .ok_or(TenantError::NotFound)
}

pub async fn members(
    storage: &Storage,
    scope: &TenantScope,
) -> Result<Vec<MemberRecord>, TenantError> {
    Ok(storage.members(scope).await?)
}

/// The role of a member of the scope's blog, if they are one.
async fn member_role(
    storage: &Storage,
    scope: &TenantScope,
    user_id: &str,
) -> Result<Option<Role>, TenantError> {
    Ok(storage
        .scope(user_id, scope.tenant_id())
        .await?
        .map(|theirs| theirs.role()))
}

fn member_change(change: MemberChange) -> Result<(), TenantError> {
    match change {
        MemberChange::Done => Ok(()),
        MemberChange::NotFound => Err(TenantError::NoSuchMember),
        MemberChange::LastOwner => Err(TenantError::LastOwner),
    }
}

/// Change a member's role: only owners make owners or change an owner's role; the
/// last owner stays owner.
pub async fn change_role(
    storage: &Storage,
    scope: &TenantScope,
    user_id: &str,
    role: Role,
) -> Result<(), TenantError> {
    let target_role = member_role(storage, scope, user_id).await?;
    if scope.role() != Role::Owner && (role == Role::Owner || target_role == Some(Role::Owner)) {
        return Err(TenantError::Forbidden {
            what: "changing owners".into(),
        });
    }
    member_change(
        storage
            .set_member_role(scope, user_id, role, now_ms())
            .await?,
    )
}

/// Remove a member (the scope's actor themselves: leaving). Only owners remove owners;
/// the last owner cannot leave.
pub async fn remove_member(
    storage: &Storage,
    scope: &TenantScope,
    user_id: &str,
) -> Result<(), TenantError> {
    let leaving = user_id == scope.actor_id();
    if !leaving && scope.role() != Role::Owner {
        let target_role = member_role(storage, scope, user_id).await?;
        if target_role == Some(Role::Owner) {
            return Err(TenantError::Forbidden {
                what: "removing owners".into(),
            });
        }
    }
    member_change(storage.remove_member(scope, user_id, now_ms()).await?)
}

/// Invite `email` (normalised and checked by the caller) to join with `role` (any but
/// owner): the mail holds a link that works once, for `INVITE_TTL_MS`, for that address
/// only. `inviter` is the inviting member's name, for the mail.
pub async fn invite(
    storage: &Storage,
    mailer: &Mailer,
    plans: Plans,
    scope: &TenantScope,
    inviter: &str,
    email: &str,
    role: Role,
) -> Result<InviteRecord, TenantError> {
    if role == Role::Owner {
        return Err(TenantError::Forbidden {
            what: "inviting owners: make a member owner instead".into(),
        });
    }
    let tenant = blog(storage, scope).await?;
    if let Some(allowed) = plans.entitlements(&tenant.plan).members {
        let members = storage.plan_usage(scope, 0).await?.members;
        let waiting = storage.invites(scope, now_ms()).await?;
        let waiting = i64::try_from(waiting.len()).unwrap_or(i64::MAX);
        if members.saturating_add(waiting) >= allowed {
            return Err(TenantError::Full {
                plan: tenant.plan,
                allowed,
            });
        }
    }
    let (token, token_hash) = tokens::new_refresh_token().map_err(|e| {
        tracing::error!(error = %e, "no randomness for an invitation");
        TenantError::Randomness
    })?;
    let now = now_ms();
    let invite = InviteRecord {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.to_owned(),
        role: role.as_str().into(),
        invited_by: Some(scope.actor_id().to_owned()),
        created_at: now,
        expires_at: now + INVITE_TTL_MS,
    };
    storage
        .create_invite(
            scope,
            &NewInvite {
                id: &invite.id,
                email,
                role,
                token_hash: &token_hash,
                now,
                expires_at: invite.expires_at,
            },
        )
        .await?;
    mailer.send_later(texts::invite(
        email,
        inviter,
        &tenant.name,
        role.as_str(),
        &format!("{}/invites/accept?token={token}", mailer.public_url),
    ));
    Ok(invite)
}

/// Invitations not yet accepted, revoked or expired.
pub async fn invites(
    storage: &Storage,
    scope: &TenantScope,
) -> Result<Vec<InviteRecord>, TenantError> {
    Ok(storage.invites(scope, now_ms()).await?)
}

pub async fn revoke_invite(
    storage: &Storage,
    scope: &TenantScope,
    invite_id: &str,
) -> Result<(), TenantError> {
    if invite_id.len() > MAX_ID_LEN || !storage.revoke_invite(scope, invite_id, now_ms()).await? {
        return Err(TenantError::NoSuchInvite);
    }
    Ok(())
}

/// Accept an invitation (its token from the mail) as the user it was sent to.
pub async fn accept_invite(
    storage: &Storage,
    plans: Plans,
    user_id: &str,
    email: &str,
    token: &str,
) -> Result<(TenantRecord, Role), TenantError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TenantError::InvalidInvite);
    }
    match storage
        .accept_invite_within(
            &tokens::refresh_hash(token),
            user_id,
            email,
            now_ms(),
            |plan| plans.entitlements(plan).members,
        )
        .await?
    {
        Accepted::Joined { tenant, role } => Ok((tenant, role)),
        Accepted::Invalid => Err(TenantError::InvalidInvite),
        Accepted::Full { plan, allowed } => Err(TenantError::Full { plan, allowed }),
    }
}

/// Who did what in the blog, newest first: at most `limit` (1–200) entries older than
/// `before` (an entry's id).
pub async fn audit_log(
    storage: &Storage,
    scope: &TenantScope,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditRecord>, TenantError> {
    Ok(storage
        .audit_log(scope, before, limit.clamp(1, 200))
        .await?)
}
