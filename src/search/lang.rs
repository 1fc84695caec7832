//! Which language a question is written in: Albanian letters and function words against English ones.
//! When the text does not tell (a single word, a platform name), the user's own setting wins.

use rustc_hash::FxHashSet;
use std::sync::LazyLock;

use crate::knowledge::Lang;

const SQ_WORDS: &[&str] = &[
    "dhe",
    "te",
    "ne",
    "nje",
    "eshte",
    "jam",
    "kam",
    "ka",
    "me",
    "si",
    "ku",
    "qe",
    "per",
    "nga",
    "nuk",
    "po",
    "mund",
    "dua",
    "duhet",
    "cfare",
    "kush",
    "sa",
    "ma",
    "mi",
    "mua",
    "tim",
    "time",
    "im",
    "ime",
    "mia",
    "ish",
    "burri",
    "dikush",
    "llogari",
    "llogaria",
    "foto",
    "fotot",
    "mesazhe",
    "kercenon",
    "ndihme",
    "policia",
    "policine",
    "urdher",
    "urdhri",
    "raportoj",
    "raportohet",
    "dhuna",
    "dhune",
    "rasti",
    "rastin",
    "neni",
    "nenin",
    "ligji",
    "ligj",
    "dot",
    "hyj",
    "nuk",
    "tani",
    "pse",
    "kur",
    "une",
    "ai",
    "ajo",
    "keq",
    "bej",
    "ben",
    "bo",
    "ta",
    "ti",
    "e",
    "i",
    "u",
    "apo",
    "edhe",
    "pra",
];
const EN_WORDS: &[&str] = &[
    "the",
    "and",
    "is",
    "are",
    "my",
    "me",
    "i",
    "how",
    "what",
    "who",
    "where",
    "when",
    "to",
    "of",
    "on",
    "in",
    "a",
    "he",
    "she",
    "it",
    "do",
    "does",
    "can",
    "someone",
    "account",
    "photos",
    "pictures",
    "report",
    "help",
    "posted",
    "threatens",
    "threat",
    "police",
    "order",
    "protection",
    "ex",
    "boyfriend",
    "husband",
    "with",
    "for",
    "from",
    "has",
    "have",
    "was",
    "this",
    "that",
    "get",
    "want",
    "need",
    "please",
    "hacked",
    "fake",
    "profile",
    "you",
    "your",
    "which",
    "law",
    "article",
    "case",
    "there",
    "not",
    "don't",
    "dont",
    "can't",
    "cant",
    "won't",
    "they",
    "them",
    "about",
];

static SQ: LazyLock<FxHashSet<&str>> = LazyLock::new(|| SQ_WORDS.iter().copied().collect());
static EN: LazyLock<FxHashSet<&str>> = LazyLock::new(|| EN_WORDS.iter().copied().collect());

/// Whether the text has ë or ç, letters only Albanian uses.
pub(crate) fn has_albanian_letters(text: &str) -> bool {
    text.contains(['ë', 'ç', 'Ë', 'Ç'])
}

/// The language of a text from its folded words (see [`words`](super::analysis::words)), given whether it has Albanian letters, or
/// `fallback` when they give no clear sign.
pub(crate) fn detect_words(albanian_letters: bool, typed: &[String], fallback: Lang) -> Lang {
    let mut sq = 0i32;
    let mut en = 0i32;
    if albanian_letters {
        sq += 3;
    }
    for w in typed {
        let w = w.as_str();
        let in_sq = SQ.contains(w);
        let in_en = EN.contains(w);
        match (in_sq, in_en) {
            (true, false) => sq += 2,
            (false, true) => en += 2,
            // "me", "i", "a", "ti": both languages use them.
            (true, true) => {}
            (false, false) => {
                if w.ends_with("ing") || w.ends_with("ed") && w.len() > 4 {
                    en += 1;
                } else if w.ends_with("oj")
                    || w.ends_with("on") && !w.ends_with("ion")
                    || w.ends_with("uar")
                    || w.ends_with("ve")
                {
                    sq += 1;
                }
            }
        }
    }
    if sq > en {
        Lang::Sq
    } else if en > sq {
        Lang::En
    } else {
        fallback
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analysis::{fold, words};

    /// The language of `text`, or `fallback` when the text gives no clear sign.
    fn detect(text: &str, fallback: Lang) -> Lang {
        let typed: Vec<String> = words(&fold(text)).collect();
        detect_words(has_albanian_letters(text), &typed, fallback)
    }

    #[test]
    fn detects_albanian_with_and_without_diacritics() {
        assert_eq!(detect("dikush hapi llogari false me foton time", Lang::En), Lang::Sq);
        assert_eq!(detect("si merret urdheri i mbrojtjes", Lang::En), Lang::Sq);
        assert_eq!(detect("Më kërcënon", Lang::En), Lang::Sq);
        assert_eq!(detect("nuk hyj dot ne insta, ma ndryshuan emailin", Lang::En), Lang::Sq);
    }

    #[test]
    fn detects_english() {
        assert_eq!(detect("he posted my nudes on a group", Lang::Sq), Lang::En);
        assert_eq!(detect("how do I report a fake account", Lang::Sq), Lang::En);
    }

    #[test]
    fn falls_back_when_unsure() {
        assert_eq!(detect("instagram", Lang::En), Lang::En);
        assert_eq!(detect("instagram", Lang::Sq), Lang::Sq);
        assert_eq!(detect("", Lang::Sq), Lang::Sq);
    }
}
