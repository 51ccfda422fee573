// The creator's own AI key, in the real window: added in Settings for an
// OpenAI-compatible server (here a local fake that answers `GET /v1/models` and streams
// chat completions as OpenAI does), tested with one small request, kept in the OS
// keychain only (nothing of it in the data folder), and a wrong key refused in words.
// Then "Review with AI": the suggestions stream into the pane, and one is applied.
// Pint AI: a blog whose server offers AI of its own reviews with no key on the device,
// the server calling the provider with the operator's key.

import { createServer, type Server } from "node:http";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { type Browser, createAccount, editorText, startServer, tempDir, typeText, waitForState, withApp } from "./harness";

const shots = process.env.PINT_E2E_SHOTS;
async function shot(browser: Browser, name: string): Promise<void> {
  if (shots) await browser.saveScreenshot(path.join(shots, `${name}.png`));
}

let fake: Server | null = null;
afterAll(() => fake?.close());

const REVIEWED = "We was going to the market. In order to see the boats, we walked.";

/** The model's answer: two suggestions in the text, one quoting what is not there. */
const ANSWER = JSON.stringify({
  suggestions: [
    { type: "grammar", severity: "major", original: "We was going", suggestion: "We were going", explanation: "“We” takes “were”." },
    { type: "style", severity: "minor", original: "In order to see", suggestion: "To see", explanation: "Shorter, same meaning." },
    { type: "tone", severity: "minor", original: "It rained all day.", suggestion: "It poured.", explanation: "Livelier." },
  ],
});

/** A draft the model writes when asked for prose. */
const PROSE = "# Dawn at the harbour\n\nWe were there early, when the fishing boats came in.\n";

/** The model's rewrite of a passage. */
const REWRITTEN = "We went to the market to see the boats.";

/** What the fake was sent for reviews: the authorization and the user's message. */
const reviewsAsked: { auth: string; text: string }[] = [];

/** OpenAI's streamed chat completion: the answer in small chunks, usage, then [DONE]. */
function streamAnswer(res: import("node:http").ServerResponse, answer: string): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const pieces = answer.match(/[\s\S]{1,12}/g) ?? [];
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: "chatcmpl-e2e", object: "chat.completion.chunk", created: 1, model: "local-llama", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  let i = 0;
  const next = () => {
    if (i < pieces.length) {
      res.write(chunk({ content: pieces[i++] }));
      setTimeout(next, 15);
      return;
    }
    res.write(chunk({}, "stop"));
    res.write(`data: ${JSON.stringify({ id: "chatcmpl-e2e", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 321, completion_tokens: 123, total_tokens: 444 } })}\n\n`);
    res.end("data: [DONE]\n\n");
  };
  next();
}

