//! The contract between the desktop window and Rust: every command's name, its
//! arguments and its result, declared once here. pint-desktop implements each command
//! with exactly these types (`Reply<Args>`), and the TypeScript side gets
//! `src-ui/src/bindings/Commands.ts` generated from the same list, so a renamed
//! command, a changed argument or a changed result fails to compile on one side or the
//! other (checked fresh by the `ipc_bindings` test).

mod error;

pub use error::{CommandError, ErrorKind};

use std::collections::BTreeMap;

use pint_model::render::Rendered;
use pint_model::wire::{BillingView, PlanView};
use pint_model::{DocumentId, DraftContent, Splice};
use serde::{Deserialize, Serialize};
use ts_rs::{Config, TS, TypeVisitor};

use crate::account::SignIn;
use crate::ai::keys::NewProvider;
use crate::ai::probe::KeyWorks;
use crate::ai::review::ReviewRequest;
use crate::ai::write::{DraftBrief, Rewrite};
use crate::ai::{AiEvent, ProviderConfig};
use crate::checks::{CheckPrefs, Finding};
use crate::export::ExportFormat;
use crate::files::link::LinkStatus;
use crate::media::library::MediaLibrary;
use crate::media::upload::UploadProgress;
use crate::publish::{DraftPublished, PublishOptions, PublishState};
use crate::server::ServerStatus;
use crate::store::{Account, DamagedDraft, DraftSummary, ListQuery, MediaInfo, Settings, TagCount};
use crate::sync::{PeerPresence, Selection, SyncStatus};
use crate::{DraftDetails, DraftView, RemoteChanges, SaveReport, Version};

/// The events the shell sends the window, by name (payloads in `Events` on the
/// TypeScript side).
pub mod events {
    /// The background sync's status changed; payload: `SyncStatus`.
    pub const SYNC_STATUS: &str = "sync-status";
    /// Changes from elsewhere were saved into a draft; payload: its id.
    pub const DRAFT_CHANGED: &str = "draft-changed";
    /// A collaborator's cursor moved, or they left a draft; payload: `PeerPresence`.
    pub const PRESENCE: &str = "presence";
    /// Images are on their way to the blog; payload: `UploadProgress` (all zero: done).
    pub const MEDIA_UPLOAD: &str = "media-upload";
    /// Images a draft shows arrived from the blog (a teammate's); payload: its id.
    pub const MEDIA_ARRIVED: &str = "media-arrived";
    /// A menu item was chosen; payload: its action's name.
    pub const MENU: &str = "menu";
    /// A request to an AI provider streamed on; payload: `AiEvent`.
    pub const AI: &str = "ai";
}

/// Who this device is signed in as and how its sync stands.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountStatus {
    pub account: Option<Account>,
    pub sync: SyncStatus,
    /// The server address to offer in the sign-in form (`PINT_SERVER_URL`).
    pub default_server: Option<String>,
}

/// One command's arguments; `Output` is what it answers on success.
pub trait Command: for<'de> Deserialize<'de> + TS + 'static {
    /// The name the front end invokes it by.
    const NAME: &'static str;
    type Output: Serialize + TS + 'static;
}

/// What a command answers: its output, or a `CommandError`.
pub type Reply<C> = Result<<C as Command>::Output, CommandError>;

