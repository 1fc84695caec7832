//! Telegram's `parse_mode: HTML` parser, modelled on TDLib's `parse_html` (the code the Bot API server runs), so the
//! fake server accepts and rejects the same texts as Telegram and reports the same error messages, e.g.
//! `Unsupported start tag "p" at byte offset 0` or `Can't find end tag corresponding to start tag "b"`.
//!
//! One deliberate difference, on by default: TDLib leaves an `&` that does not start a known entity as a literal `&`,
//! while the Bot API documentation says every `&` that is not part of an entity must be written `&amp;`. In strict
//! mode (the default of the fake server) a bare `&` is rejected, so a missing escape is caught by the tests; switch it
//! off with `FakeTelegram::set_strict_ampersand(false)` for TDLib's lenient behaviour.

/// One formatting entity of the parsed text, offsets and lengths in UTF-16 code units like the Bot API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    /// Bot API entity type: `bold`, `italic`, `underline`, `strikethrough`, `spoiler`, `text_link`, `code`, `pre`,
    /// `blockquote`, `expandable_blockquote`, `custom_emoji`.
    pub kind: &'static str,
    pub offset: usize,
    pub length: usize,
    /// `text_link` target.
    pub url: Option<String>,
    /// `pre` language (`<pre><code class="language-rust">`).
    pub language: Option<String>,
    /// `custom_emoji` id.
    pub custom_emoji_id: Option<String>,
}

impl Entity {
    /// The entity as Bot API JSON (`MessageEntity`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({ "type": self.kind, "offset": self.offset, "length": self.length });
        if let Some(url) = &self.url {
            v["url"] = url.clone().into();
        }
        if let Some(lang) = &self.language {
            v["language"] = lang.clone().into();
        }
        if let Some(id) = &self.custom_emoji_id {
            v["custom_emoji_id"] = id.clone().into();
        }
        v
    }
}

/// Text after entity parsing: what the user sees, and its entities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub text: String,
    pub entities: Vec<Entity>,
}

const SUPPORTED_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// TDLib's `is_space` (NUL included: the end of the text stops every scan).
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0 | 0x0b)
}

/// Decodes the HTML entity starting at `pos` (which holds `&`): `&lt;` `&gt;` `&amp;` `&quot;` and numeric
/// `&#NNN;` / `&#xHHH;`, the `;` being optional as in TDLib. Returns the code point and the position after it.
fn decode_entity(b: &[u8], pos: usize) -> Option<(u32, usize)> {
    let mut end = pos + 1;
    let mut res: u32 = 0;
    if at(b, end) == b'#' {
        end += 1;
        if at(b, end) == b'x' {
            end += 1;
            while at(b, end).is_ascii_hexdigit() {
                res = res * 16 + (at(b, end) as char).to_digit(16).unwrap_or(0);
                end += 1;
                if res >= 0x10ffff {
                    return None;
                }
            }
        } else {
            while at(b, end).is_ascii_digit() {
                res = res * 10 + u32::from(at(b, end) - b'0');
                end += 1;
                if res >= 0x10ffff {
                    return None;
                }
            }
        }
        if res == 0 || end - pos >= 10 {
            return None;
        }
    } else {
        while at(b, end).is_ascii_alphabetic() {
            end += 1;
        }
        res = match &b[pos + 1..end] {
            b"lt" => '<' as u32,
            b"gt" => '>' as u32,
            b"amp" => '&' as u32,
            b"quot" => '"' as u32,
            _ => return None,
        };
    }
    if at(b, end) == b';' {
        end += 1;
    }
    Some((res, end))
}

const SURROGATE_ERROR: &str = "Text contains invalid Unicode characters after decoding HTML entities, check for \
                               unmatched surrogate code units";

struct Open {
    tag: String,
    argument: String,
    expandable: bool,
    utf16_start: usize,
}

