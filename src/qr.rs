//! QR codes for trainings and posters: an entry's deep link (`https://t.me/<bot>?start=<id>`) as SVG or PNG, and a
//! printable A4 page of every entry's code with its titles in both languages and the link in text.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::knowledge::{Entry, Knowledge, Lang};

/// Pixels per module of a PNG, and the quiet zone around the code in modules (the standard asks for four).
const PNG_MODULE_PX: usize = 8;
const QUIET_MODULES: usize = 4;
/// Smallest side of an SVG code, in pixels.
const SVG_MIN_PX: u32 = 240;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("unknown entry id `{0}`: `udha export --jsonl` lists every id")]
    UnknownId(String),
    #[error("`{0}` is not a Telegram bot username (5 to 32 letters, digits or _, e.g. UdhaBot)")]
    BadUsername(String),
    #[error("the link does not fit a QR code: {0}")]
    Encode(#[from] qrcode::types::QrError),
    #[error("cannot write the PNG: {0}")]
    Png(#[from] png::EncodingError),
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// The image formats `udha qr` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

/// A bot username as Telegram allows it, without a leading `@`.
pub fn bot_username(name: &str) -> Result<String, QrError> {
    let name = name.trim().trim_start_matches('@');
    let valid = (5..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(name.to_string())
    } else {
        Err(QrError::BadUsername(name.to_string()))
    }
}

/// The deep link that opens an entry in the bot.
pub fn deep_link(bot: &str, id: &str) -> String {
    format!("https://t.me/{bot}?start={id}")
}

/// The QR code of a link, as an image in the given format.
pub fn image(link: &str, format: Format) -> Result<Vec<u8>, QrError> {
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M)?;
    match format {
        Format::Svg => Ok(code
            .render::<svg::Color>()
            .min_dimensions(SVG_MIN_PX, SVG_MIN_PX)
            .quiet_zone(true)
            .build()
            .into_bytes()),
        Format::Png => png_image(&code),
    }
}

/// A greyscale PNG: black modules on white, with the quiet zone.
fn png_image(code: &QrCode) -> Result<Vec<u8>, QrError> {
    let width = code.width();
    let side = (width + 2 * QUIET_MODULES) * PNG_MODULE_PX;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (x0, y0) = (
            (i % width + QUIET_MODULES) * PNG_MODULE_PX,
            (i / width + QUIET_MODULES) * PNG_MODULE_PX,
        );
        for y in y0..y0 + PNG_MODULE_PX {
            pixels[y * side + x0..y * side + x0 + PNG_MODULE_PX].fill(0);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

/// The QR code of one entry's deep link.
pub(crate) fn entry_image(knowledge: &Knowledge, bot: &str, id: &str, format: Format) -> Result<Vec<u8>, QrError> {
    let entry = knowledge.get(id).ok_or_else(|| QrError::UnknownId(id.to_string()))?;
    image(&deep_link(bot, &entry.id), format)
}

/// Writes one code per entry into `dir` (`<id>.svg` or `.png`) and a printable `index.html`; returns how many.
pub fn write_all(knowledge: &Knowledge, bot: &str, format: Format, dir: &Path) -> Result<usize, QrError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| QrError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for entry in knowledge.entries() {
        let path = dir.join(format!("{}.{}", entry.id, format.extension()));
        let bytes = image(&deep_link(bot, &entry.id), format)?;
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    let page = dir.join("index.html");
    std::fs::write(&page, index_html(knowledge, bot, format)).map_err(io(&page))?;
    Ok(knowledge.len())
}

/// An A4 page (printed: as many pages as needed) of every entry's code with its titles and link.
fn index_html(knowledge: &Knowledge, bot: &str, format: Format) -> String {
    let mut cards = String::new();
    for entry in knowledge.entries() {
        card(&mut cards, entry, bot, format);
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"sq\">\n<head>\n<meta charset=\"utf-8\">\n<title>Udha – QR</title>\n<style>\n\
         @page {{ size: A4; margin: 12mm; }}\n\
         body {{ font-family: sans-serif; margin: 0; }}\n\
         .grid {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 6mm; }}\n\
         .card {{ break-inside: avoid; border: 1px solid #ccc; padding: 3mm; text-align: center; }}\n\
         .card img {{ width: 45mm; height: 45mm; }}\n\
         .sq {{ font-weight: bold; font-size: 10pt; }}\n\
         .en {{ font-size: 9pt; color: #333; }}\n\
         .link {{ font-family: monospace; font-size: 7pt; word-break: break-all; }}\n\
         </style>\n</head>\n<body>\n<div class=\"grid\">\n{cards}</div>\n</body>\n</html>\n"
    )
}

fn card(out: &mut String, entry: &Entry, bot: &str, format: Format) {
    let link = deep_link(bot, &entry.id);
    let _ = writeln!(
        out,
        "<div class=\"card\"><img src=\"{id}.{ext}\" alt=\"{link}\"><div class=\"sq\">{sq}</div>\
         <div class=\"en\">{en}</div><div class=\"link\">{link}</div></div>",
        id = entry.id,
        ext = format.extension(),
        sq = escape(&entry.text(Lang::Sq).title),
        en = escape(&entry.text(Lang::En).title),
    );
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_telegrams_rules() {
        assert_eq!(bot_username("@UdhaBot").ok(), Some("UdhaBot".into()));
        for bad in ["ab", "has space", "a-b-c-d-e", "x".repeat(33).as_str(), "<script>"] {
            assert!(bot_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
