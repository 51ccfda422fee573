// The menu bar's shortcuts, pressed as real X key events (xdotool), not WebDriver's:
// GTK gives them to the menu, which sends the window its action once (a shortcut must
// not also reach the page and act twice). Ordinary keys still go to the text.

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { type Browser, editorText, tempDir, withApp } from "./harness";

function press(keys: string): void {
  // The app's window (no window manager under Xvfb: focus it ourselves), then the keys.
  const ids = execFileSync("xdotool", ["search", "--name", "^Pint$"]).toString().trim().split("\n");
  const id = ids.at(-1) ?? "";
  execFileSync("xdotool", ["windowfocus", "--sync", id]);
  execFileSync("xdotool", ["key", "--clearmodifiers", keys]);
}

async function paneShown(browser: Browser): Promise<string> {
  return browser.execute(() => document.querySelector(".pane")?.id ?? "");
}

describe("the menu bar", () => {
  it("takes its shortcuts from real key presses and acts once", async () => {
    await withApp({ PINT_DATA_DIR: tempDir() }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await (await browser.$(".cm-content")).click();
      press("ctrl+p");
      await browser.waitUntil(async () => (await paneShown(browser)) === "preview", { timeout: 5_000 });
      // Once, not twice: still open a moment later.
      await browser.pause(300);
      expect(await paneShown(browser)).toBe("preview");
      press("ctrl+shift+o");
      await browser.waitUntil(async () => (await paneShown(browser)) === "outline", { timeout: 5_000 });
      press("F8");
      await browser.waitUntil(async () => browser.execute(() => document.body.classList.contains("focus")), { timeout: 5_000 });
      press("F8");
      await browser.waitUntil(async () => !(await browser.execute(() => document.body.classList.contains("focus"))), {
        timeout: 5_000,
      });
      // Typing still reaches the text.
      press("w");
      press("o");
      await browser.waitUntil(async () => (await editorText(browser)) === "wo", { timeout: 5_000 });
      // Ctrl+O is the menu's alone (File › Open…): the drafts search takes the keys.
      press("ctrl+o");
      await browser.waitUntil(async () => (await browser.execute(() => document.activeElement?.id ?? "")) === "search", {
        timeout: 5_000,
      });
      press("ctrl+comma");
      await (await browser.$("#settings")).waitForDisplayed({ timeout: 5_000 });
    });
  });
});
