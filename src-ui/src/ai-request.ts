// One request to an AI provider as the window sees it: started by a command that answers
// its id, its updates arriving as `ai` events (possibly before that answer: those are
// kept and replayed), ended by its last update or cancelled at once.

import type { AiEvent, AiUpdate, Listen } from "./ipc";

export class AiRequest {
  private id: string | null = null;
  private starting = false;
  private early: AiEvent[] = [];

  constructor(
    /** Cancels a request by its id (the `cancel_ai` command). */
    private readonly cancelById: (id: string) => Promise<unknown>,
    /** Told each update of the running request, in order. */
    private readonly onUpdate: (u: AiUpdate) => void,
  ) {}

  /** Whether a request is starting or streaming. */
  get running(): boolean {
    return this.starting || this.id !== null;
  }

  /**
   * Hear the shell's `ai` events; answers what ends it (no more events, and the running
   * request cancelled), for when the screen showing it goes.
   */
  attach(listen: Listen): () => void {
    const unlisten = listen("ai", (e) => this.receive(e));
    return () => {
      void unlisten.then((f) => typeof f === "function" && f());
      void this.cancel().catch(() => {});
    };
  }

  /** Start a request with `begin` (the command); a refusal is thrown. */
  async start(begin: () => Promise<string>): Promise<void> {
    this.starting = true;
    this.early = [];
    try {
      this.id = await begin();
    } finally {
      this.starting = false;
    }
    for (const e of this.early.splice(0)) this.receive(e);
  }

  /** An `ai` event: kept while the request starts, passed on when it is this request's. */
  receive(e: AiEvent): void {
    if (this.starting) {
      this.early.push(e);
      return;
    }
    if (e.request !== this.id) return;
    const last = e.update.type === "reviewDone" || e.update.type === "writeDone" || e.update.type === "failed";
    if (last) this.id = null;
    this.onUpdate(e.update);
  }

  /** Stop the request at once (its connection closes); nothing more comes of it. */
  async cancel(): Promise<void> {
    const id = this.id;
    this.id = null;
    if (id) await this.cancelById(id);
  }
}
