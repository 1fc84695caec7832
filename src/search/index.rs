//! The tantivy index over the knowledge: built in RAM at start-up (and again when the knowledge changes), both
//! languages of every entry under the same id.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

use super::analysis::{fold, is_stop, stem, words};
use super::cues;
use super::spelling::Spelling;
use super::synonyms::{self, Synonyms, group_token};
use super::weights::Weights;
use crate::knowledge::{self, Bilingual, Entry, Knowledge, Lang};
use rustc_hash::FxHashMap;

/// Each language has two fields: the head (title and keywords: what the entry is about, short) and the text (the
/// rest). A match in the head counts [`HEAD_BOOST`] times as much; within the head, title words are written
/// [`TITLE_REPEAT`] times (the weighted term frequency of BM25F). Two fields keep a query to two clauses per term.
pub(crate) const HEAD_BOOST: f32 = 5.0;
pub(crate) const TITLE_REPEAT: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub kind: Field,
    pub audience: Field,
    /// Title and keywords, per language.
    pub head: Bilingual<Field>,
    /// The rest of an entry, per language.
    pub text: Bilingual<Field>,
}

impl Fields {
    /// (head, text) of a language.
    pub fn lang(&self, lang: Lang) -> (Field, Field) {
        (*self.head.get(lang), *self.text.get(lang))
    }
}

/// What the index knows of one term without asking tantivy: a number for it, and in which fields it occurs (bits 0
/// and 1: the Albanian and English head, bits 2 and 3: the Albanian and English text).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TermInfo {
    pub id: u32,
    pub fields: u8,
    /// How many entries have the term (anywhere, in either language).
    pub entries: u32,
}

impl TermInfo {
    pub(crate) fn in_lang(&self, lang: Lang) -> bool {
        self.in_head(lang) || self.in_text(lang)
    }

    pub(crate) fn in_head(&self, lang: Lang) -> bool {
        self.fields & lang_bit(lang) != 0
    }

    pub(crate) fn in_text(&self, lang: Lang) -> bool {
        self.fields & (lang_bit(lang) << 2) != 0
    }
}

fn lang_bit(lang: Lang) -> u8 {
    match lang {
        Lang::Sq => 1,
        Lang::En => 2,
    }
}

/// A built index and the knowledge it was built from.
pub struct SearchIndex {
    pub(crate) knowledge: Arc<Knowledge>,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// tantivy document address → position in `knowledge.entries()`.
    pub(crate) doc_entry: FxHashMap<(u32, u32), usize>,
    pub(crate) synonyms: Synonyms,
    /// By position in `knowledge.entries()`: the glossary groups naming the platform a platform entry is about
    /// (empty for other kinds).
    pub(crate) entry_platforms: Vec<Vec<usize>>,
    /// Glossary group → whether it names a platform of some platform entry.
    pub(crate) platform_groups: Vec<bool>,
    /// By position in `knowledge.entries()`: the Albanian stem of the municipality a contact entry is for (none
    /// for national entries and other kinds).
    pub(crate) entry_places: Vec<Option<String>>,
    /// By position in `knowledge.entries()`: whom the entry's title is about (see [`cues::subjects`]).
    pub(crate) entry_subjects: Vec<u8>,
    /// Every analysed term (and glossary group) of the knowledge → what the index knows of it.
    pub(crate) vocabulary: FxHashMap<String, TermInfo>,
    /// By position in `knowledge.entries()`: the numbers of the entry's terms, sorted.
    entry_terms: Vec<u32>,
    /// Beside `entry_terms`: in which of the entry's fields each term occurs (the bits of [`TermInfo::fields`]).
    entry_term_fields: Vec<u8>,
    /// Where each entry's terms start in `entry_terms` (one more than there are entries).
    entry_term_starts: Vec<usize>,
    /// The stems of the knowledge's words (see [`SearchIndex::stem`]).
    stems: StemCache,
    /// Variants and letter skeletons: a question's words as the knowledge writes them.
    pub(crate) spelling: Spelling,
    /// tantivy's weight of each (field, term) a question has asked for, made once.
    pub(crate) weights: Weights,
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
    let head_sq = b.add_text_field("head_sq", analysed.clone());
    let text_sq = b.add_text_field("text_sq", analysed.clone());
    let head_en = b.add_text_field("head_en", analysed.clone());
    let text_en = b.add_text_field("text_en", analysed);
    (
        b.build(),
        Fields {
            id,
            kind,
            audience,
            head: Bilingual {
                sq: head_sq,
                en: head_en,
            },
            text: Bilingual {
                sq: text_sq,
                en: text_en,
            },
        },
    )
}

