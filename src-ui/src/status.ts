// The words the status bar shows.

import type { ServerStatus, SyncStatus } from "./ipc";
import type { SaveState } from "./save-queue";

export function saveStateLabel(s: SaveState): string {
  switch (s.state) {
    case "pending":
      return "Editing…";
    case "saving":
      return "Saving…";
    case "saved":
      return "Saved";
    case "error":
      return `Not saved: ${s.message} (retrying)`;
  }
}

export function serverStatusLabel(s: ServerStatus): string {
  switch (s.state) {
    case "notconfigured":
      return "Offline mode";
    case "online":
      return `Server: connected`;
    case "offline":
      return `Server: ${s.reason}`;
  }
}

/** The sync indicator's words; `now` in Unix milliseconds. */
export function syncStatusLabel(s: SyncStatus, now: number): string {
  switch (s.state) {
    case "signedOut":
      return "Sync: not signed in";
    case "connecting":
      return "Sync: connecting…";
    case "syncing":
      return "Sync: syncing…";
    case "synced":
      return "Sync: up to date";
    case "offline": {
      const seconds = Math.max(0, Math.ceil((s.retryAt - now) / 1000));
      return seconds > 0 ? `Sync: offline, retrying in ${seconds} s` : "Sync: offline, retrying…";
    }
    case "signInNeeded":
      return "Sync: sign in again";
  }
}

/** What the bar says while images are on their way to the blog ("" when none are). */
export function uploadLabel(p: { imagesLeft: number; bytesLeft: number } | null): string {
  if (!p || p.imagesLeft === 0) return "";
  const images = p.imagesLeft === 1 ? "1 image" : `${p.imagesLeft} images`;
  const mb = p.bytesLeft / 1_000_000;
  const size = mb >= 1 ? `${mb.toFixed(1)} MB` : `${Math.max(1, Math.round(p.bytesLeft / 1000))} kB`;
  return `Sending ${images} to the blog · ${size} left`;
}
