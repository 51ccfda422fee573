import { describe, expect, it } from "vitest";
import { EditorState } from "@codemirror/state";
import { applySplices, changesToSplices } from "./splices";

function roundTrip(doc: string, changes: { from: number; to?: number; insert?: string }[]) {
  const state = EditorState.create({ doc });
  const tr = state.update({ changes });
  const splices = changesToSplices(tr.changes);
  return { splices, expected: tr.state.doc.toString(), got: applySplices(doc, splices) };
}

describe("changesToSplices", () => {
  it("turns one insertion into one splice", () => {
    const { splices, expected, got } = roundTrip("hello", [{ from: 5, insert: " world" }]);
    expect(splices).toEqual([{ pos: 5, delete: 0, insert: " world" }]);
    expect(got).toBe(expected);
  });

  it("orders several changes so they apply one after another", () => {
    const { got, expected } = roundTrip("abcdefghij", [
      { from: 1, to: 3, insert: "XYZ" },
      { from: 5, to: 6 },
      { from: 9, insert: "!!" },
    ]);
    expect(got).toBe(expected);
    expect(got).toBe("aXYZdeghi!!j");
  });

  it("counts UTF-16 code units around emoji, CJK, combining marks and RTL", () => {
    const doc = "a😀b 漢字 e\u0301 שלום";
    const { got, expected } = roundTrip(doc, [
      { from: 1, to: 3, insert: "🎉" },
      { from: 5, to: 7, insert: "中文" },
      { from: doc.length, insert: " ✓" },
    ]);
    expect(got).toBe(expected);
    expect(got).toBe("a🎉b 中文 e\u0301 שלום ✓");
  });

  it("matches CodeMirror on random multi-change transactions", () => {
    const alphabet = ["a", "b", " ", "\n", "😀", "漢", "é"];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      let doc = "";
      for (let i = rand(20); i > 0; i--) doc += alphabet[rand(alphabet.length)];
      // Random non-overlapping ranges on code-point boundaries.
      const points = [...doc].reduce<number[]>((acc, ch) => [...acc, (acc.at(-1) ?? 0) + ch.length], [0]);
      const picks = [...new Set(Array.from({ length: rand(6) }, () => points[rand(points.length)] ?? 0))].sort(
        (x, y) => x - y,
      );
      const changes = [];
      for (let i = 0; i + 1 < picks.length; i += 2) {
        changes.push({ from: picks[i] ?? 0, to: picks[i + 1] ?? 0, insert: alphabet[rand(alphabet.length)] ?? "" });
      }
      const { got, expected } = roundTrip(doc, changes);
      expect(got).toBe(expected);
    }
  });
});

describe("applySplices", () => {
  it("refuses a splice outside the text", () => {
    expect(() => applySplices("abc", [{ pos: 2, delete: 5, insert: "" }])).toThrow(RangeError);
  });
});