macro_rules! commands {
    ($(
        $(#[$doc:meta])*
        $name:literal => $args:ident { $( $(#[$fattr:meta])* $field:ident : $fty:ty ),* $(,)? } -> $out:ty;
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Deserialize, TS)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            pub struct $args { $( $(#[$fattr])* pub $field: $fty, )* }

            impl Command for $args {
                const NAME: &'static str = $name;
                type Output = $out;
            }
        )*

        /// Every command's name, in the order they are declared.
        pub const NAMES: &[&str] = &[$($name),*];

        /// The `Commands` interface for TypeScript: name → { args, result }.
        pub fn typescript(cfg: &Config) -> String {
            let mut imports = BTreeMap::new();
            let mut entries = String::new();
            $(
                entries.push_str(&entry::<$args>(cfg, &mut imports));
            )*
            // Event payloads named below.
            collect_imports::<PeerPresence>(cfg, &mut imports, false);
            collect_imports::<UploadProgress>(cfg, &mut imports, false);
            collect_imports::<AiEvent>(cfg, &mut imports, false);
            let mut out = String::from(
                "// Generated from pint-client's ipc contract (desktop/client/src/ipc/mod.rs) \
                 by the ipc_bindings test. Do not edit.\n",
            );
            for (name, path) in &imports {
                out.push_str(&format!("import type {{ {name} }} from \"./{path}\";\n"));
            }
            out.push_str("\nexport interface Commands {\n");
            out.push_str(&entries);
            out.push_str("}\n");
            out.push_str(&format!(
                "\n/** The events the shell sends the window, by name, with their payloads. */\n\
                 export interface Events {{\n  \"{}\": AccountStatus[\"sync\"];\n  \"{}\": string;\n  \
                 \"{}\": {};\n  \"{}\": {};\n  \"{}\": string;\n  \"{}\": string;\n  \"{}\": {};\n}}\n",
                events::SYNC_STATUS,
                events::DRAFT_CHANGED,
                events::PRESENCE,
                PeerPresence::name(cfg),
                events::MEDIA_UPLOAD,
                UploadProgress::name(cfg),
                events::MEDIA_ARRIVED,
                events::MENU,
                events::AI,
                AiEvent::name(cfg),
            ));
            out
        }
    };
}

commands! {
    /// The most recently edited draft (or a new one when there is none).
    "open_current_draft" => OpenCurrentDraftArgs {} -> DraftView;
    "open_draft" => OpenDraftArgs { #[ts(type = "string")] id: DocumentId } -> DraftView;
    /// Editor splices (UTF-16 positions) typed against the text at `base` (the heads
    /// the editor's text stands at); answers once they are durable.
    "save_edits" => SaveEditsArgs {
        #[ts(type = "string")] id: DocumentId,
        splices: Vec<Splice>,
        base: Vec<String>,
    } -> SaveReport;
    /// What reached a draft from elsewhere since the editor's `base`.
    "changes_since" => ChangesSinceArgs {
        #[ts(type = "string")] id: DocumentId,
        base: Vec<String>,
    } -> RemoteChanges;
    "account_status" => AccountStatusArgs {} -> AccountStatus;
    /// Sign in (or create the account) and start syncing.
    "sign_in" => SignInArgs { form: SignIn } -> AccountStatus;
    /// Stop syncing, end the session on the server, forget the token. Drafts stay.
    "sign_out" => SignOutArgs {} -> AccountStatus;
    /// Connect or look for changes now (never needed: sync runs by itself).
    "sync_now" => SyncNowArgs {} -> ();
    /// Where the creator is in the open draft, shown to collaborators (`null`: left it).
    /// Collaborators already there say where they are within 10 s.
    /// Whether and how the draft is on the blog (asks the server).
    "publish_state" => PublishStateArgs { #[ts(type = "string")] id: DocumentId } -> PublishState;
    /// Publish the draft as it is here (`slug` empty: the default), or publish it again.
    "publish" => PublishArgs { #[ts(type = "string")] id: DocumentId, options: PublishOptions } -> PublishState;
    "unpublish" => UnpublishArgs { #[ts(type = "string")] id: DocumentId } -> PublishState;
    /// Cancel the draft's scheduled publication (the blog keeps what it has).
    "cancel_schedule" => CancelScheduleArgs { #[ts(type = "string")] id: DocumentId } -> PublishState;
    /// Where every draft on the blog (or scheduled) stands, for the drafts list.
    "publish_states" => PublishStatesArgs {} -> Vec<DraftPublished>;
    /// Open the published post in the system's browser (an error when it is not on the
    /// blog); answers the URL opened.
    "view_on_blog" => ViewOnBlogArgs { #[ts(type = "string")] id: DocumentId } -> String;
    /// The draft's slug, excerpt, tags, featured image and SEO fields.
    "draft_details" => DraftDetailsArgs { #[ts(type = "string")] id: DocumentId } -> DraftDetails;
    /// Set them in one save (links the blog cannot publish are refused, nothing saved);
    /// answers them as they are now.
    "set_draft_details" => SetDraftDetailsArgs {
        #[ts(type = "string")] id: DocumentId,
        details: DraftDetails,
    } -> DraftDetails;
    "set_presence" => SetPresenceArgs {
        #[ts(type = "string")] id: DocumentId,
        selection: Option<Selection>,
    } -> ();
    "server_status" => ServerStatusArgs {} -> ServerStatus;
    "list_drafts" => ListDraftsArgs { query: ListQuery } -> Vec<DraftSummary>;
    "list_tags" => ListTagsArgs {} -> Vec<TagCount>;
    "search_drafts" => SearchDraftsArgs { query: String } -> Vec<DraftSummary>;
    "create_draft" => CreateDraftArgs {} -> DraftView;
    "rename_draft" => RenameDraftArgs { #[ts(type = "string")] id: DocumentId, title: String } -> SaveReport;
    /// Answers the draft's tags after the change.
    "add_tag" => AddTagArgs { #[ts(type = "string")] id: DocumentId, tag: String } -> Vec<String>;
    "remove_tag" => RemoveTagArgs { #[ts(type = "string")] id: DocumentId, tag: String } -> Vec<String>;
    "trash_draft" => TrashDraftArgs { #[ts(type = "string")] id: DocumentId } -> ();
    "restore_draft" => RestoreDraftArgs { #[ts(type = "string")] id: DocumentId } -> ();
    /// Answers how many drafts were deleted for good.
    "empty_trash" => EmptyTrashArgs {} -> usize;
    "list_versions" => ListVersionsArgs { #[ts(type = "string")] id: DocumentId } -> Vec<Version>;
    "preview_version" => PreviewVersionArgs {
        #[ts(type = "string")] id: DocumentId,
        heads: Vec<String>,
    } -> DraftContent;
    "restore_version" => RestoreVersionArgs {
        #[ts(type = "string")] id: DocumentId,
        heads: Vec<String>,
    } -> DraftView;
    /// The same renderer the blog uses.
    "render_preview" => RenderPreviewArgs { markdown: String } -> Rendered;
    /// Drafts set aside because their bytes no longer load.
    "damaged_drafts" => DamagedDraftsArgs {} -> Vec<DamagedDraft>;
    /// The app's settings on this device.
    "settings" => SettingsArgs {} -> Settings;
    /// Keep new settings (refused whole, the field named, when a value is out of
    /// range); answers them as kept.
    "set_settings" => SetSettingsArgs { settings: Settings } -> Settings;
    /// Write the draft to a file in the export folder (never over another file);
    /// answers the file's path.
    "export_draft" => ExportDraftArgs { #[ts(type = "string")] id: DocumentId, format: ExportFormat } -> String;
    /// The folder of markdown files linked to the drafts, if any.
    "linked_folder" => LinkedFolderArgs {} -> LinkStatus;
    /// Link a folder (by its path): its markdown files become drafts, drafts become
    /// files, and the two stay in step while Pint runs (and catch up when it starts).
    /// Refused, nothing linked, when the path is not a folder.
    "link_folder" => LinkFolderArgs { path: String } -> LinkStatus;
    /// Stop linking the folder: its files and the drafts both stay.
    "unlink_folder" => UnlinkFolderArgs {} -> LinkStatus;
    /// Take an image file the creator dropped or picked: read by the engine (never the
    /// web view), prepared (upright, sRGB, every metadata block gone, web variants) and
    /// kept on this device; answers it as kept. Refused whole, nothing kept, when the
    /// file is not an image Pint takes (the message says why).
    "add_image_file" => AddImageFileArgs { path: String } -> MediaInfo;
    /// Take a pasted image: its bytes, base64-encoded; as `add_image_file`.
    "add_image_bytes" => AddImageBytesArgs { base64: String } -> MediaInfo;
    /// Every image on this device and on the blog (when signed in and reachable), with
    /// the drafts that show each and the blog's storage against its plan's limit.
    "media_library" => MediaLibraryArgs {} -> MediaLibrary;
    /// The signed-in blog's plan: what it unlocks and what the blog uses (none when
    /// signed out).
    "blog_plan" => BlogPlanArgs {} -> Option<PlanView>;
    /// The blog's billing, for its owner: what can be bought at Stripe's prices, the
    /// payment history, whether the Billing Portal is open (none when signed out or when
    /// the server does not bill).
    "blog_billing" => BlogBillingArgs {} -> Option<BillingView>;
    /// Buy `priceId` for the blog: Stripe Checkout opens in the system's browser; the
    /// plan changes by itself when Stripe confirms the payment. Answers the page's
    /// address (refused with the reason when no browser opened it).
    "start_checkout" => StartCheckoutArgs { price_id: String } -> String;
    /// Open Stripe's Billing Portal for the blog (card, plan changes, cancellation) in
    /// the system's browser; answers its address.
    "open_billing_portal" => OpenBillingPortalArgs {} -> String;
    /// Open the receipt of one payment of the blog's history in the system's browser.
    "open_payment_receipt" => OpenPaymentReceiptArgs { payment_id: String } -> String;
    /// Remove an image from the blog and this device; refused, nothing removed, while a
    /// draft here or a published post shows it (the message names them). Answers the
    /// library as it is now.
    "remove_image" => RemoveImageArgs { id: String } -> MediaLibrary;
    /// Check a draft's text offline (spelling, grammar, Pint's own rules), as the editor
    /// shows it: what the creator turned off, added to the dictionary or set aside in
    /// this draft is left out. Positions are UTF-16 units of `text`.
    "check_text" => CheckTextArgs { #[ts(type = "string")] id: DocumentId, text: String } -> Vec<Finding>;
    /// The rules turned off and the personal dictionary, on this device.
    "check_prefs" => CheckPrefsArgs {} -> CheckPrefs;
    /// Keep them (a word that is not one word is refused, nothing kept); answers them
    /// as kept.
    "set_check_prefs" => SetCheckPrefsArgs { prefs: CheckPrefs } -> CheckPrefs;
    /// Set aside, in this draft, what `rule` flags in `text` ("ignore this one").
    "ignore_finding" => IgnoreFindingArgs {
        #[ts(type = "string")] id: DocumentId,
        rule: String,
        text: String,
    } -> ();
    /// The creator's own AI providers (never their keys).
    "ai_providers" => AiProvidersArgs {} -> Vec<ProviderConfig>;
    /// Add one: the key goes to the OS keychain only. Refused whole, nothing kept, when
    /// the address or the key cannot be one.
    "add_ai_provider" => AddAiProviderArgs { new: NewProvider } -> ProviderConfig;
    /// Remove one and forget its key; answers the providers left.
    "remove_ai_provider" => RemoveAiProviderArgs { id: String } -> Vec<ProviderConfig>;
    /// Test a provider's key with one small request; the refusal says why in words.
    "test_ai_provider" => TestAiProviderArgs { id: String } -> KeyWorks;
    /// Review the text (or a part of it) with a provider: answers the request's id at
    /// once; the suggestions stream in as `ai` events, placed in the text by Pint.
    "start_ai_review" => StartAiReviewArgs { provider: String, request: ReviewRequest } -> String;
    /// Write a first draft from a brief: answers the request's id; the text streams in
    /// as `ai` events (the window puts it into a new draft).
    "start_ai_draft" => StartAiDraftArgs { provider: String, brief: DraftBrief } -> String;
    /// Rewrite a passage as asked: answers the request's id; the new text streams in as
    /// `ai` events, for the creator to accept or reject.
    "start_ai_rewrite" => StartAiRewriteArgs { provider: String, passage: String, how: Rewrite } -> String;
    /// Stop a request at once (its connection closes); nothing more comes of it.
    "cancel_ai" => CancelAiArgs { request: String } -> ();
    /// Set (`null`: clear) the draft's word goal on this device.
    "set_word_goal" => SetWordGoalArgs { #[ts(type = "string")] id: DocumentId, goal: Option<u32> } -> ();
}

fn entry<C: Command>(cfg: &Config, imports: &mut BTreeMap<String, String>) -> String {
    collect_imports::<C>(cfg, imports, true);
    collect_imports::<C::Output>(cfg, imports, false);
    format!(
        "  {}: {{ args: {}; result: {} }};\n",
        C::NAME,
        C::inline(cfg),
        C::Output::name(cfg)
    )
}

/// The named (exported) types `T` refers to at its top level, each with its file.
/// `inline` says whether `T` itself is written out inline (the arguments) or by name.
fn collect_imports<T: TS + 'static + ?Sized>(
    cfg: &Config,
    imports: &mut BTreeMap<String, String>,
    inline: bool,
) {
    struct Visit<'a>(&'a Config, &'a mut BTreeMap<String, String>);
    impl TypeVisitor for Visit<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            match U::output_path() {
                Some(path) => {
                    let path = path.to_string_lossy().trim_end_matches(".ts").to_owned();
                    self.1.insert(U::ident(self.0), path);
                }
                None => {
                    U::visit_dependencies(self);
                    U::visit_generics(self);
                }
            }
        }
    }
    let mut visit = Visit(cfg, imports);
    if inline {
        T::visit_dependencies(&mut visit);
        T::visit_generics(&mut visit);
    } else {
        visit.visit::<T>();
    }
}
