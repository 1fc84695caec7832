//! From what a person typed to ranked entries. User text is never parsed as query syntax: the query is built from
//! analysed words, so `AND`, `"`, `*`, `field:value`, emoji or control characters are just text.

use std::borrow::Cow;
use std::sync::Arc;

use tantivy::Term;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query};

use super::analysis::{fold, is_stop, words};
use super::cues::{self, Guidance};
use super::index::{HEAD_BOOST, SearchIndex, TermInfo};
use super::rerank::{self, Cue, Families, Feature};
use super::synonyms::{self, Expansion, group_token};
use super::{emergency, lang as langdetect};
use crate::knowledge::{Entry, Kind, Lang};

/// Longest question considered, in characters; the rest is ignored (a 5,000-character paste still gets an answer).
pub(crate) const MAX_QUERY_CHARS: usize = 1000;
/// Most words considered.
pub(crate) const MAX_QUERY_WORDS: usize = 40;

/// Weights: the question's own language counts fully, the other a little less; synonyms from the glossary and typo
/// matches count less than what was typed, so an exact match always wins.
const OTHER_LANG_WEIGHT: f32 = 0.8;
const SYNONYM_WEIGHT: f32 = 0.6;
const FUZZY_WEIGHT: f32 = 0.35;
const PREFIX_WEIGHT: f32 = 0.3;
/// The word being typed is matched as a prefix from this many characters on.
const MIN_PREFIX_CHARS: usize = 3;
const AUDIENCE_LEAN: f32 = 1.25;
/// A word naming the asker's profession ("jam mësuese", "si polic") says whose answer fits (the audience lean), not
/// what the question is about.
const ROLE_WEIGHT: f32 = 0.5;
/// A question about the law ("a është krim", "cili nen", "penalty") leans to law entries.
const LAW_LEAN: f32 = 1.7;
/// "hap pas hapi", "step by step": leans to the guided flows.
const FLOW_LEAN: f32 = 1.3;
/// A guided flow when nobody asked to be guided: the direct entry answers first (and offers the flow).
const FLOW_UNASKED: f32 = 0.85;
/// "IDP adresa", "numri i policisë": leans to the contact entries.
const CONTACT_LEAN: f32 = 1.3;
/// A question about a child, or about helping a friend or relative, leans to the entries whose title is about
/// them.
const SUBJECT_LEAN: f32 = 1.3;
/// A named platform leans to that platform's entries and away from other platforms' entries; a question naming no
/// platform leans a little to the general entries (a hacked account is a hacked account on any platform).
const PLATFORM_NAMED: f32 = 1.3;
const PLATFORM_OTHER: f32 = 0.75;
const PLATFORM_UNNAMED: f32 = 0.9;
/// A named municipality ("Korçë", "në Elbasan") leans to its own contact entry and away from the others'.
const PLACE_NAMED: f32 = 1.4;
const PLACE_OTHER: f32 = 0.75;
/// How much it counts that an entry covers every word of the question (itself or through the glossary), not just
/// some of them: the score is multiplied by `1 - COVERAGE + COVERAGE * covered / words`. An entry that speaks of
/// "Korçë" and "the referral mechanism" beats one that speaks of the mechanism at length but not of Korçë. Only
/// exact terms count, so this also keeps exact matches above typo matches.
const COVERAGE: f32 = 0.8;
/// A term that more than this share of the entries have says little about which one is meant, and its postings in
/// the text fields are the longest to go through (at 100,000 entries, most of a query's time): it counts where an
/// entry's title or keywords say it, not in the rest of the text. Coverage still counts it.
const COMMON: f32 = 0.25;
/// Most clauses a question's query has. Each clause is another posting list for tantivy's block-WAND union to walk,
/// and at 100,000 entries a long question's least telling clauses (words most entries have, synonyms in the text)
/// cost the most time for the least ranking. A long question keeps the clauses that can add most to a score (boost
/// times the term's idf); coverage re-ranking still counts every word. On the dev set this changes no ranking.
const MAX_CLAUSES: usize = 12;

