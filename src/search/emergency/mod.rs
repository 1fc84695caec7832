//! Danger now: threats to life, violence in progress, weapons, being locked in, self-harm, the abuser at the door.
//!
//! A cue grammar over folded text (diacritics optional), read as a careful person would:
//! - **Danger now** is *harm* (kill, beat, weapon, fire, strangling, taking a child, "won't leave alive") that is
//!   *immediate* (now, tonight, at the door, on the way, locked in, took my phone, writing from the bathroom), or
//!   a pattern that says both at once ("po më rreh", "he is outside my door"). Self-harm intent is danger now by
//!   itself.
//! - **Distance** cancels it: the past, "if he ever", a professional's or a client's case, the law, the news, a
//!   joke; idioms ("kjo letër po më vret", "this paperwork is killing me") are taken out before anything is read.
//! - **When unsure**, a message is [`Danger::Possible`]: a danger cue whose distance is not certain. The engine
//!   then shows a one-line urgent note above the answer instead of the full urgent help.
//!
//! BENCHMARKS.md compares this with a linear classifier on messages neither was tuned on.

use std::sync::LazyLock;

use regex::bytes::{Regex, RegexSet};

pub mod model;

/// Patterns that say harm and now at once, over folded (lower-case, no diacritics) text.
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
    r"\b(sos|ndihme urgjent\w*|me ndihmoni tani|ndihme tani|ndihmoni urgjent\w*|urgjente?)\b",
    // English
    r"\b(kill|murder|shoot|stab|strangle|choke|burn|hurt|beat)\w*\W+(me|us|my|her|him|them|the kids|my kids|my children|myself)\b",
    r"\b(going to|gonna|will|wants? to|threaten\w* to|said he'?d|says he'?ll|swore to)\W+(kill|murder|shoot|stab|hurt|beat|burn|strangle)\w*",
    r"\b(is|he'?s|she'?s|they'?re|keeps|started|are)\W+(hitting|beating|choking|attacking|strangling|hurting|raping|punching|kicking)\b",
    r"\bbeing (beaten|hit|attacked|choked|strangled|stabbed|raped|hurt|kicked|punched)\b",
    r"\b(gun|guns|knife|knives|weapon|weapons|pistol|rifle|axe|acid)\b",
    r"\blocked (me|us) (in|up)\b|\b(won'?t|doesn'?t|will not) let (me|us) (leave|out|go)\b|\btrapped\b|\bkidnap\w*|\bheld (me|us)\b",
    r"\b(i'?m|im|i am|we'?re|we are) hiding\b",
    r"\b(outside|at|by) (my|the|our) (door|house|home|window|flat|apartment)\b|\bbreak(ing)? (in|down the door|the door)\b|\bbroke (in|down)\b|\bbroke (the|my|our) (door|window)\b|\bkick\w* (in |down )?(the|my|our) door\b|\bfollowing me (right )?now\b",
    r"\bin danger\b|\bhelp me now\b|\bemergency\b|\bsos\b|\bunsafe (right )?now\b|\bscared for my life\b|\bfear for my life\b",
];

/// More patterns that say harm and now at once: locked in, the phone taken to stop a call for help, fire now, no
/// breath, a child gone to meet someone from the internet.
const DANGER_MORE: &[&str] = &[
    r"\b(e|i|me|na|m|ma|ja|ia)\W?(ka |kan |ke )?(mbyll|mbyllur|mbyllun|mbylli|myll|mshel)\w* (djalin|vajzen|femijen|femin|cunin|gocen|motren|nenen|ne|n'?|brenda|mrena)\b",
    r"\b(ma|m'?a|ia|ja) (mori|morri|ka marr\w*|theu|ka thye\w*|ka thy\w*|fshehu)\b[^.!?]{0,20}\b(tel|telefon\w*|cel\w*)\b|\bmos (te |me |t'?)?(thrras|therras|therrase|telefonoj|marr njeri)\b|\b(took|smashed|broke|hid) (my|her) (phone|cell)\b",
    r"\bka tym\b|\bpo digjet\b|\bs'?po (marr|mar) fryme\w*|\bnuk (marr|mar) dot fryme\b|\bcan'?t breathe\b|\bsmoke\b",
    r"\b(doli|dal|iku|ik|shkoi|shku|ka dal\w*|ka ik\w*|ka shk\w*)\b[^.!?]{0,30}\b(taku\w*|takoj\w*|takim\w*|me nje qe|me ni qe|me dike)\b|\bi ka shkru\w* (ni|nje) (burr|djal|mashkull)\w*[^.!?]{0,30}\be pret\b",
    r"\bwent to meet (a|some|this)? ?(guy|man|boy|someone|somebody|person|stranger)\b|\b(banging|pounding|kicking|knocking|hammering) on (my|the|our) (door|window)\b",
];

