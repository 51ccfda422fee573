//! A linked folder: every markdown file in it (recursively) is a draft, and the two stay
//! in step both ways.
//!
//! - A file changed on disk is merged into its draft as what changed since the two were
//!   last in step (`Draft::set_content_since`): the smallest splices, so an edit made
//!   meanwhile in Pint, or by a teammate in another paragraph, survives. A new file is a
//!   new draft; a file moved or renamed (same bytes at a new path) keeps its draft; a
//!   deleted file moves its draft to the trash.
//! - A draft changed in Pint is written back whole or not at all (a temporary file
//!   beside it, flushed, renamed over it). A new draft becomes a new file named from its
//!   slug, never over another file (an empty draft waits for its first words); a draft
//!   moved to the trash takes its file away
//!   (restoring it writes the file again).
//! - Nothing loops: each file's digest as last written or read is kept, and a file that
//!   still has it is not read again. A scan skips files whose size and modification
//!   time have not changed, so catching up at start with a large folder is quick.
//! - The watcher re-reads files rather than trusting what kind of event it was told:
//!   editors save by renaming a new file over the old, by truncating and writing, and
//!   `git checkout` changes hundreds at once.
//! - Files that cannot be read (binary, invalid UTF-8, too large, broken front matter)
//!   are listed with why and left untouched; symbolic links are not followed.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use pint_model::render::slugify;
use pint_model::{DocumentId, DraftContent};
use serde::{Deserialize, Serialize};

use super::import::digest;
use super::source::{FileKind, MAX_TEXT_BYTES, kind_of};
use super::{ImportedFile, Skipped, markdown};
use crate::store::{LinkedFile, ListQuery};
use crate::{Engine, EngineError};

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{path} cannot be linked: {reason}")]
    Folder { path: String, reason: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// What one pass of keeping the folder in step did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkReport {
    /// Drafts made or changed from files.
    pub from_disk: Vec<ImportedFile>,
    /// Files written from drafts.
    pub to_disk: Vec<String>,
    /// Drafts moved to the trash because their file was deleted.
    pub trashed: Vec<ImportedFile>,
    /// Files left untouched, with why.
    pub skipped: Vec<Skipped>,
}

impl LinkReport {
    pub fn is_empty(&self) -> bool {
        self.from_disk.is_empty()
            && self.to_disk.is_empty()
            && self.trashed.is_empty()
            && self.skipped.is_empty()
    }
}

/// Where the linked folder stands, for Settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkStatus {
    /// The linked folder; none when no folder is linked.
    pub folder: Option<String>,
    /// How many of its files are drafts.
    pub files: usize,
    /// Files left untouched at the last look, with why.
    pub skipped: Vec<Skipped>,
}

impl LinkStatus {
    /// The folder linked on this device now, with what `report` left untouched.
    pub fn of(engine: &Engine, skipped: Vec<Skipped>) -> Result<LinkStatus, EngineError> {
        Ok(match Link::current(engine)? {
            Some(link) => LinkStatus {
                folder: Some(link.root.display().to_string()),
                files: engine.store().linked_files()?.len(),
                skipped,
            },
            None => LinkStatus::default(),
        })
    }
}

/// The linked folder.
#[derive(Debug, Clone)]
pub struct Link {
    root: PathBuf,
}

impl Link {
    /// Link `folder` (it must exist), replacing a folder linked before.
    pub fn open(engine: &mut Engine, folder: &Path) -> Result<Link, LinkError> {
        let fail = |reason: String| LinkError::Folder {
            path: folder.display().to_string(),
            reason,
        };
        let root = folder.canonicalize().map_err(|e| fail(e.to_string()))?;
        if !root.is_dir() {
            return Err(fail("it is not a folder".into()));
        }
        let shown = root
            .to_str()
            .ok_or_else(|| fail("its path is not UTF-8".into()))?;
        engine
            .store_mut()
            .set_linked_folder(shown, crate::engine::now_millis())
            .map_err(EngineError::from)?;
        Ok(Link { root })
    }

