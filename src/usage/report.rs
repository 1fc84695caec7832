//! `udha stats`: what is used, with small-count suppression for anything that leaves the server.
//!
//! Sections: events per period, events by language, no-result rate per period, top entries (answers, deep links and
//! inline cards per entry), flows started vs finished, flow steps; optionally an SVG chart of weekly use by topic
//! group.
//!
//! Suppression (unless `--raw`): a count from 1 to k-1 is shown as `<k`. So that such a cell cannot be worked
//! out by subtraction from a total that the report shows elsewhere, every line that adds up to such a total
//! (a column of "events", a row of "by language", ...) holds either no suppressed cell or at least two; the
//! extra cells hidden for that are shown as `>=k` (true: they are at least k). Rates are shown only when both
//! of their counts are. Zero is shown as 0.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};

use super::groups::Group;
use super::store::{CountRow, Store, parse_stored_lang};
use super::{EventKind, chart};
use crate::knowledge::{Kind, Lang};

/// What `udha stats` reports (its flags, as the command line parsed them).
#[derive(Debug, Clone)]
pub struct Options {
    /// First day included (UTC). `None`: the first day with counts.
    pub from: Option<NaiveDate>,
    /// Last day included (UTC). `None`: the last day with counts.
    pub to: Option<NaiveDate>,
    /// Period of the time series.
    pub by: Period,
    pub format: Format,
    /// Small-count threshold k: counts from 1 to k-1 are shown as "<k".
    pub min_count: i64,
    /// Show true small counts (no suppression).
    pub raw: bool,
    /// How many entries to list under "top entries".
    pub top: usize,
    /// Also draw weekly use by topic group as an SVG file here.
    pub chart: Option<PathBuf>,
}

/// The small-count threshold unless `--min-count` says otherwise.
pub(crate) const DEFAULT_MIN_COUNT: i64 = 5;
/// How many top entries are listed unless `--top` says otherwise.
pub(crate) const DEFAULT_TOP: usize = 20;

impl Default for Options {
    fn default() -> Self {
        Options {
            from: None,
            to: None,
            by: Period::Week,
            format: Format::Table,
            min_count: DEFAULT_MIN_COUNT,
            raw: false,
            top: DEFAULT_TOP,
            chart: None,
        }
    }
}

/// Time series period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The label of the period holding `day`; labels sort in time order.
    pub fn label(self, day: NaiveDate) -> String {
        match self {
            Period::Day => day.format("%Y-%m-%d").to_string(),
            Period::Week => {
                let w = day.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Period::Month => day.format("%Y-%m").to_string(),
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// One reported value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A count shown as is.
    Count(i64),
    /// A count from 1 to k-1, shown as "<k".
    Small,
    /// A count of at least k hidden so that a small one cannot be derived, shown as ">=k".
    Hidden,
    /// A ratio (0.0 to 1.0 and beyond), shown as a percentage.
    Rate(f64),
    /// A ratio that is not shown (a count behind it is suppressed, or the denominator is 0).
    NoRate,
}

impl Cell {
    fn text(&self, k: i64) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Small => format!("<{k}"),
            Cell::Hidden => format!(">={k}"),
            Cell::Rate(r) => format!("{:.1}%", r * 100.0),
            Cell::NoRate => "-".to_owned(),
        }
    }

    fn json(&self, k: i64) -> serde_json::Value {
        match self {
            Cell::Count(n) => (*n).into(),
            Cell::Rate(r) => serde_json::Number::from_f64((r * 10_000.0).round() / 10_000.0)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Cell::NoRate => serde_json::Value::Null,
            Cell::Small | Cell::Hidden => self.text(k).into(),
        }
    }

    fn csv(&self, k: i64) -> String {
        match self {
            Cell::Rate(r) => format!("{:.4}", r),
            Cell::NoRate => String::new(),
            other => other.text(k),
        }
    }

    /// The count if shown.
    pub fn count(&self) -> Option<i64> {
        match self {
            Cell::Count(n) => Some(*n),
            _ => None,
        }
    }
}

/// A table of the report.
#[derive(Debug, Clone)]
pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub row_header: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Cell>)>,
}

/// The whole report, before formatting.
#[derive(Debug, Clone)]
pub struct Report {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub by: Period,
    pub min_count: i64,
    pub raw: bool,
    pub sections: Vec<Section>,
    /// Weekly use by topic group (rows: ISO weeks, columns: groups), suppressed like the rest.
    pub weekly_groups: Section,
}