/// Stems and glossary keys already computed while building (the knowledge repeats its words a lot), kept for the
/// questions: stemming was about a tenth of a question's time.
#[derive(Default)]
struct StemCache {
    stems: [FxHashMap<String, String>; 2],
}

impl StemCache {
    fn slot(lang: Lang) -> usize {
        usize::from(lang == Lang::En)
    }

    fn get(&self, word: &str, lang: Lang) -> Option<&str> {
        self.stems[Self::slot(lang)].get(word).map(String::as_str)
    }

    fn stem(&mut self, word: &str, lang: Lang) -> String {
        if let Some(s) = self.get(word, lang) {
            return s.to_string();
        }
        let s = stem(word, lang);
        self.stems[Self::slot(lang)].insert(word.to_string(), s.clone());
        s
    }

    /// A question's word is stemmed in both languages (see `query`): every word of the knowledge gets its stem in
    /// both, whichever language's text it came from.
    fn complete(&mut self) {
        for lang in Lang::ALL {
            let missing: Vec<String> = self.stems[Self::slot(lang.other())]
                .keys()
                .filter(|word| self.get(word, lang).is_none())
                .cloned()
                .collect();
            for word in missing {
                self.stem(&word, lang);
            }
        }
    }

    /// Every word of the knowledge seen while building (folded).
    fn words(&self) -> impl Iterator<Item = &str> {
        self.stems[0].keys().map(String::as_str)
    }

    /// Like [`super::analysis::analyze`].
    fn analyze(&mut self, text: &str, lang: Lang) -> Vec<String> {
        words(&fold(text))
            .filter(|w| !is_stop(w, lang))
            .map(|w| self.stem(&w, lang))
            .collect()
    }

    /// The glossary keys of a text's words (see [`synonyms::key`]).
    fn keys(&mut self, text: &str) -> Vec<String> {
        words(&fold(text))
            .map(|w| synonyms::key_with(&w, || self.stem(&w, Lang::Sq)))
            .collect()
    }
}

/// The glossary groups that name the platform of a platform entry: those with the word of its `platform` field
/// (`instagram`, `takeitdown`, ...).
fn platform_groups_of(entry: &Entry, synonyms: &Synonyms) -> Vec<usize> {
    match &entry.platform {
        Some(platform) => synonyms.groups_in(&words(&fold(platform)).collect::<Vec<_>>()),
        None => Vec::new(),
    }
}

/// Knowledge up to this size is indexed in one go into one segment, without tantivy's writer threads, document
/// channel and merges (they made most of a reload's peak memory); larger corpora take the threaded writer.
const SINGLE_SEGMENT_MAX_ENTRIES: usize = 1_000;

/// tantivy's minimum indexing budget; the writer's hash table is sized from it up front.
const SMALL_BUDGET: usize = 15_000_000;
/// The threaded writer's budget: this much per entry, between [`SMALL_BUDGET`] and [`LARGE_BUDGET`].
const BUDGET_PER_ENTRY: usize = 2_000;
const LARGE_BUDGET: usize = 50_000_000;

/// The writer of [`SearchIndex::build`]: one segment directly for the knowledge's usual size, the threaded writer
/// (then one merge) for large corpora.
enum Writer {
    Single(Box<tantivy::SingleSegmentIndexWriter<TantivyDocument>>),
    Threaded(Index, Box<tantivy::IndexWriter<TantivyDocument>>),
}

impl Writer {
    fn new(schema: Schema, entries: usize) -> tantivy::Result<Writer> {
        if entries <= SINGLE_SEGMENT_MAX_ENTRIES {
            let writer = Index::builder()
                .schema(schema)
                .single_segment_index_writer(tantivy::directory::RamDirectory::create(), SMALL_BUDGET)?;
            return Ok(Writer::Single(Box::new(writer)));
        }
        let index = Index::create_in_ram(schema);
        // One indexing thread; no merging while writing: the index is merged into one segment once, at the end.
        let writer =
            index.writer_with_num_threads(1, (entries * BUDGET_PER_ENTRY).clamp(SMALL_BUDGET, LARGE_BUDGET))?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        Ok(Writer::Threaded(index, Box::new(writer)))
    }

    fn add_document(&mut self, doc: TantivyDocument) -> tantivy::Result<()> {
        match self {
            Writer::Single(w) => w.add_document(doc),
            Writer::Threaded(_, w) => w.add_document(doc).map(|_| ()),
        }
    }

