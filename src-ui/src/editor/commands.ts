// Markdown editing commands for the editor's keys: formatting (bold, italic, code, link,
// headings, lists, quote) and Enter where Markdown's own continuation gets it wrong for
// writers (inside fenced code, on an empty quote line). Each is a CodeMirror StateCommand:
// it reads a state and dispatches one transaction, so it is tested without a window.

import { EditorSelection, type EditorState, type StateCommand, type Transaction } from "@codemirror/state";
import { syntaxTree } from "@codemirror/language";
import type { SyntaxNode } from "@lezer/common";

type Dispatch = (tr: Transaction) => void;

/** Whether `pos` lies inside a fenced or indented code block (its fence lines included). */
export function inCodeBlock(state: EditorState, pos: number): boolean {
  for (let node: SyntaxNode | null = syntaxTree(state).resolveInner(pos, -1); node; node = node.parent) {
    if (node.name === "FencedCode" || node.name === "CodeBlock") return true;
  }
  return false;
}

/**
 * Enter inside a code block: a plain line break, nothing added. (The default copied the
 * line's indentation, so a closing fence typed after indented code was indented with it
 * and became part of the code.)
 */
export const enterInCode: StateCommand = ({ state, dispatch }) => {
  const ranges = state.selection.ranges;
  if (!ranges.every((r) => inCodeBlock(state, r.head))) return false;
  dispatch(
    state.update(state.replaceSelection(state.lineBreak), { scrollIntoView: true, userEvent: "input" }),
  );
  return true;
};

const EMPTY_QUOTE = /^(\s*(?:>\s?)*)>\s*$/;

/**
 * Enter on a quote line holding nothing but its marker ends the quote (one level), as
 * Enter on an empty list item ends the list. Elsewhere it does nothing (Markdown's own
 * Enter continues the quote).
 */
export const endQuoteOnEmptyLine: StateCommand = ({ state, dispatch }) => {
  const range = state.selection.main;
  if (!range.empty || state.selection.ranges.length > 1) return false;
  const line = state.doc.lineAt(range.head);
  if (range.head !== line.to) return false;
  const m = EMPTY_QUOTE.exec(line.text);
  if (!m || inCodeBlock(state, range.head)) return false;
  // The empty line becomes the blank line that ends the quote (inside the outer quote,
  // when nested), and the cursor goes to the line after it: text typed there is not
  // taken into the quote.
  const outer = (m[1] ?? "").replace(/\s+$/, "");
  const insert = outer.length > 0 ? `${outer}${state.lineBreak}${outer} ` : state.lineBreak;
  dispatch(
    state.update({
      changes: { from: line.from, to: line.to, insert },
      selection: EditorSelection.cursor(line.from + insert.length),
      userEvent: "input",
      scrollIntoView: true,
    }),
  );
  return true;
};

/**
 * Wrap each selection in `mark` (`**` bold, `*` italic, `` ` `` code), or unwrap it when
 * it is wrapped already (inside or just outside the selection). An empty selection gets
 * the pair with the cursor between, or the word under the cursor is wrapped.
 */
export function toggleWrap(mark: string): StateCommand {
  return ({ state, dispatch }) => {
    const n = mark.length;
    const tr = state.changeByRange((range) => {
      let { from, to } = range;
      if (range.empty) {
        const word = state.wordAt(range.head);
        if (word) ({ from, to } = word);
      }
      const text = state.sliceDoc(from, to);
      // The run of mark characters on each side: `***word***` is bold and italic, so
      // italic is there when the shorter run is odd, bold when it is two or more.
      const ch = mark.charAt(0);
      let left = 0;
      while (from - left > 0 && state.sliceDoc(from - left - 1, from - left) === ch) left++;
      let right = 0;
      while (to + right < state.doc.length && state.sliceDoc(to + right, to + right + 1) === ch) right++;
      const k = Math.min(left, right);
      const wrapped = mark === "*" ? k % 2 === 1 : k >= n;
      if (wrapped) {
        return {
          changes: [
            { from: from - n, to: from },
            { from: to, to: to + n },
          ],
          range: EditorSelection.range(from - n, to - n),
        };
      }
      if (text.length >= 2 * n && text.startsWith(mark) && text.endsWith(mark)) {
        return {
          changes: { from, to, insert: text.slice(n, text.length - n) },
          range: EditorSelection.range(from, to - 2 * n),
        };
      }
      if (from === to) {
        return {
          changes: { from, insert: mark + mark },
          range: EditorSelection.cursor(from + n),
        };
      }
      return {
        changes: [
          { from, insert: mark },
          { from: to, insert: mark },
        ],
        range: EditorSelection.range(from + n, to + n),
      };
    });
    dispatch(state.update(tr, { scrollIntoView: true, userEvent: "input" }));
    return true;
  };
}

