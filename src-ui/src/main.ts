// The editor window: drafts sidebar, the editor on the open draft, live preview, history.
// Every keystroke is saved through the engine; the status bar says truthfully whether
// it is saved and whether the server is there.

import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";

import type { DraftView, Events, Invoke } from "./ipc";
import { describeError, isCommandError } from "./ipc";
import type { SaveState } from "./save-queue";
import { saveStateLabel, serverStatusLabel } from "./status";
import { DraftSession } from "./session";
import { Sidebar } from "./sidebar";
import { HistoryPanel } from "./history-panel";
import { TagEditor } from "./tag-editor";
import { damagedNotice } from "./damaged";
import { debounce } from "./debounce";
import { AccountPanel } from "./account-panel";
import { PublishPanel, nextScheduleWait } from "./publish-panel";

// Every command takes its arguments as one `args` object (pint-client's IPC contract).
const invoke: Invoke = (cmd, ...args) => tauriInvoke(cmd, { args: args[0] ?? {} });

/** Listen to one of the shell's events, its payload typed by pint-client's contract. */
function on<E extends keyof Events>(event: E, handler: (payload: Events[E]) => void): Promise<unknown> {
  return listen<Events[E]>(event, (e) => handler(e.payload));
}

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`missing #${id}`);
  return found as T;
}

function showProblem(message: string): void {
  const box = el("problem");
  box.textContent = message;
  box.hidden = false;
}

function reportError(e: unknown): void {
  showProblem(describeError(e));
}

let onSaved: () => void = () => {};
let savedSomething = false;

function showSaveState(s: SaveState): void {
  const status = el("save-status");
  status.dataset.state = s.state;
  status.textContent = saveStateLabel(s);
  // Only a save that followed typing changed the draft (opening one also says "saved").
  if (s.state === "saving") savedSomething = true;
  if (s.state === "saved" && savedSomething) {
    savedSomething = false;
    onSaved();
  }
}

