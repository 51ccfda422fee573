import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent, waitFor } from "@testing-library/svelte";
import AiPane from "./AiPane.svelte";
import { fakeInvoke } from "./fake-invoke";
import { DraftSession } from "../session";
import type { AiEvent, DraftView, Listen, ProviderConfig } from "../ipc";
import type { PlanView } from "../bindings/PlanView";

const provider: ProviderConfig = {
  id: "ai-1",
  provider: "anthropic",
  label: "Anthropic",
  baseUrl: "https://api.anthropic.com/v1",
  model: "claude-sonnet-4-5",
  addedAt: 1,
};

const draftView = (id: string, body: string): DraftView => ({ id, title: "", body, tags: [], heads: [], wordGoal: null });

/** A blog on Max whose server offers Pint AI, with `credits` left. */
const maxPlan = (credits: number): PlanView => ({
  plan: "max",
  billing: true,
  paymentProblem: false,
  managedAi: true,
  limits: {
    posts: null,
    mediaBytes: 50 * 1024 * 1024 * 1024,
    members: 10,
    customDomain: true,
    scheduledPublishing: true,
    passwordProtection: true,
    mailingsPerMonth: null,
    aiCreditsPerMonth: 2000,
    removeFooter: true,
  },
  usage: { posts: 3, mediaBytes: 0, members: 1, mailings: 0, credits, creditLots: [{ remaining: credits, expiresAt: null }] },
});

function setup(providers: ProviderConfig[], plans: (PlanView | null)[] = [null]) {
  const handlers: ((e: AiEvent) => void)[] = [];
  const listen = ((_event: string, h: (e: AiEvent) => void) => {
    handlers.push(h);
    return Promise.resolve(() => {});
  }) as unknown as Listen;
  const emit = (e: AiEvent) => handlers.forEach((h) => h(e));
  const { invoke, calls } = fakeInvoke({
    ai_providers: () => providers,
    blog_plan: () => plans.shift() ?? null,
    start_ai_review: () => "review-1",
    start_ai_rewrite: () => "rewrite-1",
    start_ai_draft: () => "draft-1",
    cancel_ai: () => null,
    check_text: () => [],
    check_prefs: () => ({ rulesOff: [], words: [], english: "american" }),
    save_edits: ({ id }) => ({ id, heads: [], base: [], savedAt: Date.now() }),
    set_presence: () => null,
  });
  const session = new DraftSession(document.createElement("div"), invoke, () => {});
  const onsettings = vi.fn();
  const ontitle = vi.fn();
  const onnewdraft = vi.fn(async () => {
    await session.open(draftView("new", ""));
    return "new";
  });
  return { invoke, calls, session, listen, emit, onsettings, ontitle, onnewdraft };
}

