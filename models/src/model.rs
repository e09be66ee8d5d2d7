//! The model file (JSON) and scoring.
//!
//! A model file carries everything needed to score a flow and to check that it fits this build:
//! format and version, the feature schema's version, hash and names, the standard scaler, the
//! algorithm's parameters, the calibrated threshold and date-free training metadata. Loading
//! validates all of it (every number finite, every shape consistent, covariances positive
//! definite) and refuses anything else with a message saying why.
//!
//! Scoring is plain `f64` arithmetic on precomputed arrays (no linear-algebra library at run
//! time): transform, scale, then the algorithm's anomaly score (higher = more anomalous).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::schema::{
    feature_names, schema_hash, transform, FeatureVector, FEATURES, NUM_FEATURES, SCHEMA_VERSION,
};

/// The `format` tag of a model file.
pub const FORMAT: &str = "portcullis-model";
/// The model file format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The model file, as serialized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// [`SCHEMA_VERSION`] the features were extracted with.
    pub schema_version: u32,
    /// [`schema_hash`] the features were extracted with.
    pub schema_hash: String,
    /// Feature names in vector order (must equal the schema's).
    pub features: Vec<String>,
    /// Identifies these weights in alerts (derived from the content by the trainer).
    pub model_version: String,
    /// Standard scaler applied after the schema's transforms.
    pub scaler: Scaler,
    /// The algorithm and its fitted parameters.
    pub algorithm: Algorithm,
    /// Scores above this are anomalies.
    pub threshold: f64,
    /// How the model was trained.
    pub training: TrainingMeta,
}

/// Per-feature standardization: `z = (x - mean) / std`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scaler {
    /// Means of the transformed training features.
    pub mean: Vec<f64>,
    /// Standard deviations (features constant in training get 1).
    pub std: Vec<f64>,
}

/// A fitted algorithm, in the scaled feature space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "lowercase", deny_unknown_fields)]
pub enum Algorithm {
    /// Gaussian mixture (full covariances); score = negative log-likelihood.
    Gmm {
        /// Mixture weights (positive, summing to 1).
        weights: Vec<f64>,
        /// Component means.
        means: Vec<Vec<f64>>,
        /// Component covariance matrices, row-major rows.
        covariances: Vec<Vec<Vec<f64>>>,
    },
    /// k-means; score = Euclidean distance to the nearest centroid.
    Kmeans {
        /// Centroids.
        centroids: Vec<Vec<f64>>,
    },
    /// One-class SVM with a Gaussian kernel `exp(-|a-b|² / eps)`; score = `rho - Σ αᵢ k(svᵢ, x)`.
    Ocsvm {
        /// Kernel width.
        eps: f64,
        /// Offset of the decision function.
        rho: f64,
        /// Support vectors.
        support_vectors: Vec<Vec<f64>>,
        /// Their coefficients.
        alphas: Vec<f64>,
    },
}

impl Algorithm {
    /// Short name (`gmm`, `kmeans`, `ocsvm`).
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::Gmm { .. } => "gmm",
            Algorithm::Kmeans { .. } => "kmeans",
            Algorithm::Ocsvm { .. } => "ocsvm",
        }
    }
}

/// Date-free training metadata, so the same inputs and seed give the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingMeta {
    /// Random seed.
    pub seed: u64,
    /// False-positive rate the threshold was calibrated for.
    pub target_fpr: f64,
    /// Capture file names, in the order read.
    pub inputs: Vec<String>,
    /// Label file name, when labels were given.
    pub labels: Option<String>,
    /// Packets read.
    pub packets: u64,
    /// Flows extracted.
    pub flows_total: u64,
    /// Flows labelled benign (all flows without labels).
    pub flows_benign: u64,
    /// Flows the algorithm was fitted on (a subsample for the SVM).
    pub flows_fitted: u64,
    /// Algorithm hyper-parameters (components, iterations, nu, ...).
    pub params: BTreeMap<String, f64>,
}

/// Why a model was refused.
#[derive(Debug)]
pub enum ModelError {
    /// The file could not be read.
    Io(String),
    /// The file is not valid JSON for a model (including truncation).
    Parse(String),
    /// The file parsed but does not fit this build or is inconsistent.
    Invalid(String),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Io(m) => write!(f, "cannot read model: {m}"),
            ModelError::Parse(m) => write!(f, "model is not a valid model file: {m}"),
            ModelError::Invalid(m) => write!(f, "model refused: {m}"),
        }
    }
}

impl std::error::Error for ModelError {}

fn invalid(msg: impl Into<String>) -> ModelError {
    ModelError::Invalid(msg.into())
}