/// Self-harm intent: danger now by itself.
const SELF_HARM: &[&str] = &[
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
    r"\b(kill|hurt|harm|cut)\w* myself\b|\bsuicid\w*|\b(want|wanna|going) to die\b|\bend (my life|it all)\b|\b(don'?t|do not) want to (live|be alive)\b|\bno reason to live\b",
    r"\b(going to|gonna|will|want to|wanna)\W+end it(\W*$|\W+(all|tonight|now|today|forever)\b)",
    r"\b(took|taken|swallowed)\W+(a lot of|lots of|too many|so many|many|all (of )?(my|the)|a bottle of|a handful of|a box of)\W+(\w+\W+){0,1}(pills|tablets|meds|medication|painkillers)\b|\boverdos\w*",
    r"\b(s'?|nuk )(du|dua|due) (me|te) (qen|qene|jem|jete) gjall\w*|\bs'?du\w* me jetu|\bsdu me\b",
    r"\b(kom|kam) gjet\w* litar\w*|\bpre(va|re|ve)? (doren|damar\w*)\b|\b(po|e kam|e kom) pre\w* doren\b",
    r"\b(buz|buze|anes|skaj)\w* (t'?|te |e )?(ures|urës|ura|taraces|catise|ballkonit|shkembit)\b|\bhera e fundit qe (shkruaj|shkruj|flas)\b",
    r"\b(tabletat|hapet|ilacet|barnat|pilulat)\b[^.!?]{0,40}\b(i pi|do i pi|sonte)\b|\bpo e mbaroj gjithcka\b|\bpo i jap fund\b",
    r"\b(pills|tablets) in my hand\b|\b(on|standing on|at the edge of) (the|a) (bridge|roof|ledge)\b|\bcan'?t do this anymore\b|\bcut (too )?deep\b|\bwon'?t stop bleeding\b",
];

/// Harm: violence, weapons, fire, a threat to life, taking a child (over text with idioms taken out).
const HARM: &[&str] = &[
    r"\b(vra|vras|vrase|vrasi|vret|vrit|vrite|vrane|vrau|mbyt|mbys|mbyse|mbyti|rreh|rrah|rrahe|rrahu|rrih|godet|godit|goditje|qell|qelloj|ther|therr|coptoj|prish fytyren)\w*",
    r"\b(bie|bjen|bjeri)\b|\bme (shqelma|grushta|rrip|shkop|hekur|karrige)\b|\bper (fyti|flokesh|qafe)\b|\bzvarre\b|\bgjak\w*",
    r"\b(thik|arme|armen|arma|pistolet|kallash|revole|sopat|acid|benzin|cakmak|zjarr|flake)\w*|\b(djeg|dogj)\w*",
    r"\bs'?(del|dal|dil)\w* gjall\w*|\bnuk (gdhihem|gdhin)\b|\b(ditn|diten|nata|naten|hera) e fundit\b|\be ke fundin\b|\bsonte e kryejm\w*|\bsonte e kryjm\w*|\bdo (ma|me) paguash\b|\bka me (m'?|me |t'?|te )?(mbyt|vra)\w*|\bme (me |m'?)?(vra|rrah|mbyt)\w*",
    r"\b(merr|marr|marrin|mori|morri|mbajne|futi)\w*\b[^.!?]{0,30}\b(me force|femi\w*|femij\w*|djal\w*|vajz\w*|cun\w*|gocen|vogel\w*)\b|\bs'?e (sheh|shef|shikon)\w* me kurre\b",
    r"\b(kercen|kercnon|kanos|terheq|shkund|perplas)\w*|\b(i|me|ne) pire\b|\bi dehur\b",
    r"\b(kill|murder|shoot|stab|strangl|chok|burn|hurt|beat|hit|punch|kick|rap|cut|slash)\w*|\b(knife|knives|gun|guns|firearm|weapon|pistol|rifle|axe|acid|petrol|gasoline|lighter|fire|blood|bleeding)\b",
    r"\b(won'?t|will not|not) (leave|get out|make it) alive\b|\blast night\b[^.!?]{0,20}\b(is|of)\b|\byou'?ll regret\b|\bnever see (him|her|them|my|the)\b|\bgrabbed\b|\bshaking the baby\b|\bthrowing (stuff|things)\b",
];

