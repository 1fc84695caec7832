//! From what a person typed to ranked entries. User text is never parsed as query syntax: the query is built from
//! analysed words, so `AND`, `"`, `*`, `field:value`, emoji or control characters are just text.

use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::analysis::{fold, is_stop, stem, words};
use super::index::{SearchIndex, TermInfo};
use super::synonyms::{Expansion, group_token};
use super::{emergency, lang as langdetect};
use crate::knowledge::{Audience, Entry, Kind, Lang};

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
/// A question about the law ("a është krim", "cili nen", "penalty") leans to law entries.
const LAW_LEAN: f32 = 1.3;
/// "hap pas hapi", "step by step": leans to the guided flows.
const FLOW_LEAN: f32 = 1.3;
/// A named platform leans to that platform's entries and away from other platforms' entries; a question naming no
/// platform leans a little to the general entries (a hacked account is a hacked account on any platform).
const PLATFORM_NAMED: f32 = 1.3;
const PLATFORM_OTHER: f32 = 0.75;
const PLATFORM_UNNAMED: f32 = 0.9;
/// How much it counts that an entry covers every word of the question (itself or through the glossary), not just
/// some of them: the score is multiplied by `1 - COVERAGE + COVERAGE * covered / words`. An entry that speaks of
/// "Korçë" and "the referral mechanism" beats one that speaks of the mechanism at length but not of Korçë. Only
/// exact terms count, so this also keeps exact matches above typo matches.
const COVERAGE: f32 = 0.8;

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
fn audience_lean(typed: &[String], lang: Lang) -> Option<Audience> {
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
    // English "I": Albanian "i" is a particle ("urdhri i mbrojtjes").
    const VICTIM_EN: &[&str] = &["i", "im", "ive", "id"];
    let mut provider = 0;
    let mut victim = 0;
    for w in typed {
        if PROVIDER.contains(&w.as_str()) {
            provider += 2;
        } else if VICTIM.contains(&w.as_str()) || (lang == Lang::En && VICTIM_EN.contains(&w.as_str())) {
            victim += 1;
        }
    }
    match provider.cmp(&victim) {
        std::cmp::Ordering::Greater => Some(Audience::Provider),
        std::cmp::Ordering::Less => Some(Audience::Victim),
        std::cmp::Ordering::Equal => None,
    }
}

/// Words that ask about the law: what is punished, which article, whether something is a crime.
const LAW_WORDS: &[&str] = &[
    "neni", "nenin", "nenit", "nenet", "neneve", "ligj", "ligji", "ligjit", "ligjin", "ligjet", "krim", "krime",
    "krimi", "denim", "denimi", "denimin", "denohet", "denohen", "denuar", "denon", "denoj", "penal", "penale",
    "penalisht", "burg", "burgim", "burgu", "paligjshem", "paligjshme", "paligjshëm", "dispozita", "dispozite",
    "ndeshkohet", "law", "laws", "crime", "crimes", "criminal", "illegal", "penalty", "penalties", "punish",
    "punished", "punishable", "punishment", "article", "offence", "offense", "prison", "jail", "legislation",
    "statute", "legal", "lawful", "unlawful",
];

/// Whether the question asks about the law. "nen" is also "under" ("nën 18"), and "krim kibernetik" names the
/// cybercrime police rather than asking whether something is a crime.
fn asks_about_law(typed: &[String]) -> bool {
    typed.iter().enumerate().any(|(i, w)| {
        let next = typed.get(i + 1).map(String::as_str).unwrap_or("");
        match w.as_str() {
            "nen" => !next.chars().next().is_some_and(|c| c.is_ascii_digit()) || next.len() > 2,
            "krim" | "krimi" | "krime" | "krimet" => !next.starts_with("kibernetik") && !next.starts_with("kompjuterik"),
            w => LAW_WORDS.contains(&w),
        }
    })
}

