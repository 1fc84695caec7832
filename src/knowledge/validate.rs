//! The rules `udha check` enforces on every entry, beyond what parsing already proves.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::NaiveDate;

use super::load::{Parsed, error};
use super::locate::Seg;
use super::model::{Entry, Kind, Variants};
use super::report::{Diagnostic, Mark, Severity};

/// Longest piece of text (a paragraph, a step) that still fits one Telegram message after rendering, with room
/// for the title and the HTML escapes. Text is split between paragraphs, never inside one.
pub const MAX_PARAGRAPH_CHARS: usize = 3500;

/// Telegram's limit for button callback data.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// Bytes the bot adds to a flow id and a step id in a button's data (`v` + lang + kind + separators).
pub const FLOW_CALLBACK_OVERHEAD: usize = 5;

pub const MAX_ID_CHARS: usize = 64;

/// Checks of one entry on its own (not against other entries).
pub fn check_entry(file: &Parsed<Entry>, today: NaiveDate, out: &mut Vec<Diagnostic>, marks: &mut Vec<Mark>) {
    let e = &file.value;
    let path = &file.path;
    let at = |segs: &[Seg<'_>]| file.at(segs);

    // Id: format, kind prefix, length, file name, folder.
    if let Some(problem) = id_problem(&e.id) {
        out.push(error(
            path,
            at(&[Seg::Key("id")]),
            format!("id `{}` {problem}", e.id),
            "ids use only a-z, 0-9 and '-', e.g. safety-save-evidence",
        ));
    }
    if !e.id.starts_with(&format!("{}-", e.kind)) {
        out.push(error(
            path,
            at(&[Seg::Key("id")]),
            format!("id `{}` must start with its kind `{}-`", e.id, e.kind),
            format!(
                "rename the id to `{}-...` (and the file with it), or fix `kind`",
                e.kind
            ),
        ));
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem != e.id {
        out.push(error(
            path,
            at(&[Seg::Key("id")]),
            format!("id `{}` differs from the file name `{stem}`", e.id),
            format!("name the file `{}.yaml`, or change the id to `{stem}`", e.id),
        ));
    }
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or("");
    if folder != e.kind.as_str() {
        out.push(warning(
            path,
            at(&[Seg::Key("kind")]),
            format!("an entry of kind `{}` is in the folder `{folder}`", e.kind),
            format!("move the file into `{}/`", e.kind),
        ));
    }

    // Both languages present and non-empty.
    for (lang, text) in [("sq", &e.sq), ("en", &e.en)] {
        for (field, value) in [("title", &text.title), ("summary", &text.summary)] {
            if value.trim().is_empty() {
                out.push(error(
                    path,
                    at(&[Seg::Key(lang), Seg::Key(field)]),
                    format!("`{lang}.{field}` is empty"),
                    "every entry is written in both Albanian (sq) and English (en)",
                ));
            }
        }
        if e.kind != Kind::Flow && e.kind != Kind::Contact && text.body.trim().is_empty() && text.steps.is_empty() {
            out.push(warning(
                path,
                at(&[Seg::Key(lang)]),
                format!("`{lang}` has neither `body` nor `steps`"),
                "add the explanation as `body`, or numbered `steps`",
            ));
        }
        for (i, step) in text.steps.iter().enumerate() {
            if step.trim().is_empty() {
                out.push(error(
                    path,
                    at(&[Seg::Key(lang), Seg::Key("steps"), Seg::Index(i)]),
                    format!("`{lang}.steps` item {} is empty", i + 1),
                    "remove the empty step",
                ));
            }
        }
        if text.keywords.is_empty() && e.kind != Kind::Flow {
            out.push(warning(
                path,
                at(&[Seg::Key(lang)]),
                format!("`{lang}` has no keywords"),
                "add the words people really type (colloquial forms, without ë/ç, abbreviations) so search finds this entry",
            ));
        }
        // Telegram: every piece we send must fit a message; long text is split only between paragraphs.
        let pieces = std::iter::once(("summary", text.summary.as_str(), None))
            .chain(text.body.split("\n\n").map(|p| ("body", p, None)))
            .chain(
                text.steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| ("steps", s.as_str(), Some(i))),
            );
        for (field, piece, index) in pieces {
            let rendered = rendered_len(piece);
            if rendered > MAX_PARAGRAPH_CHARS {
                let mut segs = vec![Seg::Key(lang), Seg::Key(field)];
                if let Some(i) = index {
                    segs.push(Seg::Index(i));
                }
                out.push(error(
                    path,
                    at(&segs),
                    format!("a paragraph in `{lang}.{field}` is {rendered} characters: too long for one Telegram message (at most {MAX_PARAGRAPH_CHARS} per paragraph)"),
                    "split it with an empty line into shorter paragraphs, or into several steps",
                ));
            }
        }
    }
    if e.sq.steps.len() != e.en.steps.len() {
        out.push(warning(
            path,
            at(&[Seg::Key("en"), Seg::Key("steps")]),
            format!("`sq` has {} steps and `en` has {}", e.sq.steps.len(), e.en.steps.len()),
            "translations should say the same thing: keep the steps side by side",
        ));
    }

    // Review date.
    if e.reviewed > today {
        out.push(error(
            path,
            at(&[Seg::Key("reviewed")]),
            format!("`reviewed` {} is in the future", e.reviewed),
            "use the date the content was actually checked (YYYY-MM-DD)",
        ));
    } else if (today - e.reviewed).num_days() > 365 {
        out.push(warning(
            path,
            at(&[Seg::Key("reviewed")]),
            format!("last reviewed {} (over 12 months ago)", e.reviewed),
            "check the content against its sources again and update `reviewed`",
        ));
    }

    // Sources.
    if e.sources.is_empty() {
        out.push(error(
            path,
            at(&[Seg::Key("sources")]),
            "the entry has no source",
            "add at least one source with a `url` (https) or a legal `citation`",
        ));
    }
    for (i, s) in e.sources.iter().enumerate() {
        let segs = [Seg::Key("sources"), Seg::Index(i)];
        if s.title.trim().is_empty() {
            out.push(error(
                path,
                at(&segs),
                format!("source {} has an empty title", i + 1),
                "say what the source is",
            ));
        }
        match (&s.url, &s.citation) {
            (None, None) => out.push(error(
                path,
                at(&segs),
                format!("source {} has neither `url` nor `citation`", i + 1),
                "add the https URL or the legal citation",
            )),
            (Some(u), _) => {
                if let Some(problem) = url_problem(u) {
                    out.push(error(
                        path,
                        at(&[Seg::Key("sources"), Seg::Index(i), Seg::Key("url")]),
                        format!("source URL `{u}` {problem}"),
                        "write the full address, starting with https://",
                    ));
                }
            }
            _ => {}
        }
    }

    // Related ids: format here, existence in `check_links`.
    for (i, r) in e.related.iter().enumerate() {
        if r == &e.id {
            out.push(warning(
                path,
                at(&[Seg::Key("related"), Seg::Index(i)]),
                format!("`related` lists the entry itself (`{r}`)"),
                "remove it",
            ));
        }
    }

    // Contacts.
    match (&e.contact, e.kind) {
        (None, Kind::Contact) => out.push(error(
            path,
            at(&[Seg::Key("kind")]),
            "a contact entry needs a `contact:` block",
            "add `contact:` with at least `area:` (see knowledge/README.md)",
        )),
        (Some(_), k) if k != Kind::Contact => out.push(error(
            path,
            at(&[Seg::Key("contact")]),
            format!("`contact:` is only for kind contact, not `{k}`"),
            "move the details into a contact entry and link it in `related`",
        )),
        _ => {}
    }
    if let Some(c) = &e.contact {
        if c.area.trim().is_empty() {
            out.push(error(
                path,
                at(&[Seg::Key("contact"), Seg::Key("area")]),
                "`contact.area` is empty",
                "write `national` or the municipality's name",
            ));
        }
        for (i, p) in c.phones.iter().enumerate() {
            if let Some(problem) = phone_problem(&p.number) {
                out.push(error(
                    path,
                    at(&[Seg::Key("contact"), Seg::Key("phones"), Seg::Index(i)]),
                    format!("phone number `{}` {problem}", p.number),
                    "write digits, optionally grouped by spaces and with a leading +, e.g. \"129\" or \"+355 42 237 200\"",
                ));
            }
            if p.sq.trim().is_empty() || p.en.trim().is_empty() {
                out.push(error(
                    path,
                    at(&[Seg::Key("contact"), Seg::Key("phones"), Seg::Index(i)]),
                    format!("phone `{}` needs a label in both `sq` and `en`", p.number),
                    "say what the number is, in both languages",
                ));
            }
        }
        for (i, w) in c.websites.iter().enumerate() {
            if let Some(problem) = url_problem(w) {
                out.push(error(
                    path,
                    at(&[Seg::Key("contact"), Seg::Key("websites"), Seg::Index(i)]),
                    format!("website `{w}` {problem}"),
                    "write the full address, starting with https://",
                ));
            }
        }
        for (i, m) in c.emails.iter().enumerate() {
            if !email_ok(m) {
                out.push(error(
                    path,
                    at(&[Seg::Key("contact"), Seg::Key("emails"), Seg::Index(i)]),
                    format!("email `{m}` is not a valid address"),
                    "write it as name@domain.al",
                ));
            }
        }
    }

    // Flows.
    match (&e.flow, e.kind) {
        (None, Kind::Flow) => out.push(error(
            path,
            at(&[Seg::Key("kind")]),
            "a flow entry needs a `flow:` block",
            "add `flow:` with `start:` and `steps:` (see knowledge/README.md)",
        )),
        (Some(_), k) if k != Kind::Flow => out.push(error(
            path,
            at(&[Seg::Key("flow")]),
            format!("`flow:` is only for kind flow, not `{k}`"),
            "make this a flow entry, or remove the block",
        )),
        _ => {}
    }
    if e.flow.is_some() {
        check_flow_shape(file, out);
    }

    for (i, text) in e.unconfirmed.iter().enumerate() {
        let (line, _) = at(&[Seg::Key("unconfirmed"), Seg::Index(i)]);
        marks.push(Mark {
            path: path.clone(),
            line,
            id: e.id.clone(),
            text: text.trim().to_string(),
        });
    }
}

/// Step ids, targets within the flow, dead ends and unreachable steps.
fn check_flow_shape(file: &Parsed<Entry>, out: &mut Vec<Diagnostic>) {
    let e = &file.value;
    let Some(flow) = &e.flow else { return };
    let path = &file.path;
    let step_at = |i: usize| file.at(&[Seg::Key("flow"), Seg::Key("steps"), Seg::Index(i), Seg::Key("id")]);
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, step) in flow.steps.iter().enumerate() {
        if step.id.is_empty()
            || !step
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            out.push(error(
                path,
                step_at(i),
                format!("step id `{}` may use only a-z, 0-9 and '-'", step.id),
                "rename the step (and every `goto` to it)",
            ));
        }
        if e.id.len() + step.id.len() + FLOW_CALLBACK_OVERHEAD > MAX_CALLBACK_BYTES {
            out.push(error(
                path,
                step_at(i),
                format!(
                    "flow id + step id `{}` are too long for a Telegram button ({} bytes at most together)",
                    step.id,
                    MAX_CALLBACK_BYTES - FLOW_CALLBACK_OVERHEAD
                ),
                "use a shorter step id",
            ));
        }
        if ids.insert(step.id.as_str(), i).is_some() {
            out.push(error(
                path,
                step_at(i),
                format!("step id `{}` is used twice in this flow", step.id),
                "give each step its own id",
            ));
        }
        if step.sq.trim().is_empty() || step.en.trim().is_empty() {
            out.push(error(
                path,
                step_at(i),
                format!("step `{}` needs text in both `sq` and `en`", step.id),
                "write what the step says, in both languages",
            ));
        }
        if step.options.is_empty() && step.show.is_empty() {
            out.push(error(
                path,
                step_at(i),
                format!("step `{}` is a dead end: it has no `options` and no `show`", step.id),
                "add buttons (`options`) to go on, or entries to open (`show`) with the concrete actions and contacts",
            ));
        }
        if step.options.len() + step.show.len() > 6 {
            out.push(warning(
                path,
                step_at(i),
                format!(
                    "step `{}` offers {} buttons",
                    step.id,
                    step.options.len() + step.show.len()
                ),
                "keep a step to 2–4 choices so it reads on a phone",
            ));
        }
        for (j, o) in step.options.iter().enumerate() {
            let o_at = file.at(&[
                Seg::Key("flow"),
                Seg::Key("steps"),
                Seg::Index(i),
                Seg::Key("options"),
                Seg::Index(j),
            ]);
            if o.sq.trim().is_empty() || o.en.trim().is_empty() {
                out.push(error(
                    path,
                    o_at,
                    format!("a button of step `{}` needs a label in both `sq` and `en`", step.id),
                    "write the button's label in both languages",
                ));
            }
            match (&o.goto, &o.entry) {
                (Some(_), Some(_)) | (None, None) => out.push(error(
                    path,
                    o_at,
                    format!(
                        "a button of step `{}` needs exactly one of `goto` (a step) or `entry` (an entry id)",
                        step.id
                    ),
                    "keep `goto:` to move within the flow, or `entry:` to open an entry",
                )),
                _ => {}
            }
        }
    }
    let start_at = file.at(&[Seg::Key("flow"), Seg::Key("start")]);
    if !ids.contains_key(flow.start.as_str()) {
        out.push(error(
            path,
            start_at,
            format!("`start` names the step `{}`, which does not exist", flow.start),
            "name the id of the first step",
        ));
        return;
    }
    for (i, step) in flow.steps.iter().enumerate() {
        for (j, o) in step.options.iter().enumerate() {
            if let Some(target) = &o.goto
                && !ids.contains_key(target.as_str())
            {
                let o_at = file.at(&[
                    Seg::Key("flow"),
                    Seg::Key("steps"),
                    Seg::Index(i),
                    Seg::Key("options"),
                    Seg::Index(j),
                    Seg::Key("goto"),
                ]);
                out.push(error(
                    path,
                    o_at,
                    format!("`goto: {target}` names a step that does not exist in this flow"),
                    "use the id of a step of this flow",
                ));
            }
        }
    }
    // Reachability from the start.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut queue = VecDeque::from([flow.start.as_str()]);
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(step) = flow.step(id) {
            queue.extend(step.options.iter().filter_map(|o| o.goto.as_deref()));
        }
    }
    for (i, step) in flow.steps.iter().enumerate() {
        if !seen.contains(step.id.as_str()) {
            out.push(error(
                path,
                step_at(i),
                format!("step `{}` cannot be reached from `start`", step.id),
                "add a button that leads to it (`goto:`), or remove the step",
            ));
        }
    }
}

