//! The shape of a knowledge file. One entry per YAML file, both languages side by side.
//!
//! Maintainers copy an existing file and change it; `udha schema` prints the JSON Schema generated from these types
//! (kept in `knowledge/schema.json`) so editors validate and complete while they type.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The two languages Udha speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Albanian (shqip), the default.
    #[default]
    Sq,
    /// English.
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Sq, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sq => "sq",
            Lang::En => "en",
        }
    }

    /// From a language code such as Telegram's `language_code` ("sq", "en-GB"). Anything else: `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let lower = code.trim().to_ascii_lowercase();
        let primary = lower.split(['-', '_']).next().unwrap_or("");
        match primary {
            "sq" | "al" | "alb" | "sqi" => Some(Lang::Sq),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Sq => Lang::En,
            Lang::En => Lang::Sq,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What an entry is. Each kind has its own folder in `knowledge/` and its id starts with the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A legal provision.
    Law,
    /// A case-work protocol for professionals.
    Procedure,
    /// How to report on a platform.
    Platform,
    /// Safety steps for victims.
    Safety,
    /// Where to get help.
    Contact,
    /// A guided flow of steps with buttons.
    Flow,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Law,
        Kind::Procedure,
        Kind::Platform,
        Kind::Safety,
        Kind::Contact,
        Kind::Flow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Law => "law",
            Kind::Procedure => "procedure",
            Kind::Platform => "platform",
            Kind::Safety => "safety",
            Kind::Contact => "contact",
            Kind::Flow => "flow",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who the entry is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Service providers (CRM staff: police, social services, health, education, legal aid, coordinators).
    Provider,
    /// Victims and the people helping them.
    Victim,
    /// Both.
    Both,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Provider => "provider",
            Audience::Victim => "victim",
            Audience::Both => "both",
        }
    }
}

/// One knowledge entry: a file such as `knowledge/safety/safety-save-evidence.yaml`. Its fields are described
/// where the file format is, in `file::Entry`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "file::Entry", into = "file::Entry")]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    /// The platform a platform entry is about, e.g. `instagram`.
    pub platform: Option<String>,
    pub audience: Audience,
    pub reviewed: NaiveDate,
    /// The text in Albanian (`sq:`) and English (`en:`).
    pub text: Bilingual<Localized>,
    pub sources: Vec<Source>,
    pub related: Vec<String>,
    pub contact: Option<Contact>,
    pub flow: Option<Flow>,
    pub unconfirmed: Vec<String>,
}

/// The text of an entry in one language.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    /// What the entry answers, in a few words.
    pub title: String,
    /// One or two sentences: the answer in short.
    pub summary: String,
    /// Longer explanation; paragraphs separated by a blank line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// Numbered steps, one action each (at most about 7 for victims).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    /// How people actually ask: colloquial and dialect forms, abbreviations, loans, official terms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

/// A source: a title plus a URL (https) and/or a legal citation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// E.g. "Kodi Penal (Ligji 7895/1995), neni 130/a".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
}

/// Structured contact details.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// "national", or the municipality this contact serves (e.g. "Vlorë").
    pub area: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// https URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Opening hours, e.g. "24/7".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

/// A phone number with what it is for, in both languages (the file format: `file::Phone`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "file::Phone", into = "file::Phone")]
pub struct Phone {
    pub number: String,
    /// What the number is (`sq:`, `en:`).
    pub label: Bilingual<String>,
    pub hours: Option<String>,
    pub free: Option<bool>,
}

/// A guided flow: steps joined by buttons, walked from `start`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Id of the first step.
    pub start: String,
    pub steps: Vec<FlowStep>,
}

/// One step of a flow (the file format: `file::FlowStep`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "file::FlowStep", into = "file::FlowStep")]
pub struct FlowStep {
    pub id: String,
    /// What the step says (`sq:`, `en:`).
    pub text: Bilingual<String>,
    pub options: Vec<FlowOption>,
    pub show: Vec<String>,
}

