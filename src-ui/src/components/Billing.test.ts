import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import Billing from "./Billing.svelte";
import { fakeInvoke } from "./fake-invoke";
import type { PlanView } from "../bindings/PlanView";
import type { BillingView } from "../bindings/BillingView";
import type { Entitlements } from "../bindings/Entitlements";

const FREE: Entitlements = {
  posts: 50,
  mediaBytes: 500 * 1024 ** 2,
  members: 1,
  customDomain: false,
  scheduledPublishing: false,
  passwordProtection: false,
  mailingsPerMonth: 2,
  aiCreditsPerMonth: 0,
  removeFooter: false,
};
const PRO: Entitlements = {
  ...FREE,
  posts: null,
  mediaBytes: 20 * 1024 ** 3,
  members: 5,
  customDomain: true,
  scheduledPublishing: true,
  passwordProtection: true,
  mailingsPerMonth: 30,
  removeFooter: true,
};
const MAX: Entitlements = { ...PRO, mediaBytes: 100 * 1024 ** 3, members: 25, mailingsPerMonth: null, aiCreditsPerMonth: 2000 };

function plan(name: string, limits: Entitlements, credits = 0): PlanView {
  return {
    plan: name,
    billing: true,
    paymentProblem: false,
    managedAi: false,
    limits,
    usage: { posts: 50, mediaBytes: 0, members: 1, mailings: 0, credits, creditLots: [] },
  };
}

const price = (id: string, offer: string, unitAmount: number, period: string | null, limits: Entitlements | null, credits: number | null = null) => ({
  id,
  productName: offer === "credits" ? "500 AI credits" : `Pint ${offer}`,
  offer,
  credits,
  unitAmount,
  currency: "eur",
  period,
  limits,
});

const BILLING: BillingView = {
  prices: [
    price("price_pro_y", "pro", 9000, "year", PRO),
    price("price_pro_m", "pro", 900, "month", PRO),
    price("price_max_m", "max", 2900, "month", MAX),
    price("price_life", "lifetime", 24900, null, PRO),
    price("price_pack", "credits", 500, null, null, 500),
  ],
  payments: [
    { id: "in_2", description: "1 × Pint Pro", amount: 900, currency: "eur", status: "failed", createdAt: Date.UTC(2026, 11, 7), receiptUrl: "https://invoice.stripe.com/i/2" },
    { id: "in_1", description: "1 × Pint Pro", amount: 950, currency: "eur", status: "paid", createdAt: Date.UTC(2026, 10, 7), receiptUrl: null },
  ],
  portal: true,
};

describe("billing in Settings", () => {
  it("offers a free blog each plan with what it adds, at Stripe's prices, and no credit packs", async () => {
    const { invoke } = fakeInvoke({ blog_billing: () => BILLING });
    render(Billing, { invoke, plan: plan("free", FREE), onPlan: () => {} });
    const pro = (await screen.findByText("Pro")).closest("article")!;
    expect(pro.textContent).toContain("Unlimited posts");
    expect(pro.textContent).toContain("Scheduled publishing");
    const buttons = [...pro.querySelectorAll("button")].map((b) => b.textContent?.trim());
    expect(buttons).toEqual(["€9 a month", "€90 a year"]);
    expect(screen.getByText("€249 once")).toBeTruthy();
    expect(screen.queryByText("500 AI credits")).toBeNull();
  });

  it("opens Checkout, waits, and notices the new plan by itself", async () => {
    const onPlan = vi.fn();
    let paid = false;
    const { invoke, calls } = fakeInvoke({
      blog_billing: () => BILLING,
      start_checkout: () => {
        paid = true; // the creator pays in the browser
        return "https://checkout.stripe.com/c/cs_1";
      },
      blog_plan: () => (paid ? plan("pro", PRO) : plan("free", FREE)),
    });
    render(Billing, { invoke, plan: plan("free", FREE), onPlan, pollEvery: 10 });
    await fireEvent.click(await screen.findByText("€9 a month"));
    expect(calls.find((c) => c.cmd === "start_checkout")?.args).toEqual({ priceId: "price_pro_m" });
    await waitFor(() => expect(screen.getByText("Thank you: the blog is on the Pro plan now.")).toBeTruthy());
    expect(onPlan).toHaveBeenCalledWith(expect.objectContaining({ plan: "pro" }));
  });

  it("says why Checkout did not open", async () => {
    const { invoke } = fakeInvoke({
      blog_billing: () => BILLING,
      start_checkout: () => {
        throw { kind: "internal", message: "no web browser could be opened (xdg-open); the page is at https://checkout.stripe.com/c/1" };
      },
    });
    render(Billing, { invoke, plan: plan("free", FREE), onPlan: () => {} });
    await fireEvent.click(await screen.findByText("€249 once"));
    expect((await screen.findByRole("alert")).textContent).toContain("no web browser could be opened");
    expect(screen.queryByText(/Finish there/)).toBeNull();
  });

  it("shows the payment history and opens a receipt by the payment's id", async () => {
    const { invoke, calls } = fakeInvoke({ blog_billing: () => BILLING, open_payment_receipt: () => "https://invoice.stripe.com/i/2" });
    render(Billing, { invoke, plan: plan("pro", PRO), onPlan: () => {} });
    const table = await screen.findByRole("table");
    const rows = [...table.querySelectorAll("tbody tr")].map((r) => [...r.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent));
    expect(rows).toEqual([
      ["Dec 7, 2026", "1 × Pint Pro", "€9", "Failed"],
      ["Nov 7, 2026", "1 × Pint Pro", "€9.50", "Paid"],
    ]);
    await fireEvent.click(screen.getByText("Receipt"));
    expect(calls.find((c) => c.cmd === "open_payment_receipt")?.args).toEqual({ paymentId: "in_2" });
    // A subscribed blog changes its plan in Manage billing: nothing to buy here.
    expect(screen.queryByText("€9 a month")).toBeNull();
    expect(screen.getByText("Manage billing")).toBeTruthy();
  });

  it("offers Max credit packs, and a lifetime blog only Max", async () => {
    const { invoke } = fakeInvoke({ blog_billing: () => BILLING });
    const { unmount } = render(Billing, { invoke, plan: plan("max", MAX), onPlan: () => {} });
    expect(await screen.findByText("500 AI credits")).toBeTruthy();
    expect(screen.queryByText("Pro")).toBeNull();
    unmount();
    render(Billing, { invoke, plan: plan("lifetime", PRO), onPlan: () => {} });
    const max = (await screen.findByText("Max")).closest("article")!;
    expect(max.textContent).toContain("2,000 AI credits a month");
    expect(screen.queryByText("Lifetime")).toBeNull();
  });

  it("shows nothing on a server that does not bill", async () => {
    const { invoke } = fakeInvoke({ blog_billing: () => null });
    const { container } = render(Billing, { invoke, plan: plan("free", FREE), onPlan: () => {} });
    await new Promise((r) => setTimeout(r, 20));
    expect(container.querySelector("#billing")).toBeNull();
  });
});
