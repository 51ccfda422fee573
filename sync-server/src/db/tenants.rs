//! Tenants (blogs), members, invitations and the audit log in storage.
//!
//! Tenant rows are reached only through a `TenantScope`: proof, obtained from storage,
//! that a user is a member of one tenant, with their role. Every query on tenant rows
//! takes one, filters by its tenant, and (on PostgreSQL) runs in a transaction that sets
//! the tenant for row-level security, so a forgotten filter still cannot leak. Each
//! change writes its audit entry in the same transaction.

use super::{DbError, Rls, Storage, blog_changed, set_scope};

/// A member's role in a tenant, most powerful first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Owner,
    Admin,
    Editor,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// At least as powerful as `other`.
    pub fn at_least(self, other: Role) -> bool {
        self <= other
    }
}

/// Proof that `actor_id` is a member of `tenant_id` with `role`. Only storage makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    tenant_id: String,
    actor_id: String,
    role: Role,
}

impl TenantScope {
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
    pub fn actor_id(&self) -> &str {
        &self.actor_id
    }
    pub fn role(&self) -> Role {
        self.role
    }

    /// Only storage makes scopes (after checking the membership).
    pub(crate) fn __from_storage(tenant_id: String, actor_id: String, role: Role) -> Self {
        TenantScope {
            tenant_id,
            actor_id,
            role,
        }
    }
}

/// What a blog uses of what plans limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct UsageRow {
    /// Published posts (not pages).
    pub posts: i64,
    /// Bytes of images.
    pub media_bytes: i64,
    pub members: i64,
    /// New-post mailings this month.
    pub mailings: i64,
}

/// What setting a plan did.
#[derive(Debug)]
pub(crate) enum PlanChange {
    NoBlog,
    Same,
    /// Changed; the blog's pages changed with it (announce on commit).
    Changed(Option<crate::events::Change>),
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TenantRecord {
    pub id: String,
    pub subdomain: String,
    pub name: String,
    pub plan: String,
    /// A JSON object.
    pub settings: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Its verified domain, where the blog's pages read it (`blog::blog`); not a column
    /// of `tenants`.
    #[sqlx(skip)]
    pub custom_domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRecord {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InviteRecord {
    pub id: String,
    pub email: String,
    pub role: String,
    pub invited_by: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target: Option<String>,
    /// A JSON object.
    pub details: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewTenant<'a> {
    pub id: &'a str,
    pub subdomain: &'a str,
    pub name: &'a str,
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct NewInvite<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// What a change to a membership did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    /// No such member in this tenant.
    NotFound,
    /// It would leave the tenant without an owner.
    LastOwner,
}

/// What accepting an invitation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    Joined {
        tenant: TenantRecord,
        role: Role,
    },
    /// Unknown, used, revoked or expired token, or sent to another address.
    Invalid,
    /// The blog has as many members as its plan allows: nothing changed (the invitation
    /// still works once there is room).
    Full {
        plan: String,
        allowed: i64,
    },
}

/// A tenant and a member's role in it.
#[derive(sqlx::FromRow)]
struct TenantWithRole {
    #[sqlx(flatten)]
    tenant: TenantRecord,
    role: String,
}

/// The columns of `TenantRecord`, as a literal for `concat!`.
macro_rules! tenant_columns {
    () => {
        "id, subdomain, name, plan, settings, created_at, updated_at"
    };
}
pub(crate) use tenant_columns;

impl Storage {
    /// A tenant's row, read inside a transaction.
    pub(crate) async fn tenant_in<'c, E>(
        executor: E,
        tenant_id: &str,
    ) -> Result<Option<TenantRecord>, DbError>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants WHERE id = $1"
        ))
        .bind(tenant_id)
        .fetch_optional(executor)
        .await?)
    }

    /// A member's role, read inside a transaction.
    pub(crate) async fn member_role_in<'c, E>(
        executor: E,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<Option<String>, DbError>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        Ok(
            sqlx::query_scalar(
                "SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(tenant_id)
            .bind(user_id)
            .fetch_optional(executor)
            .await?,
        )
    }

    /// Whether a member whose role is `current` is the tenant's only owner.
    pub(crate) async fn only_owner_in<'c, E>(
        executor: E,
        tenant_id: &str,
        current: &str,
    ) -> Result<bool, DbError>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        if current != "owner" {
            return Ok(false);
        }
        let owners: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM memberships WHERE tenant_id = $1 AND role = 'owner'",
        )
        .bind(tenant_id)
        .fetch_one(executor)
        .await?;
        Ok(owners <= 1)
    }

    pub(crate) async fn audit_in<'c, E>(
        executor: E,
        scope: &TenantScope,
        action: &str,
        target: Option<&str>,
        details: serde_json::Value,
        now: i64,
    ) -> Result<(), DbError>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, actor_id, action, target, details, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(scope.tenant_id())
        .bind(scope.actor_id())
        .bind(action)
        .bind(target)
        .bind(details.to_string())
        .bind(now)
        .execute(executor)
        .await?;
        Ok(())
    }
}

