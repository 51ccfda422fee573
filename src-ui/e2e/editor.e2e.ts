// Writing in the real window: the title hands over to the text with Enter, a draft
// picked from the list takes the next keystroke, formatting keys (bold, italic, link),
// Enter in fenced code and on an empty quote line, find and replace, and restoring the
// newest version changes nothing (it once blanked the title).

import { describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { type Browser, editorText, keysFor, tempDir, typeText, waitForState, withApp } from "./harness";

async function waitForText(browser: Browser, expected: string): Promise<void> {
  await browser
    .waitUntil(async () => (await editorText(browser)) === expected, { timeout: 10_000 })
    .catch(async () => {
      throw new Error(`the editor shows ${JSON.stringify(await editorText(browser))}, expected ${JSON.stringify(expected)}`);
    });
}


/** Select everything in the editor and delete it. */
async function clearEditor(browser: Browser): Promise<void> {
  await (await browser.$(".cm-content")).click();
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys(Key.Backspace);
  await waitForText(browser, "");
}

describe("the editor in the window", () => {
  it("title to text, formatting keys, Markdown Enter, find and replace, restore", async () => {
    await withApp({ PINT_DATA_DIR: tempDir() }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });

      // Enter in the title goes on in the text.
      const title = await browser.$("#title");
      await title.click();
      await title.addValue(keysFor("Harbour notes\n"));
      await typeText(browser, "Boats at dawn");
      await waitForText(browser, "Boats at dawn");
      expect(await title.getValue()).toBe("Harbour notes");

      // Bold and italic on the word before the cursor; a link around a selection.
      await browser.keys([Key.Ctrl, Key.Shift, Key.ArrowLeft]);
      await browser.keys([Key.Ctrl, "b"]);
      await waitForText(browser, "Boats at **dawn**");
      await browser.keys([Key.Ctrl, "i"]);
      await waitForText(browser, "Boats at ***dawn***");
      await browser.keys([Key.Ctrl, "i"]);
      await browser.keys([Key.Ctrl, "b"]);
      await waitForText(browser, "Boats at dawn");
      await browser.keys([Key.Ctrl, "k"]);
      await typeText(browser, "https://example.com");
      await waitForText(browser, "Boats at [dawn](https://example.com)");
      // Ctrl+K made a link; it did not jump to the drafts search.
      expect(await browser.execute(() => document.activeElement?.id ?? "")).not.toBe("search");

      // Enter inside fenced code adds a plain line: the closing fence stays a fence.
      await clearEditor(browser);
      await typeText(browser, "```\n    indented()\n```");
      await waitForText(browser, "```\n    indented()\n```");
      // Shown as code: every line of the block, fences included, in the code style.
      expect(await browser.execute(() => document.querySelectorAll(".cm-line.cm-codeblock").length)).toBe(3);
      // An empty quote line ends the quote; lists keep going.
      await clearEditor(browser);
      await typeText(browser, "> quoted\n\nafter");
      await waitForText(browser, "> quoted\n\nafter");
      await clearEditor(browser);
      await typeText(browser, "- one\ntwo");
      await waitForText(browser, "- one\n- two");

      // Find and replace (Ctrl+F), across the draft.
      await clearEditor(browser);
      await typeText(browser, "tea and tea and tea");
      await waitForText(browser, "tea and tea and tea");
      await browser.keys([Key.Ctrl, "f"]);
      const find = await browser.$(".cm-search input[name='search']");
      await find.waitForDisplayed({ timeout: 5_000 });
      await find.setValue("tea");
      await (await browser.$(".cm-search input[name='replace']")).setValue("coffee");
      await (await browser.$(".cm-search button[name='replaceAll']")).click();
      await waitForText(browser, "coffee and coffee and coffee");
      await browser.keys(Key.Escape);
      await (await browser.$(".cm-search")).waitForExist({ reverse: true, timeout: 5_000 });
      await waitForState(browser, "save-status", "saved");

      // A second draft; then the first picked from the list takes the next keystroke.
      await (await browser.$("#new-draft")).click();
      await waitForText(browser, "");
      await (await browser.$("#title")).addValue(keysFor("Second\n"));
      await typeText(browser, "other");
      await waitForText(browser, "other");
      await waitForState(browser, "save-status", "saved");
      const first = await browser.$("//ul[@id='drafts']/li[div/span[@class='name' and text()='Harbour notes']]");
      await first.waitForExist({ timeout: 10_000 });
      await first.click();
      await waitForText(browser, "coffee and coffee and coffee");
      await browser.keys([Key.Ctrl, Key.End]);
      await browser.keys("!");
      await waitForText(browser, "coffee and coffee and coffee!");
      await waitForState(browser, "save-status", "saved");

      // The list shows the title, the start of the text, and the tags, all at once.
      await (await browser.$("#add-tag")).addValue(keysFor("sea\n"));
      await (await browser.$("#draft-tags li[data-tag='sea']")).waitForExist({ timeout: 10_000 });
      const row = () =>
        browser.execute(() => {
          const li = document.querySelector("#drafts li[aria-current='true']");
          const text = (sel: string) => li?.querySelector(sel)?.textContent ?? "";
          return { name: text(".name"), line: text(".line"), tags: text(".tags") };
        });
      await browser.waitUntil(async () => (await row()).tags === "#sea", { timeout: 10_000 });
      expect(await row()).toEqual({ name: "Harbour notes", line: "coffee and coffee and coffee!", tags: "#sea" });

      // Restoring the newest version changes nothing: the title and tags stay.
      await (await browser.$("#toggle-history")).click();
      const newest = await browser.$("#versions li");
      await newest.waitForExist({ timeout: 10_000 });
      await newest.click();
      await (await browser.$("#version-body")).waitForDisplayed({ timeout: 5_000 });
      await (await browser.$("#restore-version")).click();
      await waitForState(browser, "save-status", "saved");
      await browser.pause(500);
      expect(await (await browser.$("#title")).getValue()).toBe("Harbour notes");
      expect(await editorText(browser)).toBe("coffee and coffee and coffee!");
      expect(await (await browser.$("#draft-tags li[data-tag='sea']")).isExisting()).toBe(true);
    });
  });
});
