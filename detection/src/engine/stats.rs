//! Counters of one worker's engine, named as Suricata's `stats` event names them so dashboards
//! built for Suricata read ours.

use serde_json::{json, Map, Value};

use super::Verdict;
use crate::decode::{DecodeEvent, Packet, Transport};
use crate::flow::{FlowStats, TcpEvents};
use crate::stream::StreamStats;

/// Decoder counters (`decoder.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecoderStats {
    /// Frames processed.
    pub pkts: u64,
    /// Bytes processed.
    pub bytes: u64,
    /// IPv4 packets.
    pub ipv4: u64,
    /// IPv6 packets.
    pub ipv6: u64,
    /// Frames with at least one VLAN tag.
    pub vlan: u64,
    /// Frames with two VLAN tags.
    pub vlan_qinq: u64,
    /// TCP packets.
    pub tcp: u64,
    /// UDP packets.
    pub udp: u64,
    /// ICMPv4 packets.
    pub icmpv4: u64,
    /// ICMPv6 packets.
    pub icmpv6: u64,
    /// Frames that carried no IP.
    pub non_ip: u64,
    /// Frames with at least one decoder event.
    pub invalid: u64,
    /// Decoder events, indexed like [`DecodeEvent::ALL`].
    pub events: [u64; DecodeEvent::ALL.len()],
}

impl DecoderStats {
    /// Counts one decoded frame.
    pub fn count(&mut self, pkt: &Packet<'_>) {
        self.pkts += 1;
        self.bytes += pkt.frame.len() as u64;
        match pkt.ip.map(|ip| ip.version) {
            Some(4) => self.ipv4 += 1,
            Some(6) => self.ipv6 += 1,
            _ => self.non_ip += 1,
        }
        if pkt.vlan_count > 0 {
            self.vlan += 1;
        }
        if pkt.vlan_count > 1 {
            self.vlan_qinq += 1;
        }
        match pkt.transport {
            Transport::Tcp(_) => self.tcp += 1,
            Transport::Udp(_) => self.udp += 1,
            Transport::Icmp4(_) => self.icmpv4 += 1,
            Transport::Icmp6(_) => self.icmpv6 += 1,
            Transport::None | Transport::Other(_) => {}
        }
        if !pkt.events.is_empty() {
            self.invalid += 1;
            for event in pkt.events.iter() {
                self.events[event as usize] += 1;
            }
        }
    }

    /// How often `event` was raised.
    pub fn event(&self, event: DecodeEvent) -> u64 {
        self.events[event as usize]
    }
}

/// TCP session counters (`tcp.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcpStats {
    /// TCP flows created.
    pub sessions: u64,
    /// Handshakes completed.
    pub handshakes: u64,
    /// Sessions picked up midstream.
    pub midstream_pickups: u64,
    /// SYN or SYN/ACK retransmissions.
    pub syn_retransmits: u64,
    /// Segments left out of stream tracking for a bad checksum.
    pub invalid_checksum: u64,
    /// Sessions closed by RST or both FINs.
    pub closed: u64,
}

impl TcpStats {
    /// Counts what one segment did to its connection.
    pub fn count_events(&mut self, ev: &TcpEvents) {
        self.handshakes += u64::from(ev.handshake_completed);
        self.midstream_pickups += u64::from(ev.midstream_pickup);
        self.syn_retransmits += u64::from(ev.syn_retransmit);
        self.closed += u64::from(ev.closed);
    }
}

/// Detection counters (`detect.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetectStats {
    /// Alerts raised.
    pub alerts: u64,
}

/// What happened to packets (`ips.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerdictStats {
    /// Forwarded.
    pub accepted: u64,
    /// Dropped (including rejected).
    pub dropped: u64,
    /// Of the dropped, those answered with a reject.
    pub rejected: u64,
    /// Of the dropped, those whose source was on the block list.
    pub blocked_source: u64,
}

impl VerdictStats {
    /// Counts one verdict.
    pub fn count(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Pass => self.accepted += 1,
            Verdict::Drop => self.dropped += 1,
            Verdict::Reject(_) => {
                self.dropped += 1;
                self.rejected += 1;
            }
        }
    }
}

/// Every counter of one engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Decoder.
    pub decoder: DecoderStats,
    /// Flow table (refreshed every second of packet time and at the end of a run).
    pub flow: FlowStats,
    /// Reassembly.
    pub stream: StreamStats,
    /// TCP sessions.
    pub tcp: TcpStats,
    /// Detection.
    pub detect: DetectStats,
    /// Verdicts.
    pub verdicts: VerdictStats,
}

impl EngineStats {
    /// Packets whose IPv4, TCP, UDP or ICMP checksum was invalid (when validated).
    pub fn invalid_checksums(&self) -> u64 {
        [
            DecodeEvent::Ipv4ChecksumInvalid,
            DecodeEvent::TcpChecksumInvalid,
            DecodeEvent::UdpChecksumInvalid,
            DecodeEvent::Icmpv4ChecksumInvalid,
            DecodeEvent::Icmpv6ChecksumInvalid,
        ]
        .into_iter()
        .map(|e| self.decoder.event(e))
        .sum()
    }

    /// The counters as the `stats` object of Suricata's EVE `stats` event.
    pub fn to_json(&self) -> Value {
        let d = &self.decoder;
        let mut events = Map::new();
        for event in DecodeEvent::ALL {
            let n = d.event(event);
            if n > 0 {
                let (group, name) = event.name().split_once('.').unwrap_or(("", event.name()));
                let entry = events
                    .entry(group.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = entry {
                    m.insert(name.to_string(), n.into());
                }
            }
        }
        let f = &self.flow;
        let s = &self.stream;
        let t = &self.tcp;
        json!({
            "decoder": {
                "pkts": d.pkts, "bytes": d.bytes, "invalid": d.invalid,
                "ipv4": d.ipv4, "ipv6": d.ipv6, "vlan": d.vlan, "vlan_qinq": d.vlan_qinq,
                "tcp": d.tcp, "udp": d.udp, "icmpv4": d.icmpv4, "icmpv6": d.icmpv6,
                "non_ip": d.non_ip,
                "event": Value::Object(events),
            },
            "flow": {
                "total": f.created, "tcp": f.tcp, "udp": f.udp, "icmp": f.icmp, "other": f.other,
                "active": f.active, "timeout": f.expired, "evicted": f.evicted,
                "reused": f.reused, "memcap": f.memcap_drops,
            },
            "tcp": {
                "sessions": t.sessions, "handshakes": t.handshakes,
                "midstream_pickups": t.midstream_pickups, "syn_retransmits": t.syn_retransmits,
                "invalid_checksum": t.invalid_checksum, "closed": t.closed,
                "segments": s.segments, "reassembled_bytes": s.in_order_bytes,
                "ooo_segments": s.ooo_segments, "retransmissions": s.retransmissions,
                "overlap": s.overlaps, "overlap_diff_data": s.overlap_diffs,
                "segment_memcap_drop": s.memcap_drops, "reassembly_depth_reached": s.depth_reached,
            },
            "detect": { "alert": self.detect.alerts },
            "ips": {
                "accepted": self.verdicts.accepted,
                "blocked": self.verdicts.dropped,
                "rejected": self.verdicts.rejected,
                "blocked_source": self.verdicts.blocked_source,
            },
        })
    }
}
