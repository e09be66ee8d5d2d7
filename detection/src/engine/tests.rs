//! The pipeline end to end on hand-built frames: verdicts, alerts, flow actions, thresholds, the
//! block list and stream matching, with exact counts.

use std::sync::Arc;

use etherparse::PacketBuilder;

use super::*;
use crate::rules::{Classifications, RuleLoader, Vars};
use crate::threshold::ThresholdConfig;

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [198, 18, 0, 2];

/// Builds TCP frames of one connection with correct sequence numbers.
struct Conn {
    client: [u8; 4],
    cport: u16,
    cseq: u32,
    sseq: u32,
}

impl Conn {
    fn new(client: [u8; 4], cport: u16) -> Conn {
        Conn {
            client,
            cport,
            cseq: 1000,
            sseq: 5000,
        }
    }

    fn frame(&self, to_server: bool, flags: &str, seq: u32, ack: u32, payload: &[u8]) -> Vec<u8> {
        let (src, dst, sp, dp) = if to_server {
            (self.client, SERVER, self.cport, 80)
        } else {
            (SERVER, self.client, 80, self.cport)
        };
        let mut b = PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4(src, dst, 64)
            .tcp(sp, dp, seq, 8192);
        if flags.contains('S') {
            b = b.syn();
        }
        if flags.contains('A') {
            b = b.ack(ack);
        }
        if flags.contains('P') {
            b = b.psh();
        }
        let mut out = Vec::new();
        b.write(&mut out, payload).unwrap();
        out
    }

    fn handshake(&mut self) -> Vec<Vec<u8>> {
        let out = vec![
            self.frame(true, "S", self.cseq, 0, b""),
            self.frame(false, "SA", self.sseq, self.cseq + 1, b""),
            self.frame(true, "A", self.cseq + 1, self.sseq + 1, b""),
        ];
        self.cseq += 1;
        self.sseq += 1;
        out
    }

    fn client_data(&mut self, data: &[u8]) -> Vec<u8> {
        let f = self.frame(true, "AP", self.cseq, self.sseq, data);
        self.cseq += data.len() as u32;
        f
    }
}

fn engine(rules: &str, inline: bool, thresholds: &str, block: Option<BlockPolicy>) -> Engine {
    let vars = Vars::default();
    let mut loader = RuleLoader::new(&vars);
    loader.load_str("test.rules", rules);
    let loaded = loader.finish();
    assert!(loaded.malformed.is_empty(), "{:?}", loaded.malformed);
    let (th, errors) = ThresholdConfig::parse(thresholds, "threshold.config");
    assert!(errors.is_empty(), "{errors:?}");
    let (ruleset, report) = Ruleset::build(loaded.rules, &Classifications::default(), th);
    assert!(report.failed.is_empty());
    let cfg = EngineConfig {
        inline,
        block,
        ..EngineConfig::default()
    };
    Engine::new(cfg, Arc::new(ruleset))
}

fn ts(ms: u64) -> Timestamp {
    Timestamp(1_767_225_600_000_000 + ms * 1000)
}

/// Runs frames; returns the verdicts and the events.
fn feed(e: &mut Engine, frames: &[Vec<u8>], start_ms: u64) -> (Vec<Verdict>, CollectingSink) {
    let mut sink = CollectingSink::default();
    let verdicts = frames
        .iter()
        .enumerate()
        .map(|(i, f)| e.process(LinkType::Ethernet, ts(start_ms + i as u64), f, &mut sink))
        .collect();
    (verdicts, sink)
}

fn sids(sink: &CollectingSink) -> Vec<u32> {
    sink.alerts.iter().map(|a| a.rule.sid).collect()
}

#[test]
fn pattern_split_across_segments_alerts_once_even_when_retransmitted() {
    let mut e = engine(
        r#"alert tcp any any -> any 80 (msg:"evil"; flow:established,to_server; content:"EVILSTRING"; sid:1;)"#,
        false,
        "",
        None,
    );
    let mut c = Conn::new(CLIENT, 40000);
    let mut frames = c.handshake();
    let first = c.client_data(b"GET /EVIL");
    frames.push(first.clone());
    frames.push(c.client_data(b"STRING HTTP/1.1\r\n\r\n"));
    frames.push(first); // retransmission of old data
    let (verdicts, sink) = feed(&mut e, &frames, 0);
    assert_eq!(sids(&sink), [1]);
    assert!(sink.alerts[0].stream_match);
    assert_eq!(sink.alerts[0].packet.packet_no, 5);
    assert!(verdicts.iter().all(|v| *v == Verdict::Pass));
    assert_eq!(e.stats().stream.retransmissions, 1);
}

#[test]
fn drop_blocks_the_rest_of_the_flow_inline_but_only_alerts_in_ids_mode() {
    let rules = r#"drop tcp any any -> any 80 (msg:"bad"; flow:to_server; content:"/bad"; sid:2;)"#;
    let mut c = Conn::new(CLIENT, 40001);
    let mut frames = c.handshake();
    frames.push(c.client_data(b"GET /bad HTTP/1.1\r\n\r\n"));
    frames.push(c.client_data(b"more"));

    let mut inline = engine(rules, true, "", None);
    let (verdicts, sink) = feed(&mut inline, &frames, 0);
    assert_eq!(
        verdicts,
        [
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Drop,
            Verdict::Drop
        ]
    );
    assert_eq!(sids(&sink), [2]);
    assert!(sink.alerts[0].blocked);
    assert_eq!(sink.drops.len(), 2);
    assert_eq!(sink.drops[0].rule.as_ref().map(|r| r.sid), Some(2));
    assert!(
        sink.drops[1].rule.is_none(),
        "later packets dropped as part of the flow"
    );
    assert_eq!(inline.stats().verdicts.dropped, 2);

    let mut ids = engine(rules, false, "", None);
    let (verdicts, sink) = feed(&mut ids, &frames, 0);
    assert!(verdicts.iter().all(|v| *v == Verdict::Pass));
    assert_eq!(sids(&sink), [2]);
    assert!(!sink.alerts[0].blocked);
    assert!(sink.drops.is_empty());
}

