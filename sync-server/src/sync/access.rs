//! When sync sockets check again that their session and memberships still stand. A
//! counter in the database (`access_changes`, kept by triggers) moves whenever a session
//! ends, a user is banned or deleted, or a membership changes or goes; one task per
//! server reads it every `POLL_EVERY` and announces `Change::Access` on the server's
//! events when it moved, which wakes every socket, and each socket then checks its own
//! session and blogs. So a revoked session or a removed
//! member is cut off within a second, on every server sharing the database, while a
//! server with a thousand quiet sockets asks the database one small question four times
//! a second instead of two thousand.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::db::Storage;
use crate::events::{Change, Listener};

/// How often the counter is read.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// Sockets also check again this often whatever the counter says (in case a change
/// reached the database some other way than through the tables the triggers watch).
pub const CHECK_ANYWAY_EVERY: Duration = Duration::from_secs(60);

/// Access may have changed: sockets watching `AccessWatch` wake (`Change::Access`).
#[derive(Debug)]
struct AccessBell(watch::Sender<u64>);

impl Listener for AccessBell {
    fn heard(&self, change: &Change) {
        if let Change::Access = change {
            self.0.send_modify(|rung| *rung = rung.wrapping_add(1));
        }
    }
}

/// What sync sockets watch to know when to check their access again.
#[derive(Debug, Clone)]
pub struct AccessWatch {
    rung: watch::Receiver<u64>,
}

impl AccessWatch {
    /// Listen for `Change::Access`, and start reading the counter, which announces one
    /// whenever it moved; the task ends when every `AccessWatch` is dropped.
    pub fn start(storage: Arc<Storage>) -> AccessWatch {
        let (tx, rx) = watch::channel(0);
        let bell = Arc::new(AccessBell(tx));
        storage.events().listen(bell.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut seen = None;
            loop {
                tokio::select! {
                    () = bell.0.closed() => break,
                    _ = tick.tick() => {}
                }
                match storage.access_epoch().await {
                    Ok(epoch) => {
                        if seen.is_some_and(|seen| seen != epoch) {
                            storage.events().tell(&Change::Access);
                        }
                        seen = Some(epoch);
                    }
                    // Nothing can be revoked while the database cannot be read; the
                    // sockets' own checks say so if it stays down.
                    Err(e) => tracing::warn!(error = %e, "could not read the access counter"),
                }
            }
        });
        AccessWatch { rung: rx }
    }

    /// Wakes (`changed()`) whenever access may have changed.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        let mut rx = self.rung.clone();
        rx.mark_unchanged();
        rx
    }
}
