// Publishing the open draft: the bar says whether it is on the blog (and whether it
// changed since); the dialog edits what readers and search engines see around it (slug,
// excerpt, tags, featured image, SEO fields: saved in the draft, so they sync and merge
// like the text), publishes it now or at a time, publishes it again, opens it on the blog
// in the system's browser, or takes it off. Publishing sends the draft as it is on this
// device.

import type { DraftDetails, Invoke, PublishOptions, PublishState } from "./ipc";
import { describeError, isCommandError } from "./ipc";
import { dateField, formatWhen, parseWhen, timeField } from "./when";

export interface PublishElements {
  toggle: HTMLButtonElement;
  status: HTMLElement;
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  state: HTMLElement;
  url: HTMLOutputElement;
  slug: HTMLInputElement;
  excerpt: HTMLTextAreaElement;
  tags: HTMLInputElement;
  image: HTMLInputElement;
  metaTitle: HTMLInputElement;
  metaDescription: HTMLTextAreaElement;
  canonical: HTMLInputElement;
  ogImage: HTMLInputElement;
  date: HTMLInputElement;
  time: HTMLInputElement;
  password: HTMLInputElement;
  error: HTMLElement;
  submit: HTMLButtonElement;
  view: HTMLButtonElement;
  unpublish: HTMLButtonElement;
  cancelSchedule: HTMLButtonElement;
}

/** The dialog's detail fields, as typed. */
export interface DetailFields {
  slug: string;
  excerpt: string;
  tags: string;
  image: string;
  metaTitle: string;
  metaDescription: string;
  canonical: string;
  ogImage: string;
}

/** The fields as the draft keeps them: tags split at commas, trimmed, once each. */
export function detailsFromFields(f: DetailFields): DraftDetails {
  const tags: string[] = [];
  for (const t of f.tags.split(",").map((t) => t.trim())) {
    if (t && !tags.includes(t)) tags.push(t);
  }
  return {
    slug: f.slug.trim(),
    excerpt: f.excerpt.trim(),
    tags,
    featuredImage: f.image.trim(),
    seo: {
      meta_title: f.metaTitle.trim(),
      meta_description: f.metaDescription.trim(),
      canonical_url: f.canonical.trim(),
      og_image: f.ogImage.trim(),
    },
  };
}

/** The draft's details in the dialog's fields. */
export function fieldsFromDetails(d: DraftDetails): DetailFields {
  return {
    slug: d.slug,
    excerpt: d.excerpt,
    tags: d.tags.join(", "),
    image: d.featuredImage,
    metaTitle: d.seo.meta_title,
    metaDescription: d.seo.meta_description,
    canonical: d.seo.canonical_url,
    ogImage: d.seo.og_image,
  };
}

/** The bar's words for a draft's place on the blog. */
export function publishLabel(s: PublishState | null): string {
  if (!s) return "";
  const base = !s.published ? "Not published" : s.changedSince ? "Published · changed since" : "Published";
  if (!s.scheduled) return base;
  const when = formatWhen(s.scheduled.runAt);
  const failed = s.scheduled.lastError ? ` (last try failed: ${s.scheduled.lastError})` : "";
  return `${base} · scheduled for ${when}${failed}`;
}

/** The dialog's fields as the publish command takes them (`at`: from `parseWhen`). */
export function publishOptions(slug: string, at: number | null, password: string): PublishOptions {
  return { slug, at, password: password === "" ? null : password };
}

/** How long until the soonest scheduled publication has surely run (its time plus a
 * few seconds for the server's scheduler), or null when none is due in the next day. */
export function nextScheduleWait(states: PublishState[], now: number): number | null {
  const SCHEDULER_SLACK_MS = 5_000;
  const times = states
    .map((s) => s.scheduled?.runAt)
    // A time long past is a publication that keeps failing: its error is shown, no need to poll.
    .filter((t): t is number => t !== undefined && t !== null && t > now - 60_000);
  if (times.length === 0) return null;
  const wait = Math.max(Math.min(...times) - now, 0) + SCHEDULER_SLACK_MS;
  return wait > 86_400_000 ? null : wait;
}