#[test]
fn pass_rule_wins_over_alert_and_passes_the_flow() {
    let mut e = engine(
        r#"pass tcp 10.0.0.1 any -> any 80 (msg:"trusted"; content:"GET"; sid:3;)
alert tcp any any -> any 80 (msg:"get"; content:"GET"; sid:4;)
alert tcp any any -> any 80 (msg:"later"; content:"later"; sid:5;)"#,
        true,
        "",
        None,
    );
    let mut c = Conn::new(CLIENT, 40002);
    let mut frames = c.handshake();
    frames.push(c.client_data(b"GET / HTTP/1.1\r\n\r\n"));
    frames.push(c.client_data(b"later"));
    let (_, sink) = feed(&mut e, &frames, 0);
    assert!(sink.alerts.is_empty(), "{:?}", sids(&sink));

    // Another client is not trusted: both alerts fire.
    let mut c = Conn::new([10, 0, 0, 9], 40003);
    let mut frames = c.handshake();
    frames.push(c.client_data(b"GET / HTTP/1.1\r\n\r\n"));
    frames.push(c.client_data(b"later"));
    let (_, sink) = feed(&mut e, &frames, 100);
    assert_eq!(sids(&sink), [4, 5]);
}

#[test]
fn threshold_limits_alerts_per_source_across_flows() {
    let mut e = engine(
        r#"alert tcp any any -> any 80 (msg:"syn"; flags:S; threshold:type limit, track by_src, count 2, seconds 60; sid:6;)"#,
        false,
        "",
        None,
    );
    let frames: Vec<Vec<u8>> = (0..5)
        .map(|i| Conn::new(CLIENT, 41000 + i).frame(true, "S", 1, 0, b""))
        .collect();
    let (_, sink) = feed(&mut e, &frames, 0);
    assert_eq!(sids(&sink), [6, 6]);
    // A suppression in threshold.config silences another source entirely.
    let mut e = engine(
        r#"alert tcp any any -> any 80 (msg:"syn"; flags:S; sid:7;)"#,
        false,
        "suppress gen_id 1, sig_id 7, track by_src, ip 10.0.0.0/24",
        None,
    );
    let (_, sink) = feed(&mut e, &frames, 0);
    assert!(sink.alerts.is_empty());
}

#[test]
fn blocking_rule_blocks_its_source_for_the_configured_time() {
    let list = Arc::new(BlockList::new());
    let policy = BlockPolicy {
        list: Arc::clone(&list),
        duration_secs: 3,
        sids: vec![8],
        metadata_key: "portcullis-block".into(),
    };
    let mut e = engine(
        r#"drop tcp any any -> any 80 (msg:"blocker"; content:"/attack"; sid:8;)"#,
        true,
        "",
        Some(policy),
    );
    let mut attacker = Conn::new(CLIENT, 42000);
    let mut frames = attacker.handshake();
    frames.push(attacker.client_data(b"GET /attack HTTP/1.1\r\n\r\n"));
    let (verdicts, _) = feed(&mut e, &frames, 0);
    assert_eq!(verdicts[3], Verdict::Drop);

    // A new connection from the same source, 1 s later: blocked; another source passes.
    let again = Conn::new(CLIENT, 42001).frame(true, "S", 1, 0, b"");
    let other = Conn::new([10, 0, 0, 7], 42002).frame(true, "S", 1, 0, b"");
    let (verdicts, sink) = feed(&mut e, &[again.clone(), other], 1000);
    assert_eq!(verdicts, [Verdict::Drop, Verdict::Pass]);
    assert!(sink.drops[0].source_blocked);
    assert_eq!(e.stats().verdicts.blocked_source, 1);
    // After the 3 s block, the source gets through again.
    let (verdicts, _) = feed(&mut e, &[again], 3500);
    assert_eq!(verdicts, [Verdict::Pass]);
}

#[test]
fn udp_and_icmp_rules_match_per_packet_and_flows_are_counted() {
    let mut e = engine(
        r#"alert udp any any -> any 53 (msg:"dns"; content:"|07|example"; sid:9;)
alert icmp any any -> any any (msg:"ping"; itype:8; sid:10;)"#,
        false,
        "",
        None,
    );
    let mut dns = Vec::new();
    PacketBuilder::ethernet2([1; 6], [2; 6])
        .ipv4(CLIENT, SERVER, 64)
        .udp(5353, 53)
        .write(
            &mut dns,
            b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00",
        )
        .unwrap();
    let mut ping = Vec::new();
    PacketBuilder::ethernet2([1; 6], [2; 6])
        .ipv4(CLIENT, SERVER, 64)
        .icmpv4_echo_request(1, 1)
        .write(&mut ping, b"abcd")
        .unwrap();
    let (_, sink) = feed(&mut e, &[dns.clone(), ping, dns], 0);
    assert_eq!(sids(&sink), [9, 10, 9]);
    let mut end = CollectingSink::default();
    e.finish(&mut end);
    assert_eq!(e.stats().flow.created, 2);
    assert_eq!(e.stats().decoder.udp, 2);
    assert_eq!(e.stats().decoder.icmpv4, 1);
}
