// An AI review's suggestions in the editor. Each arrives placed (by the engine) in the
// text as it was when the review began; the changes made since (typing, a teammate's
// edits) are kept composed, so a late suggestion still lands on its passage. Each is
// highlighted softly; applying one is an ordinary edit (it saves, syncs and undoes like
// typing), and only while the passage reads as it did: otherwise it is stale, and is not
// applied blindly.

import { ChangeSet, StateEffect, StateField, type ChangeDesc, type EditorState } from "@codemirror/state";
import { Decoration, EditorView, type DecorationSet } from "@codemirror/view";

import type { Suggestion } from "../ipc";

/** A suggestion where it is in the text now. */
export interface Placed {
  key: string;
  suggestion: Suggestion;
  from: number;
  to: number;
}

interface ReviewState {
  /** The changes since the review began (none: no review). */
  since: ChangeDesc | null;
  items: Placed[];
  selected: string | null;
}

/** A review begins on the text as it is now. */
export const beginReview = StateEffect.define<null>();
/** A suggestion arrived, placed in the text as it was when the review began. */
export const addSuggestion = StateEffect.define<{ key: string; suggestion: Suggestion }>();
/** A passage the creator picked (a rewrite's), placed in the text as it is now. */
export const placeSuggestion = StateEffect.define<{ key: string; suggestion: Suggestion }>();
/** A suggestion is set aside (applied or dismissed). */
export const dropSuggestion = StateEffect.define<string>();
/** The review's highlights go. */
export const endReview = StateEffect.define<null>();
/** The suggestion the creator is looking at (emphasised). */
export const selectSuggestion = StateEffect.define<string | null>();

export const reviewField = StateField.define<ReviewState>({
  create: () => ({ since: null, items: [], selected: null }),
  update(value, tr) {
    let { since, items, selected } = value;
    if (tr.docChanged) {
      since = since?.composeDesc(tr.changes.desc) ?? null;
      items = items.map((p) => mapped(p, tr.changes.desc));
    }
    for (const e of tr.effects) {
      if (e.is(beginReview)) {
        since = ChangeSet.empty(tr.state.doc.length).desc;
        items = [];
        selected = null;
      } else if (e.is(addSuggestion) && since) {
        const { key, suggestion } = e.value;
        const at = { key, suggestion, from: suggestion.range.from, to: suggestion.range.to };
        items = [...items, mapped(at, since)];
      } else if (e.is(placeSuggestion)) {
        const { key, suggestion } = e.value;
        items = [...items.filter((p) => p.key !== key), { key, suggestion, from: suggestion.range.from, to: suggestion.range.to }];
      } else if (e.is(dropSuggestion)) {
        items = items.filter((p) => p.key !== e.value);
      } else if (e.is(endReview)) {
        since = null;
        items = [];
        selected = null;
      } else if (e.is(selectSuggestion)) {
        selected = e.value;
      }
    }
    return { since, items, selected };
  },
  provide: (field) => EditorView.decorations.from(field, decorations),
});

function mapped(p: Placed, changes: ChangeDesc): Placed {
  const from = changes.mapPos(p.from, 1);
  return { ...p, from, to: Math.max(from, changes.mapPos(p.to, -1)) };
}

function decorations(state: ReviewState): DecorationSet {
  const marks = state.items
    .filter((p) => p.to > p.from)
    .map((p) =>
      Decoration.mark({
        class: p.key === state.selected ? "cm-ai-suggestion cm-ai-selected" : "cm-ai-suggestion",
        attributes: { "data-suggestion": p.key },
      }).range(p.from, p.to),
    );
  return Decoration.set(marks, true);
}

/** Where a suggestion is now (none: applied or dismissed). */
export function placed(state: EditorState, key: string): Placed | null {
  return state.field(reviewField, false)?.items.find((p) => p.key === key) ?? null;
}

/** Whether the passage no longer reads as it did when the suggestion was made. */
export function isStale(state: EditorState, p: Placed): boolean {
  return state.sliceDoc(p.from, p.to) !== p.suggestion.found;
}

/**
 * Apply a suggestion (with `replacement`, or its own) as an ordinary edit, only if its
 * passage still reads as it did. Answers what happened.
 */
export function applySuggestion(view: EditorView, key: string, replacement?: string): "applied" | "stale" | "gone" {
  const p = placed(view.state, key);
  if (!p) return "gone";
  if (isStale(view.state, p)) return "stale";
  const insert = replacement ?? p.suggestion.suggestion;
  view.dispatch({
    changes: { from: p.from, to: p.to, insert },
    selection: { anchor: p.from + insert.length },
    effects: dropSuggestion.of(key),
    userEvent: "input.ai",
    scrollIntoView: true,
  });
  return "applied";
}

/** Select a suggestion's passage in the text and bring it into view. */
export function showSuggestion(view: EditorView, key: string): void {
  const p = placed(view.state, key);
  if (!p) return;
  view.dispatch({
    selection: { anchor: p.from, head: p.to },
    effects: [selectSuggestion.of(key), EditorView.scrollIntoView(p.from, { y: "center" })],
  });
}
