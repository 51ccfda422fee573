//! Preparing photos on the device (`cargo bench -p pint-client --bench media`): a 24 MP
//! and a 12 MP JPEG (made here: gradients and noise, EXIF-rotated by exiftool when it is
//! installed) to 4 widths × (WebP + JPEG), rotated upright and stripped, by
//! `media::prepare`; beside it, in the same run, `vipsthumbnail` (Debian's libvips-tools)
//! doing the same work when it is installed. Prints wall times and Pint's peak memory
//! (the process's high-water mark while preparing, above what it held before).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use image::{ImageEncoder, Rgb, RgbImage};
use pint_client::media::{Limits, prepare};

mod typist;

fn photo(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let img = RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed % 24) as u8;
        Rgb([
            ((x * 255 / width) as u8).saturating_add(noise),
            ((y * 255 / height) as u8).saturating_add(noise),
            (((x + y) % 256) as u8).saturating_add(noise / 2),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn high_water_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn reset_high_water() {
    // Writing 5 to clear_refs resets the peak (Linux).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn has(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// vipsthumbnail doing the same work: each width as JPEG q82 and WebP q80, rotated
/// upright, stripped. Seconds.
fn vips(file: &Path, out: &Path) -> f64 {
    let started = Instant::now();
    for width in [480, 960, 1600, 2400] {
        for (ext, q) in [("jpg", 82), ("webp", 80)] {
            let status = Command::new("vipsthumbnail")
                .arg(file)
                .args(["--size", &width.to_string()])
                .arg("-o")
                .arg(out.join(format!("v{width}.{ext}[Q={q},strip]")))
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
    started.elapsed().as_secs_f64()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let exiftool = has("exiftool");
    let vipsthumbnail = has("vipsthumbnail");
    println!("\n## Preparing photos: 4 widths × (WebP q80 + JPEG q82), upright, stripped");
    for (name, w, h) in [("24 MP", 6000, 4000), ("12 MP phone photo", 4032, 3024)] {
        let file = dir.path().join(format!("{w}x{h}.jpg"));
        std::fs::write(&file, photo(w, h)).unwrap();
        if exiftool {
            let _ = Command::new("exiftool")
                .args([
                    "-n",
                    "-Orientation=6",
                    "-GPSLatitude=48.8",
                    "-overwrite_original",
                ])
                .arg(&file)
                .output();
        }
        let bytes = std::fs::read(&file).unwrap();
        let mut times = Vec::new();
        let mut peak = 0;
        for _ in 0..3 {
            reset_high_water();
            let before = high_water_kib();
            let started = Instant::now();
            let prepared = prepare(&bytes, &Limits::default()).unwrap();
            times.push(started.elapsed().as_secs_f64());
            peak = peak.max(high_water_kib().saturating_sub(before));
            assert_eq!(prepared.variants.len(), 8);
        }
        times.sort_by(f64::total_cmp);
        let pint = times[1];
        print!(
            "{name} ({w} × {h}{}): Pint {pint:.2} s (median of 3), peak +{} MiB",
            if exiftool { ", EXIF orientation 6" } else { "" },
            peak / 1024
        );
        if vipsthumbnail {
            let mut v: Vec<f64> = (0..3).map(|_| vips(&file, dir.path())).collect();
            v.sort_by(f64::total_cmp);
            println!(
                "; vipsthumbnail {:.2} s; Pint/vips {:.2}×",
                v[1],
                pint / v[1]
            );
        } else {
            println!("; vipsthumbnail not installed (apt-get install libvips-tools)");
        }
    }

    twenty_photos_while_typing(&photo(4032, 3024));
}

/// 20 photos dropped at once while the creator types. The app prepares them one after
/// another off the engine's lock and keeps each under it (`take_image`); a keystroke's
/// save waits for that lock.
fn twenty_photos_while_typing(twelve: &[u8]) {
    let mut all = 0.0;
    let (idle, busy) = typist::saves_while(100, |engine| {
        let started = Instant::now();
        for _ in 0..20 {
            let prepared = prepare(twelve, &Limits::default()).unwrap();
            engine
                .lock()
                .unwrap()
                .keep_image(&prepared, twelve.len())
                .unwrap();
        }
        all = started.elapsed().as_secs_f64();
    });
    println!("20 × 12 MP dropped at once: all prepared and kept in {all:.1} s");
    println!(
        "  a keystroke's save, idle:            {}",
        typist::quantiles(idle)
    );
    println!(
        "  a keystroke's save, while preparing: {}",
        typist::quantiles(busy)
    );
}