/// A button in a flow step (the file format: `file::FlowOption`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "file::FlowOption", into = "file::FlowOption")]
pub struct FlowOption {
    /// The button's label (`sq:`, `en:`).
    pub label: Bilingual<String>,
    pub goto: Option<String>,
    pub entry: Option<String>,
}

/// A pair of the same thing in both languages: an entry's text, a phone's label, a flow step's text, a button's
/// label. In a knowledge file the two are the keys `sq:` and `en:`, side by side.
///
/// It is not itself a serde type: the types holding one are read and written through their file format (the
/// private `file` module below), which keeps a mistake in a file reported at its own line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bilingual<T> {
    /// Albanian.
    pub sq: T,
    /// English.
    pub en: T,
}

impl<T> Bilingual<T> {
    /// The one in `lang`.
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::Sq => &self.sq,
            Lang::En => &self.en,
        }
    }

    /// Both with their language, Albanian first.
    pub fn iter(&self) -> impl Iterator<Item = (Lang, &T)> {
        Lang::ALL.into_iter().map(move |lang| (lang, self.get(lang)))
    }
}

impl Entry {
    /// The text in `lang`: `entry.text.get(lang)`.
    pub fn text(&self, lang: Lang) -> &Localized {
        self.text.get(lang)
    }
}

impl Flow {
    pub fn step(&self, id: &str) -> Option<&FlowStep> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// Synonym groups used at query time: any word of a group also finds the others
/// (`knowledge/glossary.yaml`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Glossary {
    #[serde(default)]
    pub groups: Vec<Vec<String>>,
}

/// How people type words that the knowledge spells another way (`knowledge/variants.yaml`): Gheg and chat forms
/// ("shpi", "munet", "tash"), misspelt platforms and institutions ("twiter", "komisariati") → the standard word or
/// words the knowledge uses. Applied to every question before search; maintainers add a variant without code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variants {
    /// Variant (one word, as typed) → standard word(s).
    #[serde(default)]
    pub words: BTreeMap<String, String>,
}

/// A type read through its file format has that format's JSON Schema (name, description and fields).
macro_rules! schema_of_file_format {
    ($($name:ident),*) => {$(
        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                file::$name::json_schema(generator)
            }
        }
    )*};
}

schema_of_file_format!(Entry, Phone, FlowStep, FlowOption);

/// The file format of the types that hold a [`Bilingual`] pair: the same fields with the pair's two languages as
/// the keys `sq:` and `en:` among the others. Read and written through these so that a mistake in a file is
/// reported at its own line and field (serde's `flatten` would lose both), and the JSON Schema is generated from
/// them.
mod file {
    use chrono::NaiveDate;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::{Audience, Bilingual, Contact, Flow, Kind, Localized, Source};

