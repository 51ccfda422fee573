// The drafts sidebar: the list (or the trash), search as you type, a tag filter and the
// sort order; per draft, whether it is on the server and on the blog.

import type { DraftPublished, DraftSummary, Invoke, PublishState, Sort, TagCount } from "./ipc";

export interface SidebarActions {
  open(id: string): void;
  trash(id: string): void;
  restore(id: string): void;
}

export interface SidebarElements {
  list: HTMLUListElement;
  tagFilter: HTMLSelectElement;
  sort: HTMLSelectElement;
}

const SORTS: Record<Sort, string> = {
  updated: "Recently edited",
  created: "Recently created",
  title: "Title A–Z",
};

/** The options of the tag filter: every tag in use, with how many drafts carry it. */
export function tagOptions(tags: TagCount[], selected: string | null): { value: string; label: string }[] {
  const options = [{ value: "", label: "All tags" }];
  for (const t of tags) options.push({ value: t.tag, label: `${t.tag} (${t.drafts})` });
  // A filter on a tag no draft carries any more stays visible, so the empty list makes sense.
  if (selected !== null && !tags.some((t) => t.tag === selected)) {
    options.push({ value: selected, label: `${selected} (0)` });
  }
  return options;
}

export class Sidebar {
  private showingTrash = false;
  private query = "";
  private tag: string | null = null;
  private sort: Sort = "updated";
  private currentId: string | null = null;
  /** Where drafts on the blog stand (from the server; empty when signed out). */
  private published = new Map<string, PublishState>();

  constructor(
    private readonly invoke: Invoke,
    private readonly els: SidebarElements,
    private readonly actions: SidebarActions,
    private readonly onError: (e: unknown) => void,
  ) {
    els.sort.replaceChildren(
      ...(Object.keys(SORTS) as Sort[]).map((s) => new Option(SORTS[s], s)),
    );
    els.sort.value = this.sort;
    els.sort.addEventListener("change", () => {
      this.sort = els.sort.value as Sort;
      void this.refresh();
    });
    els.tagFilter.addEventListener("change", () => {
      this.tag = els.tagFilter.value === "" ? null : els.tagFilter.value;
      void this.refresh();
    });
  }

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

  async refresh(currentId: string | null = this.currentId): Promise<void> {
    this.currentId = currentId;
    try {
      const searching = this.query.trim() !== "" && !this.showingTrash;
      const [items, tags] = await Promise.all([
        searching
          ? this.invoke("search_drafts", { query: this.query }).then((found) =>
              found.filter((d) => this.tag === null || d.tags.includes(this.tag)),
            )
          : this.invoke("list_drafts", {
              query: { trash: this.showingTrash, tag: this.tag, sort: this.sort },
            }),
        this.invoke("list_tags"),
      ]);
      this.renderTags(tags);
      this.render(items, currentId);
    } catch (e) {
      this.onError(e);
    }
  }

  private renderTags(tags: TagCount[]): void {
    const select = this.els.tagFilter;
    select.replaceChildren(...tagOptions(tags, this.tag).map((o) => new Option(o.label, o.value)));
    select.value = this.tag ?? "";
  }

  /** Show where each draft stands on the blog (the others: not on it). */
  showPublished(states: DraftPublished[]): void {
    this.published = new Map(states.map((s) => [s.id, s.state]));
    for (const li of this.els.list.querySelectorAll<HTMLLIElement>("li[data-id]")) {
      li.querySelector(".published")?.remove();
      const badge = this.badge(li.dataset.id ?? "");
      if (badge) li.querySelector(".meta .sync")?.after(badge);
    }
  }

  private badge(id: string): HTMLElement | null {
    const state = this.published.get(id);
    const label = publishBadge(state);
    if (!state || !label) return null;
    const span = document.createElement("span");
    span.className = "published";
    span.dataset.published = state.scheduled ? "scheduled" : state.changedSince ? "changed" : "published";
    span.textContent = label;
    return span;
  }

  private render(items: DraftSummary[], currentId: string | null): void {
    if (items.length === 0) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = emptyListText(this.showingTrash, this.query.trim() !== "", this.tag);
      this.els.list.replaceChildren(empty);
      return;
    }
    this.els.list.replaceChildren(...items.map((d) => this.row(d, currentId)));
  }

  /**
   * One draft: its title on a line of its own (never squeezed out), the list line under
   * it, then when it was edited, where it stands and its tags on a quiet third line.
   */
  private row(d: DraftSummary, currentId: string | null): HTMLLIElement {
    const li = document.createElement("li");
    li.dataset.id = d.id;
    if (d.id === currentId) li.setAttribute("aria-current", "true");
    const top = document.createElement("div");
    top.className = "row-top";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = d.title || "Untitled draft";
    top.append(name);
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
      button.title = "Move to the trash";
      button.addEventListener("click", (ev) => {
        ev.stopPropagation();
        this.actions.trash(d.id);
      });
      li.addEventListener("click", () => this.actions.open(d.id));
    }
    top.append(button);
    li.append(top);
    if (d.line) {
      const line = document.createElement("span");
      line.className = "line";
      line.textContent = d.line;
      li.append(line);
    }
    const meta = document.createElement("div");
    meta.className = "meta";
    const when = document.createElement("time");
    when.className = "when";
    when.dateTime = new Date(d.updatedAt).toISOString();
    when.textContent = editedLabel(d.updatedAt);
    meta.append(when);
    const sync = document.createElement("span");
    sync.className = "sync";
    sync.dataset.sync = d.sync;
    sync.textContent = syncLabel(d.sync);
    meta.append(sync);
    const badge = this.badge(d.id);
    if (badge) meta.append(badge);
    if (d.tags.length > 0) {
      const tags = document.createElement("span");
      tags.className = "tags";
      tags.textContent = d.tags.map((t) => `#${t}`).join(" ");
      meta.append(tags);
    }
    li.append(meta);
    return li;
  }
}

/** What an empty list says. */
export function emptyListText(trash: boolean, searching: boolean, tag: string | null): string {
  if (trash) return "The trash is empty.";
  if (searching) return "No draft matches this search.";
  if (tag !== null) return `No draft is tagged “${tag}”.`;
  return "No drafts yet. Press New to start one.";
}

/** When a draft was last edited, as a list shows it: the time today, else the date. */
export function editedLabel(at: number, now: number = Date.now()): string {
  const when = new Date(at);
  const today = new Date(now);
  if (when.toDateString() === today.toDateString()) {
    return when.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
  }
  const sameYear = when.getFullYear() === today.getFullYear();
  return when.toLocaleDateString(undefined, sameYear ? { month: "short", day: "numeric" } : { dateStyle: "medium" });
}

/** A draft's place on the blog in a word or two, for the drafts list ("" when not on it). */
export function publishBadge(s: PublishState | undefined): string {
  if (!s) return "";
  if (s.scheduled && !s.published) return "scheduled";
  if (!s.published) return "";
  return s.changedSince ? "published · changed" : "published";
}

/** A draft's place relative to the server, in words (the sidebar shows it per draft). */
export function syncLabel(sync: DraftSummary["sync"]): string {
  switch (sync) {
    case "local":
      return "only here";
    case "pending":
      return "changes not on server";
    case "synced":
      return "on server";
  }
}
