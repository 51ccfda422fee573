// Publishing the open draft: the bar says whether it is on the blog (and whether it
// changed since), the dialog publishes it (with an optional slug), publishes it again,
// or takes it off. Publishing sends the draft as it is on this device.

import type { Invoke, PublishOptions, PublishState } from "./ipc";
import { describeError } from "./ipc";

export interface PublishElements {
  toggle: HTMLButtonElement;
  status: HTMLElement;
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  state: HTMLElement;
  url: HTMLOutputElement;
  slug: HTMLInputElement;
  at: HTMLInputElement;
  password: HTMLInputElement;
  error: HTMLElement;
  submit: HTMLButtonElement;
  unpublish: HTMLButtonElement;
}

/** The bar's words for a draft's place on the blog. */
export function publishLabel(s: PublishState | null): string {
  if (!s) return "";
  const base = !s.published ? "Not published" : s.changedSince ? "Published · changed since" : "Published";
  if (!s.scheduled) return base;
  const when = new Date(s.scheduled.runAt).toLocaleString();
  const failed = s.scheduled.lastError ? ` (last try failed: ${s.scheduled.lastError})` : "";
  return `${base} · scheduled for ${when}${failed}`;
}

/** The dialog's fields as the publish command takes them. */
export function publishOptions(slug: string, at: string, password: string): PublishOptions {
  const when = at ? new Date(at).getTime() : Number.NaN;
  return {
    slug,
    at: Number.isFinite(when) ? when : null,
    password: password === "" ? null : password,
  };
}

export class PublishPanel {
  private current: PublishState | null = null;

  constructor(
    private readonly invoke: Invoke,
    private readonly els: PublishElements,
    private readonly draftId: () => string | null,
  ) {
    els.toggle.addEventListener("click", () => void this.openDialog());
    els.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const options = publishOptions(els.slug.value, els.at.value, els.password.value);
      void this.act(() => this.invoke("publish", { id: this.id(), options }));
    });
    els.unpublish.addEventListener("click", () => void this.act(() => this.invoke("unpublish", { id: this.id() })));
    for (const close of els.dialog.querySelectorAll<HTMLButtonElement>("[data-close]")) {
      close.addEventListener("click", () => els.dialog.close());
    }
  }

  private id(): string {
    return this.draftId() ?? "";
  }

  /** Ask the server where the open draft stands (quietly: signed out says nothing). */
  async refresh(): Promise<void> {
    const id = this.draftId();
    if (!id) return;
    try {
      this.show(await this.invoke("publish_state", { id }));
    } catch {
      this.show(null);
    }
  }

  private show(s: PublishState | null): void {
    this.current = s;
    const { status, state, url, submit, unpublish } = this.els;
    status.textContent = publishLabel(s);
    status.dataset.state = !s
      ? "unknown"
      : s.scheduled
        ? "scheduled"
        : !s.published
          ? "draft"
          : s.changedSince
            ? "changed"
            : "published";
    state.textContent = s ? publishLabel(s) : "";
    url.value = s?.published?.url ?? "";
    url.hidden = !s?.published;
    submit.textContent = s?.published ? "Publish again" : "Publish";
    unpublish.hidden = !s?.published;
    if (s?.published && !this.els.slug.value) this.els.slug.value = s.published.slug;
  }

  async openDialog(): Promise<void> {
    this.els.error.hidden = true;
    this.els.slug.value = "";
    this.els.at.value = "";
    this.els.password.value = "";
    if (!this.els.dialog.open) this.els.dialog.showModal();
    try {
      this.show(await this.invoke("publish_state", { id: this.id() }));
    } catch (e) {
      this.fail(e);
    }
  }

  private async act(action: () => Promise<PublishState>): Promise<void> {
    this.els.error.hidden = true;
    this.els.submit.disabled = true;
    try {
      this.show(await action());
    } catch (e) {
      this.fail(e);
    } finally {
      this.els.submit.disabled = false;
    }
  }

  private fail(e: unknown): void {
    this.els.error.textContent = describeError(e);
    this.els.error.hidden = false;
  }

  get state(): PublishState | null {
    return this.current;
  }
}
