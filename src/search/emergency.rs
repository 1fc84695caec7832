//! Danger now: threats to life, violence in progress, weapons, being locked in, self-harm, the abuser at the door.
//!
//! Deliberately conservative: missing a real emergency is far worse than a false alarm, so any danger pattern
//! fires, unless the question is plainly about the law or the past and says nothing about now ("kanosja me vdekje,
//! neni 84" is a lawyer's question, not a cry for help). Works on folded text, so diacritics are optional.

use std::sync::LazyLock;

use regex::bytes::{Regex, RegexSet};

use super::analysis::fold;

/// Patterns of danger now, over folded (lower-case, no diacritics) text.
const DANGER: &[&str] = &[
    // Albanian: killing / threats to life
    r"\b(do|po|ka per|don|dojn|duan|kercen\w*|tha)\b\W+(\w+\W+){0,3}(vra|vras|vrase|vrasi|vrasin|vret|vrite|vrit|vrare|mbys|mbyt|mbyse|mbysi|djeg|therr|ther|zhduk)\b",
    r"\b(me|ma|na|te|ju|mu|m)\W?(vra|vras|vrase|vrasi|vret|vrit|mbyt|mbys|mbyse|therr|djeg)\b",
    r"\brrezik\w* (per|te) jet\w*",
    r"\bjam ne rrezik\b|\bjemi ne rrezik\b|\bne rrezik (tani|per jeten)\b",
    // a threat to life ("kanosja", the legal word, is left to the law questions)
    r"\bkercen\w* (me|per) vdekje\b",
    // violence in progress (Gheg "m'rreh" too)
    r"\b(po|me|ma|na|e|i|m)\W?(rreh|rrah|rrih|godet|godit|godi|qellon|qelloi|sulmon|sulmoi|mbyt|shtrengon|perdhun\w*|dhunon|dhunoi)\w*\b",
    r"\bpo (me|m|i|e|na|ju|u)\W?(bie|bjen|bin)\b",
    r"\b(me|ma|i|e|na|ja|ia)\W?(zen|zene|zuri|zune|ze|merr) frym\w*",
    r"\b(po|ka|e ka|e theu|theu|thyen|thyeu|cane|can)\b\W+(\w+\W+){0,2}der\w*",
    r"\bpo (thyen|thyn|thyejne|shkaterron|shkaterrojne|djeg)\w*",
    r"\b(ven|vene|vuri|vune|vu|ndez|ndezi|ndezur)\W+(\w+\W+){0,1}zjarr\w*",
    r"\bpo (hyn|vjen|del) (ne|te|per) (shtepi|dere|dhome)\w*",
    r"\b(eshte|esht|osht|asht|qendron|rri|po pret|pret)\b\W+(\w+\W+){0,2}(jashte|para|perpara|te|tek|poshte) (deres|dera|deren|shtepise|shpise|shpis|portes|pallatit|pallati|shkolles|punes)\b",
    r"\bpo (me |na )?pret (te|me|qe te) (dal|dale|dalim|iki|ik|dil)\b",
    r"\bme (ndjek|ndjeke|ndjekin) (tani|pas|nga pas|ne rruge)\b|\bpo me ndjek\w*",
    r"\b(marre|mori|morri|merr|terhoq\w*|rrembe\w*|nxori|nxjerr\w*)\b\W+(\w+\W+){0,2}me force\b",
    // hiding from him
    r"\b(jam|jemi) (fshehur|fsheh|fshef|fshehte)\b|\bpo (fshihem|fshehem|fshifem)\b",
    // weapons
    r"\b(thik\w*|arme|armen|arma|pistolet\w*|kallash\w*|revolve\w*|revole\w*|sopat\w*|cekic\w*|acid\w*|benzin\w*)\b",
    // locked in / held
    r"\b(me|na|m)\W?(ka |kan |ia )?(mbyll|mbyllur|mbylli|mbyllen|myll|myllur|mylli|ngujuar|ngujoi|lidh|lidhur|rrembye\w*|rrembeu)\b",
    r"\b(nuk|s)\W?(me|na) (le|lene|lejon)\b\W+(\w+\W+){0,1}(dal|dale|dalim|ik|iki|shkoj)\b",
    // self-harm
    r"\b(vras|vrase|vrit|vritem|mbys|mbyt|lendoj|pres|preva|hedh|hodh|hidh|helmoj|var)\w*\W+veten\b|\bvetevra\w*|\bvetvra\w*|\bvetevrit\w*",
    r"\b(dua|du|dojna|due|deshiroj)\b\W+(\w+\W+){0,1}(vdes|dek|vdekur)\b",
    r"\bnuk (dua|du|due|kam me|deshiroj)\b\W+(\w+\W+){0,2}(jetoj|jetu|jetuar|jetoje)\b|\bnuk (dua|du|due) (te |me )?vazhdoj$",
    r"\bs'?(dua|du) (me|te) (jetu|jetoj)\b|\bnuk ja vlen (te|me) jet\w*",
    r"\b(s|nuk)\W?(kam|kom)\b\W+(\w+\W+){0,2}(arsye|pse|shkak)\b\W+(\w+\W+){0,2}jet\w*",
    // "t'i jap fund" with nothing after it, or with tonight / my life; not "t'i jap fund lidhjes" (a relationship)
    r"\b(jap|japim|jape) fund (jetes|vetes)\b|\b(do|dua|due|du|vendosa)\b\W+(\w+\W+){0,3}jap fund(\W*$|\W+(sonte|tani|sot|gjithcka\w*|te gjithave)\b)",
    r"\bhidhem (nga|prej|poshte)\b",
    // an overdose: many pills, or poison (not "kam marrë ilaçe për kokën")
    r"\b(pire|piva|pive|pira|kam pi|marre|mora|gelltita|gelltit)\b\W+(\w+\W+){0,1}(shume|gjithe|gjitha|krejt|nje kuti|kutine)\W+(\w+\W+){0,1}(hape|hapet|ilace|barna|tableta|pilula)\b|\b(pire|piva|pive|pira|kam pi|mora|gelltita)\W+helm\b",
    r"\b(sos|ndihme urgjent\w*|me ndihmoni tani|ndihme tani|ndihmoni urgjent\w*|urgjente?)\b",
    // English
    r"\b(kill|murder|shoot|stab|strangle|choke|burn|hurt|beat)\w*\W+(me|us|my|her|him|them|the kids|my kids|my children|myself)\b",
    r"\b(going to|gonna|will|wants? to|threaten\w* to|said he'?d|says he'?ll|swore to)\W+(kill|murder|shoot|stab|hurt|beat|burn|strangle)\w*",
    r"\b(is|he'?s|she'?s|they'?re|keeps|started|are)\W+(hitting|beating|choking|attacking|strangling|hurting|raping|punching|kicking)\b",
    r"\bbeing (beaten|hit|attacked|choked|strangled|stabbed|raped|hurt|kicked|punched)\b",
    r"\b(gun|guns|knife|knives|weapon|weapons|pistol|rifle|axe|acid)\b",
    r"\blocked (me|us) (in|up)\b|\b(won'?t|doesn'?t|will not) let (me|us) (leave|out|go)\b|\btrapped\b|\bkidnap\w*|\bheld (me|us)\b",
    r"\b(i'?m|im|i am|we'?re|we are) hiding\b",
    r"\b(kill|hurt|harm|cut)\w* myself\b|\bsuicid\w*|\b(want|wanna|going) to die\b|\bend (my life|it all)\b|\b(don'?t|do not) want to (live|be alive)\b|\bno reason to live\b",
    r"\b(going to|gonna|will|want to|wanna)\W+end it(\W*$|\W+(all|tonight|now|today|forever)\b)",
    r"\b(took|taken|swallowed)\W+(a lot of|lots of|too many|so many|many|all (of )?(my|the)|a bottle of|a handful of|a box of)\W+(\w+\W+){0,1}(pills|tablets|meds|medication|painkillers)\b|\boverdos\w*",
    r"\b(outside|at|by) (my|the|our) (door|house|home|window|flat|apartment)\b|\bbreak(ing)? (in|down the door|the door)\b|\bbroke (in|down)\b|\bbroke (the|my|our) (door|window)\b|\bkick\w* (in |down )?(the|my|our) door\b|\bfollowing me (right )?now\b",
    r"\bin danger\b|\bhelp me now\b|\bemergency\b|\bsos\b|\bunsafe (right )?now\b|\bscared for my life\b|\bfear for my life\b",
];

