//! Logging setup. Logs go to standard error, at `info` unless `RUST_LOG` says otherwise.
//!
//! Privacy: nothing that identifies a person (chat or user ids, names, usernames, message text) and never the bot
//! token may be logged. Our own code logs only counts, entry ids and error kinds; teloxide's own network errors
//! redact the token.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
