//! When sync sockets check again that their session and memberships still stand. A
//! counter in the database (`access_changes`, kept by triggers) moves whenever a session
//! ends, a user is banned or deleted, or a membership changes or goes; one task per
//! server reads it every `POLL_EVERY` and wakes every socket when it moved, and each
//! socket then checks its own session and blogs. So a revoked session or a removed
//! member is cut off within a second, on every server sharing the database, while a
//! server with a thousand quiet sockets asks the database one small question four times
//! a second instead of two thousand.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::db::Storage;

/// How often the counter is read.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// Sockets also check again this often whatever the counter says (in case a change
/// reached the database some other way than through the tables the triggers watch).
pub const CHECK_ANYWAY_EVERY: Duration = Duration::from_secs(60);

/// The latest value of the access counter, for sockets to watch.
#[derive(Debug, Clone)]
pub struct AccessWatch {
    epoch: watch::Receiver<i64>,
}

impl AccessWatch {
    /// Start reading the counter; the task ends when every `AccessWatch` is dropped.
    pub fn start(storage: Arc<dyn Storage>) -> AccessWatch {
        let (tx, rx) = watch::channel(0);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = tx.closed() => break,
                    _ = tick.tick() => {}
                }
                match storage.access_epoch().await {
                    Ok(epoch) => {
                        tx.send_if_modified(|seen| {
                            let moved = *seen != epoch;
                            *seen = epoch;
                            moved
                        });
                    }
                    // Nothing can be revoked while the database cannot be read; the
                    // sockets' own checks say so if it stays down.
                    Err(e) => tracing::warn!(error = %e, "could not read the access counter"),
                }
            }
        });
        AccessWatch { epoch: rx }
    }

    /// Wakes (`changed()`) whenever access may have changed.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        let mut rx = self.epoch.clone();
        rx.mark_unchanged();
        rx
    }
}