/// Parses `input` as Telegram HTML. `Err` holds the text Telegram puts after `Bad Request: can't parse entities: `.
pub fn parse_html(input: &str, strict_ampersand: bool) -> Result<Parsed, String> {
    let b = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut utf16 = 0usize;
    let mut stack: Vec<Open> = Vec::new();
    let mut entities: Vec<Entity> = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        let c = b[i];
        if c == b'&' {
            if let Some((cp, next)) = decode_entity(b, i) {
                let ch = char::from_u32(cp).ok_or_else(|| SURROGATE_ERROR.to_string())?;
                out.push(ch);
                utf16 += ch.len_utf16();
                i = next;
                continue;
            }
            if strict_ampersand {
                return Err(format!(
                    "Character '&' at byte offset {i} does not start an HTML entity; write it as &amp; (Bot API: \
                     all <, > and & symbols that are not a part of a tag or an HTML entity must be replaced)"
                ));
            }
        }
        if c != b'<' {
            let ch = input[i..].chars().next().expect("char boundary");
            out.push(ch);
            utf16 += ch.len_utf16();
            i += ch.len_utf8();
            continue;
        }

        let begin = i;
        i += 1;
        if at(b, i) != b'/' {
            // A start tag.
            while !is_space(at(b, i)) && at(b, i) != b'>' {
                i += 1;
            }
            if at(b, i) == 0 {
                return Err(format!("Unclosed start tag at byte offset {begin}"));
            }
            let tag = String::from_utf8_lossy(&b[begin + 1..i]).to_lowercase();
            if !SUPPORTED_TAGS.contains(&tag.as_str()) {
                return Err(format!("Unsupported start tag \"{tag}\" at byte offset {begin}"));
            }
            let mut argument = String::new();
            let mut expandable = false;
            while at(b, i) != b'>' {
                while at(b, i) != 0 && is_space(at(b, i)) {
                    i += 1;
                }
                if at(b, i) == b'>' {
                    break;
                }
                let name_begin = i;
                while !is_space(at(b, i)) && at(b, i) != b'=' && at(b, i) != b'>' {
                    i += 1;
                }
                let name = String::from_utf8_lossy(&b[name_begin..i]).to_string();
                if name.is_empty() {
                    return Err(format!(
                        "Empty attribute name in the tag \"{tag}\" at byte offset {begin}"
                    ));
                }
                while at(b, i) != 0 && is_space(at(b, i)) {
                    i += 1;
                }
                if at(b, i) != b'=' {
                    if tag == "blockquote" && name == "expandable" {
                        expandable = true;
                        continue;
                    }
                    if at(b, i) == 0 {
                        return Err(format!("Unclosed start tag \"{tag}\" at byte offset {begin}"));
                    }
                    return Err(format!(
                        "Expected equal sign in declaration of an attribute of the tag \"{tag}\" at byte offset \
                         {begin}"
                    ));
                }
                i += 1;
                while at(b, i) != 0 && is_space(at(b, i)) {
                    i += 1;
                }
                if at(b, i) == 0 {
                    return Err(format!("Unclosed start tag \"{tag}\" at byte offset {begin}"));
                }
                let mut value = String::new();
                let q = at(b, i);
                if q != b'\'' && q != b'"' {
                    // A name token.
                    let token_begin = i;
                    while at(b, i).is_ascii_alphanumeric() || at(b, i) == b'.' || at(b, i) == b'-' {
                        i += 1;
                    }
                    value = String::from_utf8_lossy(&b[token_begin..i]).to_lowercase();
                    if !is_space(at(b, i)) && at(b, i) != b'>' {
                        return Err(format!("Unexpected end of name token at byte offset {token_begin}"));
                    }
                } else {
                    i += 1;
                    while at(b, i) != q && at(b, i) != 0 {
                        if at(b, i) == b'&'
                            && let Some((cp, next)) = decode_entity(b, i)
                        {
                            value.push(char::from_u32(cp).ok_or_else(|| SURROGATE_ERROR.to_string())?);
                            i = next;
                            continue;
                        }
                        let ch = input[i..].chars().next().expect("char boundary");
                        value.push(ch);
                        i += ch.len_utf8();
                    }
                    if at(b, i) == q {
                        i += 1;
                    }
                }
                if at(b, i) == 0 {
                    return Err(format!("Unclosed start tag at byte offset {begin}"));
                }
                match (tag.as_str(), name.as_str()) {
                    ("a", "href") => argument = value,
                    ("code", "class") if value.starts_with("language-") => {
                        argument = value["language-".len()..].to_string()
                    }
                    ("span", "class") if value.starts_with("tg-") => argument = value["tg-".len()..].to_string(),
                    ("tg-emoji", "emoji-id") => argument = value,
                    ("blockquote", "expandable") => expandable = true,
                    _ => {}
                }
            }
            if tag == "span" && argument != "spoiler" {
                return Err(format!(
                    "Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"
                ));
            }
            if tag == "tg-emoji" && argument.is_empty() {
                return Err(format!(
                    "Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset {begin}"
                ));
            }
            stack.push(Open {
                tag,
                argument,
                expandable,
                utf16_start: utf16,
            });
            i += 1; // past '>'
        } else {
            // An end tag.
            let Some(open) = stack.pop() else {
                return Err(format!("Unexpected end tag at byte offset {begin}"));
            };
            while !is_space(at(b, i)) && at(b, i) != b'>' {
                i += 1;
            }
            let end_name = String::from_utf8_lossy(&b[begin + 2..i]).to_lowercase();
            while at(b, i) != 0 && is_space(at(b, i)) {
                i += 1;
            }
            if at(b, i) != b'>' {
                return Err(format!("Unclosed end tag at byte offset {begin}"));
            }
            if !end_name.is_empty() && end_name != open.tag {
                return Err(format!(
                    "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{end_name}>\"",
                    open.tag
                ));
            }
            i += 1; // past '>'
            if utf16 > open.utf16_start {
                push_entity(&mut entities, open, utf16);
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.tag
        ));
    }
    entities.sort_by(|a, b| a.offset.cmp(&b.offset).then(b.length.cmp(&a.length)));
    Ok(Parsed { text: out, entities })
}

