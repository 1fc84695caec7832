//! The terminal chat (`udha chat`): the same engine as the Telegram bot, rendered as plain text. Buttons are
//! numbered; type a number to press one, or type a question or a /command. `/quit` or end of input leaves.

use std::cell::RefCell;
use std::future::{Future, ready};
use std::io::{self, BufRead, Write};

use futures_util::FutureExt;

use crate::dialogue::{
    Button, Command, Conversations, Engine, Event, FrontEnd, Incoming, Limits, Message, Part, Reply, TallySink,
};
use crate::knowledge::{Bilingual, Lang};

/// Clears the terminal screen and its scroll-back.
const CLEAR_SCREEN: &str = "\x1b[3J\x1b[2J\x1b[H";

/// The terminal as a front end: one chat, replies printed as plain text with numbered buttons.
struct Terminal<W> {
    output: RefCell<W>,
    /// The buttons of the last reply, numbered from 1.
    buttons: RefCell<Vec<Button>>,
}

impl<W: Write> FrontEnd for Terminal<W> {
    type Chat = ();
    type Error = io::Error;

    /// A terminal shows what a phone shows.
    fn limits(&self) -> Limits {
        Limits::default()
    }

    /// Prints the reply at once (the future is ready when returned).
    fn apply(&self, _chat: &(), reply: &Reply) -> impl Future<Output = io::Result<()>> + Send {
        ready(show(
            reply,
            &mut self.buttons.borrow_mut(),
            &mut *self.output.borrow_mut(),
        ))
    }
}

impl<W: Write> Terminal<W> {
    fn show(&self, reply: &Reply) -> io::Result<()> {
        self.apply(&(), reply).now_or_never().unwrap_or(Ok(()))
    }

    fn write(&self, text: &str) -> io::Result<()> {
        let mut out = self.output.borrow_mut();
        write!(out, "{text}")?;
        out.flush()
    }
}

/// Runs a conversation until the input ends. `tally` receives what to count.
pub fn run(engine: &Engine, lang: Lang, input: impl BufRead, output: impl Write, tally: TallySink) -> io::Result<()> {
    let terminal = Terminal {
        output: RefCell::new(output),
        buttons: RefCell::new(Vec::new()),
    };
    let conversation: Conversations<(), ()> = Conversations::new(engine.clone().with_limits(terminal.limits()), tally);
    let _ = conversation.arrive(&(), Some(lang.code()), None);
    let start = Event::Command {
        command: Command::Start,
        arg: String::new(),
    };
    terminal.show(&conversation.answer(&(), private(start)))?;
    terminal.write(&format!("{}\n> ", hint(conversation.session(&()).lang)))?;
    for line in input.lines() {
        let line = line?;
        let trimmed = line.trim();
        if matches!(trimmed, "/quit" | "/exit" | "/q") {
            break;
        }
        let pressed = trimmed
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| terminal.buttons.borrow().get(i).cloned());
        let event = match pressed {
            Some(Button::Action { data, .. }) => Some(Event::Button(data)),
            Some(Button::Open { entry, .. }) => Some(Event::Command {
                command: Command::Start,
                arg: entry,
            }),
            Some(Button::Share { query, .. }) => {
                terminal.write(&shared_card(&conversation, &query))?;
                None
            }
            Some(Button::Link { url: text, .. } | Button::Copy { text, .. }) => {
                terminal.write(&format!("{text}\n"))?;
                None
            }
            None => Some(Event::from_text(&line)),
        };
        if let Some(event) = event {
            terminal.show(&conversation.answer(&(), private(event)))?;
        }
        terminal.write("> ")?;
    }
    terminal.write("\n")
}

fn private(event: Event) -> Incoming {
    Incoming { event, private: true }
}

/// What a share button would pass on to another chat: the card its query brings first (in Telegram, the person
/// picks the chat; here it is only shown).
fn shared_card(conversation: &Conversations<(), ()>, query: &str) -> String {
    let lang = conversation.session(&()).lang;
    let reply = conversation.answer_outside(Some(lang.code()), private(Event::Inline(query.to_string())));
    match reply.cards.first() {
        Some(card) => {
            let card = Message {
                parts: card.message.parts.clone(),
                buttons: Vec::new(),
            };
            format!("\n----\n{}----\n", render(&card, 1))
        }
        None => String::new(),
    }
}

fn hint(lang: Lang) -> &'static str {
    const HINT: Bilingual<&str> = Bilingual {
        sq: "(Shkruani një numër për të shtypur një buton, një pyetje, ose /quit për të dalë.)",
        en: "(Type a number to press a button, a question, or /quit to leave.)",
    };
    HINT.get(lang)
}

/// Prints a reply: the screen cleared first if asked, the notice, then each message with its buttons numbered
/// on from the previous message's.
fn show(reply: &Reply, buttons: &mut Vec<Button>, out: &mut impl Write) -> io::Result<()> {
    if reply.clear_chat {
        write!(out, "{CLEAR_SCREEN}")?;
    }
    if let Some(notice) = &reply.notice {
        writeln!(out, "({notice})")?;
    }
    buttons.clear();
    for message in &reply.messages {
        writeln!(out)?;
        write!(out, "{}", render(message, buttons.len() + 1))?;
        buttons.extend(message.all_buttons().cloned());
    }
    out.flush()
}

/// A message as plain text, with its buttons numbered from `first`.
pub fn render(message: &Message, first: usize) -> String {
    let mut out = String::new();
    for part in &message.parts {
        match part {
            Part::Heading(t) => out.push_str(&format!("** {t} **\n")),
            Part::Text(t) => out.push_str(&format!("{t}\n")),
            Part::Steps { first, steps } => {
                for (i, s) in steps.iter().enumerate() {
                    out.push_str(&format!("  {}. {s}\n", first + i));
                }
            }
            Part::Phone { number, label } => out.push_str(&format!("  ☎ {number} – {label}\n")),
            Part::Link { label, url } => out.push_str(&format!("  {label}: {url}\n")),
            Part::Source { label, url } => match url {
                Some(u) => out.push_str(&format!("  - {label} <{u}>\n")),
                None => out.push_str(&format!("  - {label}\n")),
            },
        }
    }
    let mut n = first;
    for row in &message.buttons {
        let labels: Vec<String> = row
            .iter()
            .map(|b| {
                let s = format!("[{n}] {}", b.label());
                n += 1;
                s
            })
            .collect();
        out.push_str(&format!("  {}\n", labels.join("   ")));
    }
    out
}
