//! Bringing writing in: a markdown file, a folder of them, a zip archive (a Pint export
//! among them), or a Ghost export. Each source file becomes one draft; its images come
//! in as media; the report says what came in, what was skipped and why.
//!
//! Importing the same thing again makes no duplicates: each draft remembers where it
//! came from (`md:<slug>`, `ghost:<uuid>`) and what that said. An unchanged source
//! leaves its draft alone (edits made in Pint since are kept); a changed one is merged
//! into it as the change since the last import, never as a replacement. Each draft is
//! written whole or not at all.

use std::collections::HashMap;
use std::path::Path;

use pint_model::DraftContent;
use pint_model::render::slugify;
use sha2::{Digest, Sha256};

use super::references::{self, Reference};
use super::source::{self, Entry, FileKind, Source, kind_of};
use super::{ImportReport, ImportedFile, Skipped, ghost, markdown};
use crate::Engine;
use crate::media::{self, Limits, VariantFormat};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path} cannot be read: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path} {reason}")]
    Refused { path: String, reason: String },
}

/// Import what `path` names: a folder, a zip archive, a Ghost export (`.json`) or one
/// markdown file.
pub fn import_path(engine: &mut Engine, path: &Path) -> Result<ImportReport, ImportError> {
    let shown = path.display().to_string();
    let unreadable = |e: std::io::Error| ImportError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Ok(import_source(engine, source::folder(path)));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let limit = match kind_of(&name) {
        FileKind::Markdown | FileKind::Json => source::MAX_TEXT_BYTES,
        _ => source::MAX_ARCHIVE_BYTES,
    };
    if meta.len() > limit {
        return Err(ImportError::Refused {
            path: shown,
            reason: format!("is larger than the {} MB an import reads", limit >> 20),
        });
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let source = source::archive(&bytes).map_err(|reason| ImportError::Refused {
            path: shown.clone(),
            reason,
        })?;
        return Ok(import_source(engine, source));
    }
    let source = match kind_of(&name) {
        FileKind::Markdown | FileKind::Json => Source {
            entries: vec![Entry { path: name, bytes }],
            skipped: Vec::new(),
        },
        _ => {
            return Err(ImportError::Refused {
                path: shown,
                reason: "is not a markdown file, a zip archive or a Ghost export (.json)".into(),
            });
        }
    };
    let report = import_source(engine, source);
    if let [only] = report.skipped.as_slice()
        && report.added.is_empty()
        && report.updated.is_empty()
        && report.unchanged.is_empty()
    {
        return Err(ImportError::Refused {
            path: shown,
            reason: only.reason.clone(),
        });
    }
    Ok(report)
}

/// Import every file of a source.
pub fn import_source(engine: &mut Engine, source: Source) -> ImportReport {
    let mut report = ImportReport {
        skipped: source.skipped,
        ..ImportReport::default()
    };
    let mut images = Images::new(&source.entries);
    images.keep_exported(engine, &mut report);
    let mut slugs = Slugs::default();
    for entry in &source.entries {
        if kind_of(&entry.path) != FileKind::Json || entry.path.ends_with("manifest.json") {
            continue;
        }
        if let Err(reason) = ghost::import(engine, entry, &mut images, &mut slugs, &mut report) {
            report.skipped.push(Skipped::new(&entry.path, reason));
        }
    }
    let notes: Vec<(&Entry, Result<DraftContent, String>)> = source
        .entries
        .iter()
        .filter(|e| kind_of(&e.path) == FileKind::Markdown)
        .map(|e| (e, read_note(e)))
        .collect();
    // Wiki links find their note by file name or title.
    let mut targets = HashMap::new();
    for (entry, content) in &notes {
        if let Ok(c) = content {
            targets.insert(stem(&entry.path).to_lowercase(), c.slug.clone());
            targets.insert(c.title.to_lowercase(), c.slug.clone());
        }
    }
    for (entry, content) in notes {
        let mut content = match content {
            Ok(c) => c,
            Err(reason) => {
                report.skipped.push(Skipped::new(&entry.path, reason));
                continue;
            }
        };
        if let Err(reason) = slugs.claim(&content.slug, &entry.path) {
            report.skipped.push(Skipped::new(&entry.path, reason));
            continue;
        }
        let origin = format!("md:{}", content.slug);
        let digest = digest(&entry.bytes);
        if unchanged(engine, &origin, &digest, &entry.path, &mut report) == Some(true) {
            continue;
        }
        let dir = entry.path.rsplit_once('/').map_or("", |(d, _)| d);
        content.body = rewrite(
            &content.body,
            dir,
            &targets,
            &mut images,
            engine,
            &entry.path,
            &mut report,
        );
        if let Some(image) = images.resolve(engine, dir, &content.featured_image) {
            match image {
                Ok(id) => content.featured_image = id,
                Err(reason) => report.warnings.push(Skipped::new(&entry.path, reason)),
            }
        }
        write_draft(engine, &origin, &digest, &content, &entry.path, &mut report);
    }
    report.images = images.added;
    report
}

