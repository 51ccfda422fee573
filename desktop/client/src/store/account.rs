//! The account this device syncs as (one at most). Secrets are not kept here: the
//! refresh token lives in the OS keychain (`crate::keychain`).

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};

/// Who this device is signed in as, and the blog its drafts sync with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The server, e.g. `https://pint.example` (no trailing slash).
    pub server: String,
    pub email: String,
    pub user_id: String,
    pub display_name: String,
    /// The blog (tenant) new drafts are created under.
    pub blog_id: String,
    pub blog_name: String,
    /// This user's role in that blog: `viewer` cannot change drafts there.
    pub blog_role: String,
    /// This device's peer id on the sync socket.
    pub peer_id: String,
}

impl Store {
    pub fn account(&self) -> Result<Option<Account>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT server, email, user_id, display_name, blog_id, blog_name, blog_role, peer_id
                 FROM account WHERE id = 1",
                [],
                |r| {
                    Ok(Account {
                        server: r.get(0)?,
                        email: r.get(1)?,
                        user_id: r.get(2)?,
                        display_name: r.get(3)?,
                        blog_id: r.get(4)?,
                        blog_name: r.get(5)?,
                        blog_role: r.get(6)?,
                        peer_id: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Remember the account (replacing any other).
    pub fn set_account(&mut self, a: &Account) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO account (id, server, email, user_id, display_name, blog_id, blog_name,
                                  blog_role, peer_id)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET server = excluded.server, email = excluded.email,
                 user_id = excluded.user_id, display_name = excluded.display_name,
                 blog_id = excluded.blog_id, blog_name = excluded.blog_name,
                 blog_role = excluded.blog_role, peer_id = excluded.peer_id",
            params![
                a.server,
                a.email,
                a.user_id,
                a.display_name,
                a.blog_id,
                a.blog_name,
                a.blog_role,
                a.peer_id
            ],
        )?;
        Ok(())
    }

    /// Forget the account (the drafts stay).
    pub fn clear_account(&mut self) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM account", [])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_account_is_kept_replaced_and_forgotten() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.account().unwrap(), None);
        let mut a = Account {
            server: "http://127.0.0.1:8080".into(),
            email: "ada@example.com".into(),
            user_id: "u1".into(),
            display_name: "Ada".into(),
            blog_id: "t1".into(),
            blog_name: "Ada's".into(),
            blog_role: "owner".into(),
            peer_id: "u1-abc".into(),
        };
        store.set_account(&a).unwrap();
        assert_eq!(store.account().unwrap().as_ref(), Some(&a));
        a.blog_id = "t2".into();
        store.set_account(&a).unwrap();
        assert_eq!(store.account().unwrap(), Some(a));
        store.clear_account().unwrap();
        assert_eq!(store.account().unwrap(), None);
    }
}
