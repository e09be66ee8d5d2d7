use super::*;
use crate::schema::idx;

const D: usize = NUM_FEATURES;

fn unit(i: usize, x: f64) -> Vec<f64> {
    let mut v = vec![0.0; D];
    v[i] = x;
    v
}

fn identity(scale: f64) -> Vec<Vec<f64>> {
    (0..D).map(|i| unit(i, scale)).collect()
}

fn file(algorithm: Algorithm) -> ModelFile {
    ModelFile {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        schema_version: SCHEMA_VERSION,
        schema_hash: schema_hash(),
        features: feature_names(),
        model_version: "test-1".into(),
        scaler: Scaler {
            mean: vec![0.0; D],
            std: vec![1.0; D],
        },
        algorithm,
        threshold: 2.5,
        training: TrainingMeta {
            seed: 7,
            target_fpr: 0.01,
            inputs: vec!["a.pcap".into()],
            labels: None,
            packets: 10,
            flows_total: 3,
            flows_benign: 3,
            flows_fitted: 3,
            params: BTreeMap::from([("k".to_string(), 2.0)]),
        },
    }
}

fn kmeans() -> ModelFile {
    file(Algorithm::Kmeans {
        centroids: vec![vec![0.0; D], unit(idx::ENTROPY[0], 4.0)],
    })
}

fn z_with(i: usize, x: f64) -> FeatureVector {
    let mut z = [0.0; D];
    z[i] = x;
    z
}

#[test]
fn round_trip_keeps_every_field() {
    // Floats that need all 17 digits: the round trip must be exact, or a flow scored with the
    // loaded model could land a rounding error above the calibrated threshold.
    let mut f = kmeans();
    let awkward = [
        1.0 / 3.0,
        0.1 + 0.2,
        3.3e-300,
        12345.678901234567,
        -2.0f64.sqrt(),
    ];
    f.scaler.mean[..5].copy_from_slice(&awkward);
    f.threshold = 0.1 + 0.7;
    let m = Model::new(f).unwrap();
    let text = m.to_json();
    let back = Model::from_json(&text).unwrap();
    assert_eq!(back.file(), m.file());
    assert_eq!(back.to_json(), text);
    assert_eq!(&**back.version(), "test-1");
    assert_eq!(back.threshold(), 0.1 + 0.7);
    assert!(text.contains("\"name\": \"kmeans\""));
}

