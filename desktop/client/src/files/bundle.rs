//! Everything out, in open formats: a zip of markdown files with front matter (posts
//! and pages apart), every image they show, and a manifest; or a Ghost export (its JSON
//! and the images, as Ghost's importer takes them). An export imported into a fresh Pint
//! gives back the same drafts, images keeping their ids. Drafts in the trash stay out.
//! The archive appears whole or not at all (written beside its place, flushed, renamed).

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::Path;

use pint_model::media::variant_name;
use pint_model::render::{NoMedia, render_draft, slugify};
use pint_model::{DocumentId, DraftContent, DraftKind};
use serde::{Deserialize, Serialize};
use zip::write::SimpleFileOptions;

use super::{ghost, markdown};
use crate::media::VariantFormat;
use crate::store::{ListQuery, media_in_text};
use crate::{Engine, EngineError};

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum BundleFormat {
    /// Markdown files, images and a manifest.
    Markdown,
    /// Ghost's JSON with the images beside it.
    Ghost,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BundleSummary {
    pub drafts: usize,
    pub images: usize,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("could not write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// The manifest's format name and version.
pub const MANIFEST_FORMAT: &str = "pint-export";
pub const MANIFEST_VERSION: u32 = 1;

/// One draft in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestDraft {
    pub id: String,
    pub file: String,
    pub title: String,
    pub slug: String,
    pub kind: DraftKind,
    pub tags: Vec<String>,
    pub date: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub media: Vec<String>,
}

/// What a Pint export holds, written as `manifest.json` at its top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub exported_at: i64,
    pub drafts: Vec<ManifestDraft>,
    /// Each image's files, under `media/`.
    pub media: Vec<String>,
}

struct Exported {
    id: DocumentId,
    content: DraftContent,
    created_at: i64,
    updated_at: i64,
}

/// Write every draft outside the trash to a zip at `path`.
pub fn write(
    engine: &mut Engine,
    path: &Path,
    format: BundleFormat,
    now: i64,
) -> Result<BundleSummary, BundleError> {
    let drafts = drafts(engine)?;
    let fail = |e: &dyn std::fmt::Display| BundleError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    let mut zip = zip::ZipWriter::new(temp.as_file_mut());
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut media: BTreeSet<String> = BTreeSet::new();
    for d in &drafts {
        media.extend(media_of(&d.content));
    }
    let mut images = 0;
    match format {
        BundleFormat::Markdown => {
            let mut names = HashSet::new();
            let mut manifest = Manifest {
                format: MANIFEST_FORMAT.into(),
                version: MANIFEST_VERSION,
                exported_at: now,
                drafts: Vec::new(),
                media: Vec::new(),
            };
            for d in &drafts {
                let folder = match d.content.kind {
                    DraftKind::Post => "posts",
                    DraftKind::Page => "pages",
                };
                let file = unique(&mut names, folder, &d.content, d.id);
                zip.start_file(file.as_str(), options)
                    .map_err(|e| fail(&e))?;
                zip.write_all(markdown::write(&d.content).as_bytes())
                    .map_err(|e| fail(&e))?;
                manifest.drafts.push(ManifestDraft {
                    id: d.id.to_string(),
                    file,
                    title: d.content.title.clone(),
                    slug: d.content.slug.clone(),
                    kind: d.content.kind,
                    tags: d.content.tags.clone(),
                    date: d.content.date.clone(),
                    created_at: d.created_at,
                    updated_at: d.updated_at,
                    media: media_of(&d.content).into_iter().collect(),
                });
            }
            for id in &media {
                let Some(info) = engine.store().media_info(id).map_err(EngineError::from)? else {
                    continue;
                };
                for v in &info.variants {
                    let Some(bytes) = variant(engine, id, v)? else {
                        continue;
                    };
                    let name = format!("media/{id}/{}", variant_name(v.width, v.format));
                    zip.start_file(name.as_str(), stored)
                        .map_err(|e| fail(&e))?;
                    zip.write_all(&bytes).map_err(|e| fail(&e))?;
                    manifest.media.push(name);
                }
                images += 1;
            }
            zip.start_file("manifest.json", options)
                .map_err(|e| fail(&e))?;
            let json = serde_json::to_vec_pretty(&manifest).map_err(|e| fail(&e))?;
            zip.write_all(&json).map_err(|e| fail(&e))?;
        }
        BundleFormat::Ghost => {
            // Each image once, as its largest JPEG or PNG, where Ghost keeps images.
            let mut files = std::collections::HashMap::new();
            for id in &media {
                let Some(info) = engine.store().media_info(id).map_err(EngineError::from)? else {
                    continue;
                };
                let Some(v) = info
                    .variants
                    .iter()
                    .filter(|v| v.format != VariantFormat::WebP)
                    .max_by_key(|v| v.width)
                else {
                    continue;
                };
                let Some(bytes) = variant(engine, id, v)? else {
                    continue;
                };
                let name = format!("content/images/pint/{id}.{}", v.format.name());
                zip.start_file(name.as_str(), stored)
                    .map_err(|e| fail(&e))?;
                zip.write_all(&bytes).map_err(|e| fail(&e))?;
                files.insert(format!("media:{id}"), format!("__GHOST_URL__/{name}"));
                images += 1;
            }
            let contents: Vec<DraftContent> = drafts
                .iter()
                .map(|d| with_ghost_images(&d.content, &files))
                .collect();
            let posts: Vec<ghost::GhostPost<'_>> = drafts
                .iter()
                .zip(&contents)
                .map(|(d, content)| ghost::GhostPost {
                    id: d.id,
                    content,
                    created_at: d.created_at,
                    updated_at: d.updated_at,
                    html: render_draft(content, &NoMedia).html,
                })
                .collect();
            zip.start_file("pint-ghost-export.json", options)
                .map_err(|e| fail(&e))?;
            let json =
                serde_json::to_vec_pretty(&ghost::export(&posts, now)).map_err(|e| fail(&e))?;
            zip.write_all(&json).map_err(|e| fail(&e))?;
        }
    }
    zip.finish().map_err(|e| fail(&e))?;
    temp.as_file().sync_all().map_err(|e| fail(&e))?;
    let bytes = temp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    temp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(BundleSummary {
        drafts: drafts.len(),
        images,
        bytes,
    })
}

/// The bytes of one of an image's variants, as kept on this device.
fn variant(
    engine: &Engine,
    id: &str,
    v: &crate::store::StoredVariant,
) -> Result<Option<Vec<u8>>, EngineError> {
    Ok(engine.store().media_variant(id, v.width, v.format)?)
}

/// Every draft outside the trash, oldest first (so an import makes them in order).
fn drafts(engine: &mut Engine) -> Result<Vec<Exported>, EngineError> {
    let mut list = engine.list(&ListQuery {
        trash: false,
        tag: None,
        sort: crate::store::Sort::Created,
    })?;
    list.reverse();
    list.into_iter()
        .map(|s| {
            Ok(Exported {
                id: s.id,
                content: engine.content(s.id)?,
                created_at: s.created_at,
                updated_at: s.updated_at,
            })
        })
        .collect()
}

/// The images a draft shows: in its text, as its featured and its sharing image.
fn media_of(c: &DraftContent) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = media_in_text(&c.body).into_iter().collect();
    for image in [&c.featured_image, &c.seo.og_image] {
        if let Some(id) = image.strip_prefix("media:") {
            ids.insert(id.to_owned());
        }
    }
    ids
}

/// A file name for the draft: its slug (or its title made one, or its id), unique in
/// the archive.
fn unique(names: &mut HashSet<String>, folder: &str, c: &DraftContent, id: DocumentId) -> String {
    let mut base = if c.slug.is_empty() {
        slugify(&c.title)
    } else {
        c.slug.clone()
    };
    if base.is_empty() {
        base = id.to_string();
    }
    let mut name = format!("{folder}/{base}.md");
    let mut n = 2;
    while !names.insert(name.clone()) {
        name = format!("{folder}/{base}-{n}.md");
        n += 1;
    }
    name
}

/// The draft with its `media:ID` images where the Ghost export keeps them.
fn with_ghost_images(
    c: &DraftContent,
    files: &std::collections::HashMap<String, String>,
) -> DraftContent {
    let mut c = c.clone();
    for (media, file) in files {
        c.body = c.body.replace(&format!("({media})"), &format!("({file})"));
        for image in [&mut c.featured_image, &mut c.seo.og_image] {
            if image == media {
                *image = file.clone();
            }
        }
    }
    c
}
