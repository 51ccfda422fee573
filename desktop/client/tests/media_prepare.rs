//! Images prepared on the device, checked from outside: fixtures are made here (with
//! `image`) and given their metadata by exiftool (Debian's libimage-exiftool-perl, an
//! independent reader and writer); what `media::prepare` makes is read back by exiftool
//! (no metadata left) and by decoding its pixels (upright for every EXIF orientation,
//! never upscaled). Hostile files are refused with the reason and nothing else.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;
use std::process::Command;

use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use pint_client::media::prepare::{SourceKind, sniff, variant_widths};
use pint_client::media::{Limits, MediaError, VariantFormat, prepare};

const RED: [u8; 3] = [220, 20, 20];
const GREEN: [u8; 3] = [20, 200, 20];
const BLUE: [u8; 3] = [20, 20, 220];
const WHITE: [u8; 3] = [250, 250, 250];

/// A 96 × 48 picture in four quadrants: red, green above; blue, white below.
fn quadrants() -> RgbImage {
    RgbImage::from_fn(96, 48, |x, y| {
        Rgb(match (x < 48, y < 24) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => WHITE,
        })
    })
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// `exiftool ARGS FILE` (writing in place), panicking with its words when it fails.
fn exiftool(args: &[&str], file: &Path) -> String {
    let out = Command::new("exiftool")
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("exiftool (Debian's libimage-exiftool-perl, installed by scripts/test): {e}")
        });
    assert!(
        out.status.success(),
        "exiftool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The tags exiftool finds in `bytes` beyond what describes the file itself.
fn metadata_tags(bytes: &[u8], ext: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("variant.{ext}"));
    std::fs::write(&file, bytes).unwrap();
    let json = exiftool(&["-j", "-G1", "-a"], &file);
    let tags: serde_json::Value = serde_json::from_str(&json).unwrap();
    tags[0]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| {
            let group = k.split(':').next().unwrap_or_default();
            !matches!(
                group,
                "SourceFile"
                    | "ExifTool"
                    | "System"
                    | "File"
                    | "Composite"
                    | "JFIF"
                    | "RIFF"
                    | "PNG"
                    | "VP8"
                    | "VP8L"
                    | "VP8X"
                    | "ALPH"
            )
        })
        .cloned()
        .collect()
}

fn color_at(img: &RgbImage, x: u32, y: u32) -> [u8; 3] {
    img.get_pixel(x, y).0
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 40)
}

#[test]
fn every_exif_orientation_comes_out_upright_and_nothing_of_the_metadata_is_left() {
    let dir = tempfile::tempdir().unwrap();
    // For each orientation: the stored quadrant that must end at the upright picture's
    // top-left and top-right corners, and whether the sides swap (EXIF 2.3, table 9).
    let cases = [
        (1, RED, GREEN, false),
        (2, GREEN, RED, false),
        (3, WHITE, BLUE, false),
        (4, BLUE, WHITE, false),
        (5, RED, BLUE, true),
        (6, BLUE, RED, true),
        (7, WHITE, GREEN, true),
        (8, GREEN, WHITE, true),
    ];
    for (orientation, top_left, top_right, swapped) in cases {
        let file = dir.path().join(format!("o{orientation}.jpg"));
        std::fs::write(&file, jpeg(&quadrants())).unwrap();
        exiftool(
            &[
                "-n",
                &format!("-Orientation={orientation}"),
                "-GPSLatitude=48.8584",
                "-GPSLatitudeRef=N",
                "-GPSLongitude=2.2945",
                "-GPSLongitudeRef=E",
                "-Comment=where I live",
                "-XMP-dc:Creator=Ada",
                "-IPTC:Keywords=secret",
                "-Artist=Ada Lovelace",
                "-overwrite_original",
            ],
            &file,
        );
        let tagged = std::fs::read(&file).unwrap();
        assert!(
            metadata_tags(&tagged, "jpg")
                .iter()
                .any(|t| t.contains("GPS"))
        );
        let prepared = prepare(&tagged, &Limits::default()).unwrap();
        assert_eq!(prepared.source, SourceKind::Jpeg);
        let (w, h) = if swapped { (48, 96) } else { (96, 48) };
        assert_eq!(
            (prepared.width, prepared.height),
            (w, h),
            "orientation {orientation}"
        );
        // Narrower than every standard width: one width, its own, as WebP and JPEG.
        let formats: Vec<_> = prepared
            .variants
            .iter()
            .map(|v| (v.width, v.format))
            .collect();
        assert_eq!(
            formats,
            [(w, VariantFormat::WebP), (w, VariantFormat::Jpeg)]
        );
        for v in &prepared.variants {
            let ext = if v.format == VariantFormat::WebP {
                "webp"
            } else {
                "jpg"
            };
            assert_eq!(
                metadata_tags(&v.bytes, ext),
                Vec::<String>::new(),
                "{ext}, {orientation}"
            );
            for secret in [&b"where I live"[..], b"Lovelace", b"secret", b"Exif"] {
                assert!(!v.bytes.windows(secret.len()).any(|w| w == secret), "{ext}");
            }
            let upright = image::load_from_memory(&v.bytes).unwrap().to_rgb8();
            assert_eq!(upright.dimensions(), (w, h));
            let (tl, tr) = (color_at(&upright, 4, 4), color_at(&upright, w - 5, 4));
            assert!(
                near(tl, top_left) && near(tr, top_right),
                "orientation {orientation} ({ext}): corners {tl:?} {tr:?}"
            );
        }
    }
}

