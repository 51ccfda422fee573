import { describe, expect, it } from "vitest";
import { EditorState } from "@codemirror/state";
import { markdown, markdownLanguage } from "@codemirror/lang-markdown";
import { headingsOf } from "./outline";
import { litRange } from "./focus";

const state = (doc: string, pos = 0) =>
  EditorState.create({ doc, selection: { anchor: pos }, extensions: [markdown({ base: markdownLanguage })] });

describe("the outline", () => {
  it("lists ATX and setext headings with their level, not # lines inside code", () => {
    const doc = "# Title\n\nText\n\n## Part one ##\n\n```\n# not a heading\n```\n\nSecond\n------\n";
    expect(headingsOf(state(doc))).toEqual([
      { level: 1, text: "Title", from: 0 },
      { level: 2, text: "Part one", from: doc.indexOf("## Part") },
      { level: 2, text: "Second", from: doc.indexOf("Second") },
    ]);
  });
});

describe("focus mode's lit range", () => {
  const doc = "First para. Still first.\n\nSecond one. Two sentences! Three?\nSame para.\n\nLast";
  it("is the paragraph around the cursor", () => {
    const pos = doc.indexOf("Two");
    const r = litRange(state(doc, pos), pos, "paragraph");
    expect(doc.slice(r?.from, r?.to)).toBe("Second one. Two sentences! Three?\nSame para.");
  });
  it("or the sentence", () => {
    const pos = doc.indexOf("sentences");
    const r = litRange(state(doc, pos), pos, "sentence");
    expect(doc.slice(r?.from, r?.to)).toBe("Two sentences!");
    const end = doc.indexOf("Last") + 2;
    const last = litRange(state(doc, end), end, "sentence");
    expect(doc.slice(last?.from, last?.to)).toBe("Last");
  });
  it("or nothing when dimming is off", () => {
    expect(litRange(state(doc, 0), 0, "off")).toBeNull();
  });
});
