// Words for the blog's plan: each limit with what the blog uses of it, the features it
// unlocks, and the AI credits with when they expire.

import type { PlanView } from "./bindings/PlanView";
import { sizeLabel } from "./media-library";
import { formatWhen } from "./when";

const PLAN_NAMES: Record<string, string> = { free: "Free", pro: "Pro", max: "Max", lifetime: "Lifetime" };

/** What to tell the creator while Stripe retries a failed payment. */
export const PAYMENT_PROBLEM =
  "The blog's last payment failed. It keeps its plan while the payment is retried: update the card before then, or it goes back to the free plan (nothing is deleted).";

export function planName(plan: PlanView): string {
  return plan.billing ? `${PLAN_NAMES[plan.plan] ?? plan.plan} plan` : "Every feature (this server has no plans)";
}

/** One line per limit: what is used, of how much; `near` when 90 % or more is used. */
export function usageLines(plan: PlanView): { label: string; text: string; near: boolean }[] {
  const { limits, usage } = plan;
  const line = (label: string, used: number, limit: number | null, show: (n: number) => string) => ({
    label,
    text: limit === null ? `${show(used)}` : `${show(used)} of ${show(limit)}`,
    near: limit !== null && used >= limit * 0.9,
  });
  return [
    line("Posts", usage.posts, limits.posts, (n) => n.toLocaleString("en-US")),
    line("Images", usage.mediaBytes, limits.mediaBytes, sizeLabel),
    line("Members", usage.members, limits.members, (n) => n.toLocaleString("en-US")),
  ];
}

/** The features the plan unlocks, and those it does not. */
export function featureLines(plan: PlanView): { label: string; on: boolean }[] {
  const l = plan.limits;
  return [
    { label: "Scheduled publishing", on: l.scheduledPublishing },
    { label: "Password-protected posts", on: l.passwordProtection },
    { label: "Your own domain", on: l.customDomain },
    { label: "No “made with Pint” footer", on: l.removeFooter },
  ];
}

/** "300 AI credits (300 expire Jan 1, 2100, 9:00 AM)", or none when there are none. */
export function creditsLine(plan: PlanView): string | null {
  const { credits, creditLots } = plan.usage;
  if (credits === 0 && plan.limits.aiCreditsPerMonth === 0) return null;
  const first = creditLots.find((l) => l.expiresAt !== null);
  const expiry = first?.expiresAt != null ? ` (${first.remaining.toLocaleString("en-US")} expire ${formatWhen(first.expiresAt)})` : "";
  const monthly = plan.limits.aiCreditsPerMonth > 0 ? `; ${plan.limits.aiCreditsPerMonth.toLocaleString("en-US")} a month` : "";
  return `${credits.toLocaleString("en-US")} AI credits${expiry}${monthly}`;
}
