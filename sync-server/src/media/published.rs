//! The images of a post as it is published: which images a draft uses (`Asked`), and
//! their URLs in the post's HTML (`BlogMedia`), written as `MEDIA_PREFIX{id}/{variant}`
//! until the blog serves the post (`crate::blog::media`).

use pint_model::media::{VariantFormat, variant_name};
use pint_model::render::{MediaImage, MediaResolver};

use crate::db::media::{MediaRecord, VariantRecord};

/// How a published post's HTML writes its images' URLs until it is served (a relative
/// URL the sanitizer keeps and a writer has no reason to type).
pub const MEDIA_PREFIX: &str = "/_pint_media_/";

/// The images a post is published with, as the blog serves them.
#[derive(Debug, Default)]
pub struct BlogMedia {
    pub images: Vec<MediaRecord>,
}

impl MediaResolver for BlogMedia {
    fn resolve(&self, id: &str) -> Option<MediaImage> {
        let image = self.images.iter().find(|m| m.id == id)?;
        let url =
            |v: &VariantRecord| format!("{MEDIA_PREFIX}{id}/{}", variant_name(v.width, v.format));
        // The fallback for browsers without srcset: the JPEG (or PNG) near 960 wide.
        let fallback = image
            .variants
            .iter()
            .filter(|v| v.format != VariantFormat::WebP)
            .min_by_key(|v| v.width.abs_diff(960))?;
        Some(MediaImage {
            src: url(fallback),
            variants: image
                .variants
                .iter()
                .filter(|v| v.format == VariantFormat::WebP)
                .map(|v| (url(v), v.width))
                .collect(),
            width: image.width,
            height: image.height,
        })
    }
}

/// The ids a resolver was asked for (to learn which images a draft uses).
#[derive(Debug, Default)]
pub struct Asked(pub std::cell::RefCell<Vec<String>>);

impl MediaResolver for Asked {
    fn resolve(&self, id: &str) -> Option<MediaImage> {
        let mut asked = self.0.borrow_mut();
        if !asked.iter().any(|a| a == id) {
            asked.push(id.to_owned());
        }
        None
    }
}

/// An image as a featured or sharing image: its JPEG (or PNG) variant nearest 1200
/// pixels wide, the width link previews ask for, as the blog serves it.
pub fn card_image(image: &MediaRecord) -> String {
    image
        .variants
        .iter()
        .filter(|v| v.format != VariantFormat::WebP)
        .min_by_key(|v| v.width.abs_diff(1200))
        .map(|v| {
            format!(
                "{MEDIA_PREFIX}{}/{}",
                image.id,
                variant_name(v.width, v.format)
            )
        })
        .unwrap_or_default()
}
