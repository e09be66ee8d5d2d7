use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use etherparse::PacketBuilder;
use portcullis_models::model::{FORMAT, FORMAT_VERSION};
use portcullis_models::schema::{feature_names, host_kind, idx};
use portcullis_models::spike::SpikeConfig;
use portcullis_models::{
    schema_hash, Algorithm, ModelFile, Scaler, TrainingMeta, NUM_FEATURES, SCHEMA_VERSION,
};

use super::*;
use crate::decode::LinkType;
use crate::engine::{DropEvent, Engine, EngineConfig, Ruleset, Verdict};

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [198, 18, 0, 1];
const T0: u64 = 1_767_225_600_000_000;

#[derive(Default)]
struct Sink {
    alerts: Vec<AlertEvent>,
    drops: usize,
    flows: Vec<(Endpoint, Endpoint, FlowEnd, FeatureVector, Option<f64>)>,
}

impl EventSink for Sink {
    fn alert(&mut self, event: &AlertEvent) {
        self.alerts.push(event.clone());
    }
    fn drop_packet(&mut self, _event: &DropEvent) {
        self.drops += 1;
    }
    fn flow_end(&mut self, f: &FlowRecord<'_>) {
        self.flows
            .push((f.client, f.server, f.end, *f.features, f.score));
    }
}

/// One TCP segment; `to_server` picks the direction.
fn tcp(to_server: bool, seq: u32, ack: u32, flags: &str, payload: &[u8]) -> Vec<u8> {
    let (src, dst, sp, dp) = if to_server {
        (CLIENT, SERVER, 40000, 80)
    } else {
        (SERVER, CLIENT, 80, 40000)
    };
    let mut b = PacketBuilder::ethernet2([2; 6], [4; 6])
        .ipv4(src, dst, 64)
        .tcp(sp, dp, seq, 65535);
    for f in flags.chars() {
        b = match f {
            'S' => b.syn(),
            'F' => b.fin(),
            'P' => b.psh(),
            'A' => b.ack(ack),
            _ => b,
        };
    }
    let mut out = Vec::new();
    b.write(&mut out, payload).unwrap();
    out
}

/// Handshake with a 30 ms RTT, a 4-byte request "aabb", a reply, then FINs.
fn conversation() -> Vec<(u64, Vec<u8>)> {
    vec![
        (0, tcp(true, 100, 0, "S", &[])),
        (10_000, tcp(false, 500, 101, "SA", &[])),
        (30_000, tcp(true, 101, 501, "A", &[])),
        (40_000, tcp(true, 101, 501, "PA", b"aabb")),
        (50_000, tcp(false, 501, 105, "PA", b"abcd")),
        (70_000, tcp(true, 105, 505, "FA", &[])),
        (90_000, tcp(false, 505, 106, "FA", &[])),
        (95_000, tcp(true, 106, 506, "A", &[])),
    ]
}

fn engine(cfg: MlConfig, inline: bool) -> Engine {
    let mut e = Engine::new(
        EngineConfig {
            inline,
            ..EngineConfig::default()
        },
        Arc::new(Ruleset::empty()),
    );
    e.enable_features(cfg, Arc::new(HostTable::new(Default::default())));
    e
}

fn run(e: &mut Engine, frames: &[(u64, Vec<u8>)], sink: &mut Sink) -> Vec<Verdict> {
    let v = frames
        .iter()
        .map(|(t, f)| e.process(LinkType::Ethernet, Timestamp(T0 + t), f, sink))
        .collect();
    e.finish(sink);
    v
}

fn kmeans_model(threshold: f64) -> Arc<Model> {
    let file = ModelFile {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        schema_version: SCHEMA_VERSION,
        schema_hash: schema_hash(),
        features: feature_names(),
        model_version: "kmeans-test".into(),
        scaler: Scaler {
            mean: vec![0.0; NUM_FEATURES],
            std: vec![1.0; NUM_FEATURES],
        },
        algorithm: Algorithm::Kmeans {
            centroids: vec![vec![0.0; NUM_FEATURES]],
        },
        threshold,
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
    };
    Arc::new(Model::new(file).unwrap())
}

