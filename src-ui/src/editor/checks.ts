// Writing checks in the editor: the engine checks the text offline (spelling, grammar,
// Pint's own style rules) a moment after typing stops, off the typing path, and the
// findings show as underlines with a hover that explains each. A fix is an ordinary
// edit (it saves, syncs and undoes like typing); a finding can be ignored in this draft,
// its word added to the personal dictionary, or its rule turned off. The lint panel
// lists everything in the draft and jumps to it.

import type { Extension } from "@codemirror/state";
import type { EditorView } from "@codemirror/view";
import { forceLinting, linter, type Action, type Diagnostic } from "@codemirror/lint";

import type { CheckPrefs, Finding, Invoke } from "../ipc";
import { describeError } from "../ipc";

/** How long typing must pause before the text is checked again. */
export const CHECK_DELAY_MS = 500;

/** What the checks need from the app. */
export interface CheckHost {
  invoke: Invoke;
  /** The open draft's id (none: nothing is checked). */
  draftId(): string | null;
  /** Told when a choice about checks could not be kept. */
  onError(e: unknown): void;
}

/** A rule's name as people read it: "Pint.Passive" → "Passive", "SpellCheck" → "Spell check". */
export function ruleLabel(rule: string): string {
  const name = rule.replace(/^Pint\./, "");
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/ ([A-Z])(?=[a-z])/g, (_, c: string) => ` ${c.toLowerCase()}`);
}

/** A finding as the editor shows it, with what can be done about it. */
export function toDiagnostic(f: Finding, host: CheckHost): Diagnostic {
  const actions: Action[] = f.fixes.slice(0, 3).map((fix) => ({
    name: fix === "" ? "Remove" : fix,
    apply: (view: EditorView, from: number, to: number) => {
      view.dispatch({ changes: { from, to, insert: fix }, userEvent: "input.check" });
    },
  }));
  const choose = (change: (p: CheckPrefs) => CheckPrefs) => async (view: EditorView) => {
    try {
      const prefs = await host.invoke("check_prefs");
      await host.invoke("set_check_prefs", { prefs: change(prefs) });
      forceLinting(view);
    } catch (e) {
      host.onError(e);
    }
  };
  actions.push({
    name: "Ignore",
    apply: (view: EditorView) => {
      const id = host.draftId();
      if (!id) return;
      host
        .invoke("ignore_finding", { id, rule: f.rule, text: f.text })
        .then(() => forceLinting(view))
        .catch((e: unknown) => host.onError(e));
    },
  });
  if (f.kind === "spelling") {
    actions.push({
      name: "Add to dictionary",
      apply: (view: EditorView) => void choose((p) => ({ ...p, words: [...p.words, f.text] }))(view),
    });
  }
  actions.push({
    name: `Turn off “${ruleLabel(f.rule)}”`,
    apply: (view: EditorView) => void choose((p) => ({ ...p, rulesOff: [...p.rulesOff, f.rule] }))(view),
  });
  return {
    from: f.from,
    to: f.to,
    severity: f.kind === "spelling" ? "error" : f.kind === "grammar" ? "warning" : "info",
    markClass: `check-${f.kind}`,
    source: ruleLabel(f.rule),
    message: f.message,
    actions,
  };
}

/** The editor extensions that check the open draft. */
export function checkExtensions(host: CheckHost): Extension[] {
  return [
    linter(
      async (view) => {
        const id = host.draftId();
        if (!id) return [];
        try {
          const findings = await host.invoke("check_text", { id, text: view.state.doc.toString() });
          // Findings of an older text would land in the wrong places: the linter
          // asks again for the new one.
          return findings.filter((f) => f.to <= view.state.doc.length).map((f) => toDiagnostic(f, host));
        } catch (e) {
          console.warn(`writing checks: ${describeError(e)}`);
          return [];
        }
      },
      { delay: CHECK_DELAY_MS },
    ),
  ];
}
