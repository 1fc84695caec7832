//! The dialogue engine: events in, replies out. No Telegram types here: the Telegram bot and the terminal chat
//! are thin adapters over [`Engine::handle`].
//!
//! State: the conversation's state travels in button data ([`callback`]); the only other state is a [`Session`]
//! the front end keeps in memory (the chosen language), never written anywhere.

pub mod callback;
pub mod engine;
pub mod message;
pub mod texts;

pub use texts::texts as ui_texts;

pub use engine::{Command, Engine, Event, Incoming, Limits, Session};
pub use message::{Button, Card, Message, Part, Reply, Tally};