#[test]
fn finished_flows_report_their_features() {
    let mut e = engine(MlConfig::default(), false);
    let mut sink = Sink::default();
    run(&mut e, &conversation(), &mut sink);
    assert!(sink.alerts.is_empty());
    assert_eq!(sink.flows.len(), 1);
    let (client, server, end, v, score) = &sink.flows[0];
    let ip = |a: [u8; 4]| IpAddr::V4(Ipv4Addr::from(a));
    assert_eq!(*client, (ip(CLIENT), 40000));
    assert_eq!(*server, (ip(SERVER), 80));
    assert_eq!(*end, FlowEnd::Shutdown);
    assert_eq!(*score, None);
    assert_eq!(v[idx::DURATION], 95.0);
    assert_eq!(v[idx::PKTS[0]], 5.0);
    assert_eq!(v[idx::PKTS[1]], 3.0);
    // Frames: 54 bytes of headers, plus payload.
    assert_eq!(v[idx::BYTES[0]], 54.0 * 5.0 + 4.0);
    assert_eq!(v[idx::HANDSHAKE_RTT], 30.0);
    assert_eq!(v[idx::ENTROPY[0]], 1.0);
    assert_eq!(v[idx::ENTROPY[1]], 2.0);
    assert_eq!(
        &v[idx::FLAGS..idx::FLAGS + 6],
        &[2.0, 2.0, 0.0, 2.0, 7.0, 0.0]
    );
    // One connection from the client, seen at the flow's start.
    assert_eq!(v[idx::HOST + host_kind::CONN_RATE * 5], 1.0);
    assert_eq!(v[idx::HOST + host_kind::SYN_NOACK * 5], 0.0);
}

#[test]
fn anomalous_flow_alerts_once_with_gid_411() {
    let mut e = engine(MlConfig::default(), false);
    e.set_model(Some(kmeans_model(1.0)));
    let mut sink = Sink::default();
    let verdicts = run(&mut e, &conversation(), &mut sink);
    assert!(verdicts.iter().all(|v| *v == Verdict::Pass));
    assert_eq!(sink.alerts.len(), 1);
    let a = &sink.alerts[0];
    assert_eq!((a.rule.gid, a.rule.sid), (411, 1));
    assert_eq!(&*a.rule.msg, "PORTCULLIS ML anomalous flow");
    assert!(!a.blocked);
    let ml = a.ml.as_ref().unwrap();
    assert_eq!(&*ml.model_version, "kmeans-test");
    assert_eq!(ml.threshold, 1.0);
    assert_eq!(Some(ml.score), sink.flows[0].4);
    assert_eq!(ml.top_features.len(), 5);
    assert_eq!(e.stats().detect.alerts, 1);
    let eve = crate::eve::alert_record(a);
    assert_eq!(eve["alert"]["gid"], 411);
    assert_eq!(eve["ml"]["model_version"], "kmeans-test");
    assert_eq!(eve["ml"]["action"], "alert");
    assert_eq!(eve["ml"]["top_features"].as_array().unwrap().len(), 5);
    assert_eq!(eve["src_ip"], "10.0.0.1");
    assert_eq!(eve["dest_port"], 80);

    // Below the threshold: a score, no alert.
    let mut e = engine(MlConfig::default(), false);
    e.set_model(Some(kmeans_model(1e9)));
    let mut sink = Sink::default();
    run(&mut e, &conversation(), &mut sink);
    assert!(sink.alerts.is_empty());
    assert!(sink.flows[0].4.is_some_and(|s| s > 1.0));
}

#[test]
fn long_flows_are_scored_every_n_packets_and_dropped_inline() {
    let cfg = MlConfig {
        score_every: 4,
        action: MlAction::Drop,
        ..MlConfig::default()
    };
    let mut e = engine(cfg, true);
    e.set_model(Some(kmeans_model(1.0)));
    let mut sink = Sink::default();
    let verdicts = run(&mut e, &conversation(), &mut sink);
    // Packet 4 is scored, alerts and is dropped with the rest of the flow.
    assert_eq!(&verdicts[..3], &[Verdict::Pass; 3]);
    assert!(verdicts[3..].iter().all(|v| *v == Verdict::Drop));
    assert_eq!(sink.alerts.len(), 1);
    assert!(sink.alerts[0].blocked);
    assert_eq!(sink.alerts[0].packet.packet_no, 4);
    assert_eq!(sink.drops, 5);
}

#[test]
fn packet_spike_alerts_without_a_model() {
    let cfg = MlConfig {
        spikes: Some(SpikeConfig {
            alpha: 0.5,
            k: 3.0,
            warmup_secs: 3,
            min_pkts: 10.0,
            min_conns: 1e9,
            max_dests: 16,
        }),
        ..MlConfig::default()
    };
    let mut e = engine(cfg, false);
    let mut sink = Sink::default();
    let syn = tcp(true, 1, 0, "S", &[]);
    let mut frames: Vec<(u64, Vec<u8>)> = (0..5).map(|s| (s * 1_000_000, syn.clone())).collect();
    frames.extend((0..50).map(|i| (5_000_000 + i, syn.clone())));
    frames.push((6_000_000, syn));
    run(&mut e, &frames, &mut sink);
    let sids: Vec<_> = sink
        .alerts
        .iter()
        .map(|a| (a.rule.gid, a.rule.sid))
        .collect();
    // Global and per-destination packet rates.
    assert_eq!(sids, vec![(411, 2), (411, 2)]);
    let ml = sink.alerts[1].ml.as_ref().unwrap();
    assert_eq!(&*ml.model_version, "ewma");
    assert_eq!(ml.score, 50.0);
    assert_eq!(ml.threshold, 4.0);
    assert_eq!(ml.top_features[0].name, "dst_pkt_rate");
}