/// Someone following the person: danger when it happens in the street, not when it is an account online
/// ("following me on instagram").
const FOLLOWING: &[&str] = &[r"\bfollowing (me|us)\b"];
const ONLINE: &[&str] = &[
    r"\b(on|in) (instagram|insta|facebook|fb|tiktok|snapchat|twitter|x|social media|online|the internet)\b|\bonline\b|\bne (instagram|insta|facebook|fb|tiktok|rrjete|internet)\b",
];

/// Questions about the law, a client's case or statistics, not about oneself now.
const INFORMATIONAL: &[&str] = &[
    r"\b(neni|nenin|nenit|nenet|ligj\w*|kodi|kodin|penal\w*|denim\w*|denohet|denuar|procedoh\w*|procedur\w*|vepra|vepres|dispozit\w*|statistik\w*|gjykat\w*|prokuror\w*|kallezim\w*|urdhr\w*|urdher\w*|sa vite|afat\w*|umm|upmm|umpmm|krim\w*|nxitj\w*|klient\w*)\b",
    r"\bnen\W*\d+|\b(cili|cilin|cilet|ne cilin) nen\b",
    r"\b(article|section|penalty|penalties|sentence|law|laws|legal|statute|criminal code|offence|offense|prosecut\w*|statistics|definition|define|client|clients)\b",
    r"\b(si|how)\b.*\b(raport\w*|report\w*|blloko\w*|block\w*|fshij|delete|remove|heq)\b",
];