/// Immediacy: now, tonight, here, on the way, locked in, the phone taken, hiding, a child not answering.
const IMMEDIATE: &[&str] = &[
    r"\b(tani|tash|tashti|tanithi|sot|sonte|menjehere|urgjent\w*|shpejt|ndihme|ndihmoni|ndihmo|brenda|ketu|mrena)\b",
    r"\bpo (me |m'?|na |e |i |ju |u |ma |ta |t'?)?(rreh|rrah|rrih|godet|godit|mbyt|ndjek|kercen|kercnon|vjen|vij|hyn|kthehet|pret|shikon|kerkon|bertet|bertasin|perplas|therr|qell|sulm|bie|bjen|thyen|thyn|djeg|zen|merr|marrin|ikin|qet|terheq|nxihet|shkund|mpreh|mbush|vret)\w*",
    r"\b(jashte|para|perpara|poshte|posht|te|tek|ne|n'?) (deres|dera|derës|deren|portes|porta|shtepise|shpis|shpise|pallatit|punes|shkolles|palestres|shkall\w*)\b",
    r"\b(me|m'?|na|e|i|ma|ja|ia) ?(ka |kan |ke )?(mbyll|mbyllur|mbyllun|mylli|myll|lidh)\w*|\b(ma|ia|ja|m'?a) (mori|morri|ka marr\w*|theu|ka thye\w*|ka marre)\b[^.!?]{0,20}\b(tel\w*|cel\w*|pasaport\w*)",
    r"\bpo (shkruaj|shkruj|shkruan|te shkruaj) (nga|prej|n'?|ne)\b|\b(jam|jom|jemi) (fshehur|fsheh|msheh|mshehur|e mbyllur|e mbyllun)\b|\b(min|minuta|minuta) larg\b|\bu nis\b|\bka ardh\w*\b|\bs'?(po|eshte|ka) (pergjigj|kthehet|kthye|ardh)\w*|\btelefoni (i|eshte) fikur\b|\bs'?e gjej\b|\bs'?ka ndal\w*|\bs'?po ndal\w*|\bmos me lini\b",
    r"\b(ai|ajo|ata|ky) (eshte|osht|asht|esht|o|jane|jan) (ne|n'?|ketu|brenda|mrena|ne shtepi)\b|\bora \d+ e nates\b|\bs'?ka ardh\w*\b",
    r"\b(now|right now|rn|tonight|currently|asap|hurry)\b|\b(outside|at) (my|the|our) (door|house|home|window|work|flat|school)\b|\b(on his way|coming over|is here|still here|next room|in the house|in the flat)\b",
    r"\b(locked|trapped|hiding|hid|parked|following me|since the bus|just (texted|loaded|said|grabbed)|between me and the door|phone is off|not answering|won'?t stop|took (my|the) (phone|key|keys))\b|\b(is|are|he'?s|she'?s|they'?re|keeps)\W+\w+ing\b",
];

