import { describe, expect, it } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import LinkedFolder from "./LinkedFolder.svelte";
import { fakeInvoke } from "./fake-invoke";
import type { LinkStatus } from "../ipc";

const none: LinkStatus = { folder: null, files: 0, skipped: [] };
const linked: LinkStatus = {
  folder: "/home/ada/Writing",
  files: 12,
  skipped: [{ source: "notes/broken.md", reason: "is not UTF-8 text (byte 3 is invalid)" }],
};

describe("linked folder", () => {
  it("links a folder by its path, shows it with its files and what was left alone, and unlinks", async () => {
    const { invoke, calls } = fakeInvoke({
      linked_folder: () => none,
      link_folder: () => linked,
      unlink_folder: () => none,
    });
    render(LinkedFolder, { invoke });
    const field = (await screen.findByLabelText("Folder")) as HTMLInputElement;
    await fireEvent.input(field, { target: { value: "  /home/ada/Writing " } });
    await fireEvent.click(screen.getByRole("button", { name: "Link" }));
    expect(await screen.findByText("/home/ada/Writing")).toBeTruthy();
    expect(screen.getByText("12 files in step with your drafts")).toBeTruthy();
    expect(screen.getByText("1 file left alone")).toBeTruthy();
    expect(screen.getByText("is not UTF-8 text (byte 3 is invalid)")).toBeTruthy();
    expect(calls.find((c) => c.cmd === "link_folder")?.args).toEqual({ path: "/home/ada/Writing" });
    expect(field.value).toBe("");
    await fireEvent.click(screen.getByRole("button", { name: "Unlink" }));
    expect(await screen.findByLabelText("Folder")).toBeTruthy();
    expect(screen.queryByText("/home/ada/Writing")).toBeNull();
  });

  it("says why a path cannot be linked", async () => {
    const { invoke } = fakeInvoke({
      linked_folder: () => none,
      link_folder: () => {
        throw { kind: "invalidInput", message: "/nope cannot be linked: No such file or directory (os error 2)" };
      },
    });
    render(LinkedFolder, { invoke });
    const field = await screen.findByLabelText("Folder");
    await fireEvent.input(field, { target: { value: "/nope" } });
    await fireEvent.click(screen.getByRole("button", { name: "Link" }));
    expect((await screen.findByRole("alert")).textContent).toContain("No such file or directory");
  });
});