/// Signs that it is happening now, to oneself: these keep an emergency even in a legal-sounding question.
const NOW: &[&str] = &[
    r"\b(tani|sot|sonte|menjehere|urgjent\w*|ndihme|ndihmoni|ndihmo|shpejt|right now|now|tonight|help me|help us|please help|currently)\b",
    r"\b(po me|po na|me ka|ma ka|jam ne|i'?m|i am|he is|he'?s|she is|she'?s)\b",
    // the Albanian progressive: "po e rreh", "po rrihet", "po vjen"
    r"\bpo (me |m'?|na |e |i |ju |u )?(rreh|rrah|rrih|godet|godit|mbyt|ndjek|kercen|vjen|hyn|therr|qell|sulm|bie|thyen|djeg|zen)\w*",
];

/// Looking back on the past, calmly.
const PAST: &[&str] = &[
    r"\b(vjet|dikur|para (disa |nje |dy |tre |\d+ )?(vitesh|muajsh|vite|muaj|muaji|viti)|kohe me pare|vitin e kaluar|muajin e kaluar|kur isha|last year|years ago|months ago|used to|in the past|back then|when i was)\b",
];

/// "tani jam mirë": the person says they are safe now, which is no sign of danger now.
const CALM: &[&str] = &[
    r"\btani (jam|jemi)\b[^.,;!?]{0,30}\b(mire|ok|sigurt|rregull)\b|\b(i'?m|i am) (fine|ok|okay|safe|better) now\b|\bnow i'?m (fine|ok|okay|safe)\b",
];

/// The patterns run over the folded text's bytes with ASCII classes (`\w` is `[0-9A-Za-z_]`): folded text is ASCII
/// where it matters, and ASCII classes let the regex engine use its fast automata instead of the slow fallback that
/// Unicode word boundaries need. Anything else (emoji, other scripts) simply counts as a non-word character.
fn set(patterns: &[&str]) -> Option<RegexSet> {
    RegexSet::new(patterns.iter().map(|p| format!("(?-u){p}"))).ok()
}

static DANGER_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(DANGER));
static INFO_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(INFORMATIONAL));
static NOW_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(NOW));
static PAST_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(PAST));
static FOLLOWING_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(FOLLOWING));
static ONLINE_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(ONLINE));
static CALM_RE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(&format!("(?-u){}", CALM.join("|"))).ok());

fn any(set: &LazyLock<Option<RegexSet>>, text: &[u8]) -> bool {
    // The patterns are constants covered by tests; if one ever failed to compile we err on the side of safety
    // for DANGER (see `detect`).
    set.as_ref().is_some_and(|s| s.is_match(text))
}

/// Whether `text` says someone is in danger now.
pub fn detect(text: &str) -> bool {
    detect_folded(&fold(text))
}

