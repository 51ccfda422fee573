import { describe, expect, it } from "vitest";
import { editedLabel, emptyListText, publishBadge, snippetParts } from "./drafts-list";

describe("the drafts list's word for a draft on the blog", () => {
  const post = { slug: "s", url: "http://x/b/y/s", heads: ["a"], publishedAt: 1, updatedAt: 1 };
  it("says published, changed since, or scheduled", () => {
    expect(publishBadge(undefined)).toBe("");
    expect(publishBadge({ published: null, changedSince: false, scheduled: null })).toBe("");
    expect(publishBadge({ published: post, changedSince: false, scheduled: null })).toBe("published");
    expect(publishBadge({ published: post, changedSince: true, scheduled: null })).toBe("published · changed");
    expect(publishBadge({ published: null, changedSince: false, scheduled: { runAt: 1, lastError: null } })).toBe(
      "scheduled",
    );
  });
});

describe("the drafts list's words", () => {
  it("says why a list is empty", () => {
    expect(emptyListText(true, false, null)).toBe("The trash is empty.");
    expect(emptyListText(false, true, null)).toBe("No draft matches this search.");
    expect(emptyListText(false, false, "travel")).toBe("No draft is tagged “travel”.");
    expect(emptyListText(false, false, null)).toMatch(/No drafts yet/);
  });
  it("shows today's edits by time and older ones by date", () => {
    const now = new Date(2026, 11, 6, 18, 0).getTime();
    expect(editedLabel(new Date(2026, 11, 6, 9, 5).getTime(), now)).toMatch(/9:05/);
    expect(editedLabel(new Date(2026, 10, 2, 9, 5).getTime(), now)).toMatch(/2/);
    expect(editedLabel(new Date(2026, 10, 2, 9, 5).getTime(), now)).not.toMatch(/2026/);
    expect(editedLabel(new Date(2024, 0, 2).getTime(), now)).toMatch(/2024/);
  });
});

describe("search snippets", () => {
  it("split into text and marked matches", () => {
    expect(snippetParts("…the \u0002night\u0003 \u0002train\u0003 to…")).toEqual([
      { text: "…the ", match: false },
      { text: "night", match: true },
      { text: " ", match: false },
      { text: "train", match: true },
      { text: " to…", match: false },
    ]);
  });
});
