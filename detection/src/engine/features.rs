//! Flow features, anomaly scoring and traffic spikes inside the engine (the `[ml]` hooks of
//! `engine/mod.rs` call into this file and nothing else).
//!
//! Every packet of a flow updates the flow's [`FlowExtractor`] (O(1)); the shared
//! [`HostTable`] is touched when a flow starts and ends, and when a long flow is scored. With a
//! model, a flow is scored every [`MlConfig::score_every`] packets while it lasts and once when
//! it ends (timeout, eviction, reuse, end of run); a score above the model's threshold raises an
//! alert of gid [`ML_GID`] (411, as Snort's ML detections) with an `ml` object naming the
//! model version and the features that contributed most. Each finished flow's features are also
//! handed to [`EventSink::flow_end`], which is how the trainer extracts exactly what the data
//! plane scores.

use std::sync::Arc;

use portcullis_models::spike::{Spike, SpikeConfig, SpikeDetector};
use portcullis_models::{FeatureVector, FlowExtractor, HostTable, Model, PacketInfo, TopFeature};

use super::events::{AlertEvent, EventSink, MlInfo, PacketMeta, RuleInfo};
use super::{packet_meta, FlowAction, FlowState};
use crate::decode::{IpHeader, Packet};
use crate::flow::{Direction, Endpoint, Flow, FlowEnd};
use crate::time::Timestamp;

/// Generator id of every anomaly detection (Snort's ML detections use 411 too).
pub const ML_GID: u32 = 411;
/// Signature id of "anomalous flow" (the model's score exceeded its threshold).
pub const SID_ANOMALOUS_FLOW: u32 = 1;
/// Signature id of a packet-rate spike (global or per destination).
pub const SID_PACKET_SPIKE: u32 = 2;
/// Signature id of a connection-rate spike (global or per destination).
pub const SID_CONNECTION_SPIKE: u32 = 3;

/// What the data plane does with a flow the model finds anomalous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MlAction {
    /// Alert only.
    #[default]
    Alert,
    /// Alert and drop the rest of the flow (inline).
    Drop,
    /// Alert, drop the rest of the flow, and ask the data plane to block the source (carried in
    /// the alert; the block list lives in the data plane).
    BlockSource,
}

impl MlAction {
    /// Name in EVE and configuration: `alert`, `drop`, `block-source`.
    pub fn name(self) -> &'static str {
        match self {
            MlAction::Alert => "alert",
            MlAction::Drop => "drop",
            MlAction::BlockSource => "block-source",
        }
    }
}

/// Feature extraction and scoring settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MlConfig {
    /// Score long flows every this many packets (and always at flow end). 1000 by default: a
    /// bulk transfer is judged within a second or two at line rate, and scoring stays far below
    /// 0.1% of the per-packet work.
    pub score_every: u64,
    /// Action on an anomalous flow.
    pub action: MlAction,
    /// Features listed in an alert's `ml.top_features`.
    pub top_features: usize,
    /// Traffic spike detection (no model needed); `None` turns it off.
    pub spikes: Option<SpikeConfig>,
}

impl Default for MlConfig {
    fn default() -> Self {
        MlConfig {
            score_every: 1000,
            action: MlAction::Alert,
            top_features: 5,
            spikes: None,
        }
    }
}

/// A finished flow and its features, as given to [`EventSink::flow_end`].
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRecord<'a> {
    /// Flow id (EVE `flow_id`).
    pub flow_id: u64,
    /// The side that opened the flow.
    pub client: Endpoint,
    /// The other side.
    pub server: Endpoint,
    /// IP protocol number.
    pub proto: u8,
    /// First packet time.
    pub start: Timestamp,
    /// Last packet time.
    pub last_seen: Timestamp,
    /// Why it ended.
    pub end: FlowEnd,
    /// Raw features (schema order).
    pub features: &'a FeatureVector,
    /// The model's score, when a model is loaded.
    pub score: Option<f64>,
}

/// The per-flow part of the engine's flow state.
#[derive(Debug, Default)]
pub(super) struct FlowMl {
    extractor: Option<Box<FlowExtractor>>,
    alerted: bool,
}

