import { describe, expect, it } from "vitest";
import { effectiveTheme } from "./settings";

describe("the theme shown", () => {
  it("is the chosen one, or the system's", () => {
    expect(effectiveTheme("dark", false)).toBe("dark");
    expect(effectiveTheme("light", true)).toBe("light");
    expect(effectiveTheme("system", true)).toBe("dark");
    expect(effectiveTheme("system", false)).toBe("light");
  });
});
