import { describe, expect, it } from "vitest";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { undo, history } from "@codemirror/commands";
import type { Suggestion } from "../ipc";
import { addSuggestion, applySuggestion, beginReview, endReview, placed, reviewField, showSuggestion } from "./review";

const TEXT = "We was going to the market. In order to see the boats, we walked.";

const suggestion = (found: string, replacement: string, number = 0): Suggestion => {
  const from = TEXT.indexOf(found);
  return {
    number,
    kind: "grammar",
    severity: "major",
    original: found,
    suggestion: replacement,
    explanation: "Because.",
    range: { from, to: from + found.length },
    found,
  };
};

function viewOf(doc: string): EditorView {
  return new EditorView({
    state: EditorState.create({ doc, extensions: [history(), reviewField] }),
    parent: document.createElement("div"),
  });
}

describe("an AI review's suggestions in the editor", () => {
  it("land on their passage though the text changed while the review streamed", () => {
    const view = viewOf(TEXT);
    view.dispatch({ effects: beginReview.of(null) });
    // Typed before the passage after the review began, and a word inserted elsewhere.
    view.dispatch({ changes: { from: 0, insert: "Yesterday " } });
    view.dispatch({ effects: addSuggestion.of({ key: "r1:1", suggestion: suggestion("In order to see", "To see", 1) }) });
    const p = placed(view.state, "r1:1")!;
    expect(view.state.sliceDoc(p.from, p.to)).toBe("In order to see");
    expect(view.dom.querySelector(".cm-ai-suggestion")?.textContent).toBe("In order to see");

    expect(applySuggestion(view, "r1:1")).toBe("applied");
    expect(view.state.doc.toString()).toBe("Yesterday We was going to the market. To see the boats, we walked.");
    expect(placed(view.state, "r1:1")).toBeNull();
    // An ordinary edit: it undoes like typing.
    undo(view);
    expect(view.state.doc.toString()).toContain("In order to see the boats");
  });

  it("is stale, and not applied, once its passage was edited", () => {
    const view = viewOf(TEXT);
    view.dispatch({ effects: beginReview.of(null) });
    view.dispatch({ effects: addSuggestion.of({ key: "r1:0", suggestion: suggestion("We was going", "We were going") }) });
    view.dispatch({ changes: { from: 3, to: 6, insert: "were" } });
    expect(applySuggestion(view, "r1:0")).toBe("stale");
    expect(view.state.doc.toString()).toBe("We were going to the market. In order to see the boats, we walked.");
    // A passage deleted before its suggestion arrived is stale too.
    const at = view.state.doc.toString().indexOf("In order to see");
    view.dispatch({ changes: { from: at, to: at + "In order to see".length } });
    view.dispatch({ effects: addSuggestion.of({ key: "r1:1", suggestion: suggestion("In order to see", "To see", 1) }) });
    expect(applySuggestion(view, "r1:1")).toBe("stale");
    expect(view.state.doc.toString()).toBe("We were going to the market.  the boats, we walked.");
  });

  it("shows a suggestion's passage selected, and clears when the review ends", () => {
    const view = viewOf(TEXT);
    view.dispatch({ effects: beginReview.of(null) });
    view.dispatch({ effects: addSuggestion.of({ key: "r1:0", suggestion: suggestion("We was going", "We were going") }) });
    showSuggestion(view, "r1:0");
    const sel = view.state.selection.main;
    expect(view.state.sliceDoc(sel.from, sel.to)).toBe("We was going");
    expect(view.dom.querySelector(".cm-ai-selected")).not.toBeNull();
    view.dispatch({ effects: endReview.of(null) });
    expect(view.dom.querySelector(".cm-ai-suggestion")).toBeNull();
    expect(applySuggestion(view, "r1:0")).toBe("gone");
  });
});
