import { describe, expect, it } from "vitest";
import { splitTitle } from "./ai-draft";

describe("a draft the AI wrote", () => {
  it("takes its opening heading as the title, the blank lines after it too", () => {
    const text = "# Dawn at the harbour\n\nWe were there early.\n";
    const split = splitTitle(text)!;
    expect(split.title).toBe("Dawn at the harbour");
    expect(text.slice(split.bodyStart)).toBe("We were there early.\n");
    expect(splitTitle("## A section\n\nText")).toBeNull();
    expect(splitTitle("No heading at all")).toBeNull();
    expect(splitTitle("# Closed heading #\nBody")?.title).toBe("Closed heading");
  });
});
