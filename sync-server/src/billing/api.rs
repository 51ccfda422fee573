//! The plan over HTTP: what a blog's plan unlocks and what the blog uses of it, for the
//! app to show before a limit is reached (members).

use std::sync::Arc;

use pint_model::wire::{CreditLotView, PlanUsage, PlanView};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::{Plan, Plans};
use crate::auth::BearerAuth;
use crate::clock::now_ms;
use crate::db::Storage;
use crate::http::ApiError;
use crate::tenants::{Action, scope_for};

#[derive(Debug, Default)]
pub struct BillingApi;

#[OpenApi(prefix_path = "/v1/tenants")]
impl BillingApi {
    /// The blog's plan, what it unlocks, and what the blog uses now: posts, images,
    /// members, credits for managed AI with when they expire (members).
    #[oai(path = "/:id/plan", method = "get")]
    async fn plan(
        &self,
        storage: Data<&Arc<Storage>>,
        plans: Data<&Plans>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<PlanView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::Read,
            "reading the plan",
        )
        .await?;
        let tenant = storage
            .tenant(&scope)
            .await?
            .ok_or_else(ApiError::internal)?;
        let (posts, media_bytes, members) = storage.plan_usage(&scope).await?;
        let credits = storage.credit_balance(scope.tenant_id(), now_ms()).await?;
        let status = storage.subscription_status(scope.tenant_id()).await?;
        Ok(Json(PlanView {
            plan: Plan::parse(&tenant.plan).as_str().to_owned(),
            billing: plans.billing_on,
            payment_problem: plans.billing_on && status.as_deref() == Some("past_due"),
            limits: plans.entitlements(&tenant.plan),
            usage: PlanUsage {
                posts,
                media_bytes,
                members,
                credits: credits.balance,
                credit_lots: credits
                    .lots
                    .into_iter()
                    .map(|(remaining, expires_at)| CreditLotView {
                        remaining,
                        expires_at,
                    })
                    .collect(),
            },
        }))
    }
}
