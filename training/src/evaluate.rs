//! `evaluate`: a model against labelled captures: ROC AUC, TPR at fixed FPRs, recall per
//! attack type and score summaries per capture.
//!
//! Each flow's score is the engine's score at flow end (the captures run through the engine
//! with the model loaded, exactly as `portcullis read --model` scores them).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::extract::Extracted;
use crate::labels::Labels;
use crate::metrics::{roc_auc, roc_curve, tpr_at_fpr};

/// Recall of one attack type at the model's threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackRecall {
    /// Attack type from the label file.
    pub attack: String,
    /// Flows of that type.
    pub flows: usize,
    /// Of which scored above the threshold.
    pub detected: usize,
}

/// Scores of one capture.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureScores {
    /// Capture file name.
    pub capture: String,
    /// Flows.
    pub flows: usize,
    /// Flows labelled as attacks.
    pub attacks: usize,
    /// Flows scored above the threshold.
    pub above: usize,
    /// Median score.
    pub median: f64,
    /// Highest score.
    pub max: f64,
}

/// Everything `evaluate` reports.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Model version.
    pub model_version: String,
    /// Algorithm name.
    pub algorithm: String,
    /// The model's threshold.
    pub threshold: f64,
    /// Score per flow.
    pub scores: Vec<f64>,
    /// Whether each flow is an attack.
    pub attack: Vec<bool>,
    /// ROC AUC (`None` unless both classes occur).
    pub auc: Option<f64>,
    /// ROC curve points.
    pub curve: Vec<(f64, f64)>,
    /// Per attack type.
    pub per_attack: Vec<AttackRecall>,
    /// Per capture.
    pub per_capture: Vec<CaptureScores>,
}

impl Evaluation {
    /// Scores flows (already scored by the engine) against labels.
    pub fn new(
        ex: &Extracted,
        labels: &Labels,
        model_version: &str,
        algorithm: &str,
        threshold: f64,
    ) -> Evaluation {
        let mut scores = Vec::with_capacity(ex.flows.len());
        let mut attack = Vec::with_capacity(ex.flows.len());
        let mut per_attack: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut per_capture: Vec<Vec<(f64, bool)>> = vec![Vec::new(); ex.captures.len()];
        for f in &ex.flows {
            let score = f.score.unwrap_or(f64::NAN);
            let kind = labels.attack_of(&ex.captures[f.capture], f.client, f.server, f.start);
            if let Some(k) = kind {
                let e = per_attack.entry(k.to_string()).or_default();
                e.0 += 1;
                e.1 += usize::from(score > threshold);
            }
            scores.push(score);
            attack.push(kind.is_some());
            per_capture[f.capture].push((score, kind.is_some()));
        }
        let per_capture = ex
            .captures
            .iter()
            .zip(per_capture)
            .map(|(name, mut v)| {
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
                CaptureScores {
                    capture: name.clone(),
                    flows: v.len(),
                    attacks: v.iter().filter(|x| x.1).count(),
                    above: v.iter().filter(|x| x.0 > threshold).count(),
                    median: v.get(v.len() / 2).map_or(f64::NAN, |x| x.0),
                    max: v.last().map_or(f64::NAN, |x| x.0),
                }
            })
            .collect();
        Evaluation {
            model_version: model_version.to_string(),
            algorithm: algorithm.to_string(),
            threshold,
            auc: roc_auc(&scores, &attack),
            curve: roc_curve(&scores, &attack),
            per_attack: per_attack
                .into_iter()
                .map(|(attack, (flows, detected))| AttackRecall {
                    attack,
                    flows,
                    detected,
                })
                .collect(),
            per_capture,
            scores,
            attack,
        }
    }

    /// Attack flows.
    pub fn attacks(&self) -> usize {
        self.attack.iter().filter(|&&a| a).count()
    }

    /// Benign flows.
    pub fn benign(&self) -> usize {
        self.attack.len() - self.attacks()
    }

    /// Best TPR at an FPR of at most `fpr`.
    pub fn tpr_at(&self, fpr: f64) -> f64 {
        tpr_at_fpr(&self.curve, fpr)
    }

    /// `(tpr, fpr)` at the model's own threshold.
    pub fn at_threshold(&self) -> (f64, f64) {
        let count = |want: bool| {
            self.scores
                .iter()
                .zip(&self.attack)
                .filter(|(s, a)| **a == want && **s > self.threshold)
                .count() as f64
        };
        (
            count(true) / self.attacks().max(1) as f64,
            count(false) / self.benign().max(1) as f64,
        )
    }