/// Whether the question asks to be guided step by step.
fn asks_for_steps(typed: &[String]) -> bool {
    let has = |phrase: &[&str]| typed.windows(phrase.len()).any(|win| win.iter().zip(phrase).all(|(a, b)| a == b));
    has(&["hap", "pas", "hapi"])
        || has(&["step", "by", "step"])
        || has(&["walk", "me", "through"])
        || has(&["guide", "me"])
        || typed.iter().any(|w| w.starts_with("udhezo") || w.starts_with("udhezim"))
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
        // (language, term number) already asked for
        let mut seen: Vec<(Lang, u32)> = Vec::new();
        let ends_mid_word = text.chars().last().is_some_and(char::is_alphanumeric);

        let expansion = self.synonyms.expand(&typed);
        for (i, word) in typed.iter().enumerate() {
            let stems = Lang::ALL.map(|l| (l, stem(word, l)));
            let infos = stems.each_ref().map(|(l, term)| (*l, term, self.known(term, *l)));
            // A word the index has in either language is no typo: it is looked up exactly, in the fields that have
            // it. Only a word it has nowhere is looked up typo-tolerant (and, while being typed, as a prefix), in the
            // question's language.
            let known_somewhere = infos.iter().any(|(l, _, info)| info.is_some() && !is_stop(word, *l));
            for (query_lang, term, info) in infos {
                if is_stop(word, query_lang) {
                    continue;
                }
                let lang_weight = if query_lang == lang { 1.0 } else { OTHER_LANG_WEIGHT };
                if let Some(info) = info {
                    self.add_exact(&mut clauses, &mut seen, query_lang, term, info, lang_weight);
                } else if !known_somewhere && query_lang == lang {
                    let is_prefix = i + 1 == typed.len() && ends_mid_word;
                    self.add_fuzzy(&mut clauses, query_lang, term, lang_weight, word, is_prefix);
                }
            }
        }
        // The glossary: each group the question names is one term (see `index`), found in every entry that says
        // any of the group's phrases.
        for &g in &expansion.groups {
            let token = group_token(g);
            for query_lang in Lang::ALL {
                let lang_weight = if query_lang == lang { 1.0 } else { OTHER_LANG_WEIGHT };
                if let Some(info) = self.known(&token, query_lang) {
                    self.add_exact(&mut clauses, &mut seen, query_lang, &token, info, lang_weight * SYNONYM_WEIGHT);
                }
            }
        }
        if clauses.is_empty() {
            return Vec::new();
        }
        let query = BooleanQuery::new(clauses);
        let wanted = (limit * 3).max(20);
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(wanted).order_by_score()) else {
            return Vec::new();
        };
        let lean = audience_lean(&typed, lang);
        let law = asks_about_law(&typed);
        let steps = asks_for_steps(&typed);
        let named_platform = expansion.groups.iter().any(|&g| self.platform_groups.get(g) == Some(&true));
        let entries = self.knowledge.entries();
        let mut ranked: Vec<(Hit, usize)> = top
            .into_iter()
            .filter_map(|(score, addr)| {
                let &i = self.doc_entry.get(&(addr.segment_ord, addr.doc_id))?;
                let entry = entries.get(i)?.clone();
                let mut factor = match (lean, entry.audience) {
                    (Some(want), got) if got == want => AUDIENCE_LEAN,
                    _ => 1.0,
                };
                match entry.kind {
                    Kind::Law if law => factor *= LAW_LEAN,
                    Kind::Flow if steps => factor *= FLOW_LEAN,
                    Kind::Platform => {
                        let own = &self.entry_platforms[i];
                        factor *= if !named_platform {
                            PLATFORM_UNNAMED
                        } else if own.iter().any(|g| expansion.groups.contains(g)) {
                            PLATFORM_NAMED
                        } else {
                            PLATFORM_OTHER
                        };
                    }
                    _ => {}
                }
                Some((
                    Hit {
                        entry,
                        score: score * factor,
                    },
                    i,
                ))
            })
            .collect();
        let concepts = self.concepts(&typed, &expansion);
        if !concepts.is_empty() {
            for (hit, i) in &mut ranked {
                let Some(terms) = self.entry_terms.get(*i) else {
                    continue;
                };
                let covered = concepts
                    .iter()
                    .filter(|ids| ids.iter().any(|id| terms.binary_search(id).is_ok()))
                    .count();
                hit.score *= 1.0 - COVERAGE + COVERAGE * covered as f32 / concepts.len() as f32;
            }
        }
        let mut hits: Vec<Hit> = ranked.into_iter().map(|(hit, _)| hit).collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entry.id.cmp(&b.entry.id)));
        hits.truncate(limit);
        hits
    }

    /// The question's words that carry meaning, each as the numbers of the terms that stand for it in the index:
    /// its stem in either language and the words of its glossary groups. Words the index has never seen (typos)
    /// are left out: no entry covers them exactly.
    fn concepts(&self, typed: &[String], expansion: &Expansion) -> Vec<Vec<u32>> {
        let mut concepts: Vec<Vec<u32>> = Vec::new();
        for (i, word) in typed.iter().enumerate() {
            if Lang::ALL.iter().any(|&l| is_stop(word, l)) {
                continue;
            }
            let mut ids: Vec<u32> = Vec::new();
            let groups = expansion.covering(i).map(group_token);
            for term in Lang::ALL.map(|l| stem(word, l)).into_iter().chain(groups) {
                if let Some(info) = self.vocabulary.get(&term)
                    && !ids.contains(&info.id)
                {
                    ids.push(info.id);
                }
            }
            if !ids.is_empty() && !concepts.contains(&ids) {
                concepts.push(ids);
            }
        }
        concepts
    }

    /// What the index knows of a term in one language's fields, if it has it there.
    fn known(&self, term: &str, lang: Lang) -> Option<TermInfo> {
        self.vocabulary.get(term).copied().filter(|info| info.in_lang(lang) != 0)
    }

    /// A term the index has: one clause for each field of the language that has it.
    fn add_exact(
        &self,
        clauses: &mut Vec<(Occur, Box<dyn Query>)>,
        seen: &mut Vec<(Lang, u32)>,
        lang: Lang,
        term: &str,
        info: TermInfo,
        weight: f32,
    ) {
        if seen.contains(&(lang, info.id)) {
            return;
        }
        seen.push((lang, info.id));
        let present = info.in_lang(lang);
        for (n, (field, boost)) in self.fields.lang(lang).all().into_iter().enumerate() {
            if present & (1 << n) == 0 {
                continue;
            }
            let q = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
            clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost * weight))));
        }
    }

    /// A word the index has never seen: typo-tolerant (edit distance 1 for longer words, 2 for long ones) and, for
    /// the word being typed, as a prefix. Both count less than an exact match.
    fn add_fuzzy(
        &self,
        clauses: &mut Vec<(Occur, Box<dyn Query>)>,
        lang: Lang,
        term: &str,
        weight: f32,
        word: &str,
        is_prefix: bool,
    ) {
        let chars = word.chars().count();
        let distance = match chars {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        for (field, boost) in self.fields.lang(lang).all() {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_lean_from_wording() {
        let typed = |s: &str| words(&fold(s)).collect::<Vec<_>>();
        assert_eq!(
            audience_lean(&typed("si ta referoj rastin te koordinatori"), Lang::Sq),
            Some(Audience::Provider)
        );
        assert_eq!(
            audience_lean(&typed("ish i dashuri më kërcënon"), Lang::Sq),
            Some(Audience::Victim)
        );
        assert_eq!(audience_lean(&typed("facebook"), Lang::Sq), None);
        assert_eq!(audience_lean(&typed("how can I get a protection order"), Lang::En), Some(Audience::Victim));
        assert_eq!(audience_lean(&typed("urdhri i mbrojtjes"), Lang::Sq), None);
    }

    #[test]
    fn legal_and_step_by_step_questions_are_recognised() {
        let typed = |s: &str| words(&fold(s)).collect::<Vec<_>>();
        for q in ["a është krim kërcënimi", "cili nen e mbulon", "is hacking a crime", "what is the penalty"] {
            assert!(asks_about_law(&typed(q)), "{q}");
        }
        for q in ["jam nen 18", "policia e krimit kibernetik", "si ta bllokoj"] {
            assert!(!asks_about_law(&typed(q)), "{q}");
        }
        assert!(asks_for_steps(&typed("më ndihmo hap pas hapi")));
        assert!(asks_for_steps(&typed("walk me through it step by step")));
        assert!(!asks_for_steps(&typed("hapi nje profil")));
    }

    #[test]
    fn cleaning_drops_control_characters_and_caps_length() {
        assert_eq!(clean("a\u{0}b\u{7}c"), "abc");
        assert_eq!(clean(&"x".repeat(5000)).chars().count(), MAX_QUERY_CHARS);
    }
}
