//! A linked folder against the way files really change: editors that save by renaming a
//! new file over the old (vim) or by truncating and writing (VS Code), a `git checkout`
//! that rewrites 500 files at once, a file moved, a file deleted, edits on disk and in
//! Pint at the same time, and files that cannot be drafts. Real files, the real watcher
//! (inotify), the real store.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pint_client::files::link::{Link, LinkReport};
use pint_client::files::markdown;
use pint_client::files::watch::{Batch, FolderWatcher};
use pint_client::{Engine, ListQuery};
use pint_model::{DocumentId, Splice};

struct Linked {
    engine: Engine,
    link: Link,
    watcher: FolderWatcher,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Linked {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("writing");
        for (path, text) in files {
            put(&root, path, text);
        }
        std::fs::create_dir_all(&root).unwrap();
        let mut engine = Engine::open(&dir.path().join("data")).unwrap();
        let link = Link::open(&mut engine, &root).unwrap();
        let watcher = FolderWatcher::start(link.root()).unwrap();
        let root = link.root().to_owned();
        Linked {
            engine,
            link,
            watcher,
            root,
            _dir: dir,
        }
    }

    /// Take in what the watcher reports until `done` holds (at most 10 s).
    fn settle(&mut self, done: impl Fn(&mut Engine) -> bool) -> LinkReport {
        let mut all = LinkReport::default();
        let until = Instant::now() + Duration::from_secs(10);
        while !done(&mut self.engine) {
            assert!(Instant::now() < until, "the folder never settled: {all:#?}");
            let report = match self.watcher.next_batch(Duration::from_millis(200)) {
                None => continue,
                Some(Batch::Rescan) => self.link.catch_up(&mut self.engine).unwrap(),
                Some(Batch::Paths(paths)) => {
                    self.link.files_changed(&mut self.engine, &paths).unwrap()
                }
            };
            all.from_disk.extend(report.from_disk);
            all.to_disk.extend(report.to_disk);
            all.trashed.extend(report.trashed);
            all.skipped.extend(report.skipped);
        }
        all
    }

    /// Whatever the watcher still has to say, for a moment.
    fn drain(&mut self) -> LinkReport {
        let mut all = LinkReport::default();
        while let Some(batch) = self.watcher.next_batch(Duration::from_millis(300)) {
            let report = match batch {
                Batch::Rescan => self.link.catch_up(&mut self.engine).unwrap(),
                Batch::Paths(p) => self.link.files_changed(&mut self.engine, &p).unwrap(),
            };
            all.from_disk.extend(report.from_disk);
            all.to_disk.extend(report.to_disk);
        }
        all
    }

    fn draft(&mut self, title: &str) -> DocumentId {
        self.engine
            .list(&ListQuery::default())
            .unwrap()
            .into_iter()
            .find(|d| d.title == title)
            .unwrap_or_else(|| panic!("no draft titled {title}"))
            .id
    }

    fn body(&mut self, id: DocumentId) -> String {
        self.engine.content(id).unwrap().body
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join(path)).unwrap()
    }
}

fn put(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// vim: a new file beside, renamed over the old one.
fn save_like_vim(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    let swap = p.with_file_name(format!("{}~", p.file_name().unwrap().to_string_lossy()));
    std::fs::write(&swap, text).unwrap();
    std::fs::rename(&swap, &p).unwrap();
}

/// VS Code: the same file truncated, then written.
fn save_like_vscode(root: &Path, path: &str, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(root.join(path))
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

const PINT_FORM: &str = "---\ntitle: \"Night trains\"\nslug: \"night-trains\"\ntags: [\"rail\"]\n---\nFirst.\n\nSecond.\n\nThird.\n";

#[test]
fn files_become_drafts_and_drafts_become_files_with_nothing_rewritten_needlessly() {
    let mut l = Linked::new(&[
        ("night-trains.md", PINT_FORM),
        ("notes/idea.md", "Just an idea.\n"),
        ("notes/latin1.md", "caf\u{e9}"),
        ("notes/readme.txt", "not a draft"),
    ]);
    std::fs::write(l.root.join("notes/broken.md"), b"caf\xe9\n").unwrap();
    std::os::unix::fs::symlink("/etc/hostname", l.root.join("outside.md")).unwrap();
    let report = l.link.catch_up(&mut l.engine).unwrap();
    let mut from: Vec<&str> = report.from_disk.iter().map(|d| d.source.as_str()).collect();
    from.sort();
    assert_eq!(
        from,
        ["night-trains.md", "notes/idea.md", "notes/latin1.md"]
    );
    assert!(
        report.to_disk.is_empty(),
        "nothing written back: {report:#?}"
    );
    let mut skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.source.as_str(), s.reason.as_str()))
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        [
            ("notes/broken.md", "is not UTF-8 text (byte 3 is invalid)"),
            ("outside.md", "is a symbolic link: links are not followed"),
        ]
    );
    assert_eq!(l.read("night-trains.md"), PINT_FORM, "byte for byte");
    let idea = l.draft("idea");
    assert_eq!(l.body(idea), "Just an idea.\n");

    // Catching up again reads nothing and writes nothing.
    let again = l.link.catch_up(&mut l.engine).unwrap();
    assert!(
        again.from_disk.is_empty() && again.to_disk.is_empty(),
        "{again:#?}"
    );

    // A draft written in Pint becomes a file named from its slug, never over another.
    let id = l.engine.create(pint_model::DraftKind::Post).unwrap();
    l.engine
        .edit(
            id,
            &[Splice {
                pos: 0,
                delete: 0,
                insert: "Typed in Pint.\n".into(),
            }],
            Some("Night trains"),
        )
        .unwrap();
    let out = l.link.drafts_changed(&mut l.engine).unwrap();
    assert_eq!(out.to_disk, ["night-trains-2.md"]);
    assert!(
        l.read("night-trains-2.md")
            .ends_with("---\nTyped in Pint.\n")
    );
    assert_eq!(l.read("night-trains.md"), PINT_FORM);
    // A draft edited in Pint is written back; the others are left alone.
    l.engine
        .edit(
            idea,
            &[Splice {
                pos: 0,
                delete: 0,
                insert: "Still ".into(),
            }],
            None,
        )
        .unwrap();
    let out = l.link.drafts_changed(&mut l.engine).unwrap();
    assert_eq!(out.to_disk, ["notes/idea.md"]);
    assert!(
        l.read("notes/idea.md")
            .ends_with("---\nStill Just an idea.\n")
    );
    assert!(
        l.link
            .drafts_changed(&mut l.engine)
            .unwrap()
            .to_disk
            .is_empty()
    );
    // Our own writes, coming back through the watcher, change nothing.
    let echo = l.drain();
    assert!(
        echo.from_disk.is_empty() && echo.to_disk.is_empty(),
        "{echo:#?}"
    );
}

