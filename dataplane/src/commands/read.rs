//! `portcullis read`: the offline analyzer. Captures run through the same engine as the inline
//! data plane, in one deterministic run whose time base is the capture's timestamps.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use portcullis_detection::engine::{BlockList, Engine};
use portcullis_detection::eve;

use crate::anomaly::Anomaly;
use crate::capture::{capture_files, CaptureError, CaptureReader};
use crate::cli::CliError;
use crate::config::{self, ChecksumChecks};
use crate::output::EveFile;
use crate::rules::load_ruleset;
use crate::summary::RunSummary;

/// Options of `portcullis read`, as parsed from the command line.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `-r`: a capture file or a directory of them.
    pub input: PathBuf,
    /// `-S`: rule files.
    pub rule_files: Vec<PathBuf>,
    /// `-l`: log directory.
    pub log_dir: Option<PathBuf>,
    /// `-c`: configuration file.
    pub config: Option<PathBuf>,
    /// `--set key=value` overrides.
    pub sets: Vec<String>,
    /// `--threshold-file`: overrides the config's `threshold-file`.
    pub threshold_file: Option<PathBuf>,
    /// `-k all|none`, overriding `pcap-file.checksum-checks`.
    pub checksum_checks: Option<ChecksumChecks>,
    /// `--simulate-ips`: apply drop/reject verdicts as an inline IPS would.
    pub simulate_ips: bool,
    /// `--model`: anomaly model scoring every flow (overrides `anomaly.model`).
    pub model: Option<PathBuf>,
}

/// After this many packets in `auto` checksum mode, decide whether the capture was taken with
/// checksum offload (Suricata samples the same way).
const CHECKSUM_AUTO_SAMPLE: u64 = 1000;
/// Invalid checksums above this share of the sample turn validation off.
const CHECKSUM_AUTO_INVALID_RATIO: u64 = 10;

/// Runs the offline analyzer; returns the run's summary.
pub fn run(opts: &ReadOptions) -> Result<RunSummary, CliError> {
    let started = Instant::now();
    let loaded = config::load(opts.config.as_deref(), &opts.sets).map_err(CliError)?;
    for w in &loaded.warnings {
        eprintln!("portcullis: warning: {w}");
    }
    let mut cfg = loaded.config;
    if let Some(path) = &opts.threshold_file {
        cfg.threshold_file = Some(path.clone());
    }
    let checks = opts
        .checksum_checks
        .unwrap_or(cfg.pcap_file.checksum_checks);
    let files = capture_files(&opts.input).map_err(|e| CliError(e.to_string()))?;
    let directory_mode = opts.input.is_dir();

    let (ruleset, rules_report) = load_ruleset(&cfg, &opts.rule_files)?;
    eprint!("{}", rules_report.summary());
    let rules_ready = started.elapsed();

    let log_dir = opts
        .log_dir
        .clone()
        .unwrap_or_else(|| cfg.default_log_dir.clone());
    let eve_cfg = &cfg.outputs.eve_log;
    let mut eve_file = EveFile::create(&log_dir, &eve_cfg.filename, eve_cfg.enabled)
        .map_err(|e| CliError(format!("cannot create EVE log {e}")))?;

    let blocks = Arc::new(BlockList::new());
    let engine_cfg = cfg.engine_config(opts.simulate_ips, checks != ChecksumChecks::No, &blocks);
    let mut engine = Engine::new(engine_cfg, Arc::clone(&ruleset));
    if let Some(anomaly) = Anomaly::from_config(&cfg, opts.model.as_deref())? {
        anomaly.attach(&mut engine, &cfg);
    }
    let mut auto_checksums = checks == ChecksumChecks::Auto;
    let mut captures_read = 0usize;
    let mut last_ts = None;
    for file in &files {
        let mut reader = match CaptureReader::open(file) {
            Ok(r) => r,
            // In directory mode, files that are not captures (READMEs, logs) are skipped.
            Err(CaptureError::Format(path, why)) if directory_mode => {
                eprintln!("portcullis: skipping {}: {why}", path.display());
                continue;
            }
            Err(e) => return Err(CliError(e.to_string())),
        };
        captures_read += 1;
        while let Some(rec) = reader.next_record().map_err(|e| CliError(e.to_string()))? {
            engine.process(rec.link, rec.ts, rec.data, &mut eve_file);
            last_ts = Some(rec.ts);
            if auto_checksums && engine.stats().decoder.pkts >= CHECKSUM_AUTO_SAMPLE {
                auto_checksums = false;
                let invalid = engine.stats().invalid_checksums();
                if invalid * 100 > engine.stats().decoder.pkts * CHECKSUM_AUTO_INVALID_RATIO {
                    eprintln!(
                        "portcullis: {invalid} of the first {} packets have invalid checksums \
                         (checksum offload?): checksum validation turned off",
                        engine.stats().decoder.pkts
                    );
                    engine.set_checksum_validation(false);
                }
            }
        }
        if reader.was_truncated() {
            eprintln!(
                "portcullis: warning: {} ends in the middle of a record",
                file.display()
            );
        }
    }
    if captures_read == 0 {
        return Err(CliError(format!(
            "{}: no pcap or pcapng capture found",
            opts.input.display()
        )));
    }
    engine.finish(&mut eve_file);
    let elapsed = started.elapsed();
    let stats_ts = last_ts.unwrap_or_default();
    eve_file.write(&eve::stats_record(
        stats_ts,
        elapsed.as_secs(),
        engine.stats().to_json(),
    ));
    eve_file
        .finish()
        .map_err(|e| CliError(format!("writing EVE log {e}")))?;
    Ok(RunSummary {
        source: format!("{captures_read} capture(s)"),
        packets: engine.stats().decoder.pkts,
        bytes: engine.stats().decoder.bytes,
        flows: engine.stats().flow.created,
        dropped_packets: engine.stats().verdicts.dropped,
        tally: eve_file.tally().clone(),
        eve_path: eve_cfg.enabled.then(|| eve_file.path().to_path_buf()),
        rules_loaded: rules_report.loaded(),
        startup: rules_ready,
        elapsed,
    })
}
