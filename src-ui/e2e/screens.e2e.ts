// The writing screens in the real window: the outline jumps to a heading, the word goal
// and the selection count, focus mode (F8, Esc leaves), settings applied at once and kept
// across a restart (dark theme, larger text). With PINT_E2E_SHOTS=DIR it also leaves
// screenshots of each screen, light and dark, for people to look at.

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { type Browser, editorText, pint, tempDir, waitForState, withApp } from "./harness";

const shots = process.env.PINT_E2E_SHOTS;
async function shot(browser: Browser, name: string): Promise<void> {
  if (shots) await browser.saveScreenshot(path.join(shots, `${name}.png`));
}


const TEXT = [
  "# Night trains",
  "",
  "Sleeping across Europe is *slower* than flying, and **better**. The ticket costs less than a hotel.",
  "",
  "## The route",
  "",
  "Vienna to Venice, then the coast. Bring tea.",
  "",
  "> Travel is the only thing you buy that makes you richer.",
  "",
  "## Packing",
  "",
  "- a good book",
  "- earplugs",
].join("\n");


describe("the writing screens", () => {
  it("outline, goal, selection, focus mode, settings kept across a restart", async () => {
    const dir = tempDir();
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await shot(browser, "01-first-launch");
    });
    // A draft written elsewhere, imported with the CLI (typing it is the editor test's job).
    const file = path.join(tempDir(), "night-trains.md");
    fs.writeFileSync(file, `---\ntitle: A week on night trains\ntags: [travel, rail]\n---\n${TEXT}`);
    await pint(dir, ["import", file]);
    const exports = tempDir();
    await withApp({ PINT_DATA_DIR: dir, PINT_EXPORT_DIR: exports }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      const draft = await browser.$("//ul[@id='drafts']/li[div/span[@class='name' and text()='A week on night trains']]");
      await draft.waitForExist({ timeout: 10_000 });
      await draft.click();
      await browser
        .waitUntil(async () => (await editorText(browser)) === TEXT, { timeout: 10_000 })
        .catch(async () => {
          throw new Error(`the editor shows ${JSON.stringify(await editorText(browser))}`);
        });

      // The outline lists the headings; a click puts the cursor there.
      await browser.keys([Key.Ctrl, Key.Shift, "o"]);
      const outline = await browser.$("#outline");
      await outline.waitForDisplayed({ timeout: 5_000 });
      await browser.waitUntil(async () => (await outline.$$("li").length) === 3, { timeout: 5_000 });
      expect(await outline.getText()).toContain("The route");
      await shot(browser, "02-outline");
      await (await outline.$("button=The route")).click();
      await browser.keys("X");
      await browser.waitUntil(async () => (await editorText(browser)).includes("X## The route"), { timeout: 5_000 });
      await browser.keys(Key.Backspace);
      await waitForState(browser, "save-status", "saved");

      // A word goal, and how many words are selected.
      const goal = await browser.$("#word-goal");
      await goal.setValue("100");
      await browser.keys(Key.Tab);
      await (await browser.$("#goal-progress")).waitForExist({ timeout: 5_000 });
      await browser.waitUntil(async () => /\d+% of 100/.test(await (await browser.$("#facts")).getText()), { timeout: 5_000 });
      await (await browser.$(".cm-content")).click();
      await browser.keys([Key.Ctrl, Key.End]);
      await browser.keys([Key.Ctrl, Key.Shift, Key.ArrowLeft]);
      await browser.waitUntil(async () => (await (await browser.$("#facts")).getText()).includes("1 selected"), { timeout: 5_000 });

      // Export: a Markdown file and a web page in the export folder, named from the title.
      await (await browser.$("#export-markdown")).click();
      const notice = await browser.$("#notice-text");
      await notice.waitForDisplayed({ timeout: 5_000 });
      const md = path.join(exports, "a-week-on-night-trains.md");
      expect(await notice.getText()).toBe(`Exported to ${md}`);
      expect(fs.readFileSync(md, "utf8")).toContain("title: \"A week on night trains\"");
      await (await browser.$("#export-html")).click();
      await browser.waitUntil(async () => (await notice.getText()).endsWith(".html"), { timeout: 5_000 });
      expect(fs.readFileSync(path.join(exports, "a-week-on-night-trains.html"), "utf8")).toContain("<h2 id=\"the-route\"");

      // The preview, light.
      await browser.keys([Key.Ctrl, "p"]);
      await (await browser.$("#preview h2")).waitForExist({ timeout: 5_000 });
      await shot(browser, "03-preview-light");

      // Focus mode: only the text; Esc leaves.
      await browser.keys(Key.F8);
      await browser.waitUntil(async () => browser.execute(() => document.body.classList.contains("focus")), { timeout: 5_000 });
      expect(await (await browser.$(".sidebar")).isDisplayed()).toBe(false);
      await shot(browser, "04-focus");
      await browser.keys(Key.Escape);
      await browser.waitUntil(async () => !(await browser.execute(() => document.body.classList.contains("focus"))), { timeout: 5_000 });

      // Settings: dark, larger text, applied at once.
      await browser.keys([Key.Ctrl, ","]);
      const settings = await browser.$("#settings");
      await settings.waitForDisplayed({ timeout: 5_000 });
      await shot(browser, "05-settings-light");
      await (await browser.$("#setting-theme")).selectByAttribute("value", "dark");
      await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme ?? "")) === "dark", {
        timeout: 5_000,
      });
      await (await browser.$("#setting-font")).selectByAttribute("value", "sans");
      await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.font ?? "")) === "sans", {
        timeout: 5_000,
      });
      await shot(browser, "06-settings-dark");
      await (await browser.$("#settings [data-close]")).click();
      await settings.waitForDisplayed({ reverse: true, timeout: 5_000 });
      await shot(browser, "07-preview-dark");
      await browser.keys([Key.Ctrl, "h"]);
      await (await browser.$("#versions li")).waitForExist({ timeout: 5_000 });
      await shot(browser, "08-history-dark");
      await (await browser.$("#toggle-publish")).click();
      await (await browser.$("#publish")).waitForDisplayed({ timeout: 5_000 });
      await shot(browser, "09-publish-dark");
      await (await browser.$("#publish [data-close]")).click();
      await (await browser.$("#sync-status")).click();
      await (await browser.$("#account")).waitForDisplayed({ timeout: 5_000 });
      await (await browser.$("#sign-in-create")).click();
      await shot(browser, "10-account-dark");
      await (await browser.$("#account [data-close]")).click();
    });

    // After a restart: the settings and the goal are as they were left.
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme ?? "")) === "dark", {
        timeout: 10_000,
      });
      expect(await browser.execute(() => document.documentElement.dataset.font ?? "")).toBe("sans");
      expect(await (await browser.$("#word-goal")).getValue()).toBe("100");
      await shot(browser, "11-restart-dark");
    });
  });
});