/// A clause of a question's query and how much it can add to a score (typo and prefix clauses: infinity, so they
/// are kept first; see [`MAX_CLAUSES`]).
type Clause = (f32, Box<dyn Query>);

/// Candidates fetched from tantivy per result asked for, and at least: the leans and the coverage re-rank them.
const CANDIDATES_PER_RESULT: usize = 2;
const MIN_CANDIDATES: usize = 10;

/// A word of the question in each language (in the order of [`Lang::ALL`]): its stem, and what the index has of it
/// there.
type LookedUp<'a> = [(Cow<'a, str>, Option<TermInfo>); 2];

/// A language's place in [`Lang::ALL`] (and in a [`LookedUp`]).
fn slot(lang: Lang) -> usize {
    Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0)
}

/// A word of the question as the coverage counts it: the numbers of the terms that stand for it, and how telling
/// it is (the highest idf of them).
struct Concept {
    ids: Vec<u32>,
    idf: f32,
}

/// A candidate of the hand-made ranking and what the re-ranker reads of it.
struct Scored {
    entry: Arc<Entry>,
    score: f32,
    facts: rerank::Candidate,
}

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
    /// Whether someone may be in danger now (see [`emergency`]).
    pub danger: emergency::Assessment,
    /// Best first; may be empty.
    pub hits: Vec<Hit>,
}

/// Keeps what a person could mean and drops what could hurt: control characters, and text past the limit.
fn clean(query: &str) -> String {
    query
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(MAX_QUERY_CHARS)
        .collect()
}

/// The best entry is clearly ahead when the next one scores less than this share of its score; otherwise the
/// person is asked which of the best they mean. Measured on the dev sets (BENCHMARKS.md).
const CLEAR_LEAD: f32 = 0.85;

impl Answer {
    /// Whether the best entry is clearly ahead of the next (or alone).
    pub(crate) fn is_clear(&self) -> bool {
        match self.hits.as_slice() {
            [best, next, ..] => next.score < CLEAR_LEAD * best.score,
            _ => true,
        }
    }

    /// Danger now: the full urgent help first.
    pub fn emergency(&self) -> bool {
        self.danger.danger == emergency::Danger::Now
    }
}

impl SearchIndex {
    /// Answers a question: its language, whether it is an emergency, and the best entries (at most `limit`).
    pub fn search(&self, query: &str, user_lang: Lang, limit: usize) -> Answer {
        let text = clean(query);
        let (folded, normalized) = self.readings_of_clean(&text);
        let typed: Vec<String> = words(&normalized).take(MAX_QUERY_WORDS).collect();
        let lang = langdetect::detect_words(langdetect::has_albanian_letters(&text), &typed, user_lang);
        let danger = emergency::assess(&folded, &normalized);
        let hits = if limit == 0 {
            Vec::new()
        } else {
            self.rank(&text, &typed, &normalized, lang, limit)
        };
        Answer { lang, danger, hits }
    }

    /// A question as the detectors read it: folded (see [`fold`]), and folded with its words as the knowledge
    /// writes them (Gheg and chat forms, misspellings; see `spelling`).
    pub fn readings(&self, query: &str) -> (String, String) {
        self.readings_of_clean(&clean(query))
    }

    /// [`SearchIndex::readings`] of text already cleaned (see `clean`).
    fn readings_of_clean(&self, text: &str) -> (String, String) {
        let folded = fold(text);
        let normalized = self.spelling.rewrite(&folded).into_owned();
        (folded, normalized)
    }