/// A markdown file as a draft: text (UTF-8, not binary), front matter, a title (the
/// file's name when it has none) and a slug.
fn read_note(entry: &Entry) -> Result<DraftContent, String> {
    if entry.bytes.contains(&0) {
        return Err("is binary, not text".into());
    }
    let text = std::str::from_utf8(&entry.bytes)
        .map_err(|e| format!("is not UTF-8 text (byte {} is invalid)", e.valid_up_to()))?;
    let mut content = markdown::read(text).map_err(|e| e.to_string())?;
    if content.title.is_empty() {
        content.title = stem(&entry.path).to_owned();
    }
    if content.slug.is_empty() {
        content.slug = slugify(&content.title);
    }
    if content.slug.is_empty() {
        content.slug = slugify(stem(&entry.path));
    }
    if content.slug.is_empty() {
        return Err("has no title or name a web address can be made from".into());
    }
    Ok(content)
}

fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

pub(super) fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The slugs one import has given out: two sources may not become one draft.
#[derive(Default)]
pub(super) struct Slugs(HashMap<String, String>);

impl Slugs {
    pub(super) fn claim(&mut self, slug: &str, source: &str) -> Result<(), String> {
        match self.0.get(slug) {
            Some(first) => Err(format!(
                "has the same slug ({slug}) as {first}: give one of them its own `slug:`"
            )),
            None => {
                self.0.insert(slug.to_owned(), source.to_owned());
                Ok(())
            }
        }
    }
}

/// Whether an earlier import of `origin` settles this one: `Some(true)` when its draft
/// is as the source is (or in the trash), so there is nothing to do.
pub(super) fn unchanged(
    engine: &mut Engine,
    origin: &str,
    digest: &str,
    source: &str,
    report: &mut ImportReport,
) -> Option<bool> {
    let prev = engine.imported(origin).ok()??;
    let title = engine
        .content(prev.draft)
        .map(|c| c.title)
        .unwrap_or_default();
    if prev.trashed {
        report.skipped.push(Skipped::new(
            source,
            format!("was imported before as “{title}”, now in the trash: restore it to update it"),
        ));
        return Some(true);
    }
    if prev.digest == digest {
        report.unchanged.push(ImportedFile {
            source: source.to_owned(),
            id: prev.draft,
            title,
        });
        return Some(true);
    }
    Some(false)
}

