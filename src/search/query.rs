//! From what a person typed to ranked entries. User text is never parsed as query syntax: the query is built from
//! analysed words, so `AND`, `"`, `*`, `field:value`, emoji or control characters are just text.

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use super::analysis::{fold, is_stop, stem, words};
use super::index::SearchIndex;
use super::{emergency, lang as langdetect};
use crate::knowledge::{Audience, Entry, Lang};

/// Longest question considered, in characters; the rest is ignored (a 5,000-character paste still gets an answer).
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most words considered.
pub const MAX_QUERY_WORDS: usize = 40;

/// Weights: the question's own language counts fully, the other a little less; synonyms from the glossary and typo
/// matches count less than what was typed, so an exact match always wins.
const OTHER_LANG_WEIGHT: f32 = 0.8;
const SYNONYM_WEIGHT: f32 = 0.6;
const FUZZY_WEIGHT: f32 = 0.35;
const PREFIX_WEIGHT: f32 = 0.3;
const AUDIENCE_LEAN: f32 = 1.25;

/// One ranked entry.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: Arc<Entry>,
    pub score: f32,
}

/// What search made of a question.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The language the question is in (or the user's, when the text does not tell).
    pub lang: Lang,
    /// Danger now: show urgent help first.
    pub emergency: bool,
    /// Best first; may be empty.
    pub hits: Vec<Hit>,
}

/// Whether the question sounds like a professional's or a person's own.
fn audience_lean(folded: &str) -> Option<Audience> {
    const PROVIDER: &[&str] = &[
        "rast",
        "rasti",
        "rastin",
        "rastit",
        "referim",
        "referoj",
        "referohet",
        "neni",
        "nenin",
        "nenit",
        "ligj",
        "ligji",
        "ligjit",
        "vkm",
        "gtn",
        "koordinator",
        "koordinatori",
        "koordinatorin",
        "procedur",
        "procedura",
        "protokoll",
        "viktima",
        "viktimen",
        "viktimes",
        "klient",
        "klientja",
        "klientes",
        "sherbim",
        "punonjes",
        "mkr",
        "crm",
        "article",
        "case",
        "client",
        "victim",
        "victims",
        "referral",
        "refer",
        "protocol",
        "provider",
        "colleague",
        "kodi",
        "penal",
        "dispozita",
        "afati",
        "gjykata",
        "gjykates",
        "prokuroria",
        "procedohet",
        "detyrim",
    ];
    const VICTIM: &[&str] = &[
        "me",
        "mua",
        "time",
        "mia",
        "im",
        "ime",
        "imen",
        "my",
        "mine",
        "myself",
        "im",
        "jam",
        "kam",
        "dashuri",
        "dashurin",
        "ish",
        "burri",
        "burrin",
        "partneri",
        "ex",
        "boyfriend",
        "husband",
        "une",
        "po",
        "mi",
        "ma",
        "mu",
    ];
    let mut provider = 0;
    let mut victim = 0;
    for w in words(folded) {
        if PROVIDER.contains(&w.as_str()) {
            provider += 2;
        } else if VICTIM.contains(&w.as_str()) {
            victim += 1;
        }
    }
    match provider.cmp(&victim) {
        std::cmp::Ordering::Greater => Some(Audience::Provider),
        std::cmp::Ordering::Less => Some(Audience::Victim),
        std::cmp::Ordering::Equal => None,
    }
}

/// Keeps what a person could mean and drops what could hurt: control characters, and text past the limit.
fn clean(query: &str) -> String {
    query
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(MAX_QUERY_CHARS)
        .collect()
}

impl SearchIndex {
    /// Answers a question: its language, whether it is an emergency, and the best entries (at most `limit`).
    pub fn search(&self, query: &str, user_lang: Lang, limit: usize) -> Answer {
        let text = clean(query);
        let lang = langdetect::detect(&text, user_lang);
        let emergency = emergency::detect(&text);
        let hits = if limit == 0 {
            Vec::new()
        } else {
            self.rank(&text, lang, limit)
        };
        Answer { lang, emergency, hits }
    }

