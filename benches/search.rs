//! Search benchmark ("measured, not assumed"): `cargo bench --bench search`.
//!
//! One run prints, for the shipped knowledge (`knowledge/`) and for a synthetic corpus of 100,000 entries:
//! - query latency p50/p99 of `SearchIndex::search` over ~100 dev-set questions (both languages, typos included),
//! - index build time,
//! - the same questions against SQLite FTS5 through sqlx (`unicode61 remove_diacritics 2`, bm25, LIMIT 5) and the
//!   ratio udha/FTS5,
//!
//! then checks the targets. Criterion benchmarks of the shipped-knowledge query and index build run first,
//! so `cargo bench` also shows the usual criterion output.
//!
//! Environment (optional):
//! - `UDHA_BENCH_SYNTH=N`: size of the synthetic corpus (default 100000; `0` skips it).
//! - `UDHA_BENCH_CRITERION=0`: skip the criterion benchmarks, print only the table.
//! - `UDHA_BENCH_TABLE=0`: skip the table, run only the criterion benchmarks.
//! - `UDHA_BENCH_FTS=0`: skip SQLite FTS5 (no ratio then).
//!
//! Without `--bench` (e.g. `cargo test --benches`) everything runs once, quickly, as a smoke test.

/// The allocator the `udha` binary uses (see `src/main.rs`), so the figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashSet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use serde::Deserialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use udha::knowledge::{Entry, Knowledge, Lang, Localized, searchable_text};
use udha::search::SearchIndex;

/// Results asked for, by both engines (`udha ask` asks for 5 by default, the bot for 4).
const LIMIT: usize = 5;
/// Questions taken from the dev set.
const QUERIES: usize = 100;
/// Most words put into one FTS5 query (Udha considers at most 40 too).
const FTS_MAX_WORDS: usize = 40;

// ------------------------------------------------------------------------------------------------------------------
// Queries

#[derive(Deserialize)]
struct DevSet {
    questions: Vec<DevQuestion>,
}

#[derive(Deserialize)]
struct DevQuestion {
    q: String,
    lang: Lang,
    #[serde(default)]
    tags: Vec<String>,
}