describe("the AI pane", () => {
  it("without a key says where to add one", async () => {
    const t = setup([]);
    await t.session.open(draftView("d1", "Some text."));
    render(AiPane, { ...t, draftId: "d1" });
    await fireEvent.click(await screen.findByText("Add a key in Settings"));
    expect(t.onsettings).toHaveBeenCalled();
  });

  it("offers Pint AI with the credits left where the blog's server has it, and shows them again after a request", async () => {
    const t = setup([], [maxPlan(1950), maxPlan(1947)]);
    await t.session.open(draftView("d1", "We was there early."));
    render(AiPane, { ...t, draftId: "d1" });
    const pick = (await screen.findByRole("combobox")) as HTMLSelectElement;
    expect(pick.selectedOptions[0]?.textContent).toBe("Pint AI · 1,950 credits left");
    expect(screen.queryByText("Add a key in Settings")).toBeNull();
    expect(document.querySelector("#ai-pint-note")?.textContent).toContain("your blog's server");
    await fireEvent.click(document.querySelector("#review-start")!);
    await waitFor(() => expect(t.calls.find((c) => c.cmd === "start_ai_review")?.args).toMatchObject({ provider: "pint" }));
    t.emit({ request: "review-1", update: { type: "reviewDone", done: { usage: { inputTokens: 900, outputTokens: 300 }, kept: 0, dropped: 0, note: null } } });
    await waitFor(() => expect(pick.selectedOptions[0]?.textContent).toBe("Pint AI · 1,947 credits left"));
    expect(t.calls.filter((c) => c.cmd === "blog_plan")).toHaveLength(2);
  });

  it("puts the creator's own keys first, and says where to add one when there is neither", async () => {
    const t = setup([provider], [maxPlan(10)]);
    await t.session.open(draftView("d1", "Text."));
    render(AiPane, { ...t, draftId: "d1" });
    const pick = (await screen.findByRole("combobox")) as HTMLSelectElement;
    await waitFor(() => expect([...pick.options].map((o) => o.textContent)).toEqual(["Anthropic · claude-sonnet-4-5", "Pint AI · 10 credits left"]));
    expect(pick.value).toBe("ai-1");
  });

  it("rewrites the selection: streamed beside the original, accepted as an edit, refused once stale", async () => {
    const t = setup([provider]);
    const text = "We was there early, when the boats came in.";
    await t.session.open(draftView("d1", text));
    render(AiPane, { ...t, draftId: "d1" });
    await fireEvent.click(await screen.findByRole("tab", { name: "Rewrite" }));
    t.session.view.dispatch({ selection: { anchor: 0, head: 18 } });
    await fireEvent.click(screen.getByText("Clearer"));
    expect(t.calls.find((c) => c.cmd === "start_ai_rewrite")?.args).toEqual({
      provider: "ai-1",
      passage: "We was there early",
      how: { type: "clearer" },
    });
    t.emit({ request: "rewrite-1", update: { type: "text", delta: "We were " } });
    t.emit({ request: "rewrite-1", update: { type: "text", delta: "there early" } });
    t.emit({ request: "rewrite-1", update: { type: "writeDone", done: { usage: { inputTokens: 50, outputTokens: 6 }, note: null } } });
    await waitFor(() => expect(screen.getByText("We were there early")).toBeTruthy());
    await fireEvent.click(screen.getByText("Accept"));
    expect(t.session.text).toBe("We were there early, when the boats came in.");

    // Again, but the passage is edited while the rewrite is on screen: stale.
    t.session.view.dispatch({ selection: { anchor: 20, head: 43 } });
    await fireEvent.click(screen.getByText("Shorter"));
    t.emit({ request: "rewrite-1", update: { type: "text", delta: "as boats came in." } });
    t.emit({ request: "rewrite-1", update: { type: "writeDone", done: { usage: { inputTokens: 50, outputTokens: 6 }, note: null } } });
    t.session.view.dispatch({ changes: { from: 26, to: 31, insert: "all the" } });
    expect(await screen.findByText(/The passage changed since/)).toBeTruthy();
    expect((screen.getByText("Accept") as HTMLButtonElement).disabled).toBe(true);
  });

  it("writes a new draft from a brief: streamed in as edits, its heading made the title", async () => {
    const t = setup([provider]);
    await t.session.open(draftView("d1", "The old draft."));
    render(AiPane, { ...t, draftId: "d1" });
    await fireEvent.click(await screen.findByRole("tab", { name: "New draft" }));
    await fireEvent.input(screen.getByLabelText("What about?"), { target: { value: "Dawn at the harbour" } });
    await fireEvent.input(document.querySelector("#ai-draft-tone")!, { target: { value: "warm" } });
    await fireEvent.click(screen.getByText("Write draft"));
    await waitFor(() => expect(t.onnewdraft).toHaveBeenCalled());
    expect(t.calls.find((c) => c.cmd === "start_ai_draft")?.args).toEqual({
      provider: "ai-1",
      brief: { topic: "Dawn at the harbour", tone: "warm", language: "", length: "short" },
    });
    t.emit({ request: "draft-1", update: { type: "text", delta: "# Dawn at the harbour\n\nWe were " } });
    await waitFor(() => expect(t.session.text).toBe("# Dawn at the harbour\n\nWe were "));
    t.emit({ request: "draft-1", update: { type: "text", delta: "there early." } });
    t.emit({ request: "draft-1", update: { type: "writeDone", done: { usage: { inputTokens: 90, outputTokens: 30 }, note: null } } });
    await waitFor(() => expect(t.session.text).toBe("We were there early."));
    expect(t.ontitle).toHaveBeenCalledWith("Dawn at the harbour");
    expect(await screen.findByText(/Written into a new draft\. Used 120 tokens/)).toBeTruthy();
  });
});
