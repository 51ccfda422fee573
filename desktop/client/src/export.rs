//! Exporting a draft to a file a creator keeps: Markdown with front matter (what
//! `pint import` and other tools read) or a standalone HTML page rendered by the blog's
//! own renderer. Files go to a folder (by default "Pint" in the user's documents, or
//! `PINT_EXPORT_DIR`), named from the slug or the title; an existing file is never
//! overwritten (a number is added), and a file appears whole or not at all (written
//! beside its place, flushed, then renamed).

use std::io::Write;
use std::path::{Path, PathBuf};

use pint_model::DraftContent;
use pint_model::render::{NoMedia, escape_html, render_draft, slugify};
use serde::{Deserialize, Serialize};

use crate::files::markdown;

/// The environment variable naming the export folder.
pub const ENV: &str = "PINT_EXPORT_DIR";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Markdown,
    Html,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("there is no folder to export to: set {ENV} or a documents folder")]
    NoFolder,
    #[error("could not write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// The folder exports go to: `PINT_EXPORT_DIR`, else "Pint" in the documents folder
/// (or in `~/Documents` where the system names none).
pub fn folder() -> Result<PathBuf, ExportError> {
    match std::env::var_os(ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => dirs::document_dir()
            .or_else(|| dirs::home_dir().map(|h| h.join("Documents")))
            .map(|d| d.join("Pint"))
            .ok_or(ExportError::NoFolder),
    }
}

/// The file's text.
pub fn render(content: &DraftContent, format: ExportFormat) -> String {
    match format {
        ExportFormat::Markdown => markdown::write(content),
        ExportFormat::Html => html_page(content),
    }
}

fn html_page(content: &DraftContent) -> String {
    let rendered = render_draft(content, &NoMedia);
    let title = if content.title.trim().is_empty() {
        "Untitled draft"
    } else {
        content.title.as_str()
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<meta name=\"description\" content=\"{description}\">\n\
         <style>body{{max-width:40rem;margin:3rem auto;padding:0 1rem;font:1.1rem/1.65 Georgia,serif;color:#1f1e1b}}\
         img{{max-width:100%;height:auto}}pre{{overflow-x:auto;background:#f3f1ec;padding:.75rem}}\
         a.anchor{{display:none}}</style>\n</head>\n<body>\n<article>\n<h1>{title}</h1>\n{body}\n</article>\n</body>\n</html>\n",
        title = escape_html(title),
        description = escape_html(&rendered.excerpt),
        body = rendered.html,
    )
}

/// Write the draft into `dir` (created if missing) and answer the file's path.
pub fn write(
    dir: &Path,
    content: &DraftContent,
    format: ExportFormat,
) -> Result<PathBuf, ExportError> {
    let fail = |path: &Path, e: std::io::Error| ExportError::Write {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    let base = if !content.slug.is_empty() {
        content.slug.clone()
    } else {
        let s = slugify(&content.title);
        if s.is_empty() {
            "untitled-draft".into()
        } else {
            s
        }
    };
    let ext = match format {
        ExportFormat::Markdown => "md",
        ExportFormat::Html => "html",
    };
    let text = render(content, format);
    let temp = dir.join(format!(".{base}.{ext}.pint-export"));
    let mut file = std::fs::File::create(&temp).map_err(|e| fail(&temp, e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| fail(&temp, e))?;
    drop(file);
    // The first free name; `hard_link` fails if the name is taken, so a file that
    // appears meanwhile is never overwritten either.
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{base}.{ext}")
        } else {
            format!("{base}-{n}.{ext}")
        };
        let target = dir.join(name);
        match std::fs::hard_link(&temp, &target) {
            Ok(()) => {
                let _ = std::fs::remove_file(&temp);
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(fail(&target, e));
            }
        }
    }
    let _ = std::fs::remove_file(&temp);
    Err(ExportError::Write {
        path: dir.join(format!("{base}.{ext}")),
        reason: "999 files of that name exist already".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pint_model::{DraftKind, Seo};

    fn content(title: &str, body: &str) -> DraftContent {
        DraftContent {
            kind: DraftKind::Post,
            title: title.into(),
            body: body.into(),
            excerpt: String::new(),
            slug: String::new(),
            tags: vec!["travel".into()],
            featured_image: String::new(),
            featured_image_alt: String::new(),
            seo: Seo::default(),
            date: String::new(),
        }
    }

    #[test]
    fn markdown_export_reads_back_with_pint_import() {
        let dir = tempfile::tempdir().unwrap();
        let c = content("Night trains", "# Day one\n\nSlept well.");
        let path = write(dir.path(), &c, ExportFormat::Markdown).unwrap();
        assert_eq!(path.file_name().unwrap(), "night-trains.md");
        let back = markdown::read(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn html_export_is_a_page_with_the_sanitized_text_and_an_escaped_title() {
        let c = content(
            "<Trains> & \"boats\"",
            "Hello <script>alert(1)</script> **world**",
        );
        let page = render(&c, ExportFormat::Html);
        assert!(page.starts_with("<!doctype html>"));
        assert!(page.contains("<title>&lt;Trains&gt; &amp; &quot;boats&quot;</title>"));
        assert!(page.contains("<strong>world</strong>"));
        assert!(!page.contains("<script>alert"), "{page}");
    }

    #[test]
    fn an_existing_file_is_never_overwritten_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "mine").unwrap();
        let c = content("Notes", "new");
        let path = write(dir.path(), &c, ExportFormat::Markdown).unwrap();
        assert_eq!(path.file_name().unwrap(), "notes-2.md");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.md")).unwrap(),
            "mine"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let untitled = write(dir.path(), &content("", "x"), ExportFormat::Html).unwrap();
        assert_eq!(untitled.file_name().unwrap(), "untitled-draft.html");
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let err = write(
            &blocker.join("sub"),
            &content("a", "b"),
            ExportFormat::Markdown,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("could not write"), "{err}");
    }
}
