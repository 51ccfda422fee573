//! The publish dialog's fields, through the engine on a real on-disk store: slug,
//! excerpt, tags, featured image and SEO fields are saved in one save and read back after
//! the store is opened again; links the blog could not publish, a bad slug and a bad tag
//! are refused with the field named and change nothing; setting the same details again
//! saves nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_client::{DraftDetails, Engine, EngineError};
use pint_model::{DraftError, DraftKind, Seo};

#[test]
fn details_are_saved_together_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(dir.path()).unwrap();
    let id = engine.create(DraftKind::Post).unwrap();
    engine.add_tag(id, "old").unwrap();
    let empty = engine.details(id).unwrap();
    assert_eq!(empty.excerpt, "");
    assert_eq!(empty.tags, ["old"]);

    let details = DraftDetails {
        slug: "night-trains".into(),
        excerpt: "  Sleeping across Europe.  ".into(),
        tags: vec!["travel".into(), " rail ".into()],
        featured_image: "https://images.example.com/train.webp".into(),
        featured_image_alt: " A sleeper train at dawn ".into(),
        seo: Seo {
            meta_title: "Night trains: a guide".into(),
            meta_description: "Where the sleepers go.".into(),
            canonical_url: "https://ada.example.org/night-trains".into(),
            og_image: "/media/card.png".into(),
        },
    };
    let saved = engine.set_details(id, &details).unwrap();
    assert_eq!(saved.excerpt, "Sleeping across Europe.");
    assert_eq!(
        saved.tags,
        ["rail", "travel"],
        "old removed, new added, trimmed"
    );
    assert_eq!(saved.seo.og_image, "/media/card.png");
    assert_eq!(saved.featured_image_alt, "A sleeper train at dawn");
    let heads = engine.view(id).unwrap().heads;
    // The same again: nothing saved.
    engine.set_details(id, &saved).unwrap();
    assert_eq!(engine.view(id).unwrap().heads, heads);

    // Refused, field named, nothing changed.
    for (bad, field) in [
        (
            DraftDetails {
                featured_image: "javascript:alert(1)".into(),
                ..saved.clone()
            },
            "featured image",
        ),
        (
            DraftDetails {
                seo: Seo {
                    og_image: "http://plain.example.com/a.png".into(),
                    ..saved.seo.clone()
                },
                ..saved.clone()
            },
            "sharing image",
        ),
        (
            DraftDetails {
                seo: Seo {
                    canonical_url: "/relative".into(),
                    ..saved.seo.clone()
                },
                ..saved.clone()
            },
            "canonical URL",
        ),
        (
            DraftDetails {
                slug: "Not A Slug!".into(),
                ..saved.clone()
            },
            "slug",
        ),
        (
            DraftDetails {
                excerpt: "changed".into(),
                tags: vec!["bad\u{7}tag".into()],
                ..saved.clone()
            },
            "tags",
        ),
    ] {
        match engine.set_details(id, &bad) {
            Err(EngineError::Draft(DraftError::Invalid { field: f, .. })) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
        assert_eq!(
            engine.details(id).unwrap(),
            saved,
            "{field}: nothing changed"
        );
    }

    // Durable: the store opened again has them.
    drop(engine);
    let mut engine = Engine::open(dir.path()).unwrap();
    assert_eq!(engine.details(id).unwrap(), saved);
}
