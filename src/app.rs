//! Wiring: turns a parsed command line into work, joining the library's parts. The binary is a thin shell over this.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use std::io::BufRead;
use std::sync::Arc;

use arc_swap::ArcSwap;

use std::time::Duration;

use crate::cli::{AskArgs, ChatArgs, CheckArgs, Cli, Command, QrArgs, ServeArgs};
use crate::dialogue::{Engine, Tally};
use crate::knowledge::{self, Knowledge, Lang};
use crate::search::SearchIndex;
use crate::search::emergency::Danger;
use crate::usage::{EventKind, Recorder};

/// Runs one command; the exit code says how it went.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Check(args) => check(&cli, args),
        Command::Schema => {
            write!(std::io::stdout().lock(), "{}", knowledge::json_schema())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(_) => export(&cli),
        Command::Ask(args) => ask(&cli, args),
        Command::Chat(args) => chat(&cli, args),
        Command::Serve(args) => serve(&cli, args),
        Command::Stats(args) => {
            let runtime = runtime()?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            runtime.block_on(crate::usage::report::run(&cli.database, &args.options(), &mut out))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Qr(args) => qr(&cli, args),
    }
}

fn qr(cli: &Cli, args: &QrArgs) -> anyhow::Result<ExitCode> {
    let knowledge = load_knowledge(cli)?;
    let bot = crate::qr::bot_username(&args.bot)?;
    match (&args.id, &args.out) {
        (_, Some(dir)) if args.all => {
            let n = crate::qr::write_all(&knowledge, &bot, args.format.into(), dir)?;
            eprintln!("{n} QR codes and index.html written to {}", dir.display());
        }
        (Some(id), out) => {
            let image = crate::qr::entry_image(&knowledge, &bot, id, args.format.into())?;
            match out {
                Some(path) => {
                    std::fs::write(path, image).with_context(|| format!("cannot write {}", path.display()))?
                }
                None => std::io::stdout().lock().write_all(&image)?,
            }
        }
        _ => anyhow::bail!("give an entry id, or --all with --out DIR"),
    }
    Ok(ExitCode::SUCCESS)
}

fn check(cli: &Cli, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut checked = knowledge::check(&cli.knowledge, knowledge::today(), knowledge_fit())?;
    let menus = crate::dialogue::engine::menu_warnings(&checked.knowledge, crate::telegram::SCREEN);
    checked.report.diagnostics.extend(menus);
    checked.report.sort();
    let report = &checked.report;
    writeln!(std::io::stdout().lock(), "{report}")?;
    let failed = report.has_errors() || (args.strict && report.warning_count() > 0);
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// What the knowledge must fit: the limits of the strictest front end Udha ships (Telegram; the terminal chat
/// shows as much), so `udha check` and the bot check the same.
pub fn knowledge_fit() -> knowledge::Fit {
    crate::telegram::SCREEN.knowledge_fit()
}

/// Loads the knowledge for answering, with a clear message when it cannot be used.
pub(crate) fn load_knowledge(cli: &Cli) -> anyhow::Result<Knowledge> {
    Knowledge::load(&cli.knowledge, knowledge_fit())
        .with_context(|| format!("cannot load the knowledge in {}", cli.knowledge.display()))
}

#[derive(Serialize)]
struct ExportLine<'a> {
    id: &'a str,
    kind: &'a str,
    audience: &'a str,
    lang: &'a str,
    title: &'a str,
    text: String,
}

