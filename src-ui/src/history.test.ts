import { describe, expect, it, vi } from "vitest";
import { describeVersion } from "./history";
import { debounce } from "./debounce";

describe("describeVersion", () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);
  it("says how long ago, who, and how many changes", () => {
    expect(describeVersion({ heads: [], actor: "a", author: "ana", time: now / 1000 - 120, changes: 3 }, now)).toBe(
      "2 min ago by ana (3 changes)",
    );
    expect(describeVersion({ heads: [], actor: "a", author: null, time: now / 1000, changes: 1 }, now)).toBe(
      "just now (1 change)",
    );
  });
});

describe("debounce", () => {
  it("runs once after the last call", () => {
    vi.useFakeTimers();
    const f = vi.fn();
    const d = debounce(f, 100);
    d();
    d();
    vi.advanceTimersByTime(99);
    expect(f).not.toHaveBeenCalled();
    d();
    vi.advanceTimersByTime(100);
    expect(f).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });
});
