import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import SettingsDialog from "./SettingsDialog.svelte";
import { fakeInvoke } from "./fake-invoke";
import type { CheckPrefs, Settings } from "../ipc";
import { DEFAULT_SETTINGS } from "../settings";

const defaults: Settings = DEFAULT_SETTINGS;
const noChoices: CheckPrefs = { rulesOff: [], words: [], english: "american" };

describe("settings", () => {
  it("keeps each change through the engine and hands back what it kept", async () => {
    const { invoke, calls } = fakeInvoke({ set_settings: ({ settings }) => settings, check_prefs: () => noChoices });
    const onsettings = vi.fn();
    render(SettingsDialog, { invoke, settings: defaults, account: null, open: true, onsettings, onaccount: vi.fn(), onclose: vi.fn() });
    await fireEvent.change(screen.getByRole("combobox", { name: "Theme" }), { target: { value: "dark" } });
    await vi.waitFor(() => expect(onsettings).toHaveBeenCalledWith({ ...defaults, theme: "dark" }));
    await fireEvent.click(screen.getByRole("checkbox", { name: "Also the system’s spell check (for other languages)" }));
    await vi.waitFor(() => expect(calls.at(-1)?.args).toEqual({ settings: { ...defaults, spellCheck: false } }));
    expect(screen.getByText("Not signed in: your drafts stay on this device.")).toBeTruthy();
  });

  it("shows the engine's refusal, naming the field", async () => {
    const { invoke } = fakeInvoke({
      check_prefs: () => noChoices,
      set_settings: () => {
        throw { kind: "invalidInput", message: "font size: choose 12 to 32 px" };
      },
    });
    render(SettingsDialog, { invoke, settings: defaults, account: null, open: true, onsettings: vi.fn(), onaccount: vi.fn(), onclose: vi.fn() });
    await fireEvent.change(screen.getByRole("slider", { name: /Size/ }), { target: { value: "40" } });
    expect(await screen.findByText("font size: choose 12 to 32 px")).toBeTruthy();
  });

  it("shows the writing checks' choices and takes them back one by one", async () => {
    let prefs: CheckPrefs = { rulesOff: ["Pint.Passive"], words: ["Zorblat", "Vienna"], english: "american" };
    const { invoke } = fakeInvoke({
      check_prefs: () => prefs,
      set_check_prefs: ({ prefs: p }) => (prefs = p),
    });
    render(SettingsDialog, { invoke, settings: defaults, account: null, open: true, onsettings: vi.fn(), onaccount: vi.fn(), onclose: vi.fn() });
    await fireEvent.click(await screen.findByRole("button", { name: "Turn on “Passive”" }));
    await vi.waitFor(() => expect(prefs.rulesOff).toEqual([]));
    expect(await screen.findByText("None: every check runs.")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Remove “Zorblat”" }));
    await vi.waitFor(() => expect(prefs.words).toEqual(["Vienna"]));
    await fireEvent.change(screen.getByRole("combobox", { name: "Spelling" }), { target: { value: "british" } });
    await vi.waitFor(() => expect(prefs.english).toBe("british"));
  });
});
