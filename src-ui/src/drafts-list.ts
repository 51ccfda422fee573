// The drafts list's words: sort names, tag filter options, why a list is empty, when a
// draft was edited, and where it stands on the server and on the blog.

import type { DraftSummary, PublishState, Sort, TagCount } from "./ipc";

export const SORTS: Record<Sort, string> = {
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

/** A search snippet as runs of text, the matched words marked (U+0002 … U+0003). */
export function snippetParts(snippet: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  for (const [i, piece] of snippet.split(/[\u0002\u0003]/).entries()) {
    if (piece) parts.push({ text: piece, match: i % 2 === 1 });
  }
  return parts;
}
