//! Knowledge files: their types ([`model`]), the id rule ([`id`]), reading them ([`load`]), the rules they follow
//! ([`validate`]), the entries the urgent help needs ([`urgent`]) and what a check reports ([`report`]).
//!
//! [`check`] reads a whole folder and reports every problem at once; [`Knowledge::load`] is the same read for
//! serving, refusing knowledge that has errors so the bot keeps the last good version.

mod id;
pub mod load;
pub(crate) mod locate;
pub mod model;
pub mod report;
pub mod urgent;
pub(crate) mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

pub(crate) use id::is_id;
pub use model::*;
pub use report::{Diagnostic, Mark, Report, Severity};

/// Loaded, valid knowledge: every entry, looked up by id, plus the glossary and the spelling variants.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    entries: Vec<Arc<Entry>>,
    by_id: HashMap<String, usize>,
    glossary: Glossary,
    variants: Variants,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the knowledge folder {}: {source}", path.display())]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("the knowledge has {} errors:\n{report}", report.error_count())]
    Invalid { report: Box<Report> },
}

/// What the knowledge must fit to be shown. The numbers come from the front ends' limits and the engine's button
/// data (`dialogue::Limits::knowledge_fit`); nothing here knows a front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// The longest paragraph or step, in characters, that fits one message with its title.
    pub paragraph_chars: usize,
    /// The bytes a flow's id and one of its steps' ids may take together in a button.
    pub flow_step_bytes: usize,
}

/// A check's result: the report, and the entries that parsed (complete when the report has no errors).
pub struct Checked {
    pub report: Report,
    pub knowledge: Knowledge,
}

/// Reads and validates every file below `dir`, as of `today`, for front ends with `fit`. Never fails on bad
/// content: that is in the report.
pub fn check(dir: &Path, today: NaiveDate, fit: Fit) -> Result<Checked, LoadError> {
    let files = load::yaml_files(dir).map_err(|source| LoadError::Folder {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut report = Report {
        files: files.len(),
        ..Report::default()
    };
    let mut parsed = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    let mut glossary = Glossary::default();
    let mut variants = None;
    for path in &files {
        match top_level_file(dir, path) {
            Some(load::GLOSSARY_FILE) => match load::parse_glossary(path) {
                Ok(g) => glossary = g.value,
                Err(d) => report.diagnostics.push(d),
            },
            Some(load::VARIANTS_FILE) => match load::parse_variants(path) {
                Ok(v) => variants = Some(v),
                Err(d) => report.diagnostics.push(d),
            },
            _ => match load::parse_entry(path) {
                Ok(file) => {
                    validate::check_entry(&file, today, fit, &mut report.diagnostics, &mut report.marks);
                    parsed.push(file);
                }
                Err(d) => {
                    // Still known by its file name: links to it are not reported as missing (one mistake, one
                    // error), but its own links could not be checked.
                    unreadable.extend(path.file_stem().map(|s| s.to_string_lossy().into_owned()));
                    report.unreadable_files += 1;
                    report.diagnostics.push(d);
                }
            },
        }
    }
    validate::check_links(&parsed, &unreadable, &mut report.diagnostics);
    urgent::check(&parsed, &unreadable, &mut report.diagnostics);
    validate::check_platform_words(&parsed, &glossary, &mut report.diagnostics);
    if let Some(v) = &variants {
        validate::check_variants(v, &mut report.diagnostics);
    }
    report.entries = parsed.len();
    report.sort();

    let mut knowledge = Knowledge {
        glossary,
        variants: variants.map(|v| v.value).unwrap_or_default(),
        ..Knowledge::default()
    };
    for file in parsed {
        knowledge.insert(file.value);
    }
    Ok(Checked { report, knowledge })
}

/// The name of a file directly in the knowledge folder that is not an entry (the glossary, the variants).
fn top_level_file<'a>(dir: &Path, path: &'a Path) -> Option<&'a str> {
    if path.parent() != Some(dir) {
        return None;
    }
    path.file_name()
        .and_then(|n| n.to_str())
        .filter(|n| [load::GLOSSARY_FILE, load::VARIANTS_FILE].contains(n))
}

impl Knowledge {
    /// Loads the folder for serving on front ends with `fit`: all of it, or an error listing every problem.
    pub fn load(dir: &Path, fit: Fit) -> Result<Knowledge, LoadError> {
        let checked = check(dir, chrono::Utc::now().date_naive(), fit)?;
        if checked.report.has_errors() {
            return Err(LoadError::Invalid {
                report: Box::new(checked.report),
            });
        }
        Ok(checked.knowledge)
    }

    /// Builds knowledge from entries already in memory (tests, benchmarks, synthetic corpora).
    pub fn from_entries(entries: Vec<Entry>, glossary: Glossary) -> Knowledge {
        let mut k = Knowledge {
            glossary,
            ..Knowledge::default()
        };
        for e in entries {
            k.insert(e);
        }
        k
    }

    /// Adds an entry; the first entry with an id wins.
    fn insert(&mut self, entry: Entry) {
        if !self.by_id.contains_key(&entry.id) {
            self.by_id.insert(entry.id.clone(), self.entries.len());
            self.entries.push(Arc::new(entry));
        }
    }

    pub fn entries(&self) -> &[Arc<Entry>] {
        &self.entries
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Entry>> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn glossary(&self) -> &Glossary {
        &self.glossary
    }

    pub fn variants(&self) -> &Variants {
        &self.variants
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries of one kind, in file order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Arc<Entry>> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// Every id a usage count may name as its topic: entry ids and `flow-id/step-id`.
    pub fn topic_ids(&self) -> Vec<String> {
        let mut topics = Vec::new();
        for entry in &self.entries {
            topics.push(entry.id.clone());
            if let Some(flow) = &entry.flow {
                topics.extend(flow.steps.iter().map(|s| format!("{}/{}", entry.id, s.id)));
            }
        }
        topics
    }
}

/// An entry's text in one language except its title and keywords: summary, body, steps, and for contacts and flows
/// their labels. What search indexes as the entry's text.
pub(crate) fn body_text(entry: &Entry, lang: Lang) -> String {
    let t = entry.text(lang);
    let mut parts: Vec<&str> = vec![&t.summary];
    if !t.body.is_empty() {
        parts.push(&t.body);
    }
    parts.extend(t.steps.iter().map(String::as_str));
    if let Some(c) = &entry.contact {
        parts.push(&c.area);
        parts.extend(c.phones.iter().map(|p| p.label.get(lang).as_str()));
        parts.extend(c.phones.iter().map(|p| p.number.as_str()));
    }
    if let Some(f) = &entry.flow {
        for s in &f.steps {
            parts.push(s.text.get(lang));
            parts.extend(s.options.iter().map(|o| o.label.get(lang).as_str()));
        }
    }
    parts.join("\n")
}

/// All searchable text of an entry in one language: title, [`body_text`] and keywords, as one string. What
/// `udha export` gives other tools.
pub fn searchable_text(entry: &Entry, lang: Lang) -> String {
    let t = entry.text(lang);
    let mut text = format!("{}\n{}", t.title, body_text(entry, lang));
    for k in &t.keywords {
        text.push('\n');
        text.push_str(k);
    }
    text
}

/// The JSON Schema of a knowledge file, as written to `knowledge/schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Entry);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Today, for checks (UTC).
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}
