import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import PlanSummary from "./PlanSummary.svelte";
import { fakeInvoke } from "./fake-invoke";

describe("the plan in Settings", () => {
  it("shows the plan, its limits with what is used, and its features", async () => {
    const { invoke } = fakeInvoke({
      blog_plan: () => ({
        plan: "pro",
        billing: true,
        paymentProblem: true,
    managedAi: false,
        limits: {
          posts: null,
          mediaBytes: 20 * 1024 ** 3,
          members: 5,
          customDomain: true,
          scheduledPublishing: true,
          passwordProtection: true,
          mailingsPerMonth: 30,
          aiCreditsPerMonth: 0,
          removeFooter: true,
        },
        usage: { posts: 120, mediaBytes: 3 * 1024 ** 3, members: 5, mailings: 4, credits: 0, creditLots: [] },
      }),
    });
    render(PlanSummary, { invoke });
    expect(await screen.findByText("Pro plan")).toBeTruthy();
    expect(screen.getByText("3 GB of 20 GB")).toBeTruthy();
    const members = screen.getByText("5 of 5");
    expect(members.classList.contains("near")).toBe(true);
    expect(screen.getByText(/Scheduled publishing/)).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("last payment failed");
  });

  it("asks to sign in when signed out", async () => {
    const { invoke } = fakeInvoke({ blog_plan: () => null });
    render(PlanSummary, { invoke });
    expect(await screen.findByText("Sign in to see your blog’s plan.")).toBeTruthy();
  });
});
