import { describe, expect, it } from "vitest";
import type { PlanView } from "./bindings/PlanView";
import { creditsLine, featureLines, money, planName, priceLabel, usageLines } from "./plan";

const free: PlanView = {
  plan: "free",
  billing: true,
  paymentProblem: false,
    managedAi: false,
  limits: {
    posts: 50,
    mediaBytes: 500 * 1024 * 1024,
    members: 1,
    customDomain: false,
    scheduledPublishing: false,
    passwordProtection: false,
    mailingsPerMonth: 2,
    aiCreditsPerMonth: 0,
    removeFooter: false,
  },
  usage: { posts: 46, mediaBytes: 12 * 1024 * 1024, members: 1, mailings: 2, credits: 0, creditLots: [] },
};

describe("the plan in words", () => {
  it("shows each limit with what is used, and warns near it", () => {
    expect(planName(free)).toBe("Free plan");
    expect(usageLines(free)).toEqual([
      { label: "Posts", text: "46 of 50", near: true },
      { label: "Images", text: "12 MB of 500 MB", near: false },
      { label: "Members", text: "1 of 1", near: true },
      { label: "Mailings this month", text: "2 of 2", near: true },
    ]);
    expect(featureLines(free).every((f) => !f.on)).toBe(true);
    expect(creditsLine(free)).toBeNull();
  });

  it("says when billing is off that everything is there, without limits", () => {
    const off: PlanView = {
      ...free,
      billing: false,
      limits: { ...free.limits, posts: null, mediaBytes: null, members: null, scheduledPublishing: true },
      usage: { ...free.usage, credits: 300, creditLots: [{ remaining: 300, expiresAt: null }] },
    };
    expect(planName(off)).toBe("Every feature (this server has no plans)");
    expect(usageLines(off)[0]).toEqual({ label: "Posts", text: "46", near: false });
    expect(creditsLine(off)).toBe("300 AI credits");
  });
});

describe("prices and payments", () => {
  it("writes amounts as people do, in the price's currency", () => {
    expect(money(900, "eur")).toBe("€9");
    expect(money(950, "usd")).toBe("$9.50");
    expect(money(24900, "gbp")).toBe("£249");
  });

  it("says how often a price is paid", () => {
    const p = { id: "p", productName: "Pint Pro", offer: "pro", credits: null, unitAmount: 9000, currency: "eur", limits: null };
    expect(priceLabel({ ...p, period: "year" })).toBe("€90 a year");
    expect(priceLabel({ ...p, period: "month", unitAmount: 900 })).toBe("€9 a month");
    expect(priceLabel({ ...p, period: null, unitAmount: 24900 })).toBe("€249 once");
  });
});
