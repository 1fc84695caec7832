//! What the engine says: messages made of parts, with buttons. Front ends decide how parts look (HTML on
//! Telegram, plain text in the terminal); the engine never formats for a transport.

use crate::knowledge::Lang;

/// One piece of a message. Front ends may split a long message between parts, never inside one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A heading, shown bold.
    Heading(String),
    /// A paragraph of plain text.
    Text(String),
    /// Numbered steps, the first numbered `first` (steps that did not fit the first message go on from there).
    Steps { first: usize, steps: Vec<String> },
    /// A phone number with what it is.
    Phone { number: String, label: String },
    /// A link (https) with its label.
    Link { label: String, url: String },
    /// A source: label plus an optional https URL.
    Source { label: String, url: Option<String> },
}

/// A button: presses come back to the engine as `data`; link buttons open a URL; copy buttons put `text` on the
/// clipboard (a phone number to paste into the phone app, a legal citation); share buttons let the person pick
/// another chat and pass on what `query` finds there (the entry itself first); open buttons, on a shared card,
/// open the entry in a conversation with Udha.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Button {
    Action { label: String, data: String },
    Link { label: String, url: String },
    Copy { label: String, text: String },
    Share { label: String, query: String },
    Open { label: String, entry: String },
}

impl Button {
    pub fn label(&self) -> &str {
        match self {
            Button::Action { label, .. }
            | Button::Link { label, .. }
            | Button::Copy { label, .. }
            | Button::Share { label, .. }
            | Button::Open { label, .. } => label,
        }
    }
}

/// One message to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub parts: Vec<Part>,
    /// Rows of buttons.
    pub buttons: Vec<Vec<Button>>,
}

impl Message {
    pub fn text(text: impl Into<String>) -> Message {
        Message {
            parts: vec![Part::Text(text.into())],
            buttons: Vec::new(),
        }
    }

    /// All text of the message, plain (for tests and the terminal).
    pub fn plain(&self) -> String {
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                Part::Heading(t) | Part::Text(t) => out.push(t.clone()),
                Part::Steps { first, steps } => {
                    out.extend(steps.iter().enumerate().map(|(i, s)| format!("{}. {s}", first + i)));
                }
                Part::Phone { number, label } => out.push(format!("{number} – {label}")),
                Part::Link { label, url } => out.push(format!("{label}: {url}")),
                Part::Source { label, url } => out.push(match url {
                    Some(u) => format!("{label} ({u})"),
                    None => label.clone(),
                }),
            }
        }
        out.join("\n")
    }

    /// Every button, row by row.
    pub fn all_buttons(&self) -> impl Iterator<Item = &Button> {
        self.buttons.iter().flatten()
    }
}

/// Something worth counting, anonymously: what happened, never who or what they wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tally {
    Start,
    Question,
    Answer(String),
    NoResult,
    Emergency,
    FlowStart(String),
    FlowStep {
        flow: String,
        step: String,
    },
    FlowEnd(String),
    DeepLink(String),
    /// An entry's card was chosen from inline mode (sent into another chat).
    Inline(String),
    ClearChat,
    LangSwitch,
    Error,
}

/// An entry as a card for another chat (inline mode): listed by its title and description; choosing it sends
/// `message`, which ends with a button that opens the entry in Udha.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The entry's id: unique among the cards of one reply.
    pub id: String,
    pub title: String,
    pub description: String,
    pub message: Message,
}

/// Everything the engine answers to one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Messages to send, in order.
    pub messages: Vec<Message>,
    /// Delete every message of this conversation (the user's and the bot's) before sending `messages`.
    pub clear_chat: bool,
    /// A short notice for the button press (Telegram shows it as a toast); every press gets an answer anyway.
    pub notice: Option<String>,
    /// What to count.
    pub tallies: Vec<Tally>,
    /// Cards to offer (an inline query's answer), best first.
    pub cards: Vec<Card>,
    /// The language the reply is in.
    pub lang: Lang,
}
