//! `fit`: benign flows → standard scaler → linfa model → calibrated threshold → model file.

use std::collections::BTreeMap;

use linfa::dataset::Pr;
use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa_clustering::{GaussianMixtureModel, KMeans, KMeansInit};
use linfa_svm::Svm;
use ndarray::{Array1, Array2};
use portcullis_models::model::{to_json, FORMAT, FORMAT_VERSION};
use portcullis_models::schema::{feature_names, fnv1a64, transform};
use portcullis_models::{
    schema_hash, Algorithm, Model, ModelFile, Scaler, TrainingMeta, NUM_FEATURES, SCHEMA_VERSION,
};
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256Plus;

use crate::extract::Extracted;
use crate::labels::Labels;
use crate::metrics::calibrate_threshold;

/// The learning algorithms `--algo` chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Algo {
    /// Gaussian mixture, scored by negative log-likelihood.
    Gmm,
    /// k-means, scored by distance to the nearest centroid.
    Kmeans,
    /// One-class SVM (Gaussian kernel) on a bounded subsample.
    Ocsvm,
}

/// Gaussian mixture components at most.
pub const GMM_COMPONENTS: usize = 4;
/// Benign flows per mixture component: a full-covariance component has about 1,500 parameters
/// over 53 features, so small training sets get fewer components (at least one).
pub const GMM_FLOWS_PER_COMPONENT: usize = 1_000;
/// Covariance regularization of the mixture, in squared standard deviations: keeps features
/// that were (nearly) constant in training from making any deviation almost impossible, which
/// on small or narrow training sets flags every unseen benign variation.
pub const GMM_REG_COVARIANCE: f64 = 1e-1;
/// k-means clusters.
pub const KMEANS_CLUSTERS: usize = 8;
/// ν of the one-class SVM (an upper bound on the share of training outliers).
pub const OCSVM_NU: f64 = 0.05;
/// Flows the one-class SVM is fitted on at most (its kernel matrix grows with the square).
pub const OCSVM_MAX_FLOWS: usize = 5_000;
/// Flows the mixture and k-means are fitted on at most (threshold calibration uses all).
pub const MAX_FIT_FLOWS: usize = 200_000;
/// Iteration cap of the EM and Lloyd loops.
const MAX_ITERATIONS: u64 = 200;

/// What `fit` needs besides the flows.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Algorithm.
    pub algo: Algo,
    /// Target false-positive rate of the threshold on benign training flows.
    pub target_fpr: f64,
    /// Seed of every random choice (subsampling, initialization).
    pub seed: u64,
    /// Label file name, for the metadata.
    pub labels_name: Option<String>,
}

