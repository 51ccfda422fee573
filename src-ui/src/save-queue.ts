// Batches editor splices into saves: one save in flight at a time, the next starting
// when it returns. The status it reports is truthful: "saved" only when everything
// typed so far has been committed by the engine.
//
// Each save carries the heads its splices were typed against (`base`), so that changes
// from elsewhere merged in meanwhile do not shift them. Changes from elsewhere are
// taken in by `pull`: saves pause, the engine says what changed since `base`, and those
// changes are mapped over what was typed meanwhile (and that over them), so the editor
// shows both without moving the creator's cursor.
//
// When a save fails, the engine keeps only what is on disk, and the splices of the
// failed batch are gone. The queue then resynchronises: it reads the engine's text,
// and replaces the part that differs from the editor's text with one splice, retrying
// until a save succeeds. Nothing the creator typed is dropped.

import { ChangeSet } from "@codemirror/state";

import type { Invoke, RemoteChanges, Splice } from "./ipc";
import { describeError } from "./ipc";
import { changesToSplices } from "./splices";

export type SaveState =
  | { state: "pending" }
  | { state: "saving" }
  | { state: "saved"; at: number }
  | { state: "error"; message: string };

export interface SaveQueueOptions {
  delayMs?: number;
  retryMs?: number;
}

export class SaveQueue {
  private pending: Splice[] = [];
  private inFlight: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private needsResync = false;
  /** While changes from elsewhere are taken in, nothing is sent. */
  private pulling: Promise<void> | null = null;
  private base: string[];
  private readonly delayMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly invoke: Invoke,
    private readonly draftId: string,
    base: string[],
    private readonly editorText: () => string,
    private readonly onState: (s: SaveState) => void,
    options: SaveQueueOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 250;
    this.retryMs = options.retryMs ?? 2000;
    this.base = base;
  }

  /** Queue splices; a save follows after a short quiet period. */
  push(splices: Splice[]): void {
    if (splices.length === 0) return;
    this.pending.push(...splices);
    this.onState({ state: "pending" });
    this.schedule(this.delayMs);
  }

  /** True when nothing typed is waiting to be committed. */
  get idle(): boolean {
    return this.pending.length === 0 && this.inFlight === null && !this.needsResync;
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  /** Save everything queued now; resolves when it is committed or has failed. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inFlight !== null || this.pulling !== null) {
      await (this.inFlight ?? this.pulling);
    }
    if (this.pending.length === 0 && !this.needsResync) return;
    this.onState({ state: "saving" });
    this.inFlight = this.saveOnce().finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
    if (this.pending.length > 0 && !this.needsResync) await this.flush();
  }

  /**
   * Take in what changed in the draft elsewhere since this queue's base. `apply` is
   * called synchronously with the changes to make to the editor's text: the remote
   * changes mapped over what was typed and not yet saved. Those unsaved splices are
   * rebased onto the remote changes, and the base moves to the draft's heads.
   */
  async pull(apply: (changes: ChangeSet, remote: RemoteChanges) => void): Promise<void> {
    while (this.inFlight !== null || this.pulling !== null) {
      await (this.inFlight ?? this.pulling);
    }
    // After a failed save, the next save reconciles with the engine's text: wait for it.
    if (this.needsResync) return;
    let done!: () => void;
    this.pulling = new Promise((r) => (done = r));
    try {
      const remote = await this.invoke("changes_since", { id: this.draftId, base: this.base });
      // Synchronously from here: no keystroke can come between reading and applying.
      const text = this.editorText();
      const local = composeSplices(this.pending, text.length - netLength(this.pending));
      const theirs = composeSplices(remote.splices, local.length);
      apply(theirs.map(local), remote);
      this.pending = changesToSplices(local.map(theirs, true));
      this.base = remote.heads;
    } finally {
      this.pulling = null;
      done();
    }
    if (this.pending.length > 0) this.schedule(this.delayMs);
  }

  private async saveOnce(): Promise<void> {
    try {
      let batch: Splice[];
      if (this.needsResync) {
        const view = await this.invoke("open_draft", { id: this.draftId });
        this.pending = [];
        this.base = view.heads;
        batch = [diffSplice(view.body, this.editorText())];
      } else {
        batch = this.pending;
        this.pending = [];
      }
      const report = await this.invoke("save_edits", {
        id: this.draftId,
        splices: batch,
        base: this.base,
      });
      this.base = report.base;
      this.needsResync = false;
      if (this.pending.length === 0) this.onState({ state: "saved", at: report.savedAt });
    } catch (e: unknown) {
      this.needsResync = true;
      this.onState({ state: "error", message: describeError(e) });
      this.schedule(this.retryMs);
    }
  }
}

/** Splices applied one after another, as one ChangeSet on a text of `length`. */
export function composeSplices(splices: readonly Splice[], length: number): ChangeSet {
  let set = ChangeSet.empty(length);
  for (const s of splices) {
    const step = ChangeSet.of({ from: s.pos, to: s.pos + s.delete, insert: s.insert }, set.newLength);
    set = set.compose(step);
  }
  return set;
}

function netLength(splices: readonly Splice[]): number {
  return splices.reduce((n, s) => n + s.insert.length - s.delete, 0);
}

/**
 * One splice turning `from` into `to`: the span between their common prefix and suffix.
 * Never splits a surrogate pair.
 */
export function diffSplice(from: string, to: string): Splice {
  const max = Math.min(from.length, to.length);
  let prefix = 0;
  while (prefix < max && from.charCodeAt(prefix) === to.charCodeAt(prefix)) prefix++;
  if (prefix > 0 && isHighSurrogate(from.charCodeAt(prefix - 1))) prefix--;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    from.charCodeAt(from.length - 1 - suffix) === to.charCodeAt(to.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (suffix > 0 && isLowSurrogate(from.charCodeAt(from.length - suffix))) suffix--;
  return {
    pos: prefix,
    delete: from.length - prefix - suffix,
    insert: to.slice(prefix, to.length - suffix),
  };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
