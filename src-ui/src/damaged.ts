// What the user is told about drafts whose stored bytes no longer load: they were set
// aside (never deleted), and every other draft keeps working.

import type { DamagedDraft } from "./ipc";

export function damagedNotice(drafts: DamagedDraft[]): { key: string; text: string } | null {
  if (drafts.length === 0) return null;
  const names = drafts.map((d) => `“${d.title || "Untitled draft"}”`).join(", ");
  const one = drafts.length === 1;
  return {
    // The notice comes back when another draft is set aside after a dismissal.
    key: drafts.map((d) => d.id).join(" "),
    text:
      `${one ? "One draft" : `${drafts.length} drafts`} could not be read and ` +
      `${one ? "was" : "were"} set aside, not deleted: ${names}. ` +
      "Your other drafts are fine. The damaged copies are kept in the local database " +
      "(table damaged_drafts) for recovery.",
  };
}
