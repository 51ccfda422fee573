// Publishing the open draft: the bar says whether it is on the blog (and whether it
// changed since); the dialog edits what readers and search engines see around it (slug,
// excerpt, tags, featured image, SEO fields: saved in the draft, so they sync and merge
// like the text), publishes it now or at a time, publishes it again, opens it on the blog
// in the system's browser, or takes it off. Publishing sends the draft as it is on this
// device.

import type { DraftDetails, PublishOptions, PublishState } from "./ipc";
import { formatWhen } from "./when";

/** The dialog's detail fields, as typed. */
export interface DetailFields {
  slug: string;
  excerpt: string;
  tags: string;
  image: string;
  /** What the featured image shows, in words. */
  imageAlt: string;
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
    featuredImageAlt: f.imageAlt.trim(),
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
    imageAlt: d.featuredImageAlt,
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

/** The bar's data-state for a draft's place on the blog (styles and tests read it). */
export function publishStateKind(s: PublishState | null): "unknown" | "scheduled" | "draft" | "changed" | "published" {
  if (!s) return "unknown";
  if (s.scheduled) return "scheduled";
  if (!s.published) return "draft";
  return s.changedSince ? "changed" : "published";
}
