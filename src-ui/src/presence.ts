// Collaborators' cursors in the editor: a caret with the person's name at their head,
// their selection tinted. Positions come resolved for this device's text; as the text
// changes (typing here, changes from elsewhere) the decorations move with it. A person
// not heard from for a while is taken away.

import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, WidgetType, type DecorationSet } from "@codemirror/view";

export interface Peer {
  peer: string;
  name: string;
  anchor: number;
  head: number;
}

/** Replace the collaborators shown. */
export const setPeers = StateEffect.define<Peer[]>();

/** A steady colour per collaborator, readable on light and dark backgrounds. */
export function peerColor(peer: string): string {
  let h = 0;
  for (let i = 0; i < peer.length; i++) h = (h * 31 + peer.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 70% 42%)`;
}

class Caret extends WidgetType {
  constructor(
    readonly name: string,
    readonly color: string,
  ) {
    super();
  }

  override eq(other: Caret): boolean {
    return other.name === this.name && other.color === this.color;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement("span");
    caret.className = "cm-peer-caret";
    caret.style.borderLeftColor = this.color;
    caret.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "cm-peer-name";
    label.style.backgroundColor = this.color;
    label.textContent = this.name;
    caret.append(label);
    return caret;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

function decorations(peers: readonly Peer[], length: number): DecorationSet {
  const clamp = (n: number) => Math.max(0, Math.min(length, n));
  const ranges = [];
  for (const p of peers) {
    const color = peerColor(p.peer);
    const [anchor, head] = [clamp(p.anchor), clamp(p.head)];
    if (anchor !== head) {
      ranges.push(
        Decoration.mark({
          class: "cm-peer-selection",
          attributes: { style: `background-color: color-mix(in srgb, ${color} 25%, transparent)` },
        }).range(Math.min(anchor, head), Math.max(anchor, head)),
      );
    }
    ranges.push(Decoration.widget({ widget: new Caret(p.name, color), side: 1 }).range(head));
  }
  return Decoration.set(ranges, true);
}

export const peersField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setPeers)) return decorations(effect.value, tr.state.doc.length);
    }
    return value.map(tr.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** The names shown and where their carets are now (for tests and the status line). */
export function shownPeers(field: DecorationSet): { name: string; at: number }[] {
  const out: { name: string; at: number }[] = [];
  field.between(0, Number.MAX_SAFE_INTEGER, (from, _to, deco) => {
    const widget = deco.spec.widget;
    if (widget instanceof Caret) out.push({ name: widget.name, at: from });
  });
  return out;
}
