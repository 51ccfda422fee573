// Words for the blog's plan: each limit with what the blog uses of it, the features it
// unlocks, and the AI credits with when they expire.

import type { PlanView } from "./bindings/PlanView";
import type { BillingView } from "./bindings/BillingView";
import type { Entitlements } from "./bindings/Entitlements";
import type { PaymentView } from "./bindings/PaymentView";
import type { PriceView } from "./bindings/PriceView";
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
    line("Images", usage.mediaBytes, limits.mediaBytes, (n) => (n === 0 ? "0 MB" : sizeLabel(n))),
    line("Members", usage.members, limits.members, (n) => n.toLocaleString("en-US")),
    line("Mailings this month", usage.mailings, limits.mailingsPerMonth, (n) => n.toLocaleString("en-US")),
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

// What can be bought, and what was paid.

/** An amount in the currency's smallest unit, as people write it: "€9", "€9.50". */
export function money(amount: number, currency: string): string {
  const whole = amount % 100 === 0;
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(amount / 100);
}

/** "€9 a month", "€90 a year", "€249 once". */
export function priceLabel(p: PriceView): string {
  const when = p.period === "month" ? "a month" : p.period === "year" ? "a year" : "once";
  return `${money(p.unitAmount, p.currency)} ${when}`;
}

/** Something to buy: a plan (with what it adds to the blog's plan now) or a pack of credits, at its prices. */
export interface Offer {
  key: string;
  title: string;
  adds: string[];
  prices: PriceView[];
}

/** What `next` adds to `now`, in words. */
export function addsLines(now: Entitlements, next: Entitlements): string[] {
  const out: string[] = [];
  const more = (a: number | null, b: number | null) => (b === null ? a !== null : a !== null && b > a);
  if (more(now.posts, next.posts)) out.push(next.posts === null ? "Unlimited posts" : `${next.posts} posts`);
  if (more(now.mediaBytes, next.mediaBytes)) out.push(`${sizeLabel(next.mediaBytes ?? 0)} of images`);
  if (more(now.members, next.members)) out.push(`${next.members} members`);
  if (!now.scheduledPublishing && next.scheduledPublishing) out.push("Scheduled publishing");
  if (!now.passwordProtection && next.passwordProtection) out.push("Password-protected posts");
  if (!now.customDomain && next.customDomain) out.push("Your own domain");
  if (!now.removeFooter && next.removeFooter) out.push("No “made with Pint” footer");
  if (next.aiCreditsPerMonth > now.aiCreditsPerMonth) out.push(`${next.aiCreditsPerMonth.toLocaleString("en-US")} AI credits a month`);
  return out;
}

/**
 * What the blog can buy now. A free blog: Pro, Max, Lifetime. Lifetime: Max. A blog with a
 * subscription changes it in Manage billing, not here. Credit packs are for managed AI
 * (Max).
 */
export function offers(plan: PlanView, billing: BillingView): Offer[] {
  const wanted: string[] =
    plan.plan === "free" ? ["pro", "max", "lifetime"] : plan.plan === "lifetime" ? ["max"] : [];
  const out: Offer[] = [];
  const shown = new Map<string, Entitlements>();
  for (const name of wanted) {
    const prices = billing.prices.filter((p) => p.offer === name).sort((a, b) => periodRank(a) - periodRank(b));
    const limits = prices[0]?.limits;
    if (limits === undefined) continue;
    // Said once: a plan shown before with the same features is named, not repeated.
    const pro = shown.get("pro");
    let adds = limits ? addsLines(plan.limits, limits) : [];
    if (name === "lifetime" && pro && limits && addsLines(pro, limits).length === 0) {
      adds = ["Everything in Pro, paid once: no subscription"];
    } else if (name === "max" && pro && limits) {
      adds = ["Everything in Pro, and:", ...addsLines(pro, limits)];
    }
    if (limits) shown.set(name, limits);
    out.push({ key: name, title: PLAN_NAMES[name] ?? name, adds, prices });
  }
  if (plan.limits.aiCreditsPerMonth > 0) {
    for (const p of billing.prices.filter((p) => p.offer === "credits")) {
      out.push({ key: p.id, title: p.productName, adds: [`${(p.credits ?? 0).toLocaleString("en-US")} AI credits, for a year`], prices: [p] });
    }
  }
  return out;
}

function periodRank(p: PriceView): number {
  return p.period === "month" ? 0 : p.period === "year" ? 1 : 2;
}

const PAYMENT_STATUS: Record<string, string> = {
  paid: "Paid",
  failed: "Failed",
  refunded: "Refunded",
  disputed: "Disputed",
};

/** A payment as one line of the history. */
export function paymentLine(p: PaymentView): { when: string; what: string; amount: string; status: string } {
  return {
    when: new Date(p.createdAt).toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric" }),
    what: p.description,
    amount: money(p.amount, p.currency),
    status: PAYMENT_STATUS[p.status] ?? p.status,
  };
}

/** Whether the plan moved on from `before` (the new plan, or credits came in). */
export function planMoved(before: PlanView, after: PlanView): boolean {
  return after.plan !== before.plan || after.usage.credits > before.usage.credits;
}
