//! The flow key (a direction-free 5-tuple plus VLAN) and packet directions.

use std::net::IpAddr;

/// One side of a conversation: an address and a port (0 for protocols without ports).
pub type Endpoint = (IpAddr, u16);

/// Identifies a bidirectional flow: both directions of a conversation produce the same key.
///
/// The two endpoints are stored in a canonical order (the smaller `(IpAddr, u16)` first), so a
/// reply hashes and compares equal to the request. The outer VLAN id is part of the key so the
/// same tuple on two VLANs stays two flows (Suricata's `vlan.use-for-tracking`; Suricata also
/// keys on the inner tag, Portcullis only on the outer one). ICMP and other port-less protocols
/// use port 0 on both sides, so all ICMP between two hosts is one flow, as in Suricata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...).
    pub proto: u8,
    /// Outer VLAN id, 0 when untagged.
    pub vlan: u16,
    /// The canonically smaller endpoint.
    pub lo: Endpoint,
    /// The canonically larger endpoint.
    pub hi: Endpoint,
}

impl FlowKey {
    /// Builds the key of a packet sent from `src` to `dst`; the order of the two is irrelevant.
    pub fn new(proto: u8, vlan: u16, src: Endpoint, dst: Endpoint) -> Self {
        let (lo, hi) = if src <= dst { (src, dst) } else { (dst, src) };
        FlowKey {
            proto,
            vlan,
            lo,
            hi,
        }
    }
}

/// Which way a packet travels inside its flow, relative to the side that opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the client (the opener) to the server.
    ToServer,
    /// From the server back to the client.
    ToClient,
}

impl Direction {
    /// Index for per-direction arrays: 0 for `ToServer`, 1 for `ToClient`.
    pub fn index(self) -> usize {
        match self {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        }
    }

    /// The opposite direction (the peer's side of a conversation).
    pub fn reverse(self) -> Self {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ep(last: u8, port: u16) -> Endpoint {
        (IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)), port)
    }

    #[test]
    fn key_is_symmetric() {
        let a = FlowKey::new(6, 0, ep(1, 40000), ep(2, 80));
        let b = FlowKey::new(6, 0, ep(2, 80), ep(1, 40000));
        assert_eq!(a, b);
        assert_eq!(a.lo, ep(1, 40000));
        assert_eq!(a.hi, ep(2, 80));
        let state = ahash::RandomState::with_seeds(1, 2, 3, 4);
        assert_eq!(state.hash_one(a), state.hash_one(b));
    }

    #[test]
    fn key_separates_vlan_proto_and_ports() {
        let base = FlowKey::new(17, 10, ep(1, 53), ep(2, 5353));
        assert_ne!(base, FlowKey::new(17, 11, ep(1, 53), ep(2, 5353)));
        assert_ne!(base, FlowKey::new(6, 10, ep(1, 53), ep(2, 5353)));
        assert_ne!(base, FlowKey::new(17, 10, ep(1, 54), ep(2, 5353)));
        // Same address, ports ordered: still symmetric.
        let same_host = FlowKey::new(17, 0, ep(1, 9), ep(1, 7));
        assert_eq!(same_host, FlowKey::new(17, 0, ep(1, 7), ep(1, 9)));
        assert_eq!(same_host.lo, ep(1, 7));
    }

    #[test]
    fn direction_index_and_reverse() {
        assert_eq!(Direction::ToServer.index(), 0);
        assert_eq!(Direction::ToClient.index(), 1);
        assert_eq!(Direction::ToServer.reverse(), Direction::ToClient);
        assert_eq!(Direction::ToClient.reverse(), Direction::ToServer);
    }
}
