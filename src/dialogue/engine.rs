//! What Udha answers to each event.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::callback::{self, Action, EntryRef, Menu, Press, View};
use super::message::{Button, Card, Message, Part, Reply, Tally};
use super::texts::texts;
use crate::knowledge::{Audience, Diagnostic, Entry, Fit, Flow, Kind, Knowledge, Lang, Localized, urgent};
use crate::search::SearchIndex;
use crate::search::emergency::{Assessment, Danger};

/// How many results a free-text question considers (the best is shown, the next ones become buttons).
const RESULTS: usize = 4;
/// How many of the urgent contacts the one-line note (danger possible) names.
const URGENT_NOTE_CONTACTS: usize = 2;
/// When no entry is clearly ahead, this many of the best are offered as buttons.
const CHOICES: usize = 4;
/// Copy buttons per row.
const COPY_PER_ROW: usize = 3;
/// How many cards an inline query gets.
const CARDS: usize = 8;
/// The cards for an empty inline query: what professionals pass on most, and what to do in danger.
pub(crate) const CARDS_WHEN_EMPTY: [&str; 8] = [
    "procedure-crm-referral",
    "procedure-first-response",
    "safety-immediate-danger",
    "safety-save-evidence",
    "law-protection-order",
    "procedure-evidence-preservation",
    "contact-women-line",
    "contact-police",
];
/// Longest description of a card in the list (the summary, shortened).
const CARD_DESCRIPTION_CHARS: usize = 160;

/// The commands Udha knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Start,
    Help,
    Menu,
    Lang,
    Clear,
}

impl Command {
    /// Every command, in the order a front end lists them.
    pub const ALL: [Command; 5] = [
        Command::Start,
        Command::Menu,
        Command::Help,
        Command::Lang,
        Command::Clear,
    ];

    /// The command's name (the first) and the other names it answers to, in both languages.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Command::Start => &["start"],
            Command::Help => &["help", "ndihme"],
            Command::Menu => &["menu", "menuja"],
            Command::Lang => &["lang", "language", "gjuha"],
            Command::Clear => &["clear", "fshi"],
        }
    }

    /// The name a front end shows (`/menu`).
    pub fn name(self) -> &'static str {
        self.names()[0]
    }

    /// The command with this name or alias (lower case, without the slash).
    pub fn named(name: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.names().contains(&name))
    }
}

/// What happened in the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A command, with what followed it (`/start safety-save-evidence` → the entry id of a deep link).
    Command { command: Command, arg: String },
    /// Free text.
    Text(String),
    /// A button press with its data (untrusted: anyone can send anything).
    Button(String),
    /// A photo, sticker, voice message, file...: never downloaded or stored.
    Media,
    /// Words typed to find cards to pass on to another chat (inline mode); answered with `Reply::cards`.
    Inline(String),
    /// The card of this entry was chosen and sent into another chat: only counted.
    InlineChosen(String),
}

impl Event {
    /// Reads a message's text: a known command, or free text. `/start@UdhaBot x` is the command `start` with `x`.
    pub fn from_text(text: &str) -> Event {
        let trimmed = text.trim();
        if let Some(rest) = trimmed.strip_prefix('/') {
            let (head, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let name = head.split('@').next().unwrap_or("").to_ascii_lowercase();
            if let Some(command) = Command::named(&name) {
                return Event::Command {
                    command,
                    arg: arg.trim().to_string(),
                };
            }
        }
        Event::Text(text.to_string())
    }
}

/// One event with its context.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub event: Event,
    /// A private chat (groups get no case content).
    pub private: bool,
}

/// What a front end keeps about a conversation, in memory only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub lang: Lang,
    /// In a group, the "I work in private chat" notice was given.
    pub group_notice_sent: bool,
}

impl Session {
    /// A new conversation, in the language the person's app uses (Albanian by default).
    pub fn new(language_code: Option<&str>) -> Session {
        Session {
            lang: language_code.and_then(Lang::from_code).unwrap_or(Lang::Sq),
            group_notice_sent: false,
        }
    }
}

/// What a front end can show; the engine shapes its replies to it, and `udha check` checks the knowledge against
/// it ([`Limits::knowledge_fit`]). Each front end supplies its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest message, in visible characters.
    pub message_chars: usize,
    /// The most bytes a button's data may have.
    pub button_data_bytes: usize,
    /// The first message of an answer fits a phone screen: at most this many visible characters. The rest of the
    /// entry and its sources are one tap away.
    pub first_message_chars: usize,
    /// Longest button label before it is shortened.
    pub label_chars: usize,
    /// Longest text a copy button may hold.
    pub copy_chars: usize,
    /// Most buttons in one row, and on one message.
    pub buttons_per_row: usize,
    pub buttons_per_message: usize,
}

