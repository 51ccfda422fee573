// A creator's session with several drafts, in the real window: create a draft, type,
// find it by search, tag it and filter by tag, sort, move it to the trash and restore
// it, restore an earlier version from history, restart the app and see everything as it
// was; then a draft whose bytes were damaged on disk is set aside and the user is told.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { type Browser, editorText, keysFor, tempDir, waitForState, withApp } from "./harness";

async function draftTitles(browser: Browser): Promise<string[]> {
  return browser.execute(() =>
    Array.from(document.querySelectorAll("#drafts li .name")).map((n) => n.textContent ?? ""),
  );
}

async function waitForTitles(browser: Browser, expected: string[]): Promise<void> {
  await browser
    .waitUntil(async () => JSON.stringify(await draftTitles(browser)) === JSON.stringify(expected), {
      timeout: 10_000,
    })
    .catch(async () => {
      throw new Error(`sidebar shows ${JSON.stringify(await draftTitles(browser))}, expected ${JSON.stringify(expected)}`);
    });
}

async function typeInEditor(browser: Browser, text: string): Promise<void> {
  const editor = await browser.$(".cm-content");
  await editor.click();
  await editor.addValue(keysFor(text));
  await browser.waitUntil(async () => (await editorText(browser)).endsWith(text.split("\n").at(-1) ?? ""), {
    timeout: 10_000,
  });
  await waitForState(browser, "save-status", "saved");
}

describe("drafts in the window", () => {
  it("create, search, trash, restore, history, restart", async () => {
    const dir = tempDir();

    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      // The first draft, typed into the one the app opened with.
      const title = await browser.$("#title");
      await title.setValue("Shopping");
      await typeInEditor(browser, "Milk and bread");
      await waitForTitles(browser, ["Shopping"]);

      // A second draft from the New button.
      await (await browser.$("#new-draft")).click();
      await browser.waitUntil(async () => (await editorText(browser)) === "", { timeout: 10_000 });
      await (await browser.$("#title")).setValue("Travel plans");
      await typeInEditor(browser, "Lisbon in spring");
      await waitForTitles(browser, ["Travel plans", "Shopping"]);

      // Search finds by body words, as you type.
      await (await browser.$("#search")).setValue("lisb");
      await waitForTitles(browser, ["Travel plans"]);
      // With the words around the match, the match marked.
      expect(await (await browser.$("#drafts li .snippet mark")).getText()).toBe("Lisbon");
      await (await browser.$("#search")).click();
      await browser.keys([Key.Ctrl, "a"]);
      await browser.keys(Key.Backspace);
      await waitForTitles(browser, ["Travel plans", "Shopping"]);

      // Trash the shopping list, then restore it from the trash.
      await (await browser.$("#drafts li[data-id] .trash")).waitForExist();
      const shopping = await browser.$("//ul[@id='drafts']/li[div/span[@class='name' and text()='Shopping']]//button[@class='trash']");
      await shopping.click();
      await waitForTitles(browser, ["Travel plans"]);
      await (await browser.$("#show-trash")).click();
      await waitForTitles(browser, ["Shopping"]);
      await (await browser.$("#drafts li .restore")).click();
      await waitForTitles(browser, []);
      await (await browser.$("#show-drafts")).click();
      await waitForTitles(browser, ["Travel plans", "Shopping"]);

      // Tag the open draft, filter the list by the tag, then sort by title.
      await (await browser.$("#add-tag")).addValue(keysFor("Travel\n"));
      await (await browser.$("#draft-tags li[data-tag='Travel']")).waitForExist({ timeout: 10_000 });
      await (await browser.$("#tag-filter option[value='Travel']")).waitForExist({ timeout: 10_000 });
      await (await browser.$("#tag-filter")).selectByAttribute("value", "Travel");
      await waitForTitles(browser, ["Travel plans"]);
      await (await browser.$("#tag-filter")).selectByAttribute("value", "");
      await waitForTitles(browser, ["Travel plans", "Shopping"]);
      await (await browser.$("#sort")).selectByAttribute("value", "title");
      await waitForTitles(browser, ["Shopping", "Travel plans"]);
      await (await browser.$("#sort")).selectByAttribute("value", "updated");
      await waitForTitles(browser, ["Travel plans", "Shopping"]);
    });

    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await waitForTitles(browser, ["Travel plans", "Shopping"]);
      // History: a second editing session (a restart) adds text; restore the version
      // from before it. Versions are grouped by editing session.
      await browser.waitUntil(async () => (await editorText(browser)) === "Lisbon in spring", { timeout: 10_000 });
      await typeInEditor(browser, " and Porto");
      expect(await editorText(browser)).toBe("Lisbon in spring and Porto");
      await (await browser.$("#toggle-history")).click();
      await browser.waitUntil(async () => (await browser.$$("#versions li").length) > 1, { timeout: 10_000 });
      let found = false;
      for (const li of await browser.$$("#versions li")) {
        await li.click();
        const body = await browser.$("#version-body");
        await body.waitForDisplayed({ timeout: 5_000 });
        if ((await body.getText()) === "Lisbon in spring") {
          found = true;
          break;
        }
      }
      expect(found).toBe(true);
      await (await browser.$("#restore-version")).click();
      await browser.waitUntil(async () => (await editorText(browser)) === "Lisbon in spring", {
        timeout: 10_000,
        timeoutMsg: "the restored version did not reach the editor",
      });
      await waitForState(browser, "save-status", "saved");
    });

    // After a restart: both drafts, the restored text, nothing in the trash.
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await waitForTitles(browser, ["Travel plans", "Shopping"]);
      await browser.waitUntil(async () => (await editorText(browser)) === "Lisbon in spring", { timeout: 10_000 });
      expect(await (await browser.$("#title")).getValue()).toBe("Travel plans");
      expect(await (await browser.$("#draft-tags li[data-tag='Travel']")).isExisting()).toBe(true);
      expect(await (await browser.$("#damaged")).isDisplayed()).toBe(false);
      await (await browser.$("//ul[@id='drafts']/li[div/span[@class='name' and text()='Shopping']]")).click();
      await browser.waitUntil(async () => (await editorText(browser)) === "Milk and bread", { timeout: 10_000 });
    });

    // The shopping list's stored bytes are damaged on disk (a bad sector, a bad copy).
    execFileSync("python3", [
      "-c",
      "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); " +
        "c.execute(\"UPDATE drafts SET snapshot = x'DEADBEEF' WHERE title = 'Shopping'\"); c.commit()",
      join(dir, "pint.db"),
    ]);
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await waitForTitles(browser, ["Travel plans", "Shopping"]);
      await (await browser.$("//ul[@id='drafts']/li[div/span[@class='name' and text()='Shopping']]")).click();
      // Set aside, not deleted; the user is told; the other draft keeps working.
      const notice = await browser.$("#damaged");
      await notice.waitForDisplayed({ timeout: 10_000 });
      expect(await (await browser.$("#damaged-text")).getText()).toContain("“Shopping”");
      await waitForTitles(browser, ["Travel plans"]);
      await browser.waitUntil(async () => (await editorText(browser)) === "Lisbon in spring", { timeout: 10_000 });
      await typeInEditor(browser, "!");
      await (await browser.$("#dismiss-damaged")).click();
      await notice.waitForDisplayed({ reverse: true, timeout: 5_000 });
    });
    const kept = execFileSync("python3", [
      "-c",
      "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); " +
        "print(c.execute('SELECT title, hex(snapshot) FROM damaged_drafts').fetchall())",
      join(dir, "pint.db"),
    ]).toString();
    expect(kept).toContain("('Shopping', 'DEADBEEF')");
  });
});
