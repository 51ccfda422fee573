//! Images on the device: prepared for the web where they are dropped (`prepare`), so
//! only small, metadata-free variants are ever stored, synced and published; read from
//! files and served to the window (`local`); sent to the blog (`upload`), fetched from
//! it (`download`), and listed and removed in the media library (`library`).

pub mod download;
pub mod library;
pub mod local;
pub mod prepare;
pub mod upload;

pub use prepare::{
    Limits, MediaError, Prepared, SourceKind, Variant, VariantFormat, from_variants, prepare,
};

use std::sync::{Mutex, MutexGuard};

use crate::Engine;
use crate::account::AccountError;

/// The engine, for the media's network work (held only between network calls; a panic
/// elsewhere leaves it usable: every change is saved as it is made).
pub(crate) fn lock(engine: &Mutex<Engine>) -> MutexGuard<'_, Engine> {
    engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A store error met while talking to the blog.
pub(crate) fn store(e: crate::store::StoreError) -> AccountError {
    AccountError::Engine(e.into())
}