impl Default for Limits {
    /// A phone screen, and Telegram's limits.
    fn default() -> Limits {
        Limits {
            message_chars: 4096,
            button_data_bytes: 64,
            first_message_chars: 1200,
            label_chars: 48,
            copy_chars: 256,
            buttons_per_row: 8,
            buttons_per_message: 100,
        }
    }
}

/// Room a message keeps beside its longest paragraph: the title above it and the HTML escapes.
const PARAGRAPH_ROOM: usize = 596;

impl Limits {
    /// What knowledge must fit to be shown by a front end with these limits: a paragraph in one message with its
    /// title, a flow step's ids in one button's data.
    pub fn knowledge_fit(&self) -> Fit {
        Fit {
            paragraph_chars: self.message_chars.saturating_sub(PARAGRAPH_ROOM),
            flow_step_bytes: callback::flow_step_room(self.button_data_bytes),
        }
    }

    /// Keeps a message's buttons within these limits: a long row goes on in the next row; past the most buttons a
    /// message may have, the last rows before the final one (the menu, "clear") are dropped.
    pub fn fit_buttons(&self, message: &mut Message) {
        let per_row = self.buttons_per_row.max(1);
        if message.buttons.iter().any(|row| row.len() > per_row) {
            message.buttons = std::mem::take(&mut message.buttons)
                .into_iter()
                .flat_map(|row| row.chunks(per_row).map(<[Button]>::to_vec).collect::<Vec<_>>())
                .collect();
        }
        while message.buttons.iter().map(Vec::len).sum::<usize>() > self.buttons_per_message {
            let at = message.buttons.len().saturating_sub(2);
            let row = &mut message.buttons[at];
            row.pop();
            if row.is_empty() {
                message.buttons.remove(at);
            }
        }
    }
}

/// The engine: answers events from the current knowledge and index, which may be swapped at any time.
#[derive(Clone)]
pub struct Engine {
    index: Arc<ArcSwap<SearchIndex>>,
    limits: Limits,
}

impl Engine {
    pub fn new(index: Arc<ArcSwap<SearchIndex>>) -> Engine {
        Engine {
            index,
            limits: Limits::default(),
        }
    }

    /// The same engine shaping its replies to a front end's limits.
    pub fn with_limits(mut self, limits: Limits) -> Engine {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn index(&self) -> Arc<SearchIndex> {
        self.index.load_full()
    }

    /// Answers one event.
    pub fn handle(&self, session: &mut Session, incoming: Incoming) -> Reply {
        let index = self.index.load_full();
        let turn = Turn {
            index: &index,
            limits: self.limits,
        };
        let mut reply = turn.answer(session, incoming);
        for message in reply
            .messages
            .iter_mut()
            .chain(reply.cards.iter_mut().map(|c| &mut c.message))
        {
            self.limits.fit_buttons(message);
        }
        reply
    }
}

/// One answer being put together, over one consistent view of the knowledge.
struct Turn<'a> {
    index: &'a SearchIndex,
    limits: Limits,
}

