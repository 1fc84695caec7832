//! The command line: `udha chat | serve | ask | check | export | schema | stats`.
//! These names and flags are a contract other tools and tests rely on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

    /// Where anonymous usage counts go: an SQLite file (default) or postgres://... for several replicas.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite:udha-usage.sqlite3?mode=rwc",
        hide_env_values = true
    )]
    pub database: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Talk to Udha in this terminal (no token, no network needed).
    Chat(ChatArgs),
    /// Run the Telegram bot (needs TELOXIDE_TOKEN).
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
    Stats(crate::usage::report::StatsArgs),
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

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Receive updates by webhook at this public https URL instead of long polling (for several replicas).
    #[arg(long, env = "UDHA_WEBHOOK_URL")]
    pub webhook_url: Option<url::Url>,
    /// Address the webhook server listens on.
    #[arg(long, env = "UDHA_LISTEN", default_value = "0.0.0.0:8443")]
    pub listen: std::net::SocketAddr,
    /// Seconds between reloads of changed knowledge files (0: never reload).
    #[arg(long, default_value_t = 30)]
    pub reload_every: u64,
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
