// The history panel: points in the open draft's history, a read-only preview of any,
// and restoring it as a new change.

import type { DraftContent, Invoke, Version } from "./ipc";

export function describeVersion(v: Version, now = Date.now()): string {
  const when = new Date(v.time * 1000);
  const minutes = Math.round((now - when.getTime()) / 60000);
  const age = minutes < 1 ? "just now" : minutes < 60 ? `${minutes} min ago` : when.toLocaleString();
  const who = v.author ? ` by ${v.author}` : "";
  return `${age}${who} (${v.changes} change${v.changes === 1 ? "" : "s"})`;
}

export class HistoryPanel {
  private selected: Version | null = null;

  constructor(
    private readonly invoke: Invoke,
    private readonly els: {
      panel: HTMLElement;
      list: HTMLOListElement;
      preview: HTMLElement;
      body: HTMLElement;
      restore: HTMLButtonElement;
    },
    private readonly onError: (e: unknown) => void,
  ) {}

  get open(): boolean {
    return !this.els.panel.hidden;
  }

  async show(draftId: string, onRestore: (heads: string[]) => void): Promise<void> {
    this.els.panel.hidden = false;
    this.els.preview.hidden = true;
    this.selected = null;
    try {
      const versions = await this.invoke("list_versions", { id: draftId });
      this.els.list.replaceChildren(
        ...versions.map((v) => {
          const li = document.createElement("li");
          li.textContent = describeVersion(v);
          li.addEventListener("click", () => void this.select(draftId, v, li));
          return li;
        }),
      );
      this.els.restore.onclick = () => {
        if (this.selected) onRestore(this.selected.heads);
      };
    } catch (e) {
      this.onError(e);
    }
  }

  hide(): void {
    this.els.panel.hidden = true;
  }

  private async select(draftId: string, v: Version, li: HTMLLIElement): Promise<void> {
    try {
      const content = await this.invoke("preview_version", { id: draftId, heads: v.heads });
      this.selected = v;
      for (const other of Array.from(this.els.list.children)) other.removeAttribute("aria-current");
      li.setAttribute("aria-current", "true");
      this.els.body.textContent = content.body;
      this.els.preview.hidden = false;
    } catch (e) {
      this.onError(e);
    }
  }
}