    /// The finished index, in one segment.
    fn finish(self) -> tantivy::Result<Index> {
        match self {
            Writer::Single(w) => (*w).finalize(),
            Writer::Threaded(index, mut writer) => {
                writer.commit()?;
                // A large corpus fills the writer's arena several times and leaves several segments. The index is
                // never written again, so it is merged into one: top-k search prunes across one segment's postings
                // with one threshold instead of starting over in each segment (at 100,000 entries, most of a
                // query's time).
                let segments = index.searchable_segment_ids()?;
                if segments.len() > 1 {
                    writer.merge(&segments).wait()?;
                }
                writer.wait_merging_threads()?;
                Ok(index)
            }
        }
    }
}

/// The parts of an entry's text in one language, indexed differently: the title and keywords go to the head
/// field (the title [`TITLE_REPEAT`] times), the rest to the text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Title,
    Keywords,
    Body,
}

impl Part {
    const ALL: [Part; 3] = [Part::Title, Part::Keywords, Part::Body];

    /// An entry's text of each part in one language, in the order of [`Part::ALL`].
    fn texts(entry: &Entry, lang: Lang) -> [String; 3] {
        let t = entry.text(lang);
        [
            t.title.clone(),
            t.keywords.join("\n"),
            knowledge::body_text(entry, lang),
        ]
    }

    /// The bit of [`TermInfo::fields`] for a term of this part in `lang`.
    fn field_bit(self, lang: Lang) -> u8 {
        match self {
            Part::Title | Part::Keywords => lang_bit(lang),
            Part::Body => lang_bit(lang) << 2,
        }
    }
}

/// The terms of the knowledge while it is indexed: every term's [`TermInfo`], and each entry's term numbers.
#[derive(Default)]
struct Terms {
    vocabulary: FxHashMap<String, TermInfo>,
    entry_terms: Vec<u32>,
    entry_term_fields: Vec<u8>,
    entry_term_starts: Vec<usize>,
}

impl Terms {
    fn with_capacity(entries: usize) -> Terms {
        let mut entry_term_starts = Vec::with_capacity(entries + 1);
        entry_term_starts.push(0);
        Terms {
            entry_term_starts,
            ..Terms::default()
        }
    }

    /// The number of a term, noting that it occurs in the field of `bit`.
    fn add(&mut self, term: &str, bit: u8) -> u32 {
        let next = self.vocabulary.len() as u32;
        let info = self.vocabulary.entry(term.to_owned()).or_insert(TermInfo {
            id: next,
            fields: 0,
            entries: 0,
        });
        info.fields |= bit;
        info.id
    }

    /// Ends an entry with the numbers of its terms and the field bit of each occurrence (in any order,
    /// repeated).
    fn end_entry(&mut self, mut ids: Vec<(u32, u8)>) {
        ids.sort_unstable();
        for (id, bit) in ids {
            if self.entry_terms.len() > *self.entry_term_starts.last().unwrap_or(&0)
                && self.entry_terms.last() == Some(&id)
            {
                if let Some(bits) = self.entry_term_fields.last_mut() {
                    *bits |= bit;
                }
            } else {
                self.entry_terms.push(id);
                self.entry_term_fields.push(bit);
            }
        }
        self.entry_term_starts.push(self.entry_terms.len());
    }

    /// Once every entry is in: how many entries have each term.
    fn count_entries(&mut self) {
        let mut entry_counts = vec![0u32; self.vocabulary.len()];
        for &id in &self.entry_terms {
            entry_counts[id as usize] += 1;
        }
        for info in self.vocabulary.values_mut() {
            info.entries = entry_counts[info.id as usize];
        }
    }
}

/// What building needs while it reads the entries one by one.
struct Builder<'a> {
    fields: Fields,
    synonyms: &'a Synonyms,
    stems: StemCache,
    terms: Terms,
}

impl Builder<'_> {
    /// An entry's tantivy document; its terms are noted in `terms`.
    fn document(&mut self, entry: &Entry) -> TantivyDocument {
        let fields = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.id, &entry.id);
        doc.add_text(fields.kind, entry.kind.as_str());
        doc.add_text(fields.audience, entry.audience.as_str());
        let texts = Lang::ALL.map(|lang| Part::texts(entry, lang));
        let mut ids: Vec<(u32, u8)> = Vec::new();
        for (lang, texts) in Lang::ALL.into_iter().zip(&texts) {
            let (head_field, text_field) = fields.lang(lang);
            let mut head: Vec<String> = Vec::new();
            for (part, text) in Part::ALL.into_iter().zip(texts) {
                let mut terms = self.stems.analyze(text, lang);
                // The glossary groups this language's text names (an English keyword must not add a group to the
                // Albanian fields: "first steps" is not "hapat e parë").
                let groups = self.synonyms.occurrences(&self.stems.keys(text));
                terms.extend(groups.into_iter().map(group_token));
                let bit = part.field_bit(lang);
                ids.extend(terms.iter().map(|term| (self.terms.add(term, bit), bit)));
                match part {
                    Part::Title => {
                        for _ in 0..TITLE_REPEAT {
                            head.extend(terms.iter().cloned());
                        }
                    }
                    Part::Keywords => head.extend(terms),
                    Part::Body => doc.add_text(text_field, terms.join(" ")),
                }
            }
            doc.add_text(head_field, head.join(" "));
        }
        self.terms.end_entry(ids);
        doc
    }
}

