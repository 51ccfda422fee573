//! Images on the device: prepared for the web where they are dropped (`prepare`), so
//! only small, metadata-free variants are ever stored, synced and published; read from
//! files and served to the window (`local`); sent to the blog (`upload`), fetched from
//! it (`download`), and listed and removed in the media library (`library`).

pub mod download;
pub mod library;
pub mod local;
pub mod prepare;
pub mod upload;

pub use prepare::{Limits, MediaError, Prepared, SourceKind, Variant, VariantFormat, prepare};
