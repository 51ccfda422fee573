//! Images kept on the device: a prepared photo is kept whole with its variants in the
//! local database, once however often it is dropped, is there after the store is opened
//! again, and is what the preview's resolver and the `pint-media` scheme hand out. Files
//! and pasted bytes from outside are checked before they are read or decoded.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use image::{ImageEncoder, Rgb, RgbImage};
use pint_client::media::local::{
    LocalMedia, choose_variant, decode_pasted, parse_variant_path, read_file, variant_path,
};
use pint_client::media::{Limits, MediaError, VariantFormat, prepare};
use pint_client::store::Store;
use pint_model::render::{MediaResolver, render_markdown};

/// A 1200 × 800 photo-like picture as a JPEG.
fn photo() -> Vec<u8> {
    let img = RgbImage::from_fn(1200, 800, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 200) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), 1200, 800, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

#[test]
fn a_photo_is_kept_once_with_its_variants_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pint.db");
    let original = photo();
    let prepared = prepare(&original, &Limits::default()).unwrap();
    let id = prepared.id.clone();
    {
        let mut store = Store::open(&path).unwrap();
        assert!(store.keep_media(&prepared, original.len(), 1_000).unwrap());
        assert!(
            !store.keep_media(&prepared, original.len(), 2_000).unwrap(),
            "the same photo twice is one image"
        );
    }
    let store = Store::open(&path).unwrap();
    let info = store.media_info(&id).unwrap().expect("kept");
    assert_eq!((info.width, info.height), (1200, 800));
    assert_eq!(info.original_bytes, original.len() as u64);
    assert_eq!(info.added_at, 1_000, "kept once: the first time");
    let kept: Vec<(u32, VariantFormat)> =
        info.variants.iter().map(|v| (v.width, v.format)).collect();
    assert_eq!(
        kept,
        [
            (480, VariantFormat::WebP),
            (480, VariantFormat::Jpeg),
            (960, VariantFormat::WebP),
            (960, VariantFormat::Jpeg),
            (1200, VariantFormat::WebP),
            (1200, VariantFormat::Jpeg),
        ]
    );
    let total: usize = prepared.variants.iter().map(|v| v.bytes.len()).sum();
    assert_eq!(info.stored_bytes, total as u64);
    for v in &prepared.variants {
        assert_eq!(
            store
                .media_variant(&id, v.width, v.format)
                .unwrap()
                .as_deref(),
            Some(v.bytes.as_slice()),
            "{} {:?} kept byte for byte",
            v.width,
            v.format
        );
    }
    assert_eq!(
        store.media_variant(&id, 2400, VariantFormat::WebP).unwrap(),
        None
    );
    assert_eq!(store.media_info("0".repeat(32).as_str()).unwrap(), None);

    // What the scheme serves for a request: the narrowest at least as wide, else the widest.
    let asked = |path: &str| {
        let (id, width, format) = parse_variant_path(path).unwrap();
        choose_variant(&store.media_info(&id).unwrap().unwrap(), width, format)
    };
    assert_eq!(
        asked(&variant_path(&id, 960, VariantFormat::WebP)),
        Some((960, VariantFormat::WebP))
    );
    assert_eq!(
        asked(&variant_path(&id, 500, VariantFormat::Jpeg)),
        Some((960, VariantFormat::Jpeg))
    );
    assert_eq!(
        asked(&variant_path(&id, 4000, VariantFormat::WebP)),
        Some((1200, VariantFormat::WebP))
    );
    assert_eq!(
        asked(&variant_path(&id, 100, VariantFormat::Png)),
        Some((480, VariantFormat::Jpeg)),
        "PNG asked of an image without transparency gets its JPEG"
    );

    // The preview renders it as the blog will, from the device.
    let media = LocalMedia::new(&store, "pint-media://localhost");
    let image = media.resolve(&id).unwrap();
    assert_eq!((image.width, image.height), (1200, 800));
    assert_eq!(image.src, format!("pint-media://localhost/{id}/960.jpeg"));
    let html = render_markdown(&format!("![Boats at dawn](media:{id})"), &media).html;
    assert!(
        html.contains(&format!("pint-media://localhost/{id}/480.webp 480w")),
        "{html}"
    );
    assert!(html.contains("alt=\"Boats at dawn\""), "{html}");
    assert!(media.resolve(&"f".repeat(32)).is_none());
}