struct Query {
    text: String,
    lang: Lang,
    typo: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// About [`QUERIES`] questions spread evenly over the dev set, so its mix of languages, diacritics, typos, Gheg
/// forms and lengths is kept.
fn load_queries() -> Vec<Query> {
    let text = std::fs::read_to_string(root().join("tests/data/devset.yaml")).expect("tests/data/devset.yaml");
    let devset: DevSet = serde_yaml::from_str(&text).expect("the dev set parses");
    let n = devset.questions.len();
    assert!(n > 0, "the dev set has questions");
    let take = QUERIES.min(n);
    (0..take)
        .map(|k| &devset.questions[k * n / take])
        .map(|q| Query {
            text: q.q.clone(),
            lang: q.lang,
            typo: q.tags.iter().any(|t| t == "typo"),
        })
        .collect()
}

/// The user's words as an FTS5 query: an OR of quoted terms (inner `"` doubled), so nothing the user typed is
/// parsed as FTS5 syntax. Words without a letter or digit are dropped (a quoted `?` would be an empty phrase).
fn fts_query(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(FTS_MAX_WORDS)
    {
        if !out.is_empty() {
            out.push_str(" OR ");
        }
        out.push('"');
        out.push_str(&word.replace('"', "\"\""));
        out.push('"');
    }
    out
}

// ------------------------------------------------------------------------------------------------------------------
// Synthetic corpus

/// SplitMix64: small, deterministic, good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The words of the shipped texts, as written (with diacritics and punctuation), per language.
struct Vocabulary {
    /// Every running word of every entry in this language: picking uniformly keeps the real word frequencies.
    global: Vec<String>,
    /// The running words of each entry (same order as the knowledge), to keep synthetic entries on a topic.
    per_entry: Vec<Vec<String>>,
    /// Every keyword phrase.
    keywords: Vec<String>,
}

impl Vocabulary {
    fn new(knowledge: &Knowledge, lang: Lang) -> Vocabulary {
        let mut global = Vec::new();
        let mut per_entry = Vec::new();
        let mut keywords = Vec::new();
        for entry in knowledge.entries() {
            let t = entry.text(lang);
            let mut own: Vec<String> = Vec::new();
            for part in [&t.title, &t.summary, &t.body].into_iter().chain(t.steps.iter()) {
                own.extend(part.split_whitespace().map(str::to_string));
            }
            global.extend(own.iter().cloned());
            per_entry.push(own);
            keywords.extend(t.keywords.iter().cloned());
        }
        Vocabulary {
            global,
            per_entry,
            keywords,
        }
    }
}

/// A word that did not exist in the shipped texts: the start of one word joined to the end of another
/// ("kërcën" + "imeve"). Lets the vocabulary grow with the corpus, as real text does (Heaps' law), so the term
/// dictionary (and typo matching over it) is not unrealistically small at 100k entries.
fn novel_word(rng: &mut Rng, vocab: &Vocabulary) -> String {
    let a: Vec<char> = rng.pick(&vocab.global).chars().filter(|c| c.is_alphabetic()).collect();
    let b: Vec<char> = rng.pick(&vocab.global).chars().filter(|c| c.is_alphabetic()).collect();
    let mut w: String = a[..a.len().div_ceil(2)].iter().collect();
    w.extend(&b[b.len() / 2..]);
    if w.chars().count() < 3 {
        w.push_str("ar");
    }
    w.to_lowercase()
}

/// `n` words: mostly from the base entry's own text (topic), some from all texts, a few new ones.
fn sentence(rng: &mut Rng, vocab: &Vocabulary, base: usize, n: usize) -> String {
    let mut out = String::new();
    for _ in 0..n {
        if !out.is_empty() {
            out.push(' ');
        }
        let roll = rng.below(100);
        let own = &vocab.per_entry[base];
        if roll < 3 {
            out.push_str(&novel_word(rng, vocab));
        } else if roll < 60 && !own.is_empty() {
            out.push_str(rng.pick(own.as_slice()).as_str());
        } else {
            out.push_str(rng.pick(vocab.global.as_slice()).as_str());
        }
    }
    out
}

fn synthetic_text(rng: &mut Rng, vocab: &Vocabulary, base: usize, own: &Localized) -> Localized {
    let title_words = own.title.split_whitespace().count().clamp(3, 10);
    let steps = (0..rng.range(0, 4))
        .map(|_| {
            let n = rng.range(6, 18);
            sentence(rng, vocab, base, n)
        })
        .collect();
    let paragraphs = rng.range(1, 3);
    let body = (0..paragraphs)
        .map(|_| {
            let n = rng.range(25, 70);
            sentence(rng, vocab, base, n)
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let keywords = (0..rng.range(3, 10))
        .map(|_| rng.pick(&vocab.keywords).clone())
        .collect();
    let summary_words = rng.range(12, 35);
    Localized {
        title: sentence(rng, vocab, base, title_words),
        summary: sentence(rng, vocab, base, summary_words),
        body,
        steps,
        keywords,
    }
}

/// `total` entries: the shipped ones, then synthetic entries made from them (new ids, the base entry's kind,
/// audience and contact details, text recombined from the shipped words in both languages). Deterministic.
fn synthetic_corpus(shipped: &Knowledge, total: usize) -> Knowledge {
    let sq = Vocabulary::new(shipped, Lang::Sq);
    let en = Vocabulary::new(shipped, Lang::En);
    let base_entries = shipped.entries();
    let mut rng = Rng(0x5544_4841_2026_0004);
    let mut entries: Vec<Entry> = base_entries.iter().map(|e| Entry::clone(e)).collect();
    let mut i = 0;
    while entries.len() < total {
        let b = i % base_entries.len();
        let base = &base_entries[b];
        let mut e = Entry::clone(base);
        e.id = format!("{}-syn{i}", base.id);
        e.text.sq = synthetic_text(&mut rng, &sq, b, &base.text.sq);
        e.text.en = synthetic_text(&mut rng, &en, b, &base.text.en);
        e.related.clear();
        e.flow = None;
        e.unconfirmed.clear();
        entries.push(e);
        i += 1;
    }
    Knowledge::from_entries(entries, shipped.glossary().clone())
}

// ------------------------------------------------------------------------------------------------------------------
// Timing

/// Per-query timings, in nanoseconds, in the order taken.
struct Samples {
    ns: Vec<u64>,
    /// How many times every query ran.
    rounds: usize,
}

/// How long to keep measuring one engine on one corpus, and how often at least / at most to run every query.
#[derive(Clone, Copy)]
struct Budget {
    time: Duration,
    min_rounds: usize,
    max_rounds: usize,
}

impl Samples {
    fn percentile(&self, p: f64) -> Duration {
        let mut v = self.ns.clone();
        v.sort_unstable();
        // Nearest rank.
        let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
        Duration::from_nanos(v[rank - 1])
    }
    fn p50(&self) -> Duration {
        self.percentile(0.50)
    }
    fn p99(&self) -> Duration {
        self.percentile(0.99)
    }
    fn max(&self) -> Duration {
        Duration::from_nanos(self.ns.iter().copied().max().unwrap_or(0))
    }
    fn mean(&self) -> Duration {
        Duration::from_nanos(self.ns.iter().sum::<u64>() / self.ns.len().max(1) as u64)
    }
    /// The median time of each query over the rounds.
    fn per_query_median(&self, queries: usize) -> Vec<Duration> {
        (0..queries)
            .map(|q| {
                let mut v: Vec<u64> = self.ns.iter().skip(q).step_by(queries).copied().collect();
                v.sort_unstable();
                Duration::from_nanos(v.get(v.len() / 2).copied().unwrap_or(0))
            })
            .collect()
    }
}

/// Runs `one(query)` over all queries (one untimed warm-up round), then timed rounds until the budget is spent.
fn measure(queries: &[Query], budget: Budget, mut one: impl FnMut(&Query)) -> Samples {
    for q in queries {
        one(q);
    }
    let started = Instant::now();
    let mut ns = Vec::with_capacity(queries.len() * budget.min_rounds);
    let mut rounds = 0;
    while rounds < budget.max_rounds && (rounds < budget.min_rounds || started.elapsed() < budget.time) {
        for q in queries {
            let t = Instant::now();
            one(q);
            ns.push(t.elapsed().as_nanos() as u64);
        }
        rounds += 1;
    }
    Samples { ns, rounds }
}

fn time_udha(index: &SearchIndex, queries: &[Query], limit: usize, budget: Budget) -> Samples {
    measure(queries, budget, |q| {
        black_box(index.search(black_box(&q.text), q.lang, limit));
    })
}

// ------------------------------------------------------------------------------------------------------------------
// SQLite FTS5 through sqlx

const FTS_SEARCH: &str = "SELECT id FROM entries WHERE entries MATCH ?1 ORDER BY bm25(entries) LIMIT 5";

struct Fts {
    rt: tokio::runtime::Runtime,
    conn: SqliteConnection,
}

impl Fts {
    /// An in-memory FTS5 table, one row per entry: its id and its searchable text in each language.
    fn build(knowledge: &Knowledge) -> (Fts, Duration) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let started = Instant::now();
        let conn = rt.block_on(async {
            let mut conn = SqliteConnectOptions::new()
                .in_memory(true)
                .connect()
                .await
                .expect("in-memory SQLite");
            sqlx::query(
                "CREATE VIRTUAL TABLE entries USING fts5(id UNINDEXED, sq, en, \
                 tokenize = 'unicode61 remove_diacritics 2')",
            )
            .execute(&mut conn)
            .await
            .expect("FTS5 table (is SQLite built with FTS5?)");
            let mut tx = conn.begin().await.expect("begin");
            for entry in knowledge.entries() {
                sqlx::query("INSERT INTO entries (id, sq, en) VALUES (?1, ?2, ?3)")
                    .bind(entry.id.as_str())
                    .bind(searchable_text(entry, Lang::Sq))
                    .bind(searchable_text(entry, Lang::En))
                    .execute(&mut *tx)
                    .await
                    .expect("insert");
            }
            tx.commit().await.expect("commit");
            // One b-tree instead of the many left by the inserts: a table built once and then only read.
            sqlx::query("INSERT INTO entries (entries) VALUES ('optimize')")
                .execute(&mut conn)
                .await
                .expect("optimize");
            conn
        });
        (Fts { rt, conn }, started.elapsed())
    }

    fn search(&mut self, text: &str) -> Vec<String> {
        let q = fts_query(text);
        if q.is_empty() {
            return Vec::new();
        }
        let conn = &mut self.conn;
        self.rt.block_on(async {
            sqlx::query_scalar::<_, String>(FTS_SEARCH)
                .bind(q)
                .fetch_all(&mut *conn)
                .await
                .expect("FTS5 query")
        })
    }

    fn time(&mut self, queries: &[Query], budget: Budget) -> Samples {
        measure(queries, budget, |q| {
            black_box(self.search(black_box(&q.text)));
        })
    }

    fn version(&mut self) -> String {
        let conn = &mut self.conn;
        self.rt.block_on(async {
            sqlx::query_scalar::<_, String>("SELECT sqlite_version()")
                .fetch_one(&mut *conn)
                .await
                .unwrap_or_default()
        })
    }

    /// The cost of a round trip through sqlx alone (`SELECT 1`), for reading the FTS5 figures.
    fn floor(&mut self, budget: Budget) -> Samples {
        let conn = &mut self.conn;
        let rt = &self.rt;
        let one = [Query {
            text: String::new(),
            lang: Lang::Sq,
            typo: false,
        }];
        measure(&one, budget, |_| {
            rt.block_on(async {
                let v: i64 = sqlx::query_scalar("SELECT 1")
                    .fetch_one(&mut *conn)
                    .await
                    .expect("SELECT 1");
                black_box(v);
            })
        })
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Report

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.1} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}

struct CorpusResult {
    name: String,
    entries: usize,
    udha_build: Duration,
    udha: Samples,
    detect_only: Samples,
    fts: Option<FtsResult>,
}

struct FtsResult {
    /// SQLite's version (the one bundled by libsqlite3-sys).
    version: String,
    build: Duration,
    samples: Samples,
    /// sqlx's `SELECT 1`.
    floor: Samples,
}

impl FtsResult {
    fn measure(knowledge: &Knowledge, queries: &[Query], budget: Budget, floor_budget: Budget) -> FtsResult {
        let (mut fts, build) = Fts::build(knowledge);
        let samples = fts.time(queries, budget);
        let floor = fts.floor(floor_budget);
        FtsResult {
            version: fts.version(),
            build,
            samples,
            floor,
        }
    }
}

struct Target {
    what: String,
    limit: String,
    got: String,
    met: bool,
}

fn print_table(results: &[CorpusResult], queries: &[Query], shipped_build: &Samples, full: bool) {
    let n = queries.len();
    let en = queries.iter().filter(|q| q.lang == Lang::En).count();
    let typos = queries.iter().filter(|q| q.typo).count();
    println!();
    println!("== Udha search benchmark ==");
    if let Some(fts) = results.iter().find_map(|r| r.fts.as_ref()) {
        println!(
            "FTS5: SQLite {} in memory, one row per entry (id, sq, en), unicode61 remove_diacritics 2, \
             OR of the quoted words, ORDER BY bm25 LIMIT 5, through sqlx",
            fts.version
        );
    }
    if !full {
        println!("SMOKE RUN (not `cargo bench`): one round, small synthetic corpus; the figures mean nothing.");
    }
    println!(
        "{n} dev-set questions ({} Albanian, {en} English, {typos} with typos), limit {LIMIT}; one thread; \
         p50/p99 over every (question, round) timing",
        n - en
    );
    println!();
    println!(
        "{:<22} {:>8} {:>7} {:>11} {:>11} {:>11} {:>11} {:>11}",
        "corpus / engine", "entries", "rounds", "p50", "p99", "mean", "max", "build"
    );
    for r in results {
        let row = |engine: &str, s: &Samples, build: Option<Duration>| {
            println!(
                "{:<22} {:>8} {:>7} {:>11} {:>11} {:>11} {:>11} {:>11}",
                format!("{} / {engine}", r.name),
                r.entries,
                s.rounds,
                fmt(s.p50()),
                fmt(s.p99()),
                fmt(s.mean()),
                fmt(s.max()),
                build.map(fmt).unwrap_or_default()
            )
        };
        row("udha", &r.udha, Some(r.udha_build));
        if let Some(fts) = &r.fts {
            row("FTS5", &fts.samples, Some(fts.build));
            println!(
                "{:<22} {:>8} {:>7} {:>11.2} {:>11.2}",
                format!("{} / udha÷FTS5", r.name),
                "",
                "",
                ratio(r.udha.p50(), fts.samples.p50()),
                ratio(r.udha.p99(), fts.samples.p99())
            );
        }
    }
    println!();
    println!("Where udha's time goes (p50): language + emergency detection only (search with limit 0), the rest is");
    println!("building and running the tantivy query. FTS5 figures include sqlx's round trip (SELECT 1):");
    for r in results {
        let fts = r
            .fts
            .as_ref()
            .map(|f| {
                format!(
                    ";  FTS5 {:>9}, sqlx SELECT 1 {:>9}",
                    fmt(f.samples.p50()),
                    fmt(f.floor.p50())
                )
            })
            .unwrap_or_default();
        println!(
            "  {:<10} udha total {:>9}, detection {:>9}, ranking ≈ {:>9}{fts}",
            r.name,
            fmt(r.udha.p50()),
            fmt(r.detect_only.p50()),
            fmt(r.udha.p50().saturating_sub(r.detect_only.p50())),
        );
    }
    println!();
    for r in results {
        let medians = r.udha.per_query_median(n);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| medians[b].cmp(&medians[a]));
        println!("Slowest questions for udha on {} (median of rounds):", r.name);
        for &i in order.iter().take(5) {
            println!("  {:>9}  [{}] {}", fmt(medians[i]), queries[i].lang, queries[i].text);
        }
    }
    println!();
    println!(
        "Shipped index build over {} runs: median {}, min {}, max {}",
        shipped_build.ns.len(),
        fmt(shipped_build.p50()),
        fmt(Duration::from_nanos(
            shipped_build.ns.iter().copied().min().unwrap_or(0)
        )),
        fmt(shipped_build.max())
    );

    let mut targets = Vec::new();
    if let Some(shipped) = results.first() {
        targets.push(Target {
            what: "shipped: query p50".into(),
            limit: "≤ 50 µs".into(),
            got: fmt(shipped.udha.p50()),
            met: shipped.udha.p50() <= Duration::from_micros(50),
        });
        targets.push(Target {
            what: "shipped: query p99".into(),
            limit: "≤ 500 µs".into(),
            got: fmt(shipped.udha.p99()),
            met: shipped.udha.p99() <= Duration::from_micros(500),
        });
        targets.push(Target {
            what: "shipped: index build (median)".into(),
            limit: "≤ 300 ms".into(),
            got: fmt(shipped_build.p50()),
            met: shipped_build.p50() <= Duration::from_millis(300),
        });
    }
    if let Some(big) = results.get(1) {
        targets.push(Target {
            what: format!("{}: query p99", big.name),
            limit: "≤ 5 ms".into(),
            got: fmt(big.udha.p99()),
            met: big.udha.p99() <= Duration::from_millis(5),
        });
    }
    for r in results {
        let Some(fts) = &r.fts else { continue };
        let (p50, p99) = (
            ratio(r.udha.p50(), fts.samples.p50()),
            ratio(r.udha.p99(), fts.samples.p99()),
        );
        targets.push(Target {
            what: format!("{}: faster than FTS5", r.name),
            limit: "udha÷FTS5 < 1".into(),
            got: format!("p50 {p50:.2}, p99 {p99:.2}"),
            met: p50 < 1.0 && p99 < 1.0,
        });
    }
    println!();
    println!("Targets (BENCHMARKS.md; the synthetic p99 target is for 100,000 entries):");
    println!("{:<32} {:<16} {:<22} result", "target", "limit", "measured");
    for t in &targets {
        println!(
            "{:<32} {:<16} {:<22} {}",
            t.what,
            t.limit,
            t.got,
            if t.met { "met" } else { "MISSED" }
        );
    }
    println!();
}

// ------------------------------------------------------------------------------------------------------------------

fn criterion_benches(c: &mut Criterion, shipped: &Arc<Knowledge>, index: &SearchIndex, queries: &[Query]) {
    let mut group = c.benchmark_group("shipped");
    group.bench_function("query (dev-set mix, one question per iteration)", |b| {
        let mut i = 0;
        b.iter(|| {
            let q = &queries[i % queries.len()];
            i += 1;
            index.search(black_box(&q.text), q.lang, LIMIT)
        })
    });
    group.sample_size(20);
    group.bench_function("index build", |b| {
        b.iter(|| SearchIndex::build(shipped.clone()).expect("the index builds"))
    });
    group.finish();
}

fn env_flag(name: &str, default: bool) -> bool {
    std::env::var(name).map(|v| v != "0").unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; without it (cargo test --benches) this is a quick smoke run.
    let full = std::env::args().any(|a| a == "--bench");
    let synth_size: usize = std::env::var("UDHA_BENCH_SYNTH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);

    let load_started = Instant::now();
    let shipped = Arc::new(
        Knowledge::load(&root().join("knowledge"), udha::app::knowledge_fit()).expect("the shipped knowledge loads"),
    );
    let load_time = load_started.elapsed();
    let queries = load_queries();
    let index = SearchIndex::build(shipped.clone()).expect("the index builds");

    if env_flag("UDHA_BENCH_CRITERION", true) {
        let mut c = Criterion::default().configure_from_args();
        criterion_benches(&mut c, &shipped, &index, &queries);
        c.final_summary();
    }
    if !env_flag("UDHA_BENCH_TABLE", true) {
        return;
    }
    let with_fts = env_flag("UDHA_BENCH_FTS", true);

    let (small, large, build_runs) = if full {
        (
            Budget {
                time: Duration::from_secs(5),
                min_rounds: 20,
                max_rounds: 2_000,
            },
            Budget {
                time: Duration::from_secs(20),
                min_rounds: 3,
                max_rounds: 200,
            },
            15,
        )
    } else {
        let once = Budget {
            time: Duration::ZERO,
            min_rounds: 1,
            max_rounds: 1,
        };
        (once, once, 1)
    };
    let floor_budget = Budget {
        time: Duration::from_millis(if full { 500 } else { 0 }),
        min_rounds: if full { 1_000 } else { 1 },
        max_rounds: 100_000,
    };

    println!(
        "Shipped knowledge: {} entries, loaded and validated in {}",
        shipped.len(),
        fmt(load_time)
    );
    let mut build_ns = Vec::new();
    for _ in 0..build_runs {
        let t = Instant::now();
        black_box(SearchIndex::build(shipped.clone()).expect("the index builds"));
        build_ns.push(t.elapsed().as_nanos() as u64);
    }
    let shipped_build = Samples {
        ns: build_ns,
        rounds: build_runs,
    };

    let mut results = Vec::new();
    results.push(CorpusResult {
        name: "shipped".into(),
        entries: shipped.len(),
        udha_build: shipped_build.p50(),
        udha: time_udha(&index, &queries, LIMIT, small),
        detect_only: time_udha(&index, &queries, 0, small),
        fts: with_fts.then(|| FtsResult::measure(&shipped, &queries, small, floor_budget)),
    });
    drop(index);

    let synth_size = if full { synth_size } else { synth_size.min(2_000) };
    if synth_size > 0 {
        let t = Instant::now();
        let corpus = Arc::new(synthetic_corpus(&shipped, synth_size));
        let text_bytes: usize = corpus
            .entries()
            .iter()
            .map(|e| searchable_text(e, Lang::Sq).len() + searchable_text(e, Lang::En).len())
            .sum();
        let vocabulary: HashSet<String> = corpus
            .entries()
            .iter()
            .flat_map(|e| {
                let mut words: Vec<String> = Vec::new();
                for lang in Lang::ALL {
                    words.extend(
                        udha::search::analysis::fold(&searchable_text(e, lang))
                            .split(|c: char| !c.is_alphanumeric())
                            .filter(|w| !w.is_empty())
                            .map(str::to_string),
                    );
                }
                words
            })
            .collect();
        println!(
            "Synthetic corpus: {} entries, {:.0} MB of searchable text, {} distinct folded words, generated in {}",
            corpus.len(),
            text_bytes as f64 / 1e6,
            vocabulary.len(),
            fmt(t.elapsed())
        );
        drop(vocabulary);

        let t = Instant::now();
        let big = SearchIndex::build(corpus.clone()).expect("the synthetic index builds");
        let udha_build = t.elapsed();
        println!(
            "  udha index built in {} ({} segment(s))",
            fmt(udha_build),
            big.segment_count()
        );
        let udha = time_udha(&big, &queries, LIMIT, large);
        let detect_only = time_udha(&big, &queries, 0, small);
        drop(big);
        let fts = with_fts.then(|| FtsResult::measure(&corpus, &queries, large, floor_budget));
        if let Some(fts) = &fts {
            println!("  FTS5 table built in {}", fmt(fts.build));
        }
        results.push(CorpusResult {
            name: format!("synth-{}k", corpus.len() / 1000),
            entries: corpus.len(),
            udha_build,
            udha,
            detect_only,
            fts,
        });
    }

    print_table(&results, &queries, &shipped_build, full);
}
