//! pint-client: the headless local-first engine of the Pint desktop app.
//!
//! Everything a device does runs here, without a window: the local store, and (in
//! later issues) sync, media, checks and keys. The Tauri shell and the `pint` CLI are
//! thin layers over this crate; it must never depend on Tauri.

pub mod account;
pub mod ai;
pub mod browser;
pub mod checks;
pub mod data_dir;
#[doc(hidden)]
pub mod editing_trace;
pub mod engine;
pub mod export;
pub mod files;
pub mod ipc;
pub mod keychain;

pub mod media;
pub mod plan;
pub mod publish;
pub mod server;
pub mod store;
pub mod sync;

pub use engine::{
    DraftDetails, DraftView, Engine, EngineError, RemoteChanges, SaveReport, Version,
};
pub use ipc::{CommandError, ErrorKind};
pub use store::{
    Account, DamagedDraft, DraftSummary, DraftSync, EditorFont, FocusScope, ListQuery, Settings,
    Sort, Store, StoreError, TagCount, Theme,
};