    /// One knowledge entry: a file such as `knowledge/safety/safety-save-evidence.yaml`.
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(rename = "Entry", deny_unknown_fields)]
    pub struct Entry {
        /// Stable id: `a-z`, `0-9` and `-`, starts with the kind, at most 64 characters, equal to the file name.
        /// Never rename a shipped id: deep links, printed QR codes and usage counts refer to it.
        pub id: String,
        pub kind: Kind,
        /// For `kind: platform` only, and required there: the platform the entry is about, one word in lower case
        /// as the glossary writes it (e.g. `instagram`, `takeitdown`). Search uses it to prefer this entry when a
        /// question names the platform.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(regex(pattern = r"^[a-z0-9]+$"))]
        pub platform: Option<String>,
        pub audience: Audience,
        /// The day the content was last checked against its sources (YYYY-MM-DD).
        #[schemars(with = "String")]
        pub reviewed: NaiveDate,
        /// Albanian text.
        pub sq: Localized,
        /// English text.
        pub en: Localized,
        /// Where every fact comes from: a URL or a legal citation, at least one.
        #[serde(default)]
        pub sources: Vec<Source>,
        /// Ids of entries to offer next (the law behind a procedure, the contact after a safety step...).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub related: Vec<String>,
        /// Structured details, for `kind: contact` only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub contact: Option<Contact>,
        /// The step graph, for `kind: flow` only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub flow: Option<Flow>,
        /// Marks for maintainers: what no source confirmed yet and must be checked or filled in. Listed by
        /// `udha check`; never shown to users, never fails a run.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub unconfirmed: Vec<String>,
    }

    /// A phone number with what it is for, in both languages.
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(rename = "Phone", deny_unknown_fields)]
    pub struct Phone {
        /// Digits, spaces and an optional leading +, e.g. "129", "116 117", "+355 42 237 200".
        pub number: String,
        /// What the number is, in Albanian.
        pub sq: String,
        /// What the number is, in English.
        pub en: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub hours: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub free: Option<bool>,
    }

    /// One step of a flow. Every step offers buttons (`options`) or entries to open (`show`), or both: no dead ends.
    /// "In danger now", "back", "menu" and "clear this chat" are added by the bot to every step.
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(rename = "FlowStep", deny_unknown_fields)]
    pub struct FlowStep {
        /// `a-z`, `0-9`, `-`; unique within the flow.
        pub id: String,
        /// What the step says, in Albanian. Short.
        pub sq: String,
        /// What the step says, in English. Short.
        pub en: String,
        /// Buttons (2–4) leading to other steps or to entries.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub options: Vec<super::FlowOption>,
        /// Entries offered as buttons at this step (concrete actions and contacts at the end of a path).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub show: Vec<String>,
    }

    /// A button in a flow step: goes to another step (`goto`) or opens an entry (`entry`), exactly one of them.
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(rename = "FlowOption", deny_unknown_fields)]
    pub struct FlowOption {
        /// Button label in Albanian.
        pub sq: String,
        /// Button label in English.
        pub en: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub goto: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub entry: Option<String>,
    }

    impl From<Entry> for super::Entry {
        fn from(f: Entry) -> Self {
            Self {
                id: f.id,
                kind: f.kind,
                platform: f.platform,
                audience: f.audience,
                reviewed: f.reviewed,
                text: Bilingual { sq: f.sq, en: f.en },
                sources: f.sources,
                related: f.related,
                contact: f.contact,
                flow: f.flow,
                unconfirmed: f.unconfirmed,
            }
        }
    }

    impl From<super::Entry> for Entry {
        fn from(e: super::Entry) -> Self {
            Self {
                id: e.id,
                kind: e.kind,
                platform: e.platform,
                audience: e.audience,
                reviewed: e.reviewed,
                sq: e.text.sq,
                en: e.text.en,
                sources: e.sources,
                related: e.related,
                contact: e.contact,
                flow: e.flow,
                unconfirmed: e.unconfirmed,
            }
        }
    }

    impl From<Phone> for super::Phone {
        fn from(f: Phone) -> Self {
            Self {
                number: f.number,
                label: Bilingual { sq: f.sq, en: f.en },
                hours: f.hours,
                free: f.free,
            }
        }
    }

    impl From<super::Phone> for Phone {
        fn from(p: super::Phone) -> Self {
            Self {
                number: p.number,
                sq: p.label.sq,
                en: p.label.en,
                hours: p.hours,
                free: p.free,
            }
        }
    }

    impl From<FlowStep> for super::FlowStep {
        fn from(f: FlowStep) -> Self {
            Self {
                id: f.id,
                text: Bilingual { sq: f.sq, en: f.en },
                options: f.options,
                show: f.show,
            }
        }
    }

    impl From<super::FlowStep> for FlowStep {
        fn from(s: super::FlowStep) -> Self {
            Self {
                id: s.id,
                sq: s.text.sq,
                en: s.text.en,
                options: s.options,
                show: s.show,
            }
        }
    }

    impl From<FlowOption> for super::FlowOption {
        fn from(f: FlowOption) -> Self {
            Self {
                label: Bilingual { sq: f.sq, en: f.en },
                goto: f.goto,
                entry: f.entry,
            }
        }
    }

    impl From<super::FlowOption> for FlowOption {
        fn from(o: super::FlowOption) -> Self {
            Self {
                sq: o.label.sq,
                en: o.label.en,
                goto: o.goto,
                entry: o.entry,
            }
        }
    }
}
