//! What the wording of a question says about the answer it wants, beyond its topic words: who is asking (a
//! professional or the person concerned), whether it asks about the law, to be guided step by step or for contact
//! details, and whom it is about (a child, a friend or relative). Search leans to the matching entries; nothing is
//! hidden.
//!
//! All checks run over the question's folded words (see [`super::analysis::words`]).

use rustc_hash::FxHashSet;
use std::sync::LazyLock;

use crate::knowledge::{Audience, Lang};

fn set(words: &'static [&'static str]) -> FxHashSet<&'static str> {
    words.iter().copied().collect()
}

/// Words of case work: a professional is asking (so do the words of [`PROFESSIONS`]).
static PROVIDER: LazyLock<FxHashSet<&str>> = LazyLock::new(|| {
    let mut words = set(&[
        "rast",
        "rasti",
        "rastin",
        "rastit",
        "rastet",
        "rasteve",
        "referim",
        "referimi",
        "referimin",
        "referoj",
        "referohet",
        "referojme",
        "vkm",
        "gtn",
        "koordinatorin",
        "koordinatores",
        "protokoll",
        "protokolli",
        "viktima",
        "viktimen",
        "viktimes",
        "viktimat",
        "viktimave",
        "klient",
        "klienti",
        "klientja",
        "klienten",
        "klientes",
        "sherbim",
        "sherbimi",
        "ofrues",
        "ofruesi",
        "stafi",
        "stafit",
        "kolege",
        "kolegu",
        "mkr",
        "crm",
        "case",
        "cases",
        "client",
        "clients",
        "victim",
        "victims",
        "survivor",
        "survivors",
        "referral",
        "refer",
        "protocol",
        "provider",
        "providers",
        "colleague",
        "staff",
        // those the professions speak of
        "pacient",
        "pacientja",
        "pacienten",
        "pacientes",
        "pacientet",
        "nxenes",
        "nxenese",
        "nxenesja",
        "nxenesi",
        "nxenesit",
        "nxenesen",
        "patient",
        "pupil",
        "pupils",
    ]);
    words.extend(PROFESSIONS);
    words
});

/// Professions: who is asking (or who was told), not what the question is about. "jam mësuese" or "si polic" says
/// whose answer fits (see [`audience`]), so the word itself counts less in the search (see `query`).
const PROFESSIONS: &[&str] = &[
    "polic",
    "oficer",
    "oficeri",
    "infermier",
    "infermiere",
    "infermierja",
    "mjek",
    "mjeke",
    "mjekja",
    "doktor",
    "doktoresha",
    "mesues",
    "mesuese",
    "mesuesi",
    "mesuesja",
    "psikolog",
    "psikologe",
    "psikologia",
    "psikologu",
    "avokate",
    "avokatja",
    "drejtoresha",
    "punonjes",
    "punonjese",
    "punonjesi",
    "koordinator",
    "koordinatori",
    "koordinatore",
    "koordinatorja",
    "nurse",
    "doctor",
    "teacher",
    "counselor",
    "counsellor",
    "psychologist",
    "officer",
    "caseworker",
    "principal",
];

static ROLE: LazyLock<FxHashSet<&str>> = LazyLock::new(|| set(PROFESSIONS));

/// Whether a folded word names the asker's profession (see [`ROLE`]).
pub fn names_role(word: &str) -> bool {
    ROLE.contains(word)
}

/// Words of a person speaking of themselves. (Not Albanian "me": folded, "më" (me) is "me" (with).)
static VICTIM: LazyLock<FxHashSet<&str>> = LazyLock::new(|| {
    set(&[
        "mua",
        "time",
        "mia",
        "im",
        "ime",
        "imen",
        "my",
        "mine",
        "myself",
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
        "mi",
        "ma",
        "mu",
        // first person singular of common verbs whose form does not end in -oj
        "bej",
        "marr",
        "dal",
        "hyj",
        "iki",
        "flas",
        "dua",
        "fshij",
        "gjej",
        "shkoj",
        "ruaj",
        "mbaj",
        "heq",
        "di",
    ])
});

/// English "I" and "me": Albanian "i" is a particle ("urdhri i mbrojtjes"), "me" mostly "with".
static VICTIM_EN: LazyLock<FxHashSet<&str>> = LazyLock::new(|| set(&["i", "im", "ive", "id", "me"]));

