//! pint-model: what the desktop app and the server must agree on.
//!
//! The shape of a draft as an Automerge document, the wire messages of the sync protocol,
//! and the error codes of the API.
//! Nothing in this crate does I/O: no database, no network, no logging subscriber.

pub mod document_id;
pub mod draft;
pub mod error_code;
#[doc(hidden)]
pub mod fuzz;
pub mod links;
pub mod media;
pub mod render;
pub mod slug;
pub mod sync_ack;
pub mod sync_parts;
pub mod sync_protocol;
pub mod sync_receive;
pub mod wire;

pub use document_id::{DocumentId, DocumentIdError};
pub use draft::{Draft, DraftContent, DraftError, DraftKind, HistoryEntry, Seo, SeoField, Splice};
pub use error_code::ErrorCode;
