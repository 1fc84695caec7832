//! How text becomes search terms, the same way at index and at query time.
//!
//! Albanian: lower-case, fold diacritics (ë→e, ç→c, ...) so text typed with or without them matches, drop stop
//! words, then a light stemmer for the common noun and verb endings (no Snowball stemmer exists for Albanian).
//! English: the same folding, English stop words and the Snowball English stemmer.

use crate::knowledge::Lang;

/// Lower-cases and folds diacritics: "Kërcënim" → "kercenim", "Përndjekja" → "perndjekja".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        for lower in c.to_lowercase() {
            out.push(fold_char(lower));
        }
    }
    out
}

fn fold_char(c: char) -> char {
    match c {
        'ë' | 'è' | 'é' | 'ê' | 'ē' | 'ė' | 'ę' => 'e',
        'ç' | 'ć' | 'č' => 'c',
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'đ' => 'd',
        '’' | '‘' | '`' | '´' => '\'',
        other => other,
    }
}

/// Splits folded text into words: runs of letters and digits. Apostrophes join Albanian elisions ("t'i" → "ti").
pub fn words(folded: &str) -> impl Iterator<Item = String> + '_ {
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.replace('\'', ""))
        .filter(|w| !w.is_empty() && w.chars().count() <= 40)
}

/// Albanian function words (folded). Kept short on purpose: words that carry meaning in questions ("ku", "si",
/// "kush") are stop words, but "me" (with/me), "ma" and "mos" stay out of the list's way only where they matter
/// to nothing; search never depends on one word alone.
pub const STOP_SQ: &[&str] = &[
    "a", "apo", "dhe", "e", "edhe", "i", "te", "ne", "nga", "per", "me", "se", "si", "qe", "ka", "kam", "kemi", "jam",
    "je", "eshte", "ishte", "jane", "ju", "ti", "une", "ai", "ajo", "ata", "ato", "do", "ta", "t", "u", "po", "nje",
    "ky", "kjo", "keto", "kete", "ketij", "kesaj", "ate", "atij", "asaj", "por", "ose", "mund", "duhet", "ku", "kur",
    "cfare", "cila", "cili", "cilat", "cilet", "sa", "tek", "te", "pa", "mbi", "nen", "prej", "deri", "mi", "mu", "ma",
    "na", "ua", "ia", "ja", "im", "ime", "tim", "time", "saj", "tij", "tyre", "jone", "juaj", "veta", "kush", "dot",
    "s", "sh", "the", "pse", "keni", "kane", "isha", "jemi", "jeni", "qenë", "qene", "nuk", "mos", "as", "pra", "dmth",
    "pak", "shume", "tani", "vetem", "gjithe", "ndonje", "dicka", "dikush", "ndaj", "kundra", "kunder",
];

/// English stop words (the usual short list, without words such as "not" or "me" that carry meaning here... and
/// "me" is kept out because Albanian "me" is everywhere in mixed text).
pub const STOP_EN: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "of", "on", "or",
    "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with", "i", "my",
    "do", "does", "did", "how", "what", "who", "where", "when", "can", "could", "should", "would", "you", "your", "he",
    "she", "his", "her", "him", "we", "our", "has", "have", "had", "am", "been", "so", "some", "about", "from",
    "which", "get", "got", "its", "me", "there", "out", "up", "any", "all", "just", "now", "not", "no",
];

/// Albanian endings, longest first. Stripped from the end of a folded word, keeping at least three letters.
const SQ_SUFFIXES: &[&str] = &[
    // verb forms: -oj, -on, -ojmë, -ojnë, -ova, -oi, -uar, passive -ohet..., nominal -im
    "oheshin", "imeve", "ohemi", "ohesh", "uarit", "uesit", "ueses", "ojme", "ojne", "onte", "onin", "ohet", "ohen",
    "ohem", "uara", "uari", "uese", "uesi", "imet", "imin", "imit", "ova", "oni", "uar", "ues", "imi", "ime", "oj",
    "on", "oi", "im", "ur", // noun endings: case, definiteness, plural
    "ave", "eve", "ive", "ete", "ate", "ite", "ute", "ve", "et", "at", "it", "ut", "in", "un", "en", "es", "se", "ne",
    "te", "ja", "ia", "je", "n", "s", "t", "i", "u", "a", "e",
];

const MIN_STEM: usize = 3;

