//! The dialogue engine: events in, replies out. No Telegram types here: the Telegram bot and the terminal chat
//! are thin front ends ([`FrontEnd`]: their limits, and how a reply is shown) over one conversation runtime
//! ([`Conversations`]) around [`Engine::handle`].
//!
//! State: the conversation's state travels in button data ([`callback`]); the only other state is a [`Session`]
//! the runtime keeps in memory (the chosen language, the messages to clear), never written anywhere.

pub mod callback;
pub mod conversations;
pub mod engine;
pub mod message;
pub mod texts;

pub use texts::texts as ui_texts;

pub use conversations::{Conversations, FrontEnd, TallySink};
pub use engine::{Command, Engine, Event, Incoming, Limits, Session};
pub use message::{Button, Card, Message, Part, Reply, Tally};
