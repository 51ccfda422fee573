// The drafts sidebar: the list (or the trash), search as you type, new draft.

import type { DraftSummary, Invoke, ListQuery } from "./ipc";

export interface SidebarActions {
  open(id: string): void;
  trash(id: string): void;
  restore(id: string): void;
}

export class Sidebar {
  private showingTrash = false;
  private query = "";

  constructor(
    private readonly invoke: Invoke,
    private readonly list: HTMLUListElement,
    private readonly actions: SidebarActions,
    private readonly onError: (e: unknown) => void,
  ) {}

  get inTrash(): boolean {
    return this.showingTrash;
  }

  setTrash(trash: boolean): void {
    this.showingTrash = trash;
    void this.refresh();
  }

  setQuery(query: string): void {
    this.query = query;
    void this.refresh();
  }

  async refresh(currentId: string | null = null): Promise<void> {
    try {
      const items =
        this.query.trim() !== "" && !this.showingTrash
          ? await this.invoke<DraftSummary[]>("search_drafts", { query: this.query })
          : await this.invoke<DraftSummary[]>("list_drafts", {
              query: { trash: this.showingTrash, tag: null, sort: "updated" } satisfies ListQuery,
            });
      this.render(items, currentId);
    } catch (e) {
      this.onError(e);
    }
  }

  private render(items: DraftSummary[], currentId: string | null): void {
    this.list.replaceChildren(
      ...items.map((d) => {
        const li = document.createElement("li");
        li.dataset.id = d.id;
        if (d.id === currentId) li.setAttribute("aria-current", "true");
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = d.title || "Untitled draft";
        li.append(name);
        if (d.tags.length > 0) {
          const tags = document.createElement("span");
          tags.className = "tags";
          tags.textContent = d.tags.join(", ");
          li.append(tags);
        }
        const button = document.createElement("button");
        button.type = "button";
        if (this.showingTrash) {
          button.textContent = "Restore";
          button.className = "restore";
          button.addEventListener("click", (ev) => {
            ev.stopPropagation();
            this.actions.restore(d.id);
          });
        } else {
          button.textContent = "Trash";
          button.className = "trash";
          button.addEventListener("click", (ev) => {
            ev.stopPropagation();
            this.actions.trash(d.id);
          });
          li.addEventListener("click", () => this.actions.open(d.id));
        }
        li.append(button);
        return li;
      }),
    );
  }
}
