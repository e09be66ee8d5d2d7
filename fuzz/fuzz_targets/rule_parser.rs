//! Fuzzes the rule language: `rules::parse_rule` on one rule, the loader (`RuleLoader::load_str`:
//! comments, continuations, duplicate sids) on the same text as a file, and, when a rule parses,
//! the matcher compiled from it (`DetectEngine::build` with that one rule) inspecting a packet
//! and a stream window built from the rest of the input, so the payload evaluator (contents with
//! relative modifiers, byte_test, byte_jump, byte_extract, isdataat, pcre) runs on fuzzed data.
//!
//! Input: rule text (invalid UTF-8 replaced), then a 0 byte, then `CTRL_LEN` control bytes
//! (flow context and header fields), then the payload.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use portcullis_detection::decode::{decode, DecodeOptions, LinkType};
use portcullis_detection::detect::{DetectEngine, FlowBits, FlowContext, Inspection, Pass, RuleId};
use portcullis_detection::rules::ast::{AddrExpr, Origin, PayloadMatch, PortExpr, Rule, RuleProto};
use portcullis_detection::rules::{parse_rule, RuleLoader, Vars};
use portcullis_detection::time::Timestamp;
use portcullis_fuzz::{build_frame, Ip, L4};

/// Control bytes between the rule text and the payload.
const CTRL_LEN: usize = 24;

