// The Rust side's commands and their types, all generated from pint-client's IPC
// contract (./bindings, checked fresh by pint-client's `ipc_bindings` test): a command
// name, its arguments and its result are checked by the compiler on both sides.

export type { CommandError } from "./bindings/CommandError";
export type { DamagedDraft } from "./bindings/DamagedDraft";
export type { DraftContent } from "./bindings/DraftContent";
export type { LinkStatus } from "./bindings/LinkStatus";
export type { DraftSummary } from "./bindings/DraftSummary";
export type { DraftView } from "./bindings/DraftView";
export type { ListQuery } from "./bindings/ListQuery";
export type { Rendered } from "./bindings/Rendered";
export type { SaveReport } from "./bindings/SaveReport";
export type { ServerStatus } from "./bindings/ServerStatus";
export type { Sort } from "./bindings/Sort";
export type { Splice } from "./bindings/Splice";
export type { TagCount } from "./bindings/TagCount";
export type { Version } from "./bindings/Version";
export type { Commands, Events } from "./bindings/Commands";
export type { Account } from "./bindings/Account";
export type { AccountStatus } from "./bindings/AccountStatus";
export type { DraftSync } from "./bindings/DraftSync";
export type { RemoteChanges } from "./bindings/RemoteChanges";
export type { SignIn } from "./bindings/SignIn";
export type { PeerPresence } from "./bindings/PeerPresence";
export type { PublishState } from "./bindings/PublishState";
export type { PublishOptions } from "./bindings/PublishOptions";
export type { Selection } from "./bindings/Selection";
export type { SyncStatus } from "./bindings/SyncStatus";
export type { DraftDetails } from "./bindings/DraftDetails";
export type { DraftPublished } from "./bindings/DraftPublished";
export type { MediaInfo } from "./bindings/MediaInfo";
export type { CheckPrefs } from "./bindings/CheckPrefs";
export type { Finding } from "./bindings/Finding";
export type { FindingKind } from "./bindings/FindingKind";
export type { Provider } from "./bindings/Provider";
export type { ProviderConfig } from "./bindings/ProviderConfig";
export type { NewProvider } from "./bindings/NewProvider";
export type { Settings } from "./bindings/Settings";
export type { AiEvent } from "./bindings/AiEvent";
export type { AiUpdate } from "./bindings/AiUpdate";
export type { ReviewDone } from "./bindings/ReviewDone";
export type { Suggestion } from "./bindings/Suggestion";
export type { SuggestionKind } from "./bindings/SuggestionKind";
export type { Severity } from "./bindings/Severity";
export type { TextRange } from "./bindings/TextRange";
export type { Usage } from "./bindings/Usage";
export type { WriteDone } from "./bindings/WriteDone";

import type { CommandError } from "./bindings/CommandError";
import type { Commands, Events } from "./bindings/Commands";

export type CommandName = keyof Commands;
export type ArgsOf<C extends CommandName> = Commands[C]["args"];
export type ResultOf<C extends CommandName> = Commands[C]["result"];

/** Call a command: arguments may be left out only when the command takes none. */
export type Invoke = <C extends CommandName>(
  cmd: C,
  ...args: {} extends ArgsOf<C> ? [ArgsOf<C>?] : [ArgsOf<C>]
) => Promise<ResultOf<C>>;

/** Listen to one of the shell's events, its payload typed by the contract. */
export type Listen = <E extends keyof Events>(event: E, handler: (payload: Events[E]) => void) => Promise<unknown>;

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

export function describeError(e: unknown): string {
  if (isCommandError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
