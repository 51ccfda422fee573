// The open draft's tags, under its title: each with a button to remove it, and a field
// to add one (Enter adds, the engine normalises and validates).

import type { Invoke } from "./ipc";

export class TagEditor {
  private draftId: string | null = null;

  constructor(
    private readonly invoke: Invoke,
    private readonly els: { list: HTMLUListElement; input: HTMLInputElement },
    private readonly onChanged: () => void,
    private readonly onError: (e: unknown) => void,
  ) {
    els.input.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter") return;
      ev.preventDefault();
      const tag = els.input.value.trim();
      if (tag !== "") void this.change("add_tag", tag);
    });
  }

  show(draftId: string, tags: string[]): void {
    this.draftId = draftId;
    this.render(tags);
  }

  private async change(cmd: "add_tag" | "remove_tag", tag: string): Promise<void> {
    const id = this.draftId;
    if (id === null) return;
    try {
      const tags = await this.invoke(cmd, { id, tag });
      if (this.draftId !== id) return;
      if (cmd === "add_tag") this.els.input.value = "";
      this.render(tags);
      this.onChanged();
    } catch (e) {
      this.onError(e);
    }
  }

  private render(tags: string[]): void {
    this.els.list.replaceChildren(
      ...tags.map((tag) => {
        const li = document.createElement("li");
        li.dataset.tag = tag;
        li.textContent = tag;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "remove-tag";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `Remove tag ${tag}`);
        remove.addEventListener("click", () => void this.change("remove_tag", tag));
        li.append(remove);
        return li;
      }),
    );
  }
}
