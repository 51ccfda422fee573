//! The blog in a real browser: Debian's Chromium, driven by Playwright
//! (`tests/browser/blog.mjs`), against a running server. A reader goes from the index to
//! a post, to a page in the navigation and home again, with no console error, no failed
//! request and no request to another origin; unlocks a protected post, likes a post,
//! subscribes and confirms through the mail a real SMTP server received, switches the
//! theme and the font (kept on the next page), and sends a note to the wall of love,
//! shown once approved. With JavaScript off the same post reads in full and the
//! widgets that need a script are not shown. Every page has its landmarks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::blog_owner::BlogOwner;
use common::{Backend, SmtpSink, TestDb, TestServer, link_in, spawn_server};
use pint_model::DraftKind;
use serde_json::{Value, json};

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// A photo (1600 × 1000) as the device prepares it.
fn runway_photo() -> pint_client::media::Prepared {
    use image::ImageEncoder;
    let img = image::RgbImage::from_fn(1600, 1000, |x, y| {
        let sky = (y * 200 / 1000) as u8;
        image::Rgb([40 + sky / 2, 50 + sky / 3, 90 + (x % 64) as u8])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 88)
        .write_image(img.as_raw(), 1600, 1000, image::ExtendedColorType::Rgb8)
        .unwrap();
    pint_client::media::prepare(&jpeg, &pint_client::media::Limits::default()).unwrap()
}

/// Ada's blog on the server at `base` (its database `db`): a page and three posts (one
/// protected), with every widget on.
async fn publish_blog(base: &str, db: &TestDb) -> BlogOwner {
    let owner = BlogOwner::register(base, db, "ada@example.com", "ada-writes").await;
    let (status, answer) = owner
        .call(
            reqwest::Method::PATCH,
            &format!("/v1/tenants/{}", owner.tenant),
            Some(json!({"settings": {"widgets": {
                "themeSwitcher": true, "fontCustomizer": true,
                "musicPlayer": {"src": "https://music.example.com/rain.mp3", "title": "Rain"}
            }}})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let runway = owner.upload_image(&runway_photo()).await;
    let landing = format!(
        "# Home again\n\nThe plane **landed**; everything synced by itself.\n\n\
         ![The runway at dusk, lights on](media:{runway})\n\n- one\n- two"
    );
    for (kind, title, body) in [
        (DraftKind::Page, "About", "Who writes here, and why."),
        (DraftKind::Post, "Older post", "Written first."),
        (DraftKind::Post, "Members only", "The secret text."),
        (DraftKind::Post, "Landing", landing.as_str()),
    ] {
        let (id, mut draft) = owner.draft(kind, title, body).await;
        if title == "Landing" {
            draft.add_tag("travel").unwrap();
            owner.save(&id, &mut draft).await;
        }
        let options = if title == "Members only" {
            json!({"password": "open sesame"})
        } else {
            json!({})
        };
        assert_eq!(owner.publish(&id, options).await.0, 200);
        // Distinct publication times: the newest post is first on the index.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    owner
}

/// Run a script of `tests/browser` with `args`; its last line as JSON.
async fn node(script: &str, args: &[&str], limit: Duration) -> Value {
    let dir = browser_dir();
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "the browser packages are missing: run `npm install` in {} (scripts/test does)",
        dir.display()
    );
    let out = tokio::time::timeout(
        limit,
        tokio::process::Command::new("node")
            .current_dir(&dir)
            .arg(script)
            .args(args)
            .output(),
    )
    .await
    .expect("the browser finishes")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
        panic!(
            "no JSON from {script}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test]
async fn a_reader_reads_the_blog_in_chromium_with_and_without_javascript() {
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let server = TestServer::start_with(Backend::Sqlite, |s| s.smtp_url = Some(smtp)).await;
    let owner = publish_blog(&server.base, &server.db).await;
    let seen = node(
        "blog.mjs",
        &[&server.url("/b/ada-writes/")],
        Duration::from_secs(90),
    )
    .await;
    assert!(seen["error"].is_null(), "{seen}");
    let visited = seen["visited"].as_array().unwrap();
    let h1s: Vec<&str> = visited.iter().map(|v| v["h1"].as_str().unwrap()).collect();
    assert_eq!(
        h1s,
        [
            "ada-writes",
            "Landing",
            "Posts tagged “travel”",
            "About",
            "ada-writes"
        ],
        "{seen}"
    );
    for v in visited {
        assert_eq!(
            v["landmarks"],
            json!({"header": 1, "main": 1, "footer": 1}),
            "{v}"
        );
    }
    assert_eq!(visited[1]["title"], "Landing – ada-writes");
    // The post's photo: Chromium chose a WebP from its srcset, it loaded, and its size
    // was known before it did (no layout shift).
    let photo = &visited[1]["image"];
    assert!(
        photo["currentSrc"]
            .as_str()
            .unwrap()
            .contains("/b/ada-writes/media/")
            && photo["currentSrc"].as_str().unwrap().ends_with(".webp"),
        "{photo}"
    );
    assert!(photo["naturalWidth"].as_u64().unwrap() >= 480, "{photo}");
    assert_eq!(
        (&photo["width"], &photo["height"]),
        (&json!("1600"), &json!("1000"))
    );
    assert_eq!(photo["alt"], "The runway at dusk, lights on");
    assert_eq!(seen["consoleErrors"], json!([]), "{seen}");
    assert_eq!(seen["failedRequests"], json!([]), "{seen}");
    assert_eq!(seen["thirdParty"], json!([]), "{seen}");
    let article = seen["withoutJavaScript"]["article"].as_str().unwrap();
    assert_eq!(seen["withoutJavaScript"]["h1"], "Landing");
    assert!(
        article.contains("The plane landed; everything synced by itself."),
        "{article}"
    );
    assert!(article.contains("one") && article.contains("two"));
    // A reader's actions, by clicking: the password of a protected post, a like, a
    // subscription.
    assert_eq!(seen["password"]["before"], false, "{seen}");
    assert_eq!(seen["password"]["after"], true, "{seen}");
    assert_eq!(seen["like"], "1 like", "{seen}");
    assert_eq!(seen["subscribe"], "Check your inbox", "{seen}");
    // Confirmed through the mail a real SMTP server received: its link, opened in Chromium.
    let mail = sink
        .wait_for("reader@example.com", "/b/ada-writes/subscribe/confirm")
        .await;
    let link = link_in(&mail, "http://pint.test/b/ada-writes/subscribe/confirm")
        .replace("http://pint.test", &server.base);
    let confirmed = node("open.mjs", &[&link], Duration::from_secs(60)).await;
    assert_eq!(confirmed["h1"], "You are subscribed", "{confirmed}");
    assert_eq!(confirmed["consoleErrors"], json!([]), "{confirmed}");
    let (_, subscribers) = owner
        .call(
            reqwest::Method::GET,
            &format!("/v1/tenants/{}/subscribers", owner.tenant),
            None,
        )
        .await;
    assert_eq!(subscribers, json!(["reader@example.com"]));

    // Widgets: light by default (the browser prefers light), dark after two clicks, with
    // the serif font, larger; the same on the next page; the music player in the footer.
    let w = &seen["widgets"];
    assert_eq!(w["label"], "Theme: auto", "{w}");
    assert_eq!(w["labelAfter"], "Theme: dark", "{w}");
    assert_eq!(w["before"]["theme"], Value::Null);
    assert_eq!(w["before"]["background"], "rgb(253, 252, 249)", "{w}");
    assert_eq!(w["after"]["theme"], "dark");
    assert_eq!(w["after"]["background"], "rgb(23, 22, 20)", "{w}");
    assert!(
        w["after"]["font"].as_str().unwrap().contains("Georgia"),
        "{w}"
    );
    assert_eq!(w["before"]["size"], "17px", "{w}");
    assert_eq!(w["after"]["size"], "19px", "{w}");
    assert_eq!(w["elsewhere"], w["after"], "kept on the next page: {w}");
    assert_eq!(w["audio"], "https://music.example.com/rain.mp3");
    // Without JavaScript: no controls that could not work, the player still there.
    assert_eq!(seen["withoutJavaScript"]["widgetControls"], 0, "{seen}");
    assert_eq!(seen["withoutJavaScript"]["audio"], 1, "{seen}");

    // The wall of love: the note sent in the browser waits; approved, readers see it.
    assert!(
        seen["love"]
            .as_str()
            .unwrap()
            .contains("once the author approves it"),
        "{seen}"
    );
    let wall = format!("/v1/tenants/{}/love", owner.tenant);
    let (_, notes) = owner.call(reqwest::Method::GET, &wall, None).await;
    assert_eq!(notes[0]["name"], "Grace", "{notes}");
    let id = notes[0]["id"].as_str().unwrap();
    let (status, _) = owner
        .call(
            reqwest::Method::PUT,
            &format!("{wall}/{id}"),
            Some(json!({"status": "approved"})),
        )
        .await;
    assert_eq!(status, 200);
    let shown = node(
        "open.mjs",
        &[&server.url("/b/ada-writes/love")],
        Duration::from_secs(60),
    )
    .await;
    assert!(
        shown["main"]
            .as_str()
            .unwrap()
            .contains("Your posts make my mornings."),
        "{shown}"
    );
    assert_eq!(shown["consoleErrors"], json!([]), "{shown}");
}

/// Lighthouse (npm, with Debian's Chromium) on a post page of a server whose public URL
/// is its own address: performance, accessibility, best practices and SEO each ≥ 95.
#[tokio::test]
async fn lighthouse_scores_a_post_page_at_least_95_everywhere() {
    let db = TestDb::new(Backend::Sqlite).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (mut server, base) = spawn_server(&db, &format!("127.0.0.1:{port}"));
    publish_blog(&base, &db).await;
    let scores = node(
        "lighthouse.mjs",
        &[&format!("{base}/b/ada-writes/landing")],
        Duration::from_secs(180),
    )
    .await;
    server.stop();
    println!("lighthouse: {scores}");
    for category in ["performance", "accessibility", "best-practices", "seo"] {
        let score = scores[category].as_f64().unwrap_or(0.0);
        assert!(score >= 0.95, "{category} {score}: {scores}");
    }
}
