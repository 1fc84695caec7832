//! Wiring: turns a parsed command line into work, joining the library's parts. The binary is a thin shell over this.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use std::io::BufRead;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::cli::{AskArgs, ChatArgs, CheckArgs, Cli, Command};
use crate::dialogue::Engine;
use crate::knowledge::{self, Knowledge, Lang};
use crate::search::SearchIndex;

/// Runs one command; the exit code says how it went.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Check(args) => check(&cli, args),
        Command::Schema => {
            print!("{}", knowledge::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(_) => export(&cli),
        Command::Ask(args) => ask(&cli, args),
        Command::Chat(args) => chat(&cli, args),
        _ => anyhow::bail!("not yet available"),
    }
}

fn check(cli: &Cli, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let checked = knowledge::check(&cli.knowledge, knowledge::today())?;
    let report = &checked.report;
    println!("{report}");
    let failed = report.has_errors() || (args.strict && report.warning_count() > 0);
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Loads the knowledge for answering, with a clear message when it cannot be used.
pub fn load_knowledge(cli: &Cli) -> anyhow::Result<Knowledge> {
    Knowledge::load(&cli.knowledge).with_context(|| format!("cannot load the knowledge in {}", cli.knowledge.display()))
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
pub fn load_index(cli: &Cli) -> anyhow::Result<SearchIndex> {
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
                emergency: answer.emergency,
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
            if answer.emergency {
                writeln!(out, "[emergency: show urgent help first]")?;
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
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    crate::console::run(&engine, lang, stdin.lock(), stdout.lock(), |_| {})?;
    Ok(ExitCode::SUCCESS)
}
