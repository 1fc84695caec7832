//! The terminal chat (`udha chat`): the same engine as the Telegram bot, rendered as plain text. Buttons are
//! numbered; type a number to press one, or type a question or a /command. `/quit` or end of input leaves.

use std::io::{self, BufRead, Write};

use crate::dialogue::{Button, Command, Engine, Event, Incoming, Message, Part, Reply, Session, Tally};
use crate::knowledge::Lang;

/// Clears the terminal screen and its scroll-back.
const CLEAR_SCREEN: &str = "\x1b[3J\x1b[2J\x1b[H";

/// Runs a conversation until the input ends. `tally` receives what to count.
pub fn run(
    engine: &Engine,
    lang: Lang,
    input: impl BufRead,
    mut output: impl Write,
    mut tally: impl FnMut(&Tally, Lang),
) -> io::Result<()> {
    let mut session = Session {
        lang,
        group_notice_sent: false,
    };
    let mut buttons: Vec<Button> = Vec::new();
    let start = Event::Command {
        command: Command::Start,
        arg: String::new(),
    };
    let reply = engine.handle(
        &mut session,
        Incoming {
            event: start,
            private: true,
        },
    );
    show(&reply, &mut buttons, &mut output, &mut tally)?;
    writeln!(output, "{}", hint(session.lang))?;
    write!(output, "> ")?;
    output.flush()?;
    for line in input.lines() {
        let line = line?;
        let trimmed = line.trim();
        if matches!(trimmed, "/quit" | "/exit" | "/q") {
            break;
        }
        let event = match trimmed.parse::<usize>() {
            Ok(n) if n >= 1 && n <= buttons.len() => match &buttons[n - 1] {
                Button::Action { data, .. } => Some(Event::Button(data.clone())),
                Button::Open { entry, .. } => Some(Event::Command {
                    command: Command::Start,
                    arg: entry.clone(),
                }),
                Button::Share { query, .. } => {
                    write!(output, "{}", shared_card(engine, &session, query))?;
                    None
                }
                Button::Link { url: text, .. } | Button::Copy { text, .. } => {
                    writeln!(output, "{text}")?;
                    None
                }
            },
            _ => Some(Event::from_text(&line)),
        };
        if let Some(event) = event {
            let reply = engine.handle(&mut session, Incoming { event, private: true });
            show(&reply, &mut buttons, &mut output, &mut tally)?;
        }
        write!(output, "> ")?;
        output.flush()?;
    }
    writeln!(output)?;
    Ok(())
}

/// What a share button would pass on to another chat: the card its query brings first (in Telegram, the person
/// picks the chat; here it is only shown).
fn shared_card(engine: &Engine, session: &Session, query: &str) -> String {
    let mut session = session.clone();
    let reply = engine.handle(
        &mut session,
        Incoming {
            event: Event::Inline(query.to_string()),
            private: true,
        },
    );
    match reply.cards.first() {
        Some(card) => {
            let plain = render(
                &Message {
                    parts: card.message.parts.clone(),
                    buttons: Vec::new(),
                },
                1,
            );
            format!("\n----\n{plain}----\n")
        }
        None => String::new(),
    }
}

fn hint(lang: Lang) -> &'static str {
    match lang {
        Lang::Sq => "(Shkruani një numër për të shtypur një buton, një pyetje, ose /quit për të dalë.)",
        Lang::En => "(Type a number to press a button, a question, or /quit to leave.)",
    }
}

fn show(
    reply: &Reply,
    buttons: &mut Vec<Button>,
    out: &mut impl Write,
    tally: &mut impl FnMut(&Tally, Lang),
) -> io::Result<()> {
    for t in &reply.tallies {
        tally(t, reply.lang);
    }
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
    Ok(())
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
