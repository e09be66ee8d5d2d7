//! Hot swap of the anomaly model under continuous traffic through `portcullis run`: 100 swaps
//! (SIGHUP after each new file), one corrupt file refused while the old model keeps scoring, no
//! packet lost or reordered, and every detection names the model version that scored it.

mod inline_support;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use portcullis::capture::CaptureReader;
use portcullis::demo::demo_frames;
use portcullis_models::model::{to_json, FORMAT, FORMAT_VERSION};
use portcullis_models::schema::feature_names;
use portcullis_models::SCHEMA_VERSION;
use portcullis_models::{schema_hash, Algorithm, ModelFile, Scaler, TrainingMeta, NUM_FEATURES};

/// Replays of the demo capture: long enough for 100 swaps while traffic flows.
const REPLAYS: usize = 300;
const SWAPS: usize = 100;

fn model(version: &str) -> String {
    to_json(&ModelFile {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        schema_version: SCHEMA_VERSION,
        schema_hash: schema_hash(),
        features: feature_names(),
        model_version: version.into(),
        scaler: Scaler {
            mean: vec![0.0; NUM_FEATURES],
            std: vec![1.0; NUM_FEATURES],
        },
        // One centroid at the origin and threshold 0: every flow is "anomalous", so every flow
        // yields a detection naming the model current when it was scored.
        algorithm: Algorithm::Kmeans {
            centroids: vec![vec![0.0; NUM_FEATURES]],
        },
        threshold: 0.0,
        training: TrainingMeta {
            seed: 0,
            target_fpr: 0.01,
            inputs: vec![],
            labels: None,
            packets: 0,
            flows_total: 0,
            flows_benign: 0,
            flows_fitted: 0,
            params: Default::default(),
        },
    })
}

/// Replaces the model file atomically (write, then rename).
fn install(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn write_capture(path: &Path, frames: &[(portcullis_detection::time::Timestamp, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut w =
        PcapWriter::with_header(std::io::BufWriter::new(file), PcapHeader::default()).unwrap();
    for r in 0..REPLAYS {
        for (i, (_, f)) in frames.iter().enumerate() {
            let ts = Duration::from_micros((r * frames.len() + i) as u64);
            w.write_packet(&PcapPacket::new(ts, f.len() as u32, f))
                .unwrap();
        }
    }
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn hundred_swaps_under_traffic_lose_nothing() {
    if !inline_support::dpdk_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let frames = demo_frames();
    let input = d.join("in.pcap");
    write_capture(&input, &frames);
    let model_path = d.join("model.json");
    install(&model_path, &model("v0"));
    let forwarded: PathBuf = d.join("forwarded.pcap");
    let cfg = d.join("run.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"[dpdk]
eal-args = ["--no-huge", "--no-pci", "-m", "512", "--lcores", "0@0,1@1", "--log-level=*:warning"]
idle-exit = 2
stats-interval = 0
pairs = [["net_pcap0", "net_pcap1"]]
[[dpdk.ports]]
name = "net_pcap0"
vdev = "net_pcap0,rx_pcap={input},tx_pcap={answers}"
[[dpdk.ports]]
name = "net_pcap1"
vdev = "net_pcap1,tx_pcap={forwarded}"
[anomaly]
model = "{model}"
score-every = 2
# Flows end at every second tick, so detections keep coming while models change.
[flow-timeouts.tcp]
new = 0
established = 0
closed = 0
[flow-timeouts.udp]
new = 0
established = 0
[flow-timeouts.icmp]
new = 0
established = 0
"#,
            input = input.display(),
            answers = d.join("answers.pcap").display(),
            forwarded = forwarded.display(),
            model = model_path.display(),
        ),
    )
    .unwrap();
    let log = d.join("log");
    let args: Vec<String> = [
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "-l",
        log.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let runner = std::thread::spawn(move || portcullis::cli::run(&args));

    // Swap only once traffic flows (the forwarded capture grows).
    let deadline = Instant::now() + Duration::from_secs(60);
    while size(&forwarded) < 1 << 20 {
        assert!(Instant::now() < deadline, "no traffic forwarded");
        std::thread::sleep(Duration::from_millis(20));
    }
    let grown_before = size(&forwarded);
    for i in 1..=SWAPS {
        if i == SWAPS / 2 {
            install(&model_path, "{\"format\": \"portcullis-model\", \"trunc");
            signal_hook::low_level::raise(signal_hook::consts::SIGHUP).unwrap();
            std::thread::sleep(Duration::from_millis(15));
        }
        install(&model_path, &model(&format!("v{i}")));
        signal_hook::low_level::raise(signal_hook::consts::SIGHUP).unwrap();
        std::thread::sleep(Duration::from_millis(15));
    }
    let grown_after = size(&forwarded);
    runner.join().unwrap().expect("run succeeds");
    assert!(
        grown_after > grown_before,
        "traffic kept flowing while models were swapped"
    );

    // No packet lost, none reordered: the output is the input, frame by frame.
    let mut out = CaptureReader::open(&forwarded).unwrap();
    let mut n = 0usize;
    while let Some(r) = out.next_record().unwrap() {
        assert_eq!(r.data, frames[n % frames.len()].1.as_slice(), "frame {n}");
        n += 1;
    }
    assert_eq!(n, REPLAYS * frames.len());

    let mut versions = BTreeSet::new();
    let mut stats = serde_json::Value::Null;
    for line in std::fs::read_to_string(log.join("eve.json"))
        .unwrap()
        .lines()
    {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        if e["event_type"] == "alert" && e["alert"]["gid"] == 411 {
            versions.insert(e["ml"]["model_version"].as_str().unwrap().to_string());
        }
        if e["event_type"] == "stats" {
            stats = e["stats"].clone();
        }
    }
    assert_eq!(stats["anomaly"]["model_swaps"], SWAPS as u64);
    assert!(stats["anomaly"]["model_refused"].as_u64().unwrap() >= 1);
    let known: BTreeSet<String> = (0..=SWAPS).map(|i| format!("v{i}")).collect();
    assert!(versions.is_subset(&known), "{versions:?}");
    assert!(
        versions.len() >= 3,
        "detections from several models while swapping: {versions:?}"
    );
}
