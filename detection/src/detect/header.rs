//! Per-packet checks that need no payload: protocol, `flow` options and header keywords.

use super::FlowContext;
use crate::decode::{Packet, Transport};
use crate::rules::ast::{FlagsMode, FlowOpts, HeaderCheck, RuleProto};

/// Whether the packet's protocol fits the rule header (`ip` fits every IP packet).
pub(crate) fn proto_matches(proto: RuleProto, p: &Packet<'_>) -> bool {
    if p.ip.is_none() {
        return false;
    }
    match proto {
        RuleProto::Ip => true,
        RuleProto::Tcp | RuleProto::TcpPkt | RuleProto::TcpStream => {
            matches!(p.transport, Transport::Tcp(_))
        }
        RuleProto::Udp => matches!(p.transport, Transport::Udp(_)),
        RuleProto::Icmp => matches!(p.transport, Transport::Icmp4(_) | Transport::Icmp6(_)),
        RuleProto::Icmpv4 => matches!(p.transport, Transport::Icmp4(_)),
        RuleProto::Icmpv6 => matches!(p.transport, Transport::Icmp6(_)),
    }
}

/// Whether the `flow` options need a flow to match at all.
pub(crate) fn needs_flow(f: &FlowOpts) -> bool {
    f.established || f.not_established || f.to_server || f.to_client
}

/// Evaluates `flow:` options. `stateless`, `only_stream` and `no_stream` are not checked here
/// (the first always matches, the other two select the inspection pass at build time).
pub(crate) fn flow_matches(f: &FlowOpts, ctx: Option<FlowContext>) -> bool {
    if !needs_flow(f) {
        return true;
    }
    let Some(c) = ctx else { return false };
    (!f.established || c.established)
        && (!f.not_established || !c.established)
        && (!f.to_server || c.direction_to_server)
        && (!f.to_client || !c.direction_to_server)
}

/// Suricata's `flags`/`fragbits` comparison. `plus_needs_more` is Suricata's fragbits quirk:
/// there `+` also requires some bit other than the listed ones.
fn bits_match(have: u8, want: u8, mode: FlagsMode, plus_needs_more: bool) -> bool {
    match mode {
        FlagsMode::Exact => have == want,
        FlagsMode::All => have & want == want && (!plus_needs_more || have != want),
        FlagsMode::Any => have & want != 0,
        FlagsMode::Not => have & want != want,
    }
}