/** A fake OpenAI-compatible server: the models list and streamed reviews for the right key, OpenAI's 401 body otherwise. */
async function fakeProvider(): Promise<string> {
  fake = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/v1/chat/completions" && req.headers.authorization === "Bearer sk-e2e-right") {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const asked = JSON.parse(body) as { stream: boolean; response_format?: object; messages: { content: string }[] };
        reviewsAsked.push({ auth: req.headers.authorization ?? "", text: asked.messages[1]?.content ?? "" });
        // A review asks for JSON by its schema; a rewrite for the passage; a draft for prose.
        const rewrite = (asked.messages[0]?.content ?? "").startsWith("You rewrite");
        streamAnswer(res, asked.response_format ? ANSWER : rewrite ? REWRITTEN : PROSE);
      });
      return;
    }
    if (req.method === "GET" && req.url === "/v1/models" && req.headers.authorization === "Bearer sk-e2e-right") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "local-llama", object: "model", created: 1, owned_by: "me" }] }));
      return;
    }
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error", param: null, code: "invalid_api_key" } }));
  });
  await new Promise<void>((resolve) => fake!.listen(0, "127.0.0.1", resolve));
  const address = fake.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}/v1`;
}

function filesHolding(dir: string, secret: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) found.push(...filesHolding(file, secret));
    else if (readFileSync(file).includes(secret)) found.push(file);
  }
  return found;
}

/** What each provider's last test said, in order. */
async function testResults(browser: Browser): Promise<string[]> {
  return browser.execute(() => Array.from(document.querySelectorAll("#settings-ai .ai-tested")).map((p) => p.textContent ?? ""));
}

async function problem(browser: Browser): Promise<string> {
  return browser.execute(() => document.querySelector("#ai-error")?.textContent ?? "");
}

async function addKey(browser: Browser, base: string, key: string): Promise<void> {
  await (await browser.$("#ai-provider")).selectByAttribute("value", "compatible");
  await (await browser.$("#ai-base-url")).setValue(base);
  await (await browser.$("#ai-model")).setValue("local-llama");
  await (await browser.$("#ai-key")).setValue(key);
  await (await browser.$("#ai-add")).click();
}

/** In Settings, add the right key for the fake provider, see its test pass, and close Settings. */
async function addWorkingKey(browser: Browser, base: string): Promise<void> {
  await browser.keys([Key.Ctrl, ","]);
  await (await browser.$("#settings")).waitForDisplayed({ timeout: 5_000 });
  await (await browser.$("#settings-ai")).scrollIntoView();
  await addKey(browser, base, "sk-e2e-right");
  await browser.waitUntil(async () => (await testResults(browser))[0] === "the key works; 1 model available", { timeout: 15_000 });
  await browser.keys(Key.Escape);
}

describe("AI with your own key", () => {
  it("added in Settings, tested against the provider, kept only in the keychain; a wrong key refused", async () => {
    const base = await fakeProvider();
    const dir = tempDir();
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await browser.keys([Key.Ctrl, ","]);
      await (await browser.$("#settings")).waitForDisplayed({ timeout: 5_000 });
      await (await browser.$("#settings-ai")).scrollIntoView();

      await addKey(browser, base, "sk-e2e-right");
      await browser
        .waitUntil(async () => (await testResults(browser))[0] === "the key works; 1 model available", { timeout: 15_000 })
        .catch(async () => {
          throw new Error(`the key test never said the key works: ${await testResults(browser)} / ${await problem(browser)}`);
        });
      expect(await (await browser.$("#ai-key")).getValue(), "the key is not kept in the window").toBe("");
      await shot(browser, "34-ai-key-added");
      expect(filesHolding(dir, "sk-e2e-right")).toEqual([]);

      await addKey(browser, base, "sk-e2e-wrong");
      await browser
        .waitUntil(async () => /did not accept this key/.test((await testResults(browser))[1] ?? ""), { timeout: 15_000 })
        .catch(async () => {
          throw new Error(`the wrong key was not refused in words: ${await testResults(browser)} / ${await problem(browser)}`);
        });
    });
    // After a restart: still there (the key read back from the keychain and tested again).
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await browser.keys([Key.Ctrl, ","]);
      await (await browser.$("#settings")).waitForDisplayed({ timeout: 5_000 });
      // The plan's section below settles first (it asks the engine), so nothing moves
      // under the click.
      await (await browser.$("#settings-plan p")).waitForExist({ timeout: 5_000 });
      const first = await browser.$("#settings-ai li button");
      await first.waitForExist({ timeout: 5_000 });
      // Clicked from the page: WebKit's WebDriver misses a button in the scrolled
      // dialog once the sections below it have changed height.
      await browser.execute((button) => (button as unknown as HTMLButtonElement).click(), first);
      await browser
        .waitUntil(async () => (await testResults(browser))[0] === "the key works; 1 model available", { timeout: 15_000 })
        .catch(async () => {
          throw new Error(`after a restart the key did not work: ${await testResults(browser)} / ${await problem(browser)}`);
        });
    });
  });

  it("reviews the draft: suggestions stream into the pane, one is applied as an edit and kept", async () => {
    const base = await fakeProvider();
    const dir = tempDir();
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await addWorkingKey(browser, base);

      await (await browser.$(".cm-content")).click();
      await typeText(browser, REVIEWED);
      await waitForState(browser, "save-status", "saved");
      await (await browser.$("#toggle-ai")).click();
      await (await browser.$("#review-start")).click();
      const cards = async () =>
        browser.execute(() => Array.from(document.querySelectorAll("#suggestions .suggestion-change")).map((c) => c.textContent ?? ""));
      await browser
        .waitUntil(async () => (await cards()).length === 2 && /Used 444 tokens/.test(await (await browser.$("#review-status")).getText()), {
          timeout: 15_000,
        })
        .catch(async () => {
          const error = await browser.execute(() => document.querySelector("#review-error")?.textContent ?? "");
          throw new Error(`the review did not stream in: ${JSON.stringify(await cards())} / ${error}`);
        });
      expect(await cards()).toEqual(["We was goingWe were going", "In order to seeTo see"]);
      expect(reviewsAsked.at(-1)?.text).toContain(REVIEWED);
      // Each highlight may be cut into several spans by other marks (syntax, checks).
      const marked = await browser.execute(() => {
        const by = new Map<string, string>();
        for (const m of Array.from(document.querySelectorAll(".cm-ai-suggestion"))) {
          const key = m.getAttribute("data-suggestion") ?? "";
          by.set(key, (by.get(key) ?? "") + (m.textContent ?? ""));
        }
        return [...by.values()];
      });
      expect(marked).toEqual(["We was going", "In order to see"]);
      expect(await (await browser.$(".review-dropped summary")).getText()).toBe("1 suggestion was left out");
      await shot(browser, "35-ai-review");

      await (await browser.$("#suggestions .suggestion .suggestion-actions button.primary")).click();
      await browser.waitUntil(async () => (await editorText(browser)).startsWith("We were going to the market."), {
        timeout: 5_000,
        timeoutMsg: "the suggestion was not applied",
      });
      await waitForState(browser, "save-status", "saved");
      expect(await cards()).toEqual(["In order to seeTo see"]);
    });
    // Applied as an ordinary edit: it was saved like typing.
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await browser.waitUntil(async () => (await editorText(browser)).startsWith("We were going to the market. In order to see"), {
        timeout: 10_000,
        timeoutMsg: "the applied suggestion was not kept",
      });

      // Draft with AI: streamed into a new draft, its heading made the title.
      await (await browser.$("#toggle-ai")).click();
      await (await browser.$("#ai-tab-draft")).click();
      await (await browser.$("#ai-draft-topic")).setValue("Dawn at the harbour");
      await (await browser.$("#ai-draft-start")).click();
      await browser
        .waitUntil(async () => (await (await browser.$("#title")).getValue()) === "Dawn at the harbour", { timeout: 15_000 })
        .catch(async () => {
          const status = await browser.execute(() => `${document.querySelector("#ai-draft-status")?.textContent} ${document.querySelector("#ai-draft-error")?.textContent ?? ""}`);
          throw new Error(`the AI draft did not arrive: ${status} / ${await editorText(browser)}`);
        });
      expect(await editorText(browser)).toBe("We were there early, when the fishing boats came in.\n");
      await waitForState(browser, "save-status", "saved");
      await shot(browser, "36-ai-draft");
      const titles = async () => browser.execute(() => Array.from(document.querySelectorAll(".sidebar .name")).map((t) => t.textContent ?? ""));
      await browser.waitUntil(async () => (await titles()).includes("Dawn at the harbour"), {
        timeout: 5_000,
        timeoutMsg: "the new draft is not in the list under its title",
      });
    });
  });

  it("rewrites a selection shorter: streamed beside the original, accepted as an edit and kept", async () => {
    const base = await fakeProvider();
    const dir = tempDir();
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await addWorkingKey(browser, base);

      await (await browser.$(".cm-content")).click();
      await typeText(browser, REVIEWED);
      await waitForState(browser, "save-status", "saved");
      // The whole passage selected, then rewritten shorter.
      await browser.keys([Key.Ctrl, "a"]);
      await (await browser.$("#toggle-ai")).click();
      await (await browser.$("#ai-tab-rewrite")).click();
      await (await browser.$("#rewrite-shorter")).click();
      await browser
        .waitUntil(async () => (await (await browser.$("#rewrite-text")).getText()) === REWRITTEN, { timeout: 15_000 })
        .catch(async () => {
          const error = await browser.execute(() => document.querySelector("#rewrite-error")?.textContent ?? "");
          throw new Error(`the rewrite did not stream in: ${error}`);
        });
      // Nothing changes until it is accepted.
      expect(await editorText(browser)).toBe(REVIEWED);
      await shot(browser, "37-ai-rewrite");
      await (await browser.$("#rewrite-accept")).click();
      await browser.waitUntil(async () => (await editorText(browser)) === REWRITTEN, {
        timeout: 5_000,
        timeoutMsg: "the rewrite was not applied",
      });
      await waitForState(browser, "save-status", "saved");
    });
    // Accepted as an ordinary edit: it was saved like typing.
    await withApp({ PINT_DATA_DIR: dir }, async (browser) => {
      await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
      await browser.waitUntil(async () => (await editorText(browser)) === REWRITTEN, {
        timeout: 10_000,
        timeoutMsg: "the accepted rewrite was not kept",
      });
    });
  });

  it("Pint AI: a blog whose server offers AI reviews with no key of the creator's", async () => {
    const base = await fakeProvider();
    const server = await startServer(tempDir(), "127.0.0.1:0", { PINT_AI_KEY: "sk-e2e-right", PINT_AI_BASE_URL: base, PINT_AI_MODEL: "local-llama" });
    try {
      const dir = tempDir();
      await withApp({ PINT_DATA_DIR: dir, PINT_SERVER_URL: server.url }, async (browser) => {
        await (await browser.$(".cm-content")).waitForExist({ timeout: 20_000 });
        await waitForState(browser, "sync-status", "signedOut");
        await createAccount(browser, "pia@example.com", "pia-writes");
        await (await browser.$(".cm-content")).click();
        await typeText(browser, REVIEWED);
        await waitForState(browser, "save-status", "saved");
        await (await browser.$("#toggle-ai")).click();
        const pick = await browser.$("#ai-provider-pick");
        await browser.waitUntil(async () => (await pick.isExisting()) && (await browser.execute(() => (document.querySelector("#ai-provider-pick") as HTMLSelectElement | null)?.selectedOptions[0]?.textContent ?? "")) === "Pint AI", {
          timeout: 10_000,
          timeoutMsg: "Pint AI was not offered",
        });
        const asked = reviewsAsked.length;
        await (await browser.$("#review-start")).click();
        const cards = async () =>
          browser.execute(() => Array.from(document.querySelectorAll("#suggestions .suggestion-change")).map((c) => c.textContent ?? ""));
        await browser
          .waitUntil(async () => (await cards()).length === 2, { timeout: 15_000 })
          .catch(async () => {
            const error = await browser.execute(() => document.querySelector("#review-error")?.textContent ?? "");
            throw new Error(`the review did not stream in through the server: ${JSON.stringify(await cards())} / ${error}`);
          });
        await shot(browser, "38-pint-ai-review");
        // The provider was asked by the server, with the operator's key.
        expect(reviewsAsked.length).toBe(asked + 1);
        expect(reviewsAsked.at(-1)?.auth).toBe("Bearer sk-e2e-right");
        expect(reviewsAsked.at(-1)?.text).toContain(REVIEWED);
        await (await browser.$("#suggestions .suggestion .suggestion-actions button.primary")).click();
        await browser.waitUntil(async () => (await editorText(browser)).startsWith("We were going to the market."), {
          timeout: 5_000,
          timeoutMsg: "the suggestion was not applied",
        });
      });
      expect(filesHolding(dir, "sk-e2e-right"), "the operator's key never reaches the device").toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