/// Checks across entries: duplicate ids, and that every `related`, flow `entry` and `show` id exists.
/// Links between entries: every id unique, every `related`, flow `entry` and `show` names an entry. An entry whose
/// file could not be read (`unreadable`, by file name) still counts as existing: its own error says what is wrong.
pub fn check_links(files: &[Parsed<Entry>], unreadable: &[String], out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, &Parsed<Entry>> = HashMap::new();
    for f in files {
        if let Some(other) = first.get(f.value.id.as_str()) {
            let (line, _) = other.at(&[Seg::Key("id")]);
            out.push(error(
                &f.path,
                f.at(&[Seg::Key("id")]),
                format!("duplicate id `{}`: also in {}:{line}", f.value.id, other.path.display()),
                "every entry needs its own id; rename one of them (and its file)",
            ));
        } else {
            first.insert(f.value.id.as_str(), f);
        }
    }
    let exists = |id: &str| first.contains_key(id) || unreadable.iter().any(|u| u == id);
    for f in files {
        let e = &f.value;
        for (i, r) in e.related.iter().enumerate() {
            if !exists(r) {
                out.push(error(
                    &f.path,
                    f.at(&[Seg::Key("related"), Seg::Index(i)]),
                    format!("`related` names `{r}`, which does not exist"),
                    "use the id of an existing entry (its file name without .yaml)",
                ));
            }
        }
        if let Some(flow) = &e.flow {
            for (i, step) in flow.steps.iter().enumerate() {
                for (j, o) in step.options.iter().enumerate() {
                    if let Some(target) = &o.entry
                        && !exists(target)
                    {
                        let at = f.at(&[
                            Seg::Key("flow"),
                            Seg::Key("steps"),
                            Seg::Index(i),
                            Seg::Key("options"),
                            Seg::Index(j),
                            Seg::Key("entry"),
                        ]);
                        out.push(error(
                            &f.path,
                            at,
                            format!("`entry: {target}` names an entry that does not exist"),
                            "use the id of an existing entry",
                        ));
                    }
                }
                for (j, target) in step.show.iter().enumerate() {
                    if !exists(target) {
                        let at = f.at(&[
                            Seg::Key("flow"),
                            Seg::Key("steps"),
                            Seg::Index(i),
                            Seg::Key("show"),
                            Seg::Index(j),
                        ]);
                        out.push(error(
                            &f.path,
                            at,
                            format!("`show` names `{target}`, which does not exist"),
                            "use the id of an existing entry",
                        ));
                    }
                }
            }
        }
    }
}