/// Evaluates one header keyword against the packet. A keyword about a layer the packet does
/// not have (e.g. `seq` on UDP) does not match.
pub(crate) fn check_matches(check: &HeaderCheck, p: &Packet<'_>) -> bool {
    let Some(ip) = p.ip.as_ref() else {
        return false;
    };
    let icmp = match &p.transport {
        Transport::Icmp4(h) | Transport::Icmp6(h) => Some(h),
        _ => None,
    };
    match *check {
        HeaderCheck::Ttl(c) => c.matches(u64::from(ip.ttl)),
        HeaderCheck::Tos(v, neg) => (ip.tos == v) != neg,
        HeaderCheck::Id(v) => ip.version == 4 && ip.id == u32::from(v),
        HeaderCheck::IpProto(c) => c.matches(u64::from(ip.proto)),
        HeaderCheck::Fragbits(want, mode) => {
            let have = u8::from(ip.more_fragments)
                | u8::from(ip.dont_fragment) << 1
                | u8::from(ip.reserved_bit) << 2;
            bits_match(have, want, mode, true)
        }
        HeaderCheck::Flags(want, mode, ignore) => p
            .tcp()
            .is_some_and(|t| bits_match(t.flags & !ignore, want, mode, false)),
        HeaderCheck::Seq(v) => p.tcp().is_some_and(|t| t.seq == v),
        HeaderCheck::Ack(v) => p.tcp().is_some_and(|t| t.ack == v),
        HeaderCheck::Window(v, neg) => p.tcp().is_some_and(|t| (t.window == v) != neg),
        HeaderCheck::Itype(c) => icmp.is_some_and(|h| c.matches(u64::from(h.icmp_type))),
        HeaderCheck::Icode(c) => icmp.is_some_and(|h| c.matches(u64::from(h.code))),
        HeaderCheck::IcmpId(v) => icmp.is_some_and(|h| h.id == Some(v)),
        HeaderCheck::IcmpSeq(v) => icmp.is_some_and(|h| h.seq == Some(v)),
        HeaderCheck::Dsize(c) => c.matches(p.payload.len() as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{tcp_flags, IcmpHeader, IpHeader, TcpHeader, UdpHeader};
    use crate::rules::ast::NumCmp;
    use crate::time::Timestamp;

    pub(crate) fn ipv4() -> IpHeader {
        IpHeader {
            version: 4,
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            ttl: 64,
            tos: 0x10,
            id: 4321,
            proto: 6,
            dont_fragment: true,
            more_fragments: false,
            reserved_bit: false,
            fragment_offset: 0,
            header_len: 20,
            offset: 0,
            checksum_ok: None,
        }
    }

    fn tcp_packet(flags: u8) -> Packet<'static> {
        let mut p = Packet::empty(Timestamp(0), &[]);
        p.ip = Some(ipv4());
        p.transport = Transport::Tcp(TcpHeader {
            src_port: 1234,
            dst_port: 80,
            seq: 100,
            ack: 200,
            flags,
            window: 512,
            ..TcpHeader::default()
        });
        p.payload = b"hello";
        p
    }

    #[test]
    fn tcp_flags_modes() {
        use tcp_flags::*;
        let p = tcp_packet(SYN | ACK | ECE);
        let f = |want, mode, ignore| check_matches(&HeaderCheck::Flags(want, mode, ignore), &p);
        assert!(!f(SYN | ACK, FlagsMode::Exact, 0));
        assert!(f(SYN | ACK, FlagsMode::Exact, ECE | CWR));
        assert!(f(SYN, FlagsMode::All, 0));
        assert!(!f(SYN | FIN, FlagsMode::All, 0));
        assert!(f(SYN | FIN, FlagsMode::Any, 0));
        assert!(!f(FIN | RST, FlagsMode::Any, 0));
        assert!(f(SYN | FIN, FlagsMode::Not, 0));
        assert!(!f(SYN, FlagsMode::Not, 0));
        assert_eq!(CWR, 0x80);
        assert_eq!(ECE, 0x40);
    }

    #[test]
    fn fragbits_modes() {
        let p = tcp_packet(0); // DF only
        let f = |want, mode| check_matches(&HeaderCheck::Fragbits(want, mode), &p);
        assert!(f(0x2, FlagsMode::Exact));
        assert!(!f(0x1, FlagsMode::Exact));
        // Suricata's fragbits `+` wants another bit besides the listed ones.
        assert!(!f(0x2, FlagsMode::All));
        assert!(f(0x3, FlagsMode::Any));
        assert!(f(0x1, FlagsMode::Not));
        assert!(!f(0x2, FlagsMode::Not));
    }

    #[test]
    fn ip_and_tcp_fields() {
        let p = tcp_packet(0);
        assert!(check_matches(&HeaderCheck::Ttl(NumCmp::Eq(64)), &p));
        assert!(!check_matches(&HeaderCheck::Ttl(NumCmp::Lt(64)), &p));
        assert!(check_matches(
            &HeaderCheck::Ttl(NumCmp::Between(63, 65)),
            &p
        ));
        assert!(check_matches(&HeaderCheck::Tos(0x10, false), &p));
        assert!(check_matches(&HeaderCheck::Tos(0x08, true), &p));
        assert!(check_matches(&HeaderCheck::Id(4321), &p));
        assert!(check_matches(&HeaderCheck::IpProto(NumCmp::Eq(6)), &p));
        assert!(check_matches(&HeaderCheck::Seq(100), &p));
        assert!(!check_matches(&HeaderCheck::Seq(101), &p));
        assert!(check_matches(&HeaderCheck::Ack(200), &p));
        assert!(check_matches(&HeaderCheck::Window(512, false), &p));
        assert!(!check_matches(&HeaderCheck::Window(512, true), &p));
        assert!(check_matches(&HeaderCheck::Dsize(NumCmp::Eq(5)), &p));
        assert!(!check_matches(&HeaderCheck::Dsize(NumCmp::Gt(5)), &p));
        assert!(!check_matches(&HeaderCheck::Itype(NumCmp::Eq(8)), &p));
    }

    #[test]
    fn icmp_fields_and_missing_layers() {
        let mut p = Packet::empty(Timestamp(0), &[]);
        p.ip = Some(ipv4());
        p.transport = Transport::Icmp4(IcmpHeader {
            icmp_type: 8,
            code: 0,
            id: Some(7),
            seq: Some(9),
            checksum_ok: None,
        });
        assert!(check_matches(&HeaderCheck::Itype(NumCmp::Eq(8)), &p));
        assert!(check_matches(&HeaderCheck::Icode(NumCmp::Lt(1)), &p));
        assert!(check_matches(&HeaderCheck::IcmpId(7), &p));
        assert!(check_matches(&HeaderCheck::IcmpSeq(9), &p));
        assert!(!check_matches(&HeaderCheck::IcmpSeq(8), &p));
        assert!(!check_matches(&HeaderCheck::Seq(0), &p));
        assert!(proto_matches(RuleProto::Icmp, &p));
        assert!(proto_matches(RuleProto::Icmpv4, &p));
        assert!(!proto_matches(RuleProto::Icmpv6, &p));
        assert!(proto_matches(RuleProto::Ip, &p));
        assert!(!proto_matches(RuleProto::Tcp, &p));
        p.transport = Transport::Udp(UdpHeader::default());
        assert!(proto_matches(RuleProto::Udp, &p));
        p.ip = None;
        assert!(!proto_matches(RuleProto::Ip, &p));
    }

    #[test]
    fn flow_options() {
        let est_srv = Some(FlowContext {
            direction_to_server: true,
            established: true,
            stream_active: false,
        });
        let f = FlowOpts {
            established: true,
            to_server: true,
            ..FlowOpts::default()
        };
        assert!(flow_matches(&f, est_srv));
        assert!(!flow_matches(&f, None));
        let cli = FlowOpts {
            to_client: true,
            ..FlowOpts::default()
        };
        assert!(!flow_matches(&cli, est_srv));
        let not_est = FlowOpts {
            not_established: true,
            ..FlowOpts::default()
        };
        assert!(!flow_matches(&not_est, est_srv));
        let stateless = FlowOpts {
            stateless: true,
            ..FlowOpts::default()
        };
        assert!(flow_matches(&stateless, None));
    }
}