/// Whether the question sounds like a professional's or a person's own: "referimi i rastit", "klientja" against
/// "më kërcënon", "my photos", "si ta bllokoj" (an Albanian verb in the first person, -oj).
pub fn audience(typed: &[String], lang: Lang) -> Option<Audience> {
    let mut provider = 0;
    let mut victim = 0;
    for w in typed {
        let w = w.as_str();
        if PROVIDER.contains(w) {
            provider += 2;
        } else if VICTIM.contains(w)
            || (lang == Lang::En && VICTIM_EN.contains(w))
            || (lang == Lang::Sq && w.len() >= 5 && w.ends_with("oj"))
        {
            victim += 1;
        }
    }
    match provider.cmp(&victim) {
        std::cmp::Ordering::Greater => Some(Audience::Provider),
        std::cmp::Ordering::Less => Some(Audience::Victim),
        std::cmp::Ordering::Equal => None,
    }
}

/// Words that ask about the law: what is punished, which article, whether something is a crime, one's rights.
static LAW: LazyLock<FxHashSet<&str>> = LazyLock::new(|| {
    set(&[
        "neni",
        "nenin",
        "nenit",
        "nenet",
        "neneve",
        "ligj",
        "ligji",
        "ligjit",
        "ligjin",
        "ligjet",
        "krim",
        "krime",
        "krimi",
        "denim",
        "denimi",
        "denimin",
        "denohet",
        "denohen",
        "denuar",
        "denon",
        "penal",
        "penale",
        "penalisht",
        "burg",
        "burgim",
        "burgu",
        "paligjshem",
        "paligjshme",
        "dispozita",
        "dispozite",
        "ndeshkohet",
        "ndiqet",
        "ndiqen",
        "kundervajtje",
        "vkm",
        "drejte",
        "drejta",
        "drejtat",
        "law",
        "laws",
        "crime",
        "crimes",
        "criminal",
        "illegal",
        "penalty",
        "penalties",
        "punish",
        "punished",
        "punishable",
        "punishment",
        "article",
        "offence",
        "offense",
        "prison",
        "jail",
        "legislation",
        "statute",
        "legal",
        "lawful",
        "unlawful",
        "rights",
        // taking someone to court
        "padi",
        "padia",
        "padine",
        "padis",
        "padit",
        "paditur",
        "sue",
        "sued",
        "suing",
        "lawsuit",
    ])
});

/// Whether the question asks about the law. "nen" is also "under" ("nën 18"), and "krim kibernetik" names the
/// cybercrime police rather than asking whether something is a crime.
pub(crate) fn asks_about_law(typed: &[String]) -> bool {
    typed.iter().enumerate().any(|(i, w)| {
        let next = typed.get(i + 1).map(String::as_str).unwrap_or("");
        let before = if i > 0 { typed[i - 1].as_str() } else { "" };
        match w.as_str() {
            // "kallëzim penal" names the complaint to file, "procedim penal" what follows it
            "penal" | "penale" if before.starts_with("kallezim") || before.starts_with("kallzim") => false,
            "criminal" if next.starts_with("complaint") => false,
            "to" => next == "court",
            "nen" => !(next.len() <= 2 && next.chars().all(|c| c.is_ascii_digit()) && !next.is_empty()),
            "krim" | "krimi" | "krime" | "krimet" => {
                !next.starts_with("kibernetik") && !next.starts_with("kompjuterik")
            }
            "legal" => next != "aid",
            w => LAW.contains(w),
        }
    })
}

fn has_phrase(typed: &[String], phrase: &[&str]) -> bool {
    typed
        .windows(phrase.len())
        .any(|win| win.iter().zip(phrase).all(|(a, b)| a == b))
}

/// How much the question asks to be guided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guidance {
    /// "hap pas hapi", "step by step", "nga t'ia nis", "where do I start".
    Asked,
    /// "nuk e di", "I don't know", "të kuptoj": the person is unsure what to do.
    Unsure,
    None,
}

/// Whether the question asks to be guided (see [`Guidance`]).
pub(crate) fn guidance(typed: &[String]) -> Guidance {
    let start_near = |i: usize| typed[i.saturating_sub(3)..i].iter().any(|w| w == "nga");
    let asked = has_phrase(typed, &["hap", "pas", "hapi"])
        || has_phrase(typed, &["step", "by", "step"])
        || has_phrase(typed, &["walk", "me", "through"])
        || has_phrase(typed, &["guide", "me"])
        || has_phrase(typed, &["where", "do", "i", "start"])
        || has_phrase(typed, &["where", "to", "start"])
        || typed
            .iter()
            .any(|w| w.starts_with("udhezo") || w.starts_with("udhezim"))
        || typed
            .iter()
            .enumerate()
            .any(|(i, w)| matches!(w.as_str(), "nis" | "nise" | "filloj" | "fillo" | "filluar") && start_near(i));
    if asked {
        return Guidance::Asked;
    }
    let unsure = has_phrase(typed, &["nuk", "di"])
        || has_phrase(typed, &["nuk", "e", "di"])
        || has_phrase(typed, &["s", "di"])
        || has_phrase(typed, &["s", "e", "di"])
        || has_phrase(typed, &["te", "kuptoj"])
        || has_phrase(typed, &["dont", "know"])
        || has_phrase(typed, &["do", "not", "know"])
        || has_phrase(typed, &["how", "do", "i", "know"]);
    if unsure { Guidance::Unsure } else { Guidance::None }
}

