//! Whole-capture tests: determinism, exact counts, wire validity, TCP sequence consistency, the
//! split attack, and agreement between the capture and `configs/demo.rules`.

use super::attacks::{SPLIT_AFTER, SPLIT_PATTERN};
use super::trace::EPOCH_SECS;
use super::*;
use etherparse::{Icmpv4Slice, NetSlice, SlicedPacket, TransportSlice};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// Frames in the capture.
const PACKETS: usize = 908;
/// 20 web + 5 TLS + 20 DNS + 2 ping + 3 NTP benign flows, 5 TCP + 1 DNS attack flows, 30 probes.
const FLOWS: usize = 86;

/// One direction of one flow: protocol, source, destination (ICMP: echo id as both ports).
type Dir = (u8, Ipv4Addr, u16, Ipv4Addr, u16);

/// A decoded frame: direction key, TCP header fields when TCP, payload.
struct Decoded {
    dir: Dir,
    tcp: Option<(u32, u32, bool, bool, bool, bool, u16)>,
    payload: Vec<u8>,
}

/// Decodes a demo frame, checking every checksum on the way.
fn decode(frame: &[u8]) -> Decoded {
    let sliced = SlicedPacket::from_ethernet(frame).expect("frame parses");
    let Some(NetSlice::Ipv4(ip)) = &sliced.net else {
        panic!("not IPv4")
    };
    let header = ip.header().to_header();
    assert_eq!(
        header.header_checksum,
        header.calc_header_checksum(),
        "IPv4 checksum"
    );
    let (src, dst) = (ip.header().source_addr(), ip.header().destination_addr());
    let payload = ip.payload().payload;
    match &sliced.transport {
        Some(TransportSlice::Tcp(tcp)) => {
            let sum = tcp
                .to_header()
                .calc_checksum_ipv4(&header, tcp.payload())
                .expect("sum");
            assert_eq!(tcp.checksum(), sum, "TCP checksum");
            Decoded {
                dir: (6, src, tcp.source_port(), dst, tcp.destination_port()),
                tcp: Some((
                    tcp.sequence_number(),
                    tcp.acknowledgment_number(),
                    tcp.syn(),
                    tcp.ack(),
                    tcp.fin(),
                    tcp.rst(),
                    tcp.window_size(),
                )),
                payload: tcp.payload().to_vec(),
            }
        }
        Some(TransportSlice::Udp(udp)) => {
            let sum = udp
                .to_header()
                .calc_checksum_ipv4(&header, udp.payload())
                .expect("sum");
            assert_eq!(udp.checksum(), sum, "UDP checksum");
            Decoded {
                dir: (17, src, udp.source_port(), dst, udp.destination_port()),
                tcp: None,
                payload: udp.payload().to_vec(),
            }
        }
        Some(TransportSlice::Icmpv4(icmp)) => {
            let reparsed = Icmpv4Slice::from_slice(payload).expect("icmp");
            let sum = reparsed
                .header()
                .icmp_type
                .calc_checksum(reparsed.payload());
            assert_eq!(icmp.checksum(), sum, "ICMP checksum");
            let id = u16::from_be_bytes([payload[4], payload[5]]);
            Decoded {
                dir: (1, src, id, dst, id),
                tcp: None,
                payload: icmp.payload().to_vec(),
            }
        }
        _ => panic!("unexpected transport"),
    }
}

fn decoded() -> Vec<Decoded> {
    demo_frames().iter().map(|(_, f)| decode(f)).collect()
}

/// The direction-independent key of a flow.
fn flow_key(dir: &Dir) -> Dir {
    let (p, a, ap, b, bp) = *dir;
    if (a, ap) <= (b, bp) {
        (p, a, ap, b, bp)
    } else {
        (p, b, bp, a, ap)
    }
}

/// Concatenated payload of every flow direction, in capture order.
fn streams(frames: &[Decoded]) -> BTreeMap<Dir, Vec<u8>> {
    let mut out: BTreeMap<Dir, Vec<u8>> = BTreeMap::new();
    for f in frames {
        out.entry(f.dir).or_default().extend_from_slice(&f.payload);
    }
    out
}

