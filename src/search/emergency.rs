//! Danger now: threats to life, violence in progress, weapons, being locked in, self-harm, the abuser at the door.
//!
//! Deliberately conservative: missing a real emergency is far worse than a false alarm, so any danger pattern
//! fires, unless the question is plainly about the law or the past and says nothing about now ("kanosja me vdekje,
//! neni 84" is a lawyer's question, not a cry for help). Works on folded text, so diacritics are optional.

use std::sync::LazyLock;

use regex::RegexSet;

use super::analysis::fold;

/// Patterns of danger now, over folded (lower-case, no diacritics) text.
const DANGER: &[&str] = &[
    // Albanian: killing / threats to life
    r"\b(do|po|ka per|don|dojn|duan|kercen\w*|tha)\b\W+(\w+\W+){0,3}(vra|vras|vrase|vrasi|vrasin|vret|vrite|vrit|vrarë|mbys|mbyt|mbyse|mbysi|djeg|therr|ther|zhduk)\b",
    r"\b(me|ma|na|te|ju|mu|m)\W?(vra|vras|vrase|vrasi|vret|vrit|mbyt|mbys|mbyse|therr|djeg)\b",
    r"\brrezik\w* (per|te) jet\w*",
    r"\bjam ne rrezik\b|\bjemi ne rrezik\b|\bne rrezik (tani|per jeten)\b",
    // violence in progress
    r"\b(po|me|ma|na|e|i)\W?(rreh|rrah|rrahu|rrahe|godet|godit|godi|qellon|qelloi|sulmon|sulmoi|mbyt|shtrengon|perdhun\w*|dhunon|dhunoi)\w*\b",
    r"\b(po|ka|e ka|e theu|theu|thyen|thyeu|cane|can)\b\W+(\w+\W+){0,2}der\w*",
    r"\bpo (hyn|vjen|del) (ne|te|per) (shtepi|dere|dhome)\w*",
    r"\b(eshte|esht|osht|asht|qendron|rri|po pret|pret)\b\W+(\w+\W+){0,2}(jashte|para|te|tek) (deres|dera|shtepise|shpise|portes|pallatit)\b",
    r"\bme (ndjek|ndjeke|ndjekin) (tani|pas|nga pas|ne rruge)\b|\bpo me ndjek\w*",
    // weapons
    r"\b(thike|thiken|thika|arme|armen|arma|pistolet\w*|kallash\w*|revolve\w*|revole\w*|sopat\w*|cekic\w*|acid\w*|benzin\w*)\b",
    // locked in / held
    r"\b(me|na|m)\W?(ka |kan |ia )?(mbyll|mbyllur|mbylli|mbyllen|ngujuar|ngujoi|lidh|lidhur|rrembye\w*|rrembeu)\b",
    r"\b(nuk|s)\W?(me|na) (le|lene|lejon)\b\W+(\w+\W+){0,1}(dal|dale|dalim|ik|iki|shkoj)\b",
    // self-harm
    r"\b(vras|vrase|vrit|vritem|mbys|mbyt|lendoj|pres|preva)\w*\W+veten\b|\bvetevra\w*|\bvetvra\w*|\bvetevrit\w*",
    r"\b(dua|du|dojna|due|deshiroj)\b\W+(\w+\W+){0,1}(vdes|dek|vdekur)\b|\bnuk (dua|du|due|kam me) (te |me )?(jetoj|jetu|jetuar|vazhdoj)\b",
    r"\bs'?(dua|du) (me|te) (jetu|jetoj)\b|\bnuk ja vlen (te|me) jet\w*|\bdua (me|te) i jap fund\b|\bdua ti jap fund\b",
    r"\b(sos|ndihme urgjent\w*|me ndihmoni tani|ndihme tani|ndihmoni urgjent\w*|urgjente?)\b",
    // English
    r"\b(kill|murder|shoot|stab|strangle|choke|burn|hurt|beat)\w*\W+(me|us|my|her|him|them|the kids|my kids|my children|myself)\b",
    r"\b(going to|gonna|will|wants? to|threaten\w* to|said he'?d|says he'?ll|swore to)\W+(kill|murder|shoot|stab|hurt|beat|burn|strangle)\w*",
    r"\b(is|he'?s|she'?s|they'?re|keeps|started|are)\W+(hitting|beating|choking|attacking|strangling|hurting|raping|punching|kicking)\b",
    r"\b(gun|guns|knife|knives|weapon|weapons|pistol|rifle|axe|acid)\b",
    r"\blocked (me|us) (in|up)\b|\b(won'?t|doesn'?t|will not) let (me|us) (leave|out|go)\b|\btrapped\b|\bkidnap\w*|\bheld (me|us)\b",
    r"\b(kill|hurt|harm|cut)\w* myself\b|\bsuicid\w*|\b(want|wanna|going) to die\b|\bend (my life|it all)\b|\b(don'?t|do not) want to (live|be alive)\b|\bno reason to live\b",
    r"\b(outside|at|by) (my|the|our) (door|house|home|window|flat|apartment)\b|\bbreak(ing)? (in|down the door|the door)\b|\bbroke in\b|\bfollowing me (right )?now\b",
    r"\bin danger\b|\bhelp me now\b|\bemergency\b|\bsos\b|\bunsafe (right )?now\b|\bscared for my life\b|\bfear for my life\b",
];