/// Words that ask how to reach someone: an address, a number to call.
static CONTACT: LazyLock<FxHashSet<&str>> = LazyLock::new(|| {
    set(&[
        "adresa",
        "adresen",
        "adrese",
        "kontakt",
        "kontakti",
        "kontaktin",
        "kontaktet",
        "telefonoj",
        "telefonoje",
        "telefononi",
        "thirr",
        "therras",
        "orari",
        "orarin",
        "address",
        "contact",
        "call",
        "hotline",
        "helpline",
    ])
});

/// Words that, after "ku" (where), ask for a place: "ku ka strehë", "ku gjej avokat", "ku ndodhet".
static PLACE: LazyLock<FxHashSet<&str>> = LazyLock::new(|| {
    set(&[
        "gjej",
        "gjen",
        "gjendet",
        "ka",
        "kane",
        "ndodhet",
        "ndodhen",
        "eshte",
        "jane",
        "shkoj",
        "drejtohem",
    ])
});

/// Whether the question asks for contact details or a place to go: "IDP adresa", "numri i policisë", "ku të
/// telefonoj", "ku ka strehë", "where can I find a lawyer".
pub(crate) fn asks_for_contact(typed: &[String]) -> bool {
    typed.iter().enumerate().any(|(i, w)| {
        let next = typed.get(i + 1).map(String::as_str).unwrap_or("");
        let after = |n: usize| typed.iter().skip(i + 1).take(n);
        CONTACT.contains(w.as_str())
            || (matches!(w.as_str(), "numri" | "numrin" | "nr" | "numer" | "numeri")
                && matches!(next, "i" | "e" | "per"))
            || ((w == "phone" || w == "police") && next == "number")
            || (w == "ku" && after(3).any(|a| PLACE.contains(a.as_str())))
            || (w == "where" && after(3).any(|a| matches!(a.as_str(), "find" | "get" | "go" | "is" | "are")))
    })
}

/// Whom a question (or an entry's title) is about, besides the person asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    /// A child or a teenager: "vajza ime", "djalin tim", "14 vjeçe", "nxënëse", "my son".
    Child,
    /// A friend or relative: "shoqja ime", "motra", "a friend".
    Someone,
}

impl Subject {
    fn bit(self) -> u8 {
        match self {
            Subject::Child => 1,
            Subject::Someone => 2,
        }
    }
}

static CHILD: LazyLock<FxHashSet<&str>> = LazyLock::new(|| {
    set(&[
        "femije",
        "femija",
        "femijen",
        "femijes",
        "femijet",
        "femijeve",
        "femi",
        "mitur",
        "mitura",
        "miturit",
        "nxenes",
        "nxenese",
        "nxenesi",
        "nxenesja",
        "nxenesit",
        "adoleshent",
        "adoleshente",
        "adoleshentet",
        "child",
        "children",
        "childs",
        "kid",
        "kids",
        "minor",
        "minors",
        "teen",
        "teens",
        "teenager",
        "teenagers",
        "daughter",
        "son",
        "schoolgirl",
        "schoolboy",
    ])
});

/// "vajza ime" is my daughter, "vajza" alone any girl or young woman.
static CHILD_OF_MINE: LazyLock<FxHashSet<&str>> = LazyLock::new(|| {
    set(&[
        "vajza", "vajzen", "vajzes", "djali", "djalin", "djalit", "biri", "birin", "bija", "bijen", "cuni", "cunin",
        "goca", "gocja", "gocen",
    ])
});

static SOMEONE: LazyLock<FxHashSet<&str>> = LazyLock::new(|| {
    set(&[
        "shoqe",
        "shoqja",
        "shoqen",
        "shoqes",
        "shok",
        "shoku",
        "shokun",
        "shokut",
        "mike",
        "mikja",
        "miken",
        "mikes",
        "mikesha",
        "mikeshen",
        "mikeshes",
        "motra",
        "motren",
        "motres",
        "moter",
        "vella",
        "vellai",
        "vellain",
        "vellait",
        "kusherira",
        "kusheriri",
        "afert",
        "afermit",
        "friend",
        "friends",
        "sister",
        "brother",
        "cousin",
        "relative",
        "relatives",
    ])
});

