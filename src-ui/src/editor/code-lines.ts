// Code blocks look like code in the text: every line of a fenced or indented code block
// (fences included) gets the `cm-codeblock` line class, set in monospace on a tint. The
// language's own tokens are coloured by the highlight style.

import { RangeSetBuilder } from "@codemirror/state";
import { Decoration, type DecorationSet, type EditorView, ViewPlugin, type ViewUpdate } from "@codemirror/view";
import { syntaxTree } from "@codemirror/language";

const line = Decoration.line({ class: "cm-codeblock" });

/** The starts of the lines inside code blocks within the visible ranges. */
function codeLines(view: EditorView): DecorationSet {
  const b = new RangeSetBuilder<Decoration>();
  let last = -1;
  for (const { from, to } of view.visibleRanges) {
    syntaxTree(view.state).iterate({
      from,
      to,
      enter(node) {
        if (node.name !== "FencedCode" && node.name !== "CodeBlock") return;
        for (let pos = node.from; pos <= node.to; ) {
          const l = view.state.doc.lineAt(pos);
          if (l.from > last) {
            b.add(l.from, l.from, line);
            last = l.from;
          }
          pos = l.to + 1;
        }
        return false;
      },
    });
  }
  return b.finish();
}

export const codeBlockLines = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = codeLines(view);
    }
    update(u: ViewUpdate) {
      if (u.docChanged || u.viewportChanged || syntaxTree(u.startState) !== syntaxTree(u.state)) {
        this.decorations = codeLines(u.view);
      }
    }
  },
  { decorations: (v) => v.decorations },
);
