//! `udha qr`: the codes it writes, decoded back, open the right entry; every shipped id gets one; unknown ids and
//! bad usernames are clear errors.

mod common;

use std::path::Path;
use std::process::Command;

use regex::Regex;

fn udha() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_udha"));
    c.arg("--knowledge").arg(common::knowledge_dir());
    c
}

/// The text a QR reader finds in a greyscale image (`dark(x, y)` says whether a pixel is black).
fn decode(width: usize, height: usize, dark: impl Fn(usize, usize) -> bool) -> String {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| if dark(x, y) { 0 } else { 255 });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    let (_, content) = grids[0].decode().expect("the code decodes");
    content
}

fn decode_png(bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let width = info.width as usize;
    decode(width, info.height as usize, |x, y| pixels[y * width + x] < 128)
}

/// The SVG `udha qr` writes draws each dark module as `M x y h w v h ...`: rasterised at one pixel per unit.
fn decode_svg(svg: &str) -> String {
    let size: usize = Regex::new(r#"width="(\d+)""#).unwrap().captures(svg).unwrap()[1]
        .parse()
        .unwrap();
    let mut grid = vec![false; size * size];
    for c in Regex::new(r"M(\d+) (\d+)h(\d+)v(\d+)").unwrap().captures_iter(svg) {
        let [x, y, w, h] = [1, 2, 3, 4].map(|i| c[i].parse::<usize>().unwrap());
        for yy in y..y + h {
            for xx in x..x + w {
                grid[yy * size + xx] = true;
            }
        }
    }
    decode(size, size, |x, y| grid[y * size + x])
}

#[test]
fn one_entry_in_svg_and_png_decodes_to_its_deep_link() {
    let dir = tempfile::tempdir().unwrap();
    let png_path = dir.path().join("evidence.png");
    let out = udha()
        .args([
            "qr",
            "safety-save-evidence",
            "--bot",
            "@UdhaBot",
            "--format",
            "png",
            "--out",
        ])
        .arg(&png_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let link = "https://t.me/UdhaBot?start=safety-save-evidence";
    assert_eq!(decode_png(&std::fs::read(&png_path).unwrap()), link);
    let out = udha()
        .args(["qr", "safety-save-evidence", "--bot", "UdhaBot"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.contains("<svg"), "SVG on standard output");
    assert_eq!(decode_svg(&svg), link);
}

#[test]
fn every_shipped_entry_gets_a_code_and_a_card_on_the_printable_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = udha()
        .args(["qr", "--all", "--bot", "UdhaBot", "--format", "png", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let index = common::shipped_index();
    let knowledge = index.knowledge();
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(html.contains("size: A4"));
    for entry in knowledge.entries() {
        let link = format!("https://t.me/UdhaBot?start={}", entry.id);
        let file = dir.path().join(format!("{}.png", entry.id));
        assert_eq!(decode_png(&std::fs::read(&file).unwrap()), link, "{}", entry.id);
        assert!(html.contains(&format!("src=\"{}.png\"", entry.id)), "{}", entry.id);
        assert!(html.contains(&link), "{}: the link in text", entry.id);
        for lang in udha::knowledge::Lang::ALL {
            let title = entry.text(lang).title.replace('&', "&amp;").replace('"', "&quot;");
            assert!(html.contains(&title), "{}: its {lang:?} title", entry.id);
        }
    }
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(files, knowledge.len() + 1, "one code per entry and index.html");
}

#[test]
fn unknown_ids_and_bad_usernames_are_clear_errors() {
    let run = |args: &[&str]| {
        let out = udha().args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run(&["qr", "no-such-entry", "--bot", "UdhaBot"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("unknown entry id `no-such-entry`"), "{err}");
    let (code, err) = run(&["qr", "safety-save-evidence", "--bot", "not a bot"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("not a Telegram bot username"), "{err}");
    let (code, _) = run(&["qr", "--all", "--bot", "UdhaBot"]);
    assert_eq!(code, Some(2), "--all needs --out");
    assert!(!Path::new("index.html").exists());
}
