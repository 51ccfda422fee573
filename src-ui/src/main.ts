// The editor window: opens the current draft, saves every keystroke through the
// engine, and says truthfully whether it is saved and whether the server is there.

import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, drawSelection, highlightActiveLine } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { markdown } from "@codemirror/lang-markdown";
import { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";

import type { DraftView, Invoke, ServerStatus } from "./ipc";
import { describeError, isCommandError } from "./ipc";
import { changesToSplices } from "./splices";
import { SaveQueue, type SaveState } from "./save-queue";
import { saveStateLabel, serverStatusLabel } from "./status";

const invoke: Invoke = (cmd, args) => tauriInvoke(cmd, args);

function el(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`missing #${id}`);
  return found;
}

function showProblem(message: string): void {
  const box = el("problem");
  box.textContent = message;
  box.hidden = false;
}

function showSaveState(s: SaveState): void {
  const status = el("save-status");
  status.dataset.state = s.state;
  status.textContent = saveStateLabel(s);
}

async function pollServer(): Promise<void> {
  const status = el("server-status");
  try {
    const s = await invoke<ServerStatus>("server_status");
    status.dataset.state = s.state;
    status.textContent = serverStatusLabel(s);
  } catch (e) {
    status.dataset.state = "offline";
    status.textContent = `Server: ${describeError(e)}`;
  }
}

async function start(): Promise<void> {
  void pollServer();
  setInterval(() => void pollServer(), 10_000);

  let draft: DraftView;
  try {
    draft = await invoke<DraftView>("open_current_draft");
  } catch (e) {
    const where = isCommandError(e) && e.path ? `\n\nThe file is at: ${e.path}` : "";
    showProblem(`Your drafts could not be opened. ${describeError(e)}${where}`);
    showSaveState({ state: "error", message: "drafts unavailable" });
    return;
  }
  el("draft-title").textContent = draft.title || "Untitled draft";

  let view: EditorView | null = null;
  const queue = new SaveQueue(invoke, draft.id, () => view?.state.doc.toString() ?? "", showSaveState);

  view = new EditorView({
    parent: el("editor"),
    state: EditorState.create({
      doc: draft.body,
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
          if (update.docChanged) queue.push(changesToSplices(update.changes));
        }),
      ],
    }),
  });
  view.focus();
  showSaveState({ state: "saved", at: Date.now() });

  // Closing the window waits for the last keystrokes to be committed.
  await getCurrentWindow().onCloseRequested(async () => {
    await queue.flush();
  });
}

start().catch((e: unknown) => showProblem(`Pint could not start: ${describeError(e)}`));
