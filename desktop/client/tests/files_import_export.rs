//! Writing in and out of Pint through the engine and a real on-disk store: a folder of
//! markdown from other tools comes in once (its images as media, Obsidian links as
//! links), unreadable files are listed with why and left alone, importing again makes no
//! duplicates and merges a changed file with edits made in Pint; an archive with `..` in
//! a path is refused; and an export imported into a fresh Pint gives back the same drafts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;

use image::{ImageEncoder, Rgb, RgbImage};
use pint_client::files::bundle::{self, BundleFormat};
use pint_client::files::import::import_path;
use pint_client::files::{ImportReport, markdown};
use pint_client::{Engine, ListQuery};
use pint_model::{DraftContent, DraftKind, Seo, Splice};

/// A small photo-like PNG.
fn png() -> Vec<u8> {
    let img = RgbImage::from_fn(320, 200, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 320, 200, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn by_slug(engine: &mut Engine) -> Vec<DraftContent> {
    let list = engine.list(&ListQuery::default()).unwrap();
    let mut all: Vec<DraftContent> = list.iter().map(|d| engine.content(d.id).unwrap()).collect();
    all.sort_by(|a, b| a.slug.cmp(&b.slug));
    all
}

fn reasons(report: &ImportReport) -> Vec<(String, String)> {
    let mut r: Vec<_> = report
        .skipped
        .iter()
        .map(|s| (s.source.clone(), s.reason.clone()))
        .collect();
    r.sort();
    r
}

#[test]
fn a_folder_from_other_tools_comes_in_once_and_merges_when_imported_again() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("writing");
    write(
        &folder,
        "posts/2019-05-04-hello.md",
        b"---\nlayout: post\ntitle: Hello world\ndate: 2019-05-04 12:00:00 +0200\ntags: [travel, rail]\n---\n\
          First paragraph.\n\n![A cat](../images/cat.png)\n\nLast paragraph.\n",
    );
    write(&folder, "images/cat.png", &png());
    write(
        &folder,
        "notes/Today.md",
        b"Went out. ![[cat.png|The cat again]]\n\nSee [[Hello world|my first post]] and [[Nowhere]].\n",
    );
    write(
        &folder,
        "hugo.md",
        b"+++\ntitle = \"From Hugo\"\ndate = 2020-01-02T03:04:05Z\ntags = [\"go\"]\n+++\nHugo text.\n",
    );
    write(&folder, "broken.md", b"caf\xe9 au lait\n");
    write(&folder, "binary.md", b"PK\0\0\0binary");
    write(&folder, "notes.txt", b"not markdown");
    write(&folder, ".obsidian/app.json", b"{}");
    let huge = std::fs::File::create(folder.join("huge.md")).unwrap();
    huge.set_len(100 << 20).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", folder.join("outside.md")).unwrap();

    let data = dir.path().join("data");
    let mut engine = Engine::open(&data).unwrap();
    let report = import_path(&mut engine, &folder).unwrap();
    assert_eq!(report.added.len(), 3, "{report:#?}");
    assert_eq!(
        report.images, 1,
        "the cat is kept once, though two notes show it"
    );
    assert_eq!(
        reasons(&report),
        vec![
            ("binary.md".into(), "is binary, not text".into()),
            (
                "broken.md".into(),
                "is not UTF-8 text (byte 3 is invalid)".into()
            ),
            (
                "huge.md".into(),
                "is 100 MB; files of at most 16 MB are read".into()
            ),
            (
                "notes.txt".into(),
                "is not a markdown file or an image".into()
            ),
            (
                "outside.md".into(),
                "is a symbolic link: links are not followed".into()
            ),
        ]
    );
    assert_eq!(report.warnings, vec![], "every image was found");

    let drafts = by_slug(&mut engine);
    let slugs: Vec<&str> = drafts.iter().map(|d| d.slug.as_str()).collect();
    assert_eq!(slugs, ["from-hugo", "hello-world", "today"]);
    let hello = &drafts[1];
    assert_eq!(hello.date, "2019-05-04T10:00:00Z");
    assert_eq!(hello.tags, ["rail", "travel"]);
    let cat = pint_client::store::media_in_text(&hello.body);
    assert_eq!(cat.len(), 1);
    assert_eq!(
        hello.body,
        format!(
            "First paragraph.\n\n![A cat](media:{})\n\nLast paragraph.\n",
            cat[0]
        )
    );
    assert_eq!(
        drafts[2].body,
        format!(
            "Went out. ![The cat again](media:{})\n\nSee [my first post](hello-world) and [Nowhere](nowhere).\n",
            cat[0]
        )
    );
    assert_eq!(drafts[2].title, "Today", "named after its file");
    assert_eq!(
        (drafts[0].title.as_str(), drafts[0].date.as_str()),
        ("From Hugo", "2020-01-02T03:04:05Z")
    );

    // The same folder again: nothing new.
    let again = import_path(&mut engine, &folder).unwrap();
    assert_eq!(
        (again.added.len(), again.unchanged.len()),
        (0, 3),
        "{again:#?}"
    );
    assert_eq!(engine.list(&ListQuery::default()).unwrap().len(), 3);

    // The writer edits the last paragraph in Pint; the file's first paragraph changes on
    // disk. Imported again, both edits are there.
    let id = again
        .unchanged
        .iter()
        .find(|d| d.title == "Hello world")
        .unwrap()
        .id;
    let body = engine.content(id).unwrap().body;
    let at = body.find("Last").unwrap();
    engine
        .edit(
            id,
            &[Splice {
                pos: body[..at].encode_utf16().count(),
                delete: 0,
                insert: "Edited in Pint. ".into(),
            }],
            None,
        )
        .unwrap();
    let text = std::fs::read_to_string(folder.join("posts/2019-05-04-hello.md")).unwrap();
    write(
        &folder,
        "posts/2019-05-04-hello.md",
        text.replace("First paragraph.", "First paragraph, edited on disk.")
            .as_bytes(),
    );
    let merged = import_path(&mut engine, &folder).unwrap();
    assert_eq!(
        (merged.updated.len(), merged.unchanged.len()),
        (1, 2),
        "{merged:#?}"
    );
    let body = engine.content(id).unwrap().body;
    assert!(
        body.starts_with("First paragraph, edited on disk.\n"),
        "{body}"
    );
    assert!(
        body.ends_with("Edited in Pint. Last paragraph.\n"),
        "{body}"
    );
}

#[test]
fn an_archive_path_that_climbs_out_is_refused_and_the_rest_comes_in() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("notes.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        for (name, text) in [
            ("../evil.md", "---\ntitle: Evil\n---\nx"),
            ("/abs.md", "# Abs"),
            ("notes/fine.md", "# Fine\n\nText.\n"),
        ] {
            zip.start_file(name, options).unwrap();
            std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    let mut engine = Engine::open(&dir.path().join("data")).unwrap();
    let report = import_path(&mut engine, &zip_path).unwrap();
    assert_eq!(report.added.len(), 1);
    assert_eq!(report.added[0].title, "Fine");
    let skipped = reasons(&report);
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped
            .iter()
            .any(|(s, r)| s == "../evil.md" && r.contains("`..`")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|(s, r)| s == "/abs.md" && r.contains("absolute")),
        "{skipped:?}"
    );
    assert!(!dir.path().join("evil.md").exists());

    // Not an archive, not markdown: refused, nothing made.
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"\x00\x01").unwrap();
    let e = import_path(&mut engine, &junk).unwrap_err();
    assert!(e.to_string().contains("is not a markdown file"), "{e}");
    assert_eq!(engine.list(&ListQuery::default()).unwrap().len(), 1);
}