fn warning(
    path: &std::path::Path,
    at: (usize, usize),
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        ..error(path, at, message, hint)
    }
}

/// Why an id is malformed, if it is.
pub fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if id.len() > MAX_ID_CHARS {
        Some("is longer than 64 characters")
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some("may use only a-z, 0-9 and '-'")
    } else if id.starts_with('-') || id.ends_with('-') || id.contains("--") {
        Some("may not start or end with '-' or have '--'")
    } else {
        None
    }
}

/// Why a URL is not acceptable (https, well formed, with a host), if it is not.
pub fn url_problem(u: &str) -> Option<&'static str> {
    match url::Url::parse(u) {
        Err(_) => Some("is not a well-formed URL"),
        Ok(parsed) if parsed.scheme() != "https" => Some("is not https"),
        Ok(parsed) if parsed.host_str().is_none_or(|h| !h.contains('.')) => Some("has no valid host"),
        Ok(_) if u.chars().any(char::is_whitespace) => Some("contains spaces"),
        Ok(_) => None,
    }
}

/// Why a phone number is malformed, if it is: digits grouped by single spaces, optional leading +, 3 to 15 digits.
pub fn phone_problem(number: &str) -> Option<&'static str> {
    let body = number.strip_prefix('+').unwrap_or(number);
    let groups_ok = !body.is_empty()
        && body
            .split(' ')
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    if !groups_ok {
        Some("is not a well-formed phone number")
    } else if !(3..=15).contains(&digits) {
        Some("has too few or too many digits")
    } else if number.starts_with('+') && !number.starts_with("+355") && digits < 8 {
        Some("looks like an incomplete international number")
    } else {
        None
    }
}

