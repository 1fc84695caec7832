//! `udha stats`: the numbers, small-count suppression in table, csv and json (a small count is shown as "<5",
//! never as itself), --raw, date filters, periods, the SVG chart, and the same report from PostgreSQL.

mod usage_common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use clap::Parser;
use udha::knowledge::Lang;
use udha::usage::report::{self, Cell, Format, Options, Period};
use udha::usage::{CountKey, EventKind, Store};
use usage_common::*;

fn day(d: u32) -> String {
    NaiveDate::from_ymd_opt(2026, 11, d)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

/// Three ISO weeks of November 2026 (W45 from the 2nd, W46 from the 9th, W47 from the 16th), with small
/// counts (1 to 4) here and there.
fn dataset() -> BTreeMap<CountKey, i64> {
    let mut m = BTreeMap::new();
    let mut put = |d: u32, kind: EventKind, topic: &str, lang: &str, n: i64| {
        let key = CountKey {
            day: day(d),
            kind,
            topic: topic.to_owned(),
            lang: Lang::from_code(lang),
        };
        *m.entry(key).or_insert(0) += n;
    };
    use EventKind::*;
    // questions: W45 60, W46 33 (3 of them in Albanian), W47 25
    put(2, Question, "", "sq", 40);
    put(3, Question, "", "en", 20);
    put(10, Question, "", "sq", 3);
    put(11, Question, "", "en", 30);
    put(17, Question, "", "sq", 25);
    // no result: W45 6, W46 2 (small), W47 7
    put(2, NoResult, "", "sq", 6);
    put(10, NoResult, "", "sq", 2);
    put(18, NoResult, "", "en", 7);
    // answers
    put(4, Answer, "law-criminal-code", "sq", 17);
    put(12, Answer, "law-criminal-code", "sq", 11);
    put(19, Answer, "law-criminal-code", "en", 4);
    put(5, Answer, "platform-facebook-report", "sq", 1);
    put(13, Answer, "platform-facebook-report", "en", 9);
    put(20, Answer, "platform-facebook-report", "sq", 13);
    put(12, DeepLink, "safety-save-evidence", "sq", 8);
    // flows: started W45 12, W46 3; finished W45 10, W46 1
    put(6, FlowStart, "flow-report", "sq", 12);
    put(13, FlowStart, "flow-report", "sq", 3);
    put(6, FlowEnd, "flow-report", "sq", 10);
    put(14, FlowEnd, "flow-report", "sq", 1);
    put(6, FlowStep, "flow-report/ask-platform", "sq", 12);
    put(7, Start, "", "", 30);
    m
}

async fn store_with_data(url: &str) {
    let store = Store::open(url).await.unwrap();
    store.add(&dataset()).await.unwrap();
    store.close().await;
}

async fn run(url: &str, args: &Options) -> String {
    let mut out = Vec::new();
    report::run(url, args, &mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

fn args(format: Format) -> Options {
    Options {
        format,
        ..Options::default()
    }
}

async fn sqlite_with_data() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("usage.sqlite3"));
    store_with_data(&url).await;
    (dir, url)
}

fn is_small_number(s: &str) -> bool {
    matches!(s.trim().parse::<i64>(), Ok(1..=4))
}

fn json_section<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("section {id}"))
}

fn json_cell<'a>(doc: &'a serde_json::Value, id: &str, row: &str, col: &str) -> &'a serde_json::Value {
    let s = json_section(doc, id);
    let c = s["columns"].as_array().unwrap().iter().position(|c| c == col).unwrap();
    let r = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == row)
        .unwrap();
    &r["values"][c]
}

#[tokio::test]
async fn table_suppresses_small_counts() {
    let (_dir, url) = sqlite_with_data().await;
    let out = run(&url, &args(Format::Table)).await;
    println!("{out}");
    assert!(out.contains("<5"));
    assert!(out.contains(">=5"));
    // No table row shows a count from 1 to 4 (the header line explains "1 to 4"; rows are indented).
    for line in out.lines().filter(|l| l.starts_with("  ")) {
        for tok in line.split_whitespace() {
            assert!(!is_small_number(tok), "small count {tok:?} shown in {line:?}");
        }
    }
    let w46 = out.lines().find(|l| l.trim_start().starts_with("2026-W46")).unwrap();
    assert!(w46.split_whitespace().any(|t| t == "<5"), "{w46}");
    assert!(out.contains("Events by week"));
    assert!(out.contains("Top entries"));
    assert!(out.contains("Flows started vs finished"));
    assert!(out.contains("2026-11-02 to 2026-11-20"));
}

