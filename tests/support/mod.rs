//! Shared test support. `fake_bot_api` is a loopback Telegram Bot API server for end-to-end tests; `tg_html` is the
//! Telegram HTML parser it uses to accept and reject texts the way Telegram does.
//!
//! Use from an integration test with `mod support;` and `use support::{FakeTelegram, TestUser, Fault};`.
//! Not every test uses every helper, hence the `allow`s.
#![allow(dead_code, unused_imports)]

pub mod fake_bot_api;
pub mod tg_html;

pub use fake_bot_api::{
    ANY_METHOD, Button, CallbackAnswer, FakeTelegram, Fault, MessageKind, RecordedRequest, SentMessage, TestUser,
};
