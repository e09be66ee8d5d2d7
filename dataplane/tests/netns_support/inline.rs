//! `portcullis run` between the two root-side veth ends of a [`Topology`]: its configuration,
//! start, graceful stop, and the EVE records it wrote.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::cmd::Background;
use super::topology::Topology;

/// What the inline run is told besides its ports.
pub struct Settings<'a> {
    /// Rule file loaded through the config's `rule-files`.
    pub rules: &'a Path,
    /// `block.sids`: drops by these sids also block the source.
    pub block_sids: &'a [u32],
    /// `block.duration` in seconds.
    pub block_seconds: u64,
}

/// The configuration: one worker on lcore 1, no hugepages, `net_af_packet` on both root-side
/// veth ends as one inline pair, ARP forwarded (non-IP), EVE into `log_dir`.
pub fn config_text(topo: &Topology, log_dir: &Path, settings: &Settings) -> String {
    let sids: Vec<String> = settings.block_sids.iter().map(u32::to_string).collect();
    format!(
        r#"default-log-dir = "{log_dir}"
rule-files = ["{rules}"]

[dpdk]
eal-args = ["--no-huge", "--no-pci", "-m", "512", "-l", "0-1", "--no-telemetry"]
workers = 1
rss = "auto"
non-ip = "forward"
stats-interval = 1
idle-exit = 0
pairs = [["net_af_packet0", "net_af_packet1"]]

[[dpdk.ports]]
name = "net_af_packet0"
vdev = "net_af_packet0,iface={cli_port}"

[[dpdk.ports]]
name = "net_af_packet1"
vdev = "net_af_packet1,iface={srv_port}"

[block]
duration = {duration}
sids = [{sids}]
"#,
        log_dir = log_dir.display(),
        rules = settings.rules.display(),
        cli_port = topo.cli_port,
        srv_port = topo.srv_port,
        duration = settings.block_seconds,
        sids = sids.join(", "),
    )
}

/// A running `portcullis run`; killed if dropped before [`InlineRun::stop`].
pub struct InlineRun {
    process: Background,
    log_dir: PathBuf,
}

impl InlineRun {
    /// Writes the config into `dir` and starts `portcullis run -c <config>`.
    pub fn start(bin: &str, dir: &Path, topo: &Topology, settings: &Settings) -> InlineRun {
        let log_dir = dir.join("log");
        std::fs::create_dir_all(&log_dir).expect("log dir");
        let config = dir.join("portcullis.toml");
        std::fs::write(&config, config_text(topo, &log_dir, settings)).expect("config");
        let config = config.display().to_string();
        let process = Background::spawn("portcullis", &[bin, "run", "-c", &config], dir);
        InlineRun { process, log_dir }
    }

    /// Panics with its output if it has exited.
    pub fn assert_running(&mut self) {
        assert!(
            self.process.is_running(),
            "portcullis run exited early:\n{}",
            self.process.tail(30)
        );
    }

    /// Stops it with SIGINT as an operator would; returns (exit code, stderr).
    pub fn stop(&mut self) -> (Option<i32>, String) {
        let code = self.process.signal_and_wait("INT", Duration::from_secs(15));
        (code, self.process.stderr())
    }

    /// The last lines of its output, for failure messages.
    pub fn tail(&self) -> String {
        self.process.tail(30)
    }

    /// Every record of `eve.json` (empty when the file is absent); a line that is not JSON
    /// panics, since the EVE log must be valid JSON lines.
    pub fn eve(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.log_dir.join("eve.json")).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("eve.json: {e}: {l}")))
            .collect()
    }
}
