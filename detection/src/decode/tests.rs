//! End-to-end tests of `decode()` with exact field values. Packets come from etherparse's
//! `PacketBuilder` (so checksums are computed independently of our `checksum.rs`) or are
//! written out byte by byte where the builder cannot express them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use etherparse::{
    ip_number, IpFragOffset, IpHeaders, Ipv4Header, Ipv4Options, PacketBuilder, TcpOptionElement,
    VlanId,
};

use super::*;
use crate::time::Timestamp;

const MAC_A: [u8; 6] = [2, 0, 0, 0, 0, 1];
const MAC_B: [u8; 6] = [2, 0, 0, 0, 0, 2];
const V4_A: [u8; 4] = [10, 0, 0, 1];
const V4_B: [u8; 4] = [10, 0, 0, 2];
const V6_A: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6_B: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

const VALIDATE: DecodeOptions = DecodeOptions {
    validate_checksums: true,
};
const NO_VALIDATE: DecodeOptions = DecodeOptions {
    validate_checksums: false,
};

fn dec(link: LinkType, frame: &[u8]) -> Packet<'_> {
    decode(link, Timestamp(7), frame, &VALIDATE)
}

fn events(p: &Packet<'_>) -> Vec<DecodeEvent> {
    p.events.iter().collect()
}

/// An IPv4 header with a router-alert option, id 0x1234, DF clear, TOS 0xb8.
fn ipv4_with_option(proto: etherparse::IpNumber, options: &[u8]) -> IpHeaders {
    let mut h = Ipv4Header::new(0, 64, proto, V4_A, V4_B).expect("valid header");
    h.identification = 0x1234;
    h.dont_fragment = false;
    h.dscp = etherparse::Ipv4Dscp::try_new(46).expect("dscp");
    h.options = Ipv4Options::try_from(options).expect("options");
    IpHeaders::Ipv4(h, Default::default())
}

/// Ethernet / IPv4 (router alert) / TCP SYN-ACK with MSS, NOP, WS, SACK-permitted, TS / "hello".
fn eth_ipv4_tcp() -> Vec<u8> {
    let mut out = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ip(ipv4_with_option(ip_number::TCP, &[148, 4, 0, 0]))
        .tcp(40000, 80, 1000, 65535)
        .syn()
        .ack(77)
        .options(&[
            TcpOptionElement::MaximumSegmentSize(1460),
            TcpOptionElement::Noop,
            TcpOptionElement::WindowScale(7),
            TcpOptionElement::SelectiveAcknowledgementPermitted,
            TcpOptionElement::Timestamp(100, 200),
        ])
        .expect("options fit")
        .write(&mut out, b"hello")
        .expect("write");
    out
}

fn ipv4_udp(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    PacketBuilder::ipv4(V4_A, V4_B, 32)
        .udp(5353, 53)
        .write(&mut out, payload)
        .expect("write");
    out
}

fn ipv6_udp(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    PacketBuilder::ipv6(V6_A, V6_B, 9)
        .udp(5353, 53)
        .write(&mut out, payload)
        .expect("write");
    out
}

fn eth(ether_type: u16, l3: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAC_B);
    out.extend_from_slice(&MAC_A);
    out.extend_from_slice(&ether_type.to_be_bytes());
    out.extend_from_slice(l3);
    out
}