/// Reads the counts from `database_url` and writes the report to `out` (and the chart, if asked for).
pub async fn run(database_url: &str, args: &Options, out: &mut dyn Write) -> anyhow::Result<()> {
    if let (Some(from), Some(to)) = (args.from, args.to) {
        anyhow::ensure!(from <= to, "--from {from} is after --to {to}");
    }
    let store = Store::open(database_url).await.context("opening the usage database")?;
    let rows = store.rows(args.from, args.to).await;
    store.close().await;
    let rows = rows.context("reading usage counts")?;
    let report = build(&rows, args);
    match args.format {
        Format::Table => write_table(&report, out)?,
        Format::Csv => write_csv(&report, out)?,
        Format::Json => write_json(&report, out)?,
    }
    if let Some(path) = &args.chart {
        let svg = chart::weekly_groups_svg(&chart_lines(&report))?;
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
        if args.format == Format::Table {
            writeln!(out, "\nChart written to {}", path.display())?;
        }
    }
    Ok(())
}

/// Every period label from `from` to `to`, in order (so that empty periods show as 0).
fn period_labels(by: Period, from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut labels = Vec::new();
    let mut day = from;
    while day <= to {
        let l = by.label(day);
        if labels.last() != Some(&l) {
            labels.push(l);
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    labels
}

/// Every period label from `first` to `last` (none without counts or with the days the wrong way round).
fn labels_between(by: Period, first: Option<NaiveDate>, last: Option<NaiveDate>) -> Vec<String> {
    match (first, last) {
        (Some(f), Some(l)) if f <= l => period_labels(by, f, l),
        _ => Vec::new(),
    }
}

/// A stored kind as the report reads it: one this version knows, or the name of one it does not (written by a
/// replica of a newer version), reported after the known ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RowKind<'a> {
    Known(EventKind),
    Unknown(&'a str),
}

impl<'a> RowKind<'a> {
    /// The column's name.
    fn name(self) -> &'a str {
        match self {
            RowKind::Known(kind) => kind.as_str(),
            RowKind::Unknown(name) => name,
        }
    }
}

/// A stored row with its kind and language read once.
struct Row<'a> {
    day: NaiveDate,
    kind: RowKind<'a>,
    topic: &'a str,
    lang: Option<Lang>,
    count: i64,
}

impl<'a> Row<'a> {
    fn read(row: &'a CountRow) -> Row<'a> {
        Row {
            day: row.day,
            kind: EventKind::parse(&row.kind).map_or(RowKind::Unknown(&row.kind), RowKind::Known),
            topic: &row.topic,
            lang: parse_stored_lang(&row.lang),
            count: row.count,
        }
    }

    /// The kind, if this version knows it.
    fn event(&self) -> Option<EventKind> {
        match self.kind {
            RowKind::Known(kind) => Some(kind),
            RowKind::Unknown(_) => None,
        }
    }

    fn is(&self, kind: EventKind) -> bool {
        self.event() == Some(kind)
    }
}

/// The kinds counted per entry (top entries, and the chart's entry groups): an entry shown as an answer, opened
/// by a deep link, its card sent into another chat from inline mode.
const ENTRY_KINDS: [EventKind; 3] = [EventKind::Answer, EventKind::DeepLink, EventKind::Inline];

/// The languages of "events by language", in column order (`None`: unknown).
const LANGS: [Option<Lang>; 3] = [Some(Lang::Sq), Some(Lang::En), None];

/// Builds the report from raw rows (already limited to the date range).
pub fn build(rows: &[CountRow], args: &Options) -> Report {
    let rows: Vec<Row> = rows.iter().map(Row::read).collect();
    let rows = rows.as_slice();
    let k = if args.raw { 1 } else { args.min_count.max(1) };
    let first = args.from.or_else(|| rows.iter().map(|r| r.day).min());
    let last = args.to.or_else(|| rows.iter().map(|r| r.day).max());
    let periods = labels_between(args.by, first, last);
    let kinds = kinds_present(rows);
    let events_cells = events_by_period(rows, &periods, &kinds, args.by, k);
    let no_result = no_result_rows(&periods, &kinds, &events_cells);
    let by = args.by.as_str();
    let sections = vec![
        Section {
            id: "events",
            title: format!("Events by {by}"),
            row_header: by.to_owned(),
            columns: kinds.iter().map(|kind| kind.name().to_owned()).collect(),
            rows: periods.iter().cloned().zip(events_cells).collect(),
        },
        by_language(rows, &kinds, k),
        Section {
            id: "no_result",
            title: format!("Questions without a result, by {by}"),
            row_header: by.to_owned(),
            columns: vec![
                EventKind::Question.as_str().to_owned(),
                EventKind::NoResult.as_str().to_owned(),
                format!("{}_rate", EventKind::NoResult),
            ],
            rows: no_result,
        },
        top_entries(rows, k, args.top),
        flows(rows, k),
        flow_steps(rows, k),
    ];
    Report {
        from: first,
        to: last,
        by: args.by,
        min_count: args.min_count.max(1),
        raw: args.raw,
        sections,
        weekly_groups: weekly_groups(rows, &labels_between(Period::Week, first, last), k),
    }
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|&n| n.to_owned()).collect()
}