#[test]
fn editors_saves_a_move_and_a_delete_reach_the_drafts() {
    let mut l = Linked::new(&[
        ("night-trains.md", PINT_FORM),
        ("other.md", "# Other\n\nText.\n"),
    ]);
    l.link.catch_up(&mut l.engine).unwrap();
    let id = l.draft("Night trains");

    save_like_vim(
        &l.root,
        "night-trains.md",
        &PINT_FORM.replace("First.", "First, by vim."),
    );
    l.settle(|e| e.content(id).unwrap().body.starts_with("First, by vim."));

    save_like_vscode(
        &l.root,
        "night-trains.md",
        &PINT_FORM.replace("Third.", "Third, by VS Code."),
    );
    l.settle(|e| {
        e.content(id)
            .unwrap()
            .body
            .ends_with("Third, by VS Code.\n")
    });
    assert!(
        l.body(id).starts_with("First.\n"),
        "the file said First. again"
    );

    // Moved into a folder: the same draft.
    std::fs::create_dir_all(l.root.join("trips")).unwrap();
    std::fs::rename(
        l.root.join("night-trains.md"),
        l.root.join("trips/night-trains.md"),
    )
    .unwrap();
    let moved = l.settle(|e| {
        e.store()
            .linked_files()
            .unwrap()
            .contains_key("trips/night-trains.md")
    });
    assert!(moved.trashed.is_empty(), "{moved:#?}");
    assert_eq!(l.engine.list(&ListQuery::default()).unwrap().len(), 2);

    // Deleted: its draft goes to the trash, not away.
    let other = l.draft("Other");
    std::fs::remove_file(l.root.join("other.md")).unwrap();
    l.settle(|e| {
        e.list(&ListQuery {
            trash: true,
            ..ListQuery::default()
        })
        .unwrap()
        .iter()
        .any(|d| d.id == other)
    });
}

#[test]
fn an_edit_on_disk_and_one_in_pint_at_the_same_time_both_survive() {
    let mut l = Linked::new(&[("night-trains.md", PINT_FORM)]);
    l.link.catch_up(&mut l.engine).unwrap();
    let id = l.draft("Night trains");
    // In Pint: the third paragraph (not yet written back).
    let body = l.body(id);
    let at = body.find("Third").unwrap();
    l.engine
        .edit(
            id,
            &[Splice {
                pos: at,
                delete: 0,
                insert: "Pint's ".into(),
            }],
            None,
        )
        .unwrap();
    // On disk, meanwhile: the first paragraph.
    save_like_vscode(
        &l.root,
        "night-trains.md",
        &PINT_FORM.replace("First.", "Disk's first."),
    );
    let report = l.settle(|e| e.content(id).unwrap().body.starts_with("Disk's first."));
    let body = l.body(id);
    assert_eq!(body, "Disk's first.\n\nSecond.\n\nPint's Third.\n");
    assert_eq!(
        report.to_disk,
        ["night-trains.md"],
        "the file gets Pint's edit too"
    );
    assert!(
        l.read("night-trains.md")
            .ends_with("---\nDisk's first.\n\nSecond.\n\nPint's Third.\n")
    );
}

