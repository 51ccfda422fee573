// Turning CodeMirror changes into the engine's splices.
//
// CodeMirror counts positions in UTF-16 code units, as the engine's splice API does,
// so no conversion is needed: only the order. Splices apply one after another, so each
// one's position is where it starts once the earlier ones have been applied.

import type { ChangeSet } from "@codemirror/state";
import type { Splice } from "./ipc";

export function changesToSplices(changes: ChangeSet): Splice[] {
  const out: Splice[] = [];
  changes.iterChanges((fromA, toA, fromB, _toB, inserted) => {
    out.push({ pos: fromB, delete: toA - fromA, insert: inserted.toString() });
  });
  return out;
}

/** Apply splices to a string, counting in UTF-16 code units: the engine's semantics. */
export function applySplices(text: string, splices: readonly Splice[]): string {
  let out = text;
  for (const s of splices) {
    if (s.pos < 0 || s.delete < 0 || s.pos + s.delete > out.length) {
      throw new RangeError(`splice ${s.pos}+${s.delete} outside a text of ${out.length}`);
    }
    out = out.slice(0, s.pos) + s.insert + out.slice(s.pos + s.delete);
  }
  return out;
}