/// Write one imported draft: new, or merged into the one an earlier import made.
pub(super) fn write_draft(
    engine: &mut Engine,
    origin: &str,
    digest: &str,
    content: &DraftContent,
    source: &str,
    report: &mut ImportReport,
) {
    let done = |id| ImportedFile {
        source: source.to_owned(),
        id,
        title: content.title.clone(),
    };
    let written = match engine.imported(origin) {
        Ok(Some(prev)) => engine
            .set_content_since(prev.draft, &prev.heads, content)
            .and_then(|_| engine.note_import(origin, prev.draft, digest))
            .map(|()| (prev.draft, false)),
        Ok(None) => engine.create(content.kind).and_then(|id| {
            let made = engine
                .set_content(id, content)
                .and_then(|_| engine.note_import(origin, id, digest));
            match made {
                Ok(()) => Ok((id, true)),
                Err(e) => {
                    // Nothing half-imported stays behind.
                    let _ = engine.discard(id);
                    Err(e)
                }
            }
        }),
        Err(e) => Err(e),
    };
    match written {
        Ok((id, true)) => report.added.push(done(id)),
        Ok((id, false)) => report.updated.push(done(id)),
        Err(e) => report.skipped.push(Skipped::new(source, e.to_string())),
    }
}

/// A note's text with its images as media and its wiki links as ordinary links.
fn rewrite(
    body: &str,
    dir: &str,
    targets: &HashMap<String, String>,
    images: &mut Images<'_>,
    engine: &mut Engine,
    source: &str,
    report: &mut ImportReport,
) -> String {
    let mut edits = Vec::new();
    for (range, found) in references::find(body) {
        match found {
            Reference::Image { target } => match images.resolve(engine, dir, &target) {
                Some(Ok(id)) => edits.push((range, id)),
                Some(Err(reason)) => report.warnings.push(Skipped::new(source, reason)),
                None => {}
            },
            Reference::Embed { target, alt } => match images.by_name(engine, &target) {
                Some(Ok(id)) => edits.push((range, format!("![{alt}]({id})"))),
                Some(Err(reason)) => report.warnings.push(Skipped::new(source, reason)),
                // An embedded note, not an image: a link to it.
                None => edits.push((range, wiki_link(&target, &alt, targets))),
            },
            Reference::WikiLink { target, label } => {
                edits.push((range, wiki_link(&target, &label, targets)));
            }
        }
    }
    references::replace(body, &edits)
}

fn wiki_link(target: &str, label: &str, targets: &HashMap<String, String>) -> String {
    let note = target.split('#').next().unwrap_or(target).trim();
    let slug = targets
        .get(&note.to_lowercase())
        .cloned()
        .unwrap_or_else(|| slugify(note));
    let label = if label.is_empty() { target } else { label };
    format!("[{}]({slug})", label.replace(['[', ']'], ""))
}

/// One file of an exported image: its width, format and bytes.
type ExportedVariant<'s> = (u32, VariantFormat, &'s [u8]);

/// The images of a source, prepared and kept at most once each.
pub(super) struct Images<'s> {
    by_path: HashMap<&'s str, &'s [u8]>,
    by_name: HashMap<String, &'s str>,
    /// Pint exports' images: `media/<ID>/<width>.<format>`.
    exported: HashMap<&'s str, Vec<ExportedVariant<'s>>>,
    done: HashMap<String, Result<String, String>>,
    limits: Limits,
    pub(super) added: usize,
}

impl<'s> Images<'s> {
    fn new(entries: &'s [Entry]) -> Self {
        let mut images = Images {
            by_path: HashMap::new(),
            by_name: HashMap::new(),
            exported: HashMap::new(),
            done: HashMap::new(),
            limits: Limits::default(),
            added: 0,
        };
        for e in entries
            .iter()
            .filter(|e| kind_of(&e.path) == FileKind::Image)
        {
            let parts: Vec<&str> = e.path.rsplitn(3, '/').collect();
            if let [variant, id, rest] = parts.as_slice()
                && (rest.ends_with("media") || *rest == "media")
                && pint_model::media::is_media_id(id)
                && let Some((width, format)) = pint_model::media::parse_variant_name(variant)
            {
                images
                    .exported
                    .entry(id)
                    .or_default()
                    .push((width, format, &e.bytes));
                continue;
            }
            images.by_path.insert(&e.path, &e.bytes);
            let name = e.path.rsplit('/').next().unwrap_or(&e.path).to_lowercase();
            images.by_name.entry(name).or_insert(&e.path);
        }
        images
    }

