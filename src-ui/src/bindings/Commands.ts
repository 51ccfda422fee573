// Generated from pint-client's ipc contract (desktop/client/src/ipc/mod.rs) by the ipc_bindings test. Do not edit.
import type { DamagedDraft } from "./DamagedDraft";
import type { DraftContent } from "./DraftContent";
import type { DraftSummary } from "./DraftSummary";
import type { DraftView } from "./DraftView";
import type { ListQuery } from "./ListQuery";
import type { Rendered } from "./Rendered";
import type { SaveReport } from "./SaveReport";
import type { ServerStatus } from "./ServerStatus";
import type { Splice } from "./Splice";
import type { TagCount } from "./TagCount";
import type { Version } from "./Version";

export interface Commands {
  open_current_draft: { args: Record<symbol, never>; result: DraftView };
  open_draft: { args: { id: string, }; result: DraftView };
  save_edits: { args: { id: string, splices: Array<Splice>, }; result: SaveReport };
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
}