#[test]
fn capture_is_deterministic_and_classic_pcap() {
    let mut a = Vec::new();
    let mut b = Vec::new();
    write_pcap(&demo_frames(), &mut a).expect("write");
    write_pcap(&demo_frames(), &mut b).expect("write");
    assert_eq!(a, b);
    assert_eq!(
        &a[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "little-endian microsecond magic"
    );
    assert_eq!(&a[20..24], &[1, 0, 0, 0], "LINKTYPE_ETHERNET");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("demo.pcap");
    let summary = write_demo_capture(&path).expect("write file");
    assert_eq!(std::fs::read(&path).expect("read"), a);
    assert_eq!(
        summary,
        DemoSummary {
            packets: PACKETS,
            flows: FLOWS,
            attacks: DEMO_ATTACKS.iter().map(|a| a.name).collect()
        }
    );
    assert_eq!(summary.attacks[0], "sql-injection-uri");
}

#[test]
fn counts_are_exact() {
    let frames = decoded();
    assert_eq!(frames.len(), PACKETS);
    let flows: BTreeSet<Dir> = frames.iter().map(|f| flow_key(&f.dir)).collect();
    assert_eq!(flows.len(), FLOWS);
    let by_proto = |p: u8| flows.iter().filter(|k| k.0 == p).count();
    assert_eq!((by_proto(6), by_proto(17), by_proto(1)), (60, 24, 2));
    let on_port = |port: u16| flows.iter().filter(|k| k.0 == 6 && k.4 == port).count();
    assert_eq!((on_port(80), on_port(443)), (20 + 5, 5));
    let requests = frames
        .iter()
        .filter(|f| f.payload.starts_with(b"GET ") || f.payload.starts_with(b"POST "))
        .count();
    assert_eq!(requests, 24 + 5);
}

#[test]
fn timestamps_start_at_the_epoch_and_never_go_back() {
    let frames = demo_frames();
    assert_eq!(
        frames[0].0,
        Timestamp::from_secs_micros(EPOCH_SECS, 250_000)
    );
    assert!(frames.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(
        frames[frames.len() - 1].0,
        Timestamp::from_secs_micros(EPOCH_SECS + 21, 802_110)
    );
}

#[test]
fn tcp_sequence_and_ack_numbers_are_consistent() {
    // Per direction: next expected sequence number once the SYN is seen.
    let mut next: BTreeMap<Dir, u32> = BTreeMap::new();
    let mut checked = 0;
    for f in decoded() {
        let Some((seq, ack, syn, has_ack, fin, rst, _)) = f.tcp else {
            continue;
        };
        let (p, a, ap, b, bp) = f.dir;
        let reverse = (p, b, bp, a, ap);
        if syn {
            next.insert(f.dir, seq.wrapping_add(1));
            if has_ack {
                assert_eq!(
                    Some(&ack),
                    next.get(&reverse),
                    "SYN/ACK acknowledges the SYN"
                );
            }
            continue;
        }
        if rst {
            continue; // scan resets: checked by the rule test
        }
        let expected = *next.get(&f.dir).expect("data after a SYN");
        assert_eq!(seq, expected, "contiguous stream in {:?}", f.dir);
        if has_ack {
            assert_eq!(
                Some(&ack),
                next.get(&reverse),
                "acknowledges all the peer sent"
            );
        }
        let advance = f.payload.len() as u32 + u32::from(fin);
        next.insert(f.dir, seq.wrapping_add(advance));
        checked += 1;
    }
    assert!(checked > 700, "checked {checked} segments");
}

#[test]
fn split_pattern_is_really_split() {
    let frames = decoded();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(
        frames.iter().all(|f| !contains(&f.payload, SPLIT_PATTERN)),
        "no single packet holds it"
    );
    let head = &SPLIT_PATTERN[..SPLIT_AFTER];
    let tail = &SPLIT_PATTERN[SPLIT_AFTER..];
    assert_eq!((head, tail), (&b"/bin/sh -c wg"[..], &b"et"[..]));
    let first = frames
        .iter()
        .position(|f| f.payload.ends_with(head))
        .expect("first half");
    let second = frames[first + 1..]
        .iter()
        .find(|f| f.dir == frames[first].dir)
        .expect("second half");
    assert!(second.payload.starts_with(tail));
    let stream = &streams(&frames)[&frames[first].dir];
    assert!(
        contains(stream, SPLIT_PATTERN),
        "the reassembled stream holds it"
    );
}

/// A demo rule reduced to what this test can check without the engine.
#[derive(Debug)]
struct MiniRule {
    action: String,
    proto: u8,
    src_home: Option<bool>,
    dst_home: Option<bool>,
    dst_port: Option<u16>,
    /// Contents in order, with their nocase flag.
    contents: Vec<(Vec<u8>, bool)>,
    window: Option<u16>,
    sid: u32,
}

/// Decodes a Suricata content string: `|hex hex|` runs and `\` escapes.
fn content_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, part) in text.split('|').enumerate() {
        if i % 2 == 1 {
            out.extend(
                part.split_whitespace()
                    .map(|h| u8::from_str_radix(h, 16).expect("hex")),
            );
        } else {
            out.extend(part.replace("\\\"", "\"").replace("\\;", ";").bytes());
        }
    }
    out
}

