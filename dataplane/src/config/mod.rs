//! Configuration: a TOML file whose key names follow suricata.yaml wherever the concept is the
//! same (`stream.midstream`, `stream.reassembly.depth`, `flow.memcap`, `vars.address-groups.*`),
//! so `--set` options written for Suricata carry over. `--set` overrides any key; a key
//! Portcullis does not know is a warning that names it, never an error.

mod engine;
mod size;
mod tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use size::ByteSize;

/// The whole configuration, with Suricata-compatible defaults for every key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct Config {
    /// Address and port variables used by rules.
    pub vars: Vars,
    /// `classification.config` giving each classtype a description and priority.
    pub classification_file: Option<PathBuf>,
    /// `threshold.config`: thresholds, suppressions and rate filters by gid/sid.
    pub threshold_file: Option<PathBuf>,
    /// Where outputs go when `-l` is not given.
    pub default_log_dir: PathBuf,
    /// Rule files loaded in addition to `-S`.
    pub rule_files: Vec<PathBuf>,
    /// Flow table.
    pub flow: FlowSection,
    /// Per-protocol flow timeouts.
    pub flow_timeouts: FlowTimeouts,
    /// TCP stream tracking and reassembly.
    pub stream: StreamSection,
    /// Offline capture reading.
    pub pcap_file: PcapFileSection,
    /// Outputs.
    pub outputs: Outputs,
    /// The inline data plane (`portcullis run`).
    pub dpdk: DpdkSection,
    /// Blocking sources after a verdict.
    pub block: BlockSection,
    /// Flow anomaly scoring and traffic spikes.
    pub anomaly: AnomalySection,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            vars: Vars::default(),
            classification_file: None,
            threshold_file: None,
            default_log_dir: PathBuf::from("."),
            rule_files: Vec::new(),
            flow: FlowSection::default(),
            flow_timeouts: FlowTimeouts::default(),
            stream: StreamSection::default(),
            pcap_file: PcapFileSection::default(),
            outputs: Outputs::default(),
            dpdk: DpdkSection::default(),
            block: BlockSection::default(),
            anomaly: AnomalySection::default(),
        }
    }
}

/// `vars`: rule variables, as suricata.yaml's `vars` section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct Vars {
    /// `$NAME` → address expression; merged over Suricata's shipped defaults.
    pub address_groups: BTreeMap<String, String>,
    /// `$NAME` → port expression; merged over Suricata's shipped defaults.
    pub port_groups: BTreeMap<String, String>,
}

/// `flow`: the flow table's memory bound.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct FlowSection {
    /// Memory the flow table may use; past it the least recently seen flow is evicted.
    pub memcap: ByteSize,
}

impl Default for FlowSection {
    fn default() -> Self {
        FlowSection {
            memcap: ByteSize(128 << 20),
        }
    }
}

/// Timeouts of one protocol, in seconds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct Timeouts {
    /// Flow not yet established.
    pub new: u64,
    /// Established flow.
    pub established: u64,
    /// Closed flow (TCP).
    pub closed: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            new: 30,
            established: 300,
            closed: 0,
        }
    }
}

/// `flow-timeouts`: Suricata's defaults per protocol.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct FlowTimeouts {
    /// Protocols without their own section.
    pub default: Timeouts,
    /// TCP.
    pub tcp: Timeouts,
    /// UDP.
    pub udp: Timeouts,
    /// ICMP.
    pub icmp: Timeouts,
}

impl Default for FlowTimeouts {
    fn default() -> Self {
        FlowTimeouts {
            default: Timeouts::default(),
            tcp: Timeouts {
                new: 60,
                established: 600,
                closed: 60,
            },
            udp: Timeouts {
                new: 30,
                established: 300,
                closed: 0,
            },
            icmp: Timeouts {
                new: 30,
                established: 300,
                closed: 0,
            },
        }
    }
}

/// `stream`: TCP tracking.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct StreamSection {
    /// Pick up TCP sessions whose handshake was not seen.
    pub midstream: bool,
    /// Track sessions of which only one direction is seen.
    pub async_oneside: bool,
    /// Ignore TCP segments with bad checksums for stream tracking (`-k none` turns it off).
    pub checksum_validation: bool,
    /// Reassembly.
    pub reassembly: ReassemblySection,
}

impl Default for StreamSection {
    fn default() -> Self {
        StreamSection {
            midstream: false,
            async_oneside: false,
            checksum_validation: true,
            reassembly: ReassemblySection::default(),
        }
    }
}

/// `stream.reassembly`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct ReassemblySection {
    /// Bytes buffered for reassembly across all flows of a worker.
    pub memcap: ByteSize,
    /// Bytes of each direction reassembled and inspected; 0 = unlimited.
    pub depth: ByteSize,
    /// Already-inspected bytes kept before new data so patterns across segments match.
    pub window: ByteSize,
}

impl Default for ReassemblySection {
    fn default() -> Self {
        ReassemblySection {
            memcap: ByteSize(256 << 20),
            depth: ByteSize(1 << 20),
            window: ByteSize(4096),
        }
    }
}

/// `pcap-file`: offline reading.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct PcapFileSection {
    /// `yes` (validate), `no`, or `auto` (validate unless most checksums are bad, as captures
    /// taken with checksum offload are). `-k all|none` overrides it.
    pub checksum_checks: ChecksumChecks,
}

impl Default for PcapFileSection {
    fn default() -> Self {
        PcapFileSection {
            checksum_checks: ChecksumChecks::Auto,
        }
    }
}

/// Checksum validation mode.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ChecksumChecks {
    /// Always validate.
    #[serde(alias = "all", alias = "true")]
    Yes,
    /// Never validate.
    #[serde(alias = "none", alias = "false")]
    No,
    /// Validate, unless the capture turns out to have been taken with checksum offload.
    Auto,
}