/// Violence in progress ("po më rreh", "she is being beaten"): danger now even in a professional's words
/// ("klientja po rrihet në shtëpi").
const IN_PROGRESS: &[&str] = &[
    r"\bpo (me |m'?|na |e |i |u |ju |ma |ia )?(rreh|rrah|rrih|godet|godit|mbyt|therr|qell|sulm|bie|bjen|djeg|vret|terheq|dhunon|perdhun)\w*",
    r"\b(is|are|he'?s|she'?s|they'?re) (being )?(hitting|beating|choking|strangling|stabbing|attacking|hurting|raping|beaten|hit|attacked|choked|strangled|stabbed|raped)\b",
];

/// A child who is missing now: not back, not answering, the phone off. With a child named, danger now.
const MISSING: &[&str] = &[
    r"\bs'?po (kthehet|kthen|pergjigjet|pergjigj\w*)|\bnuk po (kthehet|pergjigjet)|\btelefon\w* (i |eshte |e ka )?fikur\b|\b(s'?|nuk )e gjej\b|\bs'?ka (ardh|ardhur|ardhe)\w*|\bnuk (ka ardhur|eshte kthyer)\b",
    r"\bhasn'?t (come|got|gotten) (home|back)\b|\bnot answering\b|\bphone is (off|dead)\b|\bcan'?t find (her|him|them)\b|\bisn'?t answering\b",
];

/// Words of alarm: fear, a plea for help. Not danger by themselves, but a message with one may get the one-line
/// note.
const ALARM: &[&str] = &[
    r"(frik\w*|tremb\w*|tmerr\w*|ndihm\w*|lutem|shpejt|sos|urgjent\w*|scared|afraid|terrified|frightened|help|please|hurry|urgent)",
];

/// A child: with danger, 116 111 comes right after 129.
const CHILD: &[&str] = &[
    r"\b(femi\w*|femij\w*|djal\w*|vajz\w*|cun\w*|goc\w*|vogel\w*|vogelush\w*|foshnj\w*|bebe\w*|bebi|nxenes\w*|motren e vogel|vellan e vogel|vllan e vogel)\b|\b\d{1,2} ?(vjec|vjeç|vjece|vjet)\b",
    r"\b(child|children|kid|kids|baby|son|daughter|little (brother|sister)|toddler)\b|\b(my )?\d{1,2} ?(yo|year old|years old)\b|\bi'?m 1[0-7]\b",
];

/// Taken out before anything is read: idioms that use a word of harm for something else.
const IDIOMS: &[&str] = &[
    r"\b(me|m'?|na) (vret|vrau|mbyt|djeg|vra|vrane) (koka|barku|dhembi|kjo|ky|fare|urie|me pyetje|gazit)\b|\bvdiq\w* gazit\b|\bpo vdes per\b|\bplas\w* (nga|prej) (inati|gazi|meraku)\b|\bma vrau zemren\b|\bqesin shpirtin\b|\bme e mbyt kompjuterin\b|\bmbyt me pyetje\b|\bpo plas\b",
    r"\b(kjo|ky|kto|keto|kete|ai kolegu|vapa|vapa qe ka sot|trafik\w*|provim\w*|dieta|puna|shkolla|leter\w*|fatur\w*)\b[^.!?]{0,25}\b(po |ka me )?(me|m'?|na) ?(vret|vra|mbyt|djeg|qesin)\w*",
    r"\b(mami|mamaja|mama|nana|nena|gjyshja|gjyshi|shefi|shefja|mesuesi|mesuesja|vllai|motra|shoqja|shoku|babi)\b[^.!?]{0,15}\b(do|ka me|ka per)\b[^.!?]{0,6}\b(me|m'?)? ?(vra|vras|vrase|vriste|mbyt)\w*[^.!?]{0,40}\b(nese|kur|po|lol|haha\w*)\b",
    r"\b(is|are) killing me\b|\bi'?d die for\b|\b(mum|mom|mother|dad|boss|sister|brother|teacher|wife|gran|grandma)\b[^.!?]{0,20}\b(kill|murder)\w* me (when|if)\b|\bburning me alive\b|\b(knifed|killed|shot)\b[^.!?]{0,30}\b(call of duty|pubg|fortnite|game|cod)\b",
];

