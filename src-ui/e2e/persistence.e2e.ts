// A creator types into the real window, closes the app, starts it again: the text is
// there. And when the local database is damaged, the app still opens and says where the
// file is, without touching it.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { editorText, keysFor, tempDir, waitForState, withApp } from "./harness";

describe("the desktop window", () => {
  it("keeps what was typed across a restart", async () => {
    const dir = tempDir();
    const typed = "# Plane notes\n\nWritten offline, café at 30000 feet.";

    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      const editor = await browser.$(".cm-content");
      await editor.waitForExist({ timeout: 20_000 });
      await editor.click();
      await editor.addValue(keysFor(typed));
      await waitForState(browser, "save-status", "saved");
      expect(await editorText(browser)).toBe(typed);
    });

    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      const editor = await browser.$(".cm-content");
      await editor.waitForExist({ timeout: 20_000 });
      expect(await editorText(browser)).toBe(typed);
      // Editing continues where it left off, and is saved again.
      await editor.click();
      // Ctrl+End as a chord, then type at the end of the draft.
      await browser.keys([Key.Ctrl, Key.End]);
      await editor.addValue("!");
      await browser.waitUntil(async () => (await editorText(browser)) === `${typed}!`, {
        timeout: 10_000,
        timeoutMsg: "the editor never showed the appended text",
      }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}; editor has ${JSON.stringify(await editorText(browser))}`);
      });
      await waitForState(browser, "save-status", "saved");
    });

    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      expect(await editorText(browser)).toBe(`${typed}!`);
    });
  });

  it("opens and explains when the local database is damaged, leaving the file as it was", async () => {
    const dir = tempDir();
    const dbFile = path.join(dir, "pint.db");
    const garbage = Buffer.from("not a database, but someone's file\n".repeat(200));
    writeFileSync(dbFile, garbage);

    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      const problem = await browser.$("#problem");
      await problem.waitForDisplayed({ timeout: 20_000 });
      const text = await problem.getText();
      expect(text).toContain("could not be opened");
      expect(text).toContain(dbFile);
      await waitForState(browser, "save-status", "error");
    });

    expect(readFileSync(dbFile).equals(garbage)).toBe(true);
  });
});