/// `outputs`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct Outputs {
    /// EVE JSON.
    pub eve_log: EveLog,
}

/// `outputs.eve-log`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct EveLog {
    /// Write the EVE log.
    pub enabled: bool,
    /// File name inside the log directory.
    pub filename: String,
}

impl Default for EveLog {
    fn default() -> Self {
        EveLog {
            enabled: true,
            filename: "eve.json".into(),
        }
    }
}

/// `dpdk`: EAL, ports, port pairs and workers of `portcullis run`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct DpdkSection {
    /// EAL arguments, passed through unchanged (`-l`, `--no-huge`, `-a`, `--vdev`, ...). A
    /// unique `--file-prefix` is added when absent so several DPDK processes coexist.
    pub eal_args: Vec<String>,
    /// Ports by DPDK device name (`0000:3b:00.0`, `net_pcap0`, ...).
    pub ports: Vec<PortSection>,
    /// Inline pairs: what arrives on one port of a pair leaves by the other.
    pub pairs: Vec<[String; 2]>,
    /// Worker lcores, each owning RX queue i of every port and its own flow table.
    pub workers: usize,
    /// `auto` (hardware RSS when every port offers it, else software), `hardware`, `software`.
    pub rss: RssMode,
    /// Mbufs in the pool (per process).
    pub mbufs: u32,
    /// Per-lcore mbuf cache.
    pub mbuf_cache: u32,
    /// RX descriptors per queue.
    pub rx_desc: u16,
    /// TX descriptors per queue.
    pub tx_desc: u16,
    /// What to do with frames that carry no IP (ARP, LLDP, ...).
    pub non_ip: NonIpPolicy,
    /// Seconds between stats lines in the log; 0 turns them off.
    pub stats_interval: u64,
    /// Exit after this many seconds without a received packet (replaying captures); 0 never.
    pub idle_exit: u64,
}

impl Default for DpdkSection {
    fn default() -> Self {
        DpdkSection {
            eal_args: Vec::new(),
            ports: Vec::new(),
            pairs: Vec::new(),
            workers: 1,
            rss: RssMode::Auto,
            mbufs: 8191,
            mbuf_cache: 256,
            rx_desc: 1024,
            tx_desc: 1024,
            non_ip: NonIpPolicy::Forward,
            stats_interval: 10,
            idle_exit: 0,
        }
    }
}

/// One port of `dpdk.ports`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct PortSection {
    /// DPDK device name.
    pub name: String,
    /// For a virtual device: its `--vdev` argument (`net_pcap0,rx_pcap=in.pcap,...`).
    pub vdev: Option<String>,
}

/// How flows are spread over workers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RssMode {
    /// Hardware when every port offers it, software otherwise.
    Auto,
    /// The NIC's RSS with a symmetric Toeplitz key (refused when a port cannot).
    Hardware,
    /// One distributor reads every port and hashes flows onto per-worker rings.
    Software,
}

/// Frames without IP.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum NonIpPolicy {
    /// Forward them.
    Forward,
    /// Drop them.
    Drop,
}

/// `block`: which verdicts also block the packet's source, and for how long.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct BlockSection {
    /// Seconds a source stays blocked.
    pub duration: u64,
    /// Rules (by sid) whose drop or reject also blocks the source.
    pub sids: Vec<u32>,
    /// Rules carrying this metadata key (`metadata: portcullis-block true`) block too.
    pub metadata_key: String,
}

impl Default for BlockSection {
    fn default() -> Self {
        BlockSection {
            duration: 60,
            sids: Vec::new(),
            metadata_key: "portcullis-block".into(),
        }
    }
}

/// `anomaly`: the flow model (from `portcullis-train`) and spike detection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct AnomalySection {
    /// Model file; `portcullis run` reloads it on SIGHUP or when the file changes.
    pub model: Option<PathBuf>,
    /// What an anomalous flow does: `alert`, `drop` or `block-source`.
    pub action: AnomalyAction,
    /// Score long flows every this many packets (and always when they end).
    pub score_every: u64,
    /// Alert on packet and connection rate spikes against an EWMA baseline.
    pub spikes: bool,
}

impl Default for AnomalySection {
    fn default() -> Self {
        AnomalySection {
            model: None,
            action: AnomalyAction::Alert,
            score_every: 1000,
            spikes: false,
        }
    }
}

/// Action on an anomalous flow.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum AnomalyAction {
    /// Alert only.
    Alert,
    /// Drop the rest of the flow (inline).
    Drop,
    /// Drop and block the host that opened the flow for `block.duration`.
    BlockSource,
}

/// A configuration that was loaded, with the warnings worth showing the user.
#[derive(Debug)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// One line per unknown key (named in full), or per value that could not be used.
    pub warnings: Vec<String>,
}

/// Loads `file` (if any), applies `--set key=value` overrides in order, and builds the config.
/// Unknown keys are dropped with a warning; a file that cannot be read or parsed, or a known key
/// with a value of the wrong type, is an error naming it.
pub fn load(file: Option<&Path>, sets: &[String]) -> Result<Loaded, String> {
    let mut root = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("config {}: {e}", path.display()))?;
            text.parse::<toml::Table>()
                .map_err(|e| format!("config {}: {}", path.display(), e.message()))?
        }
        None => toml::Table::new(),
    };
    for set in sets {
        tree::apply_set(&mut root, set)?;
    }
    let mut warnings = Vec::new();
    let config = tree::deserialize_lenient(root, &mut warnings)?;
    Ok(Loaded { config, warnings })
}

#[cfg(test)]
mod tests;