#[tokio::test]
async fn csv_suppresses_small_counts() {
    let (_dir, url) = sqlite_with_data().await;
    let out = run(&url, &args(Format::Csv)).await;
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("section,row,column,value"));
    let mut small = 0;
    for line in lines {
        let fields: Vec<&str> = line.rsplitn(2, ',').collect();
        let (value, rest) = (fields[0], fields[1]);
        if !rest.ends_with("_rate") {
            assert!(!is_small_number(value), "small count in {line:?}");
        }
        if value == "<5" {
            small += 1;
        }
    }
    assert!(small >= 5, "{out}");
    assert!(out.contains("events,2026-W46,no_result,<5\n"), "{out}");
    assert!(
        out.contains("events,2026-W45,no_result,>=5\n"),
        "secondary suppression: {out}"
    );
    assert!(out.contains("events,2026-W45,question,60\n"), "{out}");
    assert!(out.contains("events,2026-W46,question,33\n"), "{out}");
}

#[tokio::test]
async fn json_suppresses_small_counts_and_raw_shows_them() {
    let (_dir, url) = sqlite_with_data().await;
    let out = run(&url, &args(Format::Json)).await;
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["min_count"], 5);
    assert_eq!(doc["raw"], false);
    for s in doc["sections"].as_array().unwrap() {
        let cols = s["columns"].as_array().unwrap();
        for r in s["rows"].as_array().unwrap() {
            for (c, v) in cols.iter().zip(r["values"].as_array().unwrap()) {
                if c.as_str().unwrap().ends_with("_rate") {
                    continue;
                }
                if let Some(n) = v.as_i64() {
                    assert!(
                        !(1..=4).contains(&n),
                        "small count {n} in {} {} {c}",
                        s["id"],
                        r["label"]
                    );
                } else {
                    assert!(v == "<5" || v == ">=5", "{v}");
                }
            }
        }
        // Every column of "events" with a "<5" has at least two hidden cells (no subtraction from a total).
        if s["id"] == "events" {
            for c in 0..cols.len() {
                let hidden: Vec<bool> = s["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["values"][c].is_string())
                    .collect();
                let n = hidden.iter().filter(|h| **h).count();
                assert!(n == 0 || n >= 2, "column {} has a single hidden cell", cols[c]);
            }
        }
    }
    assert_eq!(json_cell(&doc, "events", "2026-W46", "no_result"), "<5");
    assert_eq!(json_cell(&doc, "events", "2026-W46", "flow_start"), "<5");
    assert_eq!(
        json_cell(&doc, "no_result", "2026-W46", "no_result_rate"),
        &serde_json::Value::Null
    );
    assert_eq!(json_cell(&doc, "no_result", "2026-W47", "no_result_rate"), 0.28);
    assert_eq!(json_cell(&doc, "languages", "question", "sq"), 68);

    let raw = Options {
        raw: true,
        ..args(Format::Json)
    };
    let doc: serde_json::Value = serde_json::from_str(&run(&url, &raw).await).unwrap();
    assert_eq!(doc["raw"], true);
    assert_eq!(json_cell(&doc, "events", "2026-W46", "no_result"), 2);
    assert_eq!(json_cell(&doc, "events", "2026-W45", "no_result"), 6);
    assert_eq!(json_cell(&doc, "events", "2026-W47", "deep_link"), 0);
    assert_eq!(json_cell(&doc, "no_result", "2026-W45", "no_result_rate"), 0.1);
    assert_eq!(json_cell(&doc, "flows", "flow-report", "started"), 15);
    assert_eq!(json_cell(&doc, "flows", "flow-report", "finished"), 11);
    assert_eq!(json_cell(&doc, "flow_steps", "flow-report/ask-platform", "shown"), 12);
    assert_eq!(json_cell(&doc, "top_entries", "law-criminal-code", "answer"), 32);
    assert_eq!(json_cell(&doc, "top_entries", "safety-save-evidence", "deep_link"), 8);
    let top = &json_section(&doc, "top_entries")["rows"];
    assert_eq!(top[0]["label"], "law-criminal-code", "most used first");
    assert_eq!(json_cell(&doc, "weekly_groups", "2026-W47", "law"), 4);

    // A higher k.
    let k10 = Options {
        min_count: 10,
        ..args(Format::Json)
    };
    let doc: serde_json::Value = serde_json::from_str(&run(&url, &k10).await).unwrap();
    assert_eq!(json_cell(&doc, "events", "2026-W46", "deep_link"), "<10");
}

