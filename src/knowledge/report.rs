//! What `udha check` tells a maintainer: problems as `path:line:column: message` with a hint, and the marks left
//! for maintainers (never failures).

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one file, or in the folder as a whole (an empty `path`: something missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
    /// How to fix it, in plain words.
    pub hint: String,
}

impl Diagnostic {
    /// An error about the knowledge folder as a whole (an entry that is missing), with no file to point at.
    pub(crate) fn folder_error(message: impl Into<String>, hint: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: PathBuf::new(),
            line: 0,
            column: 0,
            severity: Severity::Error,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A warning about the folder as a whole.
    pub fn folder_warning(message: impl Into<String>, hint: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::folder_error(message, hint)
        }
    }

    /// Whether this is about the folder as a whole rather than one file.
    pub(crate) fn is_about_folder(&self) -> bool {
        self.path.as_os_str().is_empty()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if !self.is_about_folder() {
            write!(f, "{}:{}:{}: ", self.path.display(), self.line, self.column)?;
        }
        write!(f, "{level}: {}", self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n    hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// A mark left for maintainers: something not yet confirmed by a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub path: PathBuf,
    pub line: usize,
    pub id: String,
    pub text: String,
}

/// Everything a check found, over all files.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub files: usize,
    pub entries: usize,
    /// Entry files that could not be read (their links were not checked).
    pub unreadable_files: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub marks: Vec<Mark>,
}

impl Report {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Warning)
    }

    pub(crate) fn error_count(&self) -> usize {
        self.errors().count()
    }

    pub(crate) fn warning_count(&self) -> usize {
        self.warnings().count()
    }

    /// How many files have at least one error (errors about the folder as a whole are in no file).
    pub(crate) fn files_with_errors(&self) -> usize {
        self.errors()
            .filter(|d| !d.is_about_folder())
            .map(|d| &d.path)
            .collect::<std::collections::HashSet<_>>()
            .len()
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    pub(crate) fn sort(&mut self) {
        self.diagnostics
            .sort_by(|a, b| (&a.path, a.line, a.column, a.severity).cmp(&(&b.path, b.line, b.column, b.severity)));
        self.marks.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    }
}

impl fmt::Display for Report {
    /// The full human report: problems first, then the marks for maintainers by kind, then a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        if !self.marks.is_empty() {
            if !self.diagnostics.is_empty() {
                writeln!(f)?;
            }
            writeln!(
                f,
                "Marks for maintainers (not yet confirmed by a source; these never fail a check):"
            )?;
            for m in &self.marks {
                writeln!(f, "  {}:{}: [{}] {}", m.path.display(), m.line, m.id, m.text)?;
            }
            let mut by_kind: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
            for m in &self.marks {
                *by_kind.entry(m.id.split('-').next().unwrap_or("")).or_default() += 1;
            }
            let counts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
            writeln!(f, "  {} marks: {}", self.marks.len(), counts.join(", "))?;
            writeln!(f)?;
        }
        if self.unreadable_files > 0 {
            writeln!(
                f,
                "{} entry files could not be read: their links were not checked.",
                self.unreadable_files
            )?;
        }
        let about_folder = self.errors().filter(|d| d.is_about_folder()).count();
        let in_files = format!("in {} files", self.files_with_errors());
        let errors = match (self.error_count(), about_folder) {
            (0, _) => "0 errors".to_string(),
            (n, 0) => format!("{n} errors {in_files}"),
            (n, k) if k == n => format!("{n} errors about the folder as a whole"),
            (n, k) => format!("{n} errors: {k} about the folder as a whole, {} {in_files}", n - k),
        };
        write!(
            f,
            "{} files, {} entries: {errors}, {} warnings, {} marks for maintainers",
            self.files,
            self.entries,
            self.warning_count(),
            self.marks.len()
        )
    }
}
