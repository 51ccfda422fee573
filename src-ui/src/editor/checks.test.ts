import { describe, expect, it, vi } from "vitest";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { fakeInvoke } from "../components/fake-invoke";
import type { CheckPrefs, Finding } from "../ipc";
import { ruleLabel, toDiagnostic } from "./checks";

const finding = (over: Partial<Finding> = {}): Finding => ({
  from: 4,
  to: 12,
  text: "sentance",
  rule: "SpellCheck",
  kind: "spelling",
  message: "Did you mean “sentence”?",
  fixes: ["sentence", "sentences"],
  ...over,
});

function viewOf(doc: string): EditorView {
  return new EditorView({ state: EditorState.create({ doc }), parent: document.createElement("div") });
}

describe("writing checks in the editor", () => {
  it("names rules as people read them", () => {
    expect(ruleLabel("Pint.Passive")).toBe("Passive");
    expect(ruleLabel("SpellCheck")).toBe("Spell check");
    expect(ruleLabel("RepeatedWords")).toBe("Repeated words");
  });

  it("offers the fixes, then ignore, the dictionary and turning the rule off", async () => {
    let prefs: CheckPrefs = { rulesOff: [], words: ["Ada"], english: "american" };
    const { invoke, calls } = fakeInvoke({
      check_prefs: () => prefs,
      set_check_prefs: ({ prefs: p }) => (prefs = p),
      ignore_finding: () => null,
    });
    const onError = vi.fn();
    const d = toDiagnostic(finding(), { invoke, draftId: () => "d1", onError });
    expect(d.severity).toBe("error");
    expect(d.source).toBe("Spell check");
    expect(d.actions?.map((a) => a.name)).toEqual([
      "sentence",
      "sentences",
      "Ignore",
      "Add to dictionary",
      "Turn off “Spell check”",
    ]);

    // A fix is an edit of the text at the finding's place.
    const view = viewOf("The sentance is here.");
    const act = (i: number) => d.actions?.[i]?.apply(view, 4, 12);
    act(0);
    expect(view.state.doc.toString()).toBe("The sentence is here.");

    act(2);
    await vi.waitFor(() => expect(calls.some((c) => c.cmd === "ignore_finding")).toBe(true));
    expect(calls.find((c) => c.cmd === "ignore_finding")?.args).toEqual({ id: "d1", rule: "SpellCheck", text: "sentance" });

    act(3);
    await vi.waitFor(() => expect(prefs.words).toEqual(["Ada", "sentance"]));
    act(4);
    await vi.waitFor(() => expect(prefs.rulesOff).toEqual(["SpellCheck"]));
    expect(onError).not.toHaveBeenCalled();
    view.destroy();
  });

  it("shows style findings quietly, with no dictionary for words that are not misspelt", () => {
    const { invoke } = fakeInvoke({});
    const d = toDiagnostic(finding({ rule: "Pint.Weasel", kind: "style", text: "very", fixes: [""] }), {
      invoke,
      draftId: () => "d1",
      onError: () => {},
    });
    expect(d.severity).toBe("info");
    expect(d.actions?.map((a) => a.name)).toEqual(["Remove", "Ignore", "Turn off “Weasel”"]);
  });
});