#[test]
fn ethernet_ipv4_tcp_with_options_and_payload() {
    let frame = eth_ipv4_tcp();
    assert_eq!(frame.len(), 14 + 24 + 40 + 5);
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(p.ts, Timestamp(7));
    assert_eq!((p.vlan_count, p.ether_type), (0, 0x0800));
    assert_eq!(
        p.ip,
        Some(IpHeader {
            version: 4,
            src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            dst: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
            ttl: 64,
            tos: 46 << 2,
            id: 0x1234,
            proto: 6,
            dont_fragment: false,
            more_fragments: false,
            reserved_bit: false,
            fragment_offset: 0,
            header_len: 24,
            offset: 14,
            checksum_ok: Some(true),
        })
    );
    assert_eq!(
        p.transport,
        Transport::Tcp(TcpHeader {
            src_port: 40000,
            dst_port: 80,
            seq: 1000,
            ack: 77,
            flags: tcp_flags::SYN | tcp_flags::ACK,
            window: 65535,
            urgent: 0,
            header_len: 40,
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamp: Some((100, 200)),
            checksum_ok: Some(true),
        })
    );
    assert_eq!(p.payload, b"hello");
    assert_eq!(p.payload_offset, 78);
    assert_eq!(p.transport.ports(), (40000, 80));
}

#[test]
fn packet_accessors() {
    let frame = eth_ipv4_tcp();
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(p.src_ip(), Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))));
    assert_eq!(p.dst_ip(), Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2))));
    assert_eq!(p.proto(), 6);
    assert_eq!(p.tcp().map(|t| t.seq), Some(1000));

    let arp = eth(0x0806, &[0; 28]);
    let p = dec(LinkType::Ethernet, &arp);
    assert_eq!((p.src_ip(), p.dst_ip(), p.proto()), (None, None, 0));
    assert_eq!((p.ether_type, events(&p)), (0x0806, vec![]));
    assert_eq!((p.payload, p.transport), (&[][..], Transport::None));
}

#[test]
fn single_vlan() {
    let mut frame = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .single_vlan(VlanId::try_new(100).expect("vid"))
        .ipv4(V4_A, V4_B, 64)
        .udp(1, 2)
        .write(&mut frame, b"xy")
        .expect("write");
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!((p.vlan, p.vlan_count, p.ether_type), ([100, 0], 1, 0x0800));
    assert_eq!(p.ip.map(|ip| ip.offset), Some(18));
    assert_eq!((p.payload, p.payload_offset), (&b"xy"[..], 18 + 20 + 8));
}

#[test]
fn qinq_and_too_many_layers() {
    let mut frame = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .double_vlan(
            VlanId::try_new(100).expect("vid"),
            VlanId::try_new(200).expect("vid"),
        )
        .ipv4(V4_A, V4_B, 64)
        .udp(1, 2)
        .write(&mut frame, b"xy")
        .expect("write");
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(
        (p.vlan, p.vlan_count, p.ether_type),
        ([100, 200], 2, 0x0800)
    );
    assert_eq!(p.ip.map(|ip| ip.offset), Some(22));
    assert_eq!(p.payload, b"xy");

    // A third tag (802.1ad outer, two 802.1Q) is counted but skipped.
    let mut l2 = Vec::new();
    for (vid, next) in [(100u16, 0x8100u16), (200, 0x8100), (300, 0x0800)] {
        l2.extend_from_slice(&vid.to_be_bytes());
        l2.extend_from_slice(&next.to_be_bytes());
    }
    l2.extend_from_slice(&ipv4_udp(b"z"));
    let frame = eth(0x88a8, &l2);
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![DecodeEvent::VlanTooManyLayers]);
    assert_eq!(
        (p.vlan, p.vlan_count, p.ether_type),
        ([100, 200], 2, 0x0800)
    );
    assert_eq!(p.ip.map(|ip| ip.offset), Some(26));
    assert_eq!((p.payload, p.payload_offset), (&b"z"[..], 26 + 28));
}

#[test]
fn vlan_truncated() {
    let frame = eth(0x8100, &[0, 100]);
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![DecodeEvent::VlanTruncated]);
    assert_eq!((p.vlan_count, p.ether_type, p.ip), (0, 0x8100, None));
}

