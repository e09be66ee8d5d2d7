//! The flow key (a direction-free 5-tuple plus VLAN) and packet directions.

use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv6Addr};

/// One side of a conversation: an address and a port (0 for protocols without ports).
pub type Endpoint = (IpAddr, u16);

/// Identifies a bidirectional flow: both directions of a conversation produce the same key.
///
/// The two endpoints are stored in a canonical order (the smaller `(address, port)` first), so a
/// reply hashes and compares equal to the request. The outer VLAN id is part of the key so the
/// same tuple on two VLANs stays two flows (Suricata's `vlan.use-for-tracking`; Suricata also
/// keys on the inner tag, Portcullis only on the outer one). ICMP and other port-less protocols
/// use port 0 on both sides, so all ICMP between two hosts is one flow, as in Suricata.
///
/// Every packet builds, hashes and compares a key, so addresses are kept as 128-bit numbers
/// (IPv4 in the IPv4-mapped form, with the family beside them so `::ffff:a.b.c.d` and
/// `a.b.c.d` stay two keys): ordering, hashing and comparing them are a few integer operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowKey {
    /// The canonically smaller endpoint's address, then the larger one's.
    addrs: [u128; 2],
    /// The endpoints' ports, in the order of `addrs`.
    ports: [u16; 2],
    /// Outer VLAN id, 0 when untagged.
    vlan: u16,
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...).
    proto: u8,
    /// True for IPv6 addresses.
    v6: bool,
}

/// An address as a number that orders as the address does within its family.
fn addr_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(a.to_ipv6_mapped()),
        IpAddr::V6(a) => u128::from(a),
    }
}

impl FlowKey {
    /// Builds the key of a packet sent from `src` to `dst`; the order of the two is irrelevant.
    pub fn new(proto: u8, vlan: u16, src: Endpoint, dst: Endpoint) -> Self {
        let s = (addr_bits(src.0), src.1);
        let d = (addr_bits(dst.0), dst.1);
        let (lo, hi) = if s <= d { (s, d) } else { (d, s) };
        FlowKey {
            addrs: [lo.0, hi.0],
            ports: [lo.1, hi.1],
            vlan,
            proto,
            v6: src.0.is_ipv6(),
        }
    }

    /// The IP protocol number.
    pub fn proto(&self) -> u8 {
        self.proto
    }

    /// The outer VLAN id (0 when untagged).
    pub fn vlan(&self) -> u16 {
        self.vlan
    }

    /// The two endpoints, the canonically smaller first.
    pub fn endpoints(&self) -> (Endpoint, Endpoint) {
        let ip = |bits: u128| {
            let v6 = Ipv6Addr::from(bits);
            match v6.to_ipv4_mapped() {
                Some(v4) if !self.v6 => IpAddr::V4(v4),
                _ => IpAddr::V6(v6),
            }
        };
        (
            (ip(self.addrs[0]), self.ports[0]),
            (ip(self.addrs[1]), self.ports[1]),
        )
    }
}

impl Hash for FlowKey {
    /// Three words, whatever the family (a derived hash would feed the hasher field by field).
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u128(self.addrs[0]);
        state.write_u128(self.addrs[1]);
        state.write_u64(
            u64::from(self.ports[0])
                | u64::from(self.ports[1]) << 16
                | u64::from(self.vlan) << 32
                | u64::from(self.proto) << 48
                | u64::from(self.v6) << 56,
        );
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
        assert_eq!(a.endpoints(), (ep(1, 40000), ep(2, 80)));
        assert_eq!(a.proto(), 6);
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
        assert_eq!(same_host.endpoints().0, ep(1, 7));
        // An IPv4 address and its IPv4-mapped IPv6 form are two flows.
        let mapped = |last: u8, port: u16| {
            let v6 = Ipv4Addr::new(10, 0, 0, last).to_ipv6_mapped();
            (IpAddr::V6(v6), port)
        };
        let v6 = FlowKey::new(17, 10, mapped(1, 53), mapped(2, 5353));
        assert_ne!(base, v6);
        assert_eq!(v6.endpoints(), (mapped(1, 53), mapped(2, 5353)));
    }

    #[test]
    fn direction_index_and_reverse() {
        assert_eq!(Direction::ToServer.index(), 0);
        assert_eq!(Direction::ToClient.index(), 1);
        assert_eq!(Direction::ToServer.reverse(), Direction::ToClient);
        assert_eq!(Direction::ToClient.reverse(), Direction::ToServer);
    }
}
