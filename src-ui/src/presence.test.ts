import { describe, expect, it } from "vitest";
import { EditorState } from "@codemirror/state";
import { peerColor, peersField, setPeers, shownPeers } from "./presence";

describe("collaborators' cursors", () => {
  const state = () => EditorState.create({ doc: "Hello world", extensions: [peersField] });

  it("shows each collaborator's caret by name and moves it with the text", () => {
    let s = state().update({
      effects: setPeers.of([
        { peer: "p1", name: "Ada", anchor: 6, head: 11 },
        { peer: "p2", name: "Bob", anchor: 0, head: 0 },
      ]),
    }).state;
    expect(shownPeers(s.field(peersField))).toEqual([
      { name: "Bob", at: 0 },
      { name: "Ada", at: 11 },
    ]);
    // Typing before Ada's caret (here or arriving from elsewhere) moves it along.
    s = s.update({ changes: { from: 0, insert: "Oh, " } }).state;
    expect(shownPeers(s.field(peersField)).find((p) => p.name === "Ada")?.at).toBe(15);
  });

  it("keeps positions from another text version inside this one, and clears", () => {
    let s = state().update({ effects: setPeers.of([{ peer: "p", name: "Ada", anchor: 99, head: -3 }]) }).state;
    expect(shownPeers(s.field(peersField))).toEqual([{ name: "Ada", at: 0 }]);
    s = s.update({ effects: setPeers.of([]) }).state;
    expect(shownPeers(s.field(peersField))).toEqual([]);
  });

  it("gives each collaborator a steady colour", () => {
    expect(peerColor("abc")).toBe(peerColor("abc"));
    expect(peerColor("abc")).not.toBe(peerColor("abd"));
  });
});
