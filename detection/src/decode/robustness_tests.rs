//! `decode()` must never panic and must keep its view consistent: every prefix of valid
//! packets, random bytes, and randomly mutated valid packets, on every link type.

use etherparse::{PacketBuilder, TcpOptionElement, VlanId};

use super::*;
use crate::time::Timestamp;

/// Small deterministic xorshift64 generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const LINKS: [LinkType; 6] = [
    LinkType::Ethernet,
    LinkType::RawIp,
    LinkType::LinuxSll,
    LinkType::LinuxSll2,
    LinkType::Null,
    LinkType::Unsupported(999),
];

/// Valid frames (no padding, all checksums right) with the link type they are for.
fn samples() -> Vec<(LinkType, Vec<u8>)> {
    let v4 = [192, 168, 0, 1];
    let v4b = [192, 168, 0, 2];
    let v6 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let v6b = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    let mac = [2, 0, 0, 0, 0, 9];
    let vid = |v| VlanId::try_new(v).expect("vid");
    let mut out = Vec::new();

    let mut f = Vec::new();
    PacketBuilder::ethernet2(mac, mac)
        .double_vlan(vid(10), vid(20))
        .ipv4(v4, v4b, 64)
        .tcp(1000, 443, 1, 100)
        .options(&[
            TcpOptionElement::MaximumSegmentSize(1400),
            TcpOptionElement::Timestamp(5, 6),
        ])
        .expect("options")
        .write(&mut f, b"GET / HTTP/1.1\r\n")
        .expect("write");
    out.push((LinkType::Ethernet, f));

    let mut f = Vec::new();
    PacketBuilder::ethernet2(mac, mac)
        .single_vlan(vid(7))
        .ipv6(v6, v6b, 1)
        .udp(53, 5353)
        .write(&mut f, b"answer")
        .expect("write");
    out.push((LinkType::Ethernet, f));

    let mut f = Vec::new();
    PacketBuilder::ipv4(v4, v4b, 1)
        .icmpv4_echo_request(1, 1)
        .write(&mut f, b"abcdefgh")
        .expect("write");
    out.push((LinkType::RawIp, f.clone()));
    let mut null = vec![2, 0, 0, 0];
    null.extend_from_slice(&f);
    out.push((LinkType::Null, null));

    let mut f = Vec::new();
    PacketBuilder::ipv6(v6, v6b, 1)
        .icmpv6_echo_reply(3, 4)
        .write(&mut f, b"xyz")
        .expect("write");
    let mut sll = vec![0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x86, 0xdd];
    sll.extend_from_slice(&f);
    out.push((LinkType::LinuxSll, sll));
    let mut sll2 = vec![
        0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    sll2.extend_from_slice(&f);
    out.push((LinkType::LinuxSll2, sll2));
    out
}

/// The invariants every decoded packet keeps, whatever the input.
fn check(p: &Packet<'_>, frame: &[u8]) {
    let end = p.payload_offset + p.payload.len();
    assert!(end <= frame.len(), "payload past the frame");
    assert_eq!(
        &frame[p.payload_offset..end],
        p.payload,
        "payload_offset wrong"
    );
    assert!(p.vlan_count <= 2);
    if let Some(ip) = p.ip {
        assert!(ip.offset + usize::from(ip.header_len) <= frame.len());
        assert!(p.payload_offset >= ip.offset + usize::from(ip.header_len));
    } else {
        assert!(p.payload.is_empty());
        assert_eq!(p.transport, Transport::None);
    }
}

#[test]
fn every_truncation_of_valid_packets() {
    for (link, frame) in samples() {
        let whole = decode(link, Timestamp(0), &frame, &DecodeOptions::default());
        assert!(whole.events.is_empty(), "{link:?}: {:?}", whole.events);
        assert!(!whole.payload.is_empty(), "{link:?}");
        for len in 0..frame.len() {
            let cut = &frame[..len];
            let p = decode(link, Timestamp(0), cut, &DecodeOptions::default());
            check(&p, cut);
            // Every strict prefix lacks bytes some header or length field promised.
            assert!(!p.events.is_empty(), "{link:?} cut at {len} raised nothing");
        }
    }
}

#[test]
fn random_bytes_on_every_link() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut buf = [0u8; 160];
    for case in 0..4000 {
        let len = rng.below(buf.len() + 1);
        for b in &mut buf[..len] {
            *b = rng.next() as u8;
        }
        // Bias towards parseable headers half the time: IPv4/IPv6 version nibble,
        // IPv4/VLAN ether types.
        if case % 2 == 0 && len > 20 {
            buf[0] = if case % 4 == 0 { 0x45 } else { 0x60 };
            buf[12] = 0x81;
            buf[13] = 0x00;
        }
        let frame = &buf[..len];
        for link in LINKS {
            for opts in [
                DecodeOptions::default(),
                DecodeOptions {
                    validate_checksums: false,
                },
            ] {
                check(&decode(link, Timestamp(0), frame, &opts), frame);
            }
        }
    }
}

#[test]
fn mutated_valid_packets() {
    let mut rng = XorShift(42);
    for (link, frame) in samples() {
        for _ in 0..1500 {
            let mut bad = frame.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bad.len());
                bad[at] = rng.next() as u8;
            }
            let cut = rng.below(bad.len() + 1);
            let bad = &bad[..cut.max(bad.len() - 8)];
            let p = decode(link, Timestamp(0), bad, &DecodeOptions::default());
            check(&p, bad);
        }
    }
}