/// IPv6 / hop-by-hop (PadN) / fragment (offset, M, id 0xdeadbeef) / UDP, written by hand.
fn ipv6_hbh_frag_udp(offset_units: u16, more: bool, udp_and_data: &[u8]) -> Vec<u8> {
    let mut ext = vec![44, 0, 1, 4, 0, 0, 0, 0]; // hop-by-hop: next = fragment, PadN(4)
    let flags = (offset_units << 3) | u16::from(more);
    ext.extend_from_slice(&[17, 0]); // fragment: next = UDP
    ext.extend_from_slice(&flags.to_be_bytes());
    ext.extend_from_slice(&0xdead_beef_u32.to_be_bytes());
    let payload_len = u16::try_from(ext.len() + udp_and_data.len()).expect("small");
    let mut ip = vec![0x60, 0, 0, 0];
    ip.extend_from_slice(&payload_len.to_be_bytes());
    ip.extend_from_slice(&[0, 64]); // next = hop-by-hop, hop limit 64
    ip.extend_from_slice(&V6_A);
    ip.extend_from_slice(&V6_B);
    ip.extend_from_slice(&ext);
    ip.extend_from_slice(udp_and_data);
    eth(0x86dd, &ip)
}

#[test]
fn ipv6_extension_headers_and_fragments() {
    // First fragment: UDP header (length 100 covers the whole datagram, bogus checksum) + 8.
    let mut udp = vec![0x04, 0xd2, 0, 53, 0, 100, 0xab, 0xcd];
    udp.extend_from_slice(b"abcdefgh");
    let frame = ipv6_hbh_frag_udp(0, true, &udp);
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(
        p.ip,
        Some(IpHeader {
            version: 6,
            src: IpAddr::V6(Ipv6Addr::from(V6_A)),
            dst: IpAddr::V6(Ipv6Addr::from(V6_B)),
            ttl: 64,
            tos: 0,
            id: 0xdead_beef,
            proto: 17,
            dont_fragment: false,
            more_fragments: true,
            reserved_bit: false,
            fragment_offset: 0,
            header_len: 56,
            offset: 14,
            checksum_ok: None,
        })
    );
    assert_eq!(
        p.transport,
        Transport::Udp(UdpHeader {
            src_port: 1234,
            dst_port: 53,
            length: 100,
            checksum_ok: None,
        })
    );
    assert_eq!((p.payload, p.payload_offset), (&b"abcdefgh"[..], 78));

    // Later fragment: no transport, no payload.
    let frame = ipv6_hbh_frag_udp(2, false, b"ijklmnop");
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    let ip = p.ip.expect("ip");
    assert_eq!(
        (ip.fragment_offset, ip.more_fragments, ip.proto),
        (2, false, 17)
    );
    assert!(ip.is_fragment());
    assert_eq!(p.transport, Transport::None);
    assert_eq!((p.payload, p.payload_offset), (&[][..], 70));
}

#[test]
fn ipv6_extension_header_cut_short() {
    let mut frame = ipv6_hbh_frag_udp(0, false, &[]);
    // Claim the hop-by-hop header is 16 bytes long: it now runs past the payload.
    frame[14 + 40 + 1] = 1;
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![DecodeEvent::Ipv6ExtensionHeaderInvalid]);
    // Decoding stops at the fragment header that is missing: it is the last next-header seen.
    assert_eq!(p.ip.map(|ip| (ip.proto, ip.header_len)), Some((44, 56)));
    assert_eq!((p.transport, p.payload), (Transport::None, &[][..]));
}

