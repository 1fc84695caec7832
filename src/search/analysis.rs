//! How text becomes search terms, the same way at index and at query time.
//!
//! Albanian: lower-case, fold diacritics (ë→e, ç→c, ...) so text typed with or without them matches, drop stop
//! words, then a light stemmer for the common noun and verb endings (no Snowball stemmer exists for Albanian).
//! English: the same folding, English stop words and the Snowball English stemmer.

use std::sync::LazyLock;

use crate::knowledge::{Bilingual, Lang};
use rustc_hash::{FxHashMap, FxHashSet};

/// 🆘, read as the word "sos".
const SOS_EMOJI: char = '\u{1F198}';

/// Lower-cases and folds diacritics: "Kërcënim" → "kercenim", "Përndjekja" → "perndjekja"; 🆘 becomes "sos".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        if c == SOS_EMOJI {
            // The emoji is the word: a cry for help typed with one tap.
            out.push_str(" sos ");
            continue;
        }
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

/// Splits folded text into words: runs of letters and digits.
///
/// Apostrophes: a one-letter Albanian elision before a word is a word of its own, as if typed in full
/// ("n'tiktok" → "ne tiktok", "m'kercnon" → "me kercnon", "s'kam" → "s kam", "ç'" → "cfare"); an English "'s" is
/// dropped ("partner's" → "partner"); any other apostrophe joins ("don't" → "dont").
pub fn words(folded: &str) -> impl Iterator<Item = String> + '_ {
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .flat_map(split_elision)
        .filter(|w| !w.is_empty() && w.chars().count() <= 40)
}

/// One raw token (letters, digits and apostrophes) as one or two words (the second may be empty).
fn split_elision(token: &str) -> [String; 2] {
    if !token.contains('\'') {
        return [token.to_string(), String::new()];
    }
    let token = token.trim_matches('\'');
    if let Some((head, rest)) = token.split_once('\'')
        && !rest.is_empty()
    {
        let full = match head {
            "m" => Some("me"),
            "n" => Some("ne"),
            "t" => Some("te"),
            "s" => Some("s"),
            "c" => Some("cfare"),
            _ => None,
        };
        if let Some(full) = full {
            return [full.to_string(), rest.replace('\'', "")];
        }
        if rest == "s" {
            return [head.to_string(), String::new()];
        }
    }
    [token.replace('\'', ""), String::new()]
}

/// Albanian function words (folded), Tosk and Gheg. Words that carry meaning in questions ("ku", "si", "kush") are
/// stop words too: search never depends on one word alone. Negation ("nuk", "mos") is dropped as well: it does not
/// tell one entry from another.
pub(crate) const STOP_SQ: &[&str] = &[
    "a", "apo", "dhe", "e", "edhe", "i", "te", "ne", "nga", "per", "me", "se", "si", "qe", "ka", "kam", "kemi", "jam",
    "je", "eshte", "ishte", "jane", "ju", "ti", "une", "ai", "ajo", "ata", "ato", "do", "ta", "t", "u", "po", "nje",
    "ky", "kjo", "keto", "kete", "ketij", "kesaj", "ate", "atij", "asaj", "por", "ose", "mund", "duhet", "ku", "kur",
    "cfare", "cila", "cili", "cilat", "cilet", "sa", "tek", "pa", "mbi", "nen", "prej", "deri", "mi", "mu", "ma", "na",
    "ua", "ia", "ja", "im", "ime", "tim", "time", "saj", "tij", "tyre", "jone", "juaj", "veta", "kush", "dot", "s",
    "sh", "the", "pse", "keni", "kane", "isha", "jemi", "jeni", "qene", "nuk", "mos", "as", "pra", "dmth", "pak",
    "shume", "tani", "vetem", "gjithe", "ndonje", "dicka", "dikush", "ndaj", "kundra", "kunder", "ketu", "atje",
    "keshtu", "ketyre", "atyre", "dikujt", "dike", "cdo", "nese", "sepse", "pasi", "sikur", "tjeter", "tjere", "tjera",
    "gje", "tia", "mia", "tu", "jo", "pastaj", "ose",
    // Gheg and colloquial forms of the same function words
    "asht", "osht", "ashte", "jan", "jon", "kom", "kena", "kan", "muj", "mujn", "mundem", "tash", "qysh", "kah", "cka",
    "nji", "ni", "ktu", "ktyne", "kta", "kto", "spo", "sdi", "ska", "nk", "nqs", "tem", "teme",
];