fn email_ok(m: &str) -> bool {
    let Some((local, domain)) = m.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !m.chars().any(char::is_whitespace)
}

/// Characters a piece of text takes once escaped for Telegram's HTML parse mode.
pub fn rendered_len(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '<' | '>' => 4,
            '&' => 5,
            _ => 1,
        })
        .sum()
}

/// The spelling variants: each variant one word as typed, mapped to the standard word(s) the knowledge uses.
pub fn check_variants(file: &Parsed<Variants>, out: &mut Vec<Diagnostic>) {
    let words = &file.value.words;
    for (variant, standard) in words {
        let at = file.at(&[Seg::Key("words"), Seg::Key(variant)]);
        if let Some((message, hint)) = variant_problem(variant, standard, |w| words.contains_key(w)) {
            out.push(error(&file.path, at, format!("variant `{variant}`: {message}"), hint));
        }
    }
}

/// What is wrong with one variant → standard mapping, if anything, as (message, hint).
fn variant_problem(variant: &str, standard: &str, is_variant: impl Fn(&str) -> bool) -> Option<(String, &'static str)> {
    let one_word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric());
    if !one_word(variant) {
        return Some((
            "a variant is one word of letters".into(),
            "write the word alone; apostrophe forms (m'ka, n'polici) are already read as two words",
        ));
    }
    if variant.chars().any(char::is_uppercase) || standard.chars().any(char::is_uppercase) {
        return Some(("use lower case".into(), "write both sides in lower case"));
    }
    if standard.split(' ').any(|w| !one_word(w)) {
        return Some((
            format!("the standard form `{standard}` must be words of letters separated by single spaces"),
            "write the word(s) the knowledge uses, e.g. shpi: shtepi",
        ));
    }
    if standard == variant {
        return Some(("maps to itself".into(), "remove the line: the word is already standard"));
    }
    if let Some(chained) = standard.split(' ').find(|w| *w != variant && is_variant(w)) {
        return Some((
            format!("its standard form uses `{chained}`, which is itself a variant"),
            "write the final standard word directly; variants are not followed twice",
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(id_problem("safety-save-evidence"), None);
        assert!(id_problem("Safety").is_some());
        assert!(id_problem("safety_x").is_some());
        assert!(id_problem(&"a".repeat(65)).is_some());
        assert!(id_problem("safety--x").is_some());
    }

    #[test]
    fn urls() {
        assert_eq!(url_problem("https://www.idp.al/"), None);
        assert_eq!(url_problem("http://www.idp.al/"), Some("is not https"));
        assert!(url_problem("www.idp.al").is_some());
        assert!(url_problem("https://localhost").is_some());
    }

    #[test]
    fn phones() {
        for ok in ["129", "116 117", "+355 42 237 200", "+355 69 4155 552"] {
            assert_eq!(phone_problem(ok), None, "{ok}");
        }
        for bad in ["", "12", "1-2-3", "12a", "+", "116  117", "0800 CALL"] {
            assert!(phone_problem(bad).is_some(), "{bad}");
        }
    }
}