/// Addresses a packet can use: inside and outside `$HOME_NET`, as IPv4 (last 4 bytes) and IPv6.
const ADDRS_V4: [[u8; 4]; 4] = [
    [192, 168, 1, 10],
    [10, 1, 2, 3],
    [8, 8, 8, 8],
    [172, 16, 5, 4],
];
const ADDRS_V6: [[u8; 16]; 4] = [
    [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
];

fuzz_target!(|data: &[u8]| {
    let (text, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let text = String::from_utf8_lossy(text);
    let vars = Vars::default();
    let origin = Origin {
        file: Arc::from("fuzz.rules"),
        line: 1,
    };
    let parsed = parse_rule(&text, &vars, origin);
    let mut loader = RuleLoader::new(&vars);
    loader.load_str("fuzz.rules", &text);
    let result = loader.finish();
    assert_eq!(result.loaded, result.rules.len());
    assert!(result.total() <= text.lines().count());
    let _ = result.report();
    if is_single_rule_line(&text) {
        // The loader reads one line exactly as parse_rule does.
        assert_eq!(result.total(), 1);
        match &parsed {
            Ok(rule) => assert_eq!(result.rules.as_slice(), std::slice::from_ref(rule)),
            Err(_) => assert_eq!(result.loaded, 0),
        }
    }
    let rule = match parsed {
        Ok(rule) => rule,
        Err(_) => match result.rules.into_iter().next() {
            Some(rule) => rule,
            None => return,
        },
    };
    let mut ctrl = [0u8; CTRL_LEN];
    let n = rest.len().min(CTRL_LEN);
    ctrl[..n].copy_from_slice(&rest[..n]);
    let payload = rest.get(CTRL_LEN..).unwrap_or_default();
    inspect(rule, &ctrl, payload);
});

/// Whether `text` is one line holding something other than a comment, with no continuation.
fn is_single_rule_line(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && !t.starts_with('#')
        && !t.ends_with('\\')
        && !text.contains('\n')
        && !text.contains('\r')
}

/// Compiles `rule` alone and inspects a packet (and, for TCP, a stream window) with `payload`,
/// then a packet whose payload starts with the rule's contents.
fn inspect(mut rule: Rule, c: &[u8; CTRL_LEN], payload: &[u8]) {
    if c[0] & 1 != 0 {
        // Header-relaxed copy: the packet always reaches the payload keywords.
        rule.src_addr = AddrExpr::Any;
        rule.dst_addr = AddrExpr::Any;
        rule.src_port = PortExpr::Any;
        rule.dst_port = PortExpr::Any;
    }
    let synth: Vec<u8> = rule
        .payload
        .iter()
        .filter_map(|m| match m {
            PayloadMatch::Content(c) => Some(c.pattern.as_slice()),
            _ => None,
        })
        .flatten()
        .chain(payload)
        .copied()
        .collect();
    let proto = rule.proto;
    let (engine, report) = DetectEngine::build(vec![rule]);
    assert_eq!(report.compiled + report.failed.len(), 1);
    assert_eq!(engine.len(), report.compiled);
    if engine.is_empty() {
        return;
    }
    let mut scratch = engine.new_scratch();
    let flow = (c[0] & 2 != 0).then_some(FlowContext {
        direction_to_server: c[0] & 4 != 0,
        established: c[0] & 8 != 0,
        stream_active: c[0] & 16 != 0,
    });
    let mut bits = FlowBits::default();
    for (i, data) in [payload, synth.as_slice()].into_iter().enumerate() {
        let frame = frame_for(proto, c, data);
        let pkt = decode(
            LinkType::Ethernet,
            Timestamp(1),
            &frame,
            &DecodeOptions::default(),
        );
        assert!(pkt.ip.is_some());
        let mut out: Vec<RuleId> = Vec::new();
        let input = Inspection {
            packet: &pkt,
            flow,
            pass: Pass::Packet,
        };
        engine.inspect(&mut scratch, &input, Some(&mut bits), &mut out);
        assert!(out.len() <= 1 && out.iter().all(|id| id.0 == 0));
        if i == 0 && pkt.tcp().is_some() {
            let new_from = usize::from(c[23]) % (pkt.payload.len() + 1);
            let input = Inspection {
                packet: &pkt,
                flow,
                pass: Pass::Stream {
                    data: pkt.payload,
                    base_offset: u64::from(c[22]) * 256,
                    new_from,
                },
            };
            out.clear();
            engine.inspect(&mut scratch, &input, Some(&mut bits), &mut out);
            assert!(out.len() <= 1 && out.iter().all(|id| id.0 == 0));
        }
    }
}

/// A frame of the rule's protocol carrying `payload`, header fields from the control bytes.
fn frame_for(proto: RuleProto, c: &[u8; CTRL_LEN], payload: &[u8]) -> Vec<u8> {
    let v6 = c[0] & 32 != 0;
    let pick = |i: u8| -> [u8; 16] {
        if v6 {
            ADDRS_V6[usize::from(i & 3)]
        } else {
            let mut a = [0u8; 16];
            a[12..].copy_from_slice(&ADDRS_V4[usize::from(i & 3)]);
            a
        }
    };
    let ip = Ip {
        src: pick(c[5]),
        dst: pick(c[5] >> 2),
        v6,
        ttl: c[1],
        tos: c[2],
        id: u16::from_be_bytes([c[20], c[21]]),
    };
    let sport = u16::from_be_bytes([c[6], c[7]]);
    let dport = u16::from_be_bytes([c[8], c[9]]);
    let tcp = L4::Tcp {
        sport,
        dport,
        seq: u32::from_be_bytes([c[10], c[11], c[12], c[13]]),
        ack: u32::from_be_bytes([c[14], c[15], c[16], c[17]]),
        flags: c[3],
        window: u16::from_be_bytes([c[18], c[19]]),
    };
    let icmp = L4::Icmp {
        icmp_type: c[3],
        code: c[4],
        rest: [c[10], c[11], c[12], c[13]],
    };
    let l4 = match proto {
        RuleProto::Tcp | RuleProto::TcpPkt | RuleProto::TcpStream => tcp,
        RuleProto::Udp => L4::Udp { sport, dport },
        RuleProto::Icmp | RuleProto::Icmpv4 | RuleProto::Icmpv6 => icmp,
        RuleProto::Ip => match c[0] >> 6 {
            0 => tcp,
            1 => L4::Udp { sport, dport },
            2 => icmp,
            _ => L4::Other(c[4]),
        },
    };
    build_frame(&ip, &l4, payload)
}