/// Distance: the past, told calmly.
const PAST: &[&str] = &[
    r"\b(vjet|dikur|dje|para (disa |nje |dy |tre |\d+ )?(vitesh|vjetesh|vjetve|muajsh|vite|vjet|muaj|muaji|viti)|kohe me pare|vitin e kaluar|muajin e kaluar|javen e kaluar|kur isha|(\d+|dy|tre|kater|pese) (vjet|vite|muaj) (me pare|perpara|para)|last (year|month|week)|years ago|months ago|weeks ago|used to|in the past|back then|when i was|once in \d{4}|in (19|20)\d\d)\b",
];

/// A conditional clause ("nëse zbret", "if he ever comes to my door"): what it says is not happening now.
const CONDITIONAL: &[&str] = &[r"\b(nese|nqs|ne qofte se|ne rast se|sikur|if|in case)\b[^.,;!?]*"];

/// Distance: "if he ever", "what do I do if".
const HYPOTHETICAL: &[&str] = &[
    r"\b(nese|nqs|ne qofte se|ne rast se|sikur|nje dite|ndonje dit\w*|(ne|n'?|prej|nga) burg\w*|in (prison|jail)|lives in \w+|abroad|jashte shtetit|if he ever|if (he|she|they) (ever )?(comes?|takes?|finds?)|what (do|should|can) i do if|in case|one day)\b",
];

/// Distance: a professional's question or a client's case, the law, the news, a joke, fear with nothing happening.
const ASIDE: &[&str] = &[
    r"\b(neni|nenin|nenit|nenet|ligj\w*|kodi|kodin|kodi penal|penal\w*|denim\w*|denohet|denuar|procedoh\w*|procedur\w*|protokoll\w*|formular\w*|dispozit\w*|statistik\w*|gjykat\w*|prokuror\w*|kallezim\w*|padi\w*|afat\w*|umm|upmm|krim\w*|raport\w*|dhunues\w*|klient\w*|viktim\w*|rast\w*|pacient\w*|nxenes\w*|sigurim\w*|tentative)\b",
    r"\bjam (punonjes\w*|polic\w*|psikolog\w*|infermier\w*|mesues\w*|avokat\w*|koordinator\w*|mjek\w*|doktor\w*)|\b(si avokat\w*|mesuese:|policia:)|\bsi (e |ta |t'?i |t'?a )?(vleresoj|vleresohet|dokumentoj|pyes|raportoj|plotesohet|bejme|referoj)\b",
    r"\bnen\W*\d+|\b(cili|cilin|cilet|ne cilin) nen\b|\babuser\w*|\bconfiscat\w*",
    r"\b(article|section|penalty|penalties|sentence|law|laws|legal|statute|criminal code|offence|offense|crime|prosecut\w*|statistics|definition|client|clients|protocol|assess\w*|social worker|police officer|counselor|counsellor|as a (police|nurse|teacher|lawyer|social)|a student|a patient|court|report\w*)\b",
    r"\b(lajm\w*|n'?tv|ne tv|film\w*|serial\w*|podcast|news|true crime|movie|series|pubg|call of duty|fortnite|loje|game)\b|\b(haha\w*|hahaha|lol|lmao|xd)\b|\xf0\x9f\x98\x82|\xf0\x9f\xa4\xa3",
];

/// "tani jam mirë": the person says they are safe now, which is no sign of danger now.
const CALM: &[&str] = &[
    r"\b(tani|tash|tashti) (jam|jemi|jom|jetoj|rri|rrij)\b[^.,;!?]{0,30}\b(mire|ok|sigurt|rregull|ndare|ndaru|prinderit|larg|tjeter|jashte shtetit|jetoj)\b",
    r"\b(i'?m|i am) (fine|ok|okay|safe|better|doing ok) now\b|\bnow i'?m (fine|ok|okay|safe)\b|\b(in therapy )?now and doing (ok|okay|well|better)\b|\bdoing ok\b",
];

/// How sure Udha is that someone is in danger now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Danger {
    /// Nothing says danger.
    #[default]
    None,
    /// A danger cue without certainty: a one-line urgent note above the answer.
    Possible,
    /// Danger now: the full urgent help first.
    Now,
}