#[test]
fn a_git_checkout_of_500_files_comes_in_whole() {
    let mut l = Linked::new(&[]);
    for n in 0..500 {
        put(
            &l.root,
            &format!("posts/p{n:03}.md"),
            &format!("---\ntitle: \"Post {n}\"\n---\nVersion one of {n}.\n"),
        );
    }
    let first = l.link.catch_up(&mut l.engine).unwrap();
    assert_eq!(first.from_disk.len(), 500);
    // The checkout: every file rewritten as fast as the disk allows.
    for n in 0..500 {
        save_like_vim(
            &l.root,
            &format!("posts/p{n:03}.md"),
            &format!("---\ntitle: \"Post {n}\"\n---\nVersion two of {n}.\n"),
        );
    }
    let ids: Vec<DocumentId> = (0..500).map(|n| l.draft(&format!("Post {n}"))).collect();
    l.settle(|e| {
        ids.iter()
            .all(|id| e.content(*id).unwrap().body.starts_with("Version two"))
    });
    assert_eq!(
        l.engine.list(&ListQuery::default()).unwrap().len(),
        500,
        "no duplicates"
    );
}

#[test]
fn files_changed_while_pint_was_closed_are_caught_up_at_start() {
    let mut l = Linked::new(&[("night-trains.md", PINT_FORM)]);
    l.link.catch_up(&mut l.engine).unwrap();
    let id = l.draft("Night trains");
    // Pint is closed: nothing reads the watcher from here on.
    // While closed: an edit, a new file.
    std::thread::sleep(Duration::from_millis(20));
    save_like_vim(
        &l.root,
        "night-trains.md",
        &PINT_FORM.replace("Second.", "Second, while closed."),
    );
    put(&l.root, "new.md", "# New\n");
    let link = Link::current(&l.engine).unwrap().expect("still linked");
    let report = link.catch_up(&mut l.engine).unwrap();
    assert_eq!(report.from_disk.len(), 2, "{report:#?}");
    assert!(l.body(id).contains("Second, while closed."));
    let back = markdown::read(&l.read("night-trains.md")).unwrap();
    assert_eq!(back.body, l.body(id));
}

#[test]
fn a_sites_own_front_matter_survives_a_write_back() {
    let jekyll = "---\nlayout: post\ntitle: Hello\ndescription: A first post\ndraft: true\naliases:\n  - /old/\n---\nBody.\n";
    let mut l = Linked::new(&[("_posts/hello.md", jekyll)]);
    l.link.catch_up(&mut l.engine).unwrap();
    let id = l.draft("Hello");
    let at = l.body(id).encode_utf16().count();
    l.engine
        .edit(
            id,
            &[Splice {
                pos: at,
                delete: 0,
                insert: "More.\n".into(),
            }],
            Some("Hello again"),
        )
        .unwrap();
    let out = l.link.drafts_changed(&mut l.engine).unwrap();
    assert_eq!(out.to_disk, ["_posts/hello.md"]);
    assert_eq!(
        l.read("_posts/hello.md"),
        "---\nlayout: post\ntitle: \"Hello again\"\ndescription: A first post\ndraft: true\naliases:\n  - /old/\n---\nBody.\nMore.\n"
    );
}

#[test]
fn killed_mid_write_back_the_file_is_old_or_new_never_torn() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("writing");
    let data = dir.path().join("data");
    let old: String = format!(
        "---\ntitle: \"Big\"\n---\n{}",
        "An old sentence that goes on.\n".repeat(30_000)
    );
    put(&root, "big.md", &old);
    let new = {
        let mut engine = Engine::open(&data).unwrap();
        let link = Link::open(&mut engine, &root).unwrap();
        link.catch_up(&mut engine).unwrap();
        let id = engine.list(&ListQuery::default()).unwrap()[0].id;
        let mut content = engine.content(id).unwrap();
        content.body = "A new sentence, longer than the old one was.\n".repeat(30_000);
        engine.set_content(id, &content).unwrap();
        markdown::write_over(&old, &content)
    };
    let pint = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_pint"))
            .args([
                "--data-dir",
                data.to_str().unwrap(),
                "link",
                root.to_str().unwrap(),
                "--once",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let whole = |what: &str| {
        let now = std::fs::read_to_string(root.join("big.md")).unwrap();
        assert!(
            now == old || now == new,
            "{what}: a torn file of {} bytes (old {}, new {})",
            now.len(),
            old.len(),
            new.len()
        );
        now == new
    };
    // `pint link --once` writes the draft back; it is killed (SIGKILL) at moments spread
    // over its run, and the file is whole after each.
    let mut kills = 0;
    for attempt in 0..12u64 {
        let mut child = pint();
        std::thread::sleep(Duration::from_millis(attempt * 25));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        whole(&format!("killed after {} ms", attempt * 25));
    }
    assert!(
        kills > 0,
        "no run was killed mid-way: the test proved nothing"
    );
    // Left to finish, the write-back is done, and what killed writes left behind goes.
    assert!(pint().wait().unwrap().success());
    assert!(whole("after a run that finished"), "the file has the draft");
    let mut engine = Engine::open(&data).unwrap();
    Link::current(&engine)
        .unwrap()
        .unwrap()
        .catch_up(&mut engine)
        .unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "big.md")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
