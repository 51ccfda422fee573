// The app's start-up time and memory, measured on the real window under Xvfb, with no
// WebDriver in between (an automation session slows WebKit's start):
// - start to editable: from spawning the app to its log line saying the first draft is
//   on its way to the window (the editor shows it a few milliseconds later);
// - idle memory: after 5 s idle with the draft open, RSS and PSS summed over the app and
//   every process it started (WebKit's web and network processes).
// Uses the release build (PINT_DESKTOP_BIN overrides). Prints figures; asserts only that
// the app came up.

import { execFileSync, spawn } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { tempDir } from "./harness";

const repo = path.resolve(import.meta.dirname, "..", "..");
const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
const bin = process.env.PINT_DESKTOP_BIN ?? path.join(target, "release", "pint-desktop");
const READY = "start-up: the first draft is on its way to the window";

function children(parent: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const text = readFileSync(`/proc/${d}/stat`, "utf8");
      const close = text.lastIndexOf(")");
      const ppid = Number(text.slice(close + 2).split(" ")[1]);
      if (ppid === parent) out.push({ pid: Number(d), comm: text.slice(text.indexOf("(") + 1, close) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function family(root: number): { pid: number; comm: string }[] {
  const out = [{ pid: root, comm: "pint-desktop" }];
  for (let i = 0; i < out.length; i++) out.push(...children(out[i]?.pid ?? -1));
  return out;
}

function memoryKiB(pid: number): { rss: number; pss: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { rss: field("Rss"), pss: field("Pss") };
}

function dropCaches(): boolean {
  try {
    execFileSync("sync");
    writeFileSync("/proc/sys/vm/drop_caches", "3");
    return true;
  } catch {
    return false;
  }
}

/** Start the app, wait for its ready line; `idleMs` later, measure memory; then end it. */
async function run(dataDir: string, idleMs: number): Promise<{ ms: number; memory: string }> {
  const started = performance.now();
  const child = spawn(bin, [], {
    env: { ...process.env, PINT_DATA_DIR: dataDir, PINT_LOG: "info" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    const ms = await new Promise<number>((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => reject(new Error(`no ready line in 30 s:\n${log}`)), 30_000);
      child.stderr?.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes(READY)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      child.on("exit", (code) => reject(new Error(`the app exited (${code}):\n${log}`)));
    });
    await new Promise((r) => setTimeout(r, idleMs));
    const procs = family(child.pid ?? -1).map((p) => ({ ...p, ...memoryKiB(p.pid) }));
    const sum = (k: "rss" | "pss") => procs.reduce((a, p) => a + p[k], 0) / 1024;
    const memory =
      `PSS ${sum("pss").toFixed(0)} MiB, RSS ${sum("rss").toFixed(0)} MiB over ` +
      procs.map((p) => `${p.comm} (PSS ${(p.pss / 1024).toFixed(0)} MiB)`).join(", ");
    return { ms, memory };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    for (const p of family(child.pid ?? -1)) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

it("measures start-up and idle memory", async () => {
  const dir = tempDir();
  await run(dir, 500); // the first start creates the database and the first draft
  const cold = dropCaches() ? (await run(dir, 0)).ms : null;
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await run(dir, 0)).ms);
  warm.sort((a, b) => a - b);
  const idle = await run(dir, 5_000);
  expect(idle.ms).toBeGreaterThan(0);
  console.log(`\n## Pint desktop (${bin})`);
  console.log(
    `start to the first draft in the window: ${cold === null ? "(page cache could not be dropped) " : `cold (page cache dropped) ${cold.toFixed(0)} ms, `}` +
      `warm median ${(warm[2] ?? Number.NaN).toFixed(0)} ms, best ${(warm[0] ?? Number.NaN).toFixed(0)} ms (5 runs)`,
  );
  console.log(`idle memory after 5 s: ${idle.memory}`);
});