/// What the detector read in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Assessment {
    pub danger: Danger,
    /// A child is the one in danger (116 111 right after 129).
    pub child: bool,
}

/// The patterns run over the folded text's bytes with ASCII classes (`\w` is `[0-9A-Za-z_]`): folded text is ASCII
/// where it matters, and ASCII classes let the regex engine use its fast automata instead of the slow fallback that
/// Unicode word boundaries need. Anything else (emoji, other scripts) simply counts as a non-word character.
fn set(patterns: &[&str]) -> Option<RegexSet> {
    RegexSet::new(patterns.iter().map(|p| format!("(?-u){p}"))).ok()
}

fn one(patterns: &[&str]) -> Option<Regex> {
    Regex::new(&format!("(?-u){}", patterns.join("|"))).ok()
}

static DANGER_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(DANGER));
static DANGER_MORE_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(DANGER_MORE));
static CONDITIONAL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| one(CONDITIONAL));
static SELF_HARM_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(SELF_HARM));
static HARM_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(HARM));
static IMMEDIATE_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(IMMEDIATE));
static CHILD_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(CHILD));
static IN_PROGRESS_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(IN_PROGRESS));
static ALARM_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(ALARM));
static MISSING_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(MISSING));
static PAST_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(PAST));
static HYPOTHETICAL_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(HYPOTHETICAL));
static ASIDE_SET: LazyLock<Option<RegexSet>> = LazyLock::new(|| set(ASIDE));
static IDIOMS_RE: LazyLock<Option<Regex>> = LazyLock::new(|| one(IDIOMS));
static CALM_RE: LazyLock<Option<Regex>> = LazyLock::new(|| one(CALM));

fn any(set: &LazyLock<Option<RegexSet>>, text: &[u8]) -> bool {
    set.as_ref().is_some_and(|s| s.is_match(text))
}

fn without(re: &LazyLock<Option<Regex>>, text: &[u8]) -> Vec<u8> {
    match re.as_ref() {
        Some(re) => re.replace_all(text, &b" "[..]).into_owned(),
        None => text.to_vec(),
    }
}

/// Reads a message: `folded` as typed (see [`fold`](super::analysis::fold)) and `normalized`, the same text with its words as the
/// knowledge writes them (Gheg and chat forms mapped; see `spelling`). The cue grammar reads both (the surer
/// reading wins); the linear model ([`model`]) weighs the cues with the message's character n-grams and may raise a
/// reading, or lower a grammar alarm it is sure is none.
pub fn assess(folded: &str, normalized: &str) -> Assessment {
    let reading = Reading::new(folded, normalized);
    // A message without a word ("4", "?", "👍") gives the model nothing to read: only the grammar decides.
    let danger = if has_word(normalized) {
        let p = model::probability(normalized, &reading.cues());
        decide(p, reading.has_cue(), reading.grammar())
    } else {
        reading.grammar()
    };
    Assessment {
        danger,
        child: danger != Danger::None && reading.child(),
    }
}

/// Whether the message has a word of two letters or more.
fn has_word(text: &str) -> bool {
    text.split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().nth(1).is_some())
}

/// What the grammar alone makes of a message (see [`assess`]).
pub fn grammar(folded: &str, normalized: &str) -> Danger {
    Reading::new(folded, normalized).grammar()
}

/// The model's inputs for a message (see [`assess`]); what `train_danger` trains on.
pub fn features(folded: &str, normalized: &str) -> Vec<model::Feature> {
    model::features(normalized, &Reading::new(folded, normalized).cues())
}

/// The cues of a message as typed and, when it differs, as normalized.
struct Reading {
    typed: Cues,
    normalized: Option<Cues>,
}

impl Reading {
    fn new(folded: &str, normalized: &str) -> Reading {
        Reading {
            typed: Cues::read(folded.as_bytes()),
            normalized: (normalized != folded).then(|| Cues::read(normalized.as_bytes())),
        }
    }

    /// The surer of the two readings.
    fn grammar(&self) -> Danger {
        let typed = self.typed.level();
        self.normalized.as_ref().map_or(typed, |n| typed.max(n.level()))
    }

