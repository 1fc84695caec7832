//! The glossary: groups of words and phrases that mean the same thing to the person asking (fb = facebook, nudes =
//! foto intime = intimate images, ...).
//!
//! Each group is one term of the index (see [`group_token`]): at index time an entry gets the group's term wherever
//! it says any phrase of the group, and a question that says any phrase of the group asks for that term. So a
//! question finds the entries that use another phrase of the group, at the cost of one query clause per group.
//!
//! Phrases match on word keys rather than exact spelling, so an inflected form finds its group too
//! ("fejsbukut" → "fejsbuk", "kërcënimet" → "kërcënim"): a word of five letters or more is keyed by its Albanian
//! stem, a shorter one by itself ("ish" must not match "isha").

use super::analysis::{fold, stem_sq, words};
use crate::knowledge::Glossary;
use rustc_hash::FxHashMap;

/// Words shorter than this match only exactly.
const MIN_STEMMED: usize = 5;

/// How a word is compared with the glossary.
pub fn key(word: &str) -> String {
    key_with(word, || stem_sq(word))
}

/// [`key`], given a way to the word's Albanian stem (one already computed, or a cached one).
pub(crate) fn key_with(word: &str, stem_sq: impl FnOnce() -> String) -> String {
    if word.len() >= MIN_STEMMED {
        stem_sq()
    } else {
        word.to_string()
    }
}

/// The index term that stands for a glossary group: it cannot come out of text analysis (which keeps only letters
/// and digits), so it never collides with a word.
pub(crate) fn group_token(group: usize) -> String {
    format!("_g{group}")
}

/// Whether the word at `at` of `keys` is used in its other sense, where a group has it as a word of its own:
/// "para" and Gheg "pare" are money, but also "before" ("para se", "para dy javësh", "para të gjithëve"), "parë"
/// also "first" ("herën e parë", "e para") and "seen" ("i ka parë").
fn other_sense(keys: &[String], at: usize) -> bool {
    let word = |i: Option<usize>| i.and_then(|i| keys.get(i)).map_or("", String::as_str);
    let (before, next, after) = (word(at.checked_sub(1)), word(Some(at + 1)), word(Some(at + 2)));
    match keys[at].as_str() {
        "para" | "pare" => {
            // an ordinal or a participle: "e para", "të parë", "ka parë" (not "kam para": that is money)
            matches!(before, "e" | "te" | "se" | "ka" | "kane" | "kan" | "kemi" | "keni" | "kishte" | "kishin")
                // a time or a place before: "para se", "para 3 muajsh", "para një viti", "para të gjithëve"
                || next == "se"
                || next.starts_with(|c: char| c.is_ascii_digit())
                || matches!(next, "nje" | "ni" | "dy" | "tre" | "tri" | "kater" | "disa" | "pak" | "gjithe" | "gjith")
                || (next == "te" && after.starts_with("gjith"))
        }
        _ => false,
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Synonyms {
    /// Each group as its phrases, each phrase as the keys of its words.
    groups: Vec<Vec<Vec<String>>>,
    /// Key of the first word of a phrase → (group, phrase) pairs that start with it.
    by_first: FxHashMap<String, Vec<(usize, usize)>>,
}

/// What a question's words matched in the glossary.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Expansion {
    /// The matched groups, by position in the glossary, in order of first occurrence.
    pub groups: Vec<usize>,
    /// For each matched group: the typed words its phrase covers (start, length).
    pub spans: Vec<(usize, usize)>,
}

impl Expansion {
    /// The groups whose matched phrase covers the typed word at `position`.
    pub fn covering(&self, position: usize) -> impl Iterator<Item = usize> + '_ {
        self.groups
            .iter()
            .zip(&self.spans)
            .filter(move |(_, (start, len))| (*start..start + len).contains(&position))
            .map(|(g, _)| *g)
    }
}

impl Synonyms {
    pub fn new(glossary: &Glossary) -> Synonyms {
        let mut s = Synonyms::default();
        for group in &glossary.groups {
            let phrases: Vec<Vec<String>> = group
                .iter()
                .map(|p| words(&fold(p)).map(|w| key(&w)).collect::<Vec<_>>())
                .filter(|p: &Vec<String>| !p.is_empty())
                .collect();
            if phrases.len() < 2 {
                continue;
            }
            let g = s.groups.len();
            for (p, phrase) in phrases.iter().enumerate() {
                s.by_first.entry(phrase[0].clone()).or_default().push((g, p));
            }
            s.groups.push(phrases);
        }
        s
    }

    /// A group's first phrase (the keys of its words): what names the group whatever its position.
    pub fn first_phrase(&self, group: usize) -> &[String] {
        self.groups
            .get(group)
            .and_then(|g| g.first())
            .map_or(&[], Vec::as_slice)
    }