    /// The folder linked before, if any (and still there).
    pub fn current(engine: &Engine) -> Result<Option<Link>, EngineError> {
        let root = engine.store().linked_folder()?;
        Ok(root
            .map(PathBuf::from)
            .filter(|r| r.is_dir())
            .map(|root| Link { root }))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stop linking: files and drafts both stay as they are.
    pub fn unlink(engine: &mut Engine) -> Result<(), EngineError> {
        Ok(engine.store_mut().unlink_folder()?)
    }

    /// Bring the folder and the drafts into step after any time apart (at start, after
    /// a watcher overflow): every file and every draft is looked at.
    pub fn catch_up(&self, engine: &mut Engine) -> Result<LinkReport, EngineError> {
        let mut report = LinkReport::default();
        let mut known = engine.store().linked_files()?;
        let mut seen = HashSet::new();
        let mut changed = Vec::new();
        let walk = walkdir::WalkDir::new(&self.root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0 || !name.starts_with('.') || is_temp_file(&name)
            });
        for item in walk.flatten() {
            // A write-back cut short (Pint killed mid-write) leaves its temporary file:
            // the real file is whole (old or new), the leftover goes.
            if is_temp_file(&item.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(item.path());
                continue;
            }
            let Some(rel) = self.relative(item.path()) else {
                continue;
            };
            if kind_of(&rel) != FileKind::Markdown {
                continue;
            }
            if item.path_is_symlink() {
                report.skipped.push(Skipped::new(
                    &rel,
                    "is a symbolic link: links are not followed".into(),
                ));
                continue;
            }
            if !item.file_type().is_file() {
                continue;
            }
            seen.insert(rel.clone());
            let untouched = known.get(&rel).is_some_and(|k| {
                stamp(item.path()).is_some_and(|(size, mtime)| k.size == size && k.mtime == mtime)
            });
            if !untouched {
                changed.push(rel);
            }
        }
        let gone: Vec<String> = known
            .keys()
            .filter(|p| !seen.contains(*p))
            .cloned()
            .collect();
        self.take_in(engine, &changed, &gone, &mut known, &mut report)?;
        self.write_out(engine, &mut known, &mut report)?;
        Ok(report)
    }

    /// Files the watcher saw change (created, written, renamed, removed), read again.
    pub fn files_changed(
        &self,
        engine: &mut Engine,
        paths: &[PathBuf],
    ) -> Result<LinkReport, EngineError> {
        let mut report = LinkReport::default();
        let mut known = engine.store().linked_files()?;
        let mut present = Vec::new();
        let mut gone = Vec::new();
        let mut unique = HashSet::new();
        // A folder made or moved in: its files may have come before the watch on it did.
        let mut paths = paths.to_vec();
        for dir in paths
            .clone()
            .iter()
            .filter(|p| p.is_dir() && !p.is_symlink())
        {
            let inside = walkdir::WalkDir::new(dir)
                .follow_links(false)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            paths.extend(
                inside
                    .flatten()
                    .filter(|e| e.file_type().is_file())
                    .map(|e| e.into_path()),
            );
        }
        for path in &paths {
            let Some(rel) = self.relative(path) else {
                continue;
            };
            if kind_of(&rel) != FileKind::Markdown
                || rel.split('/').any(|p| p.starts_with('.'))
                || !unique.insert(rel.clone())
            {
                continue;
            }
            match std::fs::symlink_metadata(path) {
                Ok(m) if m.is_file() => present.push(rel),
                Ok(m) if m.file_type().is_symlink() => report.skipped.push(Skipped::new(
                    &rel,
                    "is a symbolic link: links are not followed".into(),
                )),
                Ok(_) => {}
                Err(_) => {
                    if known.contains_key(&rel) {
                        gone.push(rel);
                    }
                }
            }
        }
        self.take_in(engine, &present, &gone, &mut known, &mut report)?;
        Ok(report)
    }

    /// Drafts changed in Pint (typed here, or arrived by sync): written back to their
    /// files; new drafts get files; drafts in the trash lose theirs.
    pub fn drafts_changed(&self, engine: &mut Engine) -> Result<LinkReport, EngineError> {
        let mut report = LinkReport::default();
        let mut known = engine.store().linked_files()?;
        self.write_out(engine, &mut known, &mut report)?;
        Ok(report)
    }

    fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let rel = rel.to_str()?.replace('\\', "/");
        (!rel.is_empty()).then_some(rel)
    }

    /// Files present (`changed`) and removed (`gone`) on disk, into the drafts.
    fn take_in(
        &self,
        engine: &mut Engine,
        changed: &[String],
        gone: &[String],
        known: &mut HashMap<String, LinkedFile>,
        report: &mut LinkReport,
    ) -> Result<(), EngineError> {
        // A removed file whose bytes turn up at a new path was moved: same draft.
        let mut moved_from: HashMap<String, String> = HashMap::new();
        for path in gone {
            if let Some(k) = known.get(path) {
                moved_from.insert(k.digest.clone(), path.clone());
            }
        }
        for rel in changed {
            let file = self.root.join(rel);
            let Some((size, mtime)) = stamp(&file) else {
                continue;
            };
            if size > MAX_TEXT_BYTES as i64 {
                report.skipped.push(Skipped::new(
                    rel,
                    format!(
                        "is {} MB; files of at most {} MB are linked",
                        size >> 20,
                        MAX_TEXT_BYTES >> 20
                    ),
                ));
                continue;
            }
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    report
                        .skipped
                        .push(Skipped::new(rel, format!("cannot be read: {e}")));
                    continue;
                }
            };
            let digest = digest(&bytes);
            let draft_then = match known.get(rel) {
                Some(k) if k.digest == digest => {
                    // Touched, not changed (or our own write coming back).
                    let k = LinkedFile {
                        size,
                        mtime,
                        ..k.clone()
                    };
                    engine.store_mut().note_linked_file(&k)?;
                    known.insert(rel.clone(), k);
                    continue;
                }
                Some(k) => Some(k.clone()),
                None => match moved_from.remove(&digest) {
                    Some(old) => {
                        let k = known.remove(&old).map(|k| LinkedFile {
                            path: rel.clone(),
                            size,
                            mtime,
                            ..k
                        });
                        if let Some(k) = k {
                            engine.store_mut().note_linked_file(&k)?;
                            known.insert(rel.clone(), k);
                        }
                        continue;
                    }
                    None => None,
                },
            };
            let content = match read_file(&bytes, rel) {
                Ok(c) => c,
                Err(reason) => {
                    report.skipped.push(Skipped::new(rel, reason));
                    continue;
                }
            };
            let id = match &draft_then {
                Some(k) => {
                    if let Err(e) = engine.set_content_since(k.draft, &k.heads, &content) {
                        report.skipped.push(Skipped::new(rel, e.to_string()));
                        continue;
                    }
                    k.draft
                }
                None => {
                    let id = engine.create(content.kind)?;
                    if let Err(e) = engine.set_content(id, &content) {
                        let _ = engine.discard(id);
                        report.skipped.push(Skipped::new(rel, e.to_string()));
                        continue;
                    }
                    id
                }
            };
            let merged = engine.content(id)?;
            let mut linked = LinkedFile {
                path: rel.clone(),
                draft: id,
                heads: engine.heads(id)?,
                digest,
                size,
                mtime,
            };
            // Edits made in Pint since survive the merge: the file gets them too.
            let text = String::from_utf8_lossy(&bytes);
            let back = markdown::write_over(&text, &merged);
            if draft_then.is_some() && back != text {
                match write_atomically(&file, &back) {
                    Ok(written) => {
                        (linked.digest, linked.size, linked.mtime) = written;
                        report.to_disk.push(rel.clone());
                    }
                    Err(e) => report
                        .skipped
                        .push(Skipped::new(rel, format!("cannot be written: {e}"))),
                }
            }
            engine.store_mut().note_linked_file(&linked)?;
            known.insert(rel.clone(), linked);
            report.from_disk.push(ImportedFile {
                source: rel.clone(),
                id,
                title: merged.title,
            });
        }
        for path in moved_from.into_values() {
            let Some(k) = known.remove(&path) else {
                continue;
            };
            engine.store_mut().forget_linked_file(&path)?;
            let title = engine.content(k.draft).map(|c| c.title).unwrap_or_default();
            if engine.trash(k.draft).is_ok() {
                report.trashed.push(ImportedFile {
                    source: path,
                    id: k.draft,
                    title,
                });
            }
        }
        Ok(())
    }

    /// Drafts changed in Pint since their file was written, new drafts, and drafts in
    /// the trash, out to the folder.
    fn write_out(
        &self,
        engine: &mut Engine,
        known: &mut HashMap<String, LinkedFile>,
        report: &mut LinkReport,
    ) -> Result<(), EngineError> {
        let trashed: HashSet<DocumentId> = engine
            .list(&ListQuery {
                trash: true,
                ..ListQuery::default()
            })?
            .into_iter()
            .map(|d| d.id)
            .collect();
        let saved = engine.store().saved_heads()?;
        for (path, k) in known.clone() {
            let file = self.root.join(&path);
            if trashed.contains(&k.draft) {
                // The draft stays in the trash; restoring it writes the file again.
                if std::fs::remove_file(&file).is_ok() || !file.exists() {
                    engine.store_mut().forget_linked_file(&path)?;
                    known.remove(&path);
                }
                continue;
            }
            let mut then = k.heads.clone();
            then.sort();
            if saved.get(&k.draft).is_none_or(|now| *now == then) {
                continue;
            }
            // Changed on disk as well since: taken in first, then written.
            if stamp(&file).is_some_and(|(size, mtime)| size != k.size || mtime != k.mtime) {
                continue;
            }
            self.write_draft(engine, k.draft, &path, known, report)?;
        }
        let drafts = engine.list(&ListQuery::default())?;
        let linked: HashSet<DocumentId> = known.values().map(|k| k.draft).collect();
        let mut taken: HashSet<String> = known.keys().map(|p| p.to_lowercase()).collect();
        for d in drafts.iter().filter(|d| !linked.contains(&d.id)) {
            let content = engine.content(d.id)?;
            // An empty draft (just made with "New") gets its file once it has words.
            if content.title.trim().is_empty() && content.body.trim().is_empty() {
                continue;
            }
            let path = self.new_file_name(&content, d.id, &mut taken);
            self.write_draft(engine, d.id, &path, known, report)?;
        }
        Ok(())
    }

    fn write_draft(
        &self,
        engine: &mut Engine,
        id: DocumentId,
        path: &str,
        known: &mut HashMap<String, LinkedFile>,
        report: &mut LinkReport,
    ) -> Result<(), EngineError> {
        let content = engine.content(id)?;
        let heads = engine.heads(id)?;
        let file = self.root.join(path);
        // The file's own front matter (a site's `layout`, `draft`, …) is kept.
        let text = match std::fs::read_to_string(&file) {
            Ok(original) => markdown::write_over(&original, &content),
            Err(_) => markdown::write(&content),
        };
        match write_atomically(&file, &text) {
            Ok((digest, size, mtime)) => {
                let linked = LinkedFile {
                    path: path.to_owned(),
                    draft: id,
                    heads,
                    digest,
                    size,
                    mtime,
                };
                engine.store_mut().note_linked_file(&linked)?;
                known.insert(path.to_owned(), linked);
                report.to_disk.push(path.to_owned());
            }
            Err(e) => report
                .skipped
                .push(Skipped::new(path, format!("cannot be written: {e}"))),
        }
        Ok(())
    }

    /// `slug.md` at the folder's top, never over a file that is there.
    fn new_file_name(
        &self,
        c: &DraftContent,
        id: DocumentId,
        taken: &mut HashSet<String>,
    ) -> String {
        let mut base = if c.slug.is_empty() {
            slugify(&c.title)
        } else {
            c.slug.clone()
        };
        if base.is_empty() {
            base = format!("untitled-{}", &id.to_string()[..8]);
        }
        let mut name = format!("{base}.md");
        let mut n = 2;
        while taken.contains(&name.to_lowercase()) || self.root.join(&name).exists() {
            name = format!("{base}-{n}.md");
            n += 1;
        }
        taken.insert(name.to_lowercase());
        name
    }
}