/// English stop words (the usual short list, without words such as "not" or "me" that carry meaning here... and
/// "me" is kept out because Albanian "me" is everywhere in mixed text).
pub(crate) const STOP_EN: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "of", "on", "or",
    "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with", "i", "my",
    "do", "does", "did", "how", "what", "who", "where", "when", "can", "could", "should", "would", "you", "your", "he",
    "she", "his", "her", "him", "we", "our", "has", "have", "had", "am", "been", "so", "some", "about", "from",
    "which", "get", "got", "its", "me", "there", "out", "up", "any", "all", "just", "now", "not", "no",
];

/// Albanian endings, longest first. Stripped from the end of a folded word, keeping at least three letters.
const SQ_SUFFIXES: &[&str] = &[
    // verb forms: -oj, -on, -ojmë, -ojnë, -ojë, -ova, -oi, -uan, -uar, passive -ohet..., 2nd person -osh, nominal -im,
    // participles and nouns of -aj verbs (shpërndau, shpërndarë, shpërndarje);
    // noun endings: case, definiteness, plural (-jen/-jes of nouns in -je, -ash/-esh of the plural ablative)
    "oheshin", "imeve", "ohemi", "ohesh", "uarit", "uesit", "ueses", "ojme", "ojne", "onte", "onin", "ohet", "ohen",
    "ohem", "uara", "uari", "uese", "uesi", "imet", "imin", "imit", "jeve", "arje", "arja", "ova", "oni", "ojn", "oje",
    "uar", "uan", "ues", "imi", "ime", "osh", "esh", "ash", "jen", "jes", "jet", "are", "ara", "ave", "eve", "ive",
    "ete", "ate", "ite", "ute", "oj", "on", "oi", "im", "ur", "ve", "et", "at", "it", "ut", "in", "un", "en", "es",
    "se", "ne", "te", "ja", "ia", "je", "n", "s", "t", "i", "u", "a", "e",
];

const MIN_STEM: usize = 3;