    fn rank(&self, text: &str, typed: &[String], normalized: &str, lang: Lang, limit: usize) -> Vec<Hit> {
        // A few more than asked for: the leans, the coverage and the re-ranker may reorder them. (The fewer, the
        // sooner block-WAND can skip entries that cannot make it.)
        let wanted = (limit * CANDIDATES_PER_RESULT).max(MIN_CANDIDATES);
        let model = rerank::shipped();
        let families = Families::SHIPPED;
        let Some((question, mut scored)) = self.candidates(text, typed, normalized, lang, wanted, families) else {
            return Vec::new();
        };
        if let Some(weights) = model
            && let Some(best) = scored.first().map(|s| s.facts.clone())
        {
            let best_score = best.score().max(f32::MIN_POSITIVE);
            let temperature = rerank::temperature(weights);
            for (rank, s) in scored.iter_mut().enumerate() {
                let adjustment = if rank < rerank::CANDIDATES {
                    let features = rerank::features(&question, &s.entry.id, &s.facts, rank, &best, families);
                    rerank::adjustment(weights, &features).clamp(-20.0, 20.0)
                } else {
                    0.0
                };
                let z = (s.score / best_score).max(1e-6).ln() + adjustment;
                s.score = best_score * (temperature * z).exp();
            }
            scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entry.id.cmp(&b.entry.id)));
        }
        scored
            .into_iter()
            .take(limit)
            .map(|s| Hit {
                entry: s.entry,
                score: s.score,
            })
            .collect()
    }

    /// The re-ranker's training examples for a question: its best candidates by the hand-made ranking (at most
    /// [`rerank::CANDIDATES`]), each as (entry id, features, `ln(score / best score)`). Used by `train_rerank`.
    #[doc(hidden)]
    pub fn rerank_candidates(
        &self,
        query: &str,
        user_lang: Lang,
        families: Families,
    ) -> Vec<(String, Vec<Feature>, f32)> {
        let text = clean(query);
        let (_, normalized) = self.readings_of_clean(&text);
        let typed: Vec<String> = words(&normalized).take(MAX_QUERY_WORDS).collect();
        let lang = langdetect::detect_words(langdetect::has_albanian_letters(&text), &typed, user_lang);
        let wanted = (3 * CANDIDATES_PER_RESULT).max(MIN_CANDIDATES);
        let Some((question, scored)) = self.candidates(&text, &typed, &normalized, lang, wanted, families) else {
            return Vec::new();
        };
        let Some(best) = scored.first().map(|s| s.facts.clone()) else {
            return Vec::new();
        };
        let best_score = best.score().max(1e-6);
        scored
            .iter()
            .take(rerank::CANDIDATES)
            .enumerate()
            .map(|(rank, s)| {
                let features = rerank::features(&question, &s.entry.id, &s.facts, rank, &best, families);
                (s.entry.id.clone(), features, (s.score / best_score).max(1e-6).ln())
            })
            .collect()
    }

    /// The hand-made ranking: tantivy's best `wanted` entries, each score multiplied by the leans and the coverage,
    /// best first; with what the re-ranker reads of the question and of each candidate.
    fn candidates(
        &self,
        text: &str,
        typed: &[String],
        normalized: &str,
        lang: Lang,
        wanted: usize,
        families: Families,
    ) -> Option<(rerank::Question, Vec<Scored>)> {
        if typed.is_empty() {
            return None;
        }
        let looked_up = self.look_up(typed);
        let sq_stems: Vec<&str> = looked_up.iter().map(|stems| stems[slot(Lang::Sq)].0.as_ref()).collect();
        // The glossary keys are the Albanian stems of longer words (see `synonyms::key`).
        let keys: Vec<String> = typed
            .iter()
            .zip(&sq_stems)
            .map(|(word, stem)| synonyms::key_with(word, || stem.to_string()))
            .collect();
        let expansion = self.synonyms.expand_keys(&keys);
        let ends_mid_word = text.chars().last().is_some_and(char::is_alphanumeric);
        let clauses = self.clauses(typed, &looked_up, &expansion, lang, ends_mid_word);
        if clauses.is_empty() {
            return None;
        }
        let query = BooleanQuery::new(clauses.into_iter().map(|(_, q)| (Occur::Should, q)).collect());
        let top = self
            .reader
            .searcher()
            .search(&query, &TopDocs::with_limit(wanted).order_by_score())
            .ok()?;
        let leans = Leans::read(self, typed, lang, &expansion, &sq_stems);
        let concepts = self.concepts(typed, &looked_up, &expansion);
        let entries = self.knowledge.entries();
        let mut scored: Vec<Scored> = top
            .into_iter()
            .filter_map(|(raw, addr)| {
                let &i = self.doc_entry.get(&(addr.segment_ord, addr.doc_id))?;
                let entry = entries.get(i)?.clone();
                let (lean, cues) = leans.factor(self, i, &entry);
                let coverage = self.coverage(i, &concepts);
                let facts = rerank::Candidate {
                    kind: entry.kind,
                    audience: entry.audience,
                    raw,
                    lean,
                    coverage,
                    fields: self.field_shares(i, &concepts, lang),
                    cues: cues | if lang == Lang::En { 1 << Cue::English as u32 } else { 0 },
                    asker: match leans.audience {
                        None => 0,
                        Some(crate::knowledge::Audience::Provider) => 1,
                        Some(_) => 2,
                    },
                };
                Some(Scored {
                    score: facts.score(),
                    entry,
                    facts,
                })
            })
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entry.id.cmp(&b.entry.id)));
        let own = slot(lang);
        let stems: Vec<&str> = typed
            .iter()
            .zip(&looked_up)
            .filter(|(word, _)| !is_stop(word, lang))
            .map(|(_, terms)| terms[own].0.as_ref())
            .collect();
        let mut question = rerank::Question::new(lang, &stems, normalized, families);
        if families.groups_id {
            for &g in &expansion.groups {
                question.add_group(self.synonyms.first_phrase(g));
            }
        }
        Some((question, scored))
    }

    /// Shares of the question's concepts the entry at `i` has in its head and text in `lang`, in the other
    /// language's head and text, then weighted by idf: in its head in `lang`, anywhere (see
    /// [`rerank::Candidate::fields`]).
    fn field_shares(&self, i: usize, concepts: &[Concept], lang: Lang) -> [f32; 6] {
        let mut out = [0.0f32; 6];
        if concepts.is_empty() {
            return out;
        }
        let terms = self.entry_terms(i);
        let fields = self.entry_term_fields(i);
        let own = if lang == Lang::Sq { 1u8 } else { 2 };
        let other = 3 - own;
        let mut total_idf = 0.0;
        for concept in concepts {
            let mut bits = 0u8;
            for id in &concept.ids {
                if let Ok(k) = terms.binary_search(id) {
                    bits |= fields[k];
                }
            }
            total_idf += concept.idf;
            for (slot, bit) in [own, own << 2, other, other << 2].into_iter().enumerate() {
                if bits & bit != 0 {
                    out[slot] += 1.0;
                }
            }
            if bits & own != 0 {
                out[4] += concept.idf;
            }
            if bits != 0 {
                out[5] += concept.idf;
            }
        }
        let n = concepts.len() as f32;
        for v in &mut out[..4] {
            *v /= n;
        }
        for v in &mut out[4..] {
            *v /= total_idf.max(1e-6);
        }
        out
    }

    /// Each word's stem in each language (in the order of [`Lang::ALL`]), and what the index has of it there (none
    /// for a stop word).
    fn look_up(&self, typed: &[String]) -> Vec<LookedUp<'_>> {
        typed
            .iter()
            .map(|word| {
                Lang::ALL.map(|l| {
                    let term = self.stem(word, l);
                    let info = if is_stop(word, l) { None } else { self.known(&term, l) };
                    (term, info)
                })
            })
            .collect()
    }

    /// The query's clauses: each word's, then the glossary groups the question names; a long question keeps its
    /// most telling ones (see [`MAX_CLAUSES`]), typo and prefix clauses first.
    fn clauses(
        &self,
        typed: &[String],
        looked_up: &[LookedUp<'_>],
        expansion: &Expansion,
        lang: Lang,
        ends_mid_word: bool,
    ) -> Vec<Clause> {
        let mut clauses: Vec<Clause> = Vec::new();
        // (language, term number) already asked for
        let mut seen: Vec<(Lang, u32)> = Vec::new();
        let own = slot(lang);
        for (i, (word, terms)) in typed.iter().zip(looked_up).enumerate() {
            // A word is looked up in the question's language, and in the other one only if the question's language
            // does not have it (an English word in an Albanian question): both languages of an entry say the same.
            // A word the index has in either language is no typo; only a word it has nowhere is looked up
            // typo-tolerant (and, while being typed, as a prefix). A function word of the question's language is
            // not looked up at all ("per" is Albanian "for", not English "per").
            if is_stop(word, lang) {
                continue;
            }
            let weight = if cues::names_role(word) { ROLE_WEIGHT } else { 1.0 };
            if let (_, Some(info)) = &terms[own] {
                self.add_exact(&mut clauses, &mut seen, lang, &terms[own].0, *info, weight);
            } else if let (term, Some(info)) = &terms[1 - own] {
                self.add_exact(
                    &mut clauses,
                    &mut seen,
                    lang.other(),
                    term,
                    *info,
                    weight * OTHER_LANG_WEIGHT,
                );
            } else if !Lang::ALL.iter().any(|&l| is_stop(word, l)) {
                let is_prefix = i + 1 == typed.len() && ends_mid_word;
                self.add_fuzzy(&mut clauses, lang, &terms[own].0, 1.0, word, is_prefix);
            }
        }
        // The glossary: each group the question names is one term (see `index`), found in every entry that says
        // any of the group's phrases.
        for (&g, &(start, len)) in expansion.groups.iter().zip(&expansion.spans) {
            let token = group_token(g);
            let role = typed[start..start + len].iter().all(|w| cues::names_role(w));
            let weight = if role {
                SYNONYM_WEIGHT * ROLE_WEIGHT
            } else {
                SYNONYM_WEIGHT
            };
            if let Some(info) = self.known(&token, lang) {
                self.add_exact(&mut clauses, &mut seen, lang, &token, info, weight);
            }
        }
        if clauses.len() > MAX_CLAUSES {
            clauses.sort_by(|a, b| b.0.total_cmp(&a.0));
            clauses.truncate(MAX_CLAUSES);
        }
        clauses
    }

    /// The factor for how many of the question's `concepts` the entry at position `i` covers (see [`COVERAGE`]);
    /// 1 when the question has none.
    fn coverage(&self, i: usize, concepts: &[Concept]) -> f32 {
        if concepts.is_empty() {
            return 1.0;
        }
        let terms = self.entry_terms(i);
        let covered = concepts
            .iter()
            .filter(|c| c.ids.iter().any(|id| terms.binary_search(id).is_ok()))
            .count();
        1.0 - COVERAGE + COVERAGE * covered as f32 / concepts.len() as f32
    }

    /// The question's words that carry meaning, each as the numbers of the terms that stand for it in the index:
    /// its stem in either language and the words of its glossary groups. Words the index has never seen (typos)
    /// are left out: no entry covers them exactly.
    fn concepts(&self, typed: &[String], looked_up: &[LookedUp<'_>], expansion: &Expansion) -> Vec<Concept> {
        let mut concepts: Vec<Concept> = Vec::new();
        for (i, word) in typed.iter().enumerate() {
            if Lang::ALL.iter().any(|&l| is_stop(word, l)) {
                continue;
            }
            let mut ids: Vec<u32> = Vec::new();
            let mut idf: f32 = 0.0;
            for info in looked_up[i].iter().filter_map(|(_, info)| *info) {
                ids.push(info.id);
                idf = idf.max(self.idf(info));
            }
            for g in expansion.covering(i) {
                if let Some(&info) = self.vocabulary.get(&group_token(g)) {
                    ids.push(info.id);
                    idf = idf.max(self.idf(info));
                }
            }
            ids.dedup();
            if !ids.is_empty() && !concepts.iter().any(|c| c.ids == ids) {
                concepts.push(Concept { ids, idf });
            }
        }
        concepts
    }

    /// How telling a term is (BM25's idf over entries, whatever the field): high for a term few entries have.
    fn idf(&self, info: TermInfo) -> f32 {
        let entries = self.knowledge.len() as f32;
        let with_term = info.entries as f32;
        (1.0 + (entries - with_term + 0.5) / (with_term + 0.5)).ln()
    }

    /// What the index knows of a term in one language's fields, if it has it there.
    fn known(&self, term: &str, lang: Lang) -> Option<TermInfo> {
        self.vocabulary.get(term).copied().filter(|info| info.in_lang(lang))
    }

    /// A term the index has in a language: a clause for the head and one for the text, where it occurs (the text
    /// only for a term that is not [`COMMON`]).
    fn add_exact(
        &self,
        clauses: &mut Vec<Clause>,
        seen: &mut Vec<(Lang, u32)>,
        lang: Lang,
        term: &str,
        info: TermInfo,
        weight: f32,
    ) {
        if seen.contains(&(lang, info.id)) {
            return;
        }
        let common = info.entries as f32 > COMMON * self.knowledge.len() as f32;
        seen.push((lang, info.id));
        let (head, text) = self.fields.lang(lang);
        for (field, present, boost) in [(head, info.in_head(lang), HEAD_BOOST), (text, info.in_text(lang), 1.0)] {
            if present
                && !(field == text && common)
                && let Some(q) = self.weights.query(field, term, info.id, boost * weight)
            {
                clauses.push((boost * weight * self.idf(info), Box::new(q)));
            }
        }
    }

    /// A word the index has never seen: typo-tolerant (edit distance 1 for longer words, 2 for long ones) and, for
    /// the word being typed, as a prefix. Both count less than an exact match.
    fn add_fuzzy(&self, clauses: &mut Vec<Clause>, lang: Lang, term: &str, weight: f32, word: &str, is_prefix: bool) {
        let chars = word.chars().count();
        let distance = match chars {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        // Only in the head: a typo is forgiven where it names what an entry is about, not anywhere in its text.
        let (head, _) = self.fields.lang(lang);
        if distance > 0 {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(head, term), distance, true);
            clauses.push((
                f32::INFINITY,
                Box::new(BoostQuery::new(Box::new(fuzzy), HEAD_BOOST * weight * FUZZY_WEIGHT)),
            ));
        }
        if is_prefix && chars >= MIN_PREFIX_CHARS {
            let prefix = FuzzyTermQuery::new_prefix(Term::from_field_text(head, word), 0, true);
            clauses.push((
                f32::INFINITY,
                Box::new(BoostQuery::new(Box::new(prefix), HEAD_BOOST * weight * PREFIX_WEIGHT)),
            ));
        }
    }
}

/// What a question's wording says beyond its topic words (see [`cues`]), read once and applied to each candidate.
struct Leans<'q> {
    audience: Option<crate::knowledge::Audience>,
    law: bool,
    guidance: Guidance,
    contact: bool,
    subjects: u8,
    named_platform: bool,
    groups: &'q [usize],
    named_place: bool,
    sq_stems: &'q [&'q str],
}