/**
 * Make the selection a link: `[text](url)` with the address selected to type over
 * (`https://` when the selection is no address itself; a selected address becomes the
 * target, with the text to type).
 */
export const insertLink: StateCommand = ({ state, dispatch }) => {
  const tr = state.changeByRange((range) => {
    const text = state.sliceDoc(range.from, range.to);
    if (/^https?:\/\/\S+$/.test(text)) {
      const insert = `[](${text})`;
      return { changes: { from: range.from, to: range.to, insert }, range: EditorSelection.cursor(range.from + 1) };
    }
    const url = "https://";
    const insert = `[${text}](${url})`;
    const start = range.from + text.length + 3;
    return {
      changes: { from: range.from, to: range.to, insert },
      range: EditorSelection.range(start, start + url.length),
    };
  });
  dispatch(state.update(tr, { scrollIntoView: true, userEvent: "input" }));
  return true;
};

/** The distinct lines the selections touch. */
function selectedLines(state: EditorState) {
  const seen = new Set<number>();
  const lines = [];
  for (const r of state.selection.ranges) {
    for (let pos = r.from; pos <= r.to; ) {
      const line = state.doc.lineAt(pos);
      if (!seen.has(line.number)) {
        seen.add(line.number);
        lines.push(line);
      }
      pos = line.to + 1;
    }
  }
  return lines;
}

const HEADING = /^(#{1,6})\s+/;
const LINE_PREFIX = /^(\s*)(#{1,6}\s+|[-*+]\s+(\[[ xX]\]\s+)?|\d+[.)]\s+|>\s?)/;

/** Set the selected lines' heading level (0: plain paragraph); the same level again removes it. */
export function setHeading(level: number): StateCommand {
  return ({ state, dispatch }) => {
    const lines = selectedLines(state);
    const all = lines.every((l) => (HEADING.exec(l.text)?.[1]?.length ?? 0) === level);
    const changes = lines.map((l) => {
      const found = HEADING.exec(l.text);
      const mark = all || level === 0 ? "" : `${"#".repeat(level)} `;
      return { from: l.from, to: l.from + (found ? found[0].length : 0), insert: mark };
    });
    dispatch(state.update({ changes, scrollIntoView: true, userEvent: "input" }));
    return true;
  };
}

export type LineKind = "bullet" | "numbered" | "task" | "quote";

function prefixFor(kind: LineKind, index: number): string {
  switch (kind) {
    case "bullet":
      return "- ";
    case "numbered":
      return `${index + 1}. `;
    case "task":
      return "- [ ] ";
    case "quote":
      return "> ";
  }
}

function isKind(kind: LineKind, text: string): boolean {
  switch (kind) {
    case "bullet":
      return /^\s*[-*+]\s+(?!\[[ xX]\])/.test(text);
    case "numbered":
      return /^\s*\d+[.)]\s+/.test(text);
    case "task":
      return /^\s*[-*+]\s+\[[ xX]\]\s+/.test(text);
    case "quote":
      return /^\s*>/.test(text);
  }
}

/**
 * Make the selected lines a list or a quote; when they all are that already, make them
 * plain lines again. Another list or heading marker on a line is replaced.
 */
export function toggleLines(kind: LineKind): StateCommand {
  return ({ state, dispatch }) => {
    const lines = selectedLines(state).filter((l, _, all) => all.length === 1 || l.text.trim() !== "");
    const all = lines.every((l) => isKind(kind, l.text));
    const changes = lines.map((l, i) => {
      const found = LINE_PREFIX.exec(l.text);
      const indent = found?.[1] ?? "";
      const end = found ? found[0].length : 0;
      return { from: l.from + indent.length, to: l.from + end, insert: all ? "" : prefixFor(kind, i) };
    });
    dispatch(state.update({ changes, scrollIntoView: true, userEvent: "input" }));
    return true;
  };
}

/** Run a command against a state and return the state after it (for tests and for chaining). */
export function applyCommand(state: EditorState, command: StateCommand): EditorState | null {
  let next: EditorState | null = null;
  const dispatch: Dispatch = (tr) => {
    next = tr.state;
  };
  return command({ state, dispatch }) ? next : null;
}
