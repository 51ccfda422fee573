import { describe, expect, it } from "vitest";
import type { DraftView, Invoke, RemoteChanges, SaveReport, Splice } from "./ipc";
import { Text } from "@codemirror/state";
import { SaveQueue, diffSplice, type SaveState } from "./save-queue";
import { applySplices } from "./splices";

/** An engine stand-in with the real command names: holds text, can be told to fail. */
class FakeEngine {
  text = "";
  calls: Splice[][] = [];
  failNext = 0;
  /** Versions stand in for heads: each save or change from elsewhere makes one. */
  version = 0;
  /** Changes from elsewhere since a version, to hand over on `changes_since`. */
  remote: { since: number; splices: Splice[] } | null = null;

  /** A teammate's edit arrives: the text changes under the editor. */
  arrive(splices: Splice[]): void {
    this.remote = { since: this.version, splices };
    this.text = applySplices(this.text, splices);
    this.version++;
  }

  invoke: Invoke = async <T>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
    await new Promise((r) => setTimeout(r, 1));
    if (cmd === "open_draft") {
      const heads = [`v${this.version}`];
      const view: DraftView = { id: "d", title: "", body: this.text, tags: [], heads, wordGoal: null };
      return view as T;
    }
    if (cmd === "save_edits") {
      if (this.failNext > 0) {
        this.failNext--;
        throw { kind: "storeUnavailable", message: "disk full" };
      }
      const splices = (args?.splices ?? []) as Splice[];
      // This stand-in only takes saves made against its latest version.
      expect(args?.base).toEqual([`v${this.version}`]);
      this.calls.push(splices);
      this.text = applySplices(this.text, splices);
      this.version++;
      const heads = [`v${this.version}`];
      const report: SaveReport = { id: "d", heads, base: heads, savedAt: Date.now() };
      return report as T;
    }
    if (cmd === "changes_since") {
      const since = Number(((args?.base ?? []) as string[])[0]?.slice(1));
      const splices = this.remote && this.remote.since === since ? this.remote.splices : [];
      const changes: RemoteChanges = {
        id: "d",
        splices,
        heads: [`v${this.version}`],
        title: "",
        tags: [],
      };
      return changes as T;
    }
    throw new Error(`unexpected command ${cmd}`);
  };
}

function setup(engine: FakeEngine, delayMs = 5) {
  let editor = engine.text;
  const states: SaveState[] = [];
  const base = [`v${engine.version}`];
  const queue = new SaveQueue(engine.invoke, "d", base, () => editor, (s) => states.push(s), {
    delayMs,
    retryMs: 5,
  });
  const type = (pos: number, insert: string, del = 0) => {
    editor = applySplices(editor, [{ pos, delete: del, insert }]);
    queue.push([{ pos, delete: del, insert }]);
  };
  const pull = () =>
    queue.pull((changes) => {
      editor = changes.apply(Text.of(editor.split("\n"))).toString();
    });
  return { queue, states, type, pull, text: () => editor };
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

describe("SaveQueue.pull", () => {
  it("shows changes from elsewhere and keeps what was typed but not yet saved", async () => {
    const engine = new FakeEngine();
    engine.text = "hello world";
    const { queue, type, pull, text } = setup(engine, 60_000);
    type(0, "X"); // typed, waiting for its save
    type(12, "!");
    engine.arrive([{ pos: 6, delete: 0, insert: "brave " }]);
    await pull();
    expect(text()).toBe("Xhello brave world!");
    // The unsaved typing was rebased: saved now, the engine ends with the same text.
    await queue.flush();
    expect(engine.text).toBe(text());
  });

  it("maps a deletion from elsewhere around local typing at the same place", async () => {
    const engine = new FakeEngine();
    engine.text = "one two three";
    const { queue, type, pull, text } = setup(engine, 60_000);
    type(8, "and ");
    engine.arrive([{ pos: 3, delete: 4, insert: "" }, { pos: 0, delete: 0, insert: "😀" }]);
    await pull();
    expect(text()).toBe("😀one and three");
    await queue.flush();
    expect(engine.text).toBe(text());
  });

  it("waits for a save in flight, then pulls against the saved base", async () => {
    const engine = new FakeEngine();
    const { queue, type, pull, text } = setup(engine, 1);
    type(0, "abc");
    const saving = queue.flush();
    const pulling = pull();
    await Promise.all([saving, pulling]);
    // The pull asked for changes since the saved version (the stand-in checks bases).
    type(3, "d");
    await queue.flush();
    expect(text()).toBe("abcd");
    expect(engine.text).toBe("abcd");
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