impl<'q> Leans<'q> {
    fn read(
        index: &SearchIndex,
        typed: &[String],
        lang: Lang,
        expansion: &'q Expansion,
        sq_stems: &'q [&'q str],
    ) -> Leans<'q> {
        Leans {
            audience: cues::audience(typed, lang),
            law: cues::asks_about_law(typed),
            guidance: cues::guidance(typed),
            contact: cues::asks_for_contact(typed),
            subjects: cues::subjects(typed),
            named_platform: expansion
                .groups
                .iter()
                .any(|&g| index.platform_groups.get(g) == Some(&true)),
            groups: &expansion.groups,
            named_place: index
                .entry_places
                .iter()
                .flatten()
                .any(|p| sq_stems.contains(&p.as_str())),
            sq_stems,
        }
    }

    /// How much the entry at position `i` is leaned towards (above 1) or away from (below 1), and the question's
    /// cues and the entry's match of them for the re-ranker (bits of [`Cue`]).
    fn factor(&self, index: &SearchIndex, i: usize, entry: &Entry) -> (f32, u32) {
        let bit = |c: Cue| 1u32 << c as u32;
        let mut cues = bit(Cue::Always);
        let mut factor = match self.audience {
            Some(want) if entry.audience == want => {
                cues |= bit(Cue::AudienceMatches);
                AUDIENCE_LEAN
            }
            _ => 1.0,
        };
        if self.subjects != 0 {
            cues |= bit(Cue::Subjects);
        }
        if self.subjects & index.entry_subjects[i] != 0 {
            cues |= bit(Cue::SubjectMatches);
            factor *= SUBJECT_LEAN;
        }
        if self.named_place {
            cues |= bit(Cue::PlaceNamed);
        }
        if let Some(place) = &index.entry_places[i]
            && self.named_place
        {
            factor *= if self.sq_stems.contains(&place.as_str()) {
                cues |= bit(Cue::PlaceMatches);
                PLACE_NAMED
            } else {
                PLACE_OTHER
            };
        }
        if self.law {
            cues |= bit(Cue::Law);
        }
        match self.guidance {
            Guidance::Asked => cues |= bit(Cue::GuideAsked),
            Guidance::Unsure => cues |= bit(Cue::GuideUnsure),
            Guidance::None => {}
        }
        if self.contact {
            cues |= bit(Cue::Contact);
        }
        if self.named_platform {
            cues |= bit(Cue::PlatformNamed);
            if index.entry_platforms[i].iter().any(|g| self.groups.contains(g)) {
                cues |= bit(Cue::PlatformMatches);
            }
        }
        (factor * self.kind_factor(index, i, entry.kind), cues)
    }

    fn kind_factor(&self, index: &SearchIndex, i: usize, kind: Kind) -> f32 {
        match kind {
            Kind::Law if self.law => LAW_LEAN,
            Kind::Flow => match self.guidance {
                Guidance::Asked => FLOW_LEAN,
                Guidance::Unsure => 1.0,
                Guidance::None => FLOW_UNASKED,
            },
            Kind::Contact if self.contact => CONTACT_LEAN,
            // Whether something is a crime on Facebook is a question about the law, not about Facebook.
            Kind::Platform if !self.law => {
                if !self.named_platform {
                    PLATFORM_UNNAMED
                } else if index.entry_platforms[i].iter().any(|g| self.groups.contains(g)) {
                    PLATFORM_NAMED
                } else {
                    PLATFORM_OTHER
                }
            }
            _ => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::knowledge::{Audience, Bilingual, Glossary, Knowledge, Localized};

    #[test]
    fn cleaning_drops_control_characters_and_caps_length() {
        assert_eq!(clean("a\u{0}b\u{7}c"), "abc");
        assert_eq!(clean(&"x".repeat(5000)).chars().count(), MAX_QUERY_CHARS);
    }

    fn entry(id: &str, kind: Kind, title: &str, keywords: &[&str], body: &str) -> Entry {
        let text = Localized {
            title: title.to_string(),
            summary: title.to_string(),
            body: body.to_string(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            ..Localized::default()
        };
        Entry {
            id: id.to_string(),
            kind,
            platform: None,
            audience: Audience::Both,
            reviewed: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            text: Bilingual {
                sq: text.clone(),
                en: text,
            },
            sources: Vec::new(),
            related: Vec::new(),
            contact: None,
            flow: None,
            unconfirmed: Vec::new(),
        }
    }

    /// A platform entry's `platform` field.
    fn on_platform(platform: &str, entry: Entry) -> Entry {
        Entry {
            platform: Some(platform.to_string()),
            ..entry
        }
    }

    fn index(entries: Vec<Entry>, glossary: &[&[&str]]) -> SearchIndex {
        let glossary = Glossary {
            groups: glossary
                .iter()
                .map(|g| g.iter().map(|p| p.to_string()).collect())
                .collect(),
        };
        let knowledge = Knowledge::from_entries(entries, glossary);
        SearchIndex::build(Arc::new(knowledge)).expect("builds")
    }

    fn first(index: &SearchIndex, q: &str) -> String {
        let answer = index.search(q, Lang::Sq, 3);
        answer.hits.first().map(|h| h.entry.id.clone()).unwrap_or_default()
    }

    #[test]
    fn an_entry_covering_every_word_beats_one_saying_some_of_them_often() {
        let mechanism = "mekanizmi i referimit ".repeat(20);
        let index = index(
            vec![
                entry(
                    "procedure-referral",
                    Kind::Procedure,
                    "Mekanizmi i referimit",
                    &[],
                    &mechanism,
                ),
                entry(
                    "contact-korce",
                    Kind::Contact,
                    "Ndihmë në Korçë",
                    &["mekanizmi i referimit"],
                    "Korçë.",
                ),
                entry(
                    "contact-vlore",
                    Kind::Contact,
                    "Ndihmë në Vlorë",
                    &["mekanizmi i referimit"],
                    "Vlorë.",
                ),
            ],
            &[],
        );
        assert_eq!(first(&index, "Korçë mekanizmi i referimit"), "contact-korce");
        assert_eq!(first(&index, "mekanizmi i referimit"), "procedure-referral");
    }

    #[test]
    fn the_wording_leans_to_the_kind_of_entry_asked_for() {
        let body = "Kërcënimi me mesazhe.";
        let index = index(
            vec![
                entry("law-threats", Kind::Law, "Kërcënimi", &[], body),
                entry("safety-threats", Kind::Safety, "Kërcënimi", &[], body),
                entry("flow-threats", Kind::Flow, "Kërcënimi", &[], body),
            ],
            &[],
        );
        assert_eq!(first(&index, "a është krim kërcënimi"), "law-threats");
        assert_eq!(first(&index, "kërcënimi hap pas hapi"), "flow-threats");
        // no cue: not the flow (a direct entry answers first), and the law only on a tie
        assert_ne!(first(&index, "kërcënimi"), "flow-threats");
    }

    #[test]
    fn a_named_platform_leans_to_its_entries_and_an_unnamed_one_to_general_entries() {
        let index = index(
            vec![
                on_platform(
                    "facebook",
                    entry(
                        "platform-facebook-harassment",
                        Kind::Platform,
                        "Facebook – ngacmimi",
                        &["ngacmim"],
                        "",
                    ),
                ),
                on_platform(
                    "instagram",
                    entry(
                        "platform-instagram-harassment",
                        Kind::Platform,
                        "Instagram – ngacmimi",
                        &["ngacmim"],
                        "",
                    ),
                ),
                entry("safety-harassment", Kind::Safety, "Ngacmimi online", &["ngacmim"], ""),
            ],
            &[&["fb", "facebook", "fejsbuk"], &["insta", "instagram"]],
        );
        assert_eq!(first(&index, "ngacmim ne fb"), "platform-facebook-harassment");
        assert_eq!(first(&index, "ngacmim n'insta"), "platform-instagram-harassment");
        assert_eq!(first(&index, "ngacmim"), "safety-harassment");
    }

    #[test]
    fn the_glossary_finds_entries_that_use_another_word_of_a_group() {
        let index = index(
            vec![
                on_platform(
                    "facebook",
                    entry(
                        "platform-facebook",
                        Kind::Platform,
                        "Facebook",
                        &[],
                        "Raportoni në Facebook.",
                    ),
                ),
                entry("safety-other", Kind::Safety, "Diçka tjetër", &[], "Tjetër."),
            ],
            &[&["fb", "facebook", "fejsbuk"]],
        );
        assert_eq!(first(&index, "fejsbukut"), "platform-facebook");
        assert_eq!(first(&index, "fb"), "platform-facebook");
    }

    #[test]
    fn a_long_question_keeps_its_telling_words() {
        // 14 words, each in 5 of 40 entries' text, and two that only the stalking entry has, in its title: more
        // clauses than a query keeps, and the two telling ones must stay.
        let filler: Vec<String> = (1..=14).map(|j| format!("fjala{j:02}")).collect();
        let mut entries: Vec<Entry> = (0..40)
            .map(|i| {
                let body: Vec<&str> = filler
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| (i + j) % 8 == 0)
                    .map(|(_, w)| w.as_str())
                    .collect();
                entry(&format!("safety-{i:02}"), Kind::Safety, "Tema", &[], &body.join(" "))
            })
            .collect();
        entries.push(entry("law-stalking", Kind::Law, "Përndjekja me kamera", &[], "Neni."));
        let index = index(entries, &[]);
        let question = format!("{} perndjekja kamera", filler.join(" "));
        assert_eq!(first(&index, &question), "law-stalking");
    }
}
