// The commands of the Rust side (desktop/src/commands.rs), with their types.
// Keep in step with the Rust definitions: the names and fields here are serde's.

export interface Splice {
  pos: number;
  delete: number;
  insert: string;
}

export interface DraftView {
  id: string;
  title: string;
  body: string;
  heads: string[];
}

export interface SaveReport {
  id: string;
  heads: string[];
  savedAt: number;
}

export type ServerStatus =
  | { state: "notconfigured" }
  | { state: "online"; url: string }
  | { state: "offline"; url: string; reason: string };

export interface CommandError {
  kind: "storeUnavailable" | "invalidEdit" | "notFound" | "internal";
  message: string;
  path?: string;
}

export type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

export function describeError(e: unknown): string {
  if (isCommandError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export interface DraftSummary {
  id: string;
  title: string;
  tags: string[];
  createdAt: number;
  updatedAt: number;
  trashedAt: number | null;
}

export type Sort = "updated" | "created" | "title";

export interface ListQuery {
  trash: boolean;
  tag: string | null;
  sort: Sort;
}

export interface Version {
  heads: string[];
  actor: string;
  author: string | null;
  time: number;
  changes: number;
}

/** pint-model's DraftContent (serde field names). */
export interface DraftContent {
  kind: "post" | "page";
  title: string;
  body: string;
  excerpt: string;
  slug: string;
  tags: string[];
  featured_image: string;
}

/** pint-model's Rendered (serde field names). */
export interface Rendered {
  html: string;
  word_count: number;
  reading_minutes: number;
  excerpt: string;
}
