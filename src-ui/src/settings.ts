// The app's settings as the window starts with them (the engine's are read at once),
// and the theme the window shows for a setting (following the system's when asked).

import type { Settings } from "./ipc";

export const DEFAULT_SETTINGS: Settings = {
  theme: "system",
  editorFont: "serif",
  fontSize: 18,
  lineWidth: 68,
  spellCheck: true,
  typewriter: true,
  focusScope: "paragraph",
  sort: "updated",
};

/** The theme to show: the chosen one, or the system's for "system". */
export function effectiveTheme(theme: Settings["theme"], systemDark: boolean): "light" | "dark" {
  if (theme === "system") return systemDark ? "dark" : "light";
  return theme;
}