impl Turn<'_> {
    fn answer(&self, session: &mut Session, incoming: Incoming) -> Reply {
        let mut reply = if let Event::Inline(query) = &incoming.event {
            self.cards(session.lang, query)
        } else if let Event::InlineChosen(id) = &incoming.event {
            self.chosen(id)
        } else if !incoming.private {
            self.group(session, &incoming.event)
        } else {
            match incoming.event {
                Event::Command { command, arg } => self.command(session, command, &arg),
                Event::Text(text) => return self.question(session, &text),
                Event::Button(data) => return self.press(session, &data),
                Event::Media => Reply {
                    messages: vec![self.with_menu_button(Message::text(texts(session.lang).text_only), session.lang)],
                    ..Reply::default()
                },
                Event::Inline(_) | Event::InlineChosen(_) => Reply::default(),
            }
        };
        reply.lang = session.lang;
        reply
    }

    fn entry(&self, id: &str) -> Option<&Arc<Entry>> {
        self.index.knowledge().get(id)
    }

    /// The entry a button names, by id or by the hash of its id.
    fn find(&self, entry: &EntryRef) -> Option<&Arc<Entry>> {
        match entry {
            EntryRef::Id(id) => self.entry(id),
            EntryRef::Hash(_) => self.index.knowledge().entries().iter().find(|e| entry.names(&e.id)),
        }
    }

    fn group(&self, session: &mut Session, event: &Event) -> Reply {
        let mut reply = Reply::default();
        if let Event::Button(_) = event {
            reply.notice = Some(texts(session.lang).private_only.to_string());
            return reply;
        }
        if !session.group_notice_sent {
            session.group_notice_sent = true;
            reply.messages.push(Message::text(texts(session.lang).private_only));
        }
        reply
    }

    fn command(&self, session: &mut Session, command: Command, arg: &str) -> Reply {
        let lang = session.lang;
        let t = texts(lang);
        match command {
            Command::Start => {
                if !arg.is_empty()
                    && let Some(entry) = self.entry(arg)
                {
                    let mut reply = self.open(lang, entry, &[]);
                    reply.tallies.insert(0, Tally::DeepLink(entry.id.clone()));
                    return reply;
                }
                let mut menu = self.main_menu(lang);
                menu.parts.insert(0, Part::Text(t.greeting.to_string()));
                menu.parts.retain(|p| p != &Part::Text(t.menu_prompt.to_string()));
                Reply {
                    messages: vec![menu],
                    tallies: vec![Tally::Start],
                    ..Reply::default()
                }
            }
            Command::Help => Reply {
                messages: vec![self.with_menu_button(Message::text(t.help), lang)],
                ..Reply::default()
            },
            Command::Menu => Reply {
                messages: vec![self.main_menu(lang)],
                ..Reply::default()
            },
            Command::Lang => {
                let buttons = vec![vec![
                    Button::Action {
                        label: "Shqip".into(),
                        data: callback::encode(Lang::Sq, &Action::SetLang),
                    },
                    Button::Action {
                        label: "English".into(),
                        data: callback::encode(Lang::En, &Action::SetLang),
                    },
                ]];
                Reply {
                    messages: vec![Message {
                        parts: vec![Part::Text(t.choose_lang.into())],
                        buttons,
                    }],
                    ..Reply::default()
                }
            }
            Command::Clear => self.clear(lang),
        }
    }

    fn clear(&self, lang: Lang) -> Reply {
        let t = texts(lang);
        let message = Message {
            parts: vec![Part::Text(t.cleared.into())],
            buttons: vec![vec![self.menu_button(lang)]],
        };
        Reply {
            messages: vec![message],
            clear_chat: true,
            tallies: vec![Tally::ClearChat],
            ..Reply::default()
        }
    }

    fn question(&self, session: &mut Session, text: &str) -> Reply {
        if text.trim().is_empty() {
            let t = texts(session.lang);
            return Reply {
                messages: vec![self.with_menu_button(Message::text(t.empty_question), session.lang)],
                lang: session.lang,
                ..Reply::default()
            };
        }
        let answer = self.index.search(text, session.lang, RESULTS);
        let lang = answer.lang;
        let mut reply = Reply {
            tallies: vec![Tally::Question],
            lang,
            ..Reply::default()
        };
        if answer.emergency() {
            reply.tallies.push(Tally::Emergency);
            reply.messages.push(self.urgent_message(lang, answer.danger));
        }
        let urgent_entry = self.entry(urgent::ENTRY).filter(|_| answer.emergency());
        let mut answered = if let (true, Some(entry)) = (answer.hits.is_empty(), urgent_entry) {
            // Danger now and nothing else found ("po më rreh tani"): what to do first, not "nothing found".
            self.open(lang, entry, &[])
        } else if answer.hits.is_empty() {
            reply.tallies.push(Tally::NoResult);
            Reply {
                messages: vec![self.with_menu_button(Message::text(texts(lang).not_found), lang)],
                ..Reply::default()
            }
        } else if answer.is_clear() {
            let next: Vec<&Entry> = answer.hits[1..].iter().map(|h| h.entry.as_ref()).collect();
            self.open(lang, &answer.hits[0].entry, &next)
        } else {
            self.choices(lang, answer.hits.iter().map(|h| h.entry.as_ref()))
        };
        if answer.danger.danger == Danger::Possible
            && let Some(first) = answered.messages.first_mut()
        {
            first.parts.insert(0, self.urgent_note(lang, answer.danger));
        }
        reply.messages.append(&mut answered.messages);
        reply.tallies.append(&mut answered.tallies);
        reply
    }

    /// No entry is clearly ahead: the best titles as buttons, rather than the wrong entry in full.
    fn choices<'e>(&self, lang: Lang, entries: impl Iterator<Item = &'e Entry>) -> Reply {
        let mut message = Message::text(texts(lang).which_one);
        message.buttons = entries
            .take(CHOICES)
            .map(|e| vec![self.entry_button(lang, e)])
            .collect();
        message.buttons.push(vec![self.menu_button(lang)]);
        Reply {
            messages: vec![message],
            ..Reply::default()
        }
    }

    fn press(&self, session: &mut Session, data: &str) -> Reply {
        let Some(Press { lang, action }) = callback::decode(data) else {
            let mut reply = self.expired(session.lang);
            reply.lang = session.lang;
            return reply;
        };
        let mut reply = self.act(session, lang, action);
        reply.lang = lang;
        reply
    }

    fn act(&self, session: &mut Session, lang: Lang, action: Action) -> Reply {
        match action {
            Action::Entry(id) => match self.entry(&id) {
                Some(entry) => self.open(lang, entry, &[]),
                None => self.expired(lang),
            },
            Action::EntryHash(h) => {
                match self
                    .index
                    .knowledge()
                    .entries()
                    .iter()
                    .find(|e| callback::id_hash(&e.id) == h)
                {
                    Some(entry) => self.open(lang, entry, &[]),
                    None => self.expired(lang),
                }
            }
            Action::Show { view, entry } => match self.find(&entry) {
                Some(found) if view == View::More => self.more(lang, found),
                Some(found) => self.sources(lang, found),
                None => self.expired(lang),
            },
            Action::FlowStep { flow, step } => match self.entry(&flow) {
                Some(entry) if entry.flow.as_ref().is_some_and(|f| f.step(&step).is_some()) => {
                    self.flow_step(lang, entry, &step)
                }
                _ => self.expired(lang),
            },
            Action::Menu(Menu::Urgent) => {
                let mut reply = Reply {
                    tallies: vec![Tally::Emergency],
                    ..Reply::default()
                };
                reply.messages.push(self.urgent_message(lang, Assessment::default()));
                if let Some(entry) = self.entry(urgent::ENTRY) {
                    let opened = self.open(lang, entry, &[]);
                    reply.messages.extend(opened.messages);
                    reply.tallies.extend(opened.tallies);
                }
                reply
            }
            Action::Menu(menu) => Reply {
                messages: vec![self.menu(lang, menu)],
                ..Reply::default()
            },
            Action::SetLang => {
                let changed = session.lang != lang;
                session.lang = lang;
                let mut m = self.main_menu(lang);
                m.parts.insert(0, Part::Text(texts(lang).lang_set.into()));
                Reply {
                    messages: vec![m],
                    tallies: if changed { vec![Tally::LangSwitch] } else { vec![] },
                    ..Reply::default()
                }
            }
            Action::Clear => self.clear(lang),
        }
    }

    fn expired(&self, lang: Lang) -> Reply {
        Reply {
            messages: vec![self.main_menu(lang)],
            notice: Some(texts(lang).expired.into()),
            ..Reply::default()
        }
    }

    /// The urgent contacts' phones, in the order the danger calls for (a child: the child line second).
    fn urgent_phones(&self, lang: Lang, danger: Assessment) -> Vec<Part> {
        let ids = if danger.child {
            urgent::CONTACTS_CHILD
        } else {
            urgent::CONTACTS
        };
        ids.iter()
            .filter_map(|id| self.entry(id).and_then(|e| e.contact.as_ref()))
            .flat_map(|c| &c.phones)
            .map(|p| Part::Phone {
                number: p.number.clone(),
                label: p.label.get(lang).clone(),
            })
            .collect()
    }

    /// Urgent help first: 129 and the national lines, from the contact entries.
    fn urgent_message(&self, lang: Lang, danger: Assessment) -> Message {
        let t = texts(lang);
        let mut parts = vec![Part::Heading(t.urgent_first.into())];
        parts.extend(self.urgent_phones(lang, danger));
        let mut buttons = copy_phone_rows(&parts);
        if let Some(entry) = self.entry(urgent::ENTRY) {
            buttons.push(vec![self.entry_button(lang, entry)]);
        }
        Message { parts, buttons }
    }

    /// The one-line urgent note above an answer when danger is possible but not certain: the first two numbers.
    fn urgent_note(&self, lang: Lang, danger: Assessment) -> Part {
        let numbers: Vec<String> = self
            .urgent_phones(lang, danger)
            .into_iter()
            .take(URGENT_NOTE_CONTACTS)
            .filter_map(|p| match p {
                Part::Phone { number, label } => Some(format!("{number} ({label})")),
                _ => None,
            })
            .collect();
        Part::Text(format!("⚠ {} {}", texts(lang).if_in_danger, numbers.join(" · ")))
    }

    /// Shows an entry (or starts its flow) in a first message that fits a phone screen: title, summary, the
    /// steps that fit and the phone numbers; the rest and the sources are a tap away. Buttons for `next` results,
    /// related entries and the menu.
    fn open(&self, lang: Lang, entry: &Entry, next: &[&Entry]) -> Reply {
        if let Some(flow) = &entry.flow {
            return self.flow_step(lang, entry, &flow.start);
        }
        let t = texts(lang);
        let shown = self.first_screen(lang, entry, t.steps_continue);
        let has_more = shown.steps_shown < entry.text(lang).steps.len() || !self.details(lang, entry).is_empty();
        let buttons = self.entry_buttons(lang, entry, next, &shown.parts, has_more);
        Reply {
            messages: vec![Message {
                parts: shown.parts,
                buttons,
            }],
            tallies: vec![Tally::Answer(entry.id.clone())],
            ..Reply::default()
        }
    }

    /// The first screen of an entry: title, summary, as many steps as fit the front end's first message (then
    /// `continued`, saying where the others are) and the phone numbers, which always fit.
    fn first_screen(&self, lang: Lang, entry: &Entry, continued: &str) -> FirstScreen {
        let text = entry.text(lang);
        let head = vec![Part::Heading(text.title.clone()), Part::Text(text.summary.clone())];
        let phones = entry_phones(lang, entry);
        let fixed = visible_len(&head) + visible_len(&phones);
        let steps_shown = steps_that_fit(&text.steps, self.limits.first_message_chars, fixed, continued);
        let mut parts = head;
        if steps_shown > 0 {
            parts.push(Part::Steps {
                first: 1,
                steps: text.steps[..steps_shown].to_vec(),
            });
        }
        if steps_shown < text.steps.len() {
            parts.push(Part::Text(continued.to_string()));
        }
        parts.extend(phones);
        FirstScreen { parts, steps_shown }
    }

    /// What an entry says beyond its first screen: the body and a contact's emails, websites, address and hours.
    fn details(&self, lang: Lang, entry: &Entry) -> Vec<Part> {
        let mut parts: Vec<Part> = paragraphs(entry.text(lang));
        if let Some(c) = &entry.contact {
            parts.extend(c.emails.iter().map(|m| Part::Text(format!("✉ {m}"))));
            parts.extend(c.websites.iter().map(|w| Part::Link {
                label: w.trim_start_matches("https://").trim_end_matches('/').to_string(),
                url: w.clone(),
            }));
            if let Some(a) = &c.address {
                parts.push(Part::Text(format!("📍 {a}")));
            }
            if let Some(h) = &c.hours {
                parts.push(Part::Text(format!("🕒 {h}")));
            }
        }
        parts
    }

    /// "More": the steps that did not fit the first message, then the details; with the sources a tap away.
    fn more(&self, lang: Lang, entry: &Entry) -> Reply {
        let t = texts(lang);
        let text = entry.text(lang);
        let shown = self.first_screen(lang, entry, t.steps_continue).steps_shown;
        let mut parts = vec![Part::Heading(text.title.clone())];
        if shown < text.steps.len() {
            parts.push(Part::Steps {
                first: shown + 1,
                steps: text.steps[shown..].to_vec(),
            });
        }
        parts.extend(self.details(lang, entry));
        let mut buttons = Vec::new();
        if !entry.sources.is_empty() {
            buttons.push(vec![self.show_button(lang, entry, View::Sources)]);
        }
        buttons.push(vec![self.entry_button(lang, entry), self.menu_button(lang)]);
        Reply {
            messages: vec![Message { parts, buttons }],
            ..Reply::default()
        }
    }

    /// "Sources": where the entry's facts come from, each with its link when there is one.
    fn sources(&self, lang: Lang, entry: &Entry) -> Reply {
        let t = texts(lang);
        let mut parts = vec![Part::Heading(format!("{}: {}", t.sources, entry.text(lang).title))];
        parts.extend(entry.sources.iter().map(|s| Part::Source {
            label: s.citation.as_ref().map_or_else(
                || s.title.clone(),
                |c| if s.url.is_some() { s.title.clone() } else { c.clone() },
            ),
            url: s.url.clone(),
        }));
        let buttons = vec![vec![self.entry_button(lang, entry), self.menu_button(lang)]];
        Reply {
            messages: vec![Message { parts, buttons }],
            ..Reply::default()
        }
    }

    /// Cards to pass an entry on to another chat: for a share button's query (an entry id) that entry first;
    /// for words, the best matches in the words' language; for nothing, the most useful entries.
    fn cards(&self, lang: Lang, query: &str) -> Reply {
        let query = query.trim();
        let mut entries: Vec<Arc<Entry>> = Vec::new();
        let mut lang = lang;
        if query.is_empty() {
            entries.extend(CARDS_WHEN_EMPTY.iter().filter_map(|id| self.entry(id)).cloned());
        } else {
            entries.extend(self.entry(query).cloned());
            let answer = self.index.search(query, lang, CARDS);
            if entries.is_empty() {
                lang = answer.lang;
            }
            if answer.emergency() {
                entries.extend(self.entry(urgent::ENTRY).cloned());
            }
            entries.extend(answer.hits.into_iter().map(|h| h.entry));
        }
        let mut seen: Vec<String> = Vec::new();
        entries.retain(|e| {
            let new = !seen.contains(&e.id);
            seen.push(e.id.clone());
            new
        });
        Reply {
            cards: entries.iter().take(CARDS).map(|e| self.card(lang, e)).collect(),
            lang,
            ..Reply::default()
        }
    }

    /// An entry as a card: its first screen, with a button that opens it in Udha.
    fn card(&self, lang: Lang, entry: &Entry) -> Card {
        let t = texts(lang);
        let text = entry.text(lang);
        let message = Message {
            parts: self.first_screen(lang, entry, t.card_continue).parts,
            buttons: vec![vec![Button::Open {
                label: t.open_in_udha.into(),
                entry: entry.id.clone(),
            }]],
        };
        Card {
            id: entry.id.clone(),
            title: text.title.clone(),
            description: shorten(&text.summary, CARD_DESCRIPTION_CHARS),
            message,
        }
    }

    /// A card was sent into another chat: counted for its entry, nothing else.
    fn chosen(&self, id: &str) -> Reply {
        Reply {
            tallies: self
                .entry(id)
                .map(|e| Tally::Inline(e.id.clone()))
                .into_iter()
                .collect(),
            ..Reply::default()
        }
    }

    fn show_button(&self, lang: Lang, entry: &Entry, view: View) -> Button {
        let t = texts(lang);
        Button::Action {
            label: if view == View::More { t.more } else { t.sources_button }.into(),
            data: callback::encode(
                lang,
                &Action::Show {
                    view,
                    entry: EntryRef::Id(entry.id.clone()),
                },
            ),
        }
    }

    /// An entry's buttons: numbers and the citation to copy; "more", "sources" and "share"; the next results and
    /// related entries (seven at most), then the menu and, for people who may need it, "clear this chat".
    fn entry_buttons(
        &self,
        lang: Lang,
        entry: &Entry,
        next: &[&Entry],
        parts: &[Part],
        has_more: bool,
    ) -> Vec<Vec<Button>> {
        let t = texts(lang);
        let mut buttons: Vec<Vec<Button>> = copy_phone_rows(parts);
        if entry.kind == Kind::Law
            && let Some(citation) = entry.sources.iter().find_map(|s| s.citation.as_deref())
            && citation.chars().count() <= self.limits.copy_chars
        {
            buttons.push(vec![Button::Copy {
                label: t.copy_citation.into(),
                text: citation.to_string(),
            }]);
        }
        let mut views = Vec::new();
        if has_more {
            views.push(self.show_button(lang, entry, View::More));
        }
        if !entry.sources.is_empty() {
            views.push(self.show_button(lang, entry, View::Sources));
        }
        views.push(Button::Share {
            label: t.share.into(),
            query: entry.id.clone(),
        });
        buttons.push(views);
        let mut offered: Vec<&str> = vec![&entry.id];
        let related = entry.related.iter().filter_map(|id| self.entry(id)).map(Arc::as_ref);
        for e in next.iter().take(3).copied().chain(related) {
            if offered.len() >= 7 {
                break;
            }
            if !offered.contains(&e.id.as_str()) {
                offered.push(&e.id);
                buttons.push(vec![self.entry_button(lang, e)]);
            }
        }
        let mut last_row = vec![self.menu_button(lang)];
        if entry.audience != Audience::Provider {
            last_row.push(Button::Action {
                label: t.clear.into(),
                data: callback::encode(lang, &Action::Clear),
            });
        }
        buttons.push(last_row);
        buttons
    }

    fn flow_step(&self, lang: Lang, entry: &Entry, step_id: &str) -> Reply {
        let t = texts(lang);
        let Some(flow) = &entry.flow else {
            return self.expired(lang);
        };
        let Some(step) = flow.step(step_id) else {
            return self.expired(lang);
        };
        let mut parts = Vec::new();
        if step.id == flow.start {
            parts.push(Part::Heading(entry.text(lang).title.clone()));
        }
        parts.push(Part::Text(step.text.get(lang).clone()));
        let mut buttons: Vec<Vec<Button>> = Vec::new();
        for option in &step.options {
            let action = match (&option.goto, &option.entry) {
                (Some(goto), _) => Action::FlowStep {
                    flow: entry.id.clone(),
                    step: goto.clone(),
                },
                (None, Some(id)) => Action::Entry(id.clone()),
                (None, None) => continue,
            };
            buttons.push(vec![Button::Action {
                label: option.label.get(lang).clone(),
                data: callback::encode(lang, &action),
            }]);
        }
        for id in &step.show {
            if let Some(e) = self.entry(id) {
                buttons.push(vec![self.entry_button(lang, e)]);
            }
        }
        buttons.push(vec![Button::Action {
            label: t.in_danger.into(),
            data: callback::encode(lang, &Action::Menu(Menu::Urgent)),
        }]);
        let mut nav = Vec::new();
        if let Some(parent) = parent_step(flow, step_id) {
            nav.push(Button::Action {
                label: t.back.into(),
                data: callback::encode(
                    lang,
                    &Action::FlowStep {
                        flow: entry.id.clone(),
                        step: parent,
                    },
                ),
            });
        }
        nav.push(self.menu_button(lang));
        buttons.push(nav);
        buttons.push(vec![Button::Action {
            label: t.clear.into(),
            data: callback::encode(lang, &Action::Clear),
        }]);

        let mut tallies = Vec::new();
        if step.id == flow.start {
            tallies.push(Tally::FlowStart(entry.id.clone()));
        }
        tallies.push(Tally::FlowStep {
            flow: entry.id.clone(),
            step: step.id.clone(),
        });
        if step.options.iter().all(|o| o.goto.is_none()) {
            tallies.push(Tally::FlowEnd(entry.id.clone()));
        }
        Reply {
            messages: vec![Message { parts, buttons }],
            tallies,
            ..Reply::default()
        }
    }

    fn main_menu(&self, lang: Lang) -> Message {
        let t = texts(lang);
        let item = |label: &str, menu: Menu| {
            vec![Button::Action {
                label: label.into(),
                data: callback::encode(lang, &Action::Menu(menu)),
            }]
        };
        let buttons = vec![
            item(t.urgent, Menu::Urgent),
            item(t.safety, Menu::Safety),
            item(t.platforms, Menu::Platforms),
            item(t.laws, Menu::Laws),
            item(t.procedures, Menu::Procedures),
            item(t.contacts, Menu::Contacts),
            vec![
                Button::Action {
                    label: t.switch_lang.into(),
                    data: callback::encode(lang.other(), &Action::SetLang),
                },
                Button::Action {
                    label: t.clear.into(),
                    data: callback::encode(lang, &Action::Clear),
                },
            ],
        ];
        Message {
            parts: vec![Part::Text(t.menu_prompt.into())],
            buttons,
        }
    }

    /// The entries a menu lists: those of the kinds [`menu_of`] puts in it, kind by kind.
    fn listed_in(&self, menu: Menu) -> Vec<&Arc<Entry>> {
        let mut kinds: Vec<(u8, Kind)> = Kind::ALL
            .into_iter()
            .filter_map(|kind| {
                let (listed, order) = menu_of(kind);
                (listed == menu).then_some((order, kind))
            })
            .collect();
        kinds.sort_by_key(|(order, _)| *order);
        let knowledge = self.index.knowledge();
        kinds
            .into_iter()
            .flat_map(|(_, kind)| knowledge.of_kind(kind))
            .collect()
    }

    fn menu(&self, lang: Lang, menu: Menu) -> Message {
        let t = texts(lang);
        let (title, entries, per_row): (&str, Vec<&Arc<Entry>>, usize) = match menu {
            Menu::Main | Menu::Urgent => return self.main_menu(lang),
            Menu::Safety => (t.safety, self.listed_in(Menu::Safety), 1),
            Menu::Platforms => (t.platforms, self.listed_in(Menu::Platforms), 2),
            Menu::Laws => (t.laws, self.listed_in(Menu::Laws), 1),
            Menu::Procedures => (t.procedures, self.listed_in(Menu::Procedures), 1),
            Menu::Contacts => {
                let (local, national): (Vec<&Arc<Entry>>, Vec<&Arc<Entry>>) = self
                    .listed_in(Menu::Contacts)
                    .into_iter()
                    .partition(|e| e.contact.as_ref().is_some_and(|c| c.area != "national"));
                let mut buttons: Vec<Vec<Button>> = national.iter().map(|e| vec![self.entry_button(lang, e)]).collect();
                for chunk in local.chunks(3) {
                    buttons.push(
                        chunk
                            .iter()
                            .map(|e| Button::Action {
                                label: e
                                    .contact
                                    .as_ref()
                                    .map_or_else(|| e.text(lang).title.clone(), |c| c.area.clone()),
                                data: callback::encode(lang, &Action::Entry(e.id.clone())),
                            })
                            .collect(),
                    );
                }
                buttons.push(vec![self.menu_button(lang)]);
                return Message {
                    parts: vec![
                        Part::Heading(t.contacts.into()),
                        Part::Text(format!("{} · {}", t.national, t.by_municipality)),
                    ],
                    buttons,
                };
            }
        };
        let mut buttons: Vec<Vec<Button>> = entries
            .chunks(per_row)
            .map(|row| row.iter().map(|e| self.entry_button(lang, e)).collect())
            .collect();
        buttons.push(vec![self.menu_button(lang)]);
        Message {
            parts: vec![Part::Heading(title.into())],
            buttons,
        }
    }

    fn entry_button(&self, lang: Lang, entry: &Entry) -> Button {
        Button::Action {
            label: shorten(&entry.text(lang).title, self.limits.label_chars),
            data: callback::encode(lang, &Action::Entry(entry.id.clone())),
        }
    }

    fn menu_button(&self, lang: Lang) -> Button {
        Button::Action {
            label: texts(lang).menu.into(),
            data: callback::encode(lang, &Action::Menu(Menu::Main)),
        }
    }

    fn with_menu_button(&self, mut m: Message, lang: Lang) -> Message {
        m.buttons.push(vec![self.menu_button(lang)]);
        m
    }
}