#[test]
fn ipv4_fragments() {
    let mut first = Ipv4Header::new(0, 64, ip_number::TCP, V4_A, V4_B).expect("hdr");
    first.more_fragments = true;
    first.identification = 99;
    let mut frame = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ip(IpHeaders::Ipv4(first, Default::default()))
        .tcp(1, 2, 3, 4)
        .write(&mut frame, b"data")
        .expect("write");
    // Corrupt the TCP checksum: a first fragment is never validated.
    frame[14 + 20 + 16] ^= 0xff;
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(
        p.tcp().map(|t| (t.src_port, t.checksum_ok)),
        Some((1, None))
    );
    assert_eq!(p.payload, b"data");

    let mut later = Ipv4Header::new(0, 64, ip_number::TCP, V4_A, V4_B).expect("hdr");
    later.fragment_offset = IpFragOffset::try_new(185).expect("offset");
    let mut frame = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ip(IpHeaders::Ipv4(later, Default::default()))
        .write(&mut frame, ip_number::TCP, b"more bytes")
        .expect("write");
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    let ip = p.ip.expect("ip");
    assert_eq!(
        (ip.fragment_offset, ip.more_fragments, ip.proto),
        (185, false, 6)
    );
    assert_eq!(
        (p.transport, p.payload, p.payload_offset),
        (Transport::None, &[][..], 34)
    );
    // A later fragment of an AH datagram: the bytes are fragment data, not an AH header.
    let mut later = Ipv4Header::new(0, 64, ip_number::AUTH, V4_A, V4_B).expect("hdr");
    later.fragment_offset = IpFragOffset::try_new(3).expect("offset");
    let mut frame = Vec::new();
    PacketBuilder::ipv4(V4_A, V4_B, 64)
        .write(
            &mut frame,
            ip_number::AUTH,
            &[6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2],
        )
        .expect("write");
    let mut raw = Vec::new();
    PacketBuilder::ip(IpHeaders::Ipv4(later, Default::default()))
        .write(
            &mut raw,
            ip_number::AUTH,
            &[6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2],
        )
        .expect("write");
    let p = dec(LinkType::RawIp, &raw);
    assert_eq!(events(&p), vec![]);
    assert_eq!(p.ip.map(|ip| (ip.proto, ip.header_len)), Some((51, 20)));
    assert_eq!((p.transport, p.payload_offset), (Transport::None, 20));
    // The same bytes unfragmented are a valid AH header followed by TCP (6).
    let p = dec(LinkType::RawIp, &frame);
    assert_eq!(p.ip.map(|ip| (ip.proto, ip.header_len)), Some((6, 32)));
    assert_eq!(events(&p), vec![DecodeEvent::TcpTruncated]);
}

#[test]
fn udp_over_ipv4_and_ipv6() {
    let frame = eth(0x0800, &ipv4_udp(b"query"));
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(
        p.transport,
        Transport::Udp(UdpHeader {
            src_port: 5353,
            dst_port: 53,
            length: 13,
            checksum_ok: Some(true),
        })
    );
    assert_eq!((p.payload, p.payload_offset), (&b"query"[..], 42));

    let frame = eth(0x86dd, &ipv6_udp(b"query"));
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(
        p.ip.map(|ip| (ip.version, ip.ttl, ip.header_len)),
        Some((6, 9, 40))
    );
    assert_eq!(p.transport.ports(), (5353, 53));
    assert_eq!(p.payload, b"query");
}

#[test]
fn ethernet_padding_is_trimmed() {
    let mut frame = eth(0x0800, &ipv4_udp(b"hi"));
    assert_eq!(frame.len(), 44);
    frame.resize(60, 0);
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!((p.payload, p.payload_offset), (&b"hi"[..], 42));
    assert_eq!(p.transport.ports(), (5353, 53));
}

#[test]
fn truncated_ipv4_total_length() {
    let full = eth_ipv4_tcp();
    let frame = &full[..full.len() - 3];
    let p = dec(LinkType::Ethernet, frame);
    assert_eq!(events(&p), vec![DecodeEvent::Ipv4TotalLengthTooLarge]);
    // The IP header is whole, so its checksum is still checked; TCP's cannot be.
    assert_eq!(p.ip.and_then(|ip| ip.checksum_ok), Some(true));
    assert_eq!(p.tcp().map(|t| t.checksum_ok), Some(None));
    assert_eq!((p.payload, p.payload_offset), (&b"he"[..], 78));
}