fn parse_mini(line: &str) -> MiniRule {
    let (header, body) = line.split_once(" (").expect("options");
    let h: Vec<&str> = header.split_whitespace().collect();
    let net = |t: &str| match t {
        "$HOME_NET" => Some(true),
        "$EXTERNAL_NET" => Some(false),
        "any" => None,
        other => panic!("unexpected address {other}"),
    };
    let mut rule = MiniRule {
        action: h[0].to_string(),
        proto: if h[1] == "udp" { 17 } else { 6 },
        src_home: net(h[2]),
        dst_home: net(h[5]),
        dst_port: h[6].parse().ok(),
        contents: Vec::new(),
        window: None,
        sid: 0,
    };
    for opt in body.trim_end_matches(')').split("; ") {
        let (key, value) = opt.split_once(':').unwrap_or((opt, ""));
        match key.trim() {
            "content" => rule
                .contents
                .push((content_bytes(value.trim_matches('"')), false)),
            "nocase" => rule.contents.last_mut().expect("content before nocase").1 = true,
            "window" => rule.window = value.parse().ok(),
            "sid" => rule.sid = value.parse().expect("sid"),
            _ => {}
        }
    }
    rule
}

fn demo_rules() -> Vec<MiniRule> {
    include_str!("../../../configs/demo.rules")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(parse_mini)
        .collect()
}

/// Whether the contents occur in order in `data`.
fn contents_in_order(data: &[u8], contents: &[(Vec<u8>, bool)]) -> bool {
    let lower = data.to_ascii_lowercase();
    let mut from = 0;
    for (pat, nocase) in contents {
        let (hay, needle) = if *nocase {
            (&lower, pat.to_ascii_lowercase())
        } else {
            (&data.to_vec(), pat.clone())
        };
        match hay[from..]
            .windows(needle.len())
            .position(|w| w == needle.as_slice())
        {
            Some(p) => from += p + needle.len(),
            None => return false,
        }
    }
    true
}

#[test]
fn rules_file_lists_every_attack_with_its_action() {
    let rules = demo_rules();
    assert_eq!(rules.len(), DEMO_ATTACKS.len());
    for (rule, attack) in rules.iter().zip(DEMO_ATTACKS.iter()) {
        assert_eq!(
            (rule.sid, rule.action.as_str()),
            (attack.sid, attack.action),
            "{}",
            attack.name
        );
    }
    let text = include_str!("../../../configs/demo.rules");
    assert_eq!(text.matches("msg:\"PORTCULLIS DEMO ").count(), 7);
}

#[test]
fn each_rule_matches_only_its_attack() {
    let frames = decoded();
    let home = |ip: &Ipv4Addr| ip.octets()[0] == 10;
    let header_ok = |rule: &MiniRule, dir: &Dir| {
        let (proto, src, _, dst, dport) = *dir;
        proto == rule.proto
            && rule.src_home.map_or(true, |h| h == home(&src))
            && rule.dst_home.map_or(true, |h| h == home(&dst))
            && rule.dst_port.map_or(true, |p| p == dport)
    };
    let streams = streams(&frames);
    for (rule, attack) in demo_rules().iter().zip(DEMO_ATTACKS.iter()) {
        let hits = if let Some(window) = rule.window {
            frames
                .iter()
                .filter(|f| header_ok(rule, &f.dir))
                .filter(
                    |f| matches!(f.tcp, Some((_, _, true, false, false, false, w)) if w == window),
                )
                .count()
        } else {
            streams
                .iter()
                .filter(|(dir, data)| {
                    header_ok(rule, dir) && contents_in_order(data, &rule.contents)
                })
                .count()
        };
        assert_eq!(hits, attack.alerts, "sid {} ({})", rule.sid, attack.name);
    }
}
