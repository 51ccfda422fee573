// Photos in a draft, in the real window: a pasted image is handed to the engine, which
// prepares it (upright, sRGB, metadata gone, web variants) and keeps it on the device;
// the text gets `![alt](media:ID)` on a line of its own, the writer is asked for the alt
// text at once, the image shows under its line and in the preview (served from the
// device through the `pint-media` scheme), and it is still there after a restart. A
// file that is not an image is refused with the engine's reason and changes nothing.

import path from "node:path";
import { describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { type Browser, createAccount, editorText, startServer, tempDir, typeText, waitForState, withApp } from "./harness";

const shots = process.env.PINT_E2E_SHOTS;
async function shot(browser: Browser, name: string): Promise<void> {
  if (shots) await browser.saveScreenshot(path.join(shots, `${name}.png`));
}

const IMAGE = /!\[([^\]]*)\]\(media:([0-9a-f]{32})\)/;

/** Paste a file into the editor as the web view would: a PNG drawn on a canvas, or bytes that only claim to be one. */
async function paste(browser: Browser, what: "photo" | "not-an-image"): Promise<void> {
  await browser.execute(async (kind: string) => {
    let blob: Blob;
    if (kind === "photo") {
      const canvas = document.createElement("canvas");
      canvas.width = 1200;
      canvas.height = 800;
      const g = canvas.getContext("2d")!;
      const sky = g.createLinearGradient(0, 0, 0, 800);
      sky.addColorStop(0, "#f4c27a");
      sky.addColorStop(1, "#3a6f8f");
      g.fillStyle = sky;
      g.fillRect(0, 0, 1200, 800);
      g.fillStyle = "#1d2b36";
      g.fillRect(200, 520, 300, 90);
      g.fillRect(650, 540, 260, 80);
      blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), "image/png"));
    } else {
      blob = new Blob(["Dear diary, this is text."], { type: "image/png" });
    }
    const file = new File([blob], kind === "photo" ? "harbour.png" : "diary.png", { type: "image/png" });
    const event = new Event("paste", { bubbles: true, cancelable: true });
    Object.defineProperty(event, "clipboardData", { value: { files: [file], getData: () => "" } });
    document.querySelector(".cm-content")!.dispatchEvent(event);
  }, what);
}

async function imageLoaded(browser: Browser, selector: string): Promise<boolean> {
  return browser.execute((s: string) => {
    const img = document.querySelector(s) as HTMLImageElement | null;
    return !!img && img.complete && img.naturalWidth > 0;
  }, selector);
}

