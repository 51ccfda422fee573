// Sync through the real window: sign in from the account dialog (creating the account),
// type, and see the text arrive on a second device (the `pint` CLI on its own data
// directory, signed in to the same blog). The second device's edit arrives in the open
// editor without moving the cursor. Then the server dies: the window keeps saving and
// says it is offline; both devices edit; the server comes back on the same address and
// the window reconnects by itself; both end with the same text holding every edit.

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  editorText,
  pint,
  pintRunning,
  startServer,
  tempDir,
  waitForState,
  withApp,
  type Browser,
} from "./harness";

const EMAIL = "ada@example.com";
const PASSWORD = "correct horse battery";

async function currentDraftId(browser: Browser): Promise<string> {
  return browser.execute(
    () => (document.querySelector('#drafts li[aria-current="true"]') as HTMLElement | null)?.dataset.id ?? "",
  );
}

async function currentDraftSync(browser: Browser): Promise<string> {
  return browser.execute(
    () =>
      (document.querySelector('#drafts li[aria-current="true"] .sync') as HTMLElement | null)?.dataset.sync ?? "",
  );
}

async function until(browser: Browser, what: string, ok: () => Promise<boolean>, timeout = 30_000): Promise<void> {
  await browser.waitUntil(ok, { timeout, interval: 100, timeoutMsg: `timed out waiting for ${what}` }).catch(async (e) => {
    await browser.saveScreenshot(path.join(process.env.PINT_E2E_SHOTS ?? "/tmp", "pint-e2e-failed.png")).catch(() => {});
    throw e;
  });
}