/// Common verbs (and a few nouns) whose forms change their root, so no ending rule joins them: "merret" and "mora"
/// are forms of "marr", Gheg "hy" and "hyri" of "hyj", "hoqi" of "heq", "gra" of "grua". Folded form → stem.
const SQ_IRREGULAR: &[(&str, &str)] = &[
    ("merr", "marr"),
    ("merret", "marr"),
    ("merren", "marr"),
    ("merrni", "marr"),
    ("merrte", "marr"),
    ("mora", "marr"),
    ("mori", "marr"),
    ("moren", "marr"),
    ("marre", "marr"),
    ("marrim", "marr"),
    ("marrin", "marr"),
    ("ben", "bej"),
    ("bejne", "bej"),
    ("bere", "bej"),
    ("beri", "bej"),
    ("bera", "bej"),
    ("bene", "bej"),
    ("behet", "bej"),
    ("behen", "bej"),
    ("bo", "bej"),
    ("bon", "bej"),
    ("bone", "bej"),
    ("bojne", "bej"),
    ("bohet", "bej"),
    ("hy", "hyj"),
    ("hyn", "hyj"),
    ("hyri", "hyj"),
    ("hyre", "hyj"),
    ("hyne", "hyj"),
    ("hyme", "hyj"),
    ("hyni", "hyj"),
    ("hyjne", "hyj"),
    ("hyra", "hyj"),
    ("del", "dal"),
    ("dola", "dal"),
    ("doli", "dal"),
    ("dale", "dal"),
    ("dalin", "dal"),
    ("dil", "dal"),
    ("jep", "jap"),
    ("jepet", "jap"),
    ("jepen", "jap"),
    ("japin", "jap"),
    ("dha", "jap"),
    ("dhashe", "jap"),
    ("dhane", "jap"),
    ("vjen", "vij"),
    ("vijne", "vij"),
    ("erdhi", "vij"),
    ("erdha", "vij"),
    ("ardhur", "vij"),
    ("ardh", "vij"),
    ("thote", "them"),
    ("thua", "them"),
    ("tha", "them"),
    ("thene", "them"),
    ("thone", "them"),
    ("thuhet", "them"),
    ("heqe", "heq"),
    ("hoqi", "heq"),
    ("hoqa", "heq"),
    ("hoqen", "heq"),
    ("hiqet", "heq"),
    ("hiqen", "heq"),
    ("hiqni", "heq"),
    ("hiqe", "heq"),
    ("hiq", "heq"),
    ("hequr", "heq"),
    ("hjek", "heq"),
    ("nxori", "nxjerr"),
    ("nxore", "nxjerr"),
    ("nxoren", "nxjerr"),
    ("nxirret", "nxjerr"),
    ("nxirren", "nxjerr"),
    ("nxjerre", "nxjerr"),
    ("nxjerri", "nxjerr"),
    ("nxjerrin", "nxjerr"),
    ("qet", "qit"),
    ("qes", "qit"),
    ("qiti", "qit"),
    ("qitur", "qit"),
    ("qite", "qit"),
    ("ndiqte", "ndjek"),
    ("ndoqi", "ndjek"),
    ("ndiqet", "ndjek"),
    ("ndiqen", "ndjek"),
    ("ndiqni", "ndjek"),
    ("mban", "mbaj"),
    ("mbajne", "mbaj"),
    ("mbajti", "mbaj"),
    ("mbajta", "mbaj"),
    ("mbajtur", "mbaj"),
    ("mbahet", "mbaj"),
    ("mbani", "mbaj"),
    ("gjen", "gjej"),
    ("gjeta", "gjej"),
    ("gjeti", "gjej"),
    ("gjetur", "gjej"),
    ("flas", "flas"),
    ("flet", "flas"),
    ("flasim", "flas"),
    ("flisni", "flas"),
    ("flasin", "flas"),
    ("fola", "flas"),
    ("foli", "flas"),
    ("folur", "flas"),
    ("fol", "flas"),
    ("grua", "grua"),
    ("gruaja", "grua"),
    ("gruan", "grua"),
    ("gruas", "grua"),
    ("gra", "grua"),
    ("grate", "grua"),
    ("grave", "grua"),
    // nouns that only look like verb forms
    ("nevoje", "nevoj"),
    ("nevoja", "nevoj"),
    ("nevojen", "nevoj"),
    ("nevojes", "nevoj"),
    ("videoje", "vide"),
    ("perpara", "perpara"),
    // the adjective "i sigurt" (safe, sure) is not the verb "siguroj" (to secure) nor "siguria" (security): "nuk e
    // di a jam e sigurt" is not a question about securing accounts
    ("sigurt", "sigurt"),
    ("sigurte", "sigurt"),
    ("sigurta", "sigurt"),
    ("pasigurt", "pasigurt"),
    ("pasigurte", "pasigurt"),
    ("pasigurta", "pasigurt"),
    // "nëna" (mother) must not become "nen" (article)
    ("nena", "nene"),
    ("nenen", "nene"),
    ("nenes", "nene"),
];

/// A light Albanian stemmer over folded words: "kërcënimin", "kercenon", "kercenuar" → "kercn".
pub(crate) fn stem_sq(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) || !word.is_ascii() {
        return word.to_string();
    }
    static IRREGULAR: LazyLock<FxHashMap<&str, &str>> = LazyLock::new(|| SQ_IRREGULAR.iter().copied().collect());
    if let Some(stem) = IRREGULAR.get(word) {
        return (*stem).to_string();
    }
    let mut w = word.to_string();
    if let Some(suffix) = SQ_SUFFIXES
        .iter()
        .find(|s| w.len() >= s.len() + MIN_STEM && w.ends_with(**s))
    {
        w.truncate(w.len() - suffix.len());
        // A case ending after the stem vowel of a noun ("llogari-në", "shtëpi-së", "video-ja") leaves that vowel,
        // which the bare form loses too ("llogari" → "llogar"); nothing else is stripped twice.
        if w.len() > MIN_STEM && matches!(w.as_bytes()[w.len() - 1], b'i' | b'e' | b'a' | b'u') {
            w.pop();
        }
    }
    // The unstressed ë of a last syllable drops when the word is inflected (urdhër → urdhri, motër → motra) and in
    // everyday speech (kallëzim → kallzim, kërcënon → kërcnon): a stem ending consonant-e-consonant loses the e.
    if w.len() > 4 {
        let b = w.as_bytes();
        let n = b.len();
        if b[n - 2] == b'e' && !is_vowel(b[n - 1]) && !is_vowel(b[n - 3]) {
            w.remove(n - 2);
        }
    }
    w
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The English Snowball stemmer.
pub(crate) fn stem_en(word: &str) -> String {
    thread_local! {
        static STEMMER: rust_stemmers::Stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    }
    STEMMER.with(|s| s.stem(word).into_owned())
}

