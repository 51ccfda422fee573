// Publishing the open draft: the bar says whether it is on the blog (and whether it
// changed since); the dialog edits what readers and search engines see around it (slug,
// excerpt, tags, featured image, SEO fields: saved in the draft, so they sync and merge
// like the text), publishes it now or at a time, publishes it again, opens it on the blog
// in the system's browser, or takes it off. Publishing sends the draft as it is on this
// device.

import type { DraftDetails, Invoke, PublishOptions, PublishState } from "./ipc";
import { describeError } from "./ipc";

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
  at: HTMLInputElement;
  password: HTMLInputElement;
  error: HTMLElement;
  submit: HTMLButtonElement;
  view: HTMLButtonElement;
  unpublish: HTMLButtonElement;
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
    /** Told when the dialog saved the draft's details (the editor shows its tags). */
    private readonly onDetails: (d: DraftDetails) => void = () => {},
  ) {
    els.toggle.addEventListener("click", () => void this.openDialog());
    els.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.act(async () => {
        // The details first, in the draft (refused with the field named: nothing is
        // published); then the draft as it is now.
        const details = await this.invoke("set_draft_details", {
          id: this.id(),
          details: detailsFromFields(this.fields()),
        });
        this.onDetails(details);
        const options = publishOptions(details.slug, els.at.value, els.password.value);
        return this.invoke("publish", { id: this.id(), options });
      });
    });
    els.view.addEventListener("click", () => void this.view());
    els.unpublish.addEventListener("click", () => void this.act(() => this.invoke("unpublish", { id: this.id() })));
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
    this.els.view.hidden = !s?.published;
    if (s?.published && !this.els.slug.value) this.els.slug.value = s.published.slug;
  }

  async openDialog(): Promise<void> {
    this.els.error.hidden = true;
    this.els.slug.value = "";
    this.els.at.value = "";
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