    fn has_cue(&self) -> bool {
        let cue = |c: &Cues| c.harm || c.immediate || c.self_harm || c.missing_child || c.alarm;
        cue(&self.typed) || self.normalized.as_ref().is_some_and(cue)
    }

    fn child(&self) -> bool {
        self.typed.child || self.normalized.as_ref().is_some_and(|n| n.child)
    }

    /// Either reading's cues.
    fn cues(&self) -> [bool; Cues::COUNT] {
        let mut cues = self.typed.as_array();
        if let Some(n) = &self.normalized {
            for (c, other) in cues.iter_mut().zip(n.as_array()) {
                *c |= other;
            }
        }
        cues
    }
}

/// The decision from the model's probability `p` (the grammar's reading is among its inputs): danger now from
/// [`model::NOW`]; the one-line note from [`model::POSSIBLE`] when the message has a danger cue (harm, immediacy,
/// self-harm), so "hello" never gets one. Without a model (`p` is NaN), the grammar decides. The thresholds were
/// chosen by cross-validation on the training messages (`cargo run --example train_danger`; BENCHMARKS.md).
pub(crate) fn decide(p: f32, has_cue: bool, grammar: Danger) -> Danger {
    if p.is_nan() {
        grammar
    } else if p >= model::NOW {
        Danger::Now
    } else if (p >= model::POSSIBLE && has_cue) || p >= model::POSSIBLE_UNCUED {
        Danger::Possible
    } else {
        Danger::None
    }
}

/// Whether a message has any danger cue (see [`decide`]).
pub fn has_cue(folded: &str, normalized: &str) -> bool {
    Reading::new(folded, normalized).has_cue()
}

/// The cues the grammar reads in a message, each a yes or no; also the model's cue features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cues {
    pub self_harm: bool,
    pub strong: bool,
    pub harm: bool,
    pub immediate: bool,
    pub in_progress: bool,
    pub missing_child: bool,
    pub aside: bool,
    pub past: bool,
    pub hypothetical: bool,
    pub calmed: bool,
    pub child: bool,
    pub idiom: bool,
    /// Fear or a plea for help (not a model input: it only allows the one-line note).
    pub alarm: bool,
}

impl Cues {
    /// How many inputs the cues give the model: each cue, and the grammar's two levels.
    pub const COUNT: usize = 14;

    /// Reads the cues of folded text. If a pattern ever failed to compile, every message reads as danger now.
    pub fn read(text: &[u8]) -> Cues {
        if DANGER_SET.is_none() {
            return Cues {
                self_harm: true,
                ..Cues::default()
            };
        }
        let plain = without(&IDIOMS_RE, text);
        let text = plain.as_slice();
        let calm = without(&CALM_RE, text);
        // What a conditional clause says ("nëse zbret t'vras") is not now; the rest of the message may be.
        let unconditional = without(&CONDITIONAL_RE, &calm);
        let immediate = any(&IMMEDIATE_SET, &unconditional);
        let child = any(&CHILD_SET, text);
        let missing_child = any(&MISSING_SET, text) && child;
        let strong = any(&DANGER_SET, text) || any(&DANGER_MORE_SET, text) || missing_child;
        let calmed = calm != text;
        Cues {
            self_harm: any(&SELF_HARM_SET, text),
            strong,
            harm: strong || any(&HARM_SET, text),
            immediate,
            in_progress: any(&IN_PROGRESS_SET, &unconditional),
            missing_child,
            aside: any(&ASIDE_SET, text),
            past: any(&PAST_SET, text) || calmed,
            hypothetical: any(&HYPOTHETICAL_SET, text) && !immediate,
            calmed,
            child,
            idiom: plain.len() != text.len() || plain != text,
            alarm: any(&ALARM_SET, text),
        }
    }

    /// The cues and the grammar's reading of them as the model's inputs, in a fixed order.
    pub fn as_array(&self) -> [bool; Cues::COUNT] {
        let level = self.level();
        [
            level == Danger::Now,
            level == Danger::Possible,
            self.self_harm,
            self.strong,
            self.harm,
            self.immediate,
            self.in_progress,
            self.missing_child,
            self.aside,
            self.past,
            self.hypothetical,
            self.calmed,
            self.child,
            self.idiom,
        ]
    }