/// Each tantivy document's address → the position of its entry in `knowledge.entries()`.
fn doc_entries(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    knowledge: &Knowledge,
) -> Result<FxHashMap<(u32, u32), usize>, IndexError> {
    let mut doc_entry = FxHashMap::default();
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
    Ok(doc_entry)
}

/// Whom an entry's titles are about, in either language (see [`cues::subjects`]).
fn title_subjects(entry: &Entry) -> u8 {
    Lang::ALL
        .iter()
        .map(|&l| cues::subjects(&words(&fold(&entry.text(l).title)).collect::<Vec<_>>()))
        .fold(0, |a, b| a | b)
}

/// The Albanian stem of the municipality a contact entry is for (none for national entries and other kinds).
fn place_of(entry: &Entry, stems: &mut StemCache) -> Option<String> {
    let area = entry.contact.as_ref().map(|c| fold(&c.area))?;
    (area != "national").then(|| stems.stem(&area, Lang::Sq))
}

impl SearchIndex {
    /// Builds the index in RAM from loaded knowledge.
    pub fn build(knowledge: Arc<Knowledge>) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        let mut writer = Writer::new(schema, knowledge.len())?;
        let synonyms = Synonyms::new(knowledge.glossary());
        let mut builder = Builder {
            fields,
            synonyms: &synonyms,
            stems: StemCache::default(),
            terms: Terms::with_capacity(knowledge.len()),
        };
        for entry in knowledge.entries() {
            writer.add_document(builder.document(entry))?;
        }
        let index = writer.finish()?;
        let Builder {
            mut stems, mut terms, ..
        } = builder;
        terms.count_entries();
        stems.complete();
        let spelling = Spelling::new(knowledge.variants(), knowledge.glossary(), stems.words());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let doc_entry = doc_entries(&searcher, &fields, &knowledge)?;
        let entries = knowledge.entries();
        let entry_platforms: Vec<Vec<usize>> = entries.iter().map(|e| platform_groups_of(e, &synonyms)).collect();
        let entry_subjects: Vec<u8> = entries.iter().map(|e| title_subjects(e)).collect();
        let entry_places: Vec<Option<String>> = entries.iter().map(|e| place_of(e, &mut stems)).collect();
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
            entry_places,
            entry_subjects,
            vocabulary: terms.vocabulary,
            entry_terms: terms.entry_terms,
            entry_term_fields: terms.entry_term_fields,
            entry_term_starts: terms.entry_term_starts,
            stems,
            spelling,
            weights: Weights::new(searcher),
        })
    }

    /// The numbers of the terms of the entry at `position` in `knowledge.entries()`, sorted.
    pub(crate) fn entry_terms(&self, position: usize) -> &[u32] {
        match self.entry_term_starts.get(position..position + 2) {
            Some(&[start, end]) => &self.entry_terms[start..end],
            _ => &[],
        }
    }

    /// Beside [`SearchIndex::entry_terms`]: the fields of the entry each of its terms occurs in.
    pub(crate) fn entry_term_fields(&self, position: usize) -> &[u8] {
        match self.entry_term_starts.get(position..position + 2) {
            Some(&[start, end]) => &self.entry_term_fields[start..end],
            _ => &[],
        }
    }

    /// A word's stem in a language (see [`super::analysis::stem`]): looked up for a word of the knowledge, which
    /// is what people mostly type, and computed for any other.
    pub(crate) fn stem(&self, word: &str, lang: Lang) -> Cow<'_, str> {
        match self.stems.get(word, lang) {
            Some(stem) => Cow::Borrowed(stem),
            None => Cow::Owned(stem(word, lang)),
        }
    }

    /// How many tantivy segments the index has (one, once built; see [`SearchIndex::build`]).
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    pub fn knowledge(&self) -> &Arc<Knowledge> {
        &self.knowledge
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }
}