    /// How many groups the glossary has.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Every phrase of some group that starts at some word of `keys` (the [`key`]s of folded words), as (start,
    /// group, length in words), by start.
    fn matches<'a>(&'a self, keys: &'a [String]) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
        keys.iter().enumerate().flat_map(move |(start, first)| {
            self.by_first
                .get(first)
                .into_iter()
                .flatten()
                .map(|&(g, p)| (g, &self.groups[g][p]))
                .filter(move |(_, phrase)| keys[start..].starts_with(phrase))
                .filter(move |(_, phrase)| phrase.len() > 1 || !other_sense(keys, start))
                .map(move |(g, phrase)| (start, g, phrase.len()))
        })
    }

    /// Every occurrence of a phrase of some group in a text, given as the [`key`]s of its folded words, as the
    /// group (a group once per starting word). Used at index time: an entry that says "fb" or "Facebook" carries
    /// the group's term.
    pub(crate) fn occurrences(&self, keys: &[String]) -> Vec<usize> {
        let mut out = Vec::new();
        // (start word, where its groups begin in `out`)
        let mut at = (usize::MAX, 0);
        for (start, g, _) in self.matches(keys) {
            if start != at.0 {
                at = (start, out.len());
            }
            if !out[at.1..].contains(&g) {
                out.push(g);
            }
        }
        out
    }

    /// The groups whose phrases occur in `typed` (folded words), in order of first occurrence.
    pub(crate) fn groups_in(&self, typed: &[String]) -> Vec<usize> {
        self.expand(typed).groups
    }

    /// The groups whose phrases occur in `typed` (folded words), and where.
    pub(crate) fn expand(&self, typed: &[String]) -> Expansion {
        let keys: Vec<String> = typed.iter().map(|w| key(w)).collect();
        self.expand_keys(&keys)
    }

    /// [`Synonyms::expand`] over the words' [`key`]s.
    pub(crate) fn expand_keys(&self, keys: &[String]) -> Expansion {
        let mut out = Expansion::default();
        for (start, g, len) in self.matches(keys) {
            if !out.groups.contains(&g) {
                out.groups.push(g);
                out.spans.push((start, len));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glossary() -> Synonyms {
        Synonyms::new(&Glossary {
            groups: vec![
                vec!["fb".into(), "facebook".into(), "fejsbuk".into()],
                vec!["nudes".into(), "foto intime".into(), "intimate images".into()],
                vec!["ish".into(), "ex".into()],
            ],
        })
    }

    #[test]
    fn finds_words_and_phrases() {
        let s = glossary();
        let typed: Vec<String> = words("me postoi nudes ne fb").collect();
        let got = s.expand(&typed);
        assert_eq!(got.groups, vec![1, 0]);
        assert_eq!(got.spans, vec![(2, 1), (4, 1)]);
        let typed: Vec<String> = words("kam foto intime").collect();
        let got = s.expand(&typed);
        assert_eq!(got.groups, vec![1]);
        assert_eq!(got.covering(2).collect::<Vec<_>>(), vec![1]);
        assert_eq!(got.covering(0).count(), 0);
        assert!(s.expand(&["foto".to_string()]).groups.is_empty());
    }

    #[test]
    fn a_word_used_in_its_other_sense_finds_no_group() {
        let s = Synonyms::new(&Glossary {
            groups: vec![vec!["para".into(), "pare".into(), "money".into()]],
        });
        for q in ["kerkon para", "s'kom pare per avokat", "avokat pa pare"] {
            assert_eq!(s.groups_in(&words(q).collect::<Vec<_>>()), vec![0], "{q}");
        }
        for q in [
            "para se ta bllokoj",
            "para 3 javesh",
            "para nje viti",
            "para te gjitheve",
            "hapat e pare",
            "per here te pare",
            "i ka pare fotot",
        ] {
            assert!(s.groups_in(&words(q).collect::<Vec<_>>()).is_empty(), "{q}");
        }
    }

    #[test]
    fn occurrences_count_every_mention() {
        let s = glossary();
        let text: Vec<String> = words(&fold("Facebook: raportoni në fb; foto intime në Facebook"))
            .map(|w| key(&w))
            .collect();
        assert_eq!(s.occurrences(&text), vec![0, 0, 1, 0]);
    }

    #[test]
    fn inflected_forms_find_their_group_but_short_words_match_exactly() {
        let s = glossary();
        let typed: Vec<String> = words("ma vodhen llogarine e fejsbukut").collect();
        assert_eq!(s.groups_in(&typed), vec![0]);
        let typed: Vec<String> = words("kur isha 15 vjec").collect();
        assert!(s.expand(&typed).groups.is_empty());
        assert_eq!(s.groups_in(&["ish".to_string(), "burri".to_string()]), vec![2]);
    }
}