/// Buttons a menu has besides its entries: the way back to the main menu.
const MENU_OWN_BUTTONS: usize = 1;

/// Menus that would list more entries than a front end with `limits` shows on one message (the last ones would not
/// be reachable from the menu, only by search and links): warnings for `udha check`.
pub fn menu_warnings(knowledge: &Knowledge, limits: Limits) -> Vec<Diagnostic> {
    let most = limits.buttons_per_message.saturating_sub(MENU_OWN_BUTTONS);
    let mut counts: Vec<(Menu, Vec<Kind>, usize)> = Vec::new();
    for kind in Kind::ALL {
        let (menu, _) = menu_of(kind);
        let n = knowledge.of_kind(kind).count();
        match counts.iter_mut().find(|(m, ..)| *m == menu) {
            Some((_, kinds, total)) => {
                kinds.push(kind);
                *total += n;
            }
            None => counts.push((menu, vec![kind], n)),
        }
    }
    counts
        .into_iter()
        .filter(|(.., total)| *total > most)
        .map(|(_, kinds, total)| {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            Diagnostic::folder_warning(
                format!(
                    "one menu lists the {} entries ({total}), but a message shows at most {most}",
                    names.join(" and ")
                ),
                "the last ones are reachable only by search and links: merge entries, or ask for the menu to be split",
            )
        })
        .collect()
}

