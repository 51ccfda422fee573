//! The creator's AI providers on this device (never their keys: those are in the OS
//! keychain).

use rusqlite::params;

use super::{Store, StoreError};
use crate::ai::{Provider, ProviderConfig};

impl Store {
    pub fn add_ai_provider(&mut self, p: &ProviderConfig) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO ai_providers (id, provider, label, base_url, model, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                p.id,
                p.provider.as_str(),
                p.label,
                p.base_url,
                p.model,
                p.added_at
            ],
        )?;
        Ok(())
    }

    /// Every provider, oldest first.
    pub fn ai_providers(&self) -> Result<Vec<ProviderConfig>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, provider, label, base_url, model, added_at FROM ai_providers
             ORDER BY added_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, provider, label, base_url, model, added_at) = row?;
            // A provider this build does not know (written by a newer one) is left out.
            if let Some(provider) = Provider::parse(&provider) {
                out.push(ProviderConfig {
                    id,
                    provider,
                    label,
                    base_url,
                    model,
                    added_at,
                });
            }
        }
        Ok(out)
    }

    /// Forget a provider; answers whether there was one.
    pub fn remove_ai_provider(&mut self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM ai_providers WHERE id = ?1", [id])?
            > 0)
    }
}