fn export(cli: &Cli) -> anyhow::Result<ExitCode> {
    let knowledge = load_knowledge(cli)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for entry in knowledge.entries() {
        for lang in Lang::ALL {
            let line = ExportLine {
                id: &entry.id,
                kind: entry.kind.as_str(),
                audience: entry.audience.as_str(),
                lang: lang.code(),
                title: &entry.text(lang).title,
                text: knowledge::searchable_text(entry, lang),
            };
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the knowledge and builds its search index.
pub(crate) fn load_index(cli: &Cli) -> anyhow::Result<SearchIndex> {
    let knowledge = load_knowledge(cli)?;
    Ok(SearchIndex::build(Arc::new(knowledge))?)
}

#[derive(Serialize)]
struct AskResult<'a> {
    id: &'a str,
    kind: &'a str,
    title: &'a str,
    score: f32,
}

#[derive(Serialize)]
struct AskLine<'a> {
    query: &'a str,
    lang: &'a str,
    emergency: bool,
    danger: Danger,
    results: Vec<AskResult<'a>>,
}

fn ask(cli: &Cli, args: &AskArgs) -> anyhow::Result<ExitCode> {
    let index = load_index(cli)?;
    let user_lang = args.lang.map_or(Lang::Sq, Lang::from);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let answer_one = |question: &str, out: &mut dyn Write| -> anyhow::Result<()> {
        let answer = index.search(question, user_lang, args.limit);
        if args.json {
            let line = AskLine {
                query: question,
                lang: answer.lang.code(),
                emergency: answer.emergency(),
                danger: answer.danger.danger,
                results: answer
                    .hits
                    .iter()
                    .map(|h| AskResult {
                        id: &h.entry.id,
                        kind: h.entry.kind.as_str(),
                        title: &h.entry.text(answer.lang).title,
                        score: h.score,
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut *out, &line)?;
            writeln!(out)?;
        } else {
            match answer.danger.danger {
                Danger::Now => writeln!(out, "[emergency: show urgent help first]")?,
                Danger::Possible => writeln!(out, "[possible danger: a one-line urgent note first]")?,
                Danger::None => {}
            }
            if answer.hits.is_empty() {
                writeln!(out, "(no result)")?;
            }
            for h in &answer.hits {
                writeln!(
                    out,
                    "{:>7.2}  {:<40}  {}",
                    h.score,
                    h.entry.id,
                    h.entry.text(answer.lang).title
                )?;
            }
        }
        Ok(())
    };
    if args.stdin {
        // Lines that are not valid UTF-8 are read lossily: every input line gets exactly one answer line.
        let stdin = std::io::stdin();
        let mut reader = stdin.lock();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            let line = String::from_utf8_lossy(&buf);
            let question = line.trim_end_matches(['\n', '\r']);
            answer_one(question, &mut out)?;
        }
    } else {
        let question = args.question.join(" ");
        answer_one(&question, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn chat(cli: &Cli, args: &ChatArgs) -> anyhow::Result<ExitCode> {
    let index = load_index(cli)?;
    let engine = Engine::new(Arc::new(ArcSwap::from_pointee(index)));
    let lang = args.lang.map_or(Lang::Sq, Lang::from);
    let runtime = runtime()?;
    let (recorder, flusher) = if args.no_counts {
        (Recorder::disabled(), None)
    } else {
        let _guard = runtime.enter();
        let (recorder, flusher) = crate::usage::start_lazy(&cli.database, FLUSH_EVERY)?;
        recorder.set_known_topics(knowledge_of(&engine).topic_ids());
        (recorder, Some(flusher))
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let counter = recorder.clone();
    let tally: crate::dialogue::TallySink = Arc::new(move |tally: &Tally, lang: Lang| count(&counter, tally, lang));
    crate::console::run(&engine, lang, stdin.lock(), stdout.lock(), tally)?;
    if let Some(flusher) = flusher
        && let Err(e) = runtime.block_on(flusher.shutdown())
    {
        tracing::warn!("usage counts: {e}");
    }
    Ok(ExitCode::SUCCESS)
}

fn knowledge_of(engine: &Engine) -> Arc<Knowledge> {
    engine.index().knowledge().clone()
}

/// How often anonymous counts are written.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_secs(5);

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Counts what the engine reports, anonymously: the kind of event, an entry or flow-step id, the language.
pub fn count(recorder: &Recorder, tally: &Tally, lang: Lang) {
    let lang = Some(lang);
    match tally {
        Tally::Start => recorder.record(EventKind::Start, None, lang),
        Tally::Question => recorder.record(EventKind::Question, None, lang),
        Tally::Answer(id) => recorder.record(EventKind::Answer, Some(id), lang),
        Tally::NoResult => recorder.record(EventKind::NoResult, None, lang),
        Tally::Emergency => recorder.record(EventKind::Emergency, None, lang),
        Tally::FlowStart(flow) => recorder.record(EventKind::FlowStart, Some(flow), lang),
        Tally::FlowStep { flow, step } => recorder.record(EventKind::FlowStep, Some(&format!("{flow}/{step}")), lang),
        Tally::FlowEnd(flow) => recorder.record(EventKind::FlowEnd, Some(flow), lang),
        Tally::DeepLink(id) => recorder.record(EventKind::DeepLink, Some(id), lang),
        Tally::Inline(id) => recorder.record(EventKind::Inline, Some(id), lang),
        Tally::ClearChat => recorder.record(EventKind::ClearChat, None, lang),
        Tally::LangSwitch => recorder.record(EventKind::LangSwitch, None, lang),
        Tally::Error => recorder.record(EventKind::Error, None, lang),
    }
}

fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let updates = match &args.webhook_url {
        Some(url) => crate::telegram::Updates::Webhook {
            url: url.clone(),
            listen: args.listen,
            secret: webhook_secret(url, args.listen, args.webhook_secret.0.as_deref())?,
        },
        None => crate::telegram::Updates::Polling,
    };
    let mut config = crate::telegram::Config::from_env(updates)?;
    crate::telemetry::hide(&config.token);
    if let crate::telegram::Updates::Webhook { secret, .. } = &config.updates {
        crate::telemetry::hide(secret);
    }
    if let Some(password) = url::Url::parse(&cli.database)
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    {
        crate::telemetry::hide(&password);
    }
    config.send_limit = (args.send_limit > 0).then_some(args.send_limit);
    let index = load_index(cli)?;
    let runtime = runtime()?;
    runtime.block_on(serve_async(
        cli.knowledge.clone(),
        cli.database.clone(),
        Arc::new(index),
        config,
        Reloading {
            every: args.reload_every,
            watch: args.watch.into(),
        },
        shutdown_signal(),
    ))
}

/// `UDHA_WEBHOOK_SECRET` (`set`, read by `cli`), checked against Telegram's rule; a random one if unset (fine for
/// one replica; replicas must share one, or each would refuse the updates meant for the others).
fn webhook_secret(url: &url::Url, listen: std::net::SocketAddr, set: Option<&str>) -> anyhow::Result<String> {
    match set {
        Some(s) if crate::telegram::webhook::valid_secret(s) => Ok(s.to_owned()),
        Some(_) => Err(crate::telegram::ConfigError::BadWebhookSecret.into()),
        None => Ok(teloxide::update_listeners::webhooks::Options::new(listen, url.clone())
            .get_or_gen_secret_token()
            .to_string()),
    }
}

/// How `serve` notices knowledge edits.
#[derive(Debug, Clone, Copy)]
pub struct Reloading {
    /// Seconds between looks at the files (0: never).
    pub every: u64,
    pub watch: crate::reload::WatchMode,
}

impl Reloading {
    /// No watching, no periodic look: SIGHUP only (tests).
    pub const SIGHUP_ONLY: Reloading = Reloading {
        every: 0,
        watch: crate::reload::WatchMode::Off,
    };
}

/// The bot with its counts and knowledge reloading, until `shutdown`. Tests call this directly.
pub async fn serve_async(
    knowledge_dir: std::path::PathBuf,
    database_url: String,
    index: Arc<SearchIndex>,
    config: crate::telegram::Config,
    reloading: Reloading,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<ExitCode> {
    let (recorder, flusher) = crate::usage::start_lazy(&database_url, FLUSH_EVERY)?;
    recorder.set_known_topics(index.knowledge().topic_ids());
    let shared = Arc::new(ArcSwap::new(index));
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let watcher = crate::reload::start_watcher(&knowledge_dir, reloading.watch, tx.clone());
    forward_sighup(tx);
    let every = (reloading.every > 0).then(|| Duration::from_secs(reloading.every));
    tokio::spawn(crate::reload::run(
        knowledge_dir,
        knowledge_fit(),
        shared.clone(),
        recorder.clone(),
        every,
        rx,
    ));
    let engine = Engine::new(shared);
    let counter = recorder.clone();
    let sink: crate::dialogue::TallySink = Arc::new(move |tally: &Tally, lang: Lang| count(&counter, tally, lang));
    let result = crate::telegram::run(engine, config, sink, shutdown).await;
    drop(watcher);
    if let Err(e) = flusher.shutdown().await {
        tracing::warn!("usage counts: {e}");
    }
    result.map(|()| ExitCode::SUCCESS)
}

/// SIGHUP reloads the knowledge (as `systemctl reload` sends it) instead of ending the process.
fn forward_sighup(tx: tokio::sync::mpsc::Sender<crate::reload::Trigger>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::hangup()) {
            Ok(mut hup) => {
                tokio::spawn(async move {
                    while hup.recv().await.is_some() {
                        if tx.send(crate::reload::Trigger::Signal).await.is_err() {
                            return;
                        }
                    }
                });
            }
            Err(e) => tracing::warn!("cannot listen for SIGHUP: {e}"),
        }
    }
    #[cfg(not(unix))]
    drop(tx);
}

/// Completes on SIGTERM (systemd, containers) or Ctrl-C.
pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
