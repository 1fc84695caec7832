//! The rules `udha check` enforces on every entry, beyond what parsing already proves.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::NaiveDate;

use super::Fit;
use super::id::{has_id_chars, id_problem};
use super::load::{Parsed, error};
use super::locate::Seg;
use super::model::{Contact, Entry, Flow, FlowOption, FlowStep, Glossary, Kind, Localized, Variants};
use super::report::{Diagnostic, Mark, Severity};

/// An entry not reviewed for longer than this is reported as due for review.
const REVIEW_EVERY_DAYS: i64 = 365;

/// More buttons than this on one flow step are hard to read on a phone.
const MAX_STEP_BUTTONS: usize = 6;

/// Checks of one entry on its own (not against other entries).
pub(crate) fn check_entry(
    file: &Parsed<Entry>,
    today: NaiveDate,
    fit: Fit,
    out: &mut Vec<Diagnostic>,
    marks: &mut Vec<Mark>,
) {
    let e = &file.value;
    let mut check = Checker { file, fit, out };
    check.id();
    for (lang, text) in e.text.iter() {
        check.language(lang.code(), text);
    }
    check.steps_side_by_side();
    check.review_date(today);
    check.sources();
    check.related();
    check.platform();
    check.contact();
    check.flow();
    for (i, text) in e.unconfirmed.iter().enumerate() {
        let (line, _) = file.at(&[Seg::Key("unconfirmed"), Seg::Index(i)]);
        marks.push(Mark {
            path: file.path.clone(),
            line,
            id: e.id.clone(),
            text: text.trim().to_string(),
        });
    }
}

/// One parsed file's checks: each problem is reported at the line of the field it is about.
struct Checker<'a, T> {
    file: &'a Parsed<T>,
    /// What the text and the flows must fit.
    fit: Fit,
    out: &'a mut Vec<Diagnostic>,
}

