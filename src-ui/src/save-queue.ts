// Batches editor splices into saves: one save in flight at a time, the next starting
// when it returns. The status it reports is truthful: "saved" only when everything
// typed so far has been committed by the engine.
//
// When a save fails, the engine keeps only what is on disk, and the splices of the
// failed batch are gone. The queue then resynchronises: it reads the engine's text,
// and replaces the part that differs from the editor's text with one splice, retrying
// until a save succeeds. Nothing the creator typed is dropped.

import type { DraftView, Invoke, SaveReport, Splice } from "./ipc";
import { describeError } from "./ipc";

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
  private readonly delayMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly invoke: Invoke,
    private readonly draftId: string,
    private readonly editorText: () => string,
    private readonly onState: (s: SaveState) => void,
    options: SaveQueueOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 250;
    this.retryMs = options.retryMs ?? 2000;
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
    while (this.inFlight !== null) await this.inFlight;
    if (this.pending.length === 0 && !this.needsResync) return;
    this.onState({ state: "saving" });
    this.inFlight = this.saveOnce().finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
    if (this.pending.length > 0 && !this.needsResync) await this.flush();
  }

  private async saveOnce(): Promise<void> {
    try {
      let batch: Splice[];
      if (this.needsResync) {
        const view = await this.invoke("open_draft", { id: this.draftId });
        this.pending = [];
        batch = [diffSplice(view.body, this.editorText())];
      } else {
        batch = this.pending;
        this.pending = [];
      }
      const report = await this.invoke("save_edits", {
        id: this.draftId,
        splices: batch,
      });
      this.needsResync = false;
      if (this.pending.length === 0) this.onState({ state: "saved", at: report.savedAt });
    } catch (e: unknown) {
      this.needsResync = true;
      this.onState({ state: "error", message: describeError(e) });
      this.schedule(this.retryMs);
    }
  }
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
