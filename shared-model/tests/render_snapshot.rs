//! A realistic long post through the renderer, every supported construct in it,
//! snapshotted (insta). Review changes with `cargo insta review`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_model::render::{MediaImage, MediaResolver, render_markdown};

/// Serves `cabin-dawn` the way the blog would; knows nothing else.
struct Blog;

impl MediaResolver for Blog {
    fn resolve(&self, id: &str) -> Option<MediaImage> {
        (id == "cabin-dawn").then(|| MediaImage {
            src: "/media/cabin-dawn/1600.jpg".into(),
            variants: vec![
                ("/media/cabin-dawn/480.webp".into(), 480),
                ("/media/cabin-dawn/960.webp".into(), 960),
                ("/media/cabin-dawn/1600.webp".into(), 1600),
            ],
            width: 1600,
            height: 1067,
        })
    }
}

#[test]
fn a_long_post_renders_as_snapshotted() {
    let md = include_str!("data/long-post.md");
    let rendered = render_markdown(md, &Blog);
    insta::assert_snapshot!("long_post_html", rendered.html);
    insta::assert_debug_snapshot!(
        "long_post_facts",
        (
            &rendered.toc,
            rendered.word_count,
            rendered.reading_minutes,
            &rendered.excerpt,
            &rendered.first_image
        )
    );
}

#[test]
fn rendering_is_deterministic() {
    let md = include_str!("data/long-post.md");
    let first = render_markdown(md, &Blog);
    for _ in 0..5 {
        assert_eq!(render_markdown(md, &Blog), first);
    }
}
