//! The tantivy index over the knowledge: built in RAM at start-up (and again when the knowledge changes), both
//! languages of every entry under the same id.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

use super::analysis::{analyze, fold, words};
use super::synonyms::{Synonyms, group_token};
use crate::knowledge::{self, Entry, Kind, Knowledge, Lang};

/// How much a match in each part of an entry counts.
pub const TITLE_BOOST: f32 = 3.0;
pub const KEYWORDS_BOOST: f32 = 2.5;
pub const TEXT_BOOST: f32 = 1.0;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    Io(#[from] std::io::Error),
}

/// The fields of one language.
#[derive(Debug, Clone, Copy)]
pub struct LangFields {
    pub title: Field,
    pub keywords: Field,
    pub text: Field,
}

impl LangFields {
    pub fn all(&self) -> [(Field, f32); 3] {
        [
            (self.title, TITLE_BOOST),
            (self.keywords, KEYWORDS_BOOST),
            (self.text, TEXT_BOOST),
        ]
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub kind: Field,
    pub audience: Field,
    pub sq: LangFields,
    pub en: LangFields,
}

impl Fields {
    pub fn lang(&self, lang: Lang) -> &LangFields {
        match lang {
            Lang::Sq => &self.sq,
            Lang::En => &self.en,
        }
    }
}

/// What the index knows of one term without asking tantivy: a number for it, and in which fields it occurs (bit
/// `3 * language + field`, fields in the order of [`LangFields::all`]).
#[derive(Debug, Clone, Copy)]
pub struct TermInfo {
    pub id: u32,
    pub fields: u8,
}

impl TermInfo {
    pub fn in_lang(&self, lang: Lang) -> u8 {
        (self.fields >> (3 * lang_index(lang))) & 0b111
    }
}

pub(crate) fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::Sq => 0,
        Lang::En => 1,
    }
}

/// A built index and the knowledge it was built from.
pub struct SearchIndex {
    pub(crate) knowledge: Arc<Knowledge>,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// tantivy document address → position in `knowledge.entries()`.
    pub(crate) doc_entry: HashMap<(u32, u32), usize>,
    pub(crate) synonyms: Synonyms,
    /// By position in `knowledge.entries()`: the glossary groups naming the platform a platform entry is about
    /// (empty for other kinds).
    pub(crate) entry_platforms: Vec<Vec<usize>>,
    /// Glossary group → whether it names a platform of some platform entry.
    pub(crate) platform_groups: Vec<bool>,
    /// Every analysed term of the knowledge → its number and the fields it occurs in.
    pub(crate) vocabulary: HashMap<String, TermInfo>,
    /// By position in `knowledge.entries()`: the numbers of the entry's terms, sorted.
    pub(crate) entry_terms: Vec<Vec<u32>>,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Text is analysed by Udha itself (see `analysis`), so the index only splits on spaces.
    let analysed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("whitespace")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let id = b.add_text_field("id", STRING | STORED);
    let kind = b.add_text_field("kind", STRING);
    let audience = b.add_text_field("audience", STRING);
    let mut lang_fields = |lang: &str| LangFields {
        title: b.add_text_field(&format!("title_{lang}"), analysed.clone()),
        keywords: b.add_text_field(&format!("keywords_{lang}"), analysed.clone()),
        text: b.add_text_field(&format!("text_{lang}"), analysed.clone()),
    };
    let sq = lang_fields("sq");
    let en = lang_fields("en");
    (
        b.build(),
        Fields {
            id,
            kind,
            audience,
            sq,
            en,
        },
    )
}

/// The glossary groups that name the platform of a platform entry: found in the name its titles start with
/// ("Facebook – ...", "X (Twitter) – ...", "Take It Down – ...").
fn platform_groups_of(entry: &Entry, synonyms: &Synonyms) -> Vec<usize> {
    if entry.kind != Kind::Platform {
        return Vec::new();
    }
    let mut groups = Vec::new();
    for lang in Lang::ALL {
        let title = &entry.text(lang).title;
        let name = title.split(['–', '—', ':']).next().unwrap_or_default();
        let name = name.split(" - ").next().unwrap_or_default();
        let name_words: Vec<String> = words(&fold(name)).collect();
        for g in synonyms.groups_in(&name_words) {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    groups
}

impl SearchIndex {
    /// Builds the index in RAM from loaded knowledge.
    pub fn build(knowledge: Arc<Knowledge>) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        // One thread and a small arena: the shipped knowledge is tiny; larger corpora still build fine.
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        let synonyms = Synonyms::new(knowledge.glossary());
        let mut vocabulary: HashMap<String, TermInfo> = HashMap::new();
        let mut entry_terms: Vec<Vec<u32>> = Vec::with_capacity(knowledge.len());
        for entry in knowledge.entries() {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.id, &entry.id);
            doc.add_text(fields.kind, entry.kind.as_str());
            doc.add_text(fields.audience, entry.audience.as_str());
            let mut ids: Vec<u32> = Vec::new();
            for lang in Lang::ALL {
                let f = fields.lang(lang);
                let t = entry.text(lang);
                for (n, (field, text)) in [
                    (f.title, t.title.clone()),
                    (f.keywords, t.keywords.join("\n")),
                    (f.text, knowledge::body_text(entry, lang)),
                ]
                .into_iter()
                .enumerate()
                {
                    let mut terms = analyze(&text, lang);
                    let text_words: Vec<String> = words(&fold(&text)).collect();
                    terms.extend(synonyms.occurrences(&text_words).into_iter().map(group_token));
                    let bit = 1u8 << (3 * lang_index(lang) + n);
                    for term in &terms {
                        let next = vocabulary.len() as u32;
                        let info = vocabulary
                            .entry(term.clone())
                            .or_insert(TermInfo { id: next, fields: 0 });
                        info.fields |= bit;
                        ids.push(info.id);
                    }
                    doc.add_text(field, terms.join(" "));
                }
            }
            ids.sort_unstable();
            ids.dedup();
            ids.shrink_to_fit();
            entry_terms.push(ids);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        drop(writer);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut doc_entry = HashMap::with_capacity(knowledge.len());
        let position: HashMap<&str, usize> = knowledge
            .entries()
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let store = segment.get_store_reader(1)?;
            for doc_id in 0..segment.max_doc() {
                let doc: TantivyDocument = store.get(doc_id)?;
                if let Some(id) = doc
                    .get_first(fields.id)
                    .and_then(|v| tantivy::schema::Value::as_str(&v))
                    && let Some(&i) = position.get(id)
                {
                    doc_entry.insert((ord as u32, doc_id), i);
                }
            }
        }
        let entry_platforms: Vec<Vec<usize>> = knowledge
            .entries()
            .iter()
            .map(|e| platform_groups_of(e, &synonyms))
            .collect();
        let mut platform_groups = vec![false; synonyms.len()];
        for &g in entry_platforms.iter().flatten() {
            platform_groups[g] = true;
        }
        Ok(SearchIndex {
            knowledge,
            reader,
            fields,
            doc_entry,
            synonyms,
            entry_platforms,
            platform_groups,
            vocabulary,
            entry_terms,
        })
    }

    pub fn knowledge(&self) -> &Arc<Knowledge> {
        &self.knowledge
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }
}
