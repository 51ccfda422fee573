import { describe, expect, it } from "vitest";
import type { DraftView, Invoke, SaveReport, Splice } from "./ipc";
import { SaveQueue, diffSplice, type SaveState } from "./save-queue";
import { applySplices } from "./splices";

/** An engine stand-in with the real command names: holds text, can be told to fail. */
class FakeEngine {
  text = "";
  calls: Splice[][] = [];
  failNext = 0;
  invoke: Invoke = async <T>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
    await new Promise((r) => setTimeout(r, 1));
    if (cmd === "open_draft") {
      const view: DraftView = { id: "d", title: "", body: this.text, tags: [], heads: [] };
      return view as T;
    }
    if (cmd === "save_edits") {
      if (this.failNext > 0) {
        this.failNext--;
        throw { kind: "storeUnavailable", message: "disk full" };
      }
      const splices = (args?.splices ?? []) as Splice[];
      this.calls.push(splices);
      this.text = applySplices(this.text, splices);
      const report: SaveReport = { id: "d", heads: [], savedAt: Date.now() };
      return report as T;
    }
    throw new Error(`unexpected command ${cmd}`);
  };
}

function setup(engine: FakeEngine) {
  let editor = "";
  const states: SaveState[] = [];
  const queue = new SaveQueue(engine.invoke, "d", () => editor, (s) => states.push(s), {
    delayMs: 5,
    retryMs: 5,
  });
  const type = (pos: number, insert: string, del = 0) => {
    editor = applySplices(editor, [{ pos, delete: del, insert }]);
    queue.push([{ pos, delete: del, insert }]);
  };
  return { queue, states, type, text: () => editor };
}

describe("SaveQueue", () => {
  it("batches quick keystrokes into one save and then reports saved", async () => {
    const engine = new FakeEngine();
    const { queue, states, type } = setup(engine);
    for (const [i, ch] of [..."hello"].entries()) type(i, ch);
    await queue.flush();
    expect(engine.text).toBe("hello");
    expect(engine.calls.length).toBe(1);
    expect(states.at(-1)?.state).toBe("saved");
    expect(queue.idle).toBe(true);
  });

  it("keeps typing made during a save and saves it next", async () => {
    const engine = new FakeEngine();
    const { queue, type } = setup(engine);
    type(0, "ab");
    const first = queue.flush();
    type(2, "cd");
    await first;
    await queue.flush();
    expect(engine.text).toBe("abcd");
  });

  it("after a failed save, resynchronises and loses nothing typed", async () => {
    const engine = new FakeEngine();
    const { queue, states, type, text } = setup(engine);
    type(0, "first ");
    await queue.flush();
    engine.failNext = 2;
    type(6, "second 😀");
    await queue.flush();
    expect(states.at(-1)).toEqual({ state: "error", message: "disk full" });
    expect(queue.idle).toBe(false);
    type(0, "0 ");
    for (let i = 0; i < 50 && !queue.idle; i++) await new Promise((r) => setTimeout(r, 5));
    await queue.flush();
    expect(engine.text).toBe(text());
    expect(engine.text).toBe("0 first second 😀");
    expect(states.at(-1)?.state).toBe("saved");
  });
});

describe("diffSplice", () => {
  it("replaces only the differing middle", () => {
    expect(diffSplice("hello world", "hello brave world")).toEqual({ pos: 6, delete: 0, insert: "brave " });
  });

  it("never splits a surrogate pair", () => {
    const from = "x😀y";
    const to = "x😁y"; // same high surrogate, different low one
    const s = diffSplice(from, to);
    expect(s).toEqual({ pos: 1, delete: 2, insert: "😁" });
    expect(applySplices(from, [s])).toBe(to);
  });

  it("turns any string into any other", () => {
    const pieces = ["", "a", "😀", "😁", "漢", "\n"];
    for (const a of pieces) for (const b of pieces) for (const c of pieces) for (const d of pieces) {
      const from = a + b + c;
      const to = a + d + c;
      expect(applySplices(from, [diffSplice(from, to)])).toBe(to);
    }
  });
});
