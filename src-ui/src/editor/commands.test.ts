import { describe, expect, it } from "vitest";
import { EditorSelection, EditorState, type StateCommand } from "@codemirror/state";
import { markdown, markdownLanguage } from "@codemirror/lang-markdown";
import { ensureSyntaxTree } from "@codemirror/language";

import {
  applyCommand,
  endQuoteOnEmptyLine,
  enterInCode,
  insertLink,
  setHeading,
  toggleLines,
  toggleWrap,
} from "./commands";

/** A state from text where `|` marks the cursor, or `[` `]` a selection. */
function at(text: string): EditorState {
  const cursor = text.indexOf("|");
  let selection;
  let doc = text;
  if (cursor >= 0) {
    doc = text.replace("|", "");
    selection = EditorSelection.cursor(cursor);
  } else {
    const from = text.indexOf("[[");
    doc = text.replace("[[", "");
    const to = doc.indexOf("]]");
    doc = doc.replace("]]", "");
    selection = EditorSelection.range(from, to);
  }
  const state = EditorState.create({ doc, selection, extensions: [markdown({ base: markdownLanguage })] });
  ensureSyntaxTree(state, state.doc.length, 5000);
  return state;
}

/** The text after the command, with `|` at the cursor (or `[[`/`]]` around the selection). */
function run(text: string, command: StateCommand): string | null {
  const next = applyCommand(at(text), command);
  if (!next) return null;
  const { from, to } = next.selection.main;
  const doc = next.doc.toString();
  if (from === to) return doc.slice(0, from) + "|" + doc.slice(from);
  return doc.slice(0, from) + "[[" + doc.slice(from, to) + "]]" + doc.slice(to);
}

describe("Enter", () => {
  it("inside a fenced code block adds a plain line, so the closing fence stays a fence", () => {
    expect(run("```js\n    indented();|\n```", enterInCode)).toBe("```js\n    indented();\n|\n```");
    expect(run("```\n\tx|", enterInCode)).toBe("```\n\tx\n|");
  });
  it("outside code is left to Markdown's continuation", () => {
    expect(run("- item|", enterInCode)).toBeNull();
    expect(run("Plain text|", enterInCode)).toBeNull();
  });
  it("on an empty quote line ends the quote, one level at a time", () => {
    expect(run("> said\n> |", endQuoteOnEmptyLine)).toBe("> said\n\n|");
    expect(run("> said\n>|", endQuoteOnEmptyLine)).toBe("> said\n\n|");
    expect(run("> > nested\n> > |", endQuoteOnEmptyLine)).toBe("> > nested\n>\n> |");
  });
  it("on a quote line with text is left to Markdown's continuation", () => {
    expect(run("> said|", endQuoteOnEmptyLine)).toBeNull();
  });
});

describe("formatting", () => {
  it("bold and italic wrap the selection, and unwrap it again", () => {
    expect(run("a [[word]] here", toggleWrap("**"))).toBe("a **[[word]]** here");
    expect(run("a **[[word]]** here", toggleWrap("**"))).toBe("a [[word]] here");
    expect(run("a [[**word**]] here", toggleWrap("**"))).toBe("a [[word]] here");
    expect(run("a [[word]] here", toggleWrap("*"))).toBe("a *[[word]]* here");
    expect(run("a *[[word]]* here", toggleWrap("*"))).toBe("a [[word]] here");
  });
  it("italic inside bold adds italic rather than eating a bold mark", () => {
    expect(run("**[[word]]**", toggleWrap("*"))).toBe("***[[word]]***");
    expect(run("***[[word]]***", toggleWrap("*"))).toBe("**[[word]]**");
    expect(run("***[[word]]***", toggleWrap("**"))).toBe("*[[word]]*");
  });
  it("with no selection, wraps the word under the cursor or opens an empty pair", () => {
    expect(run("say wo|rd now", toggleWrap("**"))).toBe("say **[[word]]** now");
    expect(run("end. |", toggleWrap("*"))).toBe("end. *|*");
  });
  it("a link selects the address to type over, or takes a selected address", () => {
    expect(run("see [[the docs]]", insertLink)).toBe("see [the docs]([[https://]])");
    expect(run("[[https://pint.example]]", insertLink)).toBe("[|](https://pint.example)");
  });
  it("headings set, change and clear the level", () => {
    expect(run("Title|", setHeading(1))).toBe("# Title|");
    expect(run("# Title|", setHeading(2))).toBe("## Title|");
    expect(run("## Title|", setHeading(2))).toBe("Title|");
    expect(run("### Title|", setHeading(0))).toBe("Title|");
  });
  it("lists and quotes toggle on every selected line, replacing another marker", () => {
    expect(run("[[one\ntwo]]", toggleLines("bullet"))).toBe("- [[one\n- two]]");
    expect(run("[[- one\n- two]]", toggleLines("bullet"))).toBe("[[one\ntwo]]");
    expect(run("[[- one\n- two]]", toggleLines("numbered"))).toBe("[[1. one\n2. two]]");
    expect(run("idea|", toggleLines("task"))).toBe("- [ ] idea|");
    expect(run("- [ ] idea|", toggleLines("bullet"))).toBe("- idea|");
    expect(run("words|", toggleLines("quote"))).toBe("> words|");
    expect(run("> words|", toggleLines("quote"))).toBe("words|");
  });
});