async function pollServer(): Promise<void> {
  const status = el("server-status");
  try {
    const s = await invoke("server_status");
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

  let first: DraftView;
  try {
    first = await invoke("open_current_draft");
  } catch (e) {
    const where = isCommandError(e) && e.path ? `\n\nThe file is at: ${e.path}` : "";
    showProblem(`Your drafts could not be opened. ${describeError(e)}${where}`);
    showSaveState({ state: "error", message: "drafts unavailable" });
    return;
  }

  const session = new DraftSession(el("editor"), invoke, showSaveState);
  const title = el<HTMLInputElement>("title");
  const preview = el("preview");
  const facts = el("facts");

  const sidebar = new Sidebar(
    invoke,
    {
      list: el<HTMLUListElement>("drafts"),
      tagFilter: el<HTMLSelectElement>("tag-filter"),
      sort: el<HTMLSelectElement>("sort"),
    },
    {
      open: (id) => void openById(id),
      trash: (id) => void trashDraft(id),
      restore: (id) =>
        void invoke("restore_draft", { id })
          .then(() => refreshList())
          .catch(reportError),
    },
    reportError,
  );
  const historyPanel = new HistoryPanel(
    invoke,
    {
      panel: el("history"),
      list: el<HTMLOListElement>("versions"),
      preview: el("version-preview"),
      body: el("version-body"),
      restore: el<HTMLButtonElement>("restore-version"),
    },
    reportError,
  );

  const refreshList = () => sidebar.refresh(session.draft?.id ?? null);
  // Where every draft stands on the blog, for the drafts list (quietly nothing when
  // signed out or offline).
  // Offline, the last known states stay (a post does not leave the blog because this
  // device lost its network); signed out, there is no blog to show.
  let nextScheduleCheck: ReturnType<typeof setTimeout> | null = null;
  const refreshPublished = debounce(async () => {
    try {
      const states = await invoke("publish_states");
      sidebar.showPublished(states);
      // A scheduled publication goes live at its time: look again just after it.
      if (nextScheduleCheck) clearTimeout(nextScheduleCheck);
      const wait = nextScheduleWait(states.map((s) => s.state), Date.now());
      nextScheduleCheck = wait === null ? null : setTimeout(() => {
        refreshPublished();
        void publishing.refresh();
      }, wait);
    } catch (e) {
      if (isCommandError(e) && e.kind === "unauthorized") sidebar.showPublished([]);
    }
  }, 500);
  // A save changes where the draft stands relative to the server: the list says so (the
  // sync's own events refresh it again once the server has it).
  const refreshAfterSave = debounce(() => void refreshList(), 500);
  onSaved = () => {
    refreshAfterSave();
    if (publishing.state?.published) refreshPublish();
  };
  const tagEditor = new TagEditor(
    invoke,
    { list: el<HTMLUListElement>("draft-tags"), input: el<HTMLInputElement>("add-tag") },
    () => void refreshList(),
    reportError,
  );

  const account = new AccountPanel(
    invoke,
    {
      indicator: el<HTMLButtonElement>("sync-status"),
      dialog: el<HTMLDialogElement>("account"),
      form: el<HTMLFormElement>("sign-in-form"),
      server: el<HTMLInputElement>("sign-in-server"),
      email: el<HTMLInputElement>("sign-in-email"),
      password: el<HTMLInputElement>("sign-in-password"),
      blog: el<HTMLInputElement>("sign-in-blog"),
      create: el<HTMLInputElement>("sign-in-create"),
      hint: el("sign-in-hint"),
      verifyNotice: el("verify-notice"),
      verify: el("verify-note"),
      dismissVerify: el<HTMLButtonElement>("dismiss-verify"),
      error: el("sign-in-error"),
      signedIn: el("signed-in"),
      who: el("signed-in-as"),
      detail: el("sync-detail"),
      syncNow: el<HTMLButtonElement>("sync-now"),
      signOut: el<HTMLButtonElement>("sign-out"),
    },
    () => void refreshList(),
  );
  // Sync tells its status and which drafts changed from elsewhere; the open draft takes
  // the changes in without moving the cursor, the list shows where each draft stands.
  let lastSync = "";
  await on("sync-status", (sync) => {
    account.syncChanged(sync);
    // Just connected (signed in, back online): where the drafts stand on the blog.
    if (sync.state === "synced" && lastSync !== "synced") {
      refreshPublished();
      void publishing.refresh();
    }
    lastSync = sync.state;
  });
  await on("draft-changed", (id) => {
    if (id === session.draft?.id) {
      session
        .pullRemote()
        .then((remote) => {
          if (!remote) return;
          if (document.activeElement !== title) title.value = remote.title;
          tagEditor.show(remote.id, remote.tags);
        })
        .catch(reportError);
    }
    void refreshList();
  });
  await on("presence", (p) => session.showPresence(p));
  void account.refresh();

  const publishing = new PublishPanel(
    invoke,
    {
      toggle: el<HTMLButtonElement>("toggle-publish"),
      status: el("publish-status"),
      dialog: el<HTMLDialogElement>("publish"),
      form: el<HTMLFormElement>("publish-form"),
      state: el("publish-state"),
      url: el<HTMLOutputElement>("publish-url"),
      slug: el<HTMLInputElement>("publish-slug"),
      excerpt: el<HTMLTextAreaElement>("publish-excerpt"),
      tags: el<HTMLInputElement>("publish-tags"),
      image: el<HTMLInputElement>("publish-image"),
      metaTitle: el<HTMLInputElement>("publish-meta-title"),
      metaDescription: el<HTMLTextAreaElement>("publish-meta-description"),
      canonical: el<HTMLInputElement>("publish-canonical"),
      ogImage: el<HTMLInputElement>("publish-og-image"),
      date: el<HTMLInputElement>("publish-date"),
      time: el<HTMLInputElement>("publish-time"),
      password: el<HTMLInputElement>("publish-password"),
      error: el("publish-error"),
      submit: el<HTMLButtonElement>("publish-submit"),
      view: el<HTMLButtonElement>("view-on-blog"),
      unpublish: el<HTMLButtonElement>("unpublish"),
      cancelSchedule: el<HTMLButtonElement>("cancel-schedule"),
    },
    () => session.draft?.id ?? null,
    (details) => {
      const id = session.draft?.id;
      if (id) tagEditor.show(id, details.tags);
      void refreshList();
    },
  );
  // Whether the open draft changed since it was published: asked again after edits.
  el<HTMLDialogElement>("publish").addEventListener("published", () => refreshPublished());
  const refreshPublish = debounce(() => {
    void publishing.refresh();
    refreshPublished();
  }, 3000);

  async function show(draft: DraftView): Promise<void> {
    await session.open(draft);
    void publishing.refresh();
    title.value = draft.title;
    tagEditor.show(draft.id, draft.tags);
    await refreshList();
    refreshPublished();
    await showDamaged();
    if (historyPanel.open) void historyPanel.show(draft.id, restoreVersion);
  }

  // Drafts whose bytes no longer load are set aside, never deleted; say so, once per
  // set of drafts, until the user dismisses it.
  const damagedBox = el("damaged");
  let damagedDismissed = "";
  async function showDamaged(): Promise<void> {
    try {
      const notice = damagedNotice(await invoke("damaged_drafts"));
      const key = notice?.key ?? "";
      damagedBox.hidden = notice === null || key === damagedDismissed;
      if (notice) el("damaged-text").textContent = notice.text;
      damagedBox.dataset.key = key;
    } catch (e) {
      reportError(e);
    }
  }
  // A large draft's history loads behind its cached text; if that load finds the bytes
  // damaged, the next look says so.
  setInterval(() => void showDamaged(), 10_000);
  el("dismiss-damaged").addEventListener("click", () => {
    damagedDismissed = damagedBox.dataset.key ?? "";
    damagedBox.hidden = true;
  });

  async function openById(id: string): Promise<void> {
    try {
      await session.flush();
      await show(await invoke("open_draft", { id }));
      // Picked from the list: the next keystroke goes into the text.
      session.view.focus();
    } catch (e) {
      reportError(e);
      // A draft that could not be read was set aside: the list and notice change.
      if (isCommandError(e) && e.kind === "damaged") {
        await refreshList();
        await showDamaged();
      }
    }
  }

  async function newDraft(): Promise<void> {
    try {
      await show(await invoke("create_draft"));
      title.focus();
    } catch (e) {
      reportError(e);
    }
  }

  async function trashDraft(id: string): Promise<void> {
    try {
      await session.flush();
      await invoke("trash_draft", { id });
      if (session.draft?.id === id) {
        await show(await invoke("open_current_draft"));
      } else {
        await refreshList();
      }
    } catch (e) {
      reportError(e);
    }
  }

  function restoreVersion(heads: string[]): void {
    const id = session.draft?.id;
    if (!id) return;
    void (async () => {
      try {
        await session.flush();
        await show(await invoke("restore_version", { id, heads }));
      } catch (e) {
        reportError(e);
      }
    })();
  }

  const rename = debounce(() => {
    const id = session.draft?.id;
    if (!id) return;
    invoke("rename_draft", { id, title: title.value })
      .then(() => refreshList())
      .catch(reportError);
  }, 400);
  title.addEventListener("input", rename);
  // Enter (or Down at the end) in the title goes on in the text, as writing apps do.
  title.addEventListener("keydown", (ev) => {
    const atEnd = title.selectionStart === title.value.length;
    if (ev.key === "Enter" || (ev.key === "ArrowDown" && atEnd)) {
      ev.preventDefault();
      session.view.focus();
    }
  });

  const renderPreview = debounce(() => {
    invoke("render_preview", { markdown: session.text })
      .then((r) => {
        // Sanitized by pint-model: the same HTML the blog publishes.
        if (!preview.hidden) preview.innerHTML = r.html;
        facts.textContent = `${r.word_count} words · ${r.reading_minutes} min read`;
      })
      .catch(reportError);
  }, 200);
  session.onChange(renderPreview);

  const search = el<HTMLInputElement>("search");
  const doSearch = debounce(() => sidebar.setQuery(search.value), 150);
  search.addEventListener("input", doSearch);
  el("new-draft").addEventListener("click", () => void newDraft());

  const showDrafts = el("show-drafts");
  const showTrash = el("show-trash");
  const emptyTrash = el<HTMLButtonElement>("empty-trash");
  const setView = (trash: boolean) => {
    showDrafts.setAttribute("aria-pressed", String(!trash));
    showTrash.setAttribute("aria-pressed", String(trash));
    emptyTrash.hidden = !trash;
    emptyTrash.textContent = "Empty trash";
    delete emptyTrash.dataset.armed;
    sidebar.setTrash(trash);
  };
  showDrafts.addEventListener("click", () => setView(false));
  showTrash.addEventListener("click", () => setView(true));
  // Deleting for good takes two clicks: the first says what the second will do.
  emptyTrash.addEventListener("click", () => {
    if (emptyTrash.dataset.armed !== "true") {
      emptyTrash.dataset.armed = "true";
      emptyTrash.textContent = "Click again to delete for good";
      setTimeout(() => {
        delete emptyTrash.dataset.armed;
        emptyTrash.textContent = "Empty trash";
      }, 4000);
      return;
    }
    invoke("empty_trash")
      .then(() => setView(true))
      .catch(reportError);
  });

  const togglePreview = () => {
    preview.hidden = !preview.hidden;
    el("toggle-preview").setAttribute("aria-pressed", String(!preview.hidden));
    renderPreview();
  };
  const toggleHistory = () => {
    const id = session.draft?.id;
    if (historyPanel.open || !id) historyPanel.hide();
    else void historyPanel.show(id, restoreVersion);
    el("toggle-history").setAttribute("aria-pressed", String(historyPanel.open));
  };
  el("toggle-preview").addEventListener("click", togglePreview);
  el("toggle-history").addEventListener("click", toggleHistory);

  const setFocusMode = (on: boolean) => {
    document.body.classList.toggle("focus", on);
    if (on) session.view.focus();
  };
  document.addEventListener("keydown", (ev) => {
    // Keys the editor took (bold, italic, link, find…) are not the app's.
    if (ev.defaultPrevented) return;
    if (ev.key === "F8") {
      ev.preventDefault();
      setFocusMode(!document.body.classList.contains("focus"));
      return;
    }
    if (ev.key === "Escape" && document.body.classList.contains("focus") && !document.querySelector("dialog[open]")) {
      setFocusMode(false);
      return;
    }
    if (!(ev.ctrlKey || ev.metaKey)) return;
    const key = ev.key.toLowerCase();
    const actions: Record<string, () => void> = {
      n: () => void newDraft(),
      p: togglePreview,
      h: toggleHistory,
    };
    if (ev.shiftKey && key === "f") {
      ev.preventDefault();
      search.focus();
      search.select();
      return;
    }
    const action = actions[key];
    if (action && !ev.shiftKey && !ev.altKey) {
      ev.preventDefault();
      action();
    }
  });

  await show(first);
  session.view.focus();
  // For the start-up benchmark (src-ui/e2e/app.measure.ts): the window is editable now.
  performance.mark("pint-editable");
  renderPreview();

  // Closing the window waits for the last keystrokes to be committed.
  await getCurrentWindow().onCloseRequested(async () => {
    await session.flush();
  });
}

start().catch((e: unknown) => showProblem(`Pint could not start: ${describeError(e)}`));