export class PublishPanel {
  private current: PublishState | null = null;
  /** The draft whose state is shown (kept through a failed refresh while offline). */
  private shownFor: string | null = null;
  private scheduleCheck: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly invoke: Invoke,
    private readonly els: PublishElements,
    private readonly draftId: () => string | null,
    /** Told when the dialog saved the draft's details (the editor shows its tags). */
    private readonly onDetails: (d: DraftDetails) => void = () => {},
  ) {
    els.toggle.addEventListener("click", () => void this.openDialog());
    els.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      // The moment first: a time that cannot be read publishes nothing.
      const when = parseWhen(els.date.value, els.time.value, Date.now());
      if ("error" in when) {
        this.fail(when.error);
        els.time.focus();
        return;
      }
      void this.act(async () => {
        // The details first, in the draft (refused with the field named: nothing is
        // published); then the draft as it is now.
        const details = await this.invoke("set_draft_details", {
          id: this.id(),
          details: detailsFromFields(this.fields()),
        });
        this.onDetails(details);
        const options = publishOptions(details.slug, when.at, els.password.value);
        const s = await this.invoke("publish", { id: this.id(), options });
        // The fields then show the moment as the server has it, in the status's clock.
        els.date.value = "";
        els.time.value = "";
        return s;
      });
    });
    els.view.addEventListener("click", () => void this.view());
    els.unpublish.addEventListener("click", () => void this.act(() => this.invoke("unpublish", { id: this.id() })));
    els.cancelSchedule.addEventListener("click", () => {
      void this.act(async () => {
        const s = await this.invoke("cancel_schedule", { id: this.id() });
        els.date.value = "";
        els.time.value = "";
        return s;
      });
    });
    for (const close of els.dialog.querySelectorAll<HTMLButtonElement>("[data-close]")) {
      close.addEventListener("click", () => els.dialog.close());
    }
  }

  private id(): string {
    return this.draftId() ?? "";
  }

  private fields(): DetailFields {
    const e = this.els;
    return {
      slug: e.slug.value,
      excerpt: e.excerpt.value,
      tags: e.tags.value,
      image: e.image.value,
      metaTitle: e.metaTitle.value,
      metaDescription: e.metaDescription.value,
      canonical: e.canonical.value,
      ogImage: e.ogImage.value,
    };
  }

  private fill(d: DraftDetails): void {
    const f = fieldsFromDetails(d);
    const e = this.els;
    e.slug.value = f.slug;
    e.excerpt.value = f.excerpt;
    e.tags.value = f.tags;
    e.image.value = f.image;
    e.metaTitle.value = f.metaTitle;
    e.metaDescription.value = f.metaDescription;
    e.canonical.value = f.canonical;
    e.ogImage.value = f.ogImage;
  }

  /** Open the post on the blog in the system's browser. */
  private async view(): Promise<void> {
    this.els.error.hidden = true;
    try {
      const url = await this.invoke("view_on_blog", { id: this.id() });
      this.els.state.textContent = `Opened ${url} in your browser`;
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Ask the server where the open draft stands. Signed out says nothing; offline keeps
   * what was last known of this draft (it is still on the blog). A scheduled publication
   * is looked at again just after its time, so "scheduled" turns into "published".
   */
  async refresh(): Promise<void> {
    const id = this.draftId();
    if (!id) return;
    try {
      const s = await this.invoke("publish_state", { id });
      if (this.draftId() !== id) return;
      this.shownFor = id;
      this.show(s);
      if (this.scheduleCheck) clearTimeout(this.scheduleCheck);
      const wait = nextScheduleWait([s], Date.now());
      this.scheduleCheck = wait === null ? null : setTimeout(() => void this.refresh(), wait);
    } catch (e) {
      const offline = !(isCommandError(e) && e.kind === "unauthorized");
      if (!(offline && this.shownFor === id)) {
        this.shownFor = null;
        this.show(null);
      }
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
    unpublish.hidden = !s?.published;
    this.els.view.hidden = !s?.published;
    this.els.cancelSchedule.hidden = !s?.scheduled;
    submit.textContent = s?.scheduled ? "Change schedule" : s?.published ? "Publish again" : "Publish";
    // The fields show the scheduled moment in the clock the status uses.
    if (s?.scheduled && !this.els.date.value && !this.els.time.value) {
      this.els.date.value = dateField(s.scheduled.runAt);
      this.els.time.value = timeField(s.scheduled.runAt);
    }
    if (s?.published && !this.els.slug.value) this.els.slug.value = s.published.slug;
  }

  async openDialog(): Promise<void> {
    this.els.error.hidden = true;
    this.els.slug.value = "";
    this.els.date.value = "";
    this.els.time.value = "";
    this.els.password.value = "";
    if (!this.els.dialog.open) this.els.dialog.showModal();
    try {
      // The draft's own details (they need no server), then where it stands.
      this.fill(await this.invoke("draft_details", { id: this.id() }));
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
      // The drafts list shows it too.
      this.els.dialog.dispatchEvent(new CustomEvent("published"));
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