impl Storage {
    /// Create a tenant with `owner_id` as its owner; `None` when the subdomain is taken.
    pub async fn create_tenant(
        &self,
        t: &NewTenant<'_>,
        owner_id: &str,
    ) -> Result<Option<TenantRecord>, DbError> {
        use crate::db::tenants::{Role, TenantScope};
        let mut tx = self.write(Rls::member(t.id, owner_id)).await?;
        let inserted = sqlx::query(
            "INSERT INTO tenants (id, subdomain, name, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $4) ON CONFLICT (subdomain) DO NOTHING",
        )
        .bind(t.id)
        .bind(t.subdomain)
        .bind(t.name)
        .bind(t.now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO memberships (tenant_id, user_id, role, created_at)
                     VALUES ($1, $2, 'owner', $3)",
        )
        .bind(t.id)
        .bind(owner_id)
        .bind(t.now)
        .execute(&mut *tx)
        .await?;
        let scope = TenantScope::__from_storage(t.id.to_owned(), owner_id.to_owned(), Role::Owner);
        Self::audit_in(
            &mut *tx,
            &scope,
            "tenant.created",
            Some(t.subdomain),
            serde_json::json!({"name": t.name}),
            t.now,
        )
        .await?;
        let tenant = Self::tenant_in(&mut *tx, t.id).await?;
        tx.commit().await?;
        Ok(tenant)
    }