#[test]
fn large_photos_get_the_standard_widths_never_upscaled() {
    assert_eq!(variant_widths(6000), [480, 960, 1600, 2400]);
    assert_eq!(variant_widths(2400), [480, 960, 1600, 2400]);
    assert_eq!(variant_widths(1000), [480, 960, 1000]);
    assert_eq!(variant_widths(300), [300]);
    let photo = RgbImage::from_fn(2000, 1500, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let prepared = prepare(&jpeg(&photo), &Limits::default()).unwrap();
    let sizes: Vec<_> = prepared
        .variants
        .iter()
        .map(|v| (v.width, v.height, v.format))
        .collect();
    assert_eq!(
        sizes,
        [
            (480, 360, VariantFormat::WebP),
            (480, 360, VariantFormat::Jpeg),
            (960, 720, VariantFormat::WebP),
            (960, 720, VariantFormat::Jpeg),
            (1600, 1200, VariantFormat::WebP),
            (1600, 1200, VariantFormat::Jpeg),
            (2000, 1500, VariantFormat::WebP),
            (2000, 1500, VariantFormat::Jpeg),
        ]
    );
    for v in &prepared.variants {
        let decoded = image::load_from_memory(&v.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (v.width, v.height));
    }
    // The same photo again: the same id (stored once).
    let again = prepare(&jpeg(&photo), &Limits::default()).unwrap();
    assert_eq!(again.id, prepared.id);
    assert_eq!(prepared.id.len(), 32);
}

#[test]
fn transparency_is_kept_as_png_and_opaque_alpha_becomes_jpeg() {
    let mut png = Vec::new();
    let clear = RgbaImage::from_fn(64, 64, |x, _| {
        Rgba([10, 20, 30, if x < 32 { 0 } else { 255 }])
    });
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(clear.as_raw(), 64, 64, image::ExtendedColorType::Rgba8)
        .unwrap();
    let prepared = prepare(&png, &Limits::default()).unwrap();
    assert!(prepared.has_alpha);
    assert_eq!(prepared.variants[1].format, VariantFormat::Png);
    let back = image::load_from_memory(&prepared.variants[1].bytes)
        .unwrap()
        .to_rgba8();
    assert_eq!(back.get_pixel(5, 5).0[3], 0);
    assert_eq!(back.get_pixel(60, 5).0[3], 255);
    let webp = image::load_from_memory(&prepared.variants[0].bytes)
        .unwrap()
        .to_rgba8();
    assert!(
        webp.get_pixel(5, 5).0[3] < 10,
        "WebP keeps the transparency"
    );

    let mut opaque = Vec::new();
    let full = RgbaImage::from_pixel(64, 64, Rgba([10, 20, 30, 255]));
    image::codecs::png::PngEncoder::new(&mut opaque)
        .write_image(full.as_raw(), 64, 64, image::ExtendedColorType::Rgba8)
        .unwrap();
    let prepared = prepare(&opaque, &Limits::default()).unwrap();
    assert!(!prepared.has_alpha);
    assert_eq!(prepared.variants[1].format, VariantFormat::Jpeg);
}

#[test]
fn hostile_files_are_refused_with_the_reason() {
    let limits = Limits::default();
    assert_eq!(
        prepare(b"hello, world", &limits).unwrap_err(),
        MediaError::NotAnImage
    );
    assert_eq!(prepare(b"", &limits).unwrap_err(), MediaError::NotAnImage);
    let svg =
        br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#;
    assert_eq!(prepare(svg, &limits).unwrap_err(), MediaError::Svg);
    assert_eq!(
        prepare(b"  <svg><script>alert(1)</script></svg>", &limits).unwrap_err(),
        MediaError::Svg
    );
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic");
    heic.extend_from_slice(&[0; 16]);
    assert_eq!(sniff(&heic).unwrap_err(), MediaError::Unsupported("HEIC"));
    // Cut short.
    let whole = jpeg(&quadrants());
    assert!(matches!(
        prepare(&whole[..whole.len() / 3], &limits).unwrap_err(),
        MediaError::Corrupt(_)
    ));
    // A JPEG with HTML after it is still only its picture.
    let mut polyglot = whole.clone();
    polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let prepared = prepare(&polyglot, &limits).unwrap();
    for v in &prepared.variants {
        assert!(!v.bytes.windows(7).any(|w| w == b"<script"));
    }
    // A small file that claims 50,000 × 50,000 pixels: refused before any is decoded.
    let mut bomb = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bomb)
        .write_image(&[0u8; 3], 1, 1, image::ExtendedColorType::Rgb8)
        .unwrap();
    // IHDR's width and height sit at bytes 16..24; its CRC (29..33) is fixed below.
    bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let refused = prepare(&bomb, &limits).unwrap_err();
    assert!(
        matches!(
            refused,
            MediaError::TooManyPixels { .. } | MediaError::OverLimits(_)
        ),
        "{refused:?}"
    );
    // Over the size limit.
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    assert!(matches!(
        prepare(&whole, &small).unwrap_err(),
        MediaError::TooLarge { .. }
    ));
    // The name does not matter: only the bytes (a PNG named .jpg is a PNG).
    let dir = tempfile::tempdir().unwrap();
    let misnamed = dir.path().join("photo.jpg");
    std::fs::write(&misnamed, &bomb[..8]).unwrap();
    assert_eq!(
        sniff(&std::fs::read(&misnamed).unwrap()),
        Ok(SourceKind::Png)
    );
}

