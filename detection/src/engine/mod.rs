//! The per-worker pipeline: decode → flow → reassemble → detect → verdict.
//!
//! One [`Engine`] per worker: it owns its flow table, reassembly memory and matcher scratch, and
//! shares the compiled [`Ruleset`] read-only. The same code runs behind the pcap reader and the
//! DPDK ports, so offline results are inline results.

mod blocklist;
mod events;
mod features;
mod ruleset;
mod stats;
mod verdict;

use std::sync::Arc;

use portcullis_models::{HostConfig, HostTable, Model};

pub use blocklist::BlockList;
pub use events::{AlertEvent, CollectingSink, DropEvent, EventSink, MlInfo, PacketMeta, RuleInfo};
pub use features::{
    FlowRecord, MlAction, MlConfig, ModelSlot, ML_GID, SID_ANOMALOUS_FLOW, SID_CONNECTION_SPIKE,
    SID_PACKET_SPIKE,
};
pub use ruleset::Ruleset;
pub use stats::{DecoderStats, EngineStats, VerdictStats};
pub use verdict::{RejectTarget, Verdict};

use crate::decode::{decode, DecodeOptions, IpHeader, LinkType, Packet};
use crate::detect::{FlowBits, FlowContext, Inspection, Pass, RuleId, Scratch};
use crate::flow::{payload_seq, Direction, Flow, FlowConfig, FlowTable};
use crate::rules::ast::Action;
use crate::stream::{MemBudget, Reassembler, StreamConfig};
use crate::threshold::RuleThresholding;
use crate::time::Timestamp;

/// Everything a worker's engine needs from the configuration.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Decoder switches (checksum validation).
    pub decode: DecodeOptions,
    /// Flow table capacity, timeouts, midstream pickup.
    pub flow: FlowConfig,
    /// Reassembly depth, window, memcap.
    pub stream: StreamConfig,
    /// `stream.checksum-validation`: leave TCP segments with bad checksums out of reassembly.
    pub stream_checksum_validation: bool,
    /// Apply drop and reject verdicts (inline, or `--simulate-ips`).
    pub inline: bool,
    /// Which drop verdicts also block their source, and the shared block list.
    pub block: Option<BlockPolicy>,
}

/// Blocking sources after a verdict: rules listed by sid, or carrying a metadata key, block the
/// source of the packet they dropped for `duration_secs` (inline only).
#[derive(Debug, Clone)]
pub struct BlockPolicy {
    /// The list every worker checks first.
    pub list: Arc<BlockList>,
    /// Seconds a source stays blocked.
    pub duration_secs: u64,
    /// Rules that block, by sid.
    pub sids: Vec<u32>,
    /// Rules that block, by metadata key (`metadata: <key> ...`).
    pub metadata_key: String,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            decode: DecodeOptions::default(),
            flow: FlowConfig::default(),
            stream: StreamConfig::default(),
            stream_checksum_validation: true,
            inline: false,
            block: None,
        }
    }
}

/// What the engine decided about a whole flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum FlowAction {
    /// Inspect every packet.
    #[default]
    Inspect,
    /// A `pass` rule matched: forward the rest without inspection.
    Pass,
    /// Dropped inline: drop the rest.
    Drop,
}

/// The engine's state attached to each flow.
#[derive(Debug, Default)]
pub struct FlowState {
    streams: [Option<Reassembler>; 2],
    flowbits: FlowBits,
    action: FlowAction,
    /// [ml] Feature extractor state.
    ml: features::FlowMl,
}

/// One worker's engine.
pub struct Engine {
    cfg: EngineConfig,
    /// The shared ruleset; `None` only while [`Engine::inspect`] has moved it out, so that
    /// inspecting a packet costs no reference-count traffic on a cache line every worker shares.
    ruleset: Option<Arc<Ruleset>>,
    scratch: Scratch,
    flows: FlowTable<FlowState>,
    stream_mem: MemBudget,
    stats: EngineStats,
    ended: Vec<Flow<FlowState>>,
    matches: Vec<RuleId>,
    stream_matches: Vec<RuleId>,
    last_expire_sec: u64,
    /// Per rule (by `RuleId`): whether its drop blocks the source (see [`BlockPolicy`]).
    blocking_rules: Vec<bool>,
    /// [ml] Feature extraction and scoring, when turned on.
    ml: Option<features::MlEngine>,
}

