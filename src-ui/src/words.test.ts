import { describe, expect, it } from "vitest";
import { countWords, wordsLabel } from "./words";

describe("counting words as the blog counts them", () => {
  it("matches pint-model's count_words on its own cases", () => {
    // The same cases as shared-model/src/render/facts.rs.
    expect(countWords("Hello, world! It's a well-known test.")).toBe(6);
    expect(countWords("日本語の文章")).toBe(6);
    expect(countWords("mixed 漢字 text")).toBe(4);
    expect(countWords("  ")).toBe(0);
    expect(countWords("Ünïcödé wörds ąre wörds")).toBe(4);
  });
  it("says length, goal and selection", () => {
    expect(wordsLabel(1, 1, null, 0)).toBe("1 word · 1 min read");
    expect(wordsLabel(500, 3, 1000, 0)).toBe("500 words · 3 min read · 50% of 1,000");
    expect(wordsLabel(1200, 6, 1000, 12)).toBe("1,200 words · 6 min read · goal of 1,000 reached · 12 selected");
    expect(wordsLabel(0, 0, null, 0)).toBe("0 words");
  });
});
