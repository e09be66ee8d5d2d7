//! Hot-path costs: scoring one flow (each algorithm, realistic sizes), one extractor update per
//! packet, and the host-table touch at flow start. Targets: scoring < 1 µs, update < 100 ns.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{criterion_group, criterion_main, Criterion};
use portcullis_models::model::{FORMAT, FORMAT_VERSION};
use portcullis_models::schema::feature_names;
use portcullis_models::{
    schema_hash, tcp_flags, Algorithm, FlowExtractor, HostConfig, HostTable, Model, ModelFile,
    PacketInfo, Scaler, TrainingMeta, NUM_FEATURES, SCHEMA_VERSION,
};

const D: usize = NUM_FEATURES;

/// A fixed pseudo-random stream in [-1, 1).
fn lcg(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1);
    ((*state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

fn rows(n: usize, state: &mut u64) -> Vec<Vec<f64>> {
    (0..n)
        .map(|_| (0..D).map(|_| lcg(state)).collect())
        .collect()
}

fn model(algorithm: Algorithm) -> Model {
    Model::new(ModelFile {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        schema_version: SCHEMA_VERSION,
        schema_hash: schema_hash(),
        features: feature_names(),
        model_version: "bench".into(),
        scaler: Scaler {
            mean: vec![1.0; D],
            std: vec![2.0; D],
        },
        algorithm,
        threshold: 1.0,
        training: TrainingMeta {
            seed: 0,
            target_fpr: 0.01,
            inputs: Vec::new(),
            labels: None,
            packets: 0,
            flows_total: 0,
            flows_benign: 0,
            flows_fitted: 0,
            params: BTreeMap::new(),
        },
    })
    .unwrap()
}

/// A dense, diagonally dominant (so positive definite) covariance.
#[allow(clippy::needless_range_loop)] // symmetric fill: index pairs are the point
fn covariance(state: &mut u64) -> Vec<Vec<f64>> {
    let mut c = vec![vec![0.0; D]; D];
    for i in 0..D {
        for j in 0..i {
            let v = 0.01 * lcg(state);
            c[i][j] = v;
            c[j][i] = v;
        }
        c[i][i] = 1.0 + lcg(state).abs();
    }
    c
}

fn scoring(c: &mut Criterion) {
    let mut st = 42;
    let gmm = model(Algorithm::Gmm {
        weights: vec![0.25; 4],
        means: rows(4, &mut st),
        covariances: (0..4).map(|_| covariance(&mut st)).collect(),
    });
    let kmeans = model(Algorithm::Kmeans {
        centroids: rows(8, &mut st),
    });
    let ocsvm = model(Algorithm::Ocsvm {
        eps: D as f64,
        rho: 0.5,
        support_vectors: rows(250, &mut st),
        alphas: vec![0.004; 250],
    });
    let mut raw = [0.0; D];
    for x in raw.iter_mut() {
        *x = 10.0 * lcg(&mut st).abs();
    }
    c.bench_function("score_gmm_4_full", |b| {
        b.iter(|| gmm.score(black_box(&raw)))
    });
    c.bench_function("score_kmeans_8", |b| {
        b.iter(|| kmeans.score(black_box(&raw)))
    });
    c.bench_function("score_ocsvm_250sv", |b| {
        b.iter(|| ocsvm.score(black_box(&raw)))
    });
    c.bench_function("top_features_5", |b| {
        b.iter(|| kmeans.top_features(black_box(&raw), 5))
    });
}

fn extractor(c: &mut Criterion) {
    let payload = [0x41u8; 1400];
    let src = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    let dst = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1));
    let mut x = FlowExtractor::new(6, 0);
    let mut ts = 0u64;
    c.bench_function("extractor_update_packet", |b| {
        b.iter(|| {
            ts += 10;
            x.update(black_box(&PacketInfo {
                ts_us: ts,
                to_server: ts % 20 == 0,
                frame_len: 1454,
                payload: &payload,
                tcp_flags: Some(tcp_flags::ACK | tcp_flags::PSH),
                proto: 6,
                src,
                dst,
                src_port: 40000,
                dst_port: 80,
            }))
        })
    });
    c.bench_function("extractor_features", |b| {
        b.iter(|| black_box(&x).features())
    });
    let hosts = HostTable::new(HostConfig::default());
    let mut n = 0u32;
    c.bench_function("host_flow_start", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            let s = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | (n & 0xfff)));
            hosts.flow_start(s, dst, (n & 0xffff) as u16, true, u64::from(n) * 100)
        })
    });
}

criterion_group!(benches, scoring, extractor);
criterion_main!(benches);
