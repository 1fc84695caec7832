//! Reading the knowledge folder: every `*.yaml` file below it is one entry, except `glossary.yaml` and
//! `variants.yaml` at the top.
//!
//! Reading never panics on bad input: an empty file, a binary file, a huge file, invalid UTF-8, a YAML bomb or a
//! misspelt field each become a [`Diagnostic`] naming `file:line:column`.

use std::path::{Path, PathBuf};

use super::locate::{Seg, locate};
use super::model::{Entry, Glossary, Variants};
use super::report::{Diagnostic, Severity};

/// Knowledge files are a few kilobytes; anything bigger is a mistake (a pasted binary, a log...).
pub(crate) const MAX_FILE_BYTES: u64 = 512 * 1024;

/// The glossary's file name, at the top of the knowledge folder.
pub(crate) const GLOSSARY_FILE: &str = "glossary.yaml";

/// The spelling variants' file name, at the top of the knowledge folder.
pub(crate) const VARIANTS_FILE: &str = "variants.yaml";

/// A file that parsed, with its text kept for locating fields in later checks.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub path: PathBuf,
    pub source: String,
    pub value: T,
}

impl<T> Parsed<T> {
    pub(crate) fn at(&self, path: &[Seg<'_>]) -> (usize, usize) {
        locate(&self.source, path)
    }
}

/// All `*.yaml`/`*.yml` files below `dir`, sorted, as paths relative to the current directory as given.
pub fn yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d)? {
            let item = item?;
            let path = item.path();
            let file_type = item.file_type()?;
            if file_type.is_dir() {
                if !item.file_name().to_string_lossy().starts_with('.') {
                    stack.push(path);
                }
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub(crate) fn error(
    path: &Path,
    (line, column): (usize, usize),
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        path: path.to_path_buf(),
        line,
        column,
        severity: Severity::Error,
        message: message.into(),
        hint: hint.into(),
    }
}

/// Reads a file as UTF-8 text, refusing what cannot be a knowledge file.
fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(error(
            path,
            (1, 1),
            format!("file is too large ({size} bytes; the limit is {MAX_FILE_BYTES})"),
            "a knowledge entry is a few kilobytes of text; is this the right file? Split long text into several entries",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        error(
            path,
            (1, 1),
            format!("cannot read the file: {e}"),
            "check the file's permissions",
        )
    })?;
    if bytes.contains(&0) {
        return Err(error(
            path,
            (1, 1),
            "this is a binary file, not YAML text",
            "knowledge files are plain text; remove this file or save it as text",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..valid];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        error(
            path,
            (line, column),
            "the file is not valid UTF-8 text",
            "save the file as UTF-8 (the default in most editors); the character at this place is garbled",
        )
    })
}

/// Parses one entry file.
pub(crate) fn parse_entry(path: &Path) -> Result<Parsed<Entry>, Diagnostic> {
    let source = read_text(path)?;
    if source
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(error(
            path,
            (1, 1),
            "the file is empty",
            "an entry needs at least id, kind, audience, reviewed, sq, en and sources; copy an existing entry of the same kind",
        ));
    }
    let value = parse_yaml::<Entry>(path, &source)?;
    Ok(Parsed {
        path: path.to_path_buf(),
        source,
        value,
    })
}

/// Parses the glossary file.
pub(crate) fn parse_glossary(path: &Path) -> Result<Parsed<Glossary>, Diagnostic> {
    parse_file::<Glossary>(path)
}

/// Parses the spelling variants file.
pub(crate) fn parse_variants(path: &Path) -> Result<Parsed<Variants>, Diagnostic> {
    parse_file::<Variants>(path)
}

fn parse_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Parsed<T>, Diagnostic> {
    let source = read_text(path)?;
    let value = parse_yaml::<T>(path, &source)?;
    Ok(Parsed {
        path: path.to_path_buf(),
        source,
        value,
    })
}

fn parse_yaml<T: serde::de::DeserializeOwned>(path: &Path, source: &str) -> Result<T, Diagnostic> {
    // The YAML parser limits nesting depth and alias expansion itself (a "billion laughs" file is an error, not
    // an out-of-memory); catch_unwind is a last line of defence so one file can never take the bot down.
    let parsed = std::panic::catch_unwind(|| serde_yaml::from_str::<T>(source));
    match parsed {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = e.to_string();
            // serde_yaml appends " at line L column C": we print the location in front already.
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            let hint = hint_for(&message);
            Err(error(path, (line, column), message, hint))
        }
        Err(_) => Err(error(
            path,
            (1, 1),
            "the YAML parser failed on this file",
            "simplify the file; compare it with an existing entry",
        )),
    }
}

fn hint_for(message: &str) -> String {
    if message.contains("unknown field") {
        "check the spelling of the field name; the allowed fields are listed in knowledge/README.md".into()
    } else if message.contains("missing field") {
        "add the missing field; copy it from an existing entry of the same kind".into()
    } else if message.contains("unknown variant") {
        "use one of the values listed in the message".into()
    } else if message.contains("recursion limit") || message.contains("repetition limit") {
        "the file nests too deeply or expands too many aliases; knowledge files need neither".into()
    } else if message.contains("input is out of range")
        || message.contains("premature end of input")
        || message.contains("input contains invalid characters")
        || message.contains("trailing input")
    {
        "write the date as YYYY-MM-DD, a real calendar date, e.g. 2026-11-28".into()
    } else if message.contains("invalid type") {
        "the value has the wrong shape here (text, list or mapping); compare with an existing entry".into()
    } else if message.contains("duplicate") {
        "a field appears twice; keep one".into()
    } else {
        "check the indentation (spaces, not tabs) and quoting; text with ':' or '#' needs quotes".into()
    }
}
