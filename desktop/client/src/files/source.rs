//! What an import reads: the files of a folder or of a zip archive, as relative paths
//! and bytes, each checked before it is read. Nothing outside the folder is followed
//! (symbolic links are not), no archive entry may name a path outside the archive
//! (zip-slip: `..`, an absolute path), and no file is read past its limit, so a huge file
//! or a zip bomb costs nothing.

use std::io::Read;
use std::path::Path;

use super::Skipped;

/// Largest markdown or JSON file read.
pub const MAX_TEXT_BYTES: u64 = 16 << 20;
/// Largest image read (as media takes).
pub const MAX_IMAGE_BYTES: u64 = 50 << 20;
/// Most bytes read out of one archive, all files together.
pub const MAX_ARCHIVE_BYTES: u64 = 2 << 30;

/// One file of a source: its path inside it (`/`-separated) and its bytes.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The files worth reading in a source, and those left out, with why.
#[derive(Debug, Default)]
pub struct Source {
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
}

/// What kind of file a path names, by its extension (the bytes are checked later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Markdown,
    Image,
    Json,
    Other,
}

pub fn kind_of(path: &str) -> FileKind {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" | "mdown" | "mkd" => FileKind::Markdown,
        "jpg" | "jpeg" | "png" | "webp" | "gif" => FileKind::Image,
        "json" => FileKind::Json,
        _ => FileKind::Other,
    }
}

fn limit_of(kind: FileKind) -> Option<u64> {
    match kind {
        FileKind::Markdown | FileKind::Json => Some(MAX_TEXT_BYTES),
        FileKind::Image => Some(MAX_IMAGE_BYTES),
        FileKind::Other => None,
    }
}

/// Hidden folders (`.git`, `.obsidian`, `.trash`) and files are not content.
fn hidden(path: &str) -> bool {
    path.split('/').any(|part| part.starts_with('.'))
}

fn too_large(path: &str, size: u64, limit: u64) -> Skipped {
    Skipped::new(
        path,
        format!(
            "is {} MB; files of at most {} MB are read",
            size >> 20,
            limit >> 20
        ),
    )
}

/// Every markdown, image and JSON file under `root`, recursively.
pub fn folder(root: &Path) -> Source {
    let mut source = Source::default();
    let walk = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for item in walk {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let path = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map_or_else(|| "?".into(), |p| p.to_string_lossy().replace('\\', "/"));
                source
                    .skipped
                    .push(Skipped::new(&path, format!("cannot be read: {e}")));
                continue;
            }
        };
        let Ok(rel) = item.path().strip_prefix(root) else {
            continue;
        };
        let path = rel.to_string_lossy().replace('\\', "/");
        if item.path_is_symlink() {
            source.skipped.push(Skipped::new(
                &path,
                "is a symbolic link: links are not followed".into(),
            ));
            continue;
        }
        if !item.file_type().is_file() {
            continue;
        }
        let kind = kind_of(&path);
        let Some(limit) = limit_of(kind) else {
            source.skipped.push(Skipped::new(
                &path,
                "is not a markdown file or an image".into(),
            ));
            continue;
        };
        let size = item.metadata().map(|m| m.len()).unwrap_or(0);
        if size > limit {
            source.skipped.push(too_large(&path, size, limit));
            continue;
        }
        match std::fs::File::open(item.path()).and_then(|f| read_limited(f, limit)) {
            Ok(Some(bytes)) => source.entries.push(Entry { path, bytes }),
            Ok(None) => source.skipped.push(too_large(&path, limit + 1, limit)),
            Err(e) => source
                .skipped
                .push(Skipped::new(&path, format!("cannot be read: {e}"))),
        }
    }
    source
}

/// Every markdown, image and JSON file in a zip archive. An archive that cannot be read
/// at all is an error; a bad entry is skipped with its reason.
pub fn archive(bytes: &[u8]) -> Result<Source, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("is not a zip archive Pint can read: {e}"))?;
    let mut source = Source::default();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                source.skipped.push(Skipped::new(
                    &format!("entry {i}"),
                    format!("cannot be read: {e}"),
                ));
                continue;
            }
        };
        let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
        if let Some(problem) = unsafe_entry_name(&name) {
            source.skipped.push(Skipped::new(&name, problem.into()));
            continue;
        }
        if file.is_dir() || hidden(&name) || name.starts_with("__MACOSX/") {
            continue;
        }
        if file.is_symlink() {
            source.skipped.push(Skipped::new(
                &name,
                "is a symbolic link: links are not followed".into(),
            ));
            continue;
        }
        let kind = kind_of(&name);
        let Some(limit) = limit_of(kind) else {
            source.skipped.push(Skipped::new(
                &name,
                "is not a markdown file or an image".into(),
            ));
            continue;
        };
        if file.size() > limit {
            source.skipped.push(too_large(&name, file.size(), limit));
            continue;
        }
        if total + file.size() > MAX_ARCHIVE_BYTES {
            return Err(format!(
                "unpacks to more than {} GB",
                MAX_ARCHIVE_BYTES >> 30
            ));
        }
        // The declared size can lie: reading stops at the limit whatever it says.
        match read_limited(&mut file, limit) {
            Ok(Some(bytes)) => {
                total += bytes.len() as u64;
                source.entries.push(Entry { path: name, bytes });
            }
            Ok(None) => source.skipped.push(too_large(&name, limit + 1, limit)),
            Err(e) => source
                .skipped
                .push(Skipped::new(&name, format!("is damaged: {e}"))),
        }
    }
    Ok(source)
}

/// Why an archive entry's name cannot be unpacked: one that climbs out (`..`), is
/// absolute, or holds a NUL is refused (zip-slip), never rewritten into something else.
pub fn unsafe_entry_name(name: &str) -> Option<&'static str> {
    let parts: Vec<&str> = name.split(['/', '\\']).collect();
    if name.contains('\0') {
        Some("has a NUL in its name: refused")
    } else if name.starts_with(['/', '\\']) || name.get(1..2) == Some(":") {
        Some("names an absolute path: refused (it would unpack outside the archive)")
    } else if parts.contains(&"..") {
        Some("names a path with `..`: refused (it would unpack outside the archive)")
    } else {
        None
    }
}

/// Read at most `limit` bytes; `None` when there is more.
fn read_limited(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_climb_out_are_refused() {
        for bad in [
            "../evil.md",
            "a/../../evil.md",
            "/etc/passwd",
            "C:/x.md",
            "a\\..\\b.md",
        ] {
            assert!(unsafe_entry_name(bad).is_some(), "{bad}");
        }
        for good in ["a.md", "posts/a.md", "media/x/960.webp", "a..b.md"] {
            assert_eq!(unsafe_entry_name(good), None, "{good}");
        }
    }

    #[test]
    fn kinds_by_extension() {
        assert_eq!(kind_of("a/B.MD"), FileKind::Markdown);
        assert_eq!(kind_of("x.jpeg"), FileKind::Image);
        assert_eq!(kind_of("ghost.json"), FileKind::Json);
        assert_eq!(kind_of("notes.txt"), FileKind::Other);
        assert_eq!(kind_of("README"), FileKind::Other);
    }
}
