import { describe, expect, it } from "vitest";
import { usageLabel } from "./review";

describe("review words", () => {
  it("tells the tokens a request used, or nothing when the provider did not say", () => {
    expect(usageLabel({ inputTokens: 1200, outputTokens: 212 })).toBe("Used 1,412 tokens (1,200 in, 212 out).");
    expect(usageLabel({ inputTokens: 0, outputTokens: 0 })).toBe("");
  });
});