/// CRC-32 (IEEE) as PNG chunks use it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The upright colour at (`x`, `y`) of a prepared image's JPEG (or PNG) variant.
fn fallback_color(prepared: &pint_client::media::Prepared, x: u32, y: u32) -> [u8; 3] {
    let v = &prepared.variants[1];
    color_at(&image::load_from_memory(&v.bytes).unwrap().to_rgb8(), x, y)
}

#[test]
fn a_cmyk_jpeg_comes_out_in_rgb_with_its_colours() {
    // As print workflows write them: Adobe's inverted CMYK (APP14), cyan on the left,
    // magenta on the right, a little black below.
    let (w, h) = (64u32, 32u32);
    let mut cmyk = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let k = if y < h / 2 { 0 } else { 128 };
            cmyk.extend_from_slice(&if x < w / 2 {
                [255, 0, 0, k]
            } else {
                [0, 255, 0, k]
            });
        }
    }
    let mut file = Vec::new();
    jpeg_encoder::Encoder::new(&mut file, 95)
        .encode(&cmyk, w as u16, h as u16, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let prepared = prepare(&file, &Limits::default()).unwrap();
    assert_eq!((prepared.width, prepared.height), (w, h));
    let (cyan, magenta) = (
        fallback_color(&prepared, 4, 4),
        fallback_color(&prepared, 60, 4),
    );
    assert!(
        cyan[0] < 60 && cyan[1] > 190 && cyan[2] > 190,
        "cyan: {cyan:?}"
    );
    assert!(
        magenta[0] > 190 && magenta[1] < 60 && magenta[2] > 190,
        "magenta: {magenta:?}"
    );
    let darker = fallback_color(&prepared, 4, 28);
    assert!(darker[1] < cyan[1] - 60, "black ink darkens: {darker:?}");
}