#[test]
fn files_and_pasted_bytes_are_checked_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_bytes: 1_000,
        ..Limits::default()
    };
    // Larger than the limit: refused from its size, not read (a sparse file of 1 GiB).
    let huge = dir.path().join("huge.jpg");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    assert_eq!(
        read_file(&huge, &limits),
        Err(MediaError::TooLarge {
            bytes: 1 << 30,
            limit: 1_000
        })
    );
    let small = dir.path().join("small.bin");
    std::fs::write(&small, b"12345").unwrap();
    assert_eq!(read_file(&small, &limits).unwrap(), b"12345");
    assert!(matches!(
        read_file(dir.path(), &limits),
        Err(MediaError::Unreadable(_))
    ));
    assert!(matches!(
        read_file(&dir.path().join("missing.png"), &limits),
        Err(MediaError::Unreadable(m)) if m.contains("missing.png")
    ));

    assert_eq!(decode_pasted("aGVsbG8=", &limits).unwrap(), b"hello");
    assert!(matches!(
        decode_pasted("not base64!", &limits),
        Err(MediaError::Unreadable(_))
    ));
    let too_much = "A".repeat(4_000);
    assert!(matches!(
        decode_pasted(&too_much, &limits),
        Err(MediaError::TooLarge { .. })
    ));
    // What is read is then prepared like any image: text is refused with the reason.
    assert_eq!(
        prepare(
            &decode_pasted("aGVsbG8=", &limits).unwrap(),
            &Limits::default()
        )
        .unwrap_err(),
        MediaError::NotAnImage
    );
}

#[test]
fn the_images_a_draft_shows_are_derived_on_every_save_and_sent_once_per_blog() {
    use pint_client::Engine;
    use pint_client::store::media_in_text;
    use pint_model::{DraftKind, Splice};

    let a = "0123456789abcdef0123456789abcdef";
    let b = "fedcba9876543210fedcba9876543210";
    assert_eq!(
        media_in_text(&format!(
            "![x](media:{a}) ![y](media:{b}) ![x again](media:{a}) media:{a}z ![no](media:ABC)"
        )),
        [a, b]
    );

    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(dir.path()).unwrap();
    let original = photo();
    let prepared = prepare(&original, &Limits::default()).unwrap();
    let kept = engine.keep_image(&prepared, original.len()).unwrap();
    let id = engine.create(DraftKind::Post).unwrap();
    let shows = |engine: &Engine| engine.store().media_of_draft(id).unwrap();
    assert!(shows(&engine).is_empty());
    let text = format!(
        "Boats.\n\n![Boats](media:{})\n\n![Not here](media:{b})",
        kept.id
    );
    engine
        .edit(
            id,
            &[Splice {
                pos: 0,
                delete: 0,
                insert: text.clone(),
            }],
            None,
        )
        .unwrap();
    let mut both = vec![kept.id.clone(), b.to_owned()];
    both.sort();
    assert_eq!(shows(&engine), both, "derived in the save");
    // Only images kept here are sent, once per blog.
    assert_eq!(
        engine.store().media_to_send("blog-1").unwrap(),
        std::slice::from_ref(&kept.id)
    );
    engine.mark_media_sent("blog-1", &kept.id).unwrap();
    assert!(engine.store().media_to_send("blog-1").unwrap().is_empty());
    assert_eq!(
        engine.store().media_to_send("blog-2").unwrap(),
        std::slice::from_ref(&kept.id)
    );
    // A draft in the trash sends nothing; the image leaves the text, the row goes.
    engine.trash(id).unwrap();
    assert!(engine.store().media_to_send("blog-2").unwrap().is_empty());
    engine.restore_from_trash(id).unwrap();
    let len = text.encode_utf16().count();
    engine
        .edit(
            id,
            &[Splice {
                pos: 0,
                delete: len,
                insert: "Words only.".into(),
            }],
            None,
        )
        .unwrap();
    assert!(shows(&engine).is_empty());
}