/// Questions about the law or statistics, not about oneself now.
const INFORMATIONAL: &[&str] = &[
    r"\b(neni|nenin|nenit|nenet|ligj\w*|kodi|kodin|penal\w*|denim\w*|denohet|denuar|procedoh\w*|procedur\w*|vepra|vepres|dispozit\w*|statistik\w*|gjykat\w*|prokuror\w*|kallezim\w*|urdhr\w*|urdher\w*|sa vite|afat\w*)\b",
    r"\b(article|section|penalty|penalties|sentence|law|laws|legal|statute|criminal code|offence|offense|prosecut\w*|statistics|definition|define)\b",
    r"\b(si|how)\b.*\b(raport\w*|report\w*|blloko\w*|block\w*|fshij|delete|remove|heq)\b",
];

/// Signs that it is happening now, to oneself: these keep an emergency even in a legal-sounding question.
const NOW: &[&str] = &[
    r"\b(tani|sot|menjehere|urgjent\w*|ndihme|ndihmoni|ndihmo|shpejt|right now|now|tonight|help me|help us|please help|currently)\b",
    r"\b(po me|po na|me ka|ma ka|jam ne|i'?m|i am|he is|he'?s|she is|she'?s)\b",
];

/// Looking back on the past, calmly.
const PAST: &[&str] = &[
    r"\b(vjet|dikur|para (disa )?(vitesh|muajsh|vite|muaj)|kohe me pare|last year|years ago|months ago|used to|in the past|back then)\b",
];

static DANGER_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| RegexSet::new(DANGER).ok());
static INFO_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| RegexSet::new(INFORMATIONAL).ok());
static NOW_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| RegexSet::new(NOW).ok());
static PAST_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| RegexSet::new(PAST).ok());

fn any(set: &LazyLock<Option<RegexSet>>, text: &str) -> bool {
    // The patterns are constants covered by tests; if one ever failed to compile we err on the side of safety
    // for DANGER (see `detect`).
    set.as_ref().is_some_and(|s| s.is_match(text))
}

/// Whether `text` says someone is in danger now.
pub fn detect(text: &str) -> bool {
    let folded = fold(text);
    let folded = folded.replace(['’', '`'], "'");
    if DANGER_SET.is_none() {
        return true;
    }
    if !any(&DANGER_SET, &folded) {
        return false;
    }
    let now = any(&NOW_SET, &folded);
    if now {
        return true;
    }
    let informational = any(&INFO_SET, &folded);
    let past = any(&PAST_SET, &folded);
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
        ] {
            assert!(set.is_some(), "{name} patterns must compile");
        }
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
