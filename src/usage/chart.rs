//! `udha stats --chart FILE.svg`: weekly use by topic group, one line per group.
//!
//! Drawn from the already suppressed cells: a week whose count is shown as "<k" or ">=k" in the report is a gap
//! in its line, never a point at its true value.

use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::prelude::*;

use super::groups::Group;

/// The picture's size in pixels.
const SIZE: (u32, u32) = (960, 540);
/// At most this many week labels under the x axis.
const MAX_WEEK_LABELS: usize = 12;
const LINE_WIDTH: u32 = 2;
const POINT_SIZE: u32 = 3;
const FONT: &str = "sans-serif";

/// What the chart draws.
pub(super) struct Lines<'a> {
    /// The x axis: ISO weeks, in order.
    pub weeks: Vec<&'a str>,
    /// One line per group, in legend order (each in its [`Group::color`]).
    pub groups: Vec<Group>,
    /// By week, then group: the count the report shows, or `None` where it withholds it (a gap).
    pub shown: Vec<Vec<Option<i64>>>,
    /// The days covered, for the caption.
    pub range: String,
    /// What the gaps mean, under the x axis.
    pub note: String,
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordi64>>;

/// The chart as SVG text.
pub(super) fn weekly_groups_svg(lines: &Lines) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = axes(&root, lines)?;
        for (g, group) in lines.groups.iter().enumerate() {
            let (red, green, blue) = group.color();
            draw_group(
                &mut chart,
                group.name(),
                RGBColor(red, green, blue),
                &runs(&lines.shown, g),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, 15))
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// The caption, the axes and their labels: weeks across, counts up, with a little room above the highest count.
fn axes<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    lines: &Lines,
) -> anyhow::Result<Chart<'a, 'b>> {
    let weeks = &lines.weeks;
    let n = weeks.len().max(1) as f64;
    let max = lines
        .shown
        .iter()
        .flatten()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let y_top = max + (max / 10).max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(format!("Udha: weekly use by topic group, {}", lines.range), (FONT, 20))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(n - 0.5), 0i64..y_top)
        .map_err(draw_err)?;
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < weeks.len() {
            weeks[i as usize].to_owned()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_labels(weeks.len().clamp(1, MAX_WEEK_LABELS))
        .x_label_formatter(&label_of)
        .x_desc(format!("ISO week ({})", lines.note))
        .y_desc("entries shown, deep links, inline cards, flows started")
        .disable_x_mesh()
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .draw()
        .map_err(draw_err)?;
    Ok(chart)
}

/// A group's shown counts split at withheld weeks: each run of shown values is its own line.
fn runs(shown: &[Vec<Option<i64>>], group: usize) -> Vec<Vec<(f64, i64)>> {
    let mut runs: Vec<Vec<(f64, i64)>> = vec![Vec::new()];
    for (week, counts) in shown.iter().enumerate() {
        match counts[group] {
            Some(v) => runs.last_mut().expect("non-empty").push((week as f64, v)),
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// A group's lines, labelled once in the legend. A group with nothing shown gets no line and no legend entry.
fn draw_group(chart: &mut Chart, group: &str, color: RGBColor, runs: &[Vec<(f64, i64)>]) -> anyhow::Result<()> {
    let total: i64 = runs.iter().flatten().map(|&(_, v)| v).sum();
    if total == 0 {
        return Ok(());
    }
    for (i, run) in runs.iter().enumerate() {
        let series = chart
            .draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(LINE_WIDTH)).point_size(POINT_SIZE))
            .map_err(draw_err)?;
        if i == 0 {
            series
                .label(group)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(LINE_WIDTH)));
        }
    }
    Ok(())
}

fn draw_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing the chart: {e:?}")
}
