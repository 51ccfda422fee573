// The draft open in the editor: one CodeMirror view whose document is swapped when
// another draft is opened, and one save queue per open draft. Opening another draft
// first waits for the current one's last keystrokes to be saved.

import { Annotation, EditorState, Transaction } from "@codemirror/state";
import { EditorView, keymap, drawSelection, highlightActiveLine } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { markdown } from "@codemirror/lang-markdown";
import { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";

import type { DraftView, Invoke, RemoteChanges } from "./ipc";
import { changesToSplices } from "./splices";
import { SaveQueue, type SaveState } from "./save-queue";

/** Marks the editor transactions that bring in changes from elsewhere (not to be saved). */
const fromElsewhere = Annotation.define<boolean>();

export class DraftSession {
  readonly view: EditorView;
  private queue: SaveQueue | null = null;
  private current: DraftView | null = null;
  private changeListeners: (() => void)[] = [];

  constructor(
    parent: HTMLElement,
    private readonly invoke: Invoke,
    private readonly onSaveState: (s: SaveState) => void,
  ) {
    this.view = new EditorView({ parent, state: this.stateFor("") });
  }

  get draft(): DraftView | null {
    return this.current;
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Show `draft` in the editor, after the previous draft's edits are saved. */
  async open(draft: DraftView): Promise<void> {
    await this.flush();
    this.current = draft;
    this.queue = new SaveQueue(
      this.invoke,
      draft.id,
      draft.heads,
      () => this.text,
      this.onSaveState,
    );
    this.view.setState(this.stateFor(draft.body));
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
        history(),
        drawSelection(),
        highlightActiveLine(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        markdown(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": "Markdown", spellcheck: "true" }),
        EditorView.updateListener.of((update) => {
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