/// The kinds of event present, in [`EventKind`] order, then any unknown ones.
fn kinds_present<'a>(rows: &[Row<'a>]) -> Vec<RowKind<'a>> {
    let present: BTreeSet<RowKind<'a>> = rows.iter().map(|r| r.kind).collect();
    present.into_iter().collect()
}

/// The distinct topics of the rows that `keep`, as `name` makes them, sorted.
fn topics(rows: &[Row], keep: impl Fn(&Row) -> bool, name: impl Fn(&str) -> String) -> Vec<String> {
    rows.iter()
        .filter(|r| keep(r))
        .map(|r| name(r.topic))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Section 1, events per period: columns add up to the kind's total over the range.
fn events_by_period(rows: &[Row], periods: &[String], kinds: &[RowKind], by: Period, k: i64) -> Vec<Vec<Cell>> {
    let mut events = grid(periods, kinds);
    for r in rows {
        add(&mut events, periods, kinds, by.label(r.day).as_str(), &r.kind, r.count);
    }
    suppress(&events, k, false, true)
}

/// Section 2, events by language: rows add up to the kind's total over the range.
fn by_language(rows: &[Row], kinds: &[RowKind], k: i64) -> Section {
    let mut by_lang = grid(kinds, &LANGS);
    for r in rows {
        add(&mut by_lang, kinds, &LANGS, &r.kind, &r.lang, r.count);
    }
    Section {
        id: "languages",
        title: "Events by language".to_owned(),
        row_header: "event".to_owned(),
        columns: LANGS
            .iter()
            .map(|l| l.map_or("unknown", Lang::code).to_owned())
            .collect(),
        rows: kinds
            .iter()
            .map(|kind| kind.name().to_owned())
            .zip(suppress(&by_lang, k, true, false))
            .collect(),
    }
}

/// Section 3, the no-result rate, from the (already suppressed) cells of section 1.
fn no_result_rows(periods: &[String], kinds: &[RowKind], events_cells: &[Vec<Cell>]) -> Vec<(String, Vec<Cell>)> {
    let col = |kind: EventKind| kinds.iter().position(|c| *c == RowKind::Known(kind));
    let (q_col, nr_col) = (col(EventKind::Question), col(EventKind::NoResult));
    periods
        .iter()
        .zip(events_cells)
        .map(|(p, cells)| {
            let q = q_col.map_or(Cell::Count(0), |c| cells[c]);
            let nr = nr_col.map_or(Cell::Count(0), |c| cells[c]);
            (p.clone(), vec![q, nr, rate(nr, q)])
        })
        .collect()
}

/// Whether a row counts an entry (see [`ENTRY_KINDS`]).
fn is_entry_kind(r: &Row) -> bool {
    r.event().is_some_and(|kind| ENTRY_KINDS.contains(&kind))
}

/// Section 4, top entries: per entry id, each of [`ENTRY_KINDS`].
fn top_entries(rows: &[Row], k: i64, top: usize) -> Section {
    let entries = topics(rows, |r| is_entry_kind(r) && !r.topic.is_empty(), str::to_owned);
    let mut entry_grid = grid(&entries, &ENTRY_KINDS);
    for r in rows {
        if let Some(kind) = r.event() {
            add(&mut entry_grid, &entries, &ENTRY_KINDS, r.topic, &kind, r.count);
        }
    }
    let entry_cells = suppress(&entry_grid, k, false, true);
    let mut shown: Vec<(String, Vec<Cell>)> = entries.iter().cloned().zip(entry_cells).collect();
    // Order by what is shown only, so the order cannot betray suppressed values.
    shown.sort_by(|(a, ca), (b, cb)| {
        let total = |c: &[Cell]| c.iter().filter_map(Cell::count).sum::<i64>();
        total(cb).cmp(&total(ca)).then_with(|| a.cmp(b))
    });
    let n_entries = shown.len();
    shown.truncate(top);
    Section {
        id: "top_entries",
        title: format!("Top entries ({} of {n_entries})", shown.len()),
        row_header: "entry".to_owned(),
        columns: ENTRY_KINDS.iter().map(|kind| kind.as_str().to_owned()).collect(),
        rows: shown,
    }
}

/// The flow a flow topic (`flow-id` or `flow-id/step-id`) is about.
fn flow_of(topic: &str) -> String {
    topic.split('/').next().unwrap_or("").to_owned()
}

/// The kinds about a flow.
const FLOW_KINDS: [EventKind; 3] = [EventKind::FlowStart, EventKind::FlowStep, EventKind::FlowEnd];

/// Section 5, flows started vs finished.
fn flows(rows: &[Row], k: i64) -> Section {
    let flow_cols = [RowKind::Known(EventKind::FlowStart), RowKind::Known(EventKind::FlowEnd)];
    let flows = topics(
        rows,
        |r| r.event().is_some_and(|kind| FLOW_KINDS.contains(&kind)) && !r.topic.is_empty(),
        flow_of,
    );
    let mut flow_grid = grid(&flows, &flow_cols);
    for r in rows {
        add(&mut flow_grid, &flows, &flow_cols, &flow_of(r.topic), &r.kind, r.count);
    }
    Section {
        id: "flows",
        title: "Flows started vs finished".to_owned(),
        row_header: "flow".to_owned(),
        columns: strings(&["started", "finished", "finished_rate"]),
        rows: flows
            .iter()
            .cloned()
            .zip(suppress(&flow_grid, k, false, true))
            .map(|(f, mut cells)| {
                cells.push(rate(cells[1], cells[0]));
                (f, cells)
            })
            .collect(),
    }
}

/// Section 6, flow steps shown.
fn flow_steps(rows: &[Row], k: i64) -> Section {
    let step_cols = strings(&["shown"]);
    let steps = topics(
        rows,
        |r| r.is(EventKind::FlowStep) && r.topic.contains('/'),
        str::to_owned,
    );
    let mut step_grid = grid(&steps, &step_cols);
    for r in rows.iter().filter(|r| r.is(EventKind::FlowStep)) {
        add(&mut step_grid, &steps, &step_cols, r.topic, "shown", r.count);
    }
    Section {
        id: "flow_steps",
        title: "Flow steps shown".to_owned(),
        row_header: "flow/step".to_owned(),
        columns: step_cols,
        rows: steps
            .iter()
            .cloned()
            .zip(suppress(&step_grid, k, false, true))
            .collect(),
    }
}

/// The chart's data: entries counted (see [`ENTRY_KINDS`]) and flows started, per ISO week and topic group. Each
/// week's row adds up to cells of section 1 when it is by week: protect rows.
fn weekly_groups(rows: &[Row], weeks: &[String], k: i64) -> Section {
    let groups: Vec<Group> = Group::all().collect();
    let mut weekly = grid(weeks, &groups);
    for r in rows.iter().filter(|r| !r.topic.is_empty()) {
        let g = match r.event() {
            Some(EventKind::FlowStart) => Group::Kind(Kind::Flow),
            _ if is_entry_kind(r) => Group::of_topic(r.topic),
            _ => continue,
        };
        add(
            &mut weekly,
            weeks,
            &groups,
            Period::Week.label(r.day).as_str(),
            &g,
            r.count,
        );
    }
    Section {
        id: "weekly_groups",
        title: "Weekly use by topic group (entries shown, deep links, inline cards, flows started)".to_owned(),
        row_header: "week".to_owned(),
        columns: groups.iter().map(|g| g.name().to_owned()).collect(),
        rows: weeks.iter().cloned().zip(suppress(&weekly, k, true, false)).collect(),
    }
}

fn grid<R, C>(rows: &[R], cols: &[C]) -> Vec<Vec<i64>> {
    vec![vec![0; cols.len()]; rows.len()]
}

/// Adds `n` to the cell of `row` and `col`, if both are lines of the grid.
fn add<R, C, Q, D>(g: &mut [Vec<i64>], rows: &[R], cols: &[C], row: &Q, col: &D, n: i64)
where
    R: PartialEq<Q>,
    C: PartialEq<D>,
    Q: ?Sized,
    D: ?Sized,
{
    let (Some(r), Some(c)) = (rows.iter().position(|x| x == row), cols.iter().position(|x| x == col)) else {
        return;
    };
    g[r][c] += n;
}

fn rate(num: Cell, den: Cell) -> Cell {
    match (num, den) {
        (Cell::Count(n), Cell::Count(d)) if d > 0 => Cell::Rate(n as f64 / d as f64),
        _ => Cell::NoRate,
    }
}

/// Small-count suppression of a grid of counts. Primary: 1..k-1 become [`Cell::Small`]. Secondary: in every
/// protected line (rows and/or columns, the directions whose sums the report shows elsewhere) with exactly one
/// suppressed cell, the smallest positive shown count becomes [`Cell::Hidden`]; repeated until stable.
/// With k = 1 nothing is suppressed.
pub(crate) fn suppress(values: &[Vec<i64>], k: i64, protect_rows: bool, protect_cols: bool) -> Vec<Vec<Cell>> {
    let mut cells: Vec<Vec<Cell>> = values
        .iter()
        .map(|row| {
            row.iter()
                .map(|&v| if v > 0 && v < k { Cell::Small } else { Cell::Count(v) })
                .collect()
        })
        .collect();
    if k <= 1 {
        return cells;
    }
    let n_rows = cells.len();
    let n_cols = cells.first().map_or(0, Vec::len);
    let mut lines: Vec<Vec<(usize, usize)>> = Vec::new();
    if protect_rows {
        lines.extend((0..n_rows).map(|r| (0..n_cols).map(|c| (r, c)).collect()));
    }
    if protect_cols {
        lines.extend((0..n_cols).map(|c| (0..n_rows).map(|r| (r, c)).collect()));
    }
    loop {
        let mut changed = false;
        for line in &lines {
            let hidden = line
                .iter()
                .filter(|&&(r, c)| matches!(cells[r][c], Cell::Small | Cell::Hidden))
                .count();
            if hidden != 1 {
                continue;
            }
            let victim = line
                .iter()
                .filter_map(|&(r, c)| match cells[r][c] {
                    Cell::Count(v) if v > 0 => Some((v, r, c)),
                    _ => None,
                })
                .min();
            if let Some((_, r, c)) = victim {
                cells[r][c] = Cell::Hidden;
                changed = true;
            }
        }
        if !changed {
            return cells;
        }
    }
}

/// The days the report covers, as its header and the chart's caption say them.
fn range_text(report: &Report) -> String {
    match (report.from, report.to) {
        (Some(f), Some(t)) => format!("{f} to {t}"),
        _ => "no counts yet".to_owned(),
    }
}

/// The chart's data: the weekly groups section's shown counts, withheld ones as gaps.
fn chart_lines(report: &Report) -> chart::Lines<'_> {
    let section = &report.weekly_groups;
    let note = if report.raw {
        "raw counts: not for sharing".to_owned()
    } else {
        format!("gaps: counts withheld, below {} or protecting one", report.min_count)
    };
    chart::Lines {
        weeks: section.rows.iter().map(|(w, _)| w.as_str()).collect(),
        groups: Group::all().collect(),
        shown: section
            .rows
            .iter()
            .map(|(_, cells)| cells.iter().map(Cell::count).collect())
            .collect(),
        range: range_text(report),
        note,
    }
}

