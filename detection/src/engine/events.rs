//! What the engine reports besides verdicts: alerts and drops, handed to an [`EventSink`] so
//! the offline reader writes them to a file and the inline data plane sends them down a channel,
//! both through the same EVE formatting ([`crate::eve`]).

use std::net::IpAddr;
use std::sync::Arc;

use portcullis_models::TopFeature;

use super::features::{FlowRecord, MlAction};
use crate::time::Timestamp;

/// The parts of a rule an alert reports, resolved once when the ruleset is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Generator id.
    pub gid: u32,
    /// Signature id.
    pub sid: u32,
    /// Revision.
    pub rev: u32,
    /// `msg`.
    pub msg: Arc<str>,
    /// Classtype description from the classification table (empty when unknown).
    pub category: Arc<str>,
    /// Explicit priority, else the classtype's, else 3.
    pub severity: u8,
}

/// Addresses and flow identity of the packet an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketMeta {
    /// Packet time.
    pub ts: Timestamp,
    /// 1-based packet number in the run (Suricata's `pcap_cnt`).
    pub packet_no: u64,
    /// Flow id, when the packet belongs to a flow.
    pub flow_id: Option<u64>,
    /// Source address.
    pub src_ip: IpAddr,
    /// Source port (0 when the protocol has none).
    pub src_port: u16,
    /// Destination address.
    pub dest_ip: IpAddr,
    /// Destination port.
    pub dest_port: u16,
    /// IP protocol number.
    pub proto: u8,
    /// `Some(true)` to_server, `Some(false)` to_client, `None` without a flow.
    pub to_server: Option<bool>,
    /// Packet counts of the flow so far (to_server, to_client).
    pub flow_pkts: [u64; 2],
    /// Byte counts of the flow so far (to_server, to_client).
    pub flow_bytes: [u64; 2],
    /// Flow start time.
    pub flow_start: Timestamp,
}

/// An alert: a rule matched and was not suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertEvent {
    /// Packet and flow.
    pub packet: PacketMeta,
    /// The rule.
    pub rule: RuleInfo,
    /// Whether the packet was stopped (EVE `alert.action`: `blocked` vs `allowed`).
    pub blocked: bool,
    /// Whether the match was on reassembled stream data rather than the packet alone.
    pub stream_match: bool,
    /// [ml] Anomaly details (EVE `ml`), for alerts of gid 411; `None` for rule alerts.
    pub ml: Option<Box<MlInfo>>,
}

/// [ml] What an anomaly alert reports besides its rule: the score against the threshold, the
/// model that scored it and the features farthest from normal.
#[derive(Debug, Clone)]
pub struct MlInfo {
    /// The anomaly score (for spikes: the second's count).
    pub score: f64,
    /// The threshold it exceeded.
    pub threshold: f64,
    /// The model version that scored it (`ewma` for spikes).
    pub model_version: Arc<str>,
    /// The configured action.
    pub action: MlAction,
    /// Largest standardized deviations first.
    pub top_features: Vec<TopFeature>,
}

/// Equality compares floats bit for bit, which makes it an equivalence (so alerts stay `Eq`).
impl PartialEq for MlInfo {
    fn eq(&self, other: &Self) -> bool {
        let bits = |t: &TopFeature| (t.name, t.value.to_bits(), t.z.to_bits());
        self.score.to_bits() == other.score.to_bits()
            && self.threshold.to_bits() == other.threshold.to_bits()
            && self.model_version == other.model_version
            && self.action == other.action
            && self
                .top_features
                .iter()
                .map(bits)
                .eq(other.top_features.iter().map(bits))
    }
}

impl Eq for MlInfo {}

/// A packet dropped inline: the one a drop rule matched, and every later packet of its flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropEvent {
    /// Packet and flow.
    pub packet: PacketMeta,
    /// Frame length.
    pub len: usize,
    /// IP TTL.
    pub ttl: u8,
    /// IP TOS.
    pub tos: u8,
    /// IP id.
    pub ip_id: u32,
    /// TCP header fields when TCP: seq, ack, window, flags.
    pub tcp: Option<(u32, u32, u16, u8)>,
    /// The rule whose verdict dropped this packet; `None` when the packet belongs to a flow
    /// dropped earlier.
    pub rule: Option<RuleInfo>,
    /// Dropped because its source is on the block list.
    pub source_blocked: bool,
}

/// Receives events as the engine produces them.
pub trait EventSink {
    /// A rule alerted.
    fn alert(&mut self, event: &AlertEvent);
    /// A packet was dropped.
    fn drop_packet(&mut self, event: &DropEvent);
    /// [ml] A flow ended while feature extraction was on; its features are in the record.
    fn flow_end(&mut self, _flow: &FlowRecord<'_>) {}
}

/// A sink that keeps every event, for tests and small runs.
#[derive(Debug, Default)]
pub struct CollectingSink {
    /// Alerts in order.
    pub alerts: Vec<AlertEvent>,
    /// Drops in order.
    pub drops: Vec<DropEvent>,
}

impl EventSink for CollectingSink {
    fn alert(&mut self, event: &AlertEvent) {
        self.alerts.push(event.clone());
    }

    fn drop_packet(&mut self, event: &DropEvent) {
        self.drops.push(event.clone());
    }
}
