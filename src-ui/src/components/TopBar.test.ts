import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import TopBar from "./TopBar.svelte";

const base = {
  save: { state: "saved" as const, at: 0 },
  server: { state: "notconfigured" as const },
  serverError: "",
  account: null,
  accountError: "",
  publish: null,
  pane: null,
  now: 0,
  onpane: vi.fn(),
  onpublish: vi.fn(),
  onaccount: vi.fn(),
  onsettings: vi.fn(),
};

describe("the bar", () => {
  it("says saved, offline mode and not signed in", () => {
    render(TopBar, base);
    expect(screen.getByRole("status").textContent).toBe("Saved");
    expect(screen.getByText("Offline mode")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sync" })).toBeTruthy();
  });
  it("toggles one side pane at a time", async () => {
    const onpane = vi.fn();
    render(TopBar, { ...base, pane: "preview", onpane });
    expect(screen.getByRole("button", { name: "Preview", pressed: true })).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    expect(onpane).toHaveBeenLastCalledWith(null);
    await fireEvent.click(screen.getByRole("button", { name: "Outline" }));
    expect(onpane).toHaveBeenLastCalledWith("outline");
  });
  it("says where the draft stands on the blog", () => {
    const post = { slug: "s", url: "http://x/b/y/s", heads: ["a"], publishedAt: 1, updatedAt: 1 };
    render(TopBar, { ...base, publish: { published: post, changedSince: true, scheduled: null } });
    const status = screen.getByText("Published · changed since");
    expect(status.dataset.state).toBe("changed");
  });
});

describe("images on their way to the blog", () => {
  it("says how many and how much is left, and nothing once they are sent", async () => {
    const { uploadLabel } = await import("../status");
    expect(uploadLabel(null)).toBe("");
    expect(uploadLabel({ imagesLeft: 0, bytesLeft: 0 })).toBe("");
    expect(uploadLabel({ imagesLeft: 1, bytesLeft: 420_000 })).toBe("Sending 1 image to the blog · 420 kB left");
    expect(uploadLabel({ imagesLeft: 3, bytesLeft: 2_450_000 })).toBe("Sending 3 images to the blog · 2.5 MB left");
  });
});
