//! The bot's own words, in both languages. Neutral on purpose: a lock-screen notification shows the start of a
//! message, so nothing here says what the chat is about before the person chooses to look.

use crate::knowledge::{Bilingual, Lang};

pub struct Texts {
    pub greeting: &'static str,
    pub help: &'static str,
    pub menu_prompt: &'static str,
    pub urgent: &'static str,
    pub safety: &'static str,
    pub platforms: &'static str,
    pub laws: &'static str,
    pub procedures: &'static str,
    pub contacts: &'static str,
    pub clear: &'static str,
    pub switch_lang: &'static str,
    pub menu: &'static str,
    pub back: &'static str,
    pub in_danger: &'static str,
    /// The button for the rest of an entry (the body, contact details, steps that did not fit).
    pub more: &'static str,
    /// The button for an entry's sources.
    pub sources_button: &'static str,
    /// The button that passes an entry on to another chat.
    pub share: &'static str,
    /// On a shared card: the button that opens the entry in Udha.
    pub open_in_udha: &'static str,
    /// After the steps that fit the first message, when more follow under "more".
    pub steps_continue: &'static str,
    /// On a shared card, when its steps go on in Udha.
    pub card_continue: &'static str,
    pub related: &'static str,
    pub sources: &'static str,
    pub not_found: &'static str,
    pub urgent_first: &'static str,
    /// Before the numbers of the one-line urgent note (danger possible, not certain).
    pub if_in_danger: &'static str,
    /// When no entry is clearly ahead: the best titles as buttons.
    pub which_one: &'static str,
    /// The button that copies a legal entry's citation.
    pub copy_citation: &'static str,
    pub expired: &'static str,
    pub private_only: &'static str,
    pub text_only: &'static str,
    pub cleared: &'static str,
    pub lang_set: &'static str,
    pub choose_lang: &'static str,
    pub empty_question: &'static str,
    pub flows_heading: &'static str,
    pub entries_heading: &'static str,
    pub national: &'static str,
    pub by_municipality: &'static str,
}

pub(crate) const SQ: Texts = Texts {
    greeting: "Përshëndetje. Shkruani pyetjen tuaj me fjalët tuaja, ose zgjidhni një temë më poshtë.",
    help: "Shkruani një pyetje (p.sh. \"si ta raportoj një profil të rremë\") ose zgjidhni nga menuja.\n\
           /menu – menuja\n/lang – gjuha\n/clear – fshi këtë bisedë\n\n\
           Udha nuk ruan emrin, numrin apo mesazhet tuaja.",
    menu_prompt: "Zgjidhni një temë:",
    urgent: "🆘 Ndihmë urgjente tani",
    safety: "Hapa sigurie",
    platforms: "Raporto në një platformë",
    laws: "Ligjet",
    procedures: "Procedura për profesionistët",
    contacts: "Kontakte sipas bashkisë",
    clear: "🧹 Fshi këtë bisedë",
    switch_lang: "English",
    menu: "☰ Menuja",
    back: "← Mbrapa",
    in_danger: "🆘 Jam në rrezik tani",
    more: "➕ Më shumë",
    sources_button: "📚 Burimet",
    share: "↗ Ndaje",
    open_in_udha: "Hape në Udha",
    steps_continue: "Hapat e tjerë: ➕ Më shumë.",
    card_continue: "Hapat e tjerë: hapeni në Udha.",
    related: "Shihni edhe",
    sources: "Burimet",
    not_found: "Nuk gjeta diçka të saktë për këtë. Provoni me fjalë të tjera, ose zgjidhni nga menuja. \
                Për të folur me dikë: 116 117 (falas, 24/7).",
    urgent_first: "Nëse jeni në rrezik tani, telefononi Policinë: 129.",
    if_in_danger: "Nëse jeni në rrezik tani:",
    which_one: "Cila nga këto i përgjigjet pyetjes suaj?",
    copy_citation: "📋 Kopjo citimin",
    expired: "Ky buton ka skaduar. Ja menuja.",
    private_only: "Udha punon vetëm në bisedë private. Më shkruani drejtpërdrejt.",
    text_only: "Mund të lexoj vetëm tekst. Shkruani pyetjen tuaj me fjalë.",
    cleared: "Biseda u fshi.",
    lang_set: "Gjuha: shqip.",
    choose_lang: "Zgjidhni gjuhën / Choose your language:",
    empty_question: "Shkruani pyetjen tuaj me fjalë, ose zgjidhni nga menuja.",
    flows_heading: "Hap pas hapi",
    entries_heading: "Tema",
    national: "Linjat kombëtare",
    by_municipality: "Sipas bashkisë",
};

pub(crate) const EN: Texts = Texts {
    greeting: "Hello. Type your question in your own words, or choose a topic below.",
    help: "Type a question (e.g. \"how do I report a fake profile\") or choose from the menu.\n\
           /menu – the menu\n/lang – language\n/clear – clear this chat\n\n\
           Udha does not keep your name, number or messages.",
    menu_prompt: "Choose a topic:",
    urgent: "🆘 Urgent help now",
    safety: "Safety steps",
    platforms: "Report on a platform",
    laws: "Laws",
    procedures: "Procedures for professionals",
    contacts: "Contacts by municipality",
    clear: "🧹 Clear this chat",
    switch_lang: "Shqip",
    menu: "☰ Menu",
    back: "← Back",
    in_danger: "🆘 I'm in danger now",
    more: "➕ More",
    sources_button: "📚 Sources",
    share: "↗ Share",
    open_in_udha: "Open in Udha",
    steps_continue: "The other steps: ➕ More.",
    card_continue: "The other steps: open it in Udha.",
    related: "See also",
    sources: "Sources",
    not_found: "I found nothing precise for this. Try other words, or choose from the menu. \
                To talk to someone: 116 117 (free, 24/7).",
    urgent_first: "If you are in danger now, call the Police: 129.",
    if_in_danger: "If you are in danger now:",
    which_one: "Which of these answers your question?",
    copy_citation: "📋 Copy the citation",
    expired: "This button has expired. Here is the menu.",
    private_only: "Udha works in private chat only. Write to me directly.",
    text_only: "I can only read text. Please type your question in words.",
    cleared: "Chat cleared.",
    lang_set: "Language: English.",
    choose_lang: "Zgjidhni gjuhën / Choose your language:",
    empty_question: "Type your question in words, or choose from the menu.",
    flows_heading: "Step by step",
    entries_heading: "Topics",
    national: "National lines",
    by_municipality: "By municipality",
};

static TEXTS: Bilingual<Texts> = Bilingual { sq: SQ, en: EN };

pub fn texts(lang: Lang) -> &'static Texts {
    TEXTS.get(lang)
}
