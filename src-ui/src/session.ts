// The draft open in the editor: one CodeMirror view whose document is swapped when
// another draft is opened, and one save queue per open draft. Opening another draft
// first waits for the current one's last keystrokes to be saved.

import { Annotation, Compartment, EditorState, Transaction } from "@codemirror/state";
import { EditorView, placeholder } from "@codemirror/view";
import { openSearchPanel } from "@codemirror/search";
import { forceLinting, openLintPanel } from "@codemirror/lint";
import { redo, undo } from "@codemirror/commands";

import type { DraftView, Invoke, MediaInfo, PeerPresence, RemoteChanges } from "./ipc";
import { peersField, setPeers, type Peer } from "./presence";
import { changesToSplices } from "./splices";
import { SaveQueue, type SaveState } from "./save-queue";
import { editorSetup } from "./editor/setup";
import { focusCompartment, focusExtensions, type FocusOptions } from "./editor/focus";
import { checkExtensions } from "./editor/checks";
import { reviewField } from "./editor/review";
import { ANIMATION_DROPPED, imageExtensions, imagePaste, insertImage, refreshImages } from "./editor/images";

/** What an empty draft shows where the text will be: the three things to know. */
export const EMPTY_DRAFT_HINT =
  "Start writing here. Pint saves every keystroke by itself, offline too. " +
  "Sign in (top right) to sync your drafts and publish to your blog.";

const spellCompartment = new Compartment();
const spellAttrs = (on: boolean) =>
  EditorView.contentAttributes.of({ "aria-label": "Markdown", spellcheck: on ? "true" : "false" });

/** Marks the editor transactions that bring in changes from elsewhere (not to be saved). */
const fromElsewhere = Annotation.define<boolean>();

/** How often the creator's cursor is sent at most, and when a silent collaborator is gone. */
const PRESENCE_EVERY_MS = 150;
const PEER_SILENCE_MS = 30_000;