/// One feature's share in a detection, for the alert's `top_features`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopFeature {
    /// Feature name.
    pub name: &'static str,
    /// Raw value (before transform and scaling).
    pub value: f64,
    /// Standardized value: how many training standard deviations from the mean.
    pub z: f64,
}

/// A validated model, ready to score.
#[derive(Debug, Clone)]
pub struct Model {
    file: ModelFile,
    version: Arc<str>,
    mean: FeatureVector,
    inv_std: FeatureVector,
    scorer: Scorer,
}

#[derive(Debug, Clone)]
enum Scorer {
    Gmm(Vec<GmmComponent>),
    /// Centroids, flattened.
    Kmeans(Vec<f64>),
    Ocsvm {
        inv_eps: f64,
        rho: f64,
        /// Support vectors, flattened.
        sv: Vec<f64>,
        alphas: Vec<f64>,
    },
}

#[derive(Debug, Clone)]
struct GmmComponent {
    mean: Vec<f64>,
    /// Inverse of the covariance's Cholesky factor in row blocks (see [`whitened_norm`]), in
    /// single precision: four components' factors (27 KiB) then stay in the L1 cache, where in
    /// double precision they spill to L2 and loads bound the scoring. Products are summed in
    /// single precision within a row (at most 56 terms) and the rows in double: scores keep
    /// about six significant digits, far finer than any threshold.
    l_inv: Vec<f32>,
    /// `ln w - d/2 ln 2π - ln det L`.
    log_norm: f64,
}

impl Model {
    /// Reads and validates a model file.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ModelError::Io(format!("{}: {e}", path.display())))?;
        Model::from_json(&text)
    }

    /// Parses and validates a model file's text.
    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        let file: ModelFile =
            serde_json::from_str(text).map_err(|e| ModelError::Parse(e.to_string()))?;
        Model::new(file)
    }

    /// Validates a model and precomputes what scoring needs.
    pub fn new(file: ModelFile) -> Result<Model, ModelError> {
        if file.format != FORMAT {
            return Err(invalid(format!(
                "format is {:?}, not {FORMAT:?}",
                file.format
            )));
        }
        if file.format_version != FORMAT_VERSION {
            return Err(invalid(format!(
                "format version {} is not supported (this build reads {FORMAT_VERSION})",
                file.format_version
            )));
        }
        let hash = schema_hash();
        if file.schema_version != SCHEMA_VERSION || file.schema_hash != hash {
            return Err(invalid(format!(
                "feature schema v{} {} does not match this build's v{SCHEMA_VERSION} {hash}: \
                 retrain the model",
                file.schema_version, file.schema_hash
            )));
        }
        if file.features != feature_names() {
            return Err(invalid("feature names differ from this build's schema"));
        }
        if file.model_version.is_empty() {
            return Err(invalid("empty model_version"));
        }
        let mean = vector(&file.scaler.mean, "scaler.mean")?;
        let std = vector(&file.scaler.std, "scaler.std")?;
        if std.iter().any(|&s| s <= 0.0) {
            return Err(invalid("scaler.std has a non-positive entry"));
        }
        finite(&[file.threshold], "threshold")?;
        let t = &file.training;
        finite(&[t.target_fpr], "training.target_fpr")?;
        finite(
            &t.params.values().copied().collect::<Vec<_>>(),
            "training.params",
        )?;
        let scorer = compile(&file.algorithm)?;
        Ok(Model {
            version: Arc::from(file.model_version.as_str()),
            mean,
            inv_std: std.map(|s| 1.0 / s),
            scorer,
            file,
        })
    }

    /// The model as written to disk.
    pub fn file(&self) -> &ModelFile {
        &self.file
    }

    /// Pretty JSON of the model file (what the trainer writes).
    pub fn to_json(&self) -> String {
        to_json(&self.file)
    }

    /// The model version alerts name.
    pub fn version(&self) -> &Arc<str> {
        &self.version
    }

    /// The calibrated threshold: scores above it are anomalies.
    pub fn threshold(&self) -> f64 {
        self.file.threshold
    }

    /// Transforms and standardizes a raw feature vector.
    #[inline]
    pub fn standardize(&self, raw: &FeatureVector) -> FeatureVector {
        let mut z = transform(raw);
        for ((zi, m), s) in z.iter_mut().zip(&self.mean).zip(&self.inv_std) {
            *zi = (*zi - m) * s;
        }
        z
    }

    /// The anomaly score of a raw feature vector (higher = more anomalous).
    #[inline]
    pub fn score(&self, raw: &FeatureVector) -> f64 {
        self.score_standardized(&self.standardize(raw))
    }

    /// The anomaly score of an already standardized vector.
    pub fn score_standardized(&self, z: &FeatureVector) -> f64 {
        match &self.scorer {
            Scorer::Gmm(comps) => gmm_nll(comps, z),
            Scorer::Kmeans(c) => c
                .chunks_exact(NUM_FEATURES)
                .map(|c| sq_dist(c, z))
                .fold(f64::INFINITY, f64::min)
                .sqrt(),
            Scorer::Ocsvm {
                inv_eps,
                rho,
                sv,
                alphas,
            } => {
                let k: f64 = sv
                    .chunks_exact(NUM_FEATURES)
                    .zip(alphas)
                    .map(|(s, a)| a * (-sq_dist(s, z) * inv_eps).exp())
                    .sum();
                rho - k
            }
        }
    }

    /// The `k` features farthest from the training mean (largest |z|), largest first; ties
    /// keep schema order.
    pub fn top_features(&self, raw: &FeatureVector, k: usize) -> Vec<TopFeature> {
        let z = self.standardize(raw);
        let mut order: Vec<usize> = (0..NUM_FEATURES).collect();
        order.sort_by(|&a, &b| z[b].abs().total_cmp(&z[a].abs()).then(a.cmp(&b)));
        order
            .into_iter()
            .take(k)
            .map(|i| TopFeature {
                name: FEATURES[i].name,
                value: raw[i],
                z: z[i],
            })
            .collect()
    }
}