#[tokio::test]
async fn inline_cards_are_counted_per_entry_and_suppressed_like_the_others() {
    let mut counts = BTreeMap::new();
    let mut put = |kind: EventKind, topic: &str, n: i64| {
        let key = CountKey {
            day: day(10),
            kind,
            topic: topic.to_owned(),
            lang: Some(Lang::Sq),
        };
        counts.insert(key, n);
    };
    put(EventKind::Answer, "law-criminal-code", 20);
    put(EventKind::Inline, "law-criminal-code", 7);
    put(EventKind::Answer, "safety-save-evidence", 12);
    put(EventKind::Inline, "safety-save-evidence", 3);
    put(EventKind::DeepLink, "platform-facebook-report", 6);
    put(EventKind::Inline, "platform-facebook-report", 9);
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("usage.sqlite3"));
    let store = Store::open(&url).await.unwrap();
    store.add(&counts).await.unwrap();
    store.close().await;

    let raw = Options {
        raw: true,
        ..args(Format::Json)
    };
    let doc: serde_json::Value = serde_json::from_str(&run(&url, &raw).await).unwrap();
    let columns = &json_section(&doc, "top_entries")["columns"];
    assert_eq!(columns, &serde_json::json!(["answer", "deep_link", "inline"]));
    assert_eq!(json_cell(&doc, "top_entries", "law-criminal-code", "inline"), 7);
    assert_eq!(json_cell(&doc, "top_entries", "safety-save-evidence", "inline"), 3);
    assert_eq!(json_cell(&doc, "top_entries", "platform-facebook-report", "inline"), 9);
    assert_eq!(
        json_cell(&doc, "top_entries", "platform-facebook-report", "deep_link"),
        6
    );
    assert_eq!(json_cell(&doc, "events", "2026-W46", "inline"), 19);
    // The chart's groups count inline cards as entries used.
    assert_eq!(json_cell(&doc, "weekly_groups", "2026-W46", "law"), 27);
    assert_eq!(json_cell(&doc, "weekly_groups", "2026-W46", "safety"), 15);
    assert_eq!(json_cell(&doc, "weekly_groups", "2026-W46", "platform"), 15);

    // Suppressed: the small inline count is "<5", and another cell of its column is hidden so that it cannot be
    // worked out from the inline total of "events".
    let doc: serde_json::Value = serde_json::from_str(&run(&url, &args(Format::Json)).await).unwrap();
    assert_eq!(json_cell(&doc, "top_entries", "safety-save-evidence", "inline"), "<5");
    assert_eq!(json_cell(&doc, "top_entries", "law-criminal-code", "inline"), ">=5");
    assert_eq!(json_cell(&doc, "top_entries", "platform-facebook-report", "inline"), 9);
    assert_eq!(json_cell(&doc, "top_entries", "law-criminal-code", "answer"), 20);
    let table = run(&url, &args(Format::Table)).await;
    let top = table.split("Top entries").nth(1).unwrap();
    let header = top.lines().nth(1).unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["entry", "answer", "deep_link", "inline"]
    );
    for line in top.lines().skip(2).take_while(|l| l.starts_with("  ")) {
        for tok in line.split_whitespace() {
            assert!(!is_small_number(tok), "small count {tok:?} shown in {line:?}");
        }
    }
}

#[tokio::test]
async fn date_filters_and_periods() {
    let (_dir, url) = sqlite_with_data().await;
    let week46 = Options {
        from: Some(NaiveDate::from_ymd_opt(2026, 11, 9).unwrap()),
        to: Some(NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()),
        by: Period::Day,
        raw: true,
        ..args(Format::Json)
    };
    let doc: serde_json::Value = serde_json::from_str(&run(&url, &week46).await).unwrap();
    let rows = json_section(&doc, "events")["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 7, "one row per day, empty days too");
    assert_eq!(rows[0]["label"], "2026-11-09");
    assert_eq!(json_cell(&doc, "events", "2026-11-11", "question"), 30);
    assert_eq!(json_cell(&doc, "top_entries", "law-criminal-code", "answer"), 11);

    let by_month = Options {
        by: Period::Month,
        raw: true,
        ..args(Format::Json)
    };
    let doc: serde_json::Value = serde_json::from_str(&run(&url, &by_month).await).unwrap();
    assert_eq!(json_cell(&doc, "events", "2026-11", "question"), 118);

    let mut out = Vec::new();
    let backwards = Options {
        from: Some(NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()),
        to: Some(NaiveDate::from_ymd_opt(2026, 11, 9).unwrap()),
        ..args(Format::Table)
    };
    assert!(report::run(&url, &backwards, &mut out).await.is_err());
}

#[tokio::test]
async fn empty_database_reports_nothing_yet() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("usage.sqlite3"));
    let out = run(&url, &args(Format::Table)).await;
    assert!(out.contains("no counts yet"), "{out}");
    let doc: serde_json::Value = serde_json::from_str(&run(&url, &args(Format::Json)).await).unwrap();
    assert!(json_section(&doc, "events")["rows"].as_array().unwrap().is_empty());
    let csv = run(&url, &args(Format::Csv)).await;
    assert_eq!(csv, "section,row,column,value\n");
}