export class DraftSession {
  readonly view: EditorView;
  private queue: SaveQueue | null = null;
  private current: DraftView | null = null;
  private changeListeners: (() => void)[] = [];
  private selectionListeners: (() => void)[] = [];
  private focus: FocusOptions = { on: false, scope: "paragraph", typewriter: false };
  private spellCheck = true;
  /** Collaborators in the open draft, with when each was last heard from. */
  private peers = new Map<string, { peer: Peer; heard: number }>();
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    parent: HTMLElement,
    private readonly invoke: Invoke,
    private readonly onSaveState: (s: SaveState) => void,
    /** Told when something the creator handed the editor was refused (an image). */
    private readonly onProblem: (e: unknown) => void = () => {},
    /** Told what became of an image that was taken otherwise than given (an animation). */
    private readonly onNotice: (text: string) => void = () => {},
  ) {
    this.view = new EditorView({ parent, state: this.stateFor("") });
    // Collaborators re-announce themselves every 10 s; silence for 30 s means gone.
    setInterval(() => {
      const cutoff = Date.now() - PEER_SILENCE_MS;
      let changed = false;
      for (const [key, p] of this.peers) {
        if (p.heard < cutoff) changed = this.peers.delete(key) || changed;
      }
      if (changed) this.showPeers();
    }, 5000);
  }

  /** A collaborator's cursor moved, or they left (for any draft: others are ignored). */
  showPresence(p: PeerPresence): void {
    if (p.id !== this.current?.id) return;
    if (p.selection === null) this.peers.delete(p.peer);
    else {
      const peer = { peer: p.peer, name: p.name, ...p.selection };
      this.peers.set(p.peer, { peer, heard: Date.now() });
    }
    this.showPeers();
  }

  private showPeers(): void {
    const peers = [...this.peers.values()].map((p) => p.peer);
    this.view.dispatch({ effects: setPeers.of(peers) });
  }

  /** Tell collaborators where the creator is, at most every PRESENCE_EVERY_MS. */
  private tellPresence(): void {
    if (this.presenceTimer !== null) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      const id = this.current?.id;
      if (!id) return;
      const { anchor, head } = this.view.state.selection.main;
      void this.invoke("set_presence", { id, selection: { anchor, head } }).catch(() => {});
    }, PRESENCE_EVERY_MS);
  }

  get draft(): DraftView | null {
    return this.current;
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Told when the text changes; answers how to stop being told. */
  onChange(listener: () => void): () => void {
    this.changeListeners.push(listener);
    return () => {
      this.changeListeners = this.changeListeners.filter((l) => l !== listener);
    };
  }

  /** Told when the selection moves (or the text changes under it). */
  onSelection(listener: () => void): void {
    this.selectionListeners.push(listener);
  }

  /** The selected text (all selections). */
  get selectedText(): string {
    const s = this.view.state;
    return s.selection.ranges.map((r) => s.sliceDoc(r.from, r.to)).join("\n");
  }

  /** Focus mode's dimming and typewriter scrolling, on or off. */
  setFocus(options: FocusOptions): void {
    this.focus = options;
    this.view.dispatch({ effects: focusCompartment.reconfigure(focusExtensions(options)) });
  }

  /** The web view's spell check in the text, on or off. */
  setSpellCheck(on: boolean): void {
    this.spellCheck = on;
    this.view.dispatch({ effects: spellCompartment.reconfigure(spellAttrs(on)) });
  }

  /** Undo or redo in the text (the menu's items; the keys go to the editor itself). */
  undo(): void {
    undo(this.view);
    this.view.focus();
  }

  redo(): void {
    redo(this.view);
    this.view.focus();
  }

  /** Open find and replace in the text. */
  find(): void {
    openSearchPanel(this.view);
  }

  /** Check the text again now (the checks' choices changed). */
  recheck(): void {
    forceLinting(this.view);
  }

  /** Open the list of the draft's writing checks (each jumps to its place). */
  checks(): void {
    openLintPanel(this.view);
  }

  /** Put the cursor at `pos`, scroll it to the top third, and focus the text. */
  goTo(pos: number): void {
    this.view.dispatch({
      selection: { anchor: Math.min(pos, this.view.state.doc.length) },
      effects: EditorView.scrollIntoView(pos, { y: "start", yMargin: 80 }),
    });
    this.view.focus();
  }

  /** Keep a pasted image's bytes; answers its id. */
  private keepBytes = async (base64: string): Promise<string> =>
    this.taken(await this.invoke("add_image_bytes", { base64 }));

  /** An image the engine kept: its id, the creator told when it is a still of an animation. */
  private taken(image: MediaInfo): string {
    if (image.animationDropped) this.onNotice(ANIMATION_DROPPED);
    return image.id;
  }

  /**
   * Files dropped on the window (paths, from the shell), at a point in CSS pixels: each
   * image is read and prepared by the engine and put where it was dropped (at the
   * cursor when dropped outside the text).
   */
  async dropImages(paths: string[], x: number, y: number): Promise<void> {
    if (!this.current) return;
    let pos = this.view.posAtCoords({ x, y }) ?? this.view.state.selection.main.head;
    for (const path of paths) {
      try {
        const id = this.taken(await this.invoke("add_image_file", { path }));
        insertImage(this.view, id, Math.min(pos, this.view.state.doc.length));
        pos = this.view.state.selection.main.head;
      } catch (e) {
        this.onProblem(e);
      }
    }
  }

  /** Put an image kept on this device (or the blog's) into the text at the cursor. */
  insertKept(id: string): void {
    if (!this.current) return;
    insertImage(this.view, id);
    this.view.focus();
  }

  /** Show the draft's images again: their files arrived from the blog. */
  refreshImages(): void {
    refreshImages(this.view);
  }

  /** Show `draft` in the editor, after the previous draft's edits are saved. */
  async open(draft: DraftView): Promise<void> {
    await this.flush();
    const left = this.current?.id;
    if (left !== undefined && left !== draft.id) {
      void this.invoke("set_presence", { id: left, selection: null }).catch(() => {});
    }
    this.current = draft;
    this.peers.clear();
    this.queue = new SaveQueue(
      this.invoke,
      draft.id,
      draft.heads,
      () => this.text,
      this.onSaveState,
    );
    this.view.setState(this.stateFor(draft.body));
    this.tellPresence();
    this.onSaveState({ state: "saved", at: Date.now() });
    for (const l of this.changeListeners) l();
  }

  async flush(): Promise<void> {
    await this.queue?.flush();
  }

  /**
   * Show what reached the open draft from elsewhere: applied to the editor as changes,
   * so the creator's cursor and selection stay where they are (CodeMirror maps them),
   * and kept out of the undo history. Answers the draft's title and tags now.
   */
  async pullRemote(): Promise<RemoteChanges | null> {
    const queue = this.queue;
    if (!queue) return null;
    let result: RemoteChanges | null = null;
    await queue.pull((changes, remote) => {
      if (!changes.empty) {
        this.view.dispatch({
          changes,
          annotations: [fromElsewhere.of(true), Transaction.addToHistory.of(false)],
        });
      }
      if (this.current) this.current = { ...this.current, title: remote.title, tags: remote.tags };
      result = remote;
    });
    return result;
  }

  private stateFor(doc: string): EditorState {
    return EditorState.create({
      doc,
      extensions: [
        ...editorSetup(),
        spellCompartment.of(spellAttrs(this.spellCheck)),
        focusCompartment.of(focusExtensions(this.focus)),
        placeholder(EMPTY_DRAFT_HINT),
        peersField,
        reviewField,
        ...imageExtensions,
        imagePaste({ keepBytes: this.keepBytes, onError: (e) => this.onProblem(e) }),
        ...checkExtensions({
          invoke: this.invoke,
          draftId: () => this.current?.id ?? null,
          onError: (e) => this.onProblem(e),
        }),
        EditorView.updateListener.of((update) => {
          if (update.selectionSet || update.docChanged) {
            this.tellPresence();
            for (const l of this.selectionListeners) l();
          }
          if (!update.docChanged) return;
          for (const tr of update.transactions) {
            if (tr.docChanged && !tr.annotation(fromElsewhere)) {
              this.queue?.push(changesToSplices(tr.changes));
            }
          }
          for (const l of this.changeListeners) l();
        }),
      ],
    });
  }
}
