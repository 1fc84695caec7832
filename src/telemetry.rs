//! Logging setup. Logs go to standard error, at `info` unless `RUST_LOG` says otherwise.
//!
//! Privacy: nothing that identifies a person (chat or user ids, names, usernames, message text) and never the bot
//! token may be logged. Udha's own code logs only counts, entry ids and kinds of errors. The HTTP, Telegram and
//! database libraries are held at `info` or quieter whatever `RUST_LOG` asks, because their debug and trace output
//! can carry request URLs (with the token) and message bodies; teloxide itself is silenced (it logs unparseable
//! updates whole), Udha logs the bot's events itself.

use tracing_subscriber::EnvFilter;

/// Caps on other crates' logging, applied after `RUST_LOG` so they always win.
const CAPS: &[&str] = &[
    "hyper=warn",
    "hyper_util=warn",
    "reqwest=warn",
    "h2=warn",
    "rustls=warn",
    "tower=warn",
    "axum=warn",
    "teloxide=off",
    "teloxide_core=off",
    "sqlx=warn",
];

pub fn init() {
    let base = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "info".to_string());
    let mut filter = EnvFilter::try_new(&base).unwrap_or_else(|_| EnvFilter::new("info"));
    for cap in CAPS {
        if let Ok(directive) = cap.parse() {
            filter = filter.add_directive(directive);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