#[tokio::test]
async fn chart_is_an_svg_of_suppressed_weekly_groups() {
    let (dir, url) = sqlite_with_data().await;
    let path = dir.path().join("weekly.svg");
    let a = Options {
        chart: Some(path.clone()),
        ..args(Format::Table)
    };
    let out = run(&url, &a).await;
    assert!(out.contains("Chart written to"));
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
    assert!(svg.trim_end().ends_with("</svg>"));
    let texts: Vec<&str> = svg.split(['<', '>']).map(str::trim).collect();
    // Groups with a shown count get a line and a legend entry; groups with nothing shown get none.
    for legend in ["law", "platform"] {
        assert!(texts.contains(&legend), "legend {legend}");
    }
    assert!(!texts.contains(&"contact"));
    assert!(texts.contains(&"2026-W45") && texts.contains(&"2026-W47"));
    assert!(svg.contains("withheld"), "the chart says that gaps are withheld counts");

    // The data behind it is suppressed like the tables: W47 law (4) is "<5", and another cell of that week
    // is hidden so it cannot be worked out from the week's total.
    let store = Store::open(&url).await.unwrap();
    let rows = store.rows(None, None).await.unwrap();
    store.close().await;
    let rep = report::build(&rows, &Options::default());
    let w47 = rep.weekly_groups.rows.iter().find(|(w, _)| w == "2026-W47").unwrap();
    let col = |g: &str| rep.weekly_groups.columns.iter().position(|c| c == g).unwrap();
    assert_eq!(w47.1[col("law")], Cell::Small);
    assert_eq!(w47.1[col("platform")], Cell::Hidden);
    let w45 = rep.weekly_groups.rows.iter().find(|(w, _)| w == "2026-W45").unwrap();
    assert_eq!(w45.1[col("platform")], Cell::Small);
    assert_eq!(w45.1[col("flow")], Cell::Hidden, "the smallest other count of the week");
    assert_eq!(w45.1[col("law")], Cell::Count(17));
}

#[test]
fn stats_args_parse_like_the_cli() {
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        stats: udha::cli::StatsArgs,
    }
    let cli = Cli::try_parse_from([
        "stats",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-30",
        "--by",
        "month",
        "--format",
        "csv",
        "--min-count",
        "10",
        "--raw",
        "--chart",
        "out.svg",
        "--top",
        "5",
    ])
    .unwrap();
    let s = cli.stats.options();
    assert_eq!(s.from, NaiveDate::from_ymd_opt(2026, 10, 1));
    assert_eq!(s.by, Period::Month);
    assert_eq!(s.format, Format::Csv);
    assert_eq!((s.min_count, s.raw, s.top), (10, true, 5));
    assert_eq!(s.chart.as_deref(), Some(std::path::Path::new("out.svg")));
    let d = Cli::try_parse_from(["stats"]).unwrap().stats.options();
    assert_eq!(
        (d.by, d.format, d.min_count, d.raw),
        (Period::Week, Format::Table, 5, false)
    );
    assert!(Cli::try_parse_from(["stats", "--min-count", "0"]).is_err());
    assert!(Cli::try_parse_from(["stats", "--from", "yesterday"]).is_err());
}

#[tokio::test]
async fn postgres_report_matches_sqlite() {
    let Some(base) = pg_base_url("postgres_report_matches_sqlite") else {
        return;
    };
    let (_dir, sqlite) = sqlite_with_data().await;
    let db = PgTestDb::create(&base).await;
    store_with_data(&db.url).await;
    for format in [Format::Table, Format::Csv, Format::Json] {
        for raw in [false, true] {
            let a = Options { raw, ..args(format) };
            assert_eq!(run(&db.url, &a).await, run(&sqlite, &a).await, "{format:?} raw={raw}");
        }
    }
    db.drop_db().await;
}