fn push_entity(entities: &mut Vec<Entity>, open: Open, utf16_end: usize) {
    let offset = open.utf16_start;
    let length = utf16_end - offset;
    let plain = |kind: &'static str| Entity {
        kind,
        offset,
        length,
        url: None,
        language: None,
        custom_emoji_id: None,
    };
    let entity = match open.tag.as_str() {
        "b" | "strong" => plain("bold"),
        "i" | "em" => plain("italic"),
        "u" | "ins" => plain("underline"),
        "s" | "strike" | "del" => plain("strikethrough"),
        "tg-spoiler" | "span" => plain("spoiler"),
        "blockquote" if open.expandable => plain("expandable_blockquote"),
        "blockquote" => plain("blockquote"),
        "tg-emoji" => Entity {
            custom_emoji_id: Some(open.argument),
            ..plain("custom_emoji")
        },
        "a" => {
            if open.argument.is_empty() {
                return;
            }
            let url = if open.argument.contains("://") || open.argument.starts_with("tg:") {
                open.argument
            } else {
                format!("http://{}", open.argument)
            };
            Entity {
                url: Some(url),
                ..plain("text_link")
            }
        }
        "code" => {
            // `<pre><code class="language-x">…</code></pre>`: the language goes on the enclosing pre, which ends
            // later (it is still open), so remember it on a code entity and merge when the pre closes.
            Entity {
                language: (!open.argument.is_empty()).then_some(open.argument),
                ..plain("code")
            }
        }
        "pre" => {
            // Merge an inner code entity with a language covering the same range.
            if let Some(pos) = entities
                .iter()
                .position(|e| e.kind == "code" && e.offset == offset && e.length == length && e.language.is_some())
            {
                let code = entities.remove(pos);
                Entity {
                    language: code.language,
                    ..plain("pre")
                }
            } else {
                plain("pre")
            }
        }
        _ => return,
    };
    entities.push(entity);
}

/// Trims surrounding whitespace like Telegram does before storing a message, shifting the entities along.
pub fn trim(parsed: Parsed) -> Parsed {
    let Parsed { text, entities } = parsed;
    let trimmed_start = text.trim_start();
    let lead_utf16: usize = text[..text.len() - trimmed_start.len()].encode_utf16().count();
    let trimmed = trimmed_start.trim_end();
    let total_utf16 = trimmed.encode_utf16().count();
    let entities = entities
        .into_iter()
        .filter_map(|mut e| {
            let start = e.offset.saturating_sub(lead_utf16).min(total_utf16);
            let end = (e.offset + e.length).saturating_sub(lead_utf16).min(total_utf16);
            e.offset = start;
            e.length = end - start;
            // A plain code entity inside a pre that was not merged keeps no language.
            if e.kind == "code" {
                e.language = None;
            }
            (e.length > 0).then_some(e)
        })
        .collect();
    Parsed {
        text: trimmed.to_string(),
        entities,
    }
}
