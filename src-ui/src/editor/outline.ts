// The draft's headings, read from the editor's Markdown syntax tree (so a `#` inside
// fenced code is not a heading), for the outline to jump through.

import type { EditorState } from "@codemirror/state";
import { syntaxTree, ensureSyntaxTree } from "@codemirror/language";

export interface Heading {
  level: number;
  text: string;
  /** Where the heading's line starts in the text. */
  from: number;
}

const NODE = /^(?:ATXHeading|SetextHeading)([1-6])$/;

export function headingsOf(state: EditorState): Heading[] {
  const tree = ensureSyntaxTree(state, state.doc.length, 200) ?? syntaxTree(state);
  const out: Heading[] = [];
  tree.iterate({
    enter(node) {
      const m = NODE.exec(node.name);
      if (!m) return;
      const raw = state.sliceDoc(node.from, node.to);
      const firstLine = raw.split("\n")[0] ?? "";
      const text = firstLine.replace(/^#{1,6}\s*/, "").replace(/\s+#+\s*$/, "").trim();
      out.push({ level: Number(m[1]), text: text || "(untitled heading)", from: node.from });
      return false;
    },
  });
  return out;
}