    fn rank(&self, text: &str, lang: Lang, limit: usize) -> Vec<Hit> {
        let folded = fold(text);
        let typed: Vec<String> = words(&folded).take(MAX_QUERY_WORDS).collect();
        if typed.is_empty() {
            return Vec::new();
        }
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut seen: HashSet<(u32, String)> = HashSet::new();
        let ends_mid_word = text.chars().last().is_some_and(char::is_alphanumeric);

        for query_lang in Lang::ALL {
            let lang_weight = if query_lang == lang { 1.0 } else { OTHER_LANG_WEIGHT };
            for (i, word) in typed.iter().enumerate() {
                if is_stop(word, query_lang) {
                    continue;
                }
                let is_last = i + 1 == typed.len();
                let term = stem(word, query_lang);
                self.add_term(
                    &searcher,
                    &mut clauses,
                    &mut seen,
                    query_lang,
                    &term,
                    lang_weight,
                    word,
                    is_last && ends_mid_word,
                );
            }
            for synonym in self.synonyms.expand(&typed) {
                if is_stop(&synonym, query_lang) {
                    continue;
                }
                let term = stem(&synonym, query_lang);
                self.add_exact(&mut clauses, &mut seen, query_lang, &term, lang_weight * SYNONYM_WEIGHT);
            }
        }
        if clauses.is_empty() {
            return Vec::new();
        }
        let query = BooleanQuery::new(clauses);
        let wanted = (limit * 3).max(10);
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(wanted).order_by_score()) else {
            return Vec::new();
        };
        let lean = audience_lean(&folded);
        let entries = self.knowledge.entries();
        let mut hits: Vec<Hit> = top
            .into_iter()
            .filter_map(|(score, addr)| {
                let &i = self.doc_entry.get(&(addr.segment_ord, addr.doc_id))?;
                let entry = entries.get(i)?.clone();
                let factor = match (lean, entry.audience) {
                    (Some(want), got) if got == want => AUDIENCE_LEAN,
                    _ => 1.0,
                };
                Some(Hit {
                    entry,
                    score: score * factor,
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entry.id.cmp(&b.entry.id)));
        hits.truncate(limit);
        hits
    }

    /// A typed word: exact in every field of the language; if the index has never seen it, typo-tolerant (and,
    /// for the word being typed, as a prefix).
    #[allow(clippy::too_many_arguments)]
    fn add_term(
        &self,
        searcher: &Searcher,
        clauses: &mut Vec<(Occur, Box<dyn Query>)>,
        seen: &mut HashSet<(u32, String)>,
        lang: Lang,
        term: &str,
        weight: f32,
        word: &str,
        is_prefix: bool,
    ) {
        let fields = self.fields.lang(lang);
        let known = fields
            .all()
            .iter()
            .any(|(f, _)| searcher.doc_freq(&Term::from_field_text(*f, term)).unwrap_or(0) > 0);
        if known {
            self.add_exact(clauses, seen, lang, term, weight);
            return;
        }
        let chars = word.chars().count();
        let distance = match chars {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        for (field, boost) in fields.all() {
            if distance > 0 {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, term), distance, true);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(fuzzy), boost * weight * FUZZY_WEIGHT)),
                ));
            }
            if is_prefix && chars >= 3 {
                let prefix = FuzzyTermQuery::new_prefix(Term::from_field_text(field, word), 0, true);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(prefix), boost * weight * PREFIX_WEIGHT)),
                ));
            }
        }
    }

    fn add_exact(
        &self,
        clauses: &mut Vec<(Occur, Box<dyn Query>)>,
        seen: &mut HashSet<(u32, String)>,
        lang: Lang,
        term: &str,
        weight: f32,
    ) {
        if !seen.insert((lang as u32, term.to_string())) {
            return;
        }
        for (field, boost) in self.fields.lang(lang).all() {
            let q = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
            clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost * weight))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_lean_from_wording() {
        assert_eq!(
            audience_lean(&fold("si ta referoj rastin te koordinatori")),
            Some(Audience::Provider)
        );
        assert_eq!(
            audience_lean(&fold("ish i dashuri më kërcënon")),
            Some(Audience::Victim)
        );
        assert_eq!(audience_lean("facebook"), None);
    }

    #[test]
    fn cleaning_drops_control_characters_and_caps_length() {
        assert_eq!(clean("a\u{0}b\u{7}c"), "abc");
        assert_eq!(clean(&"x".repeat(5000)).chars().count(), MAX_QUERY_CHARS);
    }
}