/// Serializes a model file as the trainer writes it (pretty JSON, trailing newline).
pub fn to_json(file: &ModelFile) -> String {
    let mut s = serde_json::to_string_pretty(file).unwrap_or_default();
    s.push('\n');
    s
}

fn finite(xs: &[f64], what: &str) -> Result<(), ModelError> {
    match xs.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(invalid(format!("{what}[{i}] is not a finite number"))),
        None => Ok(()),
    }
}

fn vector(xs: &[f64], what: &str) -> Result<FeatureVector, ModelError> {
    finite(xs, what)?;
    xs.try_into().map_err(|_| {
        invalid(format!(
            "{what} has {} entries, not {NUM_FEATURES}",
            xs.len()
        ))
    })
}

fn rows(m: &[Vec<f64>], what: &str) -> Result<Vec<f64>, ModelError> {
    if m.is_empty() {
        return Err(invalid(format!("{what} is empty")));
    }
    let mut flat = Vec::with_capacity(m.len() * NUM_FEATURES);
    for (i, r) in m.iter().enumerate() {
        flat.extend_from_slice(&vector(r, &format!("{what}[{i}]"))?);
    }
    Ok(flat)
}

fn compile(algo: &Algorithm) -> Result<Scorer, ModelError> {
    match algo {
        Algorithm::Kmeans { centroids } => Ok(Scorer::Kmeans(rows(centroids, "centroids")?)),
        Algorithm::Ocsvm {
            eps,
            rho,
            support_vectors,
            alphas,
        } => {
            finite(&[*eps, *rho], "ocsvm eps/rho")?;
            finite(alphas, "alphas")?;
            if *eps <= 0.0 {
                return Err(invalid("ocsvm eps must be positive"));
            }
            if alphas.len() != support_vectors.len() {
                return Err(invalid(
                    "ocsvm has a different number of alphas and vectors",
                ));
            }
            Ok(Scorer::Ocsvm {
                inv_eps: 1.0 / eps,
                rho: *rho,
                sv: rows(support_vectors, "support_vectors")?,
                alphas: alphas.clone(),
            })
        }
        Algorithm::Gmm {
            weights,
            means,
            covariances,
        } => {
            finite(weights, "weights")?;
            let k = weights.len();
            if k == 0 || means.len() != k || covariances.len() != k {
                return Err(invalid(
                    "gmm needs as many means and covariances as weights",
                ));
            }
            if weights.iter().any(|&w| w <= 0.0) || (weights.iter().sum::<f64>() - 1.0).abs() > 1e-6
            {
                return Err(invalid("gmm weights must be positive and sum to 1"));
            }
            let half_log_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
            let mut comps = Vec::with_capacity(k);
            for (c, ((w, m), cov)) in weights.iter().zip(means).zip(covariances).enumerate() {
                let mean = vector(m, &format!("means[{c}]"))?.to_vec();
                let flat = rows(cov, &format!("covariances[{c}]"))?;
                if cov.len() != NUM_FEATURES {
                    return Err(invalid(format!("covariances[{c}] is not square")));
                }
                let l = cholesky(&flat, NUM_FEATURES)
                    .ok_or_else(|| invalid(format!("covariances[{c}] is not positive definite")))?;
                let log_det_l: f64 = (0..NUM_FEATURES)
                    .map(|i| l[i * NUM_FEATURES + i].ln())
                    .sum();
                comps.push(GmmComponent {
                    mean,
                    l_inv: lower_inverse_blocked(&l, NUM_FEATURES),
                    log_norm: w.ln() - NUM_FEATURES as f64 * half_log_2pi - log_det_l,
                });
            }
            Ok(Scorer::Gmm(comps))
        }
    }
}