/// Fits a model on the benign flows of `ex` (all flows without labels).
pub fn fit(ex: &Extracted, labels: Option<&Labels>, opts: &FitOptions) -> Result<Model, String> {
    if !(opts.target_fpr > 0.0 && opts.target_fpr < 1.0) {
        return Err(format!(
            "--target-fpr {} must be between 0 and 1",
            opts.target_fpr
        ));
    }
    let raw: Vec<&[f64; NUM_FEATURES]> = ex
        .flows
        .iter()
        .filter(|f| {
            labels.map_or(true, |l| {
                l.attack_of(&ex.captures[f.capture], f.client, f.server, f.start)
                    .is_none()
            })
        })
        .map(|f| &f.features)
        .collect();
    let benign: Vec<[f64; NUM_FEATURES]> = raw.iter().map(|f| transform(f)).collect();
    if benign.len() < 2 {
        return Err(format!(
            "{} benign flows: at least 2 are needed to fit a model",
            benign.len()
        ));
    }
    let scaler = fit_scaler(&benign);
    let z: Vec<[f64; NUM_FEATURES]> = benign.iter().map(|x| scale(&scaler, x)).collect();
    let mut rng = Xoshiro256Plus::seed_from_u64(opts.seed);
    let cap = match opts.algo {
        Algo::Ocsvm => OCSVM_MAX_FLOWS,
        Algo::Gmm | Algo::Kmeans => MAX_FIT_FLOWS,
    };
    let sample = subsample(z.len(), cap, &mut rng);
    let records = Array2::from_shape_fn((sample.len(), NUM_FEATURES), |(i, j)| z[sample[i]][j]);
    let (algorithm, params) = fit_algorithm(opts.algo, records, opts.seed)?;

    let mut file = ModelFile {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        schema_version: SCHEMA_VERSION,
        schema_hash: schema_hash(),
        features: feature_names(),
        model_version: "unversioned".into(),
        scaler,
        algorithm,
        threshold: 0.0,
        training: TrainingMeta {
            seed: opts.seed,
            target_fpr: opts.target_fpr,
            inputs: ex.captures.clone(),
            labels: opts.labels_name.clone(),
            packets: ex.packets,
            flows_total: ex.flows.len() as u64,
            flows_benign: benign.len() as u64,
            flows_fitted: sample.len() as u64,
            params,
        },
    };
    let provisional = Model::new(file.clone()).map_err(|e| format!("fitted {e}"))?;
    // Calibrate on exactly the scoring path the data plane runs (raw features in).
    let scores: Vec<f64> = raw.iter().map(|f| provisional.score(f)).collect();
    file.threshold = calibrate_threshold(&scores, opts.target_fpr)
        .ok_or("no benign scores to calibrate the threshold")?;
    file.model_version = String::new();
    let digest = fnv1a64(to_json(&file).as_bytes());
    file.model_version = format!("{}-{:016x}", opts.algo.name(), digest);
    Model::new(file).map_err(|e| format!("fitted {e}"))
}

impl Algo {
    /// The name used in model files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Algo::Gmm => "gmm",
            Algo::Kmeans => "kmeans",
            Algo::Ocsvm => "ocsvm",
        }
    }
}

/// Mean and population standard deviation per feature; constant features get σ = 1.
pub fn fit_scaler(xs: &[[f64; NUM_FEATURES]]) -> Scaler {
    let n = xs.len().max(1) as f64;
    let mut mean = vec![0.0; NUM_FEATURES];
    for x in xs {
        for (m, v) in mean.iter_mut().zip(x) {
            *m += v / n;
        }
    }
    let mut var = vec![0.0; NUM_FEATURES];
    for x in xs {
        for ((s, v), m) in var.iter_mut().zip(x).zip(&mean) {
            *s += (v - m) * (v - m) / n;
        }
    }
    let std = var
        .into_iter()
        .map(|v| if v.sqrt() > 1e-9 { v.sqrt() } else { 1.0 })
        .collect();
    Scaler { mean, std }
}

fn scale(s: &Scaler, x: &[f64; NUM_FEATURES]) -> [f64; NUM_FEATURES] {
    let mut z = [0.0; NUM_FEATURES];
    for (i, zi) in z.iter_mut().enumerate() {
        *zi = (x[i] - s.mean[i]) / s.std[i];
    }
    z
}

/// `min(n, cap)` distinct indices out of `0..n`, chosen by a seeded partial Fisher-Yates
/// shuffle and returned sorted (all of them, in order, when `n <= cap`).
pub fn subsample(n: usize, cap: usize, rng: &mut Xoshiro256Plus) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    if n <= cap {
        return idx;
    }
    for i in 0..cap {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        idx.swap(i, j);
    }
    idx.truncate(cap);
    idx.sort_unstable();
    idx
}