    /// The grammar's decision: self-harm, or harm that is immediate, is danger now unless something puts it at a
    /// distance; a distance that is not certain, or harm without immediacy, is possible danger; a professional's
    /// or legal question or the calm past without immediacy is none.
    pub fn level(&self) -> Danger {
        let c = self;
        if c.self_harm {
            let distant = c.aside || (c.past && (c.calmed || !c.immediate));
            return if distant { Danger::Possible } else { Danger::Now };
        }
        if !c.harm {
            return Danger::None;
        }
        let distant = c.aside || c.past || c.hypothetical;
        if ((c.strong || c.immediate) && !distant) || (c.in_progress && !c.calmed && !c.hypothetical) {
            return Danger::Now;
        }
        if c.immediate && c.past && !c.aside && !c.calmed && !c.hypothetical {
            return Danger::Now;
        }
        if (c.aside || c.past) && !c.immediate {
            return Danger::None;
        }
        Danger::Possible
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analysis::fold;

    /// Whether `text` says someone is in danger now.
    fn detect(text: &str) -> bool {
        let folded = fold(text);
        assess(&folded, &folded).danger == Danger::Now
    }

    fn read(s: &str) -> Assessment {
        let folded = fold(s);
        assess(&folded, &folded)
    }

    fn level_of(s: &str) -> Danger {
        read(s).danger
    }

    #[test]
    fn patterns_compile() {
        for (name, set) in [
            ("danger", &DANGER_SET),
            ("danger more", &DANGER_MORE_SET),
            ("self-harm", &SELF_HARM_SET),
            ("harm", &HARM_SET),
            ("immediate", &IMMEDIATE_SET),
            ("child", &CHILD_SET),
            ("missing", &MISSING_SET),
            ("alarm", &ALARM_SET),
            ("in progress", &IN_PROGRESS_SET),
            ("past", &PAST_SET),
            ("hypothetical", &HYPOTHETICAL_SET),
            ("aside", &ASIDE_SET),
        ] {
            assert!(set.is_some(), "{name} patterns must compile");
        }
        for (name, re) in [
            ("idioms", &IDIOMS_RE),
            ("calm", &CALM_RE),
            ("conditional", &CONDITIONAL_RE),
        ] {
            assert!(re.is_some(), "{name} patterns must compile");
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
            "me ka mbyll ne dhome dhe ma mori telefonin, po shkruaj nga laptopi",
            "he's outside my work and said I won't leave alive",
        ] {
            assert_eq!(level_of(s), Danger::Now, "{s}");
        }
    }

    #[test]
    fn the_sos_emoji_is_read_as_sos() {
        assert_eq!(level_of("🆘"), level_of("sos"));
        assert_ne!(level_of("🆘🆘"), Danger::None);
    }

    #[test]
    fn a_message_without_words_is_no_alarm() {
        for s in ["4", "7", "2", "?", "...", "👍", "12 3"] {
            assert_eq!(level_of(s), Danger::None, "{s}");
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
            assert_eq!(level_of(s), Danger::Now, "{s}");
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
            assert_eq!(level_of(s), Danger::Now, "{s}");
        }
    }

    #[test]
    fn a_client_a_legal_term_the_calm_past_or_an_idiom_is_no_emergency() {
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
            "this paperwork is killing me",
            "më vret koka",
            "what should I do if he ever comes to my door?",
            "do ta djeg kete liber matematike pas provimit 😂",
        ] {
            assert_ne!(level_of(s), Danger::Now, "{s}");
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
            "më vret koka",
            "asdf",
        ] {
            assert_eq!(level_of(s), Danger::None, "{s}");
        }
    }

    #[test]
    fn a_child_in_danger_is_named() {
        let a = read("po e rreh djalin me rrip tani");
        assert_eq!(
            a,
            Assessment {
                danger: Danger::Now,
                child: true
            }
        );
        assert!(!read("po me rreh").child);
    }
}
