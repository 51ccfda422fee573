// Images in the text. A pasted or dropped image is handed to the engine (which reads,
// checks and prepares it: never the web view), then written as `![alt](media:ID)` on a
// line of its own, and the writer is asked for its alt text at once. Each image line
// shows the image below it, served from this device through the `pint-media` scheme.

import { StateEffect, StateField, type EditorState, type Extension, type Range } from "@codemirror/state";
import { Decoration, EditorView, WidgetType, showPanel, type DecorationSet, type Panel } from "@codemirror/view";

/** `![alt](media:ID)`: the alt text and the id. */
const IMAGE = /!\[([^\]\n]*)\]\(media:([0-9a-f]{32})\)/g;

/** Where this platform's web view reaches the `pint-media` scheme. */
export function mediaBase(userAgent: string = navigator.userAgent): string {
  return /Windows/.test(userAgent) ? "http://pint-media.localhost" : "pint-media://localhost";
}

/** A variant of a kept image, about `width` wide (the scheme picks the nearest). */
export function mediaUrl(id: string, width = 960, format: "webp" | "jpeg" = "webp"): string {
  return `${mediaBase()}/${id}/${width}.${format}`;
}

/** The markdown of an image, its alt text kept to one line and free of brackets. */
export function imageMarkdown(id: string, alt: string): string {
  return `![${cleanAlt(alt)}](media:${id})`;
}

export function cleanAlt(alt: string): string {
  return alt.replace(/[[\]\n\r]+/g, " ").replace(/\s+/g, " ").trim();
}

/** Every image in a text, with where its alt text is. */
export function findImages(text: string): { id: string; alt: string; from: number; to: number; altFrom: number }[] {
  const found = [];
  for (const m of text.matchAll(IMAGE)) {
    found.push({ id: m[2] ?? "", alt: m[1] ?? "", from: m.index, to: m.index + m[0].length, altFrom: m.index + 2 });
  }
  return found;
}

/** Images are shown again (their files arrived): each bump makes new widgets. */
const showAgain = StateEffect.define<null>();

const generation = StateField.define<number>({
  create: () => 0,
  update: (n, tr) => (tr.effects.some((e) => e.is(showAgain)) ? n + 1 : n),
});

/** Show the images again: their files arrived from the blog (a teammate's). */
export function refreshImages(view: EditorView): void {
  view.dispatch({ effects: showAgain.of(null) });
}

class ImageWidget extends WidgetType {
  constructor(
    readonly id: string,
    readonly alt: string,
    readonly generation: number,
  ) {
    super();
  }

  override eq(other: ImageWidget): boolean {
    return other.id === this.id && other.alt === this.alt && other.generation === this.generation;
  }

  override toDOM(): HTMLElement {
    const figure = document.createElement("div");
    figure.className = "cm-image";
    const img = document.createElement("img");
    // A query after a refresh: the web view does not reuse an earlier failure.
    img.src = this.generation ? `${mediaUrl(this.id)}?v=${this.generation}` : mediaUrl(this.id);
    img.alt = this.alt;
    img.title = this.alt ? `Alt text: ${this.alt}` : "No alt text yet";
    img.draggable = false;
    figure.append(img);
    return figure;
  }

  override ignoreEvent(): boolean {
    return false;
  }
}

/** Where the image's id was: a quiet mark instead of 32 hex digits. */
class IdMark extends WidgetType {
  override eq(): boolean {
    return true;
  }

  override toDOM(): HTMLElement {
    const mark = document.createElement("span");
    mark.className = "cm-image-id";
    mark.textContent = "(image)";
    mark.title = "Put the cursor on this line to see the image's markdown";
    return mark;
  }
}

/** The images in the text: found again when the text changes, not when the cursor moves. */
const imagesFound = StateField.define<ReturnType<typeof findImages>>({
  create: (state) => findImages(state.doc.toString()),
  update: (found, tr) => (tr.docChanged ? findImages(tr.state.doc.toString()) : found),
});

function imageDecorations(state: EditorState): DecorationSet {
  const decorations: Range<Decoration>[] = [];
  const cursorLines = new Set(
    state.selection.ranges.flatMap((r) => [state.doc.lineAt(r.from).number, state.doc.lineAt(r.to).number]),
  );
  for (const image of state.field(imagesFound)) {
    const line = state.doc.lineAt(image.to);
    // The id is for Pint, not the writer: shown only while the cursor is on the line.
    if (!cursorLines.has(line.number) && !cursorLines.has(state.doc.lineAt(image.from).number)) {
      const idFrom = image.altFrom + image.alt.length + 1;
      decorations.push(Decoration.replace({ widget: new IdMark() }).range(idFrom, image.to));
    }
    decorations.push(
      Decoration.widget({
        widget: new ImageWidget(image.id, image.alt, state.field(generation, false) ?? 0),
        block: true,
        side: 1,
      }).range(line.to),
    );
  }
  return Decoration.set(decorations, true);
}

/** The images shown under their lines (block widgets come from a state field). */
const imagesShown = StateField.define<DecorationSet>({
  create: imageDecorations,
  update: (value, tr) =>
    tr.docChanged || tr.selection || tr.effects.some((e) => e.is(showAgain)) ? imageDecorations(tr.state) : value,
  provide: (f) => EditorView.decorations.from(f),
});

