// The draft open in the editor: one CodeMirror view whose document is swapped when
// another draft is opened, and one save queue per open draft. Opening another draft
// first waits for the current one's last keystrokes to be saved.

import { EditorState } from "@codemirror/state";
import { EditorView, keymap, drawSelection, highlightActiveLine } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { markdown } from "@codemirror/lang-markdown";
import { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";

import type { DraftView, Invoke } from "./ipc";
import { changesToSplices } from "./splices";
import { SaveQueue, type SaveState } from "./save-queue";

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
    this.queue = new SaveQueue(this.invoke, draft.id, () => this.text, this.onSaveState);
    this.view.setState(this.stateFor(draft.body));
    this.onSaveState({ state: "saved", at: Date.now() });
    for (const l of this.changeListeners) l();
  }

  async flush(): Promise<void> {
    await this.queue?.flush();
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
          if (update.docChanged) {
            this.queue?.push(changesToSplices(update.changes));
            for (const l of this.changeListeners) l();
          }
        }),
      ],
    });
  }
}