/// The subjects of a text's folded words, as a bit set (see [`Subject`]).
pub(crate) fn subjects(typed: &[String]) -> u8 {
    let mut bits = 0;
    for (i, w) in typed.iter().enumerate() {
        let w = w.as_str();
        let next = typed.get(i + 1).map(String::as_str).unwrap_or("");
        let mine = matches!(next, "ime" | "im" | "tim" | "time" | "sime" | "sim" | "jone" | "yne");
        // an age under 18: "14 vjeç", "16 vjeçe", "13 years old"
        let young_age = w.parse::<u32>().is_ok_and(|n| n < 18)
            && (next.starts_with("vjec") || next.starts_with("vjet") || next == "years" || next == "yo");
        if CHILD.contains(w) || (CHILD_OF_MINE.contains(w) && mine) || young_age {
            bits |= Subject::Child.bit();
        }
        if SOMEONE.contains(w) {
            bits |= Subject::Someone.bit();
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(bits: u8, subject: Subject) -> bool {
        bits & subject.bit() != 0
    }
    use crate::search::analysis::{fold, words};

    fn typed(s: &str) -> Vec<String> {
        words(&fold(s)).collect()
    }

    #[test]
    fn audience_from_wording() {
        assert_eq!(
            audience(&typed("si ta referoj rastin te koordinatori"), Lang::Sq),
            Some(Audience::Provider)
        );
        assert_eq!(
            audience(&typed("ish i dashuri më kërcënon"), Lang::Sq),
            Some(Audience::Victim)
        );
        assert_eq!(audience(&typed("facebook"), Lang::Sq), None);
        assert_eq!(
            audience(&typed("how can I get a protection order"), Lang::En),
            Some(Audience::Victim)
        );
        assert_eq!(
            audience(&typed("urdher mbrojtje si ta kerkoj"), Lang::Sq),
            Some(Audience::Victim)
        );
        assert_eq!(audience(&typed("urdhri i mbrojtjes"), Lang::Sq), None);
        // law words alone do not make a professional: victims ask about the law too
        assert_eq!(audience(&typed("neni 121/a"), Lang::Sq), None);
    }

    #[test]
    fn legal_questions() {
        for q in [
            "a është krim kërcënimi",
            "cili nen e mbulon",
            "is hacking a crime",
            "what is the penalty",
            "a bon me e padit per shpifje",
            "can I take him to court",
        ] {
            assert!(asks_about_law(&typed(q)), "{q}");
        }
        for q in [
            "jam nen 18",
            "policia e krimit kibernetik",
            "si ta bllokoj",
            "free legal aid",
            "kallëzim penal për shantazh, si ta plotësoj",
            "filing a criminal complaint, steps",
        ] {
            assert!(!asks_about_law(&typed(q)), "{q}");
        }
    }

    #[test]
    fn step_by_step_questions() {
        for q in [
            "më ndihmo hap pas hapi",
            "walk me through it",
            "dua mbrojtje nga ai, nga t'ia filloj",
            "nuk di nga t'ia nis",
            "me udhezo",
        ] {
            assert_eq!(guidance(&typed(q)), Guidance::Asked, "{q}");
        }
        for q in ["nuk e di a jam e sigurt", "how do I know if I'm safe", "s'di ça të bëj"] {
            assert_eq!(guidance(&typed(q)), Guidance::Unsure, "{q}");
        }
        assert_eq!(guidance(&typed("hapi nje profil")), Guidance::None);
        assert_eq!(guidance(&typed("e nisi ai")), Guidance::None);
    }

    #[test]
    fn contact_questions() {
        for q in [
            "IDP adresa",
            "numri i policisë",
            "ku të telefonoj",
            "police number albania",
            "ku ka strehë për gra",
            "ku gjej avokat",
            "where can I find a lawyer",
        ] {
            assert!(asks_for_contact(&typed(q)), "{q}");
        }
        for q in [
            "e kan nderru numrin",
            "me kane hakuar emailin",
            "ku raportohet ngacmimi",
        ] {
            assert!(!asks_for_contact(&typed(q)), "{q}");
        }
    }

    #[test]
    fn subjects_of_a_question() {
        for q in [
            "vajza ime 13 vjec",
            "djalin tim e ngacmojne",
            "jam 14 vjece",
            "nje nxenese",
            "my son",
        ] {
            assert!(has(subjects(&typed(q)), Subject::Child), "{q}");
        }
        for q in ["vajza e fqinjit", "jam 30 vjec", "kam 2 femije"] {
            let child = has(subjects(&typed(q)), Subject::Child);
            assert_eq!(child, q.contains("femije"), "{q}");
        }
        assert!(has(subjects(&typed("motra ime ngacmohet")), Subject::Someone));
        assert!(has(subjects(&typed("si ta ndihmoj mikeshen")), Subject::Someone));
        assert_eq!(subjects(&typed("me kercenon")), 0);
    }
}
