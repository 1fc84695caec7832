//! The command line: `udha chat | serve | ask | check | export | schema | stats | qr`.
//! These names and flags are a contract other tools and tests rely on.
//!
//! Every setting is read here, through clap: flags, and the environment variables behind them (besides
//! `telegram::Config::from_env`, the Telegram front end's token and API URL). The value types clap parses live
//! here too and turn into the plain types of the modules, which know nothing of clap.

use std::ffi::OsString;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::usage::report;

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

    /// `RUST_LOG`: the log filter (read from the environment only).
    #[command(flatten)]
    pub log: LogFilter,

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
    pub format: QrFormat,
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
    pub watch: Watch,
    /// `UDHA_WEBHOOK_SECRET` (read from the environment only).
    #[command(flatten)]
    pub webhook_secret: WebhookSecret,
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
    #[arg(long, value_enum, default_value_t = StatsPeriod::Week)]
    pub by: StatsPeriod,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
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
            by: self.by.into(),
            format: self.format.into(),
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

/// `udha qr --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QrFormat {
    Svg,
    Png,
}

impl From<QrFormat> for crate::qr::Format {
    fn from(f: QrFormat) -> Self {
        match f {
            QrFormat::Svg => crate::qr::Format::Svg,
            QrFormat::Png => crate::qr::Format::Png,
        }
    }
}

/// `udha serve --watch`: how the knowledge folder is watched for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Watch {
    /// The system's file notifications (inotify), falling back to polling every second if they are unavailable.
    Auto,
    /// Look at the files every second (network and some container mounts send no notifications).
    Poll,
    /// No watching: reload on SIGHUP and every `--reload-every` seconds only.
    Off,
}

impl From<Watch> for crate::reload::WatchMode {
    fn from(w: Watch) -> Self {
        match w {
            Watch::Auto => crate::reload::WatchMode::Auto,
            Watch::Poll => crate::reload::WatchMode::Poll,
            Watch::Off => crate::reload::WatchMode::Off,
        }
    }
}

/// `udha stats --by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsPeriod {
    Day,
    Week,
    Month,
}

impl From<StatsPeriod> for report::Period {
    fn from(p: StatsPeriod) -> Self {
        match p {
            StatsPeriod::Day => report::Period::Day,
            StatsPeriod::Week => report::Period::Week,
            StatsPeriod::Month => report::Period::Month,
        }
    }
}

/// `udha stats --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Table,
    Csv,
    Json,
}

impl From<StatsFormat> for report::Format {
    fn from(f: StatsFormat) -> Self {
        match f {
            StatsFormat::Table => report::Format::Table,
            StatsFormat::Csv => report::Format::Csv,
            StatsFormat::Json => report::Format::Json,
        }
    }
}

/// A setting read from the environment only, never from a flag: a command line shows in `ps`, and a secret
/// there would too. Its hidden flag exists only so that clap reads the variable; given on the command line, it
/// is refused.
fn env_only_arg(id: &'static str, var: &'static str) -> clap::Arg {
    clap::Arg::new(id)
        .long(id)
        .env(var)
        .hide(true)
        .hide_env_values(true)
        .action(clap::ArgAction::Set)
        .value_parser(clap::value_parser!(OsString))
}

/// The value of an [`env_only_arg`]: `None` when unset, empty or not UTF-8 (as `std::env::var(..).ok()` with
/// empty values ignored).
fn env_only_value(
    matches: &clap::ArgMatches,
    id: &'static str,
    var: &'static str,
) -> Result<Option<String>, clap::Error> {
    if matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
        return Err(clap::Error::raw(
            clap::error::ErrorKind::UnknownArgument,
            format!("unexpected argument '--{id}': set {var} in the environment instead"),
        ));
    }
    Ok(matches
        .get_one::<OsString>(id)
        .and_then(|v| v.to_str())
        .filter(|v| !v.is_empty())
        .map(str::to_owned))
}

/// Implements clap's `Args` for a newtype over `Option<String>` read by [`env_only_arg`].
macro_rules! env_only {
    ($ty:ident, $id:literal, $var:literal) => {
        impl clap::FromArgMatches for $ty {
            fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
                env_only_value(matches, $id, $var).map($ty)
            }

            fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
                *self = Self::from_arg_matches(matches)?;
                Ok(())
            }
        }

        impl clap::Args for $ty {
            fn augment_args(cmd: clap::Command) -> clap::Command {
                cmd.arg(env_only_arg($id, $var))
            }

            fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
                Self::augment_args(cmd)
            }
        }
    };
}

/// `UDHA_WEBHOOK_SECRET`: webhook mode's secret, as set (checked against Telegram's rule by `serve`). Its
/// `Debug` never shows it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct WebhookSecret(pub Option<String>);

env_only!(WebhookSecret, "webhook-secret", "UDHA_WEBHOOK_SECRET");

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = if self.0.is_some() { "(set, hidden)" } else { "(not set)" };
        write!(f, "WebhookSecret{shown}")
    }
}

/// `RUST_LOG`: the log filter, as set (see `telemetry::init`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter(pub Option<String>);

env_only!(LogFilter, "log-filter", "RUST_LOG");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_from_the_environment_only_are_refused_as_flags() {
        let err = Cli::try_parse_from(["udha", "serve", "--webhook-secret", "s3cret"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
        assert!(err.to_string().contains("UDHA_WEBHOOK_SECRET"), "{err}");
        let err = Cli::try_parse_from(["udha", "--log-filter", "debug", "schema"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
        assert!(err.to_string().contains("RUST_LOG"), "{err}");
    }

    #[test]
    fn the_webhook_secret_is_never_printed() {
        let shown = format!("{:?}", WebhookSecret(Some("s3cret-value".into())));
        assert!(!shown.contains("s3cret"), "{shown}");
        let cli = Cli::try_parse_from(["udha", "serve", "--webhook-url", "https://bot.example/hook"]).unwrap();
        let Command::Serve(args) = &cli.command else {
            panic!("{cli:?}")
        };
        assert!(!format!("{args:?}").contains("s3cret"));
    }

    #[test]
    fn value_types_turn_into_the_modules_plain_types() {
        let cli = Cli::try_parse_from(["udha", "serve", "--watch", "poll"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve")
        };
        assert_eq!(
            crate::reload::WatchMode::from(args.watch),
            crate::reload::WatchMode::Poll
        );
        let cli = Cli::try_parse_from(["udha", "qr", "law-x", "--bot", "UdhaBot", "--format", "png"]).unwrap();
        let Command::Qr(args) = cli.command else { panic!("qr") };
        assert_eq!(crate::qr::Format::from(args.format), crate::qr::Format::Png);
    }
}
