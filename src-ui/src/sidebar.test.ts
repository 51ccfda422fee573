import { describe, expect, it } from "vitest";
import { publishBadge } from "./sidebar";

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
