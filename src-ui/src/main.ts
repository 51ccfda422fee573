// The window's entry point: the app component, given the shell's typed IPC (every
// command takes its arguments as one `args` object: pint-client's IPC contract), its
// events, its menu and its close request.

import { mount } from "svelte";
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { getCurrentWebview } from "@tauri-apps/api/webview";

import type { Events, Invoke, Listen } from "./ipc";
import { describeError } from "./ipc";
import App from "./components/App.svelte";

const invoke: Invoke = (cmd, ...args) => tauriInvoke(cmd, { args: args[0] ?? {} });

const listen: Listen = <E extends keyof Events>(event: E, handler: (payload: Events[E]) => void) =>
  tauriListen<Events[E]>(event, (e) => handler(e.payload));

try {
  mount(App, {
    target: document.body,
    props: {
      invoke,
      listen,
      beforeClose: (f) => void getCurrentWindow().onCloseRequested(f),
      onMenu: (handler) => void listen("menu", handler),
      // The shell reads dropped files itself: the web view gets their paths.
      onFileDrop: (handler) =>
        void getCurrentWebview().onDragDropEvent((e) => {
          if (e.payload.type !== "drop") return;
          const scale = window.devicePixelRatio || 1;
          handler(e.payload.paths, e.payload.position.x / scale, e.payload.position.y / scale);
        }),
    },
  });
} catch (e) {
  document.body.textContent = `Pint could not start: ${describeError(e)}`;
}