describe("photos in a draft", () => {
  it("paste, alt text, shown in the editor and the preview, kept across a restart; a non-image refused", async () => {
    const dir = tempDir();
    let id = "";
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      const editor = await browser.$(".cm-content");
      await editor.waitForExist({ timeout: 20_000 });
      await (await browser.$("#title")).setValue("The harbour at dawn");
      await editor.click();
      await typeText(browser, "We walked down before the boats went out.");
      await waitForState(browser, "save-status", "saved");

      await paste(browser, "photo");
      await browser.waitUntil(async () => IMAGE.test(await editorText(browser)), {
        timeout: 20_000,
        timeoutMsg: "the pasted image never reached the text",
      });
      id = IMAGE.exec(await editorText(browser))?.[2] ?? "";
      expect(await editorText(browser)).toBe(`We walked down before the boats went out.\n\n![](media:${id})`);

      // Asked for the alt text at once; Enter keeps it.
      const alt = await browser.$("#alt-text");
      await alt.waitForDisplayed({ timeout: 5_000 });
      expect(await browser.execute(() => document.activeElement?.id)).toBe("alt-text");
      await shot(browser, "19-alt-text-asked");
      await alt.setValue("Two fishing boats tied up at dawn");
      await browser.keys(Key.Enter);
      await browser.waitUntil(
        async () => (await editorText(browser)).endsWith(`![Two fishing boats tied up at dawn](media:${id})`),
        { timeout: 5_000 },
      );
      await (await browser.$("#alt-text")).waitForExist({ reverse: true, timeout: 5_000 });
      await waitForState(browser, "save-status", "saved");

      // Shown under its line, from the device.
      await browser.waitUntil(() => imageLoaded(browser, ".cm-image img"), {
        timeout: 10_000,
        timeoutMsg: "the image under its line did not load through pint-media",
      });
      await shot(browser, "20-image-in-editor");

      // The preview renders it as the blog will: responsive, every variant from the device.
      await (await browser.$("#toggle-preview")).click();
      await browser.waitUntil(() => imageLoaded(browser, "#preview img"), {
        timeout: 10_000,
        timeoutMsg: "the preview's image did not load",
      });
      const img = await browser.$("#preview img");
      expect(await img.getAttribute("alt")).toBe("Two fishing boats tied up at dawn");
      expect(await img.getAttribute("srcset")).toBe(
        [480, 960, 1200].map((w) => `pint-media://localhost/${id}/${w}.webp ${w}w`).join(", "),
      );
      // The intrinsic size, so the page does not jump while the image loads.
      const size = await browser.execute(() => {
        const i = document.querySelector("#preview img")!;
        return [i.getAttribute("width"), i.getAttribute("height")];
      });
      expect(size).toEqual(["1200", "800"]);
      await shot(browser, "21-image-in-preview");
      await (await browser.$("#toggle-preview")).click();

      // Not an image: the engine's reason, and the text as it was.
      const before = await editorText(browser);
      await paste(browser, "not-an-image");
      const problem = await browser.$("#problem");
      await problem.waitForDisplayed({ timeout: 10_000 });
      expect(await problem.getText()).toContain("not an image Pint can read");
      expect(await editorText(browser)).toBe(before);
    });

    // Kept on the device: after a restart the draft still shows its photo.
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      // The id shows only with the cursor on the image's line: the alt text and the image do.
      await browser.waitUntil(async () => (await editorText(browser)).includes("![Two fishing boats tied up at dawn](image)"), {
        timeout: 10_000,
      });
      await browser.waitUntil(() => imageLoaded(browser, ".cm-image img"), {
        timeout: 10_000,
        timeoutMsg: "the image did not load after a restart",
      });
      const src = await browser.execute(() => document.querySelector(".cm-image img")!.getAttribute("src"));
      expect(src).toBe(`pint-media://localhost/${id}/960.webp`);
      if (shots) {
        await browser.keys([Key.Ctrl, ","]);
        await (await browser.$("#settings")).waitForDisplayed({ timeout: 5_000 });
        await (await browser.$("#setting-theme")).selectByAttribute("value", "dark");
        await browser.keys(Key.Escape);
        await (await browser.$("#settings")).waitForDisplayed({ reverse: true, timeout: 5_000 });
        await shot(browser, "22-image-in-editor-dark");
      }
    });
  });

  it("a photo pasted offline reaches the blog: signed in, synced, published, served", async () => {
    // Billing on, as on the hosted Pint: the free plan's storage limit shows.
    const server = await startServer(tempDir(), "127.0.0.1:0", { PINT_STRIPE_SECRET_KEY: "sk_test_e2e", PINT_STRIPE_API_BASE: "http://127.0.0.1:9/" });
    try {
      await withApp({ PINT_DATA_DIR: tempDir(), PINT_SERVER_URL: server.url }, async (browser) => {
        const editor = await browser.$(".cm-content");
        await editor.waitForExist({ timeout: 20_000 });
        await waitForState(browser, "sync-status", "signedOut");
        await (await browser.$("#title")).setValue("Harbour at dawn");
        await editor.click();
        await typeText(browser, "Before the boats went out.");
        await paste(browser, "photo");
        const alt = await browser.$("#alt-text");
        await alt.waitForDisplayed({ timeout: 20_000 });
        await alt.setValue("Two fishing boats at dawn");
        await browser.keys(Key.Enter);
        await waitForState(browser, "save-status", "saved");
        const id = IMAGE.exec(await editorText(browser))?.[2] ?? "";
        expect(id).toMatch(/^[0-9a-f]{32}$/);

        // Signed in: the draft and its photo go to the blog with sync.
        await createAccount(browser, "ada@example.com", "ada-writes");

        // Published from the window: the post shows the photo, served by the blog.
        await (await browser.$("#toggle-publish")).click();
        const state = await browser.$("#publish-state");
        await browser.waitUntil(async () => (await state.getText()) === "Not published", { timeout: 15_000 });
        // The photo as the featured image: chosen from the draft's own, by a click.
        const choice = await browser.$(".featured-choice");
        await choice.click();
        expect(await (await browser.$("#publish-image")).getValue()).toBe(`media:${id}`);
        // Its words in the text describe it until the writer types others.
        expect(await (await browser.$("#publish-image-alt")).getValue()).toBe("Two fishing boats at dawn");
        await shot(browser, "23-featured-image-chosen");
        await (await browser.$("#publish-submit")).click();
        await browser.waitUntil(async () => (await state.getText()) === "Published", {
          timeout: 30_000,
          timeoutMsg: `not published: ${await (await browser.$("#publish-error")).getText().catch(() => "")}`,
        });
        const url = await (await browser.$("#publish-url")).getText();
        const page = await (await fetch(url)).text();
        const base = `/b/ada-writes/media/${id}`;
        expect(page).toContain(`srcset="${base}/480.webp 480w, ${base}/960.webp 960w, ${base}/1200.webp 1200w"`);
        expect(page).toContain('width="1200" height="800" alt="Two fishing boats at dawn"');
        // The featured image: responsive and sized like the text's, described, fetched first.
        expect(page).toContain(`<img class="featured" src="${base}/960.jpeg" srcset="${base}/480.webp 480w`);
        expect(page).toContain('height="800" alt="Two fishing boats at dawn" fetchpriority="high"');
        expect(page).toContain('<meta property="og:image:alt" content="Two fishing boats at dawn">');
        expect(page).toMatch(new RegExp(`<meta property="og:image" content="http://[^"]+${base}/1200\\.jpeg">`));
        const image = await fetch(new URL(`${base}/960.webp`, url));
        expect(image.status).toBe(200);
        expect(image.headers.get("content-type")).toBe("image/webp");
        expect(image.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        await browser.keys(Key.Escape);
        await (await browser.$("#publish")).waitForDisplayed({ reverse: true, timeout: 5_000 });

        // The media library: the photo, here and on the blog, in this draft; the blog's storage.
        await (await browser.$("#open-images")).click();
        const library = await browser.$("#media-library");
        await library.waitForDisplayed({ timeout: 5_000 });
        const item = await browser.$(`#media-images li[data-id="${id}"]`);
        await item.waitForExist({ timeout: 15_000 });
        await browser.waitUntil(async () => /of 500 MB used on the blog/.test(await (await browser.$("#media-storage")).getText()), {
          timeout: 10_000,
        });
        await shot(browser, "24-media-library");
        const textOf = (selector: string) => browser.execute((q: string) => document.querySelector(q)?.textContent ?? "", selector);
        const itemSelector = `#media-images li[data-id="${id}"]`;
        expect(await item.getText()).toContain("1200 × 800");
        expect(await textOf(itemSelector)).toContain("On this device and the blog");
        expect(await textOf(itemSelector)).toContain("In “Harbour at dawn”");
        await browser.waitUntil(() => imageLoaded(browser, `#media-images li[data-id="${id}"] img`), { timeout: 10_000 });

        // Removing the draft's photo is refused, naming the draft.
        await (await item.$("button.danger")).click();
        await (await item.$("button.danger")).click();
        const refusal = await browser.$("#media-error");
        await refusal.waitForDisplayed({ timeout: 10_000 });
        expect(await refusal.getText()).toContain("“Harbour at dawn” shows this image");

        // (Picking files is covered by MediaLibrary.test.ts: a file handed to the page's
        // file input leaves WebKit's WebDriver answering nothing more, so not here.)
        expect(await browser.$$("#media-images li[data-id]").length).toBe(1);
        await browser.keys(Key.Escape);
        await library.waitForDisplayed({ reverse: true, timeout: 5_000 });

        // The blog's plan in Settings: free, one post published, the photo's storage.
        await browser.keys([Key.Ctrl, ","]);
        const plan = await browser.$("#plan-name");
        await plan.waitForDisplayed({ timeout: 10_000 });
        expect(await plan.getText()).toBe("Free plan");
        await (await browser.$("#settings-plan")).scrollIntoView();
        const usage = await textOf("#settings-plan .plan-usage");
        expect(usage).toMatch(/Posts\s*1 of 50/);
        expect(usage).toMatch(/Images\s*[\d.]+ (KB|MB) of 500 MB/);
        await shot(browser, "37-plan");
      });
    } finally {
      await server.stop();
    }
  });
});
