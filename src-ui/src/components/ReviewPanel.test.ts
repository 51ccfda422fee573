import { describe, expect, it } from "vitest";
import { render, screen, fireEvent, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import ReviewPanel from "./ReviewPanel.svelte";
import { fakeInvoke } from "./fake-invoke";
import { DraftSession } from "../session";
import type { AiEvent, Listen, ProviderConfig, Suggestion } from "../ipc";

const TEXT = "We was going to the market. In order to see the boats, we walked.";

const provider: ProviderConfig = {
  id: "ai-1",
  provider: "openAi",
  label: "OpenAI",
  baseUrl: "https://api.openai.com/v1",
  model: "gpt-4.1-mini",
  addedAt: 1,
};

function suggestion(number: number, found: string, replacement: string): Suggestion {
  const from = TEXT.indexOf(found);
  return {
    number,
    kind: number === 0 ? "grammar" : "style",
    severity: number === 0 ? "major" : "minor",
    original: found,
    suggestion: replacement,
    explanation: `Explanation ${number}.`,
    range: { from, to: from + found.length },
    found,
  };
}

function setup() {
  let handler: ((e: AiEvent) => void) | null = null;
  const listen = ((_event: string, h: (e: AiEvent) => void) => {
    handler = h;
    return Promise.resolve(() => {});
  }) as unknown as Listen;
  let n = 0;
  const { invoke, calls } = fakeInvoke({
    ai_providers: () => [provider],
    start_ai_review: () => {
      n += 1;
      // An event that overtakes the command's answer is kept, not lost.
      handler?.({ request: `review-${n}`, update: { type: "suggestion", suggestion: suggestion(0, "We was going", "We were going") } });
      return `review-${n}`;
    },
    cancel_ai: () => null,
    check_text: () => [],
    check_prefs: () => ({ rulesOff: [], words: [], english: "american" }),
  });
  const session = new DraftSession(document.createElement("div"), invoke, () => {});
  session.view.dispatch({ changes: { from: 0, insert: TEXT } });
  render(ReviewPanel, { invoke, listen, session, provider, draftId: "d1" });
  const emit = (e: AiEvent) => handler?.(e);
  return { calls, session, emit };
}

describe("the review panel", () => {
  it("streams suggestions in as cards, applies one as an edit, marks a changed passage stale", async () => {
    const { calls, session, emit } = setup();
    await fireEvent.click(await screen.findByText("Review"));
    expect(calls.find((c) => c.cmd === "start_ai_review")?.args).toEqual({
      provider: "ai-1",
      request: { text: TEXT, part: null },
    });
    expect(await screen.findByText("We were going")).toBeTruthy();
    expect(session.view.dom.querySelector(".cm-ai-suggestion")?.textContent).toBe("We was going");

    emit({ request: "review-1", update: { type: "suggestion", suggestion: suggestion(1, "In order to see", "To see") } });
    emit({ request: "review-1", update: { type: "dropped", reason: "suggestion 3: “Elsewhere” is not in the text" } });
    emit({ request: "other", update: { type: "suggestion", suggestion: suggestion(2, "we walked", "we ran") } });
    expect(await screen.findByText("To see")).toBeTruthy();
    expect(screen.queryByText("we ran")).toBeNull();

    // Applied: an edit in the text, the card gone.
    const applyButtons = screen.getAllByText("Apply");
    await fireEvent.click(applyButtons[0]!);
    expect(session.text).toBe("We were going to the market. In order to see the boats, we walked.");
    await waitFor(() => expect(screen.queryByText("We were going")).toBeNull());

    // The other passage edited by hand: stale, not applied.
    const at = session.text.indexOf("In order");
    session.view.dispatch({ changes: { from: at, to: at + 2, insert: "So as" } });
    expect(await screen.findByText(/The text here changed since the review/)).toBeTruthy();
    const apply = screen.getByText("Apply") as HTMLButtonElement;
    expect(apply.disabled).toBe(true);

    emit({ request: "review-1", update: { type: "reviewDone", done: { usage: { inputTokens: 412, outputTokens: 187 }, kept: 2, dropped: 1, note: null } } });
    expect(await screen.findByText(/Used 599 tokens \(412 in, 187 out\)/)).toBeTruthy();
    expect(screen.getByText("1 suggestion was left out")).toBeTruthy();
  });

  it("reviews only the selection, and Stop cancels the request", async () => {
    const { calls, session } = setup();
    session.view.dispatch({ selection: { anchor: 28, head: TEXT.length } });
    await fireEvent.click(await screen.findByText("Review"));
    expect((calls.find((c) => c.cmd === "start_ai_review")?.args as { request: unknown }).request).toEqual({
      text: TEXT,
      part: { from: 28, to: TEXT.length },
    });
    await fireEvent.click(await screen.findByText("Stop"));
    await tick();
    expect(calls.find((c) => c.cmd === "cancel_ai")?.args).toEqual({ request: "review-1" });
    expect(await screen.findByText(/Stopped\. 1 suggestion arrived/)).toBeTruthy();
  });
});
