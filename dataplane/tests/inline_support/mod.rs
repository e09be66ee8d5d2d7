//! Shared by the net_pcap inline tests: run the demo capture through `portcullis read
//! --simulate-ips` and through `portcullis run` on DPDK net_pcap ports, then compare what was
//! forwarded and what was alerted. Each test binary uses a part of it.
#![allow(dead_code)]

#[path = "../dpdk_support/mod.rs"]
mod dpdk_support;
pub use dpdk_support::dpdk_installed;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portcullis::capture::CaptureReader;
use portcullis::cli;
use serde_json::Value;

/// One alert's identity: sid and the 5-tuple of the packet it fired on.
pub type AlertKey = (u64, String, u64, String, u64);

/// What one run produced.
pub struct Outcome {
    /// Alert counts by key.
    pub alerts: BTreeMap<AlertKey, u64>,
    /// `pcap_cnt` of every dropped packet (offline run only).
    pub dropped: Vec<u64>,
    /// The final stats object.
    pub stats: Value,
}

fn events(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("EVE line is JSON"))
        .collect()
}

fn outcome(eve: &Path) -> Outcome {
    let mut out = Outcome {
        alerts: BTreeMap::new(),
        dropped: Vec::new(),
        stats: Value::Null,
    };
    for e in events(eve) {
        match e["event_type"].as_str() {
            Some("alert") => {
                let key = (
                    e["alert"]["signature_id"].as_u64().unwrap(),
                    e["src_ip"].as_str().unwrap().to_string(),
                    e["src_port"].as_u64().unwrap_or(0),
                    e["dest_ip"].as_str().unwrap().to_string(),
                    e["dest_port"].as_u64().unwrap_or(0),
                );
                *out.alerts.entry(key).or_default() += 1;
            }
            Some("drop") => out.dropped.push(e["pcap_cnt"].as_u64().unwrap()),
            Some("stats") => out.stats = e["stats"].clone(),
            _ => {}
        }
    }
    out
}

/// Every frame of several captures, file after file.
pub fn all_frames(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    paths.iter().flat_map(|p| frames(p)).collect()
}

/// Every frame of a capture, in order.
pub fn frames(path: &Path) -> Vec<Vec<u8>> {
    let mut reader = CaptureReader::open(path).expect("capture opens");
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().expect("capture reads") {
        out.push(r.data.to_vec());
    }
    out
}

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The demo capture and rules in a temporary folder.
pub struct Fixture {
    /// The folder (removed on drop).
    pub dir: tempfile::TempDir,
    /// The capture.
    pub capture: PathBuf,
    /// The rules.
    pub rules: PathBuf,
}

impl Fixture {
    /// Writes the demo capture.
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let capture = dir.path().join("demo.pcap");
        portcullis::demo::write_demo_capture(&capture).unwrap();
        let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/demo.rules");
        Fixture {
            dir,
            capture,
            rules,
        }
    }

    /// `portcullis read --simulate-ips` on the capture.
    pub fn read(&self) -> Outcome {
        let log = self.dir.path().join("read");
        cli::run(&args(&[
            "read",
            "-r",
            self.capture.to_str().unwrap(),
            "-S",
            self.rules.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "--simulate-ips",
        ]))
        .expect("read runs");
        outcome(&log.join("eve.json"))
    }

    /// `portcullis run` with `workers` workers on net_pcap ports; returns the outcome and the
    /// forwarded and answer captures (one per worker: each worker has its own TX queue, and
    /// net_pcap gives each TX queue its own file).
    pub fn run(&self, workers: usize, lcores: &str) -> (Outcome, Vec<PathBuf>, Vec<PathBuf>) {
        let d = self.dir.path();
        let forwarded: Vec<PathBuf> = (0..workers)
            .map(|w| d.join(format!("forwarded{w}.pcap")))
            .collect();
        let answers: Vec<PathBuf> = (0..workers)
            .map(|w| d.join(format!("answers{w}.pcap")))
            .collect();
        let tx_args = |files: &[PathBuf]| -> String {
            files
                .iter()
                .map(|f| format!(",tx_pcap={}", f.display()))
                .collect()
        };
        let cfg = d.join("run.toml");
        std::fs::write(
            &cfg,
            format!(
                r#"rule-files = ["{rules}"]
[dpdk]
eal-args = ["--no-huge", "--no-pci", "-m", "256", "--lcores", "{lcores}", "--log-level=*:warning"]
workers = {workers}
idle-exit = 1
stats-interval = 0
pairs = [["net_pcap0", "net_pcap1"]]
[[dpdk.ports]]
name = "net_pcap0"
vdev = "net_pcap0,rx_pcap={input}{answers}"
[[dpdk.ports]]
name = "net_pcap1"
vdev = "net_pcap1{forwarded}"
"#,
                rules = self.rules.display(),
                input = self.capture.display(),
                answers = tx_args(&answers),
                forwarded = tx_args(&forwarded),
            ),
        )
        .unwrap();
        let log = d.join("run");
        cli::run(&args(&[
            "run",
            "-c",
            cfg.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
        ]))
        .expect("run runs");
        (outcome(&log.join("eve.json")), forwarded, answers)
    }
}

/// The assertions both tests make: what was forwarded is the input minus exactly the packets
/// the offline run dropped, byte for byte; the alerts are the same; one RST went back.
pub fn assert_inline_matches_offline(workers: usize, lcores: &str) {
    let fx = Fixture::new();
    let offline = fx.read();
    let (inline, forwarded, answers) = fx.run(workers, lcores);

    let input = frames(&fx.capture);
    assert_eq!(input.len(), 908);
    assert_eq!(offline.dropped.len(), 28);
    let expected: Vec<Vec<u8>> = input
        .iter()
        .enumerate()
        .filter(|(i, _)| !offline.dropped.contains(&(*i as u64 + 1)))
        .map(|(_, f)| f.clone())
        .collect();
    let got = all_frames(&forwarded);
    assert_eq!(got.len(), 880);
    if workers == 1 {
        assert!(
            got == expected,
            "forwarded frames differ from input minus drops"
        );
    } else {
        // Each worker writes its own file; compare as multisets.
        let (mut a, mut b) = (got.clone(), expected.clone());
        a.sort();
        b.sort();
        assert!(a == b, "forwarded frames differ from input minus drops");
    }

    assert_eq!(inline.alerts, offline.alerts);
    assert_eq!(inline.alerts.values().sum::<u64>(), 36);
    assert_eq!(inline.stats["ips"]["blocked"], 28);
    // Both directions of every flow met on one worker: no flow was counted twice.
    assert_eq!(
        inline.stats["flow"]["total"],
        offline.stats["flow"]["total"]
    );
    assert_eq!(inline.stats["flow"]["total"], 86);

    // The reject (Shellshock, sid 1000004) answered its sender with one RST.
    let rst = all_frames(&answers);
    assert_eq!(rst.len(), 1);
    let sliced = etherparse::SlicedPacket::from_ethernet(&rst[0]).unwrap();
    match sliced.transport {
        Some(etherparse::TransportSlice::Tcp(t)) => {
            assert!(t.rst() && t.ack());
            assert_eq!(t.source_port(), 80);
        }
        other => panic!("answer is not TCP: {other:?}"),
    }
}
