// The creator's own AI key, in the real window: added in Settings for an
// OpenAI-compatible server (here a local fake that answers `GET /v1/models` as OpenAI
// does), tested with one small request, kept in the OS keychain only (nothing of it in
// the data folder), and a wrong key refused in words.

import { createServer, type Server } from "node:http";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Key } from "webdriverio";
import { type Browser, tempDir, withApp } from "./harness";

const shots = process.env.PINT_E2E_SHOTS;
async function shot(browser: Browser, name: string): Promise<void> {
  if (shots) await browser.saveScreenshot(path.join(shots, `${name}.png`));
}

let fake: Server | null = null;
afterAll(() => fake?.close());

/** A fake OpenAI-compatible server: the models list for the right key, OpenAI's 401 body otherwise. */
async function fakeProvider(): Promise<string> {
  fake = createServer((req, res) => {
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
  await (await browser.$("#ai-key")).setValue(key);
  await (await browser.$("#ai-add")).click();
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
      const first = await browser.$("#settings-ai li button");
      await first.waitForExist({ timeout: 5_000 });
      await first.scrollIntoView();
      await first.click();
      await browser
        .waitUntil(async () => (await testResults(browser))[0] === "the key works; 1 model available", { timeout: 15_000 })
        .catch(async () => {
          throw new Error(`after a restart the key did not work: ${await testResults(browser)} / ${await problem(browser)}`);
        });
    });
  });
});