/// [`detect`] over text already folded (see [`fold`]).
pub fn detect_folded(folded: &str) -> bool {
    let folded = folded.as_bytes();
    if DANGER_SET.is_none() {
        return true;
    }
    let danger = any(&DANGER_SET, folded) || (any(&FOLLOWING_SET, folded) && !any(&ONLINE_SET, folded));
    if !danger {
        return false;
    }
    // "tani jam mirë" says the opposite of danger now; its "tani" must not count as one.
    let calm_removed = CALM_RE.as_ref().map(|re| re.replace_all(folded, &b" "[..]));
    let now_text = calm_removed.as_deref().unwrap_or(folded);
    if any(&NOW_SET, now_text) {
        return true;
    }
    let informational = any(&INFO_SET, folded);
    let past = any(&PAST_SET, folded);
    !(informational || past)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        for (name, set) in [
            ("danger", &DANGER_SET),
            ("info", &INFO_SET),
            ("now", &NOW_SET),
            ("past", &PAST_SET),
            ("following", &FOLLOWING_SET),
            ("online", &ONLINE_SET),
        ] {
            assert!(set.is_some(), "{name} patterns must compile");
        }
        assert!(CALM_RE.is_some(), "calm patterns must compile");
    }

    #[test]
    fn fires_on_danger_now() {
        for s in [
            "do më vrasë",
            "po me rreh",
            "ka thike",
            "më ka mbyllur në dhomë",
            "dua të vras veten",
            "he is outside my door right now",
            "he is going to kill me",
            "nuk dua me jetu",
        ] {
            assert!(detect(s), "{s}");
        }
    }

    #[test]
    fn fires_on_gheg_forms_typos_and_indirect_wording() {
        for s in [
            "po m'rreh, ju lutem",
            "po me kercnon me thik",
            "me ka myll ne shpi",
            "shoqja ime po rrihet tani ne shtepi",
            "po i bie femijeve tani",
            "po me zen frymen me duar",
            "ish burri eshte poshte pallatit dhe po pret te dal",
            "po thyen gjithcka ne shtepi",
            "po i ven zjarrin shtepise",
            "më kërcënoi me vdekje dhe po vjen tani",
            "jam fshehur ne banjo",
            "ka marre femijen me force",
            "nuk dua më të jetoj",
            "dua t'i jap fund jetes",
            "do i jap fund sonte",
            "dua t'i jap fund",
            "i took too many pills",
            "do e hedh veten nga ballkoni",
            "kam pire shume hape tani",
            "s'kam me arsye me jetu",
        ] {
            assert!(detect(s), "{s}");
        }
    }

    #[test]
    fn fires_on_english_danger_now() {
        for s in [
            "he broke down the door",
            "theres a man following me home",
            "I'm hiding in the bathroom, he's in the house",
            "my friend is being beaten right now",
            "I took a lot of pills",
            "im going to end it tonight",
        ] {
            assert!(detect(s), "{s}");
        }
    }

    #[test]
    fn a_client_a_legal_term_or_the_calm_past_is_no_emergency() {
        for s in [
            "nxitja për vetëvrasje, cili nen e parashikon",
            "si flas me nje klient qe ka mendime vetevrasese",
            "how to talk to a client who has suicidal thoughts",
            "a mund te leshohet UMM kur ka kercenim me thike",
            "dikur mendoja te vetevritesha, tani jam me mire dhe dua te ndihmoj te tjeret",
            "me kercenoi me vdekje ne mesazh vitin e kaluar, a ruhen ende provat",
            "cili eshte denimi per kercenimin me vdekje",
            "para dy vitesh me rrihte, tani jam e ndare dhe mire",
            "he keeps following me on instagram",
            "dua t'i jap fund kesaj lidhjeje",
            "nuk dua te vazhdoj me kete lidhje",
            "kam marre ilace per koken",
            "I took my pills this morning",
            "I want to end it with him",
        ] {
            assert!(!detect(s), "{s}");
        }
        // ...but a client in danger now still is one.
        assert!(detect("klientja po rrihet ne shtepi"));
    }

    #[test]
    fn stays_quiet_for_law_and_everyday_questions() {
        for s in [
            "kanosja me vdekje, neni 84",
            "what is the penalty for death threats",
            "si ta bllokoj në instagram",
            "hello",
        ] {
            assert!(!detect(s), "{s}");
        }
    }
}