/// The menu that lists the entries of a kind, and the kind's place in it. Every kind must have one (a new kind
/// does not compile until it chooses), so no entry is out of the menus' reach.
fn menu_of(kind: Kind) -> (Menu, u8) {
    match kind {
        Kind::Flow => (Menu::Safety, 0),
        Kind::Safety => (Menu::Safety, 1),
        Kind::Platform => (Menu::Platforms, 0),
        Kind::Law => (Menu::Laws, 0),
        Kind::Procedure => (Menu::Procedures, 0),
        Kind::Contact => (Menu::Contacts, 0),
    }
}

/// The step before `step` on the shortest path from the start: where "back" leads (no state needed).
fn parent_step(flow: &Flow, step: &str) -> Option<String> {
    if step == flow.start {
        return None;
    }
    let mut parent: HashMap<&str, &str> = HashMap::new();
    let mut queue = VecDeque::from([flow.start.as_str()]);
    while let Some(id) = queue.pop_front() {
        for next in flow
            .step(id)
            .into_iter()
            .flat_map(|s| s.options.iter().filter_map(|o| o.goto.as_deref()))
        {
            if next != flow.start && !parent.contains_key(next) {
                parent.insert(next, id);
                queue.push_back(next);
            }
        }
    }
    parent.get(step).map(|p| p.to_string())
}

