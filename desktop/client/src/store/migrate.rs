//! The local schema, embedded in the binary and applied at open, each migration in
//! its own transaction together with the bump of `PRAGMA user_version`.

use rusqlite::Connection;

/// The migrations, in order; the position in this list is the schema version.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_drafts",
        include_str!("../../../../migrations/desktop/0001_drafts.sql"),
    ),
    (
        "0002_drafts_list",
        include_str!("../../../../migrations/desktop/0002_drafts_list.sql"),
    ),
    (
        "0003_open_fast",
        include_str!("../../../../migrations/desktop/0003_open_fast.sql"),
    ),
    (
        "0004_sync_state",
        include_str!("../../../../migrations/desktop/0004_sync_state.sql"),
    ),
    (
        "0005_account",
        include_str!("../../../../migrations/desktop/0005_account.sql"),
    ),
    (
        "0006_listing",
        include_str!("../../../../migrations/desktop/0006_listing.sql"),
    ),
    (
        "0007_settings",
        include_str!("../../../../migrations/desktop/0007_settings.sql"),
    ),
    (
        "0008_media",
        include_str!("../../../../migrations/desktop/0008_media.sql"),
    ),
    (
        "0009_media_sent",
        include_str!("../../../../migrations/desktop/0009_media_sent.sql"),
    ),
    (
        "0010_checks",
        include_str!("../../../../migrations/desktop/0010_checks.sql"),
    ),
    (
        "0011_ai_providers",
        include_str!("../../../../migrations/desktop/0011_ai_providers.sql"),
    ),
    (
        "0012_ai_provider_model",
        include_str!("../../../../migrations/desktop/0012_ai_provider_model.sql"),
    ),
    (
        "0013_imports",
        include_str!("../../../../migrations/desktop/0013_imports.sql"),
    ),
    (
        "0014_linked_folder",
        include_str!("../../../../migrations/desktop/0014_linked_folder.sql"),
    ),
];

/// Apply every migration newer than the database. A database newer than this build
/// is refused rather than touched.
pub fn run(conn: &mut Connection) -> Result<(), super::StoreError> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > MIGRATIONS.len() {
        return Err(super::StoreError::TooNew {
            found: current,
            known: MIGRATIONS.len(),
        });
    }
    for (version, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|e| super::StoreError::Migration {
                name,
                reason: e.to_string(),
            })?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        tracing::info!(migration = name, "applied local migration");
    }
    Ok(())
}

#[cfg(test)]
pub(crate) fn latest() -> usize {
    MIGRATIONS.len()
}
