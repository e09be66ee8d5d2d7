//! Detection metrics: threshold calibration, ROC AUC, TPR at a fixed FPR, per-class recall.

/// The threshold for a target false-positive rate: the smallest training score such that at
/// most `fpr` of the benign `scores` lie strictly above it (the `1 - fpr` empirical quantile,
/// by the nearest-rank method). `None` without scores.
pub fn calibrate_threshold(scores: &[f64], fpr: f64) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let mut s = scores.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let rank = ((1.0 - fpr.clamp(0.0, 1.0)) * n as f64).ceil() as usize;
    Some(s[rank.clamp(1, n) - 1])
}

/// Area under the ROC curve: the probability that a random attack scores above a random
/// benign flow, ties counting one half (Mann-Whitney U). `None` unless both classes occur.
pub fn roc_auc(scores: &[f64], attack: &[bool]) -> Option<f64> {
    let pos = attack.iter().filter(|&&a| a).count();
    let neg = attack.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the attacks' (average, 1-based) ranks.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += avg * idx[i..=j].iter().filter(|&&k| attack[k]).count() as f64;
        i = j + 1;
    }
    let (p, n) = (pos as f64, neg as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// ROC points `(fpr, tpr)` from the strictest threshold to the loosest, starting at (0, 0):
/// one point per distinct score.
pub fn roc_curve(scores: &[f64], attack: &[bool]) -> Vec<(f64, f64)> {
    let pos = attack.iter().filter(|&&a| a).count().max(1) as f64;
    let neg = attack.iter().filter(|&&a| !a).count().max(1) as f64;
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut out = vec![(0.0, 0.0)];
    let (mut tp, mut fp) = (0.0, 0.0);
    for (k, &i) in idx.iter().enumerate() {
        if attack[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last_of_tie = idx.get(k + 1).map_or(true, |&j| scores[j] != scores[i]);
        if last_of_tie {
            out.push((fp / neg, tp / pos));
        }
    }
    out
}

/// The best true-positive rate at a false-positive rate of at most `max_fpr`.
pub fn tpr_at_fpr(curve: &[(f64, f64)], max_fpr: f64) -> f64 {
    curve
        .iter()
        .filter(|(f, _)| *f <= max_fpr + 1e-12)
        .map(|&(_, t)| t)
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_the_nearest_rank_quantile() {
        let scores: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(calibrate_threshold(&scores, 0.01), Some(99.0));
        assert_eq!(calibrate_threshold(&scores, 0.1), Some(90.0));
        assert_eq!(calibrate_threshold(&scores, 0.0), Some(100.0));
        assert_eq!(calibrate_threshold(&scores, 0.005), Some(100.0));
        assert_eq!(calibrate_threshold(&scores, 1.0), Some(1.0));
        assert_eq!(calibrate_threshold(&[], 0.01), None);
        // At most 1% of the training scores exceed it.
        let t = calibrate_threshold(&scores, 0.01).unwrap();
        assert_eq!(scores.iter().filter(|&&s| s > t).count(), 1);
    }

    #[test]
    fn auc_of_known_toy_sets() {
        // Attacks 0.8 and 0.4, benign 0.6 and 0.2: 3 of 4 pairs ordered → 0.75.
        let s = [0.8, 0.6, 0.4, 0.2];
        let y = [true, false, true, false];
        assert_eq!(roc_auc(&s, &y), Some(0.75));
        assert_eq!(roc_auc(&[2.0, 1.0], &[true, false]), Some(1.0));
        assert_eq!(roc_auc(&[1.0, 2.0], &[true, false]), Some(0.0));
        // Ties count half.
        assert_eq!(roc_auc(&[1.0, 1.0], &[true, false]), Some(0.5));
        assert_eq!(roc_auc(&[1.0], &[true]), None);
    }

    #[test]
    fn roc_curve_and_tpr_at_fpr() {
        let s = [0.8, 0.6, 0.4, 0.2];
        let y = [true, false, true, false];
        let c = roc_curve(&s, &y);
        assert_eq!(
            c,
            vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]
        );
        assert_eq!(tpr_at_fpr(&c, 0.0), 0.5);
        assert_eq!(tpr_at_fpr(&c, 0.01), 0.5);
        assert_eq!(tpr_at_fpr(&c, 0.5), 1.0);
        // Ties produce one point.
        let c = roc_curve(&[1.0, 1.0, 0.0], &[true, false, false]);
        assert_eq!(c, vec![(0.0, 0.0), (0.5, 1.0), (1.0, 1.0)]);
    }
}
