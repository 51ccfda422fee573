// Words and numbers for the media library: sizes, the blog's storage, where an image is.

import type { BlogStorage } from "./bindings/BlogStorage";
import type { LibraryImage } from "./bindings/LibraryImage";

/**
 * A size in bytes as people read it: "812 KB", "3.4 MB", "500 MB" (in units of 1024, as
 * the plans' limits are set).
 */
export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value >= 100 || Number.isInteger(value) ? Math.round(value).toString() : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

/** The blog's storage: "4.2 MB of 500 MB used" (or only what is used, with no limit). */
export function storageLabel(storage: BlogStorage): string {
  const used = sizeLabel(storage.usedBytes);
  return storage.limitBytes === null ? `${used} used on the blog` : `${used} of ${sizeLabel(storage.limitBytes)} used on the blog`;
}

/** Where an image is kept. */
export function placeLabel(image: LibraryImage): string {
  if (image.here && image.onBlog) return "On this device and the blog";
  if (image.here) return "Only on this device";
  return "On the blog only";
}

/** Which drafts show it: "In “Boats”", "In “Boats” and 2 more", "Not in any draft". */
export function usedInLabel(image: LibraryImage): string {
  const [first, ...rest] = image.drafts;
  if (!first) return "Not in any draft";
  if (rest.length === 0) return `In “${first.title}”`;
  return `In “${first.title}” and ${rest.length} more`;
}
