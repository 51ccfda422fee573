//! The checker on a thread of its own, for the app: every check runs on that one
//! long-lived thread. harper keeps what spelling suggestions need (an automaton builder
//! that takes about a second to make) per thread, so checks on whichever thread a command
//! happens to run on would pay that second again and again; here it is paid once, at
//! start, before the first draft is checked.

use std::sync::mpsc;

use super::{CheckPrefs, Checker, Finding};

struct Job {
    text: String,
    prefs: CheckPrefs,
    ignored: Vec<(String, String)>,
    reply: mpsc::SyncSender<Vec<Finding>>,
}

/// A handle on the checker's thread (cheap to clone; the thread ends with the last one).
#[derive(Debug, Clone)]
pub struct CheckWorker {
    jobs: mpsc::Sender<Job>,
}

impl CheckWorker {
    /// Start the thread; the checker is made (and warmed up) there at once.
    pub fn start() -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("pint-checks".into())
            .spawn(move || {
                let mut checker = Checker::new();
                for job in queue {
                    let found = checker.check(&job.text, &job.prefs, &job.ignored);
                    // The asker may have gone (the window closed): nothing to do.
                    let _ = job.reply.send(found);
                }
            })?;
        Ok(CheckWorker { jobs })
    }

    /// Check `text` on the checker's thread (waiting while it is still being made, or
    /// checking what was asked before).
    pub fn check(
        &self,
        text: &str,
        prefs: &CheckPrefs,
        ignored: &[(String, String)],
    ) -> Vec<Finding> {
        let (reply, answer) = mpsc::sync_channel(1);
        let job = Job {
            text: text.to_owned(),
            prefs: prefs.clone(),
            ignored: ignored.to_vec(),
            reply,
        };
        if self.jobs.send(job).is_err() {
            return Vec::new();
        }
        answer.recv().unwrap_or_default()
    }
}