fn header_lines(report: &Report) -> Vec<String> {
    let range = range_text(report);
    let k = report.min_count;
    let mut lines = vec![format!(
        "Udha usage counts, {range} (UTC days), by {}",
        report.by.as_str()
    )];
    if report.raw {
        lines.push("RAW COUNTS, no small-count suppression: for local use only, do not share.".to_owned());
    } else if k > 1 {
        lines.push(format!(
            "Counts from 1 to {} are shown as \"<{k}\"; \">={k}\" hides a count so that no \"<{k}\" can be worked out.",
            k - 1
        ));
    }
    lines
}

fn write_table(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let k = report.min_count;
    for l in header_lines(report) {
        writeln!(out, "{l}")?;
    }
    for s in report.sections.iter().chain(std::iter::once(&report.weekly_groups)) {
        writeln!(out, "\n{}", s.title)?;
        if s.rows.is_empty() {
            writeln!(out, "  (none)")?;
            continue;
        }
        let texts: Vec<Vec<String>> = s
            .rows
            .iter()
            .map(|(_, cells)| cells.iter().map(|c| c.text(k)).collect())
            .collect();
        let w0 = s
            .rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .chain([s.row_header.chars().count()])
            .max()
            .unwrap_or(0);
        let widths: Vec<usize> = s
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| texts.iter().map(|t| t[i].len()).chain([c.len()]).max().unwrap_or(0))
            .collect();
        let mut line = format!("  {:<w0$}", s.row_header);
        for (c, w) in s.columns.iter().zip(&widths) {
            line.push_str(&format!("  {c:>w$}"));
        }
        writeln!(out, "{}", line.trim_end())?;
        for ((label, _), t) in s.rows.iter().zip(&texts) {
            let mut line = format!("  {label:<w0$}");
            for (v, w) in t.iter().zip(&widths) {
                line.push_str(&format!("  {v:>w$}"));
            }
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One tidy table: `section,row,column,value` (easy to pivot in a spreadsheet).
fn write_csv(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let k = report.min_count;
    writeln!(out, "section,row,column,value")?;
    for s in report.sections.iter().chain(std::iter::once(&report.weekly_groups)) {
        for (label, cells) in &s.rows {
            for (col, cell) in s.columns.iter().zip(cells) {
                writeln!(
                    out,
                    "{},{},{},{}",
                    s.id,
                    csv_field(label),
                    csv_field(col),
                    csv_field(&cell.csv(k))
                )?;
            }
        }
    }
    Ok(())
}

fn write_json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let k = report.min_count;
    let sections: Vec<serde_json::Value> = report
        .sections
        .iter()
        .chain(std::iter::once(&report.weekly_groups))
        .map(|s| {
            serde_json::json!({
                "id": s.id,
                "title": s.title,
                "row_header": s.row_header,
                "columns": s.columns,
                "rows": s.rows.iter().map(|(label, cells)| serde_json::json!({
                    "label": label,
                    "values": cells.iter().map(|c| c.json(k)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "from": report.from.map(|d| d.to_string()),
        "to": report.to.map(|d| d.to_string()),
        "by": report.by.as_str(),
        "min_count": k,
        "raw": report.raw,
        "notes": header_lines(report),
        "sections": sections,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_and_secondary_suppression() {
        // One column with one small cell: another must be hidden.
        let g = vec![vec![3], vec![10], vec![20]];
        let c = suppress(&g, 5, false, true);
        assert_eq!(c, vec![vec![Cell::Small], vec![Cell::Hidden], vec![Cell::Count(20)]]);
        // Two small cells already: nothing more.
        let g = vec![vec![3], vec![4], vec![20]];
        let c = suppress(&g, 5, false, true);
        assert_eq!(c, vec![vec![Cell::Small], vec![Cell::Small], vec![Cell::Count(20)]]);
        // Zeros stay; raw (k=1) shows all.
        let g = vec![vec![0, 2], vec![7, 9]];
        assert_eq!(suppress(&g, 1, true, true)[0][1], Cell::Count(2));
        let c = suppress(&g, 5, true, true);
        assert_eq!(c[0][0], Cell::Count(0));
        assert_eq!(c[0][1], Cell::Small);
        assert!(c[1][1] == Cell::Hidden);
    }

    #[test]
    fn labels_and_groups() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(Period::Week.label(d), "2026-W01");
        assert_eq!(Period::Month.label(d), "2026-01");
        assert_eq!(Period::Day.label(d), "2026-01-01");
        assert_eq!(Group::of_topic("law-criminal-code").name(), "law");
        assert_eq!(Group::of_topic("flow-report/step-1").name(), "flow");
        assert_eq!(Group::of_topic("weird").name(), "other");
    }
}