fn full_draft(engine: &mut Engine, image: &str) {
    let id = engine.create(DraftKind::Post).unwrap();
    engine
        .set_content(
            id,
            &DraftContent {
                kind: DraftKind::Post,
                title: "Night trains: a guide".into(),
                body: format!("# Sleepers\n\n![Berth](media:{image})\n\n```\ncode [[x]]\n```\n"),
                excerpt: "Where the sleepers go.".into(),
                slug: "night-trains".into(),
                tags: vec!["rail".into(), "travel".into()],
                featured_image: format!("media:{image}"),
                featured_image_alt: "A sleeper at dawn".into(),
                seo: Seo {
                    meta_title: "Night trains".into(),
                    meta_description: "A guide".into(),
                    canonical_url: "https://ada.example.org/night-trains".into(),
                    og_image: String::new(),
                },
                date: "2019-05-04T10:00:00Z".into(),
            },
        )
        .unwrap();
    let page = engine.create(DraftKind::Page).unwrap();
    engine
        .edit(
            page,
            &[Splice {
                pos: 0,
                delete: 0,
                insert: "I write about trains.\n".into(),
            }],
            Some("About"),
        )
        .unwrap();
    let trashed = engine.create(DraftKind::Post).unwrap();
    engine.rename(trashed, "Gone").unwrap();
    engine.trash(trashed).unwrap();
}

