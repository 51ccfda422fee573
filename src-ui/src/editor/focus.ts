// Focus mode inside the editor: everything but the paragraph (or sentence) being written
// is dimmed, and in typewriter mode the line being typed stays in the middle of the
// window. Both are switched through one compartment, so turning them on or off changes
// nothing in the text or its history.

import { Compartment, type EditorState, type Extension, RangeSetBuilder } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView, ViewPlugin, type ViewUpdate } from "@codemirror/view";

export type FocusScope = "paragraph" | "sentence" | "off";

/** The range kept lit around `pos`: its paragraph (lines between blank lines) or sentence. */
export function litRange(state: EditorState, pos: number, scope: FocusScope): { from: number; to: number } | null {
  if (scope === "off") return null;
  const doc = state.doc;
  let first = doc.lineAt(pos);
  let last = first;
  while (first.number > 1) {
    const prev = doc.line(first.number - 1);
    if (prev.text.trim() === "") break;
    first = prev;
  }
  while (last.number < doc.lines) {
    const next = doc.line(last.number + 1);
    if (next.text.trim() === "") break;
    last = next;
  }
  if (scope === "paragraph") return { from: first.from, to: last.to };
  // A sentence: from after the last end mark before the cursor to the next one after it.
  const para = state.sliceDoc(first.from, last.to);
  const at = pos - first.from;
  const ends = /[.!?…]+["'”’)\]]*(?=\s|$)/g;
  let start = 0;
  let end = para.length;
  for (let m = ends.exec(para); m; m = ends.exec(para)) {
    const stop = m.index + m[0].length;
    if (stop <= at) start = stop;
    else {
      end = stop;
      break;
    }
  }
  while (start < para.length && /\s/.test(para.charAt(start))) start++;
  return { from: first.from + start, to: first.from + Math.max(end, start) };
}

const dim = Decoration.mark({ class: "cm-dimmed" });

function dimmed(view: EditorView, scope: FocusScope): DecorationSet {
  const lit = litRange(view.state, view.state.selection.main.head, scope);
  const b = new RangeSetBuilder<Decoration>();
  if (!lit) return b.finish();
  if (lit.from > 0) b.add(0, lit.from, dim);
  if (lit.to < view.state.doc.length) b.add(lit.to, view.state.doc.length, dim);
  return b.finish();
}

function dimmer(scope: FocusScope): Extension {
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      constructor(view: EditorView) {
        this.decorations = dimmed(view, scope);
      }
      update(u: ViewUpdate) {
        if (u.docChanged || u.selectionSet) this.decorations = dimmed(u.view, scope);
      }
    },
    { decorations: (v) => v.decorations },
  );
}

/** Keep the cursor's line in the middle of the window as the creator types or moves. */
const typewriter = EditorView.updateListener.of((u) => {
  if (!(u.docChanged || u.selectionSet)) return;
  const head = u.state.selection.main.head;
  // After this update is drawn: scrolling inside an update is not allowed.
  queueMicrotask(() => u.view.dispatch({ effects: EditorView.scrollIntoView(head, { y: "center" }) }));
});

export const focusCompartment = new Compartment();

export interface FocusOptions {
  on: boolean;
  scope: FocusScope;
  typewriter: boolean;
}

/** The editor's focus-mode extensions for these options (nothing when off). */
export function focusExtensions(o: FocusOptions): Extension {
  if (!o.on) return [];
  return [o.scope === "off" ? [] : dimmer(o.scope), o.typewriter ? typewriter : []];
}
