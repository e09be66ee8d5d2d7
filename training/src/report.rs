//! The evaluation report: `report.md` with `roc.png` and `scores.png` beside it.

use std::fmt::Write as _;
use std::path::Path;

use crate::evaluate::Evaluation;
use crate::plot;

/// Writes the report into `dir` (created if needed); returns the Markdown file's path.
pub fn write(dir: &Path, e: &Evaluation, inputs: &[String]) -> Result<std::path::PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    plot::roc(&dir.join("roc.png"), &e.curve, e.auc)?;
    plot::score_histograms(&dir.join("scores.png"), &e.scores, &e.attack, e.threshold)?;
    let path = dir.join("report.md");
    std::fs::write(&path, markdown(e, inputs))
        .map_err(|err| format!("{}: {err}", path.display()))?;
    Ok(path)
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

/// The Markdown text of the report.
pub fn markdown(e: &Evaluation, inputs: &[String]) -> String {
    let (tpr, fpr) = e.at_threshold();
    let mut s = String::new();
    let _ = writeln!(s, "# Portcullis anomaly model evaluation\n");
    let _ = writeln!(
        s,
        "Model `{}` ({}), threshold {:.6}. Captures: {}.\n",
        e.model_version,
        e.algorithm,
        e.threshold,
        inputs.join(", ")
    );
    let _ = writeln!(s, "| metric | value |\n|---|---|");
    let _ = writeln!(s, "| flows | {} |", e.scores.len());
    let _ = writeln!(s, "| benign flows | {} |", e.benign());
    let _ = writeln!(s, "| attack flows | {} |", e.attacks());
    let auc = e.auc.map_or("n/a".into(), |a| format!("{a:.4}"));
    let _ = writeln!(s, "| ROC AUC | {auc} |");
    let _ = writeln!(s, "| TPR at FPR ≤ 0.1% | {} |", pct(e.tpr_at(0.001)));
    let _ = writeln!(s, "| TPR at FPR ≤ 1% | {} |", pct(e.tpr_at(0.01)));
    let _ = writeln!(s, "| TPR at the threshold | {} |", pct(tpr));
    let _ = writeln!(s, "| FPR at the threshold | {} |\n", pct(fpr));
    if !e.per_attack.is_empty() {
        let _ = writeln!(
            s,
            "## Recall per attack type (at the threshold)\n\n| attack | flows | detected | recall |\n|---|---:|---:|---:|"
        );
        for a in &e.per_attack {
            let r = a.detected as f64 / a.flows.max(1) as f64;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                a.attack,
                a.flows,
                a.detected,
                pct(r)
            );
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "## Scores per capture\n\n| capture | flows | attack flows | above threshold | median score | max score |\n|---|---:|---:|---:|---:|---:|"
    );
    for c in &e.per_capture {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.3} | {:.3} |",
            c.capture, c.flows, c.attacks, c.above, c.median, c.max
        );
    }
    let _ = writeln!(
        s,
        "\n## Plots\n\nROC curve (x: false-positive rate, y: true-positive rate, diagonal: chance):\n\n\
         ![ROC curve](roc.png)\n\nScore histograms, each class normalized to 1 (x: log10(1 + score − min), \
         green: benign, red: attacks, red line: threshold):\n\n![Score histograms](scores.png)"
    );
    s
}
