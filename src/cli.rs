//! The command line: `udha chat | serve | ask | check | export | schema | stats | qr`.
//! These names and flags are a contract other tools and tests rely on.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::usage::report::{self, Format, Period};

#[derive(Debug, Parser)]
#[command(
    name = "udha",
    version,
    about = "Udha: procedures, laws and safety steps for digital violence in Albania, in Albanian and English",
    long_about = "Udha (\"the way\") gives people facing digital violence in Albania, and the professionals who help \
                  them, the right procedure, law or safety step in seconds. It keeps nothing about who asked: only \
                  anonymous daily counts.\n\nStart with `udha chat` to talk to it in this terminal."
)]
pub struct Cli {
    /// The knowledge folder (YAML entries).
    #[arg(long, global = true, env = "UDHA_KNOWLEDGE", default_value = "knowledge")]
    pub knowledge: PathBuf,

    /// Where anonymous usage counts go: sqlite:PATH (a file, created with its folder if missing) or
    /// postgres://... for several replicas.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = crate::usage::DEFAULT_DATABASE_URL,
        hide_env_values = true
    )]
    pub database: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Talk to Udha in this terminal (no token, no network needed): answers short first, with "more",
    /// "sources" and "share" as numbered buttons, as on Telegram.
    Chat(ChatArgs),
    /// Run the Telegram bot (needs TELOXIDE_TOKEN).
    #[command(after_help = SERVE_ENV)]
    Serve(ServeArgs),
    /// Answer one question (or one per input line with --stdin) with the best entries and whether someone may be
    /// in danger (none, possible, now).
    Ask(AskArgs),
    /// Validate the knowledge files: every problem as file:line:column with a hint.
    Check(CheckArgs),
    /// Export every entry and language as one JSON object per line, for other tools.
    Export(ExportArgs),
    /// Print the JSON Schema of a knowledge file.
    Schema,
    /// Report the anonymous usage counts.
    Stats(StatsArgs),
    /// Write the QR code of an entry's deep link (t.me/<bot>?start=<id>), or of every entry with a printable
    /// index.html, for posters and training handouts.
    Qr(QrArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["id", "all"]))]
pub struct QrArgs {
    /// The entry's id, e.g. safety-save-evidence.
    pub id: Option<String>,
    /// Every entry: one code per entry and index.html in the folder given by --out.
    #[arg(long, requires = "out")]
    pub all: bool,
    /// The bot's Telegram username, e.g. UdhaBot.
    #[arg(long)]
    pub bot: String,
    /// The image format.
    #[arg(long, value_enum, default_value = "svg")]
    pub format: crate::qr::Format,
    /// The file to write (standard output if not given), or with --all the folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Language to start in.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Do not record anonymous usage counts for this session.
    #[arg(long)]
    pub no_counts: bool,
}

/// The environment `serve` reads besides its flags' variables (deploy/README.md has the full table).
const SERVE_ENV: &str = "Environment:
  TELOXIDE_TOKEN       the bot token from @BotFather (required; never logged)
  TELOXIDE_API_URL     a self-hosted Bot API server instead of Telegram's
  UDHA_WEBHOOK_SECRET  webhook mode: the secret Telegram sends back (A-Z a-z 0-9 _ -, 1-256); the same on every replica
  DATABASE_URL         sqlite:PATH (created with its folder) or postgres://... (see --database)
  UDHA_KNOWLEDGE       the knowledge folder (see --knowledge)
  RUST_LOG             log level, default info

Inline mode (`@bot words` in any chat, and every entry's Share button) needs /setinline in @BotFather;
/setinlinefeedback lets Udha count which entry's card was sent (never what was typed).

Signals: SIGHUP reloads the knowledge now; SIGTERM and Ctrl-C stop after the replies in flight.
Webhook mode serves GET /healthz on the listen address: 200 once serving, 503 while starting or stopping.";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Receive updates by webhook at this public https URL instead of long polling (for several replicas).
    #[arg(long, env = "UDHA_WEBHOOK_URL")]
    pub webhook_url: Option<url::Url>,
    /// Address the webhook server listens on.
    #[arg(long, env = "UDHA_LISTEN", default_value = "0.0.0.0:8443")]
    pub listen: std::net::SocketAddr,
    /// Seconds between looks at the knowledge files, the fallback when file notifications miss a change
    /// (0: never). Changes are otherwise picked up within about a second, and SIGHUP reloads at once.
    #[arg(long, env = "UDHA_RELOAD_EVERY", default_value_t = 30)]
    pub reload_every: u64,
    /// The bot's overall send limit, messages per second (Telegram's is 30). 0: none, for a self-hosted Bot API
    /// server used by this bot alone. Per-chat limits always apply.
    #[arg(long, env = "UDHA_SEND_LIMIT", default_value_t = crate::telegram::limits::TELEGRAM_OVERALL_PER_SECOND)]
    pub send_limit: u32,
    /// How to notice knowledge edits: auto (file notifications, polling if unavailable), poll (every second,
    /// for network mounts), off (SIGHUP and --reload-every only).
    #[arg(long, env = "UDHA_WATCH", value_enum, default_value = "auto")]
    pub watch: crate::reload::WatchMode,
}

/// `udha stats [--from DATE] [--to DATE] [--by day|week|month] [--format table|csv|json] [--min-count K]
/// [--raw] [--top N] [--chart FILE.svg]`
#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    /// First day included (YYYY-MM-DD, UTC). Default: the first day with counts.
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Last day included (YYYY-MM-DD, UTC). Default: the last day with counts.
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// Period of the time series.
    #[arg(long, value_enum, default_value_t = Period::Week)]
    pub by: Period,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Small-count threshold k: counts from 1 to k-1 are shown as "<k".
    #[arg(long, value_name = "K", default_value_t = report::DEFAULT_MIN_COUNT,
          value_parser = clap::value_parser!(i64).range(1..))]
    pub min_count: i64,
    /// Show true small counts (no suppression). For local use only: never share such a report.
    #[arg(long)]
    pub raw: bool,
    /// How many entries to list under "top entries".
    #[arg(long, value_name = "N", default_value_t = report::DEFAULT_TOP)]
    pub top: usize,
    /// Also draw weekly use by topic group (law, procedure, platform, safety, contact, flow) as an SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

impl StatsArgs {
    /// The report these flags ask for.
    pub fn options(&self) -> report::Options {
        report::Options {
            from: self.from,
            to: self.to,
            by: self.by,
            format: self.format,
            min_count: self.min_count,
            raw: self.raw,
            top: self.top,
            chart: self.chart.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// One JSON object per question, on its own line: query, lang, danger, emergency, results.
    #[arg(long)]
    pub json: bool,
    /// The user's language, used when the question does not show it.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// How many results at most.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Read one question per line from standard input.
    #[arg(long)]
    pub stdin: bool,
    /// The question.
    pub question: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Fail on warnings too (for a release).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// JSON Lines: one object per entry and language (the only format so far).
    #[arg(long, required = true)]
    pub jsonl: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Sq,
    En,
}

impl From<LangArg> for crate::knowledge::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::Sq => crate::knowledge::Lang::Sq,
            LangArg::En => crate::knowledge::Lang::En,
        }
    }
}