#[test]
fn an_export_imported_into_a_fresh_pint_gives_back_the_same_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Engine::open(&dir.path().join("first")).unwrap();
    let prepared = pint_client::media::prepare(&png(), &Default::default()).unwrap();
    first.keep_image(&prepared, 1).unwrap();
    full_draft(&mut first, &prepared.id);

    let zip = dir.path().join("everything.zip");
    let done = bundle::write(&mut first, &zip, BundleFormat::Markdown, 1_700_000_000_000).unwrap();
    assert_eq!((done.drafts, done.images), (2, 1), "the trash stays out");

    let mut fresh = Engine::open(&dir.path().join("fresh")).unwrap();
    let report = import_path(&mut fresh, &zip).unwrap();
    assert_eq!(report.added.len(), 2, "{report:#?}");
    assert_eq!(report.images, 1);
    assert_eq!(report.skipped, vec![]);
    assert_eq!(
        by_slug(&mut fresh),
        by_slug(&mut first)
            .into_iter()
            .map(|mut c| {
                // A draft without a slug comes back with the one made from its title.
                if c.slug.is_empty() {
                    c.slug = pint_model::render::slugify(&c.title);
                }
                c
            })
            .collect::<Vec<_>>()
    );
    assert!(
        fresh.store().media_info(&prepared.id).unwrap().is_some(),
        "same image, same id"
    );

    // Each file is in Pint's form: it reads and writes back byte for byte.
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut file = archive.by_name("posts/night-trains.md").unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).unwrap();
    assert_eq!(markdown::write(&markdown::read(&text).unwrap()), text);
    drop(file);
    let manifest: serde_json::Value =
        serde_json::from_reader(archive.by_name("manifest.json").unwrap()).unwrap();
    assert_eq!(manifest["format"], "pint-export");
    assert_eq!(manifest["drafts"].as_array().unwrap().len(), 2);
    assert_eq!(manifest["drafts"][0]["media"][0], prepared.id.as_str());

    // Importing it again changes nothing.
    let again = import_path(&mut fresh, &zip).unwrap();
    assert_eq!((again.added.len(), again.unchanged.len()), (0, 2));
}