describe("sync in the window", () => {
  it("sends what is typed, shows a teammate's edit live, and merges offline edits after the server returns", async () => {
    const serverDir = tempDir();
    let server = await startServer(serverDir);
    const listen = server.url.replace("http://", "");
    const laptop = tempDir();
    try {
      // The system's browser, as the app opens it ($BROWSER): it notes the address it gets.
      const opened = path.join(tempDir(), "opened.txt");
      const fakeBrowser = path.join(tempDir(), "browser.sh");
      fs.writeFileSync(fakeBrowser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`, { mode: 0o755 });
      const app = { PINT_DATA_DIR: tempDir(), PINT_SERVER_URL: server.url, BROWSER: fakeBrowser };
      await withApp(app, async (browser) => {
        await waitForState(browser, "sync-status", "signedOut");

        // Sign in from the dialog, creating the account and its blog.
        await (await browser.$("#sync-status")).click();
        expect(await (await browser.$("#sign-in-server")).getValue()).toBe(server.url);
        await (await browser.$("#sign-in-email")).setValue(EMAIL);
        await (await browser.$("#sign-in-password")).setValue(PASSWORD);
        await (await browser.$("#sign-in-blog")).setValue("ada-writes");
        // A short password is refused with the rule; the button says what it will do.
        await (await browser.$("#sign-in-create")).click();
        expect(await (await browser.$("#sign-in-submit")).getText()).toBe("Create account");
        expect(await (await browser.$("#sign-in-hint")).isDisplayed()).toBe(true);
        await (await browser.$("#sign-in-password")).setValue("short");
        await (await browser.$("#sign-in-submit")).click();
        const refused = await browser.$("#sign-in-error");
        await refused.waitForDisplayed({ timeout: 10_000 });
        expect(await refused.getText()).toContain("password: use at least 10 characters");
        await (await browser.$("#sign-in-password")).setValue(PASSWORD);
        await (await browser.$("#sign-in-submit")).click();
        await waitForState(browser, "sync-status", "synced", 30_000);
        // The verification mail is mentioned, by address.
        const note = await browser.$("#notice-text");
        await note.waitForDisplayed({ timeout: 10_000 });
        expect(await note.getText()).toContain(EMAIL);
        await (await browser.$("#dismiss-notice")).click();

        // Typed in the window: on the server by itself.
        const editor = await browser.$(".cm-content");
        await editor.click();
        await editor.addValue("Hello from the window");
        await waitForState(browser, "save-status", "saved");
        const id = await currentDraftId(browser);
        expect(id).not.toBe("");

        // A second device signs in to the same blog and gets it.
        await pint(laptop, ["sign-in", "--server", server.url, "--email", EMAIL, "--blog", "ada-writes"], `${PASSWORD}\n`);
        await until(browser, "the text on the second device", async () => {
          await pint(laptop, ["sync"]);
          return (await pint(laptop, ["show", id]).catch(() => "")) === "Hello from the window";
        });
        await until(browser, "the draft shown as on the server", async () => (await currentDraftSync(browser)) === "synced");

        // The laptop's edit arrives in the open editor; the cursor stays where it was
        // (at the start), so what is typed next lands there.
        await browser.keys(["Control", "Home"]);
        await browser.keys(["Control"]);
        await pint(laptop, ["append", id, " and from the laptop"]);
        await pint(laptop, ["sync"]);
        await until(browser, "the laptop's edit in the editor", async () =>
          (await editorText(browser)).includes("and from the laptop"),
        );
        await editor.addValue("> ");
        expect(await editorText(browser)).toBe("> Hello from the window and from the laptop");
        await waitForState(browser, "sync-status", "synced", 30_000);

        // The server dies: the window says so and keeps saving.
        await server.stop();
        await waitForState(browser, "sync-status", "offline", 60_000);
        await browser.keys(["Control", "End"]);
        await browser.keys(["Control"]);
        await editor.addValue(" [window, offline]");
        await waitForState(browser, "save-status", "saved");
        await until(browser, "the draft marked as not on the server", async () =>
          (await currentDraftSync(browser)) === "pending",
        );
        await pint(laptop, ["append", id, " [laptop, offline]"]);

        // Back on the same address: the laptop syncs, the window reconnects by itself.
        server = await startServer(serverDir, listen);
        await pint(laptop, ["sync"]);
        await until(
          browser,
          "both offline edits in the editor",
          async () => (await editorText(browser)).includes("[laptop, offline]"),
          60_000,
        );
        await waitForState(browser, "sync-status", "synced", 60_000);
        await until(browser, "the draft on the server", async () => (await currentDraftSync(browser)) === "synced");
        await pint(laptop, ["sync"]);
        const text = await editorText(browser);
        expect(text).toContain("[window, offline]");
        expect(text.startsWith("> Hello from the window and from the laptop")).toBe(true);
        expect(await pint(laptop, ["show", id])).toBe(text);

        // A collaborator in the same draft: their cursor shows in the editor under their
        // name, and what is typed here reaches them live.
        const collaborator = pintRunning(laptop, ["live", "--seconds", "60", "--cursor", `${id}:2`]);
        try {
          await until(browser, "the collaborator's cursor", async () =>
            browser.execute(() =>
              Array.from(document.querySelectorAll(".cm-content .cm-peer-name")).some(
                (n) => n.textContent === "ada",
              ),
            ),
          );
          await editor.addValue(" Seen live.");
          await until(browser, "the edit at the collaborator", async () =>
            collaborator.output().includes(`changed\t${id}`),
          );
        } finally {
          await collaborator.stop();
        }
        await waitForState(browser, "save-status", "saved");
        const shown = await editorText(browser);
        expect(shown).toContain("Seen live.");
        await until(browser, "the same text on both", async () => {
          await pint(laptop, ["sync"]);
          return (await pint(laptop, ["show", id])) === shown;
        });

        // Published from the window: readers get what the editor shows; editing after
        // that is shown as "changed since published".
        // The dialog's details go into the draft: a link the blog could not publish is
        // refused with the field named and nothing is published.
        await (await browser.$("#toggle-publish")).click();
        const publishState = await browser.$("#publish-state");
        await until(browser, "the publish state", async () => (await publishState.getText()) === "Not published");
        await (await browser.$("#publish-excerpt")).setValue("Written on a plane, synced on landing.");
        await (await browser.$("#publish-tags")).setValue("travel, rail");
        await (await browser.$("#publish-image")).setValue("http://plain.example.com/train.png");
        await (await browser.$("#publish-seo summary")).click();
        await (await browser.$("#publish-meta-title")).setValue("Landing: what synced");
        await (await browser.$("#publish-submit")).click();
        const problem = await browser.$("#publish-error");
        await until(browser, "the refused image", async () => (await problem.getText()).includes("featured image"));
        expect(await publishState.getText()).toBe("Not published");
        await (await browser.$("#publish-image")).setValue("https://images.example.com/train.webp");
        await (await browser.$("#publish-submit")).click();
        await until(browser, "published", async () => (await publishState.getText()) === "Published");
        const url = await (await browser.$("#publish-url")).getText();
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/b\/ada-writes\//);
        const blogPage = await (await fetch(url)).text();
        expect(blogPage).toContain("Seen live.");
        expect(blogPage).toContain("[window, offline]");
        expect(blogPage).toContain("<title>Landing: what synced</title>");
        expect(blogPage).toContain('<meta name="description" content="Written on a plane, synced on landing.">');
        expect(blogPage).toContain('<img class="featured" src="https://images.example.com/train.webp"');
        expect(blogPage).toContain("/b/ada-writes/tag/rail");
        // The drafts list says it is on the blog.
        const badge = async () =>
          browser.execute(
            () => document.querySelector('#drafts li[aria-current="true"] .published')?.textContent ?? "",
          );
        await until(browser, "the published badge", async () => (await badge()) === "published");
        // The editor's tag list shows the tags the dialog set.
        expect(await (await browser.$("#draft-tags")).getText()).toContain("rail");
        // "View on blog" opens the post in the system's browser.
        await (await browser.$("#view-on-blog")).click();
        await until(browser, "the browser opened", async () => fs.existsSync(opened));
        expect(fs.readFileSync(opened, "utf8").trim()).toBe(url);
        await (await browser.$("#publish [data-close]")).click();
        await editor.addValue(" After publishing.");
        await until(
          browser,
          "changed since published",
          async () => (await (await browser.$("#publish-status")).getText()) === "Published · changed since",
        );
        expect(await (await fetch(url)).text()).not.toContain("After publishing.");
        await until(browser, "the changed badge", async () => (await badge()) === "published · changed");
        await waitForState(browser, "save-status", "saved");

        // Scheduling the new version: the time is typed (12-hour or 24-hour alike) and
        // shown back in the clock the status uses; the schedule can be cancelled.
        await (await browser.$("#toggle-publish")).click();
        await until(browser, "the dialog's state", async () => (await publishState.getText()).startsWith("Published"));
        await (await browser.$("#publish-date")).setValue("tomorrow");
        await (await browser.$("#publish-time")).setValue("9:30 pm");
        await (await browser.$("#publish-submit")).click();
        await until(browser, "scheduled", async () => (await publishState.getText()).includes("scheduled for"));
        const timeShown = await (await browser.$("#publish-time")).getValue();
        expect(timeShown).toMatch(/^(9:30\s?PM|21:30)$/);
        expect(await publishState.getText()).toContain(timeShown);
        expect(await (await browser.$("#publish-submit")).getText()).toBe("Change schedule");
        await (await browser.$("#cancel-schedule")).click();
        await until(browser, "the schedule cancelled", async () => (await publishState.getText()) === "Published · changed since");
        expect(await (await browser.$("#cancel-schedule")).isDisplayed()).toBe(false);
        expect(await (await fetch(url)).status).toBe(200);
        await (await browser.$("#publish [data-close]")).click();

        // Offline, what is known of the blog stays shown: a post does not leave the blog
        // because this device lost its network.
        await server.stop();
        await waitForState(browser, "sync-status", "offline", 60_000);
        await editor.addValue(" Offline again.");
        await waitForState(browser, "save-status", "saved");
        // (The bar and the list ask the server again 3 s after a save; that fails now.)
        await browser.pause(4500);
        expect(await badge()).toBe("published · changed");
        expect(await (await browser.$("#publish-status")).getText()).toBe("Published · changed since");
        server = await startServer(serverDir, listen);
        await waitForState(browser, "sync-status", "synced", 60_000);
        await until(browser, "the bar's publish status after reconnecting", async () =>
          (await (await browser.$("#publish-status")).getText()).startsWith("Published"),
        );
        await waitForState(browser, "save-status", "saved");
        const shownNow = await editorText(browser);

        // Signing out from the dialog: back to "not signed in"; the drafts stay.
        await (await browser.$("#sync-status")).click();
        await (await browser.$("#sign-out")).click();
        await waitForState(browser, "sync-status", "signedOut");
        expect(await editorText(browser)).toBe(shownNow);
      });
    } finally {
      await server.stop();
    }
  });
});