fn fit_algorithm(
    algo: Algo,
    records: Array2<f64>,
    seed: u64,
) -> Result<(Algorithm, BTreeMap<String, f64>), String> {
    let n = records.nrows();
    let rng = Xoshiro256Plus::seed_from_u64(seed);
    let rows = |a: &Array2<f64>| a.outer_iter().map(|r| r.to_vec()).collect::<Vec<_>>();
    match algo {
        Algo::Gmm => {
            let k = (n / GMM_FLOWS_PER_COMPONENT).clamp(1, GMM_COMPONENTS);
            let gmm = GaussianMixtureModel::params_with_rng(k, rng)
                .n_runs(1)
                .tolerance(1e-4)
                .reg_covariance(GMM_REG_COVARIANCE)
                .max_n_iterations(MAX_ITERATIONS)
                .fit(&DatasetBase::from(records))
                .map_err(|e| format!("gaussian mixture: {e}"))?;
            let covariances = gmm
                .covariances()
                .outer_iter()
                .map(|c| rows(&c.to_owned()))
                .collect();
            let params = BTreeMap::from([
                ("components".into(), k as f64),
                ("reg_covariance".into(), GMM_REG_COVARIANCE),
            ]);
            Ok((
                Algorithm::Gmm {
                    weights: gmm.weights().to_vec(),
                    means: rows(gmm.means()),
                    covariances,
                },
                params,
            ))
        }
        Algo::Kmeans => {
            let k = KMEANS_CLUSTERS.min(n);
            let model = KMeans::params_with_rng(k, rng)
                .init_method(KMeansInit::KMeansPlusPlus)
                .n_runs(3)
                .tolerance(1e-6)
                .max_n_iterations(MAX_ITERATIONS)
                .fit(&DatasetBase::from(records))
                .map_err(|e| format!("k-means: {e}"))?;
            let params = BTreeMap::from([("clusters".into(), k as f64)]);
            Ok((
                Algorithm::Kmeans {
                    centroids: rows(model.centroids()),
                },
                params,
            ))
        }
        Algo::Ocsvm => {
            // Kernel width = number of features: sklearn's gamma = "scale" on standardized data.
            let eps = NUM_FEATURES as f64;
            let dataset = DatasetBase::new(records, Array1::from_elem(n, ()));
            let svm = Svm::<f64, Pr>::params()
                .nu_weight(OCSVM_NU)
                .gaussian_kernel(eps)
                .fit(&dataset)
                .map_err(|e| format!("one-class SVM: {e}"))?;
            // linfa keeps the vectors whose coefficient exceeds 100 ε, in record order.
            let keep: Vec<usize> = svm
                .alpha
                .iter()
                .enumerate()
                .filter(|(_, a)| a.abs() > 100.0 * f64::EPSILON)
                .map(|(i, _)| i)
                .collect();
            let support_vectors = keep
                .iter()
                .map(|&i| dataset.records.row(i).to_vec())
                .collect();
            let alphas = keep.iter().map(|&i| svm.alpha[i]).collect();
            let params = BTreeMap::from([("nu".into(), OCSVM_NU), ("eps".into(), eps)]);
            Ok((
                Algorithm::Ocsvm {
                    eps,
                    rho: svm.rho,
                    support_vectors,
                    alphas,
                },
                params,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaler_known_values() {
        let mut a = [0.0; NUM_FEATURES];
        let mut b = [0.0; NUM_FEATURES];
        a[0] = 1.0;
        b[0] = 3.0;
        a[1] = 5.0;
        b[1] = 5.0;
        let s = fit_scaler(&[a, b]);
        assert_eq!((s.mean[0], s.std[0]), (2.0, 1.0));
        // Constant features get σ = 1 so they scale to 0 without dividing by zero.
        assert_eq!((s.mean[1], s.std[1]), (5.0, 1.0));
        assert_eq!(scale(&s, &b)[0], 1.0);
    }

    #[test]
    fn subsample_is_seeded_and_bounded() {
        let mut r1 = Xoshiro256Plus::seed_from_u64(1);
        let mut r2 = Xoshiro256Plus::seed_from_u64(1);
        let a = subsample(1000, 10, &mut r1);
        assert_eq!(a, subsample(1000, 10, &mut r2));
        assert_eq!(a.len(), 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]) && a[9] < 1000);
        assert_eq!(subsample(3, 10, &mut r1), vec![0, 1, 2]);
    }
}
