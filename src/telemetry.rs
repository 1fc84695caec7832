//! Logging setup. Logs go to standard error, at `info` unless `RUST_LOG` says otherwise.
//!
//! Privacy: nothing that identifies a person (chat or user ids, names, usernames, message text) and never the bot
//! token may be logged. Udha's own code logs only counts, entry ids and kinds of errors. The HTTP, Telegram and
//! database libraries are held at `info` or quieter whatever `RUST_LOG` asks, because their debug and trace output
//! can carry request URLs (with the token) and message bodies; teloxide itself is silenced (it logs unparseable
//! updates whole), Udha logs the bot's events itself.

use std::borrow::Cow;
use std::io::Write;
use std::sync::RwLock;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Secrets that must never be printed (the bot token, the webhook secret, a database password).
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// From now on `secret` is replaced by `<redacted>` in every log line, panic message and error printed at exit.
/// The code never means to print it (errors are redacted where they are made, see `telegram::redact`); this is
/// the net under that. Very short strings are ignored (they would blank out ordinary words).
pub fn hide(secret: &str) {
    let secret = secret.trim();
    if secret.len() >= 6 {
        let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
        if !secrets.iter().any(|s| s == secret) {
            secrets.push(secret.to_string());
        }
    }
}

/// `text` with every hidden secret (and its URL-encoded form) replaced.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for secret in secrets.iter() {
        let encoded = secret.replace(':', "%3A");
        for form in [secret.as_str(), encoded.as_str()] {
            if out.contains(form) {
                out = Cow::Owned(out.replace(form, "<redacted>"));
            }
        }
    }
    out
}

/// Log output: one formatted event is buffered, scrubbed and written to stderr whole.
struct Scrubbed;

struct ScrubbedLine(Vec<u8>);

impl<'a> MakeWriter<'a> for Scrubbed {
    type Writer = ScrubbedLine;
    fn make_writer(&'a self) -> ScrubbedLine {
        ScrubbedLine(Vec::with_capacity(256))
    }
}

impl Write for ScrubbedLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for ScrubbedLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let _ = std::io::stderr().lock().write_all(scrub(&text).as_bytes());
    }
}

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

/// Logs to stderr at `filter` (`RUST_LOG`'s syntax, read by `cli`; `info` when unset or invalid).
pub fn init(filter: Option<&str>) {
    let base = filter
        .filter(|s| !s.trim().is_empty())
        .map_or_else(|| "info".to_string(), str::to_owned);
    let mut filter = EnvFilter::try_new(&base).unwrap_or_else(|_| EnvFilter::new("info"));
    for cap in CAPS {
        if let Ok(directive) = cap.parse() {
            filter = filter.add_directive(directive);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Scrubbed)
        // Colours only on a terminal: journald and container logs get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
    // A panic message may quote a value (a URL with the token): print it scrubbed.
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        let _ = writeln!(std::io::stderr().lock(), "{}", scrub(&text));
    }));
}

/// Whether `e` is only a closed standard output (`udha stats | head`): the command then ends quietly.
pub fn is_closed_output(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}
