//! Change events: what changed, said once by the store that changed it, heard by every
//! part of every server that keeps something derived from it.
//!
//! - A store that changes something others keep copies of announces a `Change`: to the
//!   other servers sharing the database inside its transaction (PostgreSQL NOTIFY, so
//!   only committed changes are heard), and to this server's listeners once committed.
//! - `Events` is this server's bus. Listeners are told synchronously, so a request that
//!   changed a blog answers only after the blog's cached pages are gone; a listener with
//!   slow work to do (merging a document another server stored) queues it.
//! - What other servers announce arrives through `relay` and is told to the same
//!   listeners. A server also hears its own announcements back that way; every listener
//!   takes a change twice without harm.
//!
//! Today's listeners: the blog's page cache and custom-domain hosts (`Blog`), the synced
//! documents in memory (`Document`), and the sync sockets' access checks (`Access`).

use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

/// Something changed that others may keep a copy or a decision of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "camelCase")]
pub enum Change {
    /// A synced document's stored changes moved (document ids are the blog's own).
    Document { tenant: String, id: String },
    /// What a blog's pages show changed: posts published or taken off, its settings,
    /// password, page order, domain, likes or love notes.
    Blog { subdomain: String },
    /// Sessions, bans or memberships changed: who may sync what.
    Access,
}

impl Change {
    /// As sent between servers (JSON, well under NOTIFY's 8000-byte limit).
    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A change another server sent; `None` for anything else.
    pub fn from_payload(payload: &str) -> Option<Change> {
        serde_json::from_str(payload).ok()
    }
}

/// What a part of the server does when something changes. Called on the announcing
/// task: keep it short (drop an entry, wake a task).
pub trait Listener: Send + Sync + std::fmt::Debug {
    fn heard(&self, change: &Change);
}

/// This server's bus: every listener hears every change.
#[derive(Debug, Clone, Default)]
pub struct Events {
    listeners: Arc<RwLock<Vec<Arc<dyn Listener>>>>,
}

impl Events {
    /// Hear every change from now on.
    pub fn listen(&self, listener: Arc<dyn Listener>) {
        self.listeners
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(listener);
    }

    /// Tell this server's listeners (other servers heard it from the database).
    pub fn tell(&self, change: &Change) {
        let listeners = self
            .listeners
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for listener in listeners {
            listener.heard(change);
        }
    }

    /// Tell this server's listeners what other servers announce (payloads from the
    /// database's change feed) until the feed ends.
    pub fn relay(
        &self,
        mut feed: tokio::sync::mpsc::Receiver<String>,
    ) -> tokio::task::JoinHandle<()> {
        let events = self.clone();
        tokio::spawn(async move {
            while let Some(payload) = feed.recv().await {
                match Change::from_payload(&payload) {
                    Some(change) => events.tell(&change),
                    None => tracing::warn!(%payload, "an announced change was not understood"),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Debug, Default)]
    struct Heard(Mutex<Vec<Change>>);

    impl Listener for Heard {
        fn heard(&self, change: &Change) {
            self.0.lock().unwrap().push(change.clone());
        }
    }

    fn doc(id: &str) -> Change {
        Change::Document {
            tenant: "t1".into(),
            id: id.into(),
        }
    }

    #[test]
    fn changes_travel_as_tagged_json_and_nothing_else_passes() {
        let blog = Change::Blog {
            subdomain: "ada".into(),
        };
        assert_eq!(blog.to_payload(), r#"{"change":"blog","subdomain":"ada"}"#);
        for change in [blog, doc("d1"), Change::Access] {
            assert_eq!(Change::from_payload(&change.to_payload()), Some(change));
        }
        // The old untyped payloads (a bare id, "blog:" + subdomain) are not changes.
        assert_eq!(Change::from_payload("blog:ada"), None);
        assert_eq!(Change::from_payload("3zd8"), None);
    }

    #[tokio::test]
    async fn every_listener_hears_what_is_told_and_what_is_relayed() {
        let events = Events::default();
        let (a, b) = (Arc::new(Heard::default()), Arc::new(Heard::default()));
        events.listen(a.clone());
        events.listen(b.clone());
        events.tell(&Change::Access);
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let relay = events.relay(rx);
        tx.send(doc("d1").to_payload()).await.unwrap();
        tx.send("not a change".into()).await.unwrap();
        drop(tx);
        relay.await.unwrap();
        let want = vec![Change::Access, doc("d1")];
        assert_eq!(*a.0.lock().unwrap(), want);
        assert_eq!(*b.0.lock().unwrap(), want);
    }
}