#[test]
fn a_sixteen_bit_png_is_taken_at_its_colours() {
    let img = image::ImageBuffer::<Rgb<u16>, _>::from_fn(40, 20, |x, _| {
        if x < 20 {
            Rgb([0xdc00, 0x1400, 0x1400])
        } else {
            Rgb([0x1400, 0x1400, 0xdc00])
        }
    });
    let raw: Vec<u8> = img.as_raw().iter().flat_map(|c| c.to_ne_bytes()).collect();
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&raw, 40, 20, image::ExtendedColorType::Rgb16)
        .unwrap();
    assert_eq!(png[24], 16, "IHDR: 16 bits per channel");
    let prepared = prepare(&png, &Limits::default()).unwrap();
    assert_eq!(prepared.source, SourceKind::Png);
    assert!(!prepared.has_alpha);
    assert!(near(fallback_color(&prepared, 4, 10), RED));
    assert!(near(fallback_color(&prepared, 35, 10), BLUE));
}

#[test]
fn a_wide_gamut_photo_is_made_srgb_and_its_profile_is_not_kept() {
    // Display P3 (as phones shoot): the same numbers are a more saturated colour than in
    // sRGB, so once converted the red rises and the blue falls.
    let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let (w, h) = (32u32, 16u32);
    let warm = [200u8, 100, 50];
    let raw: Vec<u8> = (0..w * h).flat_map(|_| warm).collect();
    let mut file = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut file, 95);
    encoder.set_icc_profile(p3).unwrap();
    encoder
        .write_image(&raw, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("p3.jpg");
    std::fs::write(&fixture, &file).unwrap();
    let tags = exiftool(&["-j", "-G1", "-ProfileDescription"], &fixture);
    assert!(
        tags.contains("ICC"),
        "the fixture carries its profile: {tags}"
    );

    let prepared = prepare(&file, &Limits::default()).unwrap();
    let srgb = fallback_color(&prepared, 16, 8);
    assert!(
        srgb[0] > warm[0] + 8 && srgb[2] + 8 < warm[2],
        "converted to sRGB: {srgb:?}"
    );
    for v in &prepared.variants {
        let ext = if v.format == VariantFormat::WebP {
            "webp"
        } else {
            "jpg"
        };
        assert_eq!(metadata_tags(&v.bytes, ext), Vec::<String>::new(), "{ext}");
    }
}

#[test]
fn an_animated_gif_is_kept_as_its_first_frame_and_says_so() {
    let frame = |c: [u8; 3]| {
        image::Frame::new(RgbaImage::from_pixel(40, 30, Rgba([c[0], c[1], c[2], 255])))
    };
    let mut moving = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut moving);
        encoder
            .set_repeat(image::codecs::gif::Repeat::Infinite)
            .unwrap();
        encoder
            .encode_frames([frame(RED), frame(BLUE), frame(GREEN)])
            .unwrap();
    }
    let prepared = prepare(&moving, &Limits::default()).unwrap();
    assert_eq!(prepared.source, SourceKind::Gif);
    assert!(prepared.animation_dropped);
    assert!(
        near(fallback_color(&prepared, 20, 15), RED),
        "the first frame"
    );

    let mut still = Vec::new();
    image::codecs::gif::GifEncoder::new(&mut still)
        .encode_frames([frame(GREEN)])
        .unwrap();
    let prepared = prepare(&still, &Limits::default()).unwrap();
    assert!(!prepared.animation_dropped);
    assert!(near(fallback_color(&prepared, 20, 15), GREEN));
}
