//! Full-text search over titles and bodies (SQLite FTS5). The index is brought up to
//! date for drafts saved since the last search right before searching, so typing never
//! pays for indexing and results are never stale.

use pint_model::DocumentId;
use rusqlite::params;

use super::{Store, StoreError};

impl Store {
    /// Drafts whose index entry is out of date.
    pub fn stale_for_search(&self) -> Result<Vec<DocumentId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM drafts WHERE fts_stale = 1")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for id in ids {
            if let Ok(id) = id?.parse() {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Put a draft's current title and body in the index.
    pub fn index_for_search(
        &mut self,
        id: DocumentId,
        title: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        let key = id.to_string();
        let tx = self.conn.transaction()?;
        let rowid: i64 = tx.query_row("SELECT rowid FROM drafts WHERE id = ?1", [&key], |r| {
            r.get(0)
        })?;
        tx.execute("DELETE FROM drafts_fts WHERE rowid = ?1", [rowid])?;
        tx.execute(
            "INSERT INTO drafts_fts (rowid, title, body) VALUES (?1, ?2, ?3)",
            params![rowid, title, body],
        )?;
        tx.execute("UPDATE drafts SET fts_stale = 0 WHERE id = ?1", [&key])?;
        tx.commit()?;
        Ok(())
    }

    /// Drafts (not in the trash) matching every word of `query`, best first, each with
    /// a snippet of its text around the match (the matched words between U+0002 and
    /// U+0003); the last word also matches as a prefix, as people search while
    /// typing. Any text is a valid query: words are quoted, never read as FTS syntax.
    pub fn search_indexed(&self, query: &str) -> Result<Vec<(DocumentId, String)>, StoreError> {
        let Some(expr) = fts_expression(query) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, snippet(drafts_fts, 1, char(2), char(3), '…', 14)
             FROM drafts_fts f JOIN drafts d ON d.rowid = f.rowid
             WHERE drafts_fts MATCH ?1 AND d.trashed_at IS NULL
             ORDER BY bm25(drafts_fts, 5.0, 1.0), d.updated_at DESC",
        )?;
        let rows = stmt.query_map([expr], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, snippet) = row?;
            if let Ok(id) = id.parse() {
                out.push((id, plain_snippet(&snippet)));
            }
        }
        Ok(out)
    }
}

/// `[text](target)` as `text`: a link's target is not what the creator wrote to be read.
/// (A link cut off by the snippet's edge is left as it is.)
fn without_link_targets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(mid) = rest.find("](") {
        let Some(close) = rest[mid..].find(')') else {
            break;
        };
        let Some(open) = rest[..mid].rfind('[') else {
            out.push_str(&rest[..mid + 2]);
            rest = &rest[mid + 2..];
            continue;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..mid]);
        rest = &rest[mid + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A snippet as a line of text: Markdown's marks and line breaks out, the match markers
/// kept (a title-only match has no body snippet: empty).
fn plain_snippet(snippet: &str) -> String {
    let text: String = without_link_targets(snippet)
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '#' | '>'))
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.contains('\u{2}') {
        text
    } else {
        String::new()
    }
}

/// `"word1" "word2" "word3"*`, or `None` when the query has no words.
fn fts_expression(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '\'' && c != '-'))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    let last = words.len().checked_sub(1)?;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("{w}*")
                } else {
                    w.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::fts_expression;

    #[test]
    fn any_text_becomes_a_quoted_expression() {
        assert_eq!(
            fts_expression("hello wor").as_deref(),
            Some("\"hello\" \"wor\"*")
        );
        assert_eq!(fts_expression("  ").as_deref(), None);
        assert_eq!(
            fts_expression("a\"b OR c*").as_deref(),
            Some("\"a\" \"b\" \"OR\" \"c\"*")
        );
        assert_eq!(
            fts_expression("NEAR(x y)").as_deref(),
            Some("\"NEAR\" \"x\" \"y\"*")
        );
    }
}
