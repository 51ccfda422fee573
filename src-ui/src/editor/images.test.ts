import { afterEach, describe, expect, it, vi } from "vitest";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

import {
  cleanAlt,
  fileToBase64,
  findImages,
  imageExtensions,
  imageMarkdown,
  imagePaste,
  insertImage,
  mediaBase,
  setAlt,
} from "./images";

const ID = "0123456789abcdef0123456789abcdef";
const OTHER = "fedcba9876543210fedcba9876543210";

function viewOf(doc: string, extensions: Extension[] = imageExtensions): EditorView {
  const parent = document.createElement("div");
  document.body.append(parent);
  return new EditorView({ parent, state: EditorState.create({ doc, extensions }) });
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("image markdown", () => {
  it("finds kept images and their alt text, and nothing that only looks like one", () => {
    const text = `Intro\n\n![A harbour](media:${ID})\n\n![](media:${OTHER}) ![x](media:nothex) ![y](https://e.com/a.png)`;
    const found = findImages(text);
    expect(found.map((f) => [f.id, f.alt])).toEqual([
      [ID, "A harbour"],
      [OTHER, ""],
    ]);
    const [first] = found;
    expect(text.slice(first!.from, first!.to)).toBe(`![A harbour](media:${ID})`);
    expect(text.slice(first!.altFrom, first!.altFrom + 9)).toBe("A harbour");
  });

  it("keeps alt text to one line without brackets", () => {
    expect(cleanAlt("  two\nlines ] and [ brackets  ")).toBe("two lines and brackets");
    expect(imageMarkdown(ID, "a [b]")).toBe(`![a b](media:${ID})`);
  });

  it("reaches the scheme the way each platform's web view does", () => {
    expect(mediaBase("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit")).toBe("pint-media://localhost");
    expect(mediaBase("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120")).toBe("http://pint-media.localhost");
  });
});

describe("putting an image in the text", () => {
  it("puts it on a line of its own, shows it under the line, and asks for its alt text", () => {
    const view = viewOf("Before after");
    insertImage(view, ID, 6);
    expect(view.state.doc.toString()).toBe(`Before\n\n![](media:${ID})\n\nafter`);
    const img = view.dom.querySelector(".cm-image img") as HTMLImageElement;
    expect(img.getAttribute("src")).toBe(`pint-media://localhost/${ID}/960.webp`);
    const input = view.dom.querySelector("#alt-text") as HTMLInputElement;
    expect(input).not.toBeNull();
    input.value = "Two boats [at] dawn";
    (view.dom.querySelector(".cm-alt-panel") as HTMLFormElement).requestSubmit();
    expect(view.state.doc.toString()).toBe(`Before\n\n![Two boats at dawn](media:${ID})\n\nafter`);
    expect(view.dom.querySelector("#alt-text")).toBeNull();
    expect((view.dom.querySelector(".cm-image img") as HTMLImageElement).alt).toBe("Two boats at dawn");
  });

  it("asks about the right image after text moves it, and stops asking when it is deleted", () => {
    const view = viewOf("");
    insertImage(view, ID, 0);
    view.dispatch({ changes: { from: 0, insert: "Title\n\n" } });
    expect(setAlt(view, 7, "Moved")).toBe(true);
    expect(view.state.doc.toString()).toBe(`Title\n\n![Moved](media:${ID})`);
    insertImage(view, OTHER, view.state.doc.length);
    expect(view.dom.querySelector("#alt-text")).not.toBeNull();
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: "" } });
    expect(view.dom.querySelector("#alt-text")).toBeNull();
    expect(setAlt(view, 0, "gone")).toBe(false);
  });

  it("shows the images again when their files arrive", async () => {
    const { refreshImages } = await import("./images");
    const view = viewOf(`![Boats](media:${ID})`);
    const src = () => (view.dom.querySelector(".cm-image img") as HTMLImageElement).getAttribute("src");
    expect(src()).toBe(`pint-media://localhost/${ID}/960.webp`);
    refreshImages(view);
    expect(src()).toBe(`pint-media://localhost/${ID}/960.webp?v=1`);
  });

  it("shows the image's id only while the cursor is on its line", () => {
    const view = viewOf(`Words\n\n![Boats](media:${ID})`);
    view.dispatch({ selection: { anchor: 0 } });
    expect(view.contentDOM.textContent).toContain("![Boats](image)");
    expect(view.contentDOM.textContent).not.toContain(ID);
    view.dispatch({ selection: { anchor: view.state.doc.length } });
    expect(view.contentDOM.textContent).toContain(`![Boats](media:${ID})`);
  });

  it("hands pasted files to the engine and writes what it kept; refusals are reported", async () => {
    const keepBytes = vi.fn(async (b64: string) => (b64 === btoa("bad") ? Promise.reject(new Error("not an image")) : ID));
    const onError = vi.fn();
    const view = viewOf("Text", [...imageExtensions, imagePaste({ keepBytes, onError })]);
    view.dispatch({ selection: { anchor: 4 } });
    const paste = (files: File[], text = "") => {
      const event = new Event("paste", { bubbles: true, cancelable: true }) as ClipboardEvent;
      const getData = (type: string) => (type === "text/plain" ? text : "");
      Object.defineProperty(event, "clipboardData", { value: { files, getData } });
      view.contentDOM.dispatchEvent(event);
      return event;
    };
    const event = paste([new File(["png!"], "shot.png", { type: "image/png" })]);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(view.state.doc.toString()).toBe(`Text\n\n![](media:${ID})`));
    expect(keepBytes).toHaveBeenCalledWith(btoa("png!"));
    paste([new File(["bad"], "notes.png", { type: "image/png" })]);
    await vi.waitFor(() => expect(onError).toHaveBeenCalled());
    expect(view.state.doc.toString()).toBe(`Text\n\n![](media:${ID})`);
    // A paste of text is the editor's own.
    paste([], " more");
    expect(keepBytes).toHaveBeenCalledTimes(2);
    expect(view.state.doc.toString()).toContain(" more");
  });

  it("encodes large files in pieces", async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 251);
    const b64 = await fileToBase64(new Blob([bytes]));
    expect(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))).toEqual(bytes);
  });
});
