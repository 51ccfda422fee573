// Starts the real Pint app through tauri-driver and hands a WebDriver session to a test.
// Every process started here is ended here, by PID, even when the test fails.

import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { remote } from "webdriverio";

const repo = path.resolve(import.meta.dirname, "..", "..");

function built(name: string): string {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
  const bin = path.join(target, "debug", name);
  if (!existsSync(bin)) {
    throw new Error(`${bin} does not exist: run \`cargo build -p ${name}\` first`);
  }
  return bin;
}

export function appBinary(): string {
  return process.env.PINT_DESKTOP_BIN ?? built("pint-desktop");
}

/**
 * A real pint-server with its own data directory, on `listen` (any free port by default;
 * the address of an earlier run to restart it where clients expect it), with `env` added
 * (billing on, say); `stop()` ends it.
 */
export async function startServer(
  dataDir: string,
  listen = "127.0.0.1:0",
  env: Record<string, string> = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(built("pint-server"), [], {
    env: { ...process.env, PINT_DATA_DIR: dataDir, PINT_LISTEN: listen, PINT_DATABASE_URL: "", ...env },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`pint-server did not start: ${out}`)), 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /pint-server listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`pint-server exited with ${code}: ${out}`)));
  });
  return { url, stop: () => stop(child) };
}

/**
 * The fake Stripe (`pint-fake-stripe`): Stripe's API for the server, and `/_fake/…`
 * controls for what a person or Stripe itself does (pay on Checkout, a renewal failing).
 */
export async function startFakeStripe(): Promise<{ url: string; control: (path: string, body?: unknown) => Promise<unknown>; stop: () => Promise<void> }> {
  const child = spawn(built("pint-fake-stripe"), [], { stdio: ["ignore", "pipe", "inherit"], detached: true });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`pint-fake-stripe did not start: ${out}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`pint-fake-stripe exited with ${code}: ${out}`)));
  });
  const control = async (p: string, body?: unknown) => {
    const get = /\/(latest|subscriptions)$/.test(p);
    const res = await fetch(new URL(p, url), body === undefined ? { method: get ? "GET" : "POST" } : { method: "POST", body: JSON.stringify(body) });
    const answer: unknown = await res.json();
    if (!res.ok) throw new Error(`fake Stripe ${p}: ${JSON.stringify(answer)}`);
    return answer;
  };
  return { url, control, stop: () => stop(child) };
}

/** Create an account and its blog from the window's sign-in dialog, and wait for the first sync. */
export async function createAccount(browser: Browser, email: string, blog: string): Promise<void> {
  await (await browser.$("#sync-status")).click();
  await (await browser.$("#sign-in-email")).setValue(email);
  await (await browser.$("#sign-in-password")).setValue("correct horse battery");
  await (await browser.$("#sign-in-blog")).setValue(blog);
  await (await browser.$("#sign-in-create")).click();
  await (await browser.$("#sign-in-submit")).click();
  await waitForState(browser, "sync-status", "synced", 30_000);
  const notice = await browser.$("#dismiss-notice");
  if (await notice.isExisting()) await notice.click();
}

/** Run the `pint` CLI on a data directory; answers what it printed, throws if it failed. */
export function pint(dataDir: string, args: string[], stdin = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(built("pint"), ["--data-dir", dataDir, ...args], {
      stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
    child.once("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`pint ${args.join(" ")} failed (${code}): ${err}`)),
    );
    if (stdin) {
      // A command that exits without reading its input is not an error here.
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(stdin);
    }
  });
}

/** Start the `pint` CLI and leave it running: what it printed so far, and a way to end it. */
export function pintRunning(dataDir: string, args: string[]): { output: () => string; stop: () => Promise<void> } {
  const child = spawn(built("pint"), ["--data-dir", dataDir, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  return { output: () => out, stop: () => stop(child) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not listen on ${port} within ${ms} ms`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    child.once("exit", () => resolve());
    try {
      // The driver runs in its own process group: end it and what it started.
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
    setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      resolve();
    }, 5000).unref();
  });
}

export type Browser = Awaited<ReturnType<typeof remote>>;

/** Open the app with `env` added to its environment, run `fn`, then close everything. */
export async function withApp<T>(env: Record<string, string>, fn: (browser: Browser) => Promise<T>): Promise<T> {
  const application = appBinary();
  const port = await freePort();
  const nativePort = await freePort();
  const driverBin = path.join(repo, "src-ui", "node_modules", ".bin", "tauri-driver");
  const driver = spawn(driverBin, ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  try {
    await waitForPort(port, driver, 20_000);
    // tauri-driver's own capability names, which webdriverio's types do not know.
    const capabilities = {
      browserName: "wry",
      "tauri:options": { application },
      "wdio:enforceWebDriverClassic": true,
    } as unknown as Parameters<typeof remote>[0]["capabilities"];
    const browser = await remote({ hostname: "127.0.0.1", port, logLevel: "warn", capabilities });
    try {
      return await fn(browser);
    } finally {
      await browser.deleteSession().catch(() => undefined);
    }
  } finally {
    await stop(driver);
  }
}

/** The editor's text as CodeMirror holds it. */
export async function editorText(browser: Browser): Promise<string> {
  return browser.execute(() => {
    // Widgets in the text (collaborators' cursors with their names, the empty draft's
    // hint) are not text.
    const lines = Array.from(document.querySelectorAll(".cm-content .cm-line")).map((l) => {
      const copy = l.cloneNode(true) as HTMLElement;
      for (const w of Array.from(copy.querySelectorAll(".cm-peer-caret, .cm-placeholder"))) w.remove();
      return copy.textContent ?? "";
    });
    return lines.join("\n");
  });
}

/** Wait until the status bar says the element `id` has data-state `state`. */
export async function waitForState(browser: Browser, id: string, state: string, timeout = 15_000): Promise<void> {
  const el = await browser.$(`#${id}`);
  await browser.waitUntil(async () => (await el.getAttribute("data-state")) === state, {
    timeout,
    timeoutMsg: `#${id} never reached state ${state}`,
  });
}

/** Text as WebDriver keystrokes: a newline is the Enter key (W3C WebDriver U+E007). */
export function keysFor(text: string): string {
  return text.replaceAll("\n", "\uE007");
}

/**
 * Type into whatever has focus. WebDriver's key actions drop a character that follows
 * itself in one sequence ("```" arrives as one backtick), so the text goes in runs with
 * no character twice in a row.
 */
export async function typeText(browser: Browser, text: string): Promise<void> {
  const keys = keysFor(text);
  let run = "";
  for (const ch of keys) {
    if (run.endsWith(ch)) {
      await browser.keys(run);
      run = "";
    }
    run += ch;
  }
  if (run) await browser.keys(run);
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory for one test, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pint-e2e-"));
  tempDirs.push(dir);
  return dir;
}
