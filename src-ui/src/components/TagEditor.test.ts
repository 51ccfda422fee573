import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import TagEditor from "./TagEditor.svelte";
import { fakeInvoke } from "./fake-invoke";

describe("the tag editor", () => {
  it("adds a tag with Enter and removes one with its button, as the engine answers", async () => {
    const { invoke, calls } = fakeInvoke({
      add_tag: ({ tag }) => ["rust", tag.trim()],
      remove_tag: () => [],
    });
    const onchange = vi.fn();
    render(TagEditor, { invoke, draftId: "d", tags: ["rust"], onchange, onerror: vi.fn() });
    const input = screen.getByRole("textbox", { name: "Add tag" });
    await fireEvent.input(input, { target: { value: " travel " } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await vi.waitFor(() => expect(onchange).toHaveBeenCalledWith(["rust", "travel"]));
    expect((input as HTMLInputElement).value).toBe("");
    await fireEvent.click(screen.getByRole("button", { name: "Remove tag rust" }));
    expect(calls.at(-1)).toEqual({ cmd: "remove_tag", args: { id: "d", tag: "rust" } });
  });

  it("shows the engine's refusal", async () => {
    const { invoke } = fakeInvoke({
      add_tag: () => {
        throw { kind: "invalidEdit", message: "tags: a tag is at most 64 characters" };
      },
    });
    const onerror = vi.fn();
    render(TagEditor, { invoke, draftId: "d", tags: [], onchange: vi.fn(), onerror });
    const input = screen.getByRole("textbox", { name: "Add tag" });
    await fireEvent.input(input, { target: { value: "x".repeat(80) } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await vi.waitFor(() => expect(onerror).toHaveBeenCalled());
  });
});
