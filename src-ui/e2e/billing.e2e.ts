// Paying for the blog, in the real window, against a server billing through a fake
// Stripe (Stripe's wire format, webhooks signed as Stripe signs them): a free blog's
// owner opens Settings, chooses Pro; Checkout opens in the "system browser" (here a
// script that notes the address, as `$BROWSER` allows), where the page's Pay button is
// pressed; Stripe's events reach the server and the window notices Pro by itself, with
// the payment in the history. A renewal that fails shows the payment problem while the
// plan holds; when Stripe gives up the blog is free again, nothing deleted.

import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { type Browser, createAccount, startFakeStripe, startServer, tempDir, waitForState, withApp } from "./harness";

const shots = process.env.PINT_E2E_SHOTS;
async function shot(browser: Browser, name: string): Promise<void> {
  if (shots) await browser.saveScreenshot(path.join(shots, `${name}.png`));
}

const SECRET = "whsec_e2e_billing";

async function openSettings(browser: Browser): Promise<void> {
  await browser.keys([Key.Ctrl, ","]);
  await (await browser.$("#settings")).waitForDisplayed({ timeout: 5_000 });
  await (await browser.$("#plan-name")).waitForExist({ timeout: 10_000 });
}

async function closeSettings(browser: Browser): Promise<void> {
  await browser.keys(Key.Escape);
  await (await browser.$("#settings")).waitForDisplayed({ reverse: true, timeout: 5_000 });
}

async function planName(browser: Browser): Promise<string> {
  return (await browser.$("#plan-name")).getText();
}

describe("billing", () => {
  it("a free blog upgrades to Pro through Checkout, and falls back to free when payments stop", async () => {
    const stripe = await startFakeStripe();
    const server = await startServer(tempDir(), "127.0.0.1:0", {
      PINT_STRIPE_SECRET_KEY: "sk_test_e2e",
      PINT_STRIPE_WEBHOOK_SECRETS: SECRET,
      PINT_STRIPE_API_BASE: stripe.url,
    });
    // The "system browser": a script that notes each address it is asked to open.
    const dir = tempDir();
    const opened = path.join(dir, "opened.txt");
    const browserScript = path.join(dir, "browser.sh");
    writeFileSync(browserScript, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
    chmodSync(browserScript, 0o755);
    try {
      await stripe.control("/_fake/webhook", { url: `${server.url}/v1/billing/stripe/events`, secret: SECRET });
      for (const p of [
        { product_name: "Pint Pro", unit_amount: 900, currency: "eur", interval: "month", metadata: { pint_plan: "pro" } },
        { product_name: "Pint Pro", unit_amount: 9000, currency: "eur", interval: "year", metadata: { pint_plan: "pro" } },
        { product_name: "Pint Max", unit_amount: 2900, currency: "eur", interval: "month", metadata: { pint_plan: "max" } },
        { product_name: "Pint Lifetime", unit_amount: 24900, currency: "eur", metadata: { pint_plan: "lifetime" } },
      ]) {
        await stripe.control("/_fake/prices", p);
      }

      await withApp({ PINT_DATA_DIR: tempDir(), PINT_SERVER_URL: server.url, BROWSER: browserScript }, async (browser) => {
        await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
        await waitForState(browser, "sync-status", "signedOut");
        await createAccount(browser, "ada@example.com", "ada-writes");

        // Free, with what each plan adds at Stripe's prices.
        await openSettings(browser);
        expect(await planName(browser)).toBe("Free plan");
        const pro = await browser.$('#billing article[data-offer="pro"]');
        await pro.waitForExist({ timeout: 10_000 });
        expect(await pro.getText()).toContain("Unlimited posts");
        await browser.execute(() => document.querySelector("#billing")?.scrollIntoView());
        await shot(browser, "30-billing-offers");

        // Pro, monthly: Checkout opens in the browser; the window waits for the payment.
        const monthly = await browser.$('#billing article[data-offer="pro"] button');
        expect(await monthly.getText()).toBe("€9 a month");
        await browser.execute((b) => (b as unknown as HTMLElement).click(), monthly);
        await (await browser.$("#billing-waiting")).waitForExist({ timeout: 15_000 });
        await browser.waitUntil(() => existsSync(opened), { timeout: 10_000, timeoutMsg: "the browser was not asked to open Checkout" });
        const checkoutUrl = readFileSync(opened, "utf8").trim().split("\n").pop() ?? "";
        expect(checkoutUrl.startsWith(`${stripe.url}checkout/cs_test_`)).toBe(true);
        await shot(browser, "31-billing-waiting");

        // The creator presses Pay on Stripe's page; the window notices Pro by itself.
        const paid = await fetch(`${checkoutUrl}/pay`, { method: "POST", redirect: "manual" });
        expect(paid.status).toBe(303);
        expect(paid.headers.get("location")).toBe(`${server.url}/billing/return?to=paid`);
        const back = await (await fetch(paid.headers.get("location")!)).text();
        expect(back).toContain("Go back to Pint");
        const note = await browser.$("#billing-note");
        await note.waitForExist({ timeout: 20_000, timeoutMsg: "the window did not notice the payment" });
        expect(await note.getText()).toBe("Thank you: the blog is on the Pro plan now.");
        expect(await planName(browser)).toBe("Pro plan");
        const row = await browser.$("#billing-payments tbody tr");
        await row.waitForExist({ timeout: 10_000 });
        expect(await row.getText()).toContain("€9");
        expect(await row.getText()).toContain("Paid");
        expect(await (await browser.$("#billing-manage")).isExisting()).toBe(true);
        await browser.execute(() => document.querySelector("#billing")?.scrollIntoView());
        await shot(browser, "32-billing-pro");
        await closeSettings(browser);

        // A renewal fails: Pro holds, and the problem is told.
        const [sub] = (await stripe.control("/_fake/subscriptions")) as { id: string }[];
        if (!sub) throw new Error("Checkout made no subscription");
        await stripe.control(`/_fake/subscriptions/${sub.id}/fail_renewal`);
        await openSettings(browser);
        expect(await planName(browser)).toBe("Pro plan");
        expect(await (await browser.$("#plan-payment")).getText()).toContain("last payment failed");
        await closeSettings(browser);

        // Stripe gives up: free again.
        await stripe.control(`/_fake/subscriptions/${sub.id}/give_up`);
        await openSettings(browser);
        expect(await planName(browser)).toBe("Free plan");
        expect(await (await browser.$("#plan-payment")).isExisting()).toBe(false);
        const statuses = await browser.execute(() =>
          [...document.querySelectorAll("#billing-payments tbody tr")].map((r) => r.getAttribute("data-status")),
        );
        expect(statuses.sort()).toEqual(["failed", "paid"]);
        await closeSettings(browser);
      });
    } finally {
      await server.stop();
      await stripe.stop();
    }
  });
});
