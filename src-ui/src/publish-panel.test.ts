import { describe, expect, it } from "vitest";
import { publishLabel } from "./publish-panel";

describe("publish state in words", () => {
  it("says whether the draft is on the blog and whether it changed since", () => {
    const post = { slug: "s", url: "http://x/b/y/s", heads: ["a"], publishedAt: 1, updatedAt: 1 };
    expect(publishLabel(null)).toBe("");
    expect(publishLabel({ published: null, changedSince: false })).toBe("Not published");
    expect(publishLabel({ published: post, changedSince: false })).toBe("Published");
    expect(publishLabel({ published: post, changedSince: true })).toBe("Published · changed since");
  });
});
