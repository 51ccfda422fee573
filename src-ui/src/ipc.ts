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
