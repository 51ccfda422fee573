// Generated from pint-client's ipc contract (desktop/client/src/ipc/mod.rs) by the ipc_bindings test. Do not edit.
import type { AccountStatus } from "./AccountStatus";
import type { CheckPrefs } from "./CheckPrefs";
import type { DamagedDraft } from "./DamagedDraft";
import type { DraftContent } from "./DraftContent";
import type { DraftDetails } from "./DraftDetails";
import type { DraftPublished } from "./DraftPublished";
import type { DraftSummary } from "./DraftSummary";
import type { DraftSync } from "./DraftSync";
import type { DraftView } from "./DraftView";
import type { ExportFormat } from "./ExportFormat";
import type { Finding } from "./Finding";
import type { FindingKind } from "./FindingKind";
import type { ListQuery } from "./ListQuery";
import type { MediaInfo } from "./MediaInfo";
import type { MediaLibrary } from "./MediaLibrary";
import type { PeerPresence } from "./PeerPresence";
import type { PublishOptions } from "./PublishOptions";
import type { PublishState } from "./PublishState";
import type { RemoteChanges } from "./RemoteChanges";
import type { Rendered } from "./Rendered";
import type { SaveReport } from "./SaveReport";
import type { Selection } from "./Selection";
import type { ServerStatus } from "./ServerStatus";
import type { Settings } from "./Settings";
import type { SignIn } from "./SignIn";
import type { Splice } from "./Splice";
import type { TagCount } from "./TagCount";
import type { UploadProgress } from "./UploadProgress";
import type { Version } from "./Version";

export interface Commands {
  open_current_draft: { args: Record<symbol, never>; result: DraftView };
  open_draft: { args: { id: string, }; result: DraftView };
  save_edits: { args: { id: string, splices: Array<Splice>, base: Array<string>, }; result: SaveReport };
  changes_since: { args: { id: string, base: Array<string>, }; result: RemoteChanges };
  account_status: { args: Record<symbol, never>; result: AccountStatus };
  sign_in: { args: { form: SignIn, }; result: AccountStatus };
  sign_out: { args: Record<symbol, never>; result: AccountStatus };
  sync_now: { args: Record<symbol, never>; result: null };
  publish_state: { args: { id: string, }; result: PublishState };
  publish: { args: { id: string, options: PublishOptions, }; result: PublishState };
  unpublish: { args: { id: string, }; result: PublishState };
  cancel_schedule: { args: { id: string, }; result: PublishState };
  publish_states: { args: Record<symbol, never>; result: Array<DraftPublished> };
  view_on_blog: { args: { id: string, }; result: string };
  draft_details: { args: { id: string, }; result: DraftDetails };
  set_draft_details: { args: { id: string, details: DraftDetails, }; result: DraftDetails };
  set_presence: { args: { id: string, selection: Selection | null, }; result: null };
  server_status: { args: Record<symbol, never>; result: ServerStatus };
  list_drafts: { args: { query: ListQuery, }; result: Array<DraftSummary> };
  list_tags: { args: Record<symbol, never>; result: Array<TagCount> };
  search_drafts: { args: { query: string, }; result: Array<DraftSummary> };
  create_draft: { args: Record<symbol, never>; result: DraftView };
  rename_draft: { args: { id: string, title: string, }; result: SaveReport };
  add_tag: { args: { id: string, tag: string, }; result: Array<string> };
  remove_tag: { args: { id: string, tag: string, }; result: Array<string> };
  trash_draft: { args: { id: string, }; result: null };
  restore_draft: { args: { id: string, }; result: null };
  empty_trash: { args: Record<symbol, never>; result: number };
  list_versions: { args: { id: string, }; result: Array<Version> };
  preview_version: { args: { id: string, heads: Array<string>, }; result: DraftContent };
  restore_version: { args: { id: string, heads: Array<string>, }; result: DraftView };
  render_preview: { args: { markdown: string, }; result: Rendered };
  damaged_drafts: { args: Record<symbol, never>; result: Array<DamagedDraft> };
  settings: { args: Record<symbol, never>; result: Settings };
  set_settings: { args: { settings: Settings, }; result: Settings };
  export_draft: { args: { id: string, format: ExportFormat, }; result: string };
  add_image_file: { args: { path: string, }; result: MediaInfo };
  add_image_bytes: { args: { base64: string, }; result: MediaInfo };
  media_library: { args: Record<symbol, never>; result: MediaLibrary };
  remove_image: { args: { id: string, }; result: MediaLibrary };
  check_text: { args: { id: string, text: string, }; result: Array<Finding> };
  check_prefs: { args: Record<symbol, never>; result: CheckPrefs };
  set_check_prefs: { args: { prefs: CheckPrefs, }; result: CheckPrefs };
  ignore_finding: { args: { id: string, rule: string, text: string, }; result: null };
  set_word_goal: { args: { id: string, goal: number | null, }; result: null };
}

/** The events the shell sends the window, by name, with their payloads. */
export interface Events {
  "sync-status": AccountStatus["sync"];
  "draft-changed": string;
  "presence": PeerPresence;
  "media-upload": UploadProgress;
  "media-arrived": string;
  "menu": string;
}