fn ghost_zip(path: &Path, json: &[u8], image: &[u8]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("ghost-5.json", options).unwrap();
    std::io::Write::write_all(&mut zip, json).unwrap();
    zip.start_file("content/images/2019/05/berth.png", options)
        .unwrap();
    std::io::Write::write_all(&mut zip, image).unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_ghost_export_comes_in_and_goes_back_out_with_posts_tags_slugs_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let json =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ghost/ghost-5.json"))
            .unwrap();
    let zip = dir.path().join("ghost.zip");
    ghost_zip(&zip, &json, &png());
    let mut engine = Engine::open(&dir.path().join("data")).unwrap();
    let report = import_path(&mut engine, &zip).unwrap();
    assert_eq!(report.added.len(), 4, "{report:#?}");
    assert_eq!(report.images, 1);
    assert_eq!(report.skipped, vec![]);
    assert_eq!(report.warnings.len(), 1, "{report:#?}");
    assert!(
        report.warnings[0].reason.contains("a product card"),
        "{report:#?}"
    );

    let drafts = by_slug(&mut engine);
    let slugs: Vec<&str> = drafts.iter().map(|d| d.slug.as_str()).collect();
    assert_eq!(slugs, ["about", "night-trains", "older", "unfinished"]);
    let trains = &drafts[1];
    let image = trains
        .featured_image
        .strip_prefix("media:")
        .expect("the featured image is media");
    assert_eq!(
        trains.body,
        format!(
            "Trains are **slow** and *kind*. See [the map](https://example.com/rail) or run `make trains`\n\n\
             ## What to pack\n\n- A book\n- Earplugs\n\n![A berth](media:{image})\n\n\
             > The journey is the point.\n\n```sh\nticket --night\n```\n\n---\n\nEnds \\*here\\*.\n"
        )
    );
    assert_eq!(
        trains.tags,
        ["Rail", "Travel"],
        "the internal #hidden tag stays out"
    );
    assert_eq!(trains.date, "2019-05-04T10:00:00Z");
    assert_eq!(trains.excerpt, "Sleeping across Europe.");
    assert_eq!(trains.featured_image_alt, "A berth at dawn");
    assert_eq!(trains.seo.meta_description, "A guide to sleepers");
    assert_eq!(
        drafts[2].body,
        "Before the card, **bold** and [a link](https://ghost.org)  \nnew line.\n\n\
         Some **markdown** card.\n\n- one\n- two\n\n### Old heading\n\n1. first\n2. second\n\n---\n"
    );
    assert_eq!(drafts[2].seo.meta_title, "Old meta title");
    assert_eq!(drafts[0].kind, DraftKind::Page);
    assert_eq!(drafts[3].date, "", "a Ghost draft has no date");

    // Out again as a Ghost export: the same posts, tags, slugs and dates.
    let out = dir.path().join("to-ghost.zip");
    let done = bundle::write(&mut engine, &out, BundleFormat::Ghost, 1_700_000_000_000).unwrap();
    assert_eq!((done.drafts, done.images), (4, 1));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let exported: serde_json::Value =
        serde_json::from_reader(archive.by_name("pint-ghost-export.json").unwrap()).unwrap();
    let original: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let facts = |doc: &serde_json::Value| {
        let data = &doc["db"][0]["data"];
        let tag_name = |id: &serde_json::Value| {
            data["tags"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == *id)
                .unwrap()["name"]
                .clone()
        };
        let mut posts: Vec<(String, String, String, String, Vec<String>)> = data["posts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let mut tags: Vec<String> = data["posts_tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|pt| pt["post_id"] == p["id"])
                    .map(|pt| tag_name(&pt["tag_id"]).as_str().unwrap().to_owned())
                    .filter(|t| !t.starts_with('#'))
                    .collect();
                tags.sort();
                (
                    p["slug"].as_str().unwrap().to_owned(),
                    p["title"].as_str().unwrap().to_owned(),
                    p["type"].as_str().unwrap().to_owned(),
                    p["published_at"].as_str().unwrap_or("").to_owned(),
                    tags,
                )
            })
            .collect();
        posts.sort();
        posts
    };
    assert_eq!(facts(&exported), facts(&original));
    assert!(
        archive
            .by_name(&format!("content/images/pint/{image}.png"))
            .is_ok()
            || archive
                .by_name(&format!("content/images/pint/{image}.jpeg"))
                .is_ok()
    );

    // And that export into a fresh Pint: the same drafts again.
    let mut fresh = Engine::open(&dir.path().join("fresh")).unwrap();
    let back = import_path(&mut fresh, &out).unwrap();
    assert_eq!(back.added.len(), 4, "{back:#?}");
    assert_eq!(back.warnings, vec![]);
    let again = by_slug(&mut fresh);
    for (a, b) in drafts.iter().zip(&again) {
        assert_eq!(
            (&a.slug, &a.title, &a.tags, &a.date, a.kind, &a.excerpt),
            (&b.slug, &b.title, &b.tags, &b.date, b.kind, &b.excerpt)
        );
        assert_eq!(a.body.contains("media:"), b.body.contains("media:"));
    }
}