    /// Whether a subdomain is in use (platform scope).
    pub async fn subdomain_taken(&self, subdomain: &str) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM tenants WHERE subdomain = $1")
                .bind(subdomain)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(found.is_some())
    }

    /// The tenants a user belongs to, with their role in each, oldest first.
    pub async fn tenants_of(&self, user_id: &str) -> Result<Vec<(TenantRecord, Role)>, DbError> {
        let mut tx = self.write(Rls::user(user_id)).await?;
        let rows: Vec<TenantWithRole> = sqlx::query_as(
            "SELECT t.id, t.subdomain, t.name, t.plan, t.settings, t.created_at, t.updated_at, m.role
             FROM memberships m JOIN tenants t ON t.id = m.tenant_id
             WHERE m.user_id = $1 ORDER BY m.created_at, t.id",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| Some((row.tenant, Role::parse(&row.role)?)))
            .collect())
    }

    /// The scope to act in a tenant as a user: `None` unless they are a member.
    pub async fn scope(
        &self,
        user_id: &str,
        tenant_id: &str,
    ) -> Result<Option<TenantScope>, DbError> {
        let mut tx = self.write(Rls::member(tenant_id, user_id)).await?;
        let role = Self::member_role_in(&mut *tx, tenant_id, user_id).await?;
        tx.commit().await?;
        Ok(role.as_deref().and_then(Role::parse).map(|role| {
            TenantScope::__from_storage(tenant_id.to_owned(), user_id.to_owned(), role)
        }))
    }

    pub async fn tenant(&self, scope: &TenantScope) -> Result<Option<TenantRecord>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let tenant = Self::tenant_in(&mut *tx, scope.tenant_id()).await?;
        tx.commit().await?;
        Ok(tenant)
    }

    /// Rename the blog or change its settings; every server's cached pages of it go.
    pub async fn update_tenant(
        &self,
        scope: &TenantScope,
        name: Option<&str>,
        settings: Option<&str>,
        now: i64,
    ) -> Result<Option<TenantRecord>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let updated = sqlx::query(
            "UPDATE tenants SET name = coalesce($2, name), settings = coalesce($3, settings),
                                        updated_at = $4
                     WHERE id = $1",
        )
        .bind(scope.tenant_id())
        .bind(name)
        .bind(settings)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(None);
        }
        let mut changed = serde_json::Map::new();
        if let Some(name) = name {
            changed.insert("name".into(), name.into());
        }
        if settings.is_some() {
            changed.insert("settings".into(), true.into());
        }
        Self::audit_in(&mut *tx, scope, "tenant.updated", None, changed.into(), now).await?;
        let tenant = Self::tenant_in(&mut *tx, scope.tenant_id()).await?;
        // Its name and settings are on every page.
        let changed = blog_changed(&mut tx, scope.tenant_id()).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(tenant)
    }

    /// Move a blog to `plan` (billing, or a platform admin's comp), in the blog's audit
    /// log with who (none: billing) and why; its pages are made again (the footer).
    /// Answers whether the blog exists. Nothing of the blog is deleted by a downgrade.
    pub async fn set_plan(
        &self,
        tenant_id: &str,
        plan: &str,
        actor: Option<&str>,
        why: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        match Self::set_plan_in(&mut tx, tenant_id, plan, actor, why, now).await? {
            PlanChange::NoBlog => Ok(false),
            PlanChange::Same => {
                tx.commit().await?;
                Ok(true)
            }
            PlanChange::Changed(changed) => {
                self.commit_and_tell(tx, changed).await?;
                Ok(true)
            }
        }
    }

    /// Whether there is a blog with this id (platform lookups).
    pub async fn tenant_exists(&self, tenant_id: &str) -> Result<bool, DbError> {
        let mut tx = self.read(Rls::PLATFORM).await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(found.is_some())
    }

    /// An entry in a blog's audit log by someone outside it (a platform administrator;
    /// none: billing).
    pub async fn audit_from_platform(
        &self,
        tenant_id: &str,
        actor: Option<&str>,
        action: &str,
        details: serde_json::Value,
        now: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, actor_id, action, target, details, created_at)
                     VALUES ($1, $2, $3, $4, NULL, $5, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(tenant_id)
        .bind(actor)
        .bind(action)
        .bind(details.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `set_plan` inside a transaction the caller commits (with `commit_and_tell` when
    /// it changed).
    pub(crate) async fn set_plan_in(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        tenant_id: &str,
        plan: &str,
        actor: Option<&str>,
        why: &str,
        now: i64,
    ) -> Result<PlanChange, DbError> {
        let before: Option<String> = sqlx::query_scalar("SELECT plan FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(before) = before else {
            return Ok(PlanChange::NoBlog);
        };
        if before == plan {
            return Ok(PlanChange::Same);
        }
        sqlx::query("UPDATE tenants SET plan = $2, updated_at = $3 WHERE id = $1")
            .bind(tenant_id)
            .bind(plan)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, actor_id, action, target, details, created_at)
                     VALUES ($1, $2, $3, 'plan.changed', NULL, $4, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(tenant_id)
        .bind(actor)
        .bind(serde_json::json!({ "from": before, "to": plan, "why": why }).to_string())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(PlanChange::Changed(blog_changed(tx, tenant_id).await?))
    }

    /// Delete the blog and everything in it; every server's cached pages of it go.
    pub async fn delete_tenant(&self, scope: &TenantScope) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let changed = blog_changed(&mut tx, scope.tenant_id()).await?;
        let deleted = sqlx::query("DELETE FROM tenants WHERE id = $1")
            .bind(scope.tenant_id())
            .execute(&mut *tx)
            .await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(deleted.rows_affected() == 1)
    }

    /// What the blog uses of what plans limit, with its mailings since `month_start`.
    pub async fn plan_usage(
        &self,
        scope: &TenantScope,
        month_start: i64,
    ) -> Result<UsageRow, DbError> {
        let mut tx = self.read(Rls::tenant(scope.tenant_id())).await?;
        let usage = sqlx::query_as(
            "SELECT
                (SELECT count(*) FROM posts WHERE tenant_id = $1 AND kind = 'post') AS posts,
                (SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM media WHERE tenant_id = $1)
                    AS media_bytes,
                (SELECT count(*) FROM memberships WHERE tenant_id = $1) AS members,
                (SELECT count(*) FROM post_mailings WHERE tenant_id = $1 AND created_at >= $2)
                    AS mailings",
        )
        .bind(scope.tenant_id())
        .bind(month_start)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(usage)
    }

    pub async fn members(&self, scope: &TenantScope) -> Result<Vec<MemberRecord>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let members = sqlx::query_as(
            "SELECT m.user_id, u.email, u.display_name, m.role, m.created_at
                     FROM memberships m JOIN users u ON u.id = m.user_id
                     WHERE m.tenant_id = $1 ORDER BY m.created_at, m.user_id",
        )
        .bind(scope.tenant_id())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(members)
    }

    pub async fn set_member_role(
        &self,
        scope: &TenantScope,
        user_id: &str,
        role: Role,
        now: i64,
    ) -> Result<MemberChange, DbError> {
        use MemberChange;
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let Some(current) = Self::member_role_in(&mut *tx, scope.tenant_id(), user_id).await?
        else {
            return Ok(MemberChange::NotFound);
        };
        if role.as_str() != "owner"
            && Self::only_owner_in(&mut *tx, scope.tenant_id(), &current).await?
        {
            return Ok(MemberChange::LastOwner);
        }
        sqlx::query("UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2")
            .bind(scope.tenant_id())
            .bind(user_id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        Self::audit_in(
            &mut *tx,
            scope,
            "member.role_changed",
            Some(user_id),
            serde_json::json!({"from": current, "to": role.as_str()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    }

    pub async fn remove_member(
        &self,
        scope: &TenantScope,
        user_id: &str,
        now: i64,
    ) -> Result<MemberChange, DbError> {
        use MemberChange;
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let Some(current) = Self::member_role_in(&mut *tx, scope.tenant_id(), user_id).await?
        else {
            return Ok(MemberChange::NotFound);
        };
        if Self::only_owner_in(&mut *tx, scope.tenant_id(), &current).await? {
            return Ok(MemberChange::LastOwner);
        }
        sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2")
            .bind(scope.tenant_id())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        Self::audit_in(
            &mut *tx,
            scope,
            "member.removed",
            Some(user_id),
            serde_json::json!({"role": current}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    }

    pub async fn create_invite(
        &self,
        scope: &TenantScope,
        i: &NewInvite<'_>,
    ) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        sqlx::query("INSERT INTO invites (id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(i.id)
                .bind(scope.tenant_id())
                .bind(i.email)
                .bind(i.role.as_str())
                .bind(i.token_hash)
                .bind(scope.actor_id())
                .bind(i.now)
                .bind(i.expires_at)
                .execute(&mut *tx)
                .await?;
        Self::audit_in(
            &mut *tx,
            scope,
            "invite.created",
            Some(i.email),
            serde_json::json!({"role": i.role.as_str(), "invite": i.id}),
            i.now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Pending invitations, newest first.
    pub async fn invites(
        &self,
        scope: &TenantScope,
        now: i64,
    ) -> Result<Vec<InviteRecord>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let invites = sqlx::query_as("SELECT id, email, role, invited_by, created_at, expires_at FROM invites
                     WHERE tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2
                     ORDER BY created_at DESC, id")
                .bind(scope.tenant_id())
                .bind(now)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(invites)
    }

    pub async fn revoke_invite(
        &self,
        scope: &TenantScope,
        invite_id: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let revoked = sqlx::query("UPDATE invites SET revoked_at = $3
                     WHERE id = $1 AND tenant_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL")
                .bind(invite_id)
                .bind(scope.tenant_id())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        if revoked.rows_affected() != 1 {
            return Ok(false);
        }
        Self::audit_in(
            &mut *tx,
            scope,
            "invite.revoked",
            Some(invite_id),
            serde_json::json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Accept an invitation (by its token's hash) as a user whose address is `email`.
    pub async fn accept_invite(
        &self,
        token_hash: &str,
        user_id: &str,
        email: &str,
        now: i64,
    ) -> Result<Accepted, DbError> {
        self.accept_invite_within(token_hash, user_id, email, now, |_| None)
            .await
    }

    /// `accept_invite`, where a new member joins only while the blog has fewer members
    /// than `members_allowed(its plan)` (none: no limit). Counted with the blog's row
    /// held, so two accepting at once cannot both take the last place.
    pub async fn accept_invite_within(
        &self,
        token_hash: &str,
        user_id: &str,
        email: &str,
        now: i64,
        members_allowed: impl Fn(&str) -> Option<i64>,
    ) -> Result<Accepted, DbError> {
        use crate::db::tenants::{Accepted, Role, TenantScope};
        let mut tx = self.begin_write().await?;
        // The token says which tenant: looked up in the platform scope.
        set_scope(&mut tx, Rls::PLATFORM).await?;
        let invite: Option<(String, String, String)> = sqlx::query_as(
            "SELECT id, tenant_id, role FROM invites
                     WHERE token_hash = $1 AND email = $2 AND accepted_at IS NULL
                       AND revoked_at IS NULL AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(email)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((invite_id, tenant_id, role)) = invite else {
            return Ok(Accepted::Invalid);
        };
        let Some(role) = Role::parse(&role) else {
            return Ok(Accepted::Invalid);
        };
        // From here on, only that tenant.
        set_scope(&mut tx, Rls::member(&tenant_id, user_id)).await?;
        sqlx::query("UPDATE invites SET accepted_at = $2 WHERE id = $1")
            .bind(&invite_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let current = Self::member_role_in(&mut *tx, &tenant_id, user_id).await?;
        let role = match current.as_deref().and_then(Role::parse) {
            // Already a member: keep the stronger role.
            Some(existing) if existing.at_least(role) => existing,
            Some(_) => {
                sqlx::query(
                    "UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2",
                )
                .bind(&tenant_id)
                .bind(user_id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
                role
            }
            None => {
                sqlx::query("UPDATE tenants SET updated_at = updated_at WHERE id = $1")
                    .bind(&tenant_id)
                    .execute(&mut *tx)
                    .await?;
                let plan: Option<String> =
                    sqlx::query_scalar("SELECT plan FROM tenants WHERE id = $1")
                        .bind(&tenant_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let plan = plan.unwrap_or_default();
                if let Some(allowed) = members_allowed(&plan) {
                    let members: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE tenant_id = $1")
                            .bind(&tenant_id)
                            .fetch_one(&mut *tx)
                            .await?;
                    if members >= allowed {
                        return Ok(Accepted::Full { plan, allowed });
                    }
                }
                sqlx::query("INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(&tenant_id)
                        .bind(user_id)
                        .bind(role.as_str())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                role
            }
        };
        let scope = TenantScope::__from_storage(tenant_id.clone(), user_id.to_owned(), role);
        Self::audit_in(
            &mut *tx,
            &scope,
            "member.joined",
            Some(user_id),
            serde_json::json!({"role": role.as_str(), "invite": invite_id}),
            now,
        )
        .await?;
        let tenant = Self::tenant_in(&mut *tx, &tenant_id).await?;
        tx.commit().await?;
        Ok(match tenant {
            Some(tenant) => Accepted::Joined { tenant, role },
            None => Accepted::Invalid,
        })
    }

    /// The audit log, newest first: at most `limit` entries older than `before` (an id).
    pub async fn audit_log(
        &self,
        scope: &TenantScope,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let entries = sqlx::query_as(
            "SELECT id, actor_id, action, target, details, created_at FROM audit_log
                     WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2)
                     ORDER BY id DESC LIMIT $3",
        )
        .bind(scope.tenant_id())
        .bind(before)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(entries)
    }

    /// Every tenant, for platform admins: at most `limit`, by creation, after `after` (an id).
    pub async fn all_tenants(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<TenantRecord>, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let tenants = sqlx::query_as(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(tenants)
    }
}