/// The model every worker scores with, replaced whole on reload and read without a lock
/// (`arc-swap`): a flow is scored by whichever model is current at that moment.
pub type ModelSlot = Arc<arc_swap::ArcSwapOption<Model>>;

/// One worker's feature extraction, scoring and spike detection.
pub(super) struct MlEngine {
    cfg: MlConfig,
    hosts: Arc<HostTable>,
    model: ModelSlot,
    spikes: Option<SpikeDetector>,
    spike_buf: Vec<Spike>,
    rules: [RuleInfo; 3],
}

fn rule(sid: u32, msg: &str) -> RuleInfo {
    RuleInfo {
        gid: ML_GID,
        sid,
        rev: 1,
        msg: Arc::from(msg),
        category: Arc::from("Detection of a Network Scan"),
        severity: 2,
    }
}

impl MlEngine {
    pub(super) fn new(cfg: MlConfig, hosts: Arc<HostTable>) -> Self {
        MlEngine {
            spikes: cfg.spikes.map(SpikeDetector::new),
            spike_buf: Vec::new(),
            rules: [
                rule(SID_ANOMALOUS_FLOW, "PORTCULLIS ML anomalous flow"),
                rule(SID_PACKET_SPIKE, "PORTCULLIS ML packet rate spike"),
                rule(SID_CONNECTION_SPIKE, "PORTCULLIS ML connection rate spike"),
            ],
            model: ModelSlot::default(),
            cfg,
            hosts,
        }
    }

    pub(super) fn set_model(&mut self, model: Option<Arc<Model>>) {
        self.model.store(model);
    }

    pub(super) fn share_model(&mut self, slot: ModelSlot) {
        self.model = slot;
    }

    pub(super) fn model_slot(&self) -> ModelSlot {
        Arc::clone(&self.model)
    }

