// The Rust side's commands (desktop/src/commands.rs) and their types. The types are
// generated from the Rust definitions (./bindings, checked fresh by pint-client's
// `ipc_bindings` test); this file only names the commands.

export type { CommandError } from "./bindings/CommandError";
export type { DamagedDraft } from "./bindings/DamagedDraft";
export type { DraftContent } from "./bindings/DraftContent";
export type { DraftSummary } from "./bindings/DraftSummary";
export type { DraftView } from "./bindings/DraftView";
export type { ListQuery } from "./bindings/ListQuery";
export type { Rendered } from "./bindings/Rendered";
export type { SaveReport } from "./bindings/SaveReport";
export type { ServerStatus } from "./bindings/ServerStatus";
export type { Sort } from "./bindings/Sort";
export type { Splice } from "./bindings/Splice";
export type { Version } from "./bindings/Version";

import type { CommandError } from "./bindings/CommandError";

export type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

export function describeError(e: unknown): string {
  if (isCommandError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
