//! `pint export --git DIR`: the drafts as a git repository, one markdown file per draft
//! (`posts/<slug>.md`, `pages/<slug>.md`) and each draft's history (its editing
//! sessions, as the History pane shows them) as commits in time order, for creators who
//! keep their writing in git. The history is streamed into `git fast-import` (git must
//! be installed), then the files are checked out.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use pint_model::render::slugify;
use pint_model::{DocumentId, DraftKind};

use super::markdown;
use crate::store::ListQuery;
use crate::{Engine, EngineError};

#[derive(Debug, thiserror::Error)]
pub enum GitExportError {
    #[error("{0} is not empty: export to a new or empty folder")]
    NotEmpty(String),
    #[error("git could not be run ({0}); is it installed?")]
    NoGit(String),
    #[error("git failed: {0}")]
    Git(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("could not write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// What the repository holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GitSummary {
    pub drafts: usize,
    pub commits: usize,
}

/// Write every draft outside the trash, with its history, as a new git repository.
pub fn export(engine: &mut Engine, dir: &Path) -> Result<GitSummary, GitExportError> {
    let shown = dir.display().to_string();
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| GitExportError::Write {
                path: shown.clone(),
                reason: e.to_string(),
            })?
            .next()
            .is_some()
    {
        return Err(GitExportError::NotEmpty(shown));
    }
    std::fs::create_dir_all(dir).map_err(|e| GitExportError::Write {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    git(dir, &["init", "-q", "--initial-branch=main"], None)?;

    // Every editing session of every draft, oldest first; each draft keeps one file.
    let drafts = engine.list(&ListQuery::default())?;
    let mut names = HashSet::new();
    let mut sessions: Vec<(i64, DocumentId, Vec<String>, String)> = Vec::new();
    let mut files = Vec::new();
    for d in &drafts {
        let now = engine.content(d.id)?;
        let folder = match now.kind {
            DraftKind::Post => "posts",
            DraftKind::Page => "pages",
        };
        let mut base = if now.slug.is_empty() {
            slugify(&now.title)
        } else {
            now.slug.clone()
        };
        if base.is_empty() {
            base = d.id.to_string();
        }
        let mut file = format!("{folder}/{base}.md");
        let mut n = 2;
        while !names.insert(file.clone()) {
            file = format!("{folder}/{base}-{n}.md");
            n += 1;
        }
        files.push((d.id, file.clone()));
        // Oldest first: sessions in the same second keep their order.
        for v in engine.versions(d.id)?.into_iter().rev() {
            sessions.push((v.time, d.id, v.heads, file.clone()));
        }
    }
    sessions.sort_by_key(|s| s.0);

    let mut stream: Vec<u8> = Vec::new();
    let mut commits = 0;
    let mut last_text: std::collections::HashMap<DocumentId, String> = Default::default();
    for (time, id, heads, file) in &sessions {
        let content = engine.preview_version(*id, heads)?;
        let text = markdown::write(&content);
        if last_text.get(id) == Some(&text) {
            continue;
        }
        let verb = if last_text.contains_key(id) {
            "Edit"
        } else {
            "Add"
        };
        last_text.insert(*id, text.clone());
        let title = if content.title.is_empty() {
            "(untitled)"
        } else {
            content.title.as_str()
        };
        let message = format!("{verb} “{title}”\n");
        commits += 1;
        write!(
            stream,
            "commit refs/heads/main\nmark :{commits}\n\
             author Pint <pint@localhost> {time} +0000\n\
             committer Pint <pint@localhost> {time} +0000\n\
             data {}\n{message}\n",
            message.len()
        )
        .map_err(|e| GitExportError::Git(e.to_string()))?;
        if commits > 1 {
            writeln!(stream, "from :{}", commits - 1)
                .map_err(|e| GitExportError::Git(e.to_string()))?;
        }
        write!(
            stream,
            "M 100644 inline {file}\ndata {}\n{text}\n",
            text.len()
        )
        .map_err(|e| GitExportError::Git(e.to_string()))?;
    }
    if commits > 0 {
        git(dir, &["fast-import", "--quiet"], Some(&stream))?;
        git(dir, &["checkout", "-q", "-f", "main"], None)?;
    }
    Ok(GitSummary {
        drafts: files.len(),
        commits,
    })
}

fn git(dir: &Path, args: &[&str], input: Option<&[u8]>) -> Result<(), GitExportError> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| GitExportError::NoGit(e.to_string()))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(input)
            .map_err(|e| GitExportError::Git(e.to_string()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| GitExportError::Git(e.to_string()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(GitExportError::Git(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ))
    }
}