    /// Keep the images a Pint export carries, as they were (same ids).
    fn keep_exported(&mut self, engine: &mut Engine, report: &mut ImportReport) {
        for (id, variants) in std::mem::take(&mut self.exported) {
            let variants = variants
                .into_iter()
                .map(|(w, f, b)| (w, f, b.to_vec()))
                .collect();
            let kept = media::from_variants(id, variants, &self.limits)
                .map_err(|e| e.to_string())
                .and_then(|p| {
                    let known = engine.store().media_info(id).ok().flatten().is_some();
                    engine.keep_image(&p, 0).map_err(|e| e.to_string())?;
                    Ok(!known)
                });
            match kept {
                Ok(new) => self.added += usize::from(new),
                Err(reason) => report
                    .skipped
                    .push(Skipped::new(&format!("media/{id}"), reason)),
            }
        }
    }

    /// `media:ID` for an image the text points at by path (relative to `dir`, or to the
    /// source's top with a leading `/`); `None` when it is not a file of the source
    /// (a web address, `media:`, empty).
    pub(super) fn resolve(
        &mut self,
        engine: &mut Engine,
        dir: &str,
        target: &str,
    ) -> Option<Result<String, String>> {
        let target = target.trim();
        let target = target.strip_prefix("__GHOST_URL__").unwrap_or(target);
        if target.is_empty() || target.starts_with("//") || target.contains(':') {
            return None;
        }
        let decoded = percent_decode(target);
        let path = if let Some(top) = decoded.strip_prefix('/') {
            normalize(top)
        } else if dir.is_empty() {
            normalize(&decoded)
        } else {
            normalize(&format!("{dir}/{decoded}"))
        };
        let found = path
            .as_deref()
            .and_then(|p| self.by_path.get(p).map(|b| (p, *b)));
        match found {
            Some((path, bytes)) => Some(self.prepare(engine, path.to_owned(), bytes)),
            None => Some(Err(format!(
                "the image {target} is not in what was imported"
            ))),
        }
    }

    /// An image embedded by its file name alone (Obsidian finds it anywhere in the vault).
    fn by_name(&mut self, engine: &mut Engine, name: &str) -> Option<Result<String, String>> {
        if kind_of(name) != FileKind::Image {
            return None;
        }
        let Some(path) = self.by_name.get(&name.to_lowercase()).copied() else {
            return Some(Err(format!("the image {name} is not in what was imported")));
        };
        let bytes = self.by_path[path];
        Some(self.prepare(engine, path.to_owned(), bytes))
    }

    fn prepare(
        &mut self,
        engine: &mut Engine,
        path: String,
        bytes: &[u8],
    ) -> Result<String, String> {
        if let Some(done) = self.done.get(&path) {
            return done.clone();
        }
        let kept = media::prepare(bytes, &self.limits)
            .map_err(|e| format!("the image {path}: {e}"))
            .and_then(|p| {
                let known = engine.store().media_info(&p.id).ok().flatten().is_some();
                engine
                    .keep_image(&p, bytes.len())
                    .map_err(|e| format!("the image {path}: {e}"))?;
                if !known {
                    self.added += 1;
                }
                Ok(format!("media:{}", p.id))
            });
        self.done.insert(path, kept.clone());
        kept
    }
}

/// `a/./b/../c` as `a/c`; `None` when it climbs above the top.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_source_only() {
        assert_eq!(normalize("a/./b/../c.png").as_deref(), Some("a/c.png"));
        assert_eq!(normalize("../c.png"), None);
        assert_eq!(percent_decode("my%20cat.jpg"), "my cat.jpg");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