/// A copy button for each phone among the parts ("📋 129"), a few to a row.
fn copy_phone_rows(parts: &[Part]) -> Vec<Vec<Button>> {
    let copies: Vec<Button> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Phone { number, .. } => Some(Button::Copy {
                label: format!("📋 {number}"),
                text: number.clone(),
            }),
            _ => None,
        })
        .collect();
    copies.chunks(COPY_PER_ROW).map(<[Button]>::to_vec).collect()
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_string();
    }
    let cut: String = label.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// An entry's first screen, and how many of its steps it shows.
struct FirstScreen {
    parts: Vec<Part>,
    steps_shown: usize,
}

/// A contact entry's phone numbers, each with its hours.
fn entry_phones(lang: Lang, entry: &Entry) -> Vec<Part> {
    let Some(c) = &entry.contact else {
        return Vec::new();
    };
    c.phones
        .iter()
        .map(|p| {
            let mut label = p.label.get(lang).clone();
            if let Some(h) = &p.hours {
                label.push_str(&format!(" ({h})"));
            }
            Part::Phone {
                number: p.number.clone(),
                label,
            }
        })
        .collect()
}

/// The body's paragraphs.
fn paragraphs(text: &Localized) -> Vec<Part> {
    text.body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Part::Text(p.to_string()))
        .collect()
}

/// What a front end may add to each part when it shows it (a line between parts, a symbol before a phone).
const PART_MARGIN: usize = 4;

/// How many characters the parts take on screen, counted generously.
fn visible_len(parts: &[Part]) -> usize {
    parts
        .iter()
        .map(|p| {
            Message {
                parts: vec![p.clone()],
                buttons: Vec::new(),
            }
            .plain()
            .chars()
            .count()
                + PART_MARGIN
        })
        .sum()
}

/// How many of `steps`, from the first, fit in `limit` characters beside `used` ones (with the `continued` line
/// when not all of them fit).
fn steps_that_fit(steps: &[String], limit: usize, used: usize, continued: &str) -> usize {
    let step_len = |i: usize, s: &String| format!("{}. {s}", i + 1).chars().count() + 1;
    let all: usize = steps.iter().enumerate().map(|(i, s)| step_len(i, s)).sum();
    if used + all + PART_MARGIN <= limit {
        return steps.len();
    }
    let room = limit.saturating_sub(used + PART_MARGIN * 2 + continued.chars().count());
    let mut taken = 0;
    let mut count = 0;
    for (i, s) in steps.iter().enumerate() {
        taken += step_len(i, s);
        if taken > room {
            break;
        }
        count += 1;
    }
    count
}