    /// A packet of `flow` (already counted by the flow table). Returns the alerts raised; an
    /// anomalous flow under a drop action (inline) is marked dropped, which the engine applies
    /// to this packet onwards.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_packet(
        &mut self,
        pkt: &Packet<'_>,
        ip: &IpHeader,
        flow: &mut Flow<FlowState>,
        dir: Direction,
        created: bool,
        packet_no: u64,
        inline: bool,
        sink: &mut dyn EventSink,
    ) -> u64 {
        let mut alerts = self.spikes(pkt, ip, flow, dir, created, packet_no, sink);
        let (src_port, dst_port) = pkt.transport.ports();
        let info = PacketInfo {
            ts_us: pkt.ts.0,
            to_server: dir == Direction::ToServer,
            frame_len: u32::try_from(pkt.frame.len()).unwrap_or(u32::MAX),
            payload: pkt.payload,
            tcp_flags: pkt.tcp().map(|t| t.flags),
            proto: ip.proto,
            src: ip.src,
            dst: ip.dst,
            src_port,
            dst_port,
        };
        let state = &mut flow.data.ml;
        if created {
            let mut x = Box::new(FlowExtractor::new(ip.proto, pkt.ts.0));
            x.update(&info);
            let (server, port) = flow.server;
            let snap =
                self.hosts
                    .flow_start(flow.client.0, server, port, x.opened_with_syn(), pkt.ts.0);
            x.merge_host(&snap);
            state.extractor = Some(x);
            return alerts;
        }
        // Flows that began before extraction was turned on stay without features.
        let Some(x) = state.extractor.as_mut() else {
            return alerts;
        };
        x.update(&info);
        let due = self.cfg.score_every > 0 && x.packets() % self.cfg.score_every == 0;
        if !due || state.alerted {
            return alerts;
        }
        let Some(model) = self.model.load_full() else {
            return alerts;
        };
        x.merge_host(&self.hosts.snapshot(flow.client.0, pkt.ts.0));
        let features = x.features();
        let score = model.score(&features);
        if score > model.threshold() {
            state.alerted = true;
            let blocks = inline && self.cfg.action != MlAction::Alert;
            if blocks {
                flow.data.action = FlowAction::Drop;
            }
            let meta = packet_meta(pkt, ip, packet_no, Some((flow, dir)));
            sink.alert(&self.flow_alert(meta, &model, &features, score, blocks));
            alerts += 1;
        }
        alerts
    }

    /// Whether anomalous flows also block the host that opened them.
    pub(super) fn blocks_source(&self) -> bool {
        self.cfg.action == MlAction::BlockSource
    }

    /// A flow ended: score it, alert if anomalous (and not alerted yet), report its features.
    pub(super) fn on_flow_end(
        &mut self,
        flow: &mut Flow<FlowState>,
        packet_no: u64,
        sink: &mut dyn EventSink,
    ) -> u64 {
        let Some(mut x) = flow.data.ml.extractor.take() else {
            return 0;
        };
        let snap = self
            .hosts
            .flow_end(flow.client.0, x.syn_unanswered(), flow.last_seen.0);
        x.merge_host(&snap);
        let features = x.features();
        let model = self.model.load_full();
        let scored = model.as_ref().map(|m| (m, m.score(&features)));
        let mut alerts = 0;
        if let Some((model, score)) = scored.filter(|(m, s)| *s > m.threshold()) {
            if !flow.data.ml.alerted {
                flow.data.ml.alerted = true;
                let meta = flow_meta(flow, packet_no);
                sink.alert(&self.flow_alert(meta, model, &features, score, false));
                alerts = 1;
            }
        }
        sink.flow_end(&FlowRecord {
            flow_id: flow.id,
            client: flow.client,
            server: flow.server,
            proto: flow.proto,
            start: flow.start,
            last_seen: flow.last_seen,
            end: flow.end.unwrap_or(FlowEnd::Shutdown),
            features: &features,
            score: scored.map(|(_, s)| s),
        });
        alerts
    }

    fn flow_alert(
        &self,
        packet: PacketMeta,
        model: &Model,
        features: &FeatureVector,
        score: f64,
        blocked: bool,
    ) -> AlertEvent {
        AlertEvent {
            packet,
            rule: self.rules[0].clone(),
            blocked,
            stream_match: false,
            ml: Some(Box::new(MlInfo {
                score,
                threshold: model.threshold(),
                model_version: Arc::clone(model.version()),
                action: self.cfg.action,
                top_features: model.top_features(features, self.cfg.top_features),
            })),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn spikes(
        &mut self,
        pkt: &Packet<'_>,
        ip: &IpHeader,
        flow: &Flow<FlowState>,
        dir: Direction,
        created: bool,
        packet_no: u64,
        sink: &mut dyn EventSink,
    ) -> u64 {
        let Some(detector) = self.spikes.as_mut() else {
            return 0;
        };
        self.spike_buf.clear();
        detector.on_packet(pkt.ts.0, ip.dst, created, &mut self.spike_buf);
        for s in &self.spike_buf {
            let rule = if s.kind.is_connections() {
                &self.rules[2]
            } else {
                &self.rules[1]
            };
            sink.alert(&AlertEvent {
                packet: packet_meta(pkt, ip, packet_no, Some((flow, dir))),
                rule: rule.clone(),
                blocked: false,
                stream_match: false,
                ml: Some(Box::new(spike_info(s))),
            });
        }
        self.spike_buf.len() as u64
    }
}

/// The `ml` object of a spike alert: the rate, its threshold, the baseline as model version
/// `ewma`, and the rate as the one contributing feature.
fn spike_info(s: &Spike) -> MlInfo {
    MlInfo {
        score: s.value,
        threshold: s.threshold,
        model_version: Arc::from("ewma"),
        action: MlAction::Alert,
        top_features: vec![TopFeature {
            name: s.kind.name(),
            value: s.value,
            z: s.z(),
        }],
    }
}

/// Identity of a finished flow for its alert: client → server, at its last packet.
fn flow_meta(flow: &Flow<FlowState>, packet_no: u64) -> PacketMeta {
    PacketMeta {
        ts: flow.last_seen,
        packet_no,
        flow_id: Some(flow.id),
        src_ip: flow.client.0,
        src_port: flow.client.1,
        dest_ip: flow.server.0,
        dest_port: flow.server.1,
        proto: flow.proto,
        to_server: None,
        flow_pkts: flow.packets,
        flow_bytes: flow.bytes,
        flow_start: flow.start,
    }
}

#[cfg(test)]
mod tests;