impl<T> Checker<'_, T> {
    fn error(&mut self, segs: &[Seg<'_>], message: impl Into<String>, hint: impl Into<String>) {
        self.out.push(error(&self.file.path, self.file.at(segs), message, hint));
    }

    fn warning(&mut self, segs: &[Seg<'_>], message: impl Into<String>, hint: impl Into<String>) {
        self.out
            .push(warning(&self.file.path, self.file.at(segs), message, hint));
    }
}

impl Checker<'_, Entry> {
    /// The id: its format, its kind prefix, the file's name and folder.
    fn id(&mut self) {
        let e = &self.file.value;
        let path = &self.file.path;
        let at = [Seg::Key("id")];
        if let Some(problem) = id_problem(&e.id) {
            self.error(
                &at,
                format!("id `{}` {problem}", e.id),
                "ids use only a-z, 0-9 and '-', e.g. safety-save-evidence",
            );
        }
        if !e.id.starts_with(&format!("{}-", e.kind)) {
            self.error(
                &at,
                format!("id `{}` must start with its kind `{}-`", e.id, e.kind),
                format!(
                    "rename the id to `{}-...` (and the file with it), or fix `kind`",
                    e.kind
                ),
            );
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if stem != e.id {
            self.error(
                &at,
                format!("id `{}` differs from the file name `{stem}`", e.id),
                format!("name the file `{}.yaml`, or change the id to `{stem}`", e.id),
            );
        }
        let folder = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or("");
        if folder != e.kind.as_str() {
            self.warning(
                &[Seg::Key("kind")],
                format!("an entry of kind `{}` is in the folder `{folder}`", e.kind),
                format!("move the file into `{}/`", e.kind),
            );
        }
    }

    /// One language's text: present, non-empty, with keywords, each piece fitting one Telegram message.
    fn language(&mut self, lang: &str, text: &Localized) {
        let kind = self.file.value.kind;
        for (field, value) in [("title", &text.title), ("summary", &text.summary)] {
            if value.trim().is_empty() {
                self.error(
                    &[Seg::Key(lang), Seg::Key(field)],
                    format!("`{lang}.{field}` is empty"),
                    "every entry is written in both Albanian (sq) and English (en)",
                );
            }
        }
        if kind != Kind::Flow && kind != Kind::Contact && text.body.trim().is_empty() && text.steps.is_empty() {
            self.warning(
                &[Seg::Key(lang)],
                format!("`{lang}` has neither `body` nor `steps`"),
                "add the explanation as `body`, or numbered `steps`",
            );
        }
        for (i, step) in text.steps.iter().enumerate() {
            if step.trim().is_empty() {
                self.error(
                    &[Seg::Key(lang), Seg::Key("steps"), Seg::Index(i)],
                    format!("`{lang}.steps` item {} is empty", i + 1),
                    "remove the empty step",
                );
            }
        }
        if text.keywords.is_empty() && kind != Kind::Flow {
            self.warning(
                &[Seg::Key(lang)],
                format!("`{lang}` has no keywords"),
                "add the words people really type (colloquial forms, without ë/ç, abbreviations) so search finds this entry",
            );
        }
        self.paragraph_lengths(lang, text);
    }

    /// Every piece we send must fit a message; long text is split only between paragraphs.
    fn paragraph_lengths(&mut self, lang: &str, text: &Localized) {
        let pieces = std::iter::once(("summary", text.summary.as_str(), None))
            .chain(text.body.split("\n\n").map(|p| ("body", p, None)))
            .chain(
                text.steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| ("steps", s.as_str(), Some(i))),
            );
        for (field, piece, index) in pieces {
            let length = piece.chars().count();
            let max = self.fit.paragraph_chars;
            if length > max {
                let mut segs = vec![Seg::Key(lang), Seg::Key(field)];
                if let Some(i) = index {
                    segs.push(Seg::Index(i));
                }
                self.error(
                    &segs,
                    format!("a paragraph in `{lang}.{field}` is {length} characters: too long for one message (at most {max} per paragraph)"),
                    "split it with an empty line into shorter paragraphs, or into several steps",
                );
            }
        }
    }

    fn steps_side_by_side(&mut self) {
        let e = &self.file.value;
        if e.text.sq.steps.len() != e.text.en.steps.len() {
            self.warning(
                &[Seg::Key("en"), Seg::Key("steps")],
                format!(
                    "`sq` has {} steps and `en` has {}",
                    e.text.sq.steps.len(),
                    e.text.en.steps.len()
                ),
                "translations should say the same thing: keep the steps side by side",
            );
        }
    }

    fn review_date(&mut self, today: NaiveDate) {
        let reviewed = self.file.value.reviewed;
        let at = [Seg::Key("reviewed")];
        if reviewed > today {
            self.error(
                &at,
                format!("`reviewed` {reviewed} is in the future"),
                "use the date the content was actually checked (YYYY-MM-DD)",
            );
        } else if (today - reviewed).num_days() > REVIEW_EVERY_DAYS {
            self.warning(
                &at,
                format!("last reviewed {reviewed} (over 12 months ago)"),
                "check the content against its sources again and update `reviewed`",
            );
        }
    }

    fn sources(&mut self) {
        let sources = &self.file.value.sources;
        if sources.is_empty() {
            self.error(
                &[Seg::Key("sources")],
                "the entry has no source",
                "add at least one source with a `url` (https) or a legal `citation`",
            );
        }
        for (i, s) in sources.iter().enumerate() {
            let segs = [Seg::Key("sources"), Seg::Index(i)];
            if s.title.trim().is_empty() {
                self.error(
                    &segs,
                    format!("source {} has an empty title", i + 1),
                    "say what the source is",
                );
            }
            match (&s.url, &s.citation) {
                (None, None) => self.error(
                    &segs,
                    format!("source {} has neither `url` nor `citation`", i + 1),
                    "add the https URL or the legal citation",
                ),
                (Some(u), _) => {
                    if let Some(problem) = url_problem(u) {
                        self.error(
                            &[Seg::Key("sources"), Seg::Index(i), Seg::Key("url")],
                            format!("source URL `{u}` {problem}"),
                            "write the full address, starting with https://",
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Related ids: that an entry does not list itself here, that they exist in [`check_links`].
    fn related(&mut self) {
        let e = &self.file.value;
        for (i, r) in e.related.iter().enumerate() {
            if r == &e.id {
                self.warning(
                    &[Seg::Key("related"), Seg::Index(i)],
                    format!("`related` lists the entry itself (`{r}`)"),
                    "remove it",
                );
            }
        }
    }

    /// A block of its own (`contact:`, `flow:`) exactly when the entry is of that `kind`.
    fn block_of_kind(&mut self, has_block: bool, kind: Kind, add_hint: &str, remove_hint: &str) {
        let (own, key) = (self.file.value.kind, kind.as_str());
        if !has_block && own == kind {
            self.error(
                &[Seg::Key("kind")],
                format!("a {key} entry needs a `{key}:` block"),
                add_hint,
            );
        } else if has_block && own != kind {
            self.error(
                &[Seg::Key(key)],
                format!("`{key}:` is only for kind {key}, not `{own}`"),
                remove_hint,
            );
        }
    }

    /// `platform:` exactly when the kind is platform: one word in lower case, the platform's name.
    fn platform(&mut self) {
        let e = &self.file.value;
        match (&e.platform, e.kind) {
            (None, Kind::Platform) => self.error(
                &[Seg::Key("kind")],
                "a platform entry needs `platform:`, the platform it is about",
                "add a line `platform: instagram` under `kind:` with the platform's name, one word in lower case as \
                 the glossary writes it (see knowledge/README.md)",
            ),
            (Some(_), kind) if kind != Kind::Platform => self.error(
                &[Seg::Key("platform")],
                format!("`platform:` is only for kind platform, not `{kind}`"),
                "remove the line, or make this a platform entry",
            ),
            (Some(platform), _) if !is_platform_word(platform) => self.error(
                &[Seg::Key("platform")],
                format!("platform `{platform}` is not one word in lower case"),
                "write the platform's name as one word of a-z and 0-9, e.g. `instagram`, `takeitdown`",
            ),
            _ => {}
        }
    }

    /// A `contact:` block exactly when the kind is contact, and its fields well formed.
    fn contact(&mut self) {
        let e = &self.file.value;
        self.block_of_kind(
            e.contact.is_some(),
            Kind::Contact,
            "add `contact:` with at least `area:` (see knowledge/README.md)",
            "move the details into a contact entry and link it in `related`",
        );
        if let Some(c) = &e.contact {
            self.contact_details(c);
        }
    }

    fn contact_details(&mut self, c: &Contact) {
        if c.area.trim().is_empty() {
            self.error(
                &[Seg::Key("contact"), Seg::Key("area")],
                "`contact.area` is empty",
                "write `national` or the municipality's name",
            );
        }
        for (i, p) in c.phones.iter().enumerate() {
            let at = [Seg::Key("contact"), Seg::Key("phones"), Seg::Index(i)];
            if let Some(problem) = phone_problem(&p.number) {
                self.error(
                    &at,
                    format!("phone number `{}` {problem}", p.number),
                    "write digits, optionally grouped by spaces and with a leading +, e.g. \"129\" or \"+355 42 237 200\"",
                );
            }
            if p.label.iter().any(|(_, l)| l.trim().is_empty()) {
                self.error(
                    &at,
                    format!("phone `{}` needs a label in both `sq` and `en`", p.number),
                    "say what the number is, in both languages",
                );
            }
        }
        for (i, w) in c.websites.iter().enumerate() {
            if let Some(problem) = url_problem(w) {
                self.error(
                    &[Seg::Key("contact"), Seg::Key("websites"), Seg::Index(i)],
                    format!("website `{w}` {problem}"),
                    "write the full address, starting with https://",
                );
            }
        }
        for (i, m) in c.emails.iter().enumerate() {
            if !email_ok(m) {
                self.error(
                    &[Seg::Key("contact"), Seg::Key("emails"), Seg::Index(i)],
                    format!("email `{m}` is not a valid address"),
                    "write it as name@domain.al",
                );
            }
        }
    }

    /// A `flow:` block exactly when the kind is flow, and its shape.
    fn flow(&mut self) {
        let e = &self.file.value;
        self.block_of_kind(
            e.flow.is_some(),
            Kind::Flow,
            "add `flow:` with `start:` and `steps:` (see knowledge/README.md)",
            "make this a flow entry, or remove the block",
        );
        if let Some(flow) = &e.flow {
            self.flow_shape(flow);
        }
    }

    /// Step ids, targets within the flow, dead ends and unreachable steps.
    fn flow_shape(&mut self, flow: &Flow) {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for (i, step) in flow.steps.iter().enumerate() {
            let duplicate = ids.insert(step.id.as_str(), i).is_some();
            self.flow_step(i, step, duplicate);
        }
        if !ids.contains_key(flow.start.as_str()) {
            self.error(
                &[Seg::Key("flow"), Seg::Key("start")],
                format!("`start` names the step `{}`, which does not exist", flow.start),
                "name the id of the first step",
            );
            return;
        }
        self.goto_targets(flow, &ids);
        self.reachable(flow);
    }

    /// One step on its own: its id, its text, its buttons.
    fn flow_step(&mut self, i: usize, step: &FlowStep, duplicate: bool) {
        let at = step_id_at(i);
        let flow_id = &self.file.value.id;
        if !has_id_chars(&step.id) {
            self.error(
                &at,
                format!("step id `{}` may use only a-z, 0-9 and '-'", step.id),
                "rename the step (and every `goto` to it)",
            );
        }
        if flow_id.len() + step.id.len() > self.fit.flow_step_bytes {
            self.error(
                &at,
                format!(
                    "flow id + step id `{}` are too long for a button ({} bytes at most together)",
                    step.id, self.fit.flow_step_bytes
                ),
                "use a shorter step id",
            );
        }
        if duplicate {
            self.error(
                &at,
                format!("step id `{}` is used twice in this flow", step.id),
                "give each step its own id",
            );
        }
        if step.text.iter().any(|(_, t)| t.trim().is_empty()) {
            self.error(
                &at,
                format!("step `{}` needs text in both `sq` and `en`", step.id),
                "write what the step says, in both languages",
            );
        }
        self.step_buttons(i, step);
    }

    /// A step leads somewhere, with few enough buttons, each labelled and going to one place.
    fn step_buttons(&mut self, i: usize, step: &FlowStep) {
        let at = step_id_at(i);
        let buttons = step.options.len() + step.show.len();
        if buttons == 0 {
            self.error(
                &at,
                format!("step `{}` is a dead end: it has no `options` and no `show`", step.id),
                "add buttons (`options`) to go on, or entries to open (`show`) with the concrete actions and contacts",
            );
        }
        if buttons > MAX_STEP_BUTTONS {
            self.warning(
                &at,
                format!("step `{}` offers {buttons} buttons", step.id),
                "keep a step to 2–4 choices so it reads on a phone",
            );
        }
        for (j, o) in step.options.iter().enumerate() {
            self.flow_option(&option_at(i, j, None), step, o);
        }
    }

    fn flow_option(&mut self, at: &[Seg<'_>], step: &FlowStep, o: &FlowOption) {
        if o.label.iter().any(|(_, l)| l.trim().is_empty()) {
            self.error(
                at,
                format!("a button of step `{}` needs a label in both `sq` and `en`", step.id),
                "write the button's label in both languages",
            );
        }
        if o.goto.is_some() == o.entry.is_some() {
            self.error(
                at,
                format!(
                    "a button of step `{}` needs exactly one of `goto` (a step) or `entry` (an entry id)",
                    step.id
                ),
                "keep `goto:` to move within the flow, or `entry:` to open an entry",
            );
        }
    }

    /// Every `goto` names a step of this flow.
    fn goto_targets(&mut self, flow: &Flow, ids: &HashMap<&str, usize>) {
        for (i, step) in flow.steps.iter().enumerate() {
            for (j, o) in step.options.iter().enumerate() {
                if let Some(target) = &o.goto
                    && !ids.contains_key(target.as_str())
                {
                    self.error(
                        &option_at(i, j, Some("goto")),
                        format!("`goto: {target}` names a step that does not exist in this flow"),
                        "use the id of a step of this flow",
                    );
                }
            }
        }
    }

    /// Every step can be reached from the start by following `goto`s.
    fn reachable(&mut self, flow: &Flow) {
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
                self.error(
                    &step_id_at(i),
                    format!("step `{}` cannot be reached from `start`", step.id),
                    "add a button that leads to it (`goto:`), or remove the step",
                );
            }
        }
    }
}

/// Where a flow step's id is.
fn step_id_at(i: usize) -> [Seg<'static>; 4] {
    [Seg::Key("flow"), Seg::Key("steps"), Seg::Index(i), Seg::Key("id")]
}

/// Where option `j` of flow step `i` is, or one of its fields.
fn step_item_at<'a>(i: usize, list: &'a str, j: usize, field: Option<&'a str>) -> Vec<Seg<'a>> {
    let mut segs = vec![
        Seg::Key("flow"),
        Seg::Key("steps"),
        Seg::Index(i),
        Seg::Key(list),
        Seg::Index(j),
    ];
    segs.extend(field.map(Seg::Key));
    segs
}

fn option_at(i: usize, j: usize, field: Option<&str>) -> Vec<Seg<'_>> {
    step_item_at(i, "options", j, field)
}

/// Links between entries: every id unique, every `related`, flow `entry` and `show` names an entry. An entry whose
/// file could not be read (`unreadable`, by file name) still counts as existing: its own error says what is wrong.
pub(crate) fn check_links(files: &[Parsed<Entry>], unreadable: &[String], out: &mut Vec<Diagnostic>) {
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
                        let at = f.at(&option_at(i, j, Some("entry")));
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
                        let at = f.at(&step_item_at(i, "show", j, None));
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

/// A platform entry's `platform:` word is in a glossary group (with the ways people name the platform), or
/// questions naming the platform do not lean to its entries: a warning, since search still finds them by words.
pub(crate) fn check_platform_words(files: &[Parsed<Entry>], glossary: &Glossary, out: &mut Vec<Diagnostic>) {
    for file in files {
        let Some(platform) = &file.value.platform else { continue };
        let named = glossary
            .groups
            .iter()
            .flatten()
            .any(|word| word.eq_ignore_ascii_case(platform));
        if !named {
            out.push(warning(
                &file.path,
                file.at(&[Seg::Key("platform")]),
                format!("`platform: {platform}` is in no group of glossary.yaml"),
                format!(
                    "add a group to knowledge/glossary.yaml with `{platform}` and the ways people write it, so \
                     questions naming it lean to this entry"
                ),
            ));
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

/// Why a URL is not acceptable (https, well formed, with a host), if it is not.
/// A platform's name as the `platform` field writes it: one word of a-z and 0-9.
fn is_platform_word(platform: &str) -> bool {
    !platform.is_empty() && platform.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

pub(crate) fn url_problem(u: &str) -> Option<&'static str> {
    match url::Url::parse(u) {
        Err(_) => Some("is not a well-formed URL"),
        Ok(parsed) if parsed.scheme() != "https" => Some("is not https"),
        Ok(parsed) if parsed.host_str().is_none_or(|h| !h.contains('.')) => Some("has no valid host"),
        Ok(_) if u.chars().any(char::is_whitespace) => Some("contains spaces"),
        Ok(_) => None,
    }
}

/// Why a phone number is malformed, if it is: digits grouped by single spaces, optional leading +, 3 to 15 digits.
pub(crate) fn phone_problem(number: &str) -> Option<&'static str> {
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

/// The spelling variants: each variant one word as typed, mapped to the standard word(s) the knowledge uses.
pub(crate) fn check_variants(file: &Parsed<Variants>, out: &mut Vec<Diagnostic>) {
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
