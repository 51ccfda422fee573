import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import Outline from "./Outline.svelte";

describe("the outline", () => {
  it("lists the headings indented by level and jumps to one", async () => {
    const onjump = vi.fn();
    render(Outline, {
      headings: [
        { level: 1, text: "Title", from: 0 },
        { level: 2, text: "Part", from: 40 },
      ],
      onjump,
    });
    await fireEvent.click(screen.getByRole("button", { name: "Part" }));
    expect(onjump).toHaveBeenCalledWith(40);
    expect(screen.getByText("Part").closest("li")?.dataset.level).toBe("2");
  });
  it("says how to make a heading when there is none", () => {
    render(Outline, { headings: [], onjump: vi.fn() });
    expect(screen.getByText(/Start a line with #/)).toBeTruthy();
  });
});
