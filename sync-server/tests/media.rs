//! A blog's images, end to end on the server, on both backends and with the S3 store
//! against a real S3-compatible server (moto): a photo prepared as the device prepares it
//! is uploaded variant by variant (an upload cut off resumes from what the server says it
//! has), kept only as a whole checked set whose hash is its id, published in a post with
//! `srcset`, width and height, and served to readers with immutable caching, its type and
//! `nosniff`; hostile uploads are refused with the reason and leave nothing kept; another
//! blog's images are 404; a viewer cannot upload; the storage limit is kept.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::api::code;
use common::blog_owner::BlogOwner;
use common::s3::S3Server;
use common::{Backend, TestServer};
use image::{ImageEncoder, Rgb, RgbImage};
use pint_client::media::{Limits, Prepared, prepare};
use pint_model::DraftKind;
use pint_model::media::variant_name;
use serde_json::{Value, json};

/// A photo as a camera would give it (1200 × 800 JPEG), prepared as the device does.
fn photo(seed: u8) -> Prepared {
    let img = RgbImage::from_fn(1200, 800, |x, y| {
        Rgb([
            (x % 256) as u8 ^ seed,
            (y % 256) as u8,
            ((x + y) % 200) as u8,
        ])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(img.as_raw(), 1200, 800, image::ExtendedColorType::Rgb8)
        .unwrap();
    prepare(&jpeg, &Limits::default()).unwrap()
}

fn names(p: &Prepared) -> Vec<String> {
    p.variants
        .iter()
        .map(|v| variant_name(v.width, v.format))
        .collect()
}

struct Uploader<'a> {
    server: &'a TestServer,
    tenant: String,
    token: String,
}

impl Uploader<'_> {
    async fn put(&self, id: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
        let resp = common::http()
            .put(self.server.url(&format!(
                "/v1/tenants/{}/media/{id}/variants/{name}",
                self.tenant
            )))
            .bearer_auth(&self.token)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn keep(&self, id: &str, variants: &[String]) -> (u16, Value) {
        self.server
            .api()
            .post(
                &format!("/v1/tenants/{}/media/{id}", self.tenant),
                Some(&self.token),
                json!({ "variants": variants }),
            )
            .await
    }

    async fn missing(&self, ids: &[&str]) -> Value {
        let (status, body) = self
            .server
            .api()
            .post(
                &format!("/v1/tenants/{}/missing-media", self.tenant),
                Some(&self.token),
                json!({ "ids": ids }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["missing"].clone()
    }
}

async fn story(server: &TestServer) {
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let up = Uploader {
        server,
        tenant: owner.tenant.clone(),
        token: owner.token.clone(),
    };
    let boats = photo(0);
    let id = boats.id.clone();
    let all = names(&boats);
    assert_eq!(
        all,
        [
            "480.webp",
            "480.jpeg",
            "960.webp",
            "960.jpeg",
            "1200.webp",
            "1200.jpeg"
        ]
    );

    // The blog lacks it, and has none of its variants.
    assert_eq!(
        up.missing(&[&id]).await,
        json!([{ "id": id, "uploaded": [] }])
    );

    // Half the upload, then the connection "drops": the server says what it has, and
    // keeping it now names what is still missing.
    for v in &boats.variants[..3] {
        let (status, body) = up
            .put(&id, &variant_name(v.width, v.format), v.bytes.clone())
            .await;
        assert_eq!(status, 204, "{body}");
    }
    assert_eq!(
        up.missing(&[&id]).await,
        json!([{ "id": id, "uploaded": ["480.jpeg", "480.webp", "960.webp"] }])
    );
    let (status, body) = up.keep(&id, &all).await;
    assert_eq!((status, code(&body)), (409, "CONFLICT"), "{body}");
    assert_eq!(
        body["error"]["details"]["missing"],
        json!(["960.jpeg", "1200.webp", "1200.jpeg"])
    );

    // Hostile uploads: refused with the reason, nothing stored under the name.
    let png_as_webp = {
        let img = RgbImage::from_pixel(480, 320, Rgb([1, 2, 3]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), 480, 320, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    };
    let other = "f".repeat(32);
    for (mid, name, bytes, field) in [
        (other.as_str(), "480.webp", png_as_webp.clone(), "body"),
        (
            other.as_str(),
            "480.png",
            b"<svg onload=alert(1)>".to_vec(),
            "body",
        ),
        (other.as_str(), "960.png", png_as_webp.clone(), "body"),
        (other.as_str(), "960.svg", png_as_webp.clone(), "name"),
        ("NOT-AN-ID", "480.png", png_as_webp.clone(), "mediaId"),
    ] {
        let (status, body) = up.put(mid, name, bytes).await;
        assert!(
            status == 422 || status == 404,
            "{mid}/{name}: {status} {body}"
        );
        if status == 422 {
            assert!(
                body["error"]["details"]["fields"][field].is_string(),
                "{mid}/{name}: {body}"
            );
        }
    }
    let cut = &boats.variants[3].bytes;
    let (status, body) = up.put(&id, "960.jpeg", cut[..cut.len() / 2].to_vec()).await;
    assert_eq!(status, 422, "a truncated variant: {body}");
    let (status, body) = up.put(&id, "960.jpeg", vec![0u8; 17 << 20]).await;
    assert_eq!((status, code(&body)), (413, "PAYLOAD_TOO_LARGE"), "{body}");

    // The rest of the upload, then keep: a whole set, hashed to its id.
    for v in &boats.variants[3..] {
        let (status, body) = up
            .put(&id, &variant_name(v.width, v.format), v.bytes.clone())
            .await;
        assert_eq!(status, 204, "{body}");
    }
    // Its variants under another id are not that image.
    for v in &boats.variants {
        up.put(&other, &variant_name(v.width, v.format), v.bytes.clone())
            .await;
    }
    let (status, body) = up.keep(&other, &all).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["details"]["fields"]["variants"]
            .as_str()
            .unwrap()
            .contains("hash to"),
        "{body}"
    );
    let (status, body) = up.keep(&id, &all[..4]).await;
    assert_eq!(status, 422, "not a whole set: {body}");
    let (status, kept) = up.keep(&id, &all).await;
    assert_eq!(status, 201, "{kept}");
    assert_eq!(
        (kept["width"].as_u64(), kept["height"].as_u64()),
        (Some(1200), Some(800))
    );
    let total: usize = boats.variants.iter().map(|v| v.bytes.len()).sum();
    assert_eq!(kept["bytes"].as_u64(), Some(total as u64));
    let (status, again) = up.keep(&id, &all).await;
    assert_eq!((status, &again), (200, &kept), "kept once");
    // A kept image never changes: another photo's variant sent under its name is not
    // written (the bytes served below are the first ones).
    let intruder = photo(7);
    let (status, body) = up
        .put(&id, "480.webp", intruder.variants[0].bytes.clone())
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        up.missing(&[&id, &other]).await,
        json!([{ "id": other, "uploaded": all_sorted(&all) }])
    );

    // The library.
    let (status, library) = owner
        .call(
            reqwest::Method::GET,
            &format!("/v1/tenants/{}/media", owner.tenant),
            None,
        )
        .await;
    assert_eq!(status, 200, "{library}");
    assert_eq!(library["usedBytes"].as_u64(), Some(total as u64));
    assert_eq!(library["limitBytes"].as_u64(), Some(500 << 20));
    assert_eq!(library["images"][0]["id"], json!(id));

    // A post showing an image the blog lacks is not published; with the kept one it is.
    let missing_id = "0".repeat(32);
    let (doc, _) = owner
        .draft(
            DraftKind::Post,
            "The harbour",
            &format!("Dawn.\n\n![Two boats](media:{missing_id})\n"),
        )
        .await;
    let (status, body) = owner.publish(&doc, json!({})).await;
    assert_eq!((status, code(&body)), (409, "CONFLICT"), "{body}");
    assert_eq!(body["error"]["details"]["missing"], json!([missing_id]));
    let (doc, _) = owner
        .draft(
            DraftKind::Post,
            "The harbour",
            &format!("Dawn.\n\n![Two boats at dawn](media:{id})\n"),
        )
        .await;
    let (status, body) = owner.publish(&doc, json!({})).await;
    assert_eq!(status, 200, "{body}");

    // Readers get it responsive, sized, from the blog's own address.
    let page = text(server.url("/b/ada-writes/the-harbour")).await;
    let base = "/b/ada-writes/media";
    let srcset = ["480", "960", "1200"]
        .map(|w| format!("{base}/{id}/{w}.webp {w}w"))
        .join(", ");
    assert!(
        page.contains(&format!("src=\"{base}/{id}/960.jpeg\"")),
        "{page}"
    );
    assert!(page.contains(&format!("srcset=\"{srcset}\"")), "{page}");
    assert!(
        page.contains("width=\"1200\" height=\"800\" alt=\"Two boats at dawn\""),
        "{page}"
    );
    for v in &boats.variants {
        let name = variant_name(v.width, v.format);
        let resp = common::http()
            .get(server.url(&format!("{base}/{id}/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{name}");
        let h = resp.headers().clone();
        assert_eq!(h["content-type"], v.format.mime());
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let etag = h["etag"].to_str().unwrap().to_owned();
        assert_eq!(
            resp.bytes().await.unwrap().as_ref(),
            v.bytes.as_slice(),
            "{name} as uploaded"
        );
        let again = common::http()
            .get(server.url(&format!("{base}/{id}/{name}")))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
    }
    // As the featured image: on the page (from where the reader is), in the link
    // previews and structured data (its JPEG near 1200 wide, from the blog's public
    // address), and in the feed. A featured image the blog lacks is not published.
    let (cover_doc, mut cover) = owner.draft(DraftKind::Post, "Cover", "With a cover.").await;
    cover
        .set_featured_image(&format!("media:{missing_id}"))
        .unwrap();
    owner.save(&cover_doc, &mut cover).await;
    let (status, body) = owner.publish(&cover_doc, json!({})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["details"]["missing"], json!([missing_id]));
    cover.set_featured_image(&format!("media:{id}")).unwrap();
    cover
        .set_featured_image_alt("Two boats & a \"quay\" at dawn")
        .unwrap();
    owner.save(&cover_doc, &mut cover).await;
    let (status, body) = owner.publish(&cover_doc, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let page = text(server.url("/b/ada-writes/cover")).await;
    // Responsive and sized like the text's images, described, fetched first.
    let alt = "Two boats &amp; a &quot;quay&quot; at dawn";
    assert!(
        page.contains(&format!(
            "<img class=\"featured\" src=\"{base}/{id}/960.jpeg\" srcset=\"{srcset}\" \
             sizes=\"(max-width: 46rem) 100vw, 46rem\" width=\"1200\" height=\"800\" \
             alt=\"{alt}\" fetchpriority=\"high\""
        )),
        "{page}"
    );
    let card = format!("http://pint.test{base}/{id}/1200.jpeg");
    assert!(
        page.contains(&format!(
            "<meta property=\"og:image\" content=\"{card}\"><meta name=\"twitter:image\" \
             content=\"{card}\"><meta property=\"og:image:alt\" content=\"{alt}\">\
             <meta name=\"twitter:image:alt\" content=\"{alt}\">"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("\"image\":\"{card}\"")),
        "JSON-LD: {page}"
    );
    let feed = text(server.url("/b/ada-writes/feed.json")).await;
    assert!(feed.contains(&card), "{feed}");

    // The feed points at them absolutely, from the blog's public address.
    let feed = text(server.url("/b/ada-writes/feed.xml")).await;
    assert!(
        feed.contains(&format!("http://pint.test{base}/{id}/480.webp 480w")),
        "{feed}"
    );

    // Not served: an image uploaded but not kept, a variant it does not have, another
    // blog's address for it.
    let eve = BlogOwner::register(&server.base, &server.db, "eve@example.com", "eve-blog").await;
    for path in [
        format!("{base}/{other}/480.webp"),
        format!("{base}/{id}/2400.webp"),
        format!("{base}/{id}/480.png"),
        format!("/b/eve-blog/media/{id}/480.webp"),
    ] {
        let status = common::http()
            .get(server.url(&path))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{path}");
    }
    // Another blog's member cannot upload to or ask about this blog.
    let eve_up = Uploader {
        server,
        tenant: owner.tenant.clone(),
        token: eve.token.clone(),
    };
    assert_eq!(
        eve_up
            .put(&id, "480.webp", boats.variants[0].bytes.clone())
            .await
            .0,
        404
    );

    // A viewer may read the library but not upload.
    let vic = server.api().register("vic@example.com", None).await;
    let invite = pint_server::db::tenants::NewInvite {
        id: "vic",
        email: "vic@example.com",
        role: pint_server::db::tenants::Role::Viewer,
        token_hash: "vic",
        now: 1,
        expires_at: i64::MAX,
    };
    owner
        .storage
        .create_invite(&owner.scope, &invite)
        .await
        .unwrap();
    owner
        .storage
        .accept_invite("vic", &vic.user, "vic@example.com", 2)
        .await
        .unwrap();
    let vic_up = Uploader {
        server,
        tenant: owner.tenant.clone(),
        token: vic.token.clone(),
    };
    let (status, body) = vic_up
        .put(&id, "480.webp", boats.variants[0].bytes.clone())
        .await;
    assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body}");

    // Removing an image: refused while a published post shows it (the post named), and
    // to a viewer; then its rows and its variants are gone and its storage is free.
    let seven = photo(7);
    let seven_id = owner.upload_image(&seven).await;
    let (seven_doc, _) = owner
        .draft(
            DraftKind::Post,
            "Seven boats",
            &format!("![Seven](media:{seven_id})\n"),
        )
        .await;
    let (status, body) = owner.publish(&seven_doc, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let media_path = |id: &str| format!("/v1/tenants/{}/media/{id}", owner.tenant);
    let (status, body) = server
        .api()
        .delete(&media_path(&seven_id), Some(&vic.token))
        .await;
    assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body}");
    let (status, body) = server
        .api()
        .delete(&media_path(&seven_id), Some(&owner.token))
        .await;
    assert_eq!((status, code(&body)), (409, "CONFLICT"), "{body}");
    assert_eq!(
        body["error"]["details"],
        json!({ "reason": "in-use", "posts": [{ "title": "Seven boats", "slug": "seven-boats" }] })
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("“Seven boats”"),
        "{body}"
    );
    let (status, body) = server
        .api()
        .delete(
            &format!("/v1/tenants/{}/documents/{seven_doc}/publish", owner.tenant),
            Some(&owner.token),
        )
        .await;
    assert!(status < 300, "unpublished: {body}");
    let library_path = format!("/v1/tenants/{}/media", owner.tenant);
    let used_before = server.api().get(&library_path, Some(&owner.token)).await.1["usedBytes"]
        .as_i64()
        .unwrap();
    let (status, body) = server
        .api()
        .delete(&media_path(&seven_id), Some(&owner.token))
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        up.missing(&[&seven_id]).await,
        json!([{ "id": seven_id, "uploaded": [] }]),
        "its variants are gone from the store"
    );
    let (status, library) = server.api().get(&library_path, Some(&owner.token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        library["usedBytes"].as_i64().unwrap(),
        used_before
            - seven
                .variants
                .iter()
                .map(|v| v.bytes.len() as i64)
                .sum::<i64>()
    );
    assert!(
        !library["images"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == json!(seven_id))
    );
    for (path, want) in [(media_path(&seven_id), 404), (media_path("not-an-id"), 422)] {
        let (status, body) = server.api().delete(&path, Some(&owner.token)).await;
        assert_eq!(status, want, "{path}: {body}");
    }
    let status = common::http()
        .get(server.url(&format!("{base}/{seven_id}/480.webp")))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404, "no longer served");

    // The storage limit: a blog at its limit keeps nothing more (checked in storage
    // with a small limit; the plan's is 500 MiB).
    let second = photo(99);
    let record = pint_server::db::media::MediaRecord {
        id: second.id.clone(),
        width: 1200,
        height: 800,
        bytes: 1_000,
        created_at: 5,
        variants: Vec::new(),
    };
    assert_eq!(
        owner
            .storage
            .keep_media(&owner.scope, &record, Some(total as i64 + 999))
            .await
            .unwrap(),
        pint_server::db::media::Kept::OverQuota {
            used: total as i64,
            limit: total as i64 + 999
        }
    );
    assert_eq!(
        owner
            .storage
            .media_record(&owner.tenant, &second.id)
            .await
            .unwrap(),
        None,
        "nothing kept"
    );
}

/// A page (or feed) of the blog as a reader's client reads it.
async fn text(url: String) -> String {
    common::http()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn all_sorted(names: &[String]) -> Vec<String> {
    let mut sorted = names.to_vec();
    sorted.sort();
    sorted
}

/// Images kept at the same moment cannot together pass the blog's storage limit.
async fn quota_holds_when_images_are_kept_at_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let keeps = (0..8u8).map(|i| {
        let storage = std::sync::Arc::clone(&owner.storage);
        let scope = owner.scope.clone();
        tokio::spawn(async move {
            let record = pint_server::db::media::MediaRecord {
                id: format!("{i:032x}"),
                width: 10,
                height: 10,
                bytes: 600,
                created_at: 1,
                variants: Vec::new(),
            };
            storage
                .keep_media(&scope, &record, Some(1_000))
                .await
                .unwrap()
        })
    });
    let mut kept = 0;
    for keep in keeps.collect::<Vec<_>>() {
        if keep.await.unwrap() == pint_server::db::media::Kept::Now {
            kept += 1;
        }
    }
    assert_eq!(kept, 1, "600 + 600 bytes do not fit under 1,000");
    server.stop().await;
}

#[tokio::test]
async fn quota_holds_on_sqlite() {
    quota_holds_when_images_are_kept_at_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn quota_holds_on_postgres() {
    quota_holds_when_images_are_kept_at_once(Backend::Postgres).await;
}

/// What no image keeps is swept from the store once older than the grace period: an
/// upload never finished is gone, and no longer offered to resume from; a kept image's
/// variants stay, however old.
#[tokio::test]
async fn uploads_never_kept_are_swept_and_kept_images_stay() {
    let server = TestServer::start_with(Backend::Sqlite, |s| {
        s.media_grace = std::time::Duration::from_secs(8);
    })
    .await;
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let up = Uploader {
        server: &server,
        tenant: owner.tenant.clone(),
        token: owner.token.clone(),
    };
    let kept = photo(1);
    let kept_id = owner.upload_image(&kept).await;
    let left = photo(2);
    for v in &left.variants[..2] {
        let (status, body) = up
            .put(&left.id, &variant_name(v.width, v.format), v.bytes.clone())
            .await;
        assert_eq!(status, 204, "{body}");
    }
    let dir = server
        .db
        .settings()
        .data_dir
        .join("media")
        .join(&owner.tenant);
    let files = |id: &str| std::fs::read_dir(dir.join(id)).map_or(0, |d| d.count());
    assert_eq!(files(&left.id), 2);
    assert_eq!(
        up.missing(&[&left.id]).await[0]["uploaded"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Past half the grace period the upload is no longer resumed from (it would be sent
    // again); past all of it, and a sweep, it is gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while files(&left.id) > 0 {
        assert!(std::time::Instant::now() < deadline, "never swept");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        up.missing(&[&left.id]).await,
        json!([{ "id": left.id, "uploaded": [] }])
    );
    assert_eq!(files(&kept_id), kept.variants.len(), "kept variants stay");
    let status = common::http()
        .get(server.url(&format!("/b/ada-writes/media/{kept_id}/480.webp")))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test]
async fn media_on_sqlite() {
    // Billing on, as on the hosted Pint: the free plan's storage limit holds.
    let server = TestServer::start_with(Backend::Sqlite, |s| common::billing_on(s, None)).await;
    story(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn media_on_postgres() {
    let server = TestServer::start_with(Backend::Postgres, |s| common::billing_on(s, None)).await;
    story(&server).await;
    server.stop().await;
}

/// The same with the media in S3-compatible storage: every variant is in the bucket.
#[tokio::test]
async fn media_in_s3() {
    let s3 = S3Server::start().await;
    let media = s3.settings();
    let server = TestServer::start_with(Backend::Sqlite, move |s| {
        s.media = media;
        common::billing_on(s, None);
    })
    .await;
    story(&server).await;
    let keys = s3.keys().await;
    let kept = photo(0);
    for name in names(&kept) {
        assert!(
            keys.iter()
                .any(|k| k.ends_with(&format!("/{}/{name}", kept.id))),
            "{name} in the bucket: {keys:?}"
        );
    }
    assert!(
        !server.db.settings().data_dir.join("media").exists(),
        "nothing on local disk"
    );
    server.stop().await;
}