/// A light Albanian stemmer over folded words: "kërcënimin", "kercenon", "kercenuar" → "kercen".
pub fn stem_sq(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) || !word.is_ascii() {
        return word.to_string();
    }
    let mut w = word.to_string();
    for _ in 0..2 {
        let Some(suffix) = SQ_SUFFIXES
            .iter()
            .find(|s| w.len() >= s.len() + MIN_STEM && w.ends_with(**s))
        else {
            break;
        };
        w.truncate(w.len() - suffix.len());
    }
    // The unstressed ë of a last syllable drops when the word is inflected: urdhër → urdhri, motër → motra.
    if w.len() > 4 && (w.ends_with("er") || w.ends_with("el")) {
        let b = w.as_bytes();
        if !is_vowel(b[b.len() - 3]) {
            w.remove(w.len() - 2);
        }
    }
    w
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The English Snowball stemmer.
pub fn stem_en(word: &str) -> String {
    thread_local! {
        static STEMMER: rust_stemmers::Stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    }
    STEMMER.with(|s| s.stem(word).into_owned())
}

pub fn is_stop(word: &str, lang: Lang) -> bool {
    match lang {
        Lang::Sq => STOP_SQ.contains(&word),
        Lang::En => STOP_EN.contains(&word),
    }
}

pub fn stem(word: &str, lang: Lang) -> String {
    match lang {
        Lang::Sq => stem_sq(word),
        Lang::En => stem_en(word),
    }
}

/// The terms a text contributes in one language: folded, stop words dropped, stemmed.
pub fn analyze(text: &str, lang: Lang) -> Vec<String> {
    let folded = fold(text);
    words(&folded)
        .filter(|w| !is_stop(w, lang))
        .map(|w| stem(&w, lang))
        .collect()
}

/// Like [`analyze`] but joined by spaces, ready for a whitespace-tokenized tantivy field.
pub fn analyzed_text(text: &str, lang: Lang) -> String {
    analyze(text, lang).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_makes_diacritics_optional() {
        assert_eq!(fold("Kërcënim, PËRNDJEKJE; Çfarë"), "kercenim, perndjekje; cfare");
        assert_eq!(fold("t’i"), "t'i");
    }

    #[test]
    fn nouns_share_a_stem_across_case_and_definiteness() {
        let forms = [
            "kercenim",
            "kercenimi",
            "kercenimin",
            "kercenimit",
            "kercenimet",
            "kercenimeve",
        ];
        for f in forms {
            assert_eq!(stem_sq(f), "kercen", "{f}");
        }
        for f in ["vajza", "vajzen", "vajzes", "vajzat", "vajzave", "vajze"] {
            assert_eq!(stem_sq(f), "vajz", "{f}");
        }
        for f in ["policia", "policine", "policise", "polici"] {
            assert_eq!(stem_sq(f), "polic", "{f}");
        }
        for f in ["llogari", "llogaria", "llogarine", "llogarise"] {
            assert_eq!(stem_sq(f), "llogar", "{f}");
        }
        for f in ["neni", "nenin", "nenit"] {
            assert_eq!(stem_sq(f), "nen", "{f}");
        }
    }

    #[test]
    fn verbs_share_a_stem_with_their_nouns() {
        for f in [
            "kercenoj",
            "kercenon",
            "kercenojne",
            "kercenova",
            "kercenoi",
            "kercenuar",
            "kercenohet",
        ] {
            assert_eq!(stem_sq(f), "kercen", "{f}");
        }
        for f in ["raportoj", "raporton", "raportuar", "raportim", "raporti", "raportohet"] {
            assert_eq!(stem_sq(f), "raport", "{f}");
        }
    }

    #[test]
    fn a_dropped_e_still_matches() {
        assert_eq!(stem_sq("urdher"), stem_sq("urdhri"));
        assert_eq!(stem_sq(&fold("urdhër")), stem_sq("urdhrin"));
    }

    #[test]
    fn short_words_and_numbers_are_kept() {
        assert_eq!(stem_sq("fb"), "fb");
        assert_eq!(stem_sq("129"), "129");
        assert_eq!(stem_sq("130a"), "130a");
        assert_eq!(stem_sq("ime"), "ime");
    }

    #[test]
    fn analysis_drops_stop_words_and_stems() {
        assert_eq!(
            analyze("Si të raportoj kërcënimet në Facebook?", Lang::Sq),
            vec!["raport", "kercen", "facebook"]
        );
        assert_eq!(
            analyze("How do I report threats on Facebook?", Lang::En),
            vec!["report", "threat", "facebook"]
        );
    }
}
