import { describe, expect, it } from "vitest";
import { placeLabel, sizeLabel, storageLabel, usedInLabel } from "./media-library";
import type { LibraryImage } from "./bindings/LibraryImage";

const image = (over: Partial<LibraryImage>): LibraryImage => ({
  id: "a".repeat(32),
  width: 1000,
  height: 700,
  bytes: 312_000,
  here: true,
  onBlog: false,
  addedAt: 0,
  drafts: [],
  ...over,
});

describe("the media library's words", () => {
  it("says sizes as people read them", () => {
    expect(sizeLabel(512)).toBe("512 bytes");
    expect(sizeLabel(812 * 1024)).toBe("812 KB");
    expect(sizeLabel(3.4 * 1024 * 1024)).toBe("3.4 MB");
    expect(sizeLabel(500 * 1024 * 1024)).toBe("500 MB");
    expect(sizeLabel(2 * 1024 ** 3)).toBe("2 GB");
  });

  it("says the blog's storage against its limit, or without one", () => {
    expect(storageLabel({ usedBytes: 4.2 * 1024 * 1024, limitBytes: 500 * 1024 * 1024 })).toBe("4.2 MB of 500 MB used on the blog");
    expect(storageLabel({ usedBytes: 0, limitBytes: null })).toBe("0 bytes used on the blog");
  });

  it("says where an image is and which drafts show it", () => {
    expect(placeLabel(image({ onBlog: true }))).toBe("On this device and the blog");
    expect(placeLabel(image({}))).toMatch(/^Only on this device/);
    expect(placeLabel(image({ here: false, onBlog: true }))).toMatch(/^On the blog/);
    expect(usedInLabel(image({}))).toBe("Not in any draft");
    expect(usedInLabel(image({ drafts: [{ id: "1", title: "Boats" }] }))).toBe("In “Boats”");
    expect(
      usedInLabel(image({ drafts: [{ id: "1", title: "Boats" }, { id: "2", title: "Gulls" }, { id: "3", title: "Sea" }] })),
    ).toBe("In “Boats” and 2 more");
  });
});
