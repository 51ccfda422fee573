// The words the status bar shows.

import type { ServerStatus } from "./ipc";
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
