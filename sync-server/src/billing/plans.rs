//! What each plan unlocks: the one table in code. Every limit is enforced on the server
//! where its action happens (a refusal names the limit and the plan that lifts it), and
//! the app shows them before the creator reaches one.
//!
//! With billing off (no Stripe configured: a self-hosted server) every blog has
//! everything. A downgrade never deletes: over a limit, what exists stays readable and
//! published; only new additions are refused until the blog is under it again.

pub use pint_model::wire::Entitlements;
use serde::Serialize;

/// A blog's plan, as kept in `tenants.plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Pro,
    Max,
    /// Pro's features, paid once.
    Lifetime,
}

impl Plan {
    pub const ALL: [Plan; 4] = [Plan::Free, Plan::Pro, Plan::Max, Plan::Lifetime];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
            Plan::Max => "max",
            Plan::Lifetime => "lifetime",
        }
    }

    /// A stored plan name; one this server does not know is treated as free (the safe
    /// reading: nothing is unlocked by a typo).
    pub fn parse(name: &str) -> Plan {
        Plan::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .unwrap_or(Plan::Free)
    }

    /// What this plan unlocks.
    pub fn entitlements(self) -> Entitlements {
        const MIB: i64 = 1 << 20;
        const GIB: i64 = 1 << 30;
        match self {
            Plan::Free => Entitlements {
                posts: Some(50),
                media_bytes: Some(500 * MIB),
                members: Some(1),
                custom_domain: false,
                scheduled_publishing: false,
                password_protection: false,
                mailings_per_month: Some(2),
                ai_credits_per_month: 0,
                remove_footer: false,
            },
            Plan::Pro | Plan::Lifetime => Entitlements {
                posts: None,
                media_bytes: Some(20 * GIB),
                members: Some(5),
                custom_domain: true,
                scheduled_publishing: true,
                password_protection: true,
                mailings_per_month: Some(30),
                ai_credits_per_month: 0,
                remove_footer: true,
            },
            Plan::Max => Entitlements {
                posts: None,
                media_bytes: Some(100 * GIB),
                members: Some(25),
                custom_domain: true,
                scheduled_publishing: true,
                password_protection: true,
                mailings_per_month: None,
                ai_credits_per_month: 2_000,
                remove_footer: true,
            },
        }
    }
}

/// Everything, unlimited: every blog when billing is off.
pub const EVERYTHING: Entitlements = Entitlements {
    posts: None,
    media_bytes: None,
    members: None,
    custom_domain: true,
    scheduled_publishing: true,
    password_protection: true,
    mailings_per_month: None,
    ai_credits_per_month: 0,
    remove_footer: true,
};

/// A limit or a feature a plan decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Posts,
    MediaBytes,
    Members,
    CustomDomain,
    ScheduledPublishing,
    PasswordProtection,
    Mailings,
}

impl Limit {
    /// Its name in an error's details.
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Posts => "posts",
            Limit::MediaBytes => "mediaBytes",
            Limit::Members => "members",
            Limit::CustomDomain => "customDomain",
            Limit::ScheduledPublishing => "scheduledPublishing",
            Limit::PasswordProtection => "passwordProtection",
            Limit::Mailings => "mailingsPerMonth",
        }
    }

    /// How far `e` allows it: a count (`None`: no limit), or whether the feature is on
    /// (as 0 or no limit).
    fn allowance(self, e: &Entitlements) -> Option<i64> {
        let feature = |on: bool| if on { None } else { Some(0) };
        match self {
            Limit::Posts => e.posts,
            Limit::MediaBytes => e.media_bytes,
            Limit::Members => e.members,
            Limit::CustomDomain => feature(e.custom_domain),
            Limit::ScheduledPublishing => feature(e.scheduled_publishing),
            Limit::PasswordProtection => feature(e.password_protection),
            Limit::Mailings => e.mailings_per_month,
        }
    }

    /// The plan people move to for more of it than `from` gives: the first, in the order
    /// plans are sold (pro, then max), that allows more.
    pub fn lifted_by(self, from: Plan) -> Option<Plan> {
        let now = self.allowance(&from.entitlements());
        [Plan::Pro, Plan::Max].into_iter().find(|p| {
            match (now, self.allowance(&p.entitlements())) {
                (Some(_), None) => true,
                (Some(a), Some(b)) => b > a,
                (None, _) => false,
            }
        })
    }
}

/// Whether billing is on (Stripe configured), and so whether plans limit anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plans {
    pub billing_on: bool,
}

impl Plans {
    /// What a blog on `plan` may do.
    pub fn entitlements(self, plan: &str) -> Entitlements {
        if self.billing_on {
            Plan::parse(plan).entitlements()
        } else {
            EVERYTHING
        }
    }
}

/// A refusal's details: the limit, how much the blog's plan allows, the plan, and the
/// plan that lifts it.
pub fn details(plan: &str, limit: Limit) -> serde_json::Value {
    let plan = Plan::parse(plan);
    serde_json::json!({
        "limit": limit.as_str(),
        "allowed": limit.allowance(&plan.entitlements()),
        "plan": plan.as_str(),
        "liftedBy": limit.lifted_by(plan).map(Plan::as_str),
    })
}

/// Refuse a feature the blog's plan does not unlock: FORBIDDEN, naming the feature and
/// the plan that lifts it (`doing`, for people: "using your own domain").
pub fn require_feature(
    plans: Plans,
    plan: &str,
    limit: Limit,
    doing: &str,
) -> Result<(), crate::http::ApiError> {
    if limit.allowance(&plans.entitlements(plan)) == Some(0) {
        let lifted = limit.lifted_by(Plan::parse(plan)).map_or("", Plan::as_str);
        return Err(crate::http::ApiError::new(
            pint_model::ErrorCode::Forbidden,
            format!("{doing} is not in the blog's {plan} plan; the {lifted} plan has it"),
        )
        .with_details(details(plan, limit)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_paid_plan_unlocks_at_least_what_free_does() {
        let free = Plan::Free.entitlements();
        for plan in [Plan::Pro, Plan::Max, Plan::Lifetime] {
            let e = plan.entitlements();
            assert!(
                e.posts.is_none() && e.custom_domain && e.scheduled_publishing,
                "{plan:?}"
            );
            assert!(
                e.media_bytes > free.media_bytes && e.members > free.members,
                "{plan:?}"
            );
        }
        assert_eq!(Plan::Lifetime.entitlements(), Plan::Pro.entitlements());
        assert_eq!(
            Plan::parse("platinum"),
            Plan::Free,
            "unknown is free, never more"
        );
    }

    #[test]
    fn a_refusal_names_the_plan_that_lifts_it() {
        assert_eq!(Limit::Posts.lifted_by(Plan::Free), Some(Plan::Pro));
        assert_eq!(Limit::Members.lifted_by(Plan::Pro), Some(Plan::Max));
        assert_eq!(Limit::Members.lifted_by(Plan::Max), None);
        assert_eq!(Limit::CustomDomain.lifted_by(Plan::Free), Some(Plan::Pro));
        assert_eq!(
            details("free", Limit::Posts),
            serde_json::json!({"limit": "posts", "allowed": 50, "plan": "free", "liftedBy": "pro"})
        );
        let off = Plans { billing_on: false };
        assert_eq!(off.entitlements("free"), EVERYTHING);
    }
}
