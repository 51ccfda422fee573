//! Opening a web page in the system's browser, and telling the truth about it.
//!
//! Openers are tried in order: each command of `$BROWSER` (colon-separated, `%s` for the
//! address, as the convention has it), then `xdg-open`, `gio open` and `x-www-browser` on
//! Linux, `open` on macOS, `explorer` on Windows. An opener that exits with success, or
//! is still running after `SETTLE` (a browser that was started itself and stays open),
//! has opened the page; one that is missing or exits with failure (no browser could be
//! started) is passed over for the next. When none opened it, the error says so: the UI
//! never says "opened" for a page that was not.
//!
//! Only `http:` and `https:` addresses are opened: the system opens whatever else it is
//! given with some program.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long an opener may take to fail before it counts as having opened the page.
pub const SETTLE: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BrowserError {
    #[error("only web pages (http or https) are opened, not {0}")]
    NotAWebPage(String),
    #[error("no web browser could be opened ({tried}); the page is at {url}")]
    NoBrowser { url: String, tried: String },
}

/// Open `url` in the system's browser.
pub fn open_web_page(url: &str) -> Result<(), BrowserError> {
    open_with(
        url,
        &openers(std::env::var("BROWSER").ok().as_deref()),
        SETTLE,
    )
}

/// The commands to try, in order, before the address is put in.
pub fn openers(browser_env: Option<&str>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = browser_env
        .unwrap_or("")
        .split(':')
        .map(|c| c.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|c| !c.is_empty())
        .collect();
    let system: &[&[&str]] = if cfg!(target_os = "macos") {
        &[&["open"]]
    } else if cfg!(windows) {
        &[&["explorer"]]
    } else {
        &[&["xdg-open"], &["gio", "open"], &["x-www-browser"]]
    };
    out.extend(
        system
            .iter()
            .map(|c| c.iter().map(|s| (*s).to_owned()).collect()),
    );
    out
}

/// Try each opener in turn (see the module's comment); `settle`: how long one may take
/// to fail.
pub fn open_with(url: &str, openers: &[Vec<String>], settle: Duration) -> Result<(), BrowserError> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(BrowserError::NotAWebPage(url.to_owned()));
    }
    let mut tried = Vec::new();
    for opener in openers {
        let Some((program, args)) = opener.split_first() else {
            continue;
        };
        let mut placed = false;
        let mut args: Vec<String> = args
            .iter()
            .map(|a| {
                if a.contains("%s") {
                    placed = true;
                    a.replace("%s", url)
                } else {
                    a.clone()
                }
            })
            .collect();
        if !placed {
            args.push(url.to_owned());
        }
        let child = Command::new(program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                tried.push(format!("{program}: {e}"));
                continue;
            }
        };
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => {
                    tried.push(format!("{program}: {status}"));
                    break;
                }
                // Still running after `settle`: a browser that stays open. Left to run.
                Ok(None) if started.elapsed() >= settle => return Ok(()),
                Ok(None) => std::thread::sleep(Duration::from_millis(25)),
                Err(e) => {
                    tried.push(format!("{program}: {e}"));
                    break;
                }
            }
        }
    }
    Err(BrowserError::NoBrowser {
        url: url.to_owned(),
        tried: if tried.is_empty() {
            "none is set up".to_owned()
        } else {
            tried.join("; ")
        },
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into(), "opener".into()]
    }

    const URL: &str = "https://blog.example/post";

    #[test]
    fn a_browser_that_fails_to_start_is_an_error_naming_the_page() {
        let err = open_with(
            URL,
            &[sh("exit 3"), vec!["/no/such/browser".into()]],
            SETTLE,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(URL), "{text}");
        assert!(text.contains("exit status: 3"), "{text}");
        assert!(text.contains("/no/such/browser"), "{text}");
    }

    #[test]
    fn the_first_opener_that_works_opens_the_page_with_its_address() {
        let dir = tempfile::tempdir().unwrap();
        let noted = dir.path().join("opened");
        let note = format!("echo \"$1\" > '{}'", noted.display());
        open_with(URL, &[sh("exit 1"), sh(&note)], SETTLE).unwrap();
        assert_eq!(std::fs::read_to_string(&noted).unwrap().trim(), URL);
    }

    #[test]
    fn a_browser_that_stays_open_has_opened_the_page() {
        open_with(URL, &[sh("sleep 5")], Duration::from_millis(200)).unwrap();
    }

    #[test]
    fn only_web_pages_are_opened() {
        assert!(matches!(
            open_with("file:///etc/passwd", &[sh("exit 0")], SETTLE),
            Err(BrowserError::NotAWebPage(_))
        ));
    }

    #[test]
    fn browser_variable_commands_come_first_and_take_the_address_where_it_says() {
        let list = openers(Some("firefox --new-tab %s:chromium"));
        assert_eq!(list[0], ["firefox", "--new-tab", "%s"]);
        assert_eq!(list[1], ["chromium"]);
        assert!(list.len() > 2);
        assert_eq!(openers(None).len(), list.len() - 2);
    }
}
