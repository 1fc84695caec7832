//! `udha stats --chart FILE.svg`: weekly use by topic group, one line per group.
//!
//! Drawn from the already suppressed cells: a week whose count is shown as "<k" or ">=k" in the report is a gap
//! in its line, never a point at its true value.

use plotters::prelude::*;

use super::report::{Cell, Report};

const COLORS: [RGBColor; 7] = [
    RGBColor(0x1f, 0x77, 0xb4), // law
    RGBColor(0xff, 0x7f, 0x0e), // procedure
    RGBColor(0x2c, 0xa0, 0x2c), // platform
    RGBColor(0xd6, 0x27, 0x28), // safety
    RGBColor(0x94, 0x67, 0xbd), // contact
    RGBColor(0x8c, 0x56, 0x4b), // flow
    RGBColor(0x7f, 0x7f, 0x7f), // other
];

/// The chart as SVG text.
pub(super) fn weekly_groups_svg(report: &Report) -> anyhow::Result<String> {
    let section = &report.weekly_groups;
    let weeks: Vec<&str> = section.rows.iter().map(|(w, _)| w.as_str()).collect();
    let n = weeks.len().max(1) as i32;
    let max = section
        .rows
        .iter()
        .flat_map(|(_, cells)| cells.iter().filter_map(Cell::count))
        .max()
        .unwrap_or(0)
        .max(1);
    let y_top = max + (max / 10).max(1);
    let range = match (report.from, report.to) {
        (Some(f), Some(t)) => format!("{f} to {t}"),
        _ => "no counts yet".to_owned(),
    };
    let note = if report.raw {
        "raw counts: not for sharing".to_owned()
    } else {
        format!("gaps: counts withheld, below {} or protecting one", report.min_count)
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 540)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("Udha: weekly use by topic group, {range}"), ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0i64..y_top)
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
            .x_labels(weeks.len().clamp(1, 12))
            .x_label_formatter(&label_of)
            .x_desc(format!("ISO week ({note})"))
            .y_desc("entries shown, deep links, flows started")
            .disable_x_mesh()
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(draw_err)?;

        for (g, group) in section.columns.iter().enumerate() {
            let color = COLORS[g.min(COLORS.len() - 1)];
            let total: i64 = section.rows.iter().filter_map(|(_, c)| c[g].count()).sum();
            if total == 0 {
                continue; // a group with nothing shown gets no line (and no legend entry)
            }
            // Split at suppressed weeks: each run of shown values is its own line.
            let mut runs: Vec<Vec<(f64, i64)>> = vec![Vec::new()];
            for (i, (_, cells)) in section.rows.iter().enumerate() {
                match cells[g].count() {
                    Some(v) => runs.last_mut().expect("non-empty").push((i as f64, v)),
                    None => runs.push(Vec::new()),
                }
            }
            let mut labelled = false;
            for run in runs.into_iter().filter(|r| !r.is_empty()) {
                let series = chart
                    .draw_series(LineSeries::new(run, color.stroke_width(2)).point_size(3))
                    .map_err(draw_err)?;
                if !labelled {
                    series
                        .label(group.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
                    labelled = true;
                }
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

fn draw_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing the chart: {e:?}")
}