/** Ask for the alt text of the image whose markdown starts at `from` (null: stop asking). */
export const askAlt = StateEffect.define<{ from: number; id: string } | null>({
  map: (value, changes) => (value ? { ...value, from: changes.mapPos(value.from) } : null),
});

const altAsked = StateField.define<{ from: number; id: string } | null>({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(askAlt)) return e.value;
    if (!value || !tr.docChanged) return value;
    const from = tr.changes.mapPos(value.from);
    // Gone (the image was deleted): stop asking.
    const still = findImages(tr.state.doc.sliceString(from, from + 200))[0];
    return still && still.from === 0 && still.id === value.id ? { ...value, from } : null;
  },
  provide: (f) => showPanel.from(f, (asked) => (asked ? (view) => altPanel(view, asked) : null)),
});

/** Set the alt text of the image whose markdown starts at `from`. */
export function setAlt(view: EditorView, from: number, alt: string): boolean {
  const image = findImages(view.state.doc.sliceString(from, from + 200))[0];
  if (!image || image.from !== 0) return false;
  view.dispatch({
    changes: { from: from + image.altFrom, to: from + image.altFrom + image.alt.length, insert: cleanAlt(alt) },
    effects: askAlt.of(null),
  });
  return true;
}

function altPanel(view: EditorView, asked: { from: number; id: string }): Panel {
  const dom = document.createElement("form");
  dom.className = "cm-alt-panel";
  dom.setAttribute("aria-label", "Alt text for the image");
  const label = document.createElement("label");
  label.htmlFor = "alt-text";
  label.textContent = "Describe this image for readers who cannot see it";
  const input = document.createElement("input");
  input.id = "alt-text";
  input.type = "text";
  input.maxLength = 300;
  input.placeholder = "A harbour at dawn, two fishing boats tied up";
  input.value = findImages(view.state.doc.sliceString(asked.from, asked.from + 200))[0]?.alt ?? "";
  const save = document.createElement("button");
  save.type = "submit";
  save.id = "alt-save";
  save.textContent = "Save";
  const skip = document.createElement("button");
  skip.type = "button";
  skip.id = "alt-skip";
  skip.textContent = "Later";
  const done = () => {
    view.dispatch({ effects: askAlt.of(null) });
    view.focus();
  };
  dom.addEventListener("submit", (e) => {
    e.preventDefault();
    const from = view.state.field(altAsked)?.from ?? asked.from;
    setAlt(view, from, input.value);
    view.focus();
  });
  skip.addEventListener("click", done);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      done();
    }
  });
  dom.append(label, input, save, skip);
  return { dom, top: false, mount: () => input.focus() };
}

/**
 * Put a kept image into the text at `pos` (the selection when absent), on a line of its
 * own, and ask for its alt text.
 */
export function insertImage(view: EditorView, id: string, pos?: number): void {
  const state = view.state;
  const at = pos ?? state.selection.main.head;
  const line = state.doc.lineAt(at);
  // Its own paragraph: the spaces around the point go, and a blank line separates it
  // from text before and after it on the line.
  let start = at;
  let end = at;
  while (start > line.from && /[ \t]/.test(state.doc.sliceString(start - 1, start))) start--;
  while (end < line.to && /[ \t]/.test(state.doc.sliceString(end, end + 1))) end++;
  const before = start > line.from ? "\n\n" : "";
  const after = end < line.to ? "\n\n" : "";
  const markdown = imageMarkdown(id, "");
  const from = start + before.length;
  view.dispatch({
    changes: { from: start, to: end, insert: before + markdown + after },
    selection: { anchor: from + markdown.length },
    effects: askAlt.of({ from, id }),
    scrollIntoView: true,
  });
}

/** Read a file the web view was given (a paste) as base64, for the engine. */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Said when an animated GIF is kept as its first frame. */
export const ANIMATION_DROPPED =
  "That GIF is animated: Pint keeps its first frame as a still picture (animations are not kept yet).";

/** What the editor does with images handed to it. */
export interface ImageHandler {
  /** Keep pasted bytes; answers the kept image's id. */
  keepBytes(base64: string): Promise<string>;
  /** Told when an image is refused (the engine's message). */
  onError(e: unknown): void;
}

/** Pasted images go to the engine; a paste without files is left to the editor. */
export function imagePaste(handler: ImageHandler) {
  return EditorView.domEventHandlers({
    paste(event, view) {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length === 0) return false;
      event.preventDefault();
      const at = view.state.selection.main.head;
      void (async () => {
        let pos = at;
        for (const file of files) {
          try {
            const id = await handler.keepBytes(await fileToBase64(file));
            insertImage(view, id, Math.min(pos, view.state.doc.length));
            pos = view.state.selection.main.head;
          } catch (e) {
            handler.onError(e);
          }
        }
      })();
      return true;
    },
  });
}

/** The images' extensions: shown under their lines, and the alt text prompt. */
export const imageExtensions: Extension[] = [generation, imagesFound, imagesShown, altAsked];