pub(crate) fn is_stop(word: &str, lang: Lang) -> bool {
    static STOP: LazyLock<Bilingual<FxHashSet<&str>>> = LazyLock::new(|| Bilingual {
        sq: STOP_SQ.iter().copied().collect(),
        en: STOP_EN.iter().copied().collect(),
    });
    STOP.get(lang).contains(word)
}

pub(crate) fn stem(word: &str, lang: Lang) -> String {
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
            assert_eq!(stem_sq(f), "kercn", "{f}");
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
            "kercenuan",
            "kercnon",
        ] {
            assert_eq!(stem_sq(f), "kercn", "{f}");
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
    fn nouns_in_je_keep_their_stem_in_every_case() {
        for f in [
            "perndjekje",
            "perndjekja",
            "perndjekjen",
            "perndjekjes",
            "perndjekjet",
            "perndjkja",
        ] {
            assert_eq!(stem_sq(f), "perndjk", "{f}");
        }
        for f in ["mbrojtje", "mbrojtja", "mbrojtjen", "mbrojtjes"] {
            assert_eq!(stem_sq(f), "mbrojt", "{f}");
        }
    }

    #[test]
    fn tosk_gheg_and_colloquial_forms_meet() {
        // Gheg participles in -u, colloquial loss of ë, past plural in -uan, Gheg -un and -ojn
        for group in [
            &["kallezim", "kallzim", "kallzu", "kallezoj", "kallezuar"][..],
            &["raportu", "raportoj", "raportuar"],
            &["hakuan", "hakun", "hakuar", "hakoi"],
            &["publikosh", "publikuan", "publikoi", "publikuar"],
            &["shantazhojn", "shantazhojne", "shantazhon", "shantazh"],
            &["postoje", "postoj", "postoi", "postuar"],
            &["shperndau", "shperndare", "shperndara", "shperndarje"],
            &["vajzash", "vajzat"],
            &["llogari", "llogarine", "llogarin"],
        ] {
            let stems: Vec<String> = group.iter().map(|f| stem_sq(f)).collect();
            assert!(stems.iter().all(|s| *s == stems[0]), "{group:?} → {stems:?}");
        }
    }

    #[test]
    fn irregular_verbs_share_their_stem() {
        for group in [
            &["marr", "merret", "mora", "mori", "marre"][..],
            &["hyj", "hy", "hyn", "hyri"],
            &["heq", "hiqen", "hoqi", "hjek", "hequr"],
            &["nxjerr", "nxori", "nxjerre"],
            &["flas", "fol", "flet", "folur"],
            &["grua", "gra", "grave"],
        ] {
            let stems: Vec<String> = group.iter().map(|f| stem_sq(f)).collect();
            assert!(stems.iter().all(|s| *s == stems[0]), "{group:?} → {stems:?}");
        }
        // "nëna" (mother) is not "neni" (article)
        assert_ne!(stem_sq("nenen"), stem_sq("nenin"));
        // "e sigurt" (safe, sure) is not "siguroj" (to secure)
        assert_eq!(stem_sq("sigurte"), stem_sq("sigurt"));
        assert_ne!(stem_sq("sigurt"), stem_sq("siguroj"));
    }

    #[test]
    fn elisions_split_into_the_words_they_stand_for() {
        let w: Vec<String> = words("ku me raportu ngacmimin n'tiktok").collect();
        assert_eq!(w, ["ku", "me", "raportu", "ngacmimin", "ne", "tiktok"]);
        let w: Vec<String> = words("po m'kercnon, s'kam c'te bej").collect();
        assert_eq!(w, ["po", "me", "kercnon", "s", "kam", "cfare", "te", "bej"]);
        let w: Vec<String> = words("t'i don't partner's").collect();
        assert_eq!(w, ["te", "i", "dont", "partner"]);
        assert_eq!(words("' '' '''").count(), 0);
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
            vec!["raport", "kercn", "facebook"]
        );
        assert_eq!(
            analyze("How do I report threats on Facebook?", Lang::En),
            vec!["report", "threat", "facebook"]
        );
    }
}
