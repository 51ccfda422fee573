// A linked folder in the real window: linked in Settings (its files become drafts), a
// file edited by another program while it is open shows in the editor without the
// cursor moving, and what is typed in Pint reaches the file.

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { type Browser, editorText, tempDir, waitForState, withApp } from "./harness";

const shots = process.env.PINT_E2E_SHOTS;
async function shot(browser: Browser, name: string): Promise<void> {
  if (shots) await browser.saveScreenshot(path.join(shots, `${name}.png`));
}

const FILE = `---
title: "Night trains"
slug: "night-trains"
tags: ["rail"]
---
Sleeping across Europe.

Vienna to Venice.
`;

async function until(browser: Browser, what: string, ok: () => Promise<boolean>, timeout = 20_000): Promise<void> {
  await browser.waitUntil(ok, { timeout, interval: 100, timeoutMsg: `timed out waiting for ${what}` }).catch(async (e) => {
    await browser.saveScreenshot(path.join(shots ?? "/tmp", "pint-e2e-failed.png")).catch(() => {});
    throw e;
  });
}

describe("a linked folder", () => {
  it("brings its files in, shows an edit made elsewhere without moving the cursor, and writes back what is typed", async () => {
    const folder = path.join(tempDir(), "Writing");
    fs.mkdirSync(path.join(folder, "notes"), { recursive: true });
    const file = path.join(folder, "night-trains.md");
    fs.writeFileSync(file, FILE);
    fs.writeFileSync(path.join(folder, "notes", "broken.md"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await withApp({ PINT_DATA_DIR: tempDir() }, async (browser) => {
      await waitForState(browser, "save-status", "saved");
      await browser.keys([Key.Ctrl, ","]);
      await (await browser.$("#settings")).waitForDisplayed({ timeout: 5_000 });
      await (await browser.$("#settings-folder")).scrollIntoView();
      await (await browser.$("#folder-path")).setValue(folder);
      await (await browser.$("#folder-link")).click();
      const linked = await browser.$("#folder-linked");
      await linked.waitForDisplayed({ timeout: 15_000 });
      expect(await linked.getText()).toContain("Writing");
      // The empty draft the app opened with gets a file once it has words.
      expect(await linked.getText()).toContain("1 file in step");
      const skipped = await browser.$(".folder-skipped summary");
      expect(await skipped.getText()).toBe("1 file left alone");
      await browser.execute((el) => (el as HTMLElement).click(), skipped);
      expect(await (await browser.$(".folder-skipped li")).getText()).toContain("notes/broken.md is not UTF-8 text");
      await shot(browser, "folder-linked");
      await browser.keys(Key.Escape);

      const draft = await browser.$("//ul[@id='drafts']/li[div/span[@class='name' and text()='Night trains']]");
      await draft.waitForExist({ timeout: 10_000 });
      await draft.click();
      await until(browser, "the file's text in the editor", async () => (await editorText(browser)) === "Sleeping across Europe.\n\nVienna to Venice.\n");

      // The cursor at the start; another program changes the last paragraph.
      const editor = await browser.$(".cm-content");
      await editor.click();
      await browser.keys([Key.Ctrl, Key.Home]);
      await browser.keys([Key.Ctrl]);
      const swap = `${file}.swp`;
      fs.writeFileSync(swap, FILE.replace("Vienna to Venice.", "Vienna to Venice, then the coast."));
      fs.renameSync(swap, file);
      await until(browser, "the edit made elsewhere in the editor", async () => (await editorText(browser)).includes("then the coast"));
      await editor.addValue("Still ");
      expect(await editorText(browser)).toBe("Still Sleeping across Europe.\n\nVienna to Venice, then the coast.\n");

      // What is typed reaches the file once typing pauses.
      await waitForState(browser, "save-status", "saved");
      await until(browser, "the typing in the file", async () =>
        fs.readFileSync(file, "utf8").endsWith("---\nStill Sleeping across Europe.\n\nVienna to Venice, then the coast.\n"),
      );
    });
  });
});
