//! Flow table settings: capacity (memcap), per-protocol timeouts and midstream pickup.

/// Bytes one flow is assumed to cost when a byte memcap is turned into a flow count.
///
/// It covers the flow record with its TCP tracker, its hash-map entry and LRU links, plus a
/// typical amount of per-flow engine state (a few hundred bytes). Reassembly buffers are not
/// included: they have their own memcap (`stream.reassembly.memcap`).
pub const FLOW_MEMORY_COST: u64 = 512;

/// Suricata's default `flow.memcap` (32 MiB).
pub const DEFAULT_FLOW_MEMCAP: u64 = 32 * 1024 * 1024;

/// Timeouts, in seconds, for one protocol in each life phase of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoTimeouts {
    /// Not yet established: TCP before the handshake completes, others before a reply.
    pub new: u32,
    /// Established: TCP after the handshake (including half-closed), others once both
    /// directions have been seen.
    pub established: u32,
    /// Closed: TCP after RST, or once both sides sent FIN. Unused for other protocols.
    pub closed: u32,
}

/// Per-protocol timeouts (Suricata's `flow-timeouts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowTimeouts {
    /// TCP (Suricata default 60 / 600 / 60).
    pub tcp: ProtoTimeouts,
    /// UDP (30 / 300).
    pub udp: ProtoTimeouts,
    /// ICMP and ICMPv6 (30 / 300).
    pub icmp: ProtoTimeouts,
    /// Every other IP protocol (30 / 300).
    pub other: ProtoTimeouts,
}

impl Default for FlowTimeouts {
    fn default() -> Self {
        let connectionless = ProtoTimeouts {
            new: 30,
            established: 300,
            closed: 0,
        };
        FlowTimeouts {
            tcp: ProtoTimeouts {
                new: 60,
                established: 600,
                closed: 60,
            },
            udp: connectionless,
            icmp: connectionless,
            other: connectionless,
        }
    }
}

/// Everything the flow table needs to know from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowConfig {
    /// Most flows held at once; a new flow beyond it evicts the least recently seen one.
    pub max_flows: usize,
    /// Idle timeouts per protocol and phase.
    pub timeouts: FlowTimeouts,
    /// `stream.midstream`: track TCP sessions whose handshake was not seen as established.
    pub midstream: bool,
}

impl FlowConfig {
    /// A configuration whose capacity is `memcap_bytes / FLOW_MEMORY_COST` flows (at least
    /// one), with default timeouts and midstream pickup off.
    pub fn from_memcap(memcap_bytes: u64) -> Self {
        let flows = (memcap_bytes / FLOW_MEMORY_COST).max(1);
        FlowConfig {
            max_flows: usize::try_from(flows).unwrap_or(usize::MAX),
            timeouts: FlowTimeouts::default(),
            midstream: false,
        }
    }
}

impl Default for FlowConfig {
    /// Suricata's defaults: a 32 MiB memcap (65536 flows), its timeouts, no midstream pickup.
    fn default() -> Self {
        FlowConfig::from_memcap(DEFAULT_FLOW_MEMCAP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_suricata() {
        let cfg = FlowConfig::default();
        assert_eq!(cfg.max_flows, 65536);
        assert!(!cfg.midstream);
        assert_eq!(
            cfg.timeouts.tcp,
            ProtoTimeouts {
                new: 60,
                established: 600,
                closed: 60
            }
        );
        assert_eq!(cfg.timeouts.udp.new, 30);
        assert_eq!(cfg.timeouts.udp.established, 300);
        assert_eq!(cfg.timeouts.icmp.established, 300);
        assert_eq!(cfg.timeouts.other.new, 30);
    }

    #[test]
    fn memcap_converts_to_flow_count() {
        assert_eq!(FlowConfig::from_memcap(1024 * 1024).max_flows, 2048);
        assert_eq!(FlowConfig::from_memcap(1000).max_flows, 1);
        assert_eq!(FlowConfig::from_memcap(0).max_flows, 1);
    }
}