/// Squared Euclidean distance, with four accumulators so the loop pipelines (a single running
/// sum serializes on the addition's latency).
#[inline]
fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += (x[k] - y[k]) * (x[k] - y[k]);
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Rows of `L⁻¹` computed together: each block of `diff` is loaded once for all of them.
const ROW_BLOCK: usize = 4;
/// [`NUM_FEATURES`] rounded up to whole [`ROW_BLOCK`]s: the padded side of `L⁻¹` and `diff`.
const LANES_PADDED: usize = NUM_FEATURES.div_ceil(ROW_BLOCK) * ROW_BLOCK;

/// `Σ_i (L⁻¹ d)_i²` for `L⁻¹` as stored in [`GmmComponent::l_inv`]. Row block `b` holds rows
/// `4b..4b+4` over columns `0..4b+4` (its last row's diagonal), row after row.
#[inline]
fn whitened_norm(l_inv: &[f32], diff: &[f32; LANES_PADDED]) -> f64 {
    let mut maha = 0.0;
    let mut start = 0;
    for b in 0..LANES_PADDED / ROW_BLOCK {
        let width = (b + 1) * ROW_BLOCK;
        let rows = &l_inv[start..start + ROW_BLOCK * width];
        start += ROW_BLOCK * width;
        let mut acc = [[0.0f32; ROW_BLOCK]; ROW_BLOCK];
        for (c, d) in diff[..width].chunks_exact(ROW_BLOCK).enumerate() {
            for (r, acc_r) in acc.iter_mut().enumerate() {
                let at = r * width + c * ROW_BLOCK;
                let row = &rows[at..at + ROW_BLOCK];
                for k in 0..ROW_BLOCK {
                    acc_r[k] += row[k] * d[k];
                }
            }
        }
        for acc_r in &acc {
            let y = f64::from(acc_r.iter().sum::<f32>());
            maha += y * y;
        }
    }
    maha
}

/// `-ln Σ_k exp(log_norm_k - ½ |L_k⁻¹ (x - μ_k)|²)`, with a streaming log-sum-exp.
fn gmm_nll(comps: &[GmmComponent], z: &FeatureVector) -> f64 {
    let mut diff = [0.0f32; LANES_PADDED];
    let (mut best, mut sum) = (f64::NEG_INFINITY, 0.0);
    for comp in comps {
        for ((d, x), m) in diff.iter_mut().zip(z).zip(&comp.mean) {
            *d = (x - m) as f32;
        }
        let lp = comp.log_norm - 0.5 * whitened_norm(&comp.l_inv, &diff);
        if lp > best {
            sum = sum * (best - lp).exp() + 1.0;
            best = lp;
        } else {
            sum += (lp - best).exp();
        }
    }
    -(best + sum.ln())
}

/// Cholesky factor `L` (row-major, lower) of a symmetric positive definite `n×n` matrix.
pub fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = a[i * n + i] - s;
                if d.is_nan() || d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i * n + j] = d.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// The inverse of a lower-triangular `n×n` matrix, zero-padded to [`LANES_PADDED`] square and
/// laid out in the row blocks [`whitened_norm`] reads.
fn lower_inverse_blocked(l: &[f64], n: usize) -> Vec<f32> {
    let mut inv = vec![0.0; n * n];
    for j in 0..n {
        inv[j * n + j] = 1.0 / l[j * n + j];
        for i in j + 1..n {
            let s: f64 = (j..i).map(|k| l[i * n + k] * inv[k * n + j]).sum();
            inv[i * n + j] = -s / l[i * n + i];
        }
    }
    let at = |i: usize, j: usize| {
        if i < n && j < n {
            inv[i * n + j] as f32
        } else {
            0.0
        }
    };
    let mut blocked = Vec::new();
    for b in 0..LANES_PADDED / ROW_BLOCK {
        let width = (b + 1) * ROW_BLOCK;
        for i in b * ROW_BLOCK..width {
            blocked.extend((0..width).map(|j| at(i, j)));
        }
    }
    blocked
}

#[cfg(test)]
mod tests;
