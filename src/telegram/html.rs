//! Replies as Telegram HTML: every piece of text escaped, long messages split between parts (never inside a
//! tag), each chunk within Telegram's 4096-character limit.

use crate::dialogue::{Message, Part};

/// Telegram's limit for one message's text.
pub(crate) const MAX_MESSAGE_CHARS: usize = 4096;

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn is_https(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some())
}

fn link(label: &str, url: &str) -> String {
    if is_https(url) {
        format!("<a href=\"{}\">{}</a>", escape(url), escape(label))
    } else {
        escape(label)
    }
}

/// One part as HTML.
fn part(p: &Part) -> String {
    match p {
        Part::Heading(t) => format!("<b>{}</b>", escape(t)),
        Part::Text(t) => escape(t),
        Part::Steps { first, steps } => steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {}", first + i, escape(s)))
            .collect::<Vec<_>>()
            .join("\n"),
        Part::Phone { number, label } => format!("☎ <b>{}</b> – {}", escape(number), escape(label)),
        Part::Link { label, url } => link(label, url),
        Part::Source { label, url } => match url {
            Some(u) => format!("• {}", link(label, u)),
            None => format!("• {}", escape(label)),
        },
    }
}

/// Length as Telegram counts it: the text left once tags are parsed and entities decoded, in UTF-16 code units
/// (never fewer than characters, so this errs on the safe side).
pub(crate) fn telegram_len(html: &str) -> usize {
    let mut len = 0;
    let mut in_tag = false;
    let mut in_entity = false;
    for c in html.chars() {
        match c {
            '<' if !in_entity => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '&' => {
                in_entity = true;
                len += 1;
            }
            ';' if in_entity => in_entity = false,
            _ if in_entity => {}
            _ => len += c.len_utf16(),
        }
    }
    len
}

/// The message as one or more HTML chunks, each at most `MAX_MESSAGE_CHARS` long.
pub fn render(message: &Message) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for p in &message.parts {
        let html = part(p);
        if telegram_len(&html) <= MAX_MESSAGE_CHARS {
            pieces.push(html);
        } else {
            pieces.extend(split_long(p));
        }
    }
    pack(pieces)
}

/// A part too long for one message (it cannot happen with checked knowledge, but a front end never trusts that):
/// split plain text at line ends, then at spaces, escaping each piece.
fn split_long(p: &Part) -> Vec<String> {
    let plain = match p {
        Part::Steps { first, steps } => steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {s}", first + i))
            .collect::<Vec<_>>()
            .join("\n"),
        Part::Heading(t) | Part::Text(t) => t.clone(),
        other => return vec![truncate(&part(other))],
    };
    let limit = MAX_MESSAGE_CHARS / 6; // worst case: every character escapes to 6 ("&quot;")
    let mut out = Vec::new();
    let mut current = String::new();
    for word in plain.split_inclusive([' ', '\n']) {
        if current.chars().count() + word.chars().count() > limit && !current.is_empty() {
            out.push(escape(&current));
            current.clear();
        }
        if word.chars().count() > limit {
            let chars: Vec<char> = word.chars().collect();
            for chunk in chars.chunks(limit) {
                out.push(escape(&chunk.iter().collect::<String>()));
            }
        } else {
            current.push_str(word);
        }
    }
    if !current.is_empty() {
        out.push(escape(&current));
    }
    out
}

fn truncate(html: &str) -> String {
    // Only reached for a link or phone longer than a whole message; drop it to plain text that fits.
    let text: String = html
        .chars()
        .filter(|c| *c != '<' && *c != '>')
        .take(MAX_MESSAGE_CHARS / 6)
        .collect();
    escape(&text)
}

/// Joins pieces with blank lines into as few chunks as fit.
fn pack(pieces: Vec<String>) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    for piece in pieces {
        let extra = if current.is_empty() { 0 } else { 2 };
        if !current.is_empty() && telegram_len(&current) + extra + telegram_len(&piece) > MAX_MESSAGE_CHARS {
            chunks.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(&piece);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_from_knowledge() {
        let m = Message {
            parts: vec![Part::Heading("<b>&".into()), Part::Text("a < b \"c\"".into())],
            buttons: vec![],
        };
        assert_eq!(
            render(&m),
            vec!["<b>&lt;b&gt;&amp;</b>\n\na &lt; b &quot;c&quot;".to_string()]
        );
    }

    #[test]
    fn links_only_for_https() {
        assert_eq!(
            part(&Part::Link {
                label: "x".into(),
                url: "https://idp.al/a?b=1&c=2".into()
            }),
            "<a href=\"https://idp.al/a?b=1&amp;c=2\">x</a>"
        );
        assert_eq!(
            part(&Part::Link {
                label: "x".into(),
                url: "javascript:alert(1)".into()
            }),
            "x"
        );
        assert_eq!(
            part(&Part::Source {
                label: "s".into(),
                url: Some("http://a.al".into())
            }),
            "• s"
        );
    }

    #[test]
    fn length_counts_what_telegram_shows() {
        assert_eq!(
            telegram_len("<b>ab</b> &amp; <a href=\"https://x.al/very/long\">c</a>"),
            6
        );
        assert_eq!(telegram_len("🙂"), 2);
    }

    #[test]
    fn long_messages_split_between_parts_within_the_limit() {
        let para = "fjalë ".repeat(500);
        let m = Message {
            parts: (0..10).map(|_| Part::Text(para.clone())).collect(),
            buttons: vec![],
        };
        let chunks = render(&m);
        assert!(chunks.len() > 1);
        for c in &chunks {
            assert!(telegram_len(c) <= MAX_MESSAGE_CHARS);
        }
        let huge = Message {
            parts: vec![Part::Text("<".repeat(20_000))],
            buttons: vec![],
        };
        for c in render(&huge) {
            assert!(telegram_len(&c) <= MAX_MESSAGE_CHARS);
            assert!(!c.contains('<'));
        }
    }
}
