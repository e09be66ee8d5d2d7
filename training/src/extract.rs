//! Feature extraction from captures through the real engine: each capture runs through a
//! [`Engine`] with an empty ruleset and feature extraction on, exactly as the data plane runs
//! it, and every finished flow's features are collected from [`EventSink::flow_end`].
//!
//! Each capture is one run (its own flow table and host table), so captures never bleed into
//! each other. Checksum validation is off: features do not depend on it, and lab captures on
//! virtual interfaces carry offloaded (unfilled) checksums.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use portcullis::capture::{capture_files, CaptureReader};
use portcullis_detection::engine::{
    AlertEvent, DropEvent, Engine, EngineConfig, EventSink, FlowRecord, MlConfig, Ruleset,
};
use portcullis_models::{FeatureVector, HostConfig, HostTable, Model};

/// One finished flow.
#[derive(Debug, Clone)]
pub struct FlowSample {
    /// Index of its capture in [`Extracted::captures`].
    pub capture: usize,
    /// Client address.
    pub client: IpAddr,
    /// Server address.
    pub server: IpAddr,
    /// Start, epoch seconds.
    pub start: f64,
    /// Raw features.
    pub features: FeatureVector,
    /// The engine's score at flow end, when a model was loaded.
    pub score: Option<f64>,
}

/// The flows of a set of captures.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    /// Capture file names, in reading order.
    pub captures: Vec<String>,
    /// Packets read.
    pub packets: u64,
    /// Flows, in the order they ended.
    pub flows: Vec<FlowSample>,
}

struct Collector<'a> {
    capture: usize,
    flows: &'a mut Vec<FlowSample>,
}

impl EventSink for Collector<'_> {
    fn alert(&mut self, _event: &AlertEvent) {}
    fn drop_packet(&mut self, _event: &DropEvent) {}
    fn flow_end(&mut self, f: &FlowRecord<'_>) {
        self.flows.push(FlowSample {
            capture: self.capture,
            client: f.client.0,
            server: f.server.0,
            start: f.start.0 as f64 / 1e6,
            features: *f.features,
            score: f.score,
        });
    }
}

/// Expands `-r` arguments (files or directories of captures) into capture files.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        files.extend(capture_files(input).map_err(|e| e.to_string())?);
    }
    if files.is_empty() {
        return Err("no capture given".into());
    }
    Ok(files)
}

/// The name a label file uses for a capture: its file name.
pub fn capture_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

/// Runs every capture through the engine (scoring with `model` when given) and collects the
/// finished flows. A progress bar on stderr follows the bytes read when it is a terminal.
pub fn extract(files: &[PathBuf], model: Option<&Arc<Model>>) -> Result<Extracted, String> {
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:20!} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut out = Extracted::default();
    for file in files {
        let index = out.captures.len();
        out.captures.push(capture_name(file));
        bar.set_message(capture_name(file));
        let mut reader = CaptureReader::open(file).map_err(|e| e.to_string())?;
        let mut engine = Engine::new(EngineConfig::default(), Arc::new(Ruleset::empty()));
        engine.set_checksum_validation(false);
        let hosts = Arc::new(HostTable::new(HostConfig::default()));
        engine.enable_features(MlConfig::default(), hosts);
        engine.set_model(model.cloned());
        let mut sink = Collector {
            capture: index,
            flows: &mut out.flows,
        };
        while let Some(rec) = reader.next_record().map_err(|e| e.to_string())? {
            engine.process(rec.link, rec.ts, rec.data, &mut sink);
            // Record header plus captured bytes: close to the file's layout.
            bar.inc(16 + rec.data.len() as u64);
        }
        engine.finish(&mut sink);
        out.packets += engine.stats().decoder.pkts;
        if reader.was_truncated() {
            bar.suspend(|| {
                eprintln!(
                    "portcullis-train: warning: {} ends in the middle of a record",
                    file.display()
                )
            });
        }
    }
    bar.finish_and_clear();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis::demo::write_demo_capture;

    #[test]
    fn demo_capture_flows_match_the_engine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.pcap");
        let summary = write_demo_capture(&path).unwrap();
        let ex = extract(std::slice::from_ref(&path), None).unwrap();
        assert_eq!(ex.captures, vec!["demo.pcap".to_string()]);
        assert_eq!(ex.packets, summary.packets as u64);
        // Every flow of the demo (each scan probe is one) ends exactly once.
        let scan_flows = ex
            .flows
            .iter()
            .filter(|f| f.client.to_string() == "203.0.113.77")
            .count();
        assert_eq!(scan_flows, 30);
        assert_eq!(ex.flows.len(), summary.flows);
        assert!(ex.flows.iter().all(|f| f.score.is_none() && f.capture == 0));
        // Same input, same flows, same features.
        let again = extract(&[path], None).unwrap();
        assert!(ex
            .flows
            .iter()
            .zip(&again.flows)
            .all(|(a, b)| a.features == b.features && a.start == b.start));
    }
}