#[test]
fn icmp_echo_id_and_seq() {
    let mut frame = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv4(V4_A, V4_B, 64)
        .icmpv4_echo_request(0x1234, 7)
        .write(&mut frame, b"ping")
        .expect("write");
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(
        p.transport,
        Transport::Icmp4(IcmpHeader {
            icmp_type: 8,
            code: 0,
            id: Some(0x1234),
            seq: Some(7),
            checksum_ok: Some(true),
        })
    );
    assert_eq!((p.payload, p.payload_offset), (&b"ping"[..], 42));

    let mut frame = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv6(V6_A, V6_B, 64)
        .icmpv6_echo_reply(5, 6)
        .write(&mut frame, b"pong")
        .expect("write");
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(
        p.transport,
        Transport::Icmp6(IcmpHeader {
            icmp_type: 129,
            code: 0,
            id: Some(5),
            seq: Some(6),
            checksum_ok: Some(true),
        })
    );
    assert_eq!((p.payload, p.payload_offset), (&b"pong"[..], 14 + 40 + 8));
}

#[test]
fn icmp_without_id_seq_and_odd_timestamp() {
    // Destination unreachable (3/1): bytes 5..8 are unused, payload is the quoted datagram.
    let mut icmp = vec![3, 1, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&[0x45; 28]);
    let csum = checksum::internet_checksum(&icmp, 0).to_be_bytes();
    icmp[2..4].copy_from_slice(&csum);
    let mut frame = Vec::new();
    PacketBuilder::ipv4(V4_A, V4_B, 64)
        .write(&mut frame, ip_number::ICMP, &icmp)
        .expect("write");
    let p = dec(LinkType::RawIp, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(
        p.transport,
        Transport::Icmp4(IcmpHeader {
            icmp_type: 3,
            code: 1,
            id: None,
            seq: None,
            checksum_ok: Some(true),
        })
    );
    assert_eq!(p.payload.len(), 28);

    // A 12-byte timestamp request (etherparse wants exactly 20): decoded, flagged short.
    let ts = [13, 0, 0, 0, 0, 9, 0, 10, 1, 2, 3, 4];
    let mut frame = Vec::new();
    PacketBuilder::ipv4(V4_A, V4_B, 64)
        .write(&mut frame, ip_number::ICMP, &ts)
        .expect("write");
    let p = decode(LinkType::RawIp, Timestamp(0), &frame, &NO_VALIDATE);
    assert_eq!(events(&p), vec![DecodeEvent::Icmpv4Truncated]);
    assert_eq!(
        p.transport,
        Transport::Icmp4(IcmpHeader {
            icmp_type: 13,
            code: 0,
            id: Some(9),
            seq: Some(10),
            checksum_ok: None,
        })
    );
    assert_eq!(p.payload, [1, 2, 3, 4]);
}

#[test]
fn linux_sll_with_loopback_hardware_type() {
    let mut frame = vec![0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00];
    frame.extend_from_slice(&ipv4_udp(b"sll"));
    let p = dec(LinkType::LinuxSll, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(p.ether_type, 0x0800);
    assert_eq!(p.ip.map(|ip| ip.offset), Some(16));
    assert_eq!((p.payload, p.payload_offset), (&b"sll"[..], 16 + 28));

    let p = dec(LinkType::LinuxSll, &frame[..15]);
    assert_eq!(events(&p), vec![DecodeEvent::LinkTruncated]);
}

#[test]
fn linux_sll2() {
    let mut frame = vec![
        0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
    ];
    frame.extend_from_slice(&ipv6_udp(b"sll2"));
    let p = dec(LinkType::LinuxSll2, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(p.ether_type, 0x86dd);
    assert_eq!(p.ip.map(|ip| (ip.version, ip.offset)), Some((6, 20)));
    assert_eq!((p.payload, p.payload_offset), (&b"sll2"[..], 20 + 48));

    let p = dec(LinkType::LinuxSll2, &frame[..19]);
    assert_eq!(events(&p), vec![DecodeEvent::LinkTruncated]);
}

#[test]
fn bsd_null_and_loop() {
    // NULL, little-endian host: AF_INET = 2.
    let mut frame = vec![2, 0, 0, 0];
    frame.extend_from_slice(&ipv4_udp(b"n"));
    let p = dec(LinkType::Null, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(p.ip.map(|ip| (ip.version, ip.offset)), Some((4, 4)));
    assert_eq!(
        (p.ether_type, p.payload, p.payload_offset),
        (0, &b"n"[..], 32)
    );

    // LOOP, network order: Darwin's AF_INET6 = 30.
    let mut frame = vec![0, 0, 0, 30];
    frame.extend_from_slice(&ipv6_udp(b"l"));
    let p = dec(LinkType::Null, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(p.ip.map(|ip| (ip.version, ip.offset)), Some((6, 4)));
    assert_eq!(p.payload, b"l");

    // Family says IPv6, packet is IPv4.
    let mut frame = vec![10, 0, 0, 0];
    frame.extend_from_slice(&ipv4_udp(b"n"));
    let p = dec(LinkType::Null, &frame);
    assert_eq!(
        (events(&p), p.ip),
        (vec![DecodeEvent::IpWrongVersion], None)
    );

    let p = dec(LinkType::Null, &[99, 0, 0, 0, 0x45]);
    assert_eq!(events(&p), vec![DecodeEvent::UnsupportedLinkType]);
    let p = dec(LinkType::Null, &[2, 0, 0]);
    assert_eq!(events(&p), vec![DecodeEvent::LinkTruncated]);
}

#[test]
fn raw_ip_and_unsupported_links() {
    let frame = ipv4_udp(b"raw");
    let p = dec(LinkType::RawIp, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!((p.ether_type, p.ip.map(|ip| ip.offset)), (0, Some(0)));
    assert_eq!((p.payload, p.payload_offset), (&b"raw"[..], 28));

    let frame = ipv6_udp(b"raw6");
    let p = dec(LinkType::from_pcap(101), &frame);
    assert_eq!(p.ip.map(|ip| ip.version), Some(6));
    assert_eq!((p.payload, p.payload_offset), (&b"raw6"[..], 48));

    let mut frame = ipv4_udp(b"raw");
    frame[0] = 0x55;
    let p = dec(LinkType::RawIp, &frame);
    assert_eq!(
        (events(&p), p.ip),
        (vec![DecodeEvent::IpWrongVersion], None)
    );
    let p = dec(LinkType::RawIp, &[]);
    assert_eq!(events(&p), vec![DecodeEvent::Ipv4Truncated]);

    let p = dec(LinkType::from_pcap(147), &frame);
    assert_eq!(events(&p), vec![DecodeEvent::UnsupportedLinkType]);
    assert_eq!(p.ip, None);
}

#[test]
fn wrong_ip_version_for_ether_type() {
    let frame = eth(0x0800, &ipv6_udp(b"x"));
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(
        (events(&p), p.ip),
        (vec![DecodeEvent::IpWrongVersion], None)
    );
    let frame = eth(0x86dd, &ipv4_udp(b"x"));
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![DecodeEvent::IpWrongVersion]);
}

#[test]
fn short_and_malformed_ip_headers() {
    let p = dec(LinkType::Ethernet, &[0; 13]);
    assert_eq!(events(&p), vec![DecodeEvent::EthernetTruncated]);

    let frame = eth(0x0800, &ipv4_udp(b"x")[..19]);
    assert_eq!(
        events(&dec(LinkType::Ethernet, &frame)),
        vec![DecodeEvent::Ipv4Truncated]
    );

    let mut l3 = ipv4_udp(b"x");
    l3[0] = 0x44;
    let frame = eth(0x0800, &l3);
    assert_eq!(
        events(&dec(LinkType::Ethernet, &frame)),
        vec![DecodeEvent::Ipv4HeaderTooSmall]
    );

    let frame = eth(0x86dd, &ipv6_udp(b"x")[..39]);
    assert_eq!(
        events(&dec(LinkType::Ethernet, &frame)),
        vec![DecodeEvent::Ipv6Truncated]
    );

    let full = eth(0x86dd, &ipv6_udp(b"xyz"));
    let p = dec(LinkType::Ethernet, &full[..full.len() - 1]);
    assert_eq!(events(&p), vec![DecodeEvent::Ipv6PayloadLengthTooLarge]);
    assert_eq!(p.payload, b"xy");

    // Total length below the header: counted, captured bytes used.
    let mut l3 = ipv4_udp(b"x");
    l3[2..4].copy_from_slice(&10u16.to_be_bytes());
    let frame = eth(0x0800, &l3);
    let p = decode(LinkType::Ethernet, Timestamp(0), &frame, &NO_VALIDATE);
    assert_eq!(events(&p), vec![DecodeEvent::Ipv4Truncated]);
    assert_eq!(p.payload, b"x");
}

#[test]
fn ipv4_option_list_running_past_the_header() {
    let mut frame = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ip(ipv4_with_option(ip_number::UDP, &[1, 0x99, 8, 0]))
        .udp(1, 2)
        .write(&mut frame, b"o")
        .expect("write");
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![DecodeEvent::Ipv4OptionInvalid]);
    assert_eq!(p.ip.map(|ip| ip.header_len), Some(24));
    assert_eq!(p.payload, b"o");
}

#[test]
fn malformed_tcp_headers_and_options() {
    let mut frame = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv4(V4_A, V4_B, 64)
        .tcp(1, 2, 3, 4)
        .options_raw(&[2, 5, 0, 0])
        .expect("options")
        .write(&mut frame, b"t")
        .expect("write");
    let p = dec(LinkType::Ethernet, &frame);
    assert_eq!(events(&p), vec![DecodeEvent::TcpOptionInvalid]);
    assert_eq!(
        p.tcp().map(|t| (t.header_len, t.mss, t.checksum_ok)),
        Some((24, None, Some(true)))
    );
    assert_eq!(p.payload, b"t");

    // Data offset 4.
    let mut bad = frame.clone();
    bad[14 + 20 + 12] = 0x40;
    let p = decode(LinkType::Ethernet, Timestamp(0), &bad, &NO_VALIDATE);
    assert_eq!(events(&p), vec![DecodeEvent::TcpHeaderLengthInvalid]);
    assert_eq!(p.transport, Transport::None);

    // Data offset 15 (60 bytes) in a complete 25-byte segment.
    bad[14 + 20 + 12] = 0xf0;
    let p = decode(LinkType::Ethernet, Timestamp(0), &bad, &NO_VALIDATE);
    assert_eq!(events(&p), vec![DecodeEvent::TcpHeaderLengthInvalid]);

    // Segment shorter than 20 bytes.
    let mut short = Vec::new();
    PacketBuilder::ipv4(V4_A, V4_B, 64)
        .write(&mut short, ip_number::TCP, &[0; 12])
        .expect("write");
    let p = dec(LinkType::RawIp, &short);
    assert_eq!(events(&p), vec![DecodeEvent::TcpTruncated]);
    assert_eq!((p.transport, p.payload_offset), (Transport::None, 20));
}

#[test]
fn udp_length_disagreeing_with_ip() {
    let mut l3 = ipv4_udp(b"0123456789");
    l3[20 + 4..20 + 6].copy_from_slice(&12u16.to_be_bytes());
    let p = dec(LinkType::RawIp, &l3);
    assert_eq!(events(&p), vec![DecodeEvent::UdpLengthInvalid]);
    // Not validated once the lengths disagree; payload follows the UDP length.
    assert_eq!(
        p.transport,
        Transport::Udp(UdpHeader {
            src_port: 5353,
            dst_port: 53,
            length: 12,
            checksum_ok: None,
        })
    );
    assert_eq!(p.payload, b"0123");

    let empty = ipv4_udp(b"");
    let p = dec(LinkType::RawIp, &empty[..27]);
    assert_eq!(
        events(&p),
        vec![
            DecodeEvent::Ipv4TotalLengthTooLarge,
            DecodeEvent::UdpTruncated
        ]
    );
}

/// Flips one byte of `frame` and checks the event shows only when validating.
fn assert_checksum_caught(link: LinkType, frame: &[u8], at: usize, event: DecodeEvent) {
    let mut bad = frame.to_vec();
    bad[at] ^= 0x5a;
    let p = decode(link, Timestamp(0), &bad, &VALIDATE);
    assert_eq!(events(&p), vec![event], "{event:?} when validating");
    let p = decode(link, Timestamp(0), &bad, &NO_VALIDATE);
    assert_eq!(events(&p), vec![], "{event:?} when not validating");
    assert_eq!(p.ip.and_then(|ip| ip.checksum_ok), None);
    let transport_ok = match p.transport {
        Transport::Tcp(t) => t.checksum_ok,
        Transport::Udp(u) => u.checksum_ok,
        Transport::Icmp4(i) | Transport::Icmp6(i) => i.checksum_ok,
        Transport::None | Transport::Other(_) => None,
    };
    assert_eq!(transport_ok, None);
}

#[test]
fn bad_checksums_detected_only_when_validating() {
    let tcp = eth_ipv4_tcp();
    assert_checksum_caught(
        LinkType::Ethernet,
        &tcp,
        tcp.len() - 1,
        DecodeEvent::TcpChecksumInvalid,
    );
    assert_checksum_caught(
        LinkType::Ethernet,
        &tcp,
        14 + 10,
        DecodeEvent::Ipv4ChecksumInvalid,
    );
    let mut bad = tcp.clone();
    bad[14 + 11] ^= 1;
    let p = dec(LinkType::Ethernet, &bad);
    assert_eq!(p.ip.and_then(|ip| ip.checksum_ok), Some(false));

    let udp = ipv4_udp(b"payload");
    assert_checksum_caught(LinkType::RawIp, &udp, 27, DecodeEvent::UdpChecksumInvalid);
    let udp6 = ipv6_udp(b"payload");
    assert_checksum_caught(LinkType::RawIp, &udp6, 50, DecodeEvent::UdpChecksumInvalid);

    let mut icmp = Vec::new();
    PacketBuilder::ipv4(V4_A, V4_B, 64)
        .icmpv4_echo_reply(1, 2)
        .write(&mut icmp, b"abc")
        .expect("write");
    assert_checksum_caught(
        LinkType::RawIp,
        &icmp,
        29,
        DecodeEvent::Icmpv4ChecksumInvalid,
    );
    let mut icmp6 = Vec::new();
    PacketBuilder::ipv6(V6_A, V6_B, 64)
        .icmpv6_echo_request(1, 2)
        .write(&mut icmp6, b"abc")
        .expect("write");
    assert_checksum_caught(
        LinkType::RawIp,
        &icmp6,
        49,
        DecodeEvent::Icmpv6ChecksumInvalid,
    );
}

#[test]
fn zero_udp_checksum_over_ipv4_is_not_validated() {
    let mut l3 = ipv4_udp(b"nocsum");
    l3[26] = 0;
    l3[27] = 0;
    let p = dec(LinkType::RawIp, &l3);
    assert_eq!(events(&p), vec![]);
    assert_eq!(p.transport.ports(), (5353, 53));
    assert!(matches!(
        p.transport,
        Transport::Udp(UdpHeader {
            checksum_ok: None,
            ..
        })
    ));
}

#[test]
fn other_protocols_carry_the_ip_payload() {
    let mut frame = Vec::new();
    PacketBuilder::ipv4(V4_A, V4_B, 64)
        .write(&mut frame, ip_number::GRE, b"gre!")
        .expect("write");
    let p = dec(LinkType::RawIp, &frame);
    assert_eq!(events(&p), vec![]);
    assert_eq!(p.transport, Transport::Other(47));
    assert_eq!((p.payload, p.payload_offset), (&b"gre!"[..], 20));
}
