import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import HistoryPanel from "./HistoryPanel.svelte";
import { fakeInvoke } from "./fake-invoke";

describe("the history panel", () => {
  it("previews a version with its title and restores it by its heads", async () => {
    const now = Date.now() / 1000;
    const { invoke } = fakeInvoke({
      list_versions: () => [
        { heads: ["h2", "h3"], actor: "a", author: null, time: now, changes: 4 },
        { heads: ["h1"], actor: "a", author: "ana", time: now - 600, changes: 1 },
      ],
      preview_version: ({ heads }) => ({
        kind: "post",
        title: heads[0] === "h1" ? "First title" : "Now",
        body: heads[0] === "h1" ? "Old text" : "New text",
        excerpt: "",
        slug: "",
        tags: [],
        featured_image: "",
        featured_image_alt: "",
        seo: { meta_title: "", meta_description: "", canonical_url: "", og_image: "" },
        date: "",
      }),
    });
    const onrestore = vi.fn();
    render(HistoryPanel, { invoke, draftId: "d", version: 0, onrestore, onerror: vi.fn() });
    await fireEvent.click(await screen.findByText(/10 min ago by ana/));
    expect(await screen.findByText("Old text")).toBeTruthy();
    expect(screen.getByText("First title")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Restore this version" }));
    expect(onrestore).toHaveBeenCalledWith(["h1"]);
  });
});
