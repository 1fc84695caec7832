//! Albanian as it is typed: a question's words mapped to the words the knowledge uses, before anything else reads
//! them.
//!
//! Two steps, in order:
//! 1. **Variants** from `knowledge/variants.yaml`, kept by maintainers: Gheg and chat forms ("shpi" → "shtepi",
//!    "munet" → "mundet"), everyday names ("komisariati" → "polici"), misspelt platforms ("twiter" → "twitter").
//! 2. **Letter skeletons** for words neither the knowledge nor the glossary has: the way people swap and double
//!    letters in chat (ç typed as c or ch, q for k, xh as x, y as i, "rr"/"ll" and any doubled letter as one) is
//!    folded away, and a word whose skeleton is that of a word of the knowledge becomes that word ("mbyl" →
//!    "mbyll", "xhelozi" → "xhelozia"'s siblings, "kercnim" stays for the typo step). What is still unknown is left
//!    to typo tolerance in [`super::query`].

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};

use super::analysis::{fold, words};
use crate::knowledge::{Glossary, Variants};

/// Shortest word whose skeleton is looked up: shorter ones collide too easily.
const MIN_SKELETON_CHARS: usize = 4;

/// The spelling side of an index: built once from the knowledge, read by every question.
#[derive(Debug, Default)]
pub(crate) struct Spelling {
    /// Folded variant → folded standard words.
    variants: FxHashMap<String, Vec<String>>,
    /// Words of the knowledge and the glossary (folded): never rewritten.
    known: FxHashSet<String>,
    /// Skeleton → the word of the knowledge it stands for (the first in sorted order when several share one).
    skeletons: FxHashMap<String, String>,
}

impl Spelling {
    /// `knowledge_words`: every folded word of the knowledge's text.
    pub(crate) fn new<'a>(
        variants: &Variants,
        glossary: &Glossary,
        knowledge_words: impl Iterator<Item = &'a str>,
    ) -> Spelling {
        let mut known: FxHashSet<String> = knowledge_words.map(str::to_string).collect();
        for group in &glossary.groups {
            for phrase in group {
                known.extend(words(&fold(phrase)));
            }
        }
        let mut sorted: Vec<&String> = known.iter().collect();
        sorted.sort();
        let mut skeletons: FxHashMap<String, String> = FxHashMap::default();
        for word in sorted {
            if word.chars().count() >= MIN_SKELETON_CHARS && word.chars().all(char::is_alphabetic) {
                skeletons.entry(skeleton(word)).or_insert_with(|| word.clone());
            }
        }
        let variants = variants
            .words
            .iter()
            .map(|(variant, standard)| (fold(variant), words(&fold(standard)).collect()))
            .collect();
        Spelling {
            variants,
            known,
            skeletons,
        }
    }

    /// Folded text with its words as the knowledge would write them; everything between words (punctuation,
    /// apostrophes, emoji) stays as it was, so what reads the text still sees how it was said.
    pub(crate) fn rewrite<'t>(&self, folded: &'t str) -> Cow<'t, str> {
        let mut out = String::new();
        let mut copied = 0;
        for (start, word) in word_runs(folded) {
            let end = start + word.len();
            if let Some(full) = elision(word).filter(|_| elided(&folded[end..])) {
                // "m'ka" → "me ka", as `words` reads it
                out.push_str(&folded[copied..start]);
                out.push_str(full);
                out.push(' ');
                copied = end + 1;
            } else if let Some(standard) = self.standard(word) {
                out.push_str(&folded[copied..start]);
                out.push_str(&standard);
                copied = end;
            }
        }
        if copied == 0 {
            return Cow::Borrowed(folded);
        }
        out.push_str(&folded[copied..]);
        Cow::Owned(out)
    }

    /// The standard form of a word, when it has another: a variant's, or the word of the knowledge with the same
    /// letter skeleton.
    fn standard(&self, word: &str) -> Option<String> {
        if let Some(standard) = self.variants.get(word) {
            return Some(standard.join(" "));
        }
        if self.known.contains(word) || word.chars().count() < MIN_SKELETON_CHARS {
            return None;
        }
        self.skeletons.get(&skeleton(word)).cloned()
    }
}

/// The full form of a one-letter Albanian elision ("m'", "n'", "t'"), as [`words`] reads it.
fn elision(word: &str) -> Option<&'static str> {
    match word {
        "m" => Some("me"),
        "n" => Some("ne"),
        "t" => Some("te"),
        _ => None,
    }
}

/// Whether what follows a word is an apostrophe and then a word: the word was elided.
fn elided(rest: &str) -> bool {
    let mut chars = rest.chars();
    chars.next() == Some('\'') && chars.next().is_some_and(char::is_alphanumeric)
}

/// The runs of letters and digits in a text, with where each starts.
fn word_runs(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// A folded word with the letter swaps of chat Albanian folded away: "ch" and "c" (for ç), "q" and "k", "xh"
/// and "x", "y" and "i", and doubled letters ("rr", "ll", "shtepii") as one.
pub(crate) fn skeleton(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let mapped = match (c, chars.peek()) {
            ('c', Some('h')) | ('x', Some('h')) => {
                chars.next();
                c
            }
            ('q', _) => 'k',
            ('y', _) => 'i',
            _ => c,
        };
        if !out.ends_with(mapped) {
            out.push(mapped);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelling(variants: &[(&str, &str)], knowledge: &[&str]) -> Spelling {
        let variants = Variants {
            words: variants.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        };
        let glossary = Glossary {
            groups: vec![vec!["fejsbuk".into(), "facebook".into()]],
        };
        Spelling::new(&variants, &glossary, knowledge.iter().copied())
    }

    fn norm(s: &Spelling, text: &str) -> Vec<String> {
        words(&s.rewrite(&fold(text))).collect()
    }

    #[test]
    fn skeletons_fold_chat_letter_swaps() {
        assert_eq!(skeleton("mbyll"), skeleton("mbyl"));
        assert_eq!(skeleton("rreh"), skeleton("reh"));
        assert_eq!(skeleton("chka"), skeleton("cka"));
        assert_eq!(skeleton("xhelozia"), skeleton("xelozia"));
        assert_eq!(skeleton("qysh"), skeleton("kish"));
        assert_ne!(skeleton("polici"), skeleton("police"));
    }

    #[test]
    fn variants_come_first_then_skeletons_then_the_word_as_typed() {
        let s = spelling(
            &[("shpi", "shtepi"), ("komisariati", "polici")],
            &["shtepi", "polici", "mbyllur", "kercenim"],
        );
        assert_eq!(norm(&s, "Shpi"), ["shtepi"]);
        assert_eq!(norm(&s, "n'komisariati"), ["ne", "polici"]);
        assert_eq!(norm(&s, "mbylur"), ["mbyllur"]);
        assert_eq!(norm(&s, "kercnim"), ["kercnim"]);
        // glossary words and short words are never rewritten
        assert_eq!(norm(&s, "fejsbuk"), ["fejsbuk"]);
        assert_eq!(norm(&s, "shpi ime"), ["shtepi", "ime"]);
        assert_eq!(s.rewrite("n'shpi, tash 😂"), "ne shtepi, tash 😂");
    }
}