    /// The metrics as JSON (what `--json` prints).
    pub fn to_json(&self) -> Value {
        let (tpr, fpr) = self.at_threshold();
        json!({
            "model_version": self.model_version,
            "algorithm": self.algorithm,
            "threshold": self.threshold,
            "flows": self.scores.len(),
            "benign_flows": self.benign(),
            "attack_flows": self.attacks(),
            "roc_auc": self.auc,
            "tpr_at_fpr_0.001": self.tpr_at(0.001),
            "tpr_at_fpr_0.01": self.tpr_at(0.01),
            "tpr_at_threshold": tpr,
            "fpr_at_threshold": fpr,
            "per_attack": self.per_attack.iter().map(|a| json!({
                "attack": a.attack,
                "flows": a.flows,
                "detected": a.detected,
                "recall": a.detected as f64 / a.flows.max(1) as f64,
            })).collect::<Vec<_>>(),
            "per_capture": self.per_capture.iter().map(|c| json!({
                "capture": c.capture,
                "flows": c.flows,
                "attack_flows": c.attacks,
                "above_threshold": c.above,
                "median_score": c.median,
                "max_score": c.max,
            })).collect::<Vec<_>>(),
        })
    }

    /// A plain-text summary for the terminal.
    pub fn summary(&self) -> String {
        let (tpr, fpr) = self.at_threshold();
        let auc = self.auc.map_or("n/a".to_string(), |a| format!("{a:.4}"));
        let mut s = format!(
            "model {} ({}), threshold {}\nflows: {} ({} benign, {} attack)\n\
             ROC AUC {auc}; TPR at FPR 0.1%: {:.2}%; at FPR 1%: {:.2}%\n\
             at the threshold: TPR {:.2}%, FPR {:.2}%\n",
            self.model_version,
            self.algorithm,
            self.threshold,
            self.scores.len(),
            self.benign(),
            self.attacks(),
            100.0 * self.tpr_at(0.001),
            100.0 * self.tpr_at(0.01),
            100.0 * tpr,
            100.0 * fpr,
        );
        for a in &self.per_attack {
            s += &format!(
                "  {:<24} {:>6} flows, recall {:.2}%\n",
                a.attack,
                a.flows,
                100.0 * a.detected as f64 / a.flows.max(1) as f64
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::FlowSample;
    use std::net::IpAddr;

    fn flow(capture: usize, client: &str, start: f64, score: f64) -> FlowSample {
        FlowSample {
            capture,
            client: client.parse::<IpAddr>().unwrap(),
            server: "198.18.0.1".parse().unwrap(),
            start,
            features: [0.0; portcullis_models::NUM_FEATURES],
            score: Some(score),
        }
    }

    #[test]
    fn metrics_per_attack_and_capture() {
        let ex = Extracted {
            captures: vec!["a.pcap".into(), "b.pcap".into()],
            packets: 0,
            flows: vec![
                flow(0, "10.0.0.1", 5.0, 0.8),
                flow(0, "10.0.0.2", 5.0, 0.6),
                flow(0, "10.0.0.1", 50.0, 0.4),
                flow(1, "10.0.0.3", 5.0, 0.2),
            ],
        };
        let labels = Labels::parse(
            "capture,src_ip,start_epoch,end_epoch,attack\na.pcap,10.0.0.1,0,10,scan\n\
             a.pcap,*,40,60,flood\n",
        )
        .unwrap();
        let e = Evaluation::new(&ex, &labels, "v", "kmeans", 0.5);
        assert_eq!(e.attack, vec![true, false, true, false]);
        assert_eq!(e.auc, Some(0.75));
        assert_eq!(e.tpr_at(0.01), 0.5);
        assert_eq!(e.at_threshold(), (0.5, 0.5));
        assert_eq!(
            e.per_attack,
            vec![
                AttackRecall {
                    attack: "flood".into(),
                    flows: 1,
                    detected: 0
                },
                AttackRecall {
                    attack: "scan".into(),
                    flows: 1,
                    detected: 1
                },
            ]
        );
        assert_eq!(
            e.per_capture[0],
            CaptureScores {
                capture: "a.pcap".into(),
                flows: 3,
                attacks: 2,
                above: 2,
                median: 0.6,
                max: 0.8,
            }
        );
        let j = e.to_json();
        assert_eq!(j["roc_auc"], 0.75);
        assert_eq!(j["per_attack"][1]["recall"], 1.0);
        assert_eq!(j["per_capture"][1]["flows"], 1);
    }
}
