//! Photos from a device to the blog (pint-client against the real server binary): an
//! image kept on the device and shown in a draft reaches the blog with sync, by itself;
//! an upload cut off resumes with the variants the blog lacks, not from the start;
//! publishing a draft sends its images first, and the post shows them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::device::Device;
use common::{Backend, TestDb, http, spawn_server};
use image::{ImageEncoder, Rgb, RgbImage};
use pint_client::Engine;
use pint_client::media::upload::{Blog, send};
use pint_client::media::{Limits, prepare};
use pint_client::publish::{self, PublishOptions};
use pint_client::sync::{LiveSync, SyncEvents, SyncStatus};
use pint_model::media::variant_name;
use pint_model::{DocumentId, DraftKind};

struct Quiet;
impl SyncEvents for Quiet {
    fn status(&self, _: &SyncStatus) {}
    fn draft_changed(&self, _: DocumentId) {}
}

fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8 ^ seed, (y % 256) as u8, seed])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// Keep a photo on the device as dropping it does: its id.
fn keep_photo(engine: &Mutex<Engine>, seed: u8) -> String {
    let original = jpeg(1000, 700, seed);
    let prepared = prepare(&original, &Limits::default()).unwrap();
    engine
        .lock()
        .unwrap()
        .keep_image(&prepared, original.len())
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread")]
async fn photos_reach_the_blog_with_sync_resume_and_are_published() {
    let db = TestDb::new(Backend::Sqlite).await;
    let (mut server, base) = spawn_server(&db, "127.0.0.1:0");
    let laptop = Device::new();
    let engine = Arc::clone(&laptop.engine);
    let session = Arc::new(laptop.sign_in(&base, true).await.unwrap());
    let tenant = session.account().blog_id.clone();
    let token = session.access_token().await.unwrap();
    let blog = Blog {
        http: http(),
        server: base.clone(),
        tenant: tenant.clone(),
        token: token.clone(),
    };
    let library = || async {
        let v: serde_json::Value = http()
            .get(format!("{base}/v1/tenants/{tenant}/media"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    // An upload cut off after three of six variants: the device sends the other three.
    let harbour = keep_photo(&engine, 1);
    let info = engine
        .lock()
        .unwrap()
        .store()
        .media_info(&harbour)
        .unwrap()
        .unwrap();
    assert_eq!(info.variants.len(), 6);
    for v in &info.variants[..3] {
        let bytes = engine
            .lock()
            .unwrap()
            .store()
            .media_variant(&harbour, v.width, v.format)
            .unwrap()
            .unwrap();
        let status = http()
            .put(format!(
                "{base}/v1/tenants/{tenant}/media/{harbour}/variants/{}",
                variant_name(v.width, v.format)
            ))
            .bearer_auth(&token)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 204);
    }
    let seen = Mutex::new(Vec::new());
    let sent = send(&engine, &blog, std::slice::from_ref(&harbour), &|p| {
        seen.lock().unwrap().push(p);
    })
    .await
    .unwrap();
    assert_eq!(
        (sent.images, sent.variants),
        (1, 3),
        "resumed, not restarted"
    );
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first().map(|p| p.images_left), Some(1));
    assert_eq!(
        seen.last().map(|p| (p.images_left, p.bytes_left)),
        Some((0, 0))
    );
    assert_eq!(library().await, std::slice::from_ref(&harbour));
    // Sent once: asking again sends nothing.
    let again = send(&engine, &blog, std::slice::from_ref(&harbour), &|_| {})
        .await
        .unwrap();
    assert_eq!(again.variants, 0);

    // A photo shown in a draft reaches the blog with sync, by itself.
    let live = LiveSync::start(Arc::clone(&engine), Arc::clone(&session), Arc::new(Quiet)).unwrap();
    let boats = keep_photo(&engine, 2);
    let draft = engine.lock().unwrap().create(DraftKind::Post).unwrap();
    engine.lock().unwrap().rename(draft, "Boats").unwrap();
    laptop.append(draft, &format!("Morning.\n\n![Two boats](media:{boats})\n"));
    let started = Instant::now();
    while !library().await.contains(&boats) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the photo never reached the blog"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Publishing sends a draft's images first: a third photo, published at once.
    let gulls = keep_photo(&engine, 3);
    laptop.append(draft, &format!("\n![Gulls](media:{gulls})\n"));
    let state = publish::publish(&engine, &session, draft, &PublishOptions::default())
        .await
        .unwrap();
    let url = state.published.expect("published").url;
    let html = http().get(&url).send().await.unwrap().text().await.unwrap();
    for id in [&boats, &gulls] {
        assert!(
            html.contains(&format!("/b/ada-writes/media/{id}/480.webp 480w")),
            "{html}"
        );
        let img = http()
            .get(format!("{base}/b/ada-writes/media/{id}/1000.jpeg"))
            .send()
            .await
            .unwrap();
        assert_eq!(img.status(), 200);
        assert_eq!(img.headers()["content-type"], "image/jpeg");
    }

    // A second device of the same writer opens the draft: the photos it shows are
    // fetched from the blog, checked against their ids, and kept there too.
    let desktop = Device::new();
    let engine2 = Arc::clone(&desktop.engine);
    let session2 = Arc::new(desktop.sign_in(&base, false).await.unwrap());
    let arrived = Arc::new(Mutex::new(Vec::new()));
    let live2 = LiveSync::start(
        Arc::clone(&engine2),
        Arc::clone(&session2),
        Arc::new(Arrivals(Arc::clone(&arrived))),
    )
    .unwrap();
    let started = Instant::now();
    while !engine2.lock().unwrap().store().contains(draft).unwrap() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the draft never arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    live2.watch(draft);
    let started = Instant::now();
    while !arrived.lock().unwrap().contains(&draft) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the photos never arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for id in [&boats, &gulls] {
        let here = engine
            .lock()
            .unwrap()
            .store()
            .media_variant(id, 960, pint_model::media::VariantFormat::WebP)
            .unwrap();
        let there = engine2
            .lock()
            .unwrap()
            .store()
            .media_variant(id, 960, pint_model::media::VariantFormat::WebP)
            .unwrap();
        assert!(here.is_some());
        assert_eq!(here, there, "{id} byte for byte on the second device");
    }
    live2.stop();
    live.stop();
    server.stop();
}

struct Arrivals(Arc<Mutex<Vec<DocumentId>>>);
impl SyncEvents for Arrivals {
    fn status(&self, _: &SyncStatus) {}
    fn draft_changed(&self, _: DocumentId) {}
    fn media_arrived(&self, draft: DocumentId) {
        self.0.lock().unwrap().push(draft);
    }
}

/// The media library as the app shows it: the images here and on the blog, with the
/// drafts that show them and the blog's storage; removing one removes it from both, and
/// is refused, nothing removed, while a draft here or a published post shows it.
/// Offline, the images here are listed and the library says why the blog's are not.
#[tokio::test(flavor = "multi_thread")]
async fn the_library_lists_both_sides_and_removes_only_what_nothing_shows() {
    use pint_client::media::library::{library, remove};

    let db = TestDb::new(Backend::Sqlite).await;
    let (mut server, base) = spawn_server(&db, "127.0.0.1:0");
    let laptop = Device::new();
    let engine = Arc::clone(&laptop.engine);
    let session = Arc::new(laptop.sign_in(&base, true).await.unwrap());
    let blog = Blog::of(&session).await.unwrap();
    let live = LiveSync::start(Arc::clone(&engine), Arc::clone(&session), Arc::new(Quiet)).unwrap();

    // Only here; shown in a published post; only on the blog.
    let loose = keep_photo(&engine, 10);
    let boats = keep_photo(&engine, 11);
    let draft = engine.lock().unwrap().create(DraftKind::Post).unwrap();
    engine.lock().unwrap().rename(draft, "Boats").unwrap();
    laptop.append(draft, &format!("![Two boats](media:{boats})\n"));
    publish::publish(&engine, &session, draft, &PublishOptions::default())
        .await
        .unwrap();
    let remote = keep_photo(&engine, 12);
    send(&engine, &blog, std::slice::from_ref(&remote), &|_| {})
        .await
        .unwrap();
    remove(&engine, None, &remote)
        .await
        .expect_err("signed out, an image the blog has stays");
    assert!(
        matches!(
            engine.lock().unwrap().remove_image(&remote).unwrap(),
            pint_client::store::RemovedHere::Now
        ),
        "gone from this device only"
    );

    let lib = library(&engine, Some(&session)).await.unwrap();
    assert_eq!(lib.blog_problem, None);
    let find = |lib: &pint_client::media::library::MediaLibrary, id: &str| {
        lib.images.iter().find(|i| i.id == id).cloned()
    };
    let l = find(&lib, &loose).unwrap();
    assert!(l.here && !l.on_blog && l.drafts.is_empty());
    assert_eq!((l.width, l.height), (1000, 700));
    let b = find(&lib, &boats).unwrap();
    assert!(b.here && b.on_blog);
    assert_eq!(
        b.drafts
            .iter()
            .map(|d| d.title.as_str())
            .collect::<Vec<_>>(),
        ["Boats"]
    );
    let r = find(&lib, &remote).unwrap();
    assert!(!r.here && r.on_blog && r.bytes > 0);
    let storage = lib.blog.unwrap();
    assert_eq!(storage.used_bytes, b.bytes + r.bytes);
    assert_eq!(
        storage.limit_bytes, None,
        "billing off (self-hosted): no limit"
    );

    // A draft shows it: refused here, nothing asked of the blog.
    let e = remove(&engine, Some(&session), &boats).await.unwrap_err();
    assert!(e.to_string().contains("“Boats” shows this image"), "{e}");
    // In the trash the draft no longer holds it, but the published post does.
    engine.lock().unwrap().trash(draft).unwrap();
    let e = remove(&engine, Some(&session), &boats).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("published posts show this image (“Boats”)"),
        "{e}"
    );
    let lib = library(&engine, Some(&session)).await.unwrap();
    assert!(
        find(&lib, &boats).is_some_and(|b| b.here && b.on_blog),
        "nothing removed"
    );
    publish::unpublish(&engine, &session, draft).await.unwrap();
    remove(&engine, Some(&session), &boats).await.unwrap();
    remove(&engine, Some(&session), &loose).await.unwrap();
    remove(&engine, Some(&session), &remote).await.unwrap();
    let lib = library(&engine, Some(&session)).await.unwrap();
    assert!(lib.images.is_empty(), "{:?}", lib.images);
    assert_eq!(lib.blog.unwrap().used_bytes, 0);
    let e = remove(&engine, Some(&session), "not-an-id")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not an image id"), "{e}");

    // Offline: what is here, and why the blog's images are missing.
    let again = keep_photo(&engine, 13);
    live.stop();
    server.stop();
    let lib = library(&engine, Some(&session)).await.unwrap();
    assert_eq!(lib.images.len(), 1);
    assert_eq!(lib.images[0].id, again);
    assert!(lib.blog.is_none());
    assert!(
        lib.blog_problem.unwrap().contains("cannot be reached"),
        "says why"
    );
}
