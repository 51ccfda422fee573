//! The `pint` CLI on a data directory of its own: what a script would do.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;
use std::process::Command;

const PINT: &str = env!("CARGO_BIN_EXE_pint");

fn pint(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(PINT)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("PINT_DATA_DIR")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (success, stdout, stderr) = pint(dir, args);
    assert!(success, "pint {args:?} failed: {stderr}");
    stdout
}

#[test]
fn new_import_export_search_trash_restore() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let id = ok(&data, &["new", "--title", "Grocery list"])
        .trim()
        .to_owned();
    assert!(ok(&data, &["list"]).contains(&format!("{id}\tGrocery list")));

    let file = dir.path().join("post.md");
    std::fs::write(
        &file,
        "---\ntitle: \"Notes: offline\"\nslug: notes-offline\ntags: [travel, \"writing\"]\n---\n# Notes\n\nWritten on a plane, café included.\n",
    )
    .unwrap();
    let report = ok(&data, &["import", file.to_str().unwrap()]);
    let fields: Vec<&str> = report.trim().split('\t').collect();
    assert_eq!(fields[0], "added", "{report}");
    assert_eq!(fields[3], "Notes: offline", "{report}");
    let imported = fields[1].to_owned();
    let exported = ok(&data, &["export", &imported]);
    assert_eq!(
        exported,
        "---\ntitle: \"Notes: offline\"\nslug: \"notes-offline\"\ntags: [\"travel\",\"writing\"]\n---\n# Notes\n\nWritten on a plane, café included.\n"
    );
    assert_eq!(
        ok(&data, &["show", &imported]),
        "# Notes\n\nWritten on a plane, café included.\n"
    );
    assert!(ok(&data, &["list", "--tag", "travel"]).starts_with(&imported));
    assert!(ok(&data, &["search", "cafe", "pla"]).starts_with(&imported));

    ok(&data, &["trash", &imported]);
    assert!(!ok(&data, &["list"]).contains(&imported));
    assert!(ok(&data, &["list", "--trash"]).contains(&imported));
    ok(&data, &["restore", &imported]);
    assert!(
        ok(&data, &["list", "--sort", "title"]).starts_with(&id),
        "G before N"
    );
}

#[test]
fn bad_input_is_refused_with_a_reason_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["new"]);
    let before = ok(&data, &["list"]);

    let broken = dir.path().join("broken.md");
    std::fs::write(&broken, "---\ntitle: x\nthis line has no colon\n---\nbody").unwrap();
    let (success, _, stderr) = pint(&data, &["import", broken.to_str().unwrap()]);
    assert!(!success);
    assert!(
        stderr.contains("broken.md") && stderr.contains("line 3"),
        "{stderr}"
    );

    let bad_tag = dir.path().join("bad-tag.md");
    std::fs::write(
        &bad_tag,
        format!("---\ntags: [\"{}\"]\n---\nbody", "x".repeat(100)),
    )
    .unwrap();
    let (success, _, stderr) = pint(&data, &["import", bad_tag.to_str().unwrap()]);
    assert!(!success, "a 100-character tag is refused");
    assert!(
        stderr.contains("bad-tag.md") && stderr.contains("at most 64 characters"),
        "{stderr}"
    );

    assert_eq!(
        ok(&data, &["list"]),
        before,
        "nothing half-imported remains"
    );
    assert_eq!(ok(&data, &["list", "--trash"]), "");

    let (success, _, stderr) = pint(&data, &["show", "not-an-id"]);
    assert!(!success);
    assert!(stderr.contains("not a document id"), "{stderr}");
}

#[test]
fn an_image_file_is_prepared_kept_once_and_given_as_markdown() {
    use image::ImageEncoder;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let photo = dir.path().join("boats.jpg");
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(img.as_raw(), 800, 600, image::ExtendedColorType::Rgb8)
        .unwrap();
    std::fs::write(&photo, &jpeg).unwrap();

    let line = ok(
        &data,
        &[
            "image",
            photo.to_str().unwrap(),
            "--alt",
            "Two [boats]\nat dawn",
        ],
    );
    let line = line.trim();
    assert!(
        line.starts_with("![Two boats at dawn](media:") && line.ends_with(')'),
        "{line}"
    );
    assert_eq!(
        ok(
            &data,
            &[
                "image",
                photo.to_str().unwrap(),
                "--alt",
                "Two boats at dawn"
            ]
        )
        .trim(),
        line,
        "the same photo is the same image"
    );

    let text = dir.path().join("notes.jpg");
    std::fs::write(&text, "not a photo").unwrap();
    let (success, stdout, stderr) = pint(&data, &["image", text.to_str().unwrap()]);
    assert!(!success && stdout.is_empty());
    assert!(
        stderr.contains("notes.jpg was not taken") && stderr.contains("not an image"),
        "{stderr}"
    );
}

#[test]
fn export_to_git_gives_each_draft_a_file_and_its_history_as_commits() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let id = ok(&data, &["new", "--title", "Night trains"])
        .trim()
        .to_owned();
    ok(&data, &["append", &id, "First words."]);
    ok(&data, &["new", "--title", "About", "--page"]);
    let repo = dir.path().join("repo");
    let said = ok(&data, &["export", "--git", repo.to_str().unwrap()]);
    assert!(said.contains("2 drafts"), "{said}");
    let text = std::fs::read_to_string(repo.join("posts/night-trains.md")).unwrap();
    assert!(text.ends_with("---\nFirst words."), "{text}");
    assert!(repo.join("pages/about.md").exists());
    let log = std::process::Command::new("git")
        .args([
            "-C",
            repo.to_str().unwrap(),
            "log",
            "--format=%s",
            "--",
            "posts/night-trains.md",
        ])
        .output()
        .unwrap();
    let log = String::from_utf8(log.stdout).unwrap();
    assert!(
        log.lines().count() >= 1
            && log
                .lines()
                .last()
                .unwrap()
                .starts_with("Add “Night trains”"),
        "{log}"
    );
    let status = std::process::Command::new("git")
        .args(["-C", repo.to_str().unwrap(), "status", "--porcelain"])
        .output()
        .unwrap();
    assert!(
        status.stdout.is_empty(),
        "the checkout matches the last commit"
    );

    // Not over anything.
    let (success, _, stderr) = pint(&data, &["export", "--git", repo.to_str().unwrap()]);
    assert!(!success);
    assert!(stderr.contains("is not empty"), "{stderr}");
}
