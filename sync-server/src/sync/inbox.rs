//! What wakes a sync connection besides its own socket: other connections' changes to a
//! draft it syncs, and their presence messages to relay. A document keeps the inboxes of
//! the connections on it and writes into them directly: one wake-up per connection per
//! change, however many drafts the connection syncs, with changes to one draft that
//! arrive before the connection wakes counted once.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use pint_model::sync_protocol::Message;
use tokio::sync::Notify;

/// Presence messages kept for a connection that has not woken yet; older ones go first
/// (a newer one from the same person says where they are now).
const EPHEMERAL_KEPT: usize = 256;

/// One connection's inbox.
#[derive(Debug)]
pub struct Inbox {
    connection: u64,
    waiting: Mutex<Waiting>,
    wake: Notify,
}

/// What an inbox holds when its connection wakes.
#[derive(Debug, Default)]
pub struct Waiting {
    /// Drafts changed by others, each once, in the order they first changed.
    pub changed: Vec<String>,
    /// Presence messages to relay, oldest first.
    pub ephemeral: VecDeque<Message>,
}

impl Inbox {
    pub fn new(connection: u64) -> Arc<Inbox> {
        Arc::new(Inbox {
            connection,
            waiting: Mutex::new(Waiting::default()),
            wake: Notify::new(),
        })
    }

    /// Wait until something is waiting (at once if something already is), and take it.
    pub async fn next(&self) -> Waiting {
        loop {
            let taken = std::mem::take(&mut *self.lock());
            if !taken.changed.is_empty() || !taken.ephemeral.is_empty() {
                return taken;
            }
            self.wake.notified().await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn changed(&self, document: &str) {
        {
            let mut waiting = self.lock();
            if !waiting.changed.iter().any(|d| d == document) {
                waiting.changed.push(document.to_owned());
            }
        }
        self.wake.notify_one();
    }

    fn ephemeral(&self, message: Message) {
        {
            let mut waiting = self.lock();
            if waiting.ephemeral.len() >= EPHEMERAL_KEPT {
                waiting.ephemeral.pop_front();
            }
            waiting.ephemeral.push_back(message);
        }
        self.wake.notify_one();
    }
}

/// The inboxes of the connections on one document.
#[derive(Debug, Default)]
pub struct Watchers(Vec<Weak<Inbox>>);

impl Watchers {
    pub fn add(&mut self, inbox: &Arc<Inbox>) {
        self.0.retain(|w| w.strong_count() > 0);
        self.0.push(Arc::downgrade(inbox));
    }

    /// Tell every connection on the document that it changed (closed ones are dropped).
    pub fn changed(&mut self, document: &str) {
        self.0.retain(|w| match w.upgrade() {
            Some(inbox) => {
                inbox.changed(document);
                true
            }
            None => false,
        });
    }

    /// Relay a presence message to every connection on the document but its sender's.
    pub fn ephemeral(&mut self, from: u64, message: &Message) {
        self.0.retain(|w| match w.upgrade() {
            Some(inbox) => {
                if inbox.connection != from {
                    inbox.ephemeral(message.clone());
                }
                true
            }
            None => false,
        });
    }
}
