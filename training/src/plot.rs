//! PNG plots for the evaluation report (plotters, bitmap backend, no system libraries).
//!
//! Text needs a TrueType font: DejaVu Sans is loaded from the usual Debian path
//! (`fonts-dejavu-core`) or from `$PORTCULLIS_FONT`. Without one the plots are drawn with their
//! grid (tenths of each axis) but no text, and the report's captions say what the axes are.

use std::path::Path;
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::FontStyle;

const FONT_PATHS: [&str; 2] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];

/// Registers a font for plot text once; whether one was found.
pub fn font_available() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    *FOUND.get_or_init(|| {
        let candidates = std::env::var("PORTCULLIS_FONT")
            .ok()
            .into_iter()
            .chain(FONT_PATHS.iter().map(|s| s.to_string()));
        for path in candidates {
            if let Ok(bytes) = std::fs::read(&path) {
                // Registered fonts live for the whole process.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return true;
                }
            }
        }
        false
    })
}

fn err(e: impl std::fmt::Display) -> String {
    format!("plot: {e}")
}

/// Grid lines at tenths of both axes, for plots drawn without text.
fn tenths_grid<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Result<(), String> {
    let style = BLACK.mix(0.15);
    for i in 0..=10 {
        let x = x0 + (x1 - x0) * f64::from(i) / 10.0;
        let y = y0 + (y1 - y0) * f64::from(i) / 10.0;
        chart
            .draw_series(LineSeries::new([(x, y0), (x, y1)], style))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new([(x0, y), (x1, y)], style))
            .map_err(err)?;
    }
    Ok(())
}

/// The ROC curve with the diagonal of a random guess.
pub fn roc(path: &Path, curve: &[(f64, f64)], auc: Option<f64>) -> Result<(), String> {
    let text = font_available();
    let root = BitMapBackend::new(path, (640, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut builder = ChartBuilder::on(&root);
    builder.margin(20);
    if text {
        let title = auc.map_or("ROC".to_string(), |a| format!("ROC (AUC {a:.4})"));
        builder
            .caption(title, ("sans-serif", 22))
            .x_label_area_size(45)
            .y_label_area_size(55);
    }
    let mut chart = builder
        .build_cartesian_2d(0f64..1f64, 0f64..1f64)
        .map_err(err)?;
    if text {
        chart
            .configure_mesh()
            .x_desc("false-positive rate")
            .y_desc("true-positive rate")
            .draw()
            .map_err(err)?;
    } else {
        tenths_grid(&mut chart, (0.0, 1.0), (0.0, 1.0))?;
    }
    chart
        .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.4)))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(curve.iter().copied(), BLUE.stroke_width(2)))
        .map_err(err)?;
    root.present().map_err(err)
}

/// Histograms of benign and attack scores (each normalized to its class), on a
/// `log10(1 + score - min)` axis, with the threshold as a red line.
pub fn score_histograms(
    path: &Path,
    scores: &[f64],
    attack: &[bool],
    threshold: f64,
) -> Result<(), String> {
    const BINS: usize = 50;
    let finite = || scores.iter().copied().filter(|s| s.is_finite());
    let min = finite().fold(f64::INFINITY, f64::min).min(threshold);
    let axis = |s: f64| (1.0 + (s - min).max(0.0)).log10();
    let top = finite().map(axis).fold(axis(threshold), f64::max).max(1e-9);
    let mut hist = [[0f64; BINS]; 2];
    let mut totals = [0f64; 2];
    for (s, a) in scores.iter().zip(attack).filter(|(s, _)| s.is_finite()) {
        let b = ((axis(*s) / top * BINS as f64) as usize).min(BINS - 1);
        hist[usize::from(*a)][b] += 1.0;
        totals[usize::from(*a)] += 1.0;
    }
    let mut ymax: f64 = 0.0;
    for (h, t) in hist.iter_mut().zip(totals) {
        for v in h.iter_mut() {
            *v /= t.max(1.0);
            ymax = ymax.max(*v);
        }
    }
    let ymax = ymax.max(1e-9) * 1.05;
    let text = font_available();
    let root = BitMapBackend::new(path, (800, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut builder = ChartBuilder::on(&root);
    builder.margin(20);
    if text {
        builder
            .caption(
                "Scores: benign (green) and attack (red)",
                ("sans-serif", 20),
            )
            .x_label_area_size(45)
            .y_label_area_size(55);
    }
    let mut chart = builder
        .build_cartesian_2d(0f64..top, 0f64..ymax)
        .map_err(err)?;
    if text {
        chart
            .configure_mesh()
            .x_desc("log10(1 + score - min score)")
            .y_desc("share of class")
            .draw()
            .map_err(err)?;
    } else {
        tenths_grid(&mut chart, (0.0, top), (0.0, ymax))?;
    }
    let width = top / BINS as f64;
    for (h, color) in hist.iter().zip([GREEN.mix(0.5), RED.mix(0.5)]) {
        chart
            .draw_series(
                h.iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(i, v)| {
                        let x = i as f64 * width;
                        Rectangle::new([(x, 0.0), (x + width, *v)], color.filled())
                    }),
            )
            .map_err(err)?;
    }
    let t = axis(threshold);
    chart
        .draw_series(LineSeries::new([(t, 0.0), (t, ymax)], RED.stroke_width(2)))
        .map_err(err)?;
    root.present().map_err(err)
}