fn refused(text: &str) -> String {
    match Model::from_json(text) {
        Ok(_) => panic!("accepted a bad model"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn refuses_wrong_schema_hash() {
    let mut f = kmeans();
    f.schema_hash = "fnv1a64:0000000000000000".into();
    let err = refused(&to_json(&f));
    assert!(err.starts_with("model refused: feature schema v1 fnv1a64:0000000000000000"));
    assert!(err.ends_with("retrain the model"), "{err}");
}

#[test]
fn refuses_non_finite_numbers() {
    let text = to_json(&kmeans());
    let nan = text.replacen("\"threshold\": 2.5", "\"threshold\": NaN", 1);
    assert!(refused(&nan).starts_with("model is not a valid model file: expected value"));
    let null = text.replacen("\"threshold\": 2.5", "\"threshold\": null", 1);
    assert!(refused(&null).contains("invalid type: null"));
    let huge = text.replacen("\"threshold\": 2.5", "\"threshold\": 1e999", 1);
    assert!(refused(&huge).contains("number out of range"));
    // Built in memory (serde_json would write NaN as null): still refused.
    let mut f = kmeans();
    f.scaler.mean[3] = f64::NAN;
    assert_eq!(
        Model::new(f).unwrap_err().to_string(),
        "model refused: scaler.mean[3] is not a finite number"
    );
}

#[test]
fn refuses_truncated_and_inconsistent_files() {
    let text = to_json(&kmeans());
    let cut = &text[..text.len() / 2];
    assert!(refused(cut).contains("EOF while parsing"));
    let mut f = kmeans();
    f.scaler.std[0] = 0.0;
    assert_eq!(
        Model::new(f).unwrap_err().to_string(),
        "model refused: scaler.std has a non-positive entry"
    );
    let mut f = kmeans();
    f.features.swap(0, 1);
    assert!(Model::new(f).is_err());
    let f = file(Algorithm::Kmeans {
        centroids: vec![vec![0.0; 3]],
    });
    assert_eq!(
        Model::new(f).unwrap_err().to_string(),
        "model refused: centroids[0] has 3 entries, not 53"
    );
    let mut f = kmeans();
    f.format_version = 9;
    assert!(Model::new(f)
        .unwrap_err()
        .to_string()
        .contains("format version 9"));
    let extra = text.replacen("{", "{\"surprise\": 1,", 1);
    assert!(refused(&extra).contains("unknown field"));
}

#[test]
fn refuses_singular_covariance_and_bad_weights() {
    let mut cov = identity(1.0);
    cov[5][5] = 0.0;
    let f = file(Algorithm::Gmm {
        weights: vec![1.0],
        means: vec![vec![0.0; D]],
        covariances: vec![cov],
    });
    assert_eq!(
        Model::new(f).unwrap_err().to_string(),
        "model refused: covariances[0] is not positive definite"
    );
    let f = file(Algorithm::Gmm {
        weights: vec![0.7, 0.7],
        means: vec![vec![0.0; D]; 2],
        covariances: vec![identity(1.0); 2],
    });
    assert!(Model::new(f).unwrap_err().to_string().contains("sum to 1"));
}

#[test]
fn kmeans_scores_distance_to_nearest_centroid() {
    let m = Model::new(kmeans()).unwrap();
    assert_eq!(m.score_standardized(&z_with(idx::ENTROPY[0], 3.0)), 1.0);
    assert_eq!(m.score_standardized(&z_with(idx::ENTROPY[0], -3.0)), 3.0);
    assert_eq!(m.score_standardized(&z_with(0, 0.0)), 0.0);
    // Through the transform and scaler: entropy is linear, mean 1, std 2 → z = (5-1)/2 = 2.
    let mut f = kmeans();
    f.scaler.mean[idx::ENTROPY[0]] = 1.0;
    f.scaler.std[idx::ENTROPY[0]] = 2.0;
    let m = Model::new(f).unwrap();
    let mut raw = [0.0; D];
    raw[idx::ENTROPY[0]] = 5.0;
    assert_eq!(m.score(&raw), 2.0);
}

#[test]
fn gmm_scores_negative_log_likelihood() {
    let half_d_ln_2pi = D as f64 / 2.0 * (2.0 * std::f64::consts::PI).ln();
    let one = Model::new(file(Algorithm::Gmm {
        weights: vec![1.0],
        means: vec![vec![0.0; D]],
        covariances: vec![identity(1.0)],
    }))
    .unwrap();
    // Scores near 50 with six significant digits (single-precision whitening, see
    // `GmmComponent::l_inv`): agree to 1e-5.
    let close = |a: f64, b: f64| (a - b).abs() < 1e-5;
    assert!(close(one.score_standardized(&[0.0; D]), half_d_ln_2pi));
    assert!(close(
        one.score_standardized(&z_with(3, 2.0)),
        half_d_ln_2pi + 2.0
    ));
    // Two equal components at 0 and 2·e₂₈: the midpoint is 1 away from both.
    let two = Model::new(file(Algorithm::Gmm {
        weights: vec![0.5, 0.5],
        means: vec![vec![0.0; D], unit(idx::ENTROPY[0], 2.0)],
        covariances: vec![identity(1.0); 2],
    }))
    .unwrap();
    assert!(close(
        two.score_standardized(&z_with(idx::ENTROPY[0], 1.0)),
        half_d_ln_2pi + 0.5
    ));
    // Correlated block [[2,1],[1,2]]: det 3, Σ⁻¹ = [[2,-1],[-1,2]]/3, so at e₀ the Mahalanobis
    // distance² is 2/3.
    let mut cov = identity(1.0);
    cov[0][0] = 2.0;
    cov[1][1] = 2.0;
    cov[0][1] = 1.0;
    cov[1][0] = 1.0;
    let corr = Model::new(file(Algorithm::Gmm {
        weights: vec![1.0],
        means: vec![vec![0.0; D]],
        covariances: vec![cov],
    }))
    .unwrap();
    let want = half_d_ln_2pi + 0.5 * 3f64.ln() + 1.0 / 3.0;
    assert!(close(corr.score_standardized(&z_with(0, 1.0)), want));
    // Far points stay finite (log-sum-exp): |z - μ|² is 10⁴ and 10⁴ + 4.
    let far = half_d_ln_2pi + 5000.0 - (0.5 + 0.5 * (-2f64).exp()).ln();
    assert!(close(two.score_standardized(&z_with(0, 100.0)), far));
}

#[test]
fn ocsvm_scores_rho_minus_kernel_sum() {
    let m = Model::new(file(Algorithm::Ocsvm {
        eps: 2.0,
        rho: 0.5,
        support_vectors: vec![vec![0.0; D]],
        alphas: vec![1.0],
    }))
    .unwrap();
    assert_eq!(m.score_standardized(&[0.0; D]), -0.5);
    let s = m.score_standardized(&z_with(4, 2f64.sqrt()));
    assert!((s - (0.5 - (-1f64).exp())).abs() < 1e-12);
}

#[test]
fn top_features_are_largest_abs_z() {
    let mut f = kmeans();
    f.scaler.mean[idx::ENTROPY[1]] = 1.0;
    let m = Model::new(f).unwrap();
    let mut raw = [0.0; D];
    raw[idx::ENTROPY[0]] = 2.0;
    raw[idx::ENTROPY[1]] = -4.0;
    raw[idx::PROTO] = 1.0;
    let top = m.top_features(&raw, 2);
    assert_eq!(
        top,
        vec![
            TopFeature {
                name: "bwd_payload_entropy",
                value: -4.0,
                z: -5.0
            },
            TopFeature {
                name: "fwd_payload_entropy",
                value: 2.0,
                z: 2.0
            },
        ]
    );
}
