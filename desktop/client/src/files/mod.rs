//! Drafts as files: Pint is never a trap. Markdown with front matter (`markdown`), what
//! an import reads out of a folder or a zip archive (`source`, `references`), imports
//! of markdown and of a Ghost export (`import`, `ghost`), and the export of everything
//! as a zip with a manifest or as a Ghost export (`bundle`).

pub mod bundle;
pub mod ghost;
pub mod git;
pub mod import;
pub mod link;
pub mod markdown;
pub mod references;
pub mod source;
pub mod watch;

use pint_model::DocumentId;
use serde::{Deserialize, Serialize};

/// What an import did, file by file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// New drafts.
    pub added: Vec<ImportedFile>,
    /// Drafts an earlier import made, brought up to what the source says now (edits
    /// made in Pint since are kept where the source did not change).
    pub updated: Vec<ImportedFile>,
    /// Drafts an earlier import made, whose source has not changed since.
    pub unchanged: Vec<ImportedFile>,
    /// What did not come in, with why.
    pub skipped: Vec<Skipped>,
    /// Images that came in with the drafts.
    pub images: usize,
    /// What came in, but not whole: an image that was not found, a block that could
    /// not be turned into markdown.
    pub warnings: Vec<Skipped>,
}

impl ImportReport {
    /// One line a person reads: "3 drafts added, 1 updated, 2 skipped".
    pub fn summary(&self) -> String {
        let mut parts = vec![format!(
            "{} {} added",
            self.added.len(),
            if self.added.len() == 1 {
                "draft"
            } else {
                "drafts"
            }
        )];
        for (n, what) in [
            (self.updated.len(), "updated"),
            (self.unchanged.len(), "unchanged"),
            (self.images, "images"),
            (self.skipped.len(), "skipped"),
            (self.warnings.len(), "warnings"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join(", ")
    }
}

/// A draft an import made or touched, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportedFile {
    /// The file (or the Ghost post) it came from.
    pub source: String,
    #[ts(type = "string")]
    pub id: DocumentId,
    pub title: String,
}

/// Something an import left out (or took in part), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub source: String,
    pub reason: String,
}

impl Skipped {
    pub fn new(source: &str, reason: String) -> Self {
        Skipped {
            source: source.to_owned(),
            reason,
        }
    }
}
