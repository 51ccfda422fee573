// Points in a draft's history, in words (the history panel lists them).

import type { Version } from "./ipc";

export function describeVersion(v: Version, now = Date.now()): string {
  const when = new Date(v.time * 1000);
  const minutes = Math.round((now - when.getTime()) / 60000);
  const age = minutes < 1 ? "just now" : minutes < 60 ? `${minutes} min ago` : when.toLocaleString();
  const who = v.author ? ` by ${v.author}` : "";
  return `${age}${who} (${v.changes} change${v.changes === 1 ? "" : "s"})`;
}