impl Engine {
    /// A worker engine over a shared ruleset.
    pub fn new(cfg: EngineConfig, ruleset: Arc<Ruleset>) -> Self {
        let blocking_rules = (0..ruleset.len() as u32)
            .map(|i| {
                let rule = ruleset.detect().rule(RuleId(i));
                cfg.block.as_ref().is_some_and(|b| {
                    b.sids.contains(&rule.sid)
                        || rule.metadata.iter().any(|(k, _)| *k == b.metadata_key)
                })
            })
            .collect();
        Engine {
            blocking_rules,
            scratch: ruleset.detect().new_scratch(),
            flows: FlowTable::new(cfg.flow),
            stream_mem: MemBudget::new(cfg.stream.memcap),
            stats: EngineStats::default(),
            ended: Vec::new(),
            matches: Vec::new(),
            stream_matches: Vec::new(),
            last_expire_sec: 0,
            ml: None,
            ruleset: Some(ruleset),
            cfg,
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &EngineStats {
        &self.stats
    }

    /// Turns checksum validation on or off from now on (the offline reader's `auto` mode turns
    /// it off for captures taken with checksum offload).
    pub fn set_checksum_validation(&mut self, on: bool) {
        self.cfg.decode.validate_checksums = on;
        self.cfg.stream_checksum_validation = on;
    }

    /// [ml] Turns on flow feature extraction (and spike detection when configured): finished
    /// flows are reported to [`EventSink::flow_end`]. Workers share one `hosts` table.
    pub fn enable_features(&mut self, cfg: MlConfig, hosts: Arc<HostTable>) {
        let slot = self.ml.take().map(|ml| ml.model_slot());
        let mut ml = features::MlEngine::new(cfg, hosts);
        if let Some(slot) = slot {
            ml.share_model(slot);
        }
        self.ml = Some(ml);
    }

    /// [ml] Scores with whatever model `slot` holds; the data plane shares one slot between
    /// its workers and swaps the model in it on reload, without stopping traffic.
    pub fn share_model(&mut self, slot: ModelSlot) {
        let ml = self.ml.get_or_insert_with(|| {
            let hosts = Arc::new(HostTable::new(HostConfig::default()));
            features::MlEngine::new(MlConfig::default(), hosts)
        });
        ml.share_model(slot);
    }

    /// [ml] Sets the anomaly model scoring flows from now on (`None`: stop scoring). Turns on
    /// feature extraction with defaults and a private host table if it was off.
    pub fn set_model(&mut self, model: Option<Arc<Model>>) {
        let ml = self.ml.get_or_insert_with(|| {
            let hosts = Arc::new(HostTable::new(HostConfig::default()));
            features::MlEngine::new(MlConfig::default(), hosts)
        });
        ml.set_model(model);
    }

    /// Runs one frame through the pipeline and returns its verdict; events go to `sink`.
    pub fn process(
        &mut self,
        link: LinkType,
        ts: Timestamp,
        frame: &[u8],
        sink: &mut dyn EventSink,
    ) -> Verdict {
        let pkt = decode(link, ts, frame, &self.cfg.decode);
        self.stats.decoder.count(&pkt);
        self.expire_flows(ts, sink);
        let verdict = self.inspect(&pkt, sink);
        self.stats.verdicts.count(verdict);
        verdict
    }

    /// Ends the run: every flow still active ends and its resources are released.
    pub fn finish(&mut self, sink: &mut dyn EventSink) {
        let drained = self.flows.drain();
        self.ended.extend(drained);
        self.release_ended(sink);
        self.stats.flow = self.flows.stats();
    }

    fn expire_flows(&mut self, now: Timestamp, sink: &mut dyn EventSink) {
        if now.secs() != self.last_expire_sec {
            self.last_expire_sec = now.secs();
            self.flows.expire(now, &mut self.ended);
            self.stats.flow = self.flows.stats();
        } else {
            self.flows.take_retired(&mut self.ended);
        }
        if !self.ended.is_empty() {
            self.release_ended(sink);
        }
    }

    fn release_ended(&mut self, sink: &mut dyn EventSink) {
        for flow in self.ended.iter_mut() {
            // [ml] Score and report the finished flow.
            if let Some(ml) = self.ml.as_mut() {
                self.stats.detect.alerts += ml.on_flow_end(flow, self.stats.decoder.pkts, sink);
            }
            for stream in flow.data.streams.iter_mut().flatten() {
                stream.release(&mut self.stream_mem);
            }
        }
        self.ended.clear();
    }

    fn inspect(&mut self, pkt: &Packet<'_>, sink: &mut dyn EventSink) -> Verdict {
        let Some(ruleset) = self.ruleset.take() else {
            unreachable!("the ruleset is back in place between packets");
        };
        let verdict = self.inspect_with(pkt, &ruleset, sink);
        self.ruleset = Some(ruleset);
        verdict
    }

    fn inspect_with(
        &mut self,
        pkt: &Packet<'_>,
        ruleset: &Ruleset,
        sink: &mut dyn EventSink,
    ) -> Verdict {
        let Some(ip) = pkt.ip.as_ref() else {
            return Verdict::Pass;
        };
        if let Some(policy) = self.cfg.block.as_ref().filter(|_| self.cfg.inline) {
            if policy.list.is_blocked(ip.src, pkt.ts) {
                self.stats.verdicts.blocked_source += 1;
                let meta = packet_meta(pkt, ip, self.stats.decoder.pkts, None);
                sink.drop_packet(&drop_event(pkt, ip, meta, None, true));
                return Verdict::Drop;
            }
        }
        let tcp_checksum_bad = self.cfg.stream_checksum_validation
            && pkt.tcp().is_some_and(|t| t.checksum_ok == Some(false));
        if tcp_checksum_bad {
            self.stats.tcp.invalid_checksum += 1;
        }
        let Some(lookup) = self.flows.lookup(pkt) else {
            // No flow (table full and nothing evictable): inspect the packet on its own.
            return self.inspect_stateless(pkt, ip, ruleset, sink);
        };
        let dir = lookup.dir;
        let flow = lookup.flow;
        if lookup.created && flow.proto == 6 {
            self.stats.tcp.sessions += 1;
        }
        self.stats.tcp.count_events(&lookup.tcp);
        // [ml] Flow features, scoring every N packets, spikes (may mark the flow dropped).
        if let Some(ml) = self.ml.as_mut() {
            let (no, inline) = (self.stats.decoder.pkts, self.cfg.inline);
            let created = lookup.created;
            let was_dropped = flow.data.action == FlowAction::Drop;
            self.stats.detect.alerts += ml.on_packet(pkt, ip, flow, dir, created, no, inline, sink);
            // An anomalous flow whose action is block-source blocks the host that opened it.
            if !was_dropped && flow.data.action == FlowAction::Drop && ml.blocks_source() {
                if let Some(policy) = &self.cfg.block {
                    let until = Timestamp(pkt.ts.0 + policy.duration_secs * 1_000_000);
                    policy.list.block(flow.client.0, pkt.ts, until);
                }
            }
        }
        match flow.data.action {
            FlowAction::Pass => return Verdict::Pass,
            FlowAction::Drop if self.cfg.inline => {
                let meta = packet_meta(pkt, ip, self.stats.decoder.pkts, Some((flow, dir)));
                sink.drop_packet(&drop_event(pkt, ip, meta, None, false));
                return Verdict::Drop;
            }
            _ => {}
        }

        // Reassembly of this direction.
        let mut stream_active = false;
        if let Some(tcp) = pkt.tcp() {
            if lookup.tcp.isn_changed {
                if let Some(old) = flow.data.streams[dir.index()].as_mut() {
                    old.release(&mut self.stream_mem);
                }
                flow.data.streams[dir.index()] = None;
            }
            // A segment left out of reassembly (bad checksum) is inspected on its own, as
            // Suricata inspects packets the stream engine did not take.
            if flow.tcp.reassembly_allowed(dir) && !tcp_checksum_bad {
                stream_active = true;
                if !pkt.payload.is_empty() {
                    let start = flow.tcp.stream_start(dir).unwrap_or(payload_seq(tcp));
                    let cfg = &self.cfg.stream;
                    let stream = flow.data.streams[dir.index()]
                        .get_or_insert_with(|| Reassembler::new(start, cfg));
                    stream.insert(
                        payload_seq(tcp),
                        pkt.payload,
                        &mut self.stream_mem,
                        &mut self.stats.stream,
                    );
                }
            }
        }

        let ctx = FlowContext {
            direction_to_server: dir == Direction::ToServer,
            established: flow.is_established(),
            stream_active,
        };
        self.matches.clear();
        ruleset.detect().inspect(
            &mut self.scratch,
            &Inspection {
                packet: pkt,
                flow: Some(ctx),
                pass: Pass::Packet,
            },
            Some(&mut flow.data.flowbits),
            &mut self.matches,
        );
        self.stream_matches.clear();
        if let Some(stream) = flow.data.streams[dir.index()].as_mut() {
            if stream.has_new_data() {
                let w = stream.window();
                ruleset.detect().inspect(
                    &mut self.scratch,
                    &Inspection {
                        packet: pkt,
                        flow: Some(ctx),
                        pass: Pass::Stream {
                            data: w.data,
                            base_offset: w.base_offset,
                            new_from: w.new_from,
                        },
                    },
                    Some(&mut flow.data.flowbits),
                    &mut self.stream_matches,
                );
                stream.mark_inspected(&mut self.stream_mem);
            }
        }
        if self.matches.is_empty() && self.stream_matches.is_empty() {
            return Verdict::Pass;
        }
        let meta = packet_meta(pkt, ip, self.stats.decoder.pkts, Some((flow, dir)));
        let decision = apply_matches(
            ruleset,
            &self.matches,
            &self.stream_matches,
            self.cfg.inline,
            &meta,
            sink,
        );
        self.stats.detect.alerts += decision.alerts;
        if decision.passed {
            flow.data.action = FlowAction::Pass;
        }
        if let Some((id, rule)) = decision.dropped_by {
            flow.data.action = FlowAction::Drop;
            self.block_source(id, ip, pkt.ts);
            sink.drop_packet(&drop_event(pkt, ip, meta, Some(rule), false));
        }
        decision.verdict
    }

    /// Blocks the packet's source when rule `id` is a blocking rule.
    fn block_source(&self, id: RuleId, ip: &IpHeader, now: Timestamp) {
        if let Some(policy) = &self.cfg.block {
            if self.blocking_rules[id.0 as usize] {
                let until = Timestamp(now.0 + policy.duration_secs * 1_000_000);
                policy.list.block(ip.src, now, until);
            }
        }
    }

    fn inspect_stateless(
        &mut self,
        pkt: &Packet<'_>,
        ip: &IpHeader,
        ruleset: &Ruleset,
        sink: &mut dyn EventSink,
    ) -> Verdict {
        self.matches.clear();
        ruleset.detect().inspect(
            &mut self.scratch,
            &Inspection {
                packet: pkt,
                flow: None,
                pass: Pass::Packet,
            },
            None,
            &mut self.matches,
        );
        if self.matches.is_empty() {
            return Verdict::Pass;
        }
        let meta = packet_meta(pkt, ip, self.stats.decoder.pkts, None);
        let decision = apply_matches(ruleset, &self.matches, &[], self.cfg.inline, &meta, sink);
        self.stats.detect.alerts += decision.alerts;
        if let Some((id, rule)) = decision.dropped_by {
            self.block_source(id, ip, pkt.ts);
            sink.drop_packet(&drop_event(pkt, ip, meta, Some(rule), false));
        }
        decision.verdict
    }
}

/// The outcome of a packet's matches.
struct Decision {
    verdict: Verdict,
    /// A `pass` rule matched: the rest of the flow goes uninspected.
    passed: bool,
    /// The drop or reject rule that stopped the packet (inline only).
    dropped_by: Option<(RuleId, RuleInfo)>,
    alerts: u64,
}

/// Applies matched rules in signature order: a `pass` stops everything after it; drop and
/// reject stop the packet when inline; every rule not marked `noalert` raises an alert.
fn apply_matches(
    ruleset: &Ruleset,
    packet_matches: &[RuleId],
    stream_matches: &[RuleId],
    inline: bool,
    meta: &PacketMeta,
    sink: &mut dyn EventSink,
) -> Decision {
    let mut decision = Decision {
        verdict: Verdict::Pass,
        passed: false,
        dropped_by: None,
        alerts: 0,
    };
    let mut all: Vec<(RuleId, bool)> = packet_matches
        .iter()
        .map(|&id| (id, false))
        .chain(stream_matches.iter().map(|&id| (id, true)))
        .collect();
    all.sort_by_key(|&(id, stream)| (id, stream));
    all.dedup_by_key(|&mut (id, _)| id);
    for (id, stream_match) in all {
        let rule = ruleset.detect().rule(id);
        let (mut action, mut alert) = (rule.action, !rule.noalert);
        if ruleset.is_thresholded(id) {
            let outcome = ruleset.hosts().on_match(
                RuleThresholding::from(rule),
                meta.src_ip,
                meta.dest_ip,
                meta.ts,
            );
            match outcome.action(rule.action) {
                Some(a) => action = a,
                None => continue,
            }
            alert &= outcome.alerts();
        }
        if action == Action::Pass {
            decision.passed = true;
            break;
        }
        let blocks = inline && action.is_drop();
        if blocks && decision.dropped_by.is_none() {
            decision.verdict = verdict_of(action);
            decision.dropped_by = Some((id, ruleset.info(id).clone()));
        }
        if alert {
            decision.alerts += 1;
            sink.alert(&AlertEvent {
                packet: meta.clone(),
                rule: ruleset.info(id).clone(),
                blocked: blocks,
                stream_match,
                ml: None,
            });
        }
    }
    decision
}

fn verdict_of(action: Action) -> Verdict {
    match action {
        Action::Drop => Verdict::Drop,
        Action::Reject | Action::RejectSrc => Verdict::Reject(RejectTarget::Source),
        Action::RejectDst => Verdict::Reject(RejectTarget::Destination),
        Action::RejectBoth => Verdict::Reject(RejectTarget::Both),
        Action::Alert | Action::Pass => Verdict::Pass,
    }
}

fn packet_meta(
    pkt: &Packet<'_>,
    ip: &IpHeader,
    packet_no: u64,
    flow: Option<(&Flow<FlowState>, Direction)>,
) -> PacketMeta {
    let (src_port, dest_port) = pkt.transport.ports();
    PacketMeta {
        ts: pkt.ts,
        packet_no,
        flow_id: flow.map(|(f, _)| f.id),
        src_ip: ip.src,
        src_port,
        dest_ip: ip.dst,
        dest_port,
        proto: ip.proto,
        to_server: flow.map(|(_, d)| d == Direction::ToServer),
        flow_pkts: flow.map_or([0; 2], |(f, _)| f.packets),
        flow_bytes: flow.map_or([0; 2], |(f, _)| f.bytes),
        flow_start: flow.map_or(pkt.ts, |(f, _)| f.start),
    }
}

fn drop_event(
    pkt: &Packet<'_>,
    ip: &IpHeader,
    meta: PacketMeta,
    rule: Option<RuleInfo>,
    source_blocked: bool,
) -> DropEvent {
    DropEvent {
        packet: meta,
        len: pkt.frame.len(),
        ttl: ip.ttl,
        tos: ip.tos,
        ip_id: ip.id,
        tcp: pkt.tcp().map(|t| (t.seq, t.ack, t.window, t.flags)),
        rule,
        source_blocked,
    }
}

#[cfg(test)]
mod tests;