/// A file as a draft (see `import`: the title from the file's name when it has none).
fn read_file(bytes: &[u8], rel: &str) -> Result<DraftContent, String> {
    if bytes.contains(&0) {
        return Err("is binary, not text".into());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("is not UTF-8 text (byte {} is invalid)", e.valid_up_to()))?;
    let mut content = markdown::read(text).map_err(|e| e.to_string())?;
    if content.title.is_empty() {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        content.title = name.rsplit_once('.').map_or(name, |(s, _)| s).to_owned();
    }
    Ok(content)
}

/// A file's size and modification time (ns since 1970).
fn stamp(path: &Path) -> Option<(i64, i64)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_nanos();
    Some((
        i64::try_from(meta.len()).unwrap_or(i64::MAX),
        i64::try_from(mtime).unwrap_or(i64::MAX),
    ))
}

/// The temporary files `write_atomically` makes.
fn is_temp_file(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

const TEMP_PREFIX: &str = ".pint-";
const TEMP_SUFFIX: &str = ".tmp";

/// Write `text` to `path` whole or not at all: a temporary file beside it (hidden, so
/// neither a scan nor the watcher takes it for a draft), flushed to disk, renamed over
/// it. Answers the digest, size and modification time written.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<(String, i64, i64)> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    // The file keeps its permissions (a new one gets the usual rw-r--r--).
    if let Some(permissions) = std::fs::metadata(path)
        .map(|m| m.permissions())
        .ok()
        .or_else(new_file_permissions)
    {
        temp.as_file().set_permissions(permissions)?;
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    let (size, mtime) = stamp(path).unwrap_or((text.len() as i64, 0));
    Ok((digest(text.as_bytes()), size, mtime))
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}
