//! The signed-in blog's plan, as its server tells it: what the plan unlocks and what the
//! blog uses of it, so the app shows a limit before the creator reaches it.

use pint_model::wire::PlanView;

use crate::account::{AccountError, Session, call};
use crate::media::upload::Blog;

/// The blog's plan (none when signed out).
pub async fn blog_plan(session: Option<&Session>) -> Result<Option<PlanView>, AccountError> {
    let Some(session) = session else {
        return Ok(None);
    };
    let blog = Blog::of(session).await?;
    let base = blog.server.trim_end_matches('/');
    let plan = call(
        blog.http
            .get(format!("{base}/v1/tenants/{}/plan", blog.tenant))
            .bearer_auth(&blog.token),
    )
    .await?;
    Ok(Some(plan))
}
