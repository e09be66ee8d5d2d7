//! Fuzzes the whole per-worker pipeline (`engine::Engine`: decode → flow → reassembly → detect →
//! verdict) with a small fixed ruleset exercising stream contents, pcre, byte_test, byte_jump,
//! flowbits, thresholds, pass/drop/reject and the block list. The input is a session: a few
//! TCP/UDP/ICMP flows whose packets (sequence numbers tracked or fuzzed, payloads fuzzed) are
//! built well-formed, mixed with raw fuzzed frames, under a small flow table and reassembly
//! memcap so eviction and memcap paths run too.
#![no_main]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use portcullis_detection::decode::{tcp_flags, LinkType};
use portcullis_detection::engine::{
    BlockList, BlockPolicy, CollectingSink, Engine, EngineConfig, Ruleset, Verdict,
};
use portcullis_detection::flow::FlowConfig;
use portcullis_detection::rules::{Classifications, RuleLoader, Vars};
use portcullis_detection::stream::{OverlapPolicy, StreamConfig};
use portcullis_detection::threshold::ThresholdConfig;
use portcullis_detection::time::Timestamp;
use portcullis_fuzz::{build_frame, Ip, L4};

/// The ruleset: one rule per feature the pipeline has to get right.
const RULES: &str = r#"
alert tcp any any -> any any (msg:"stream content"; flow:established,to_server; content:"attack"; sid:1;)
drop tcp any any -> any 80 (msg:"stream pcre"; flow:to_server; content:"GET"; pcre:"/evil\d+/R"; sid:2;)
alert tcp any any -> any any (msg:"set bit"; content:"login"; flowbits:set,logged; flowbits:noalert; sid:3;)
alert tcp any any -> any any (msg:"bit is set"; content:"secret"; flowbits:isset,logged; sid:4;)
reject tcp any any -> any any (msg:"byte_test"; content:"|de ad|"; byte_test:2,>,1000,0,relative; sid:5;)
alert udp any any -> any 53 (msg:"byte_jump"; content:"|01 00|"; offset:2; depth:2; byte_jump:1,10,relative; content:"x"; within:4; sid:6;)
alert icmp any any -> any any (msg:"ping"; itype:8; dsize:>10; sid:7;)
pass tcp any any -> any 22 (msg:"pass ssh"; sid:8;)
alert tcp any any -> any any (msg:"syn threshold"; flags:S; threshold:type both,track by_src,count 3,seconds 10; sid:9;)
alert ip any any -> any any (msg:"low ttl"; ttl:<2; sid:10;)
alert tcp any any -> any any (msg:"filter"; content:"x"; detection_filter:track by_dst,count 5,seconds 1; sid:11;)
rejectboth tcp-stream any any -> any any (msg:"to client"; flow:to_client; content:"leak"; isdataat:2,relative; sid:12;)
alert tcp-pkt any any -> any any (msg:"pkt only"; content:"pkt"; startswith; sid:13;)
"#;

/// Payload starts that satisfy the rules' contents: the prefilter runs in Hyperscan, which
/// libFuzzer cannot see into, so without these the fuzzer would rarely reach verification,
/// alerts, flowbits, thresholds and drop/reject verdicts.
const TRIGGERS: [&[u8]; 9] = [
    b"attack",
    b"GET /evil42 HTTP/1.0",
    b"login",
    b"secret",
    b"\xde\xad\x10\x00",
    b"leak more",
    b"pkt",
    b"x",
    b"\x00\x00\x01\x00\x02",
];

/// A payload: fuzzed bytes, optionally after one of the [`TRIGGERS`].
#[derive(Arbitrary, Debug)]
struct Payload {
    trigger: Option<u8>,
    bytes: Vec<u8>,
}

impl Payload {
    fn bytes(&self) -> Vec<u8> {
        let start = self
            .trigger
            .map_or(&[][..], |t| TRIGGERS[usize::from(t) % TRIGGERS.len()]);
        [start, &self.bytes].concat()
    }
}

/// How a TCP packet's sequence number is chosen.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Seq {
    /// The next byte this side has not sent yet.
    Next,
    /// That plus a small delta (retransmissions, overlaps, gaps).
    Delta(i16),
    /// Any number.
    Raw(u32),
}

/// One packet of the session.
#[derive(Arbitrary, Debug)]
enum Pkt {
    /// The three-way handshake of TCP flow `flow`.
    Handshake { flow: u8 },
    /// A TCP segment of flow `flow`.
    Tcp {
        flow: u8,
        to_server: bool,
        flags: u8,
        seq: Seq,
        payload: Payload,
    },
    /// A UDP datagram of flow `flow`.
    Udp {
        flow: u8,
        to_server: bool,
        payload: Payload,
    },
    /// An ICMP message.
    Icmp {
        icmp_type: u8,
        code: u8,
        ttl: u8,
        payload: Vec<u8>,
    },
    /// Any bytes as an Ethernet frame.
    Raw(Vec<u8>),
    /// Packet time moves on (seconds), so flows and thresholds time out.
    Wait(u8),
}

/// The session: engine switches, then packets.
#[derive(Arbitrary, Debug)]
struct Session {
    inline: bool,
    midstream: bool,
    checksums: bool,
    memcap: u16,
    window_keep: u8,
    packets: Vec<Pkt>,
}

/// Flows a session uses (more than the flow table holds, so eviction runs).
const FLOWS: usize = 6;

/// Most packets per input.
const MAX_PACKETS: usize = 64;

/// Per TCP flow and direction: initial sequence number and bytes sent so far.
#[derive(Debug, Clone, Copy)]
struct Side {
    isn: u32,
    sent: u32,
}

/// The compiled ruleset, built once: a Hyperscan compile per input would dominate the run.
///
/// Its threshold state (by source and destination host) outlives an input, so every input runs
/// on hosts and at a time of its own (see [`Run`]) and never sees an earlier input's counts.
fn ruleset() -> Arc<Ruleset> {
    static RULESET: OnceLock<Arc<Ruleset>> = OnceLock::new();
    Arc::clone(RULESET.get_or_init(|| {
        let vars = Vars::default();
        let mut loader = RuleLoader::new(&vars);
        loader.load_str("engine.rules", RULES);
        let loaded = loader.finish();
        assert_eq!(loaded.loaded, 13, "{}", loaded.report());
        let (ruleset, report) = Ruleset::build(
            loaded.rules,
            &Classifications::default(),
            ThresholdConfig::default(),
        );
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        Arc::new(ruleset)
    }))
}

/// What makes one input's hosts and time its own: a counter of inputs run so far.
#[derive(Debug, Clone, Copy)]
struct Run(u32);

impl Run {
    fn next() -> Run {
        static RUNS: AtomicU32 = AtomicU32::new(0);
        Run(RUNS.fetch_add(1, Ordering::Relaxed))
    }

    /// The second byte pair of this run's addresses.
    fn net(self) -> [u8; 2] {
        [(self.0 >> 8) as u8, self.0 as u8]
    }

    /// Packet time at the start of the run: an hour after the previous run's start.
    fn start(self) -> Timestamp {
        Timestamp::from_secs_micros(1_700_000_000 + u64::from(self.0) * 3600, 0)
    }
}

fuzz_target!(|s: Session| {
    let run = Run::next();
    let cfg = EngineConfig {
        flow: FlowConfig {
            max_flows: 4,
            midstream: s.midstream,
            ..FlowConfig::default()
        },
        stream: StreamConfig {
            depth: 8192,
            window_keep: usize::from(s.window_keep),
            memcap: u64::from(s.memcap),
            policy: OverlapPolicy::First,
        },
        inline: s.inline,
        block: Some(BlockPolicy {
            list: Arc::new(BlockList::new()),
            duration_secs: 5,
            sids: vec![2],
            metadata_key: "block".into(),
        }),
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(cfg, ruleset());
    engine.set_checksum_validation(s.checksums);
    let mut sink = CollectingSink::default();
    let mut now = run.start();
    let mut sides: Vec<[Side; 2]> = (0..FLOWS as u32)
        .map(|i| {
            let isn = 0xffff_ff00u32.wrapping_add(i * 0x1000_0000);
            [Side { isn, sent: 0 }, Side { isn: !isn, sent: 0 }]
        })
        .collect();
    let mut processed = 0u64;
    for pkt in s.packets.iter().take(MAX_PACKETS) {
        now = Timestamp(now.0 + 1000);
        let frames = match pkt {
            Pkt::Wait(secs) => {
                now = Timestamp(now.0 + u64::from(*secs) * 1_000_000);
                continue;
            }
            Pkt::Handshake { flow } => {
                handshake(run, &mut sides[usize::from(*flow) % FLOWS], *flow)
            }
            Pkt::Tcp {
                flow,
                to_server,
                flags,
                seq,
                payload,
            } => {
                let f = usize::from(*flow) % FLOWS;
                let payload = payload.bytes();
                vec![tcp_segment(
                    run,
                    &mut sides[f],
                    *flow,
                    *to_server,
                    *flags,
                    *seq,
                    &payload,
                )]
            }
            Pkt::Udp {
                flow,
                to_server,
                payload,
            } => {
                let (ip, sport, dport) = endpoints(run, *flow, *to_server);
                vec![build_frame(
                    &ip,
                    &L4::Udp { sport, dport },
                    &payload.bytes(),
                )]
            }
            Pkt::Icmp {
                icmp_type,
                code,
                ttl,
                payload,
            } => {
                let (mut ip, _, _) = endpoints(run, 0, true);
                ip.ttl = *ttl;
                let l4 = L4::Icmp {
                    icmp_type: *icmp_type,
                    code: *code,
                    rest: [0, 1, 0, 1],
                };
                vec![build_frame(&ip, &l4, payload)]
            }
            Pkt::Raw(frame) => vec![frame.clone()],
        };
        for frame in frames {
            let verdict = engine.process(LinkType::Ethernet, now, &frame, &mut sink);
            processed += 1;
            if !s.inline {
                assert_eq!(verdict, Verdict::Pass, "drops apply only inline");
            }
        }
    }
    engine.finish(&mut sink);
    let stats = engine.stats();
    assert_eq!(stats.decoder.pkts, processed);
    let v = &stats.verdicts;
    assert_eq!(v.accepted + v.dropped, processed);
    assert!(v.rejected <= v.dropped);
    assert!(sink.alerts.iter().all(|a| (1..=13).contains(&a.rule.sid)));
    assert!(
        sink.alerts.iter().all(|a| a.rule.sid != 3),
        "flowbits:noalert rule alerted"
    );
});

/// Addresses and ports of flow `flow` in one direction (client 10.n.n.x, server 11.n.n.x with
/// n.n the run's own; flows use ports 80, 22, 53 and others, some servers serve two flows).
fn endpoints(run: Run, flow: u8, to_server: bool) -> (Ip, u16, u16) {
    let f = flow % FLOWS as u8;
    let [a, b] = run.net();
    let mut client = [0u8; 16];
    client[12..].copy_from_slice(&[10, a, b, 1 + f]);
    let mut server = [0u8; 16];
    server[12..].copy_from_slice(&[11, a, b, 1 + f / 2]);
    let client_port = 40000 + u16::from(f);
    let server_port = [80, 22, 53, 443, 80, 8080][usize::from(f)];
    let (src, dst, sport, dport) = if to_server {
        (client, server, client_port, server_port)
    } else {
        (server, client, server_port, client_port)
    };
    let ip = Ip {
        src,
        dst,
        v6: false,
        ttl: 64,
        tos: 0,
        id: 1,
    };
    (ip, sport, dport)
}

/// A TCP segment of flow `flow`; `Seq::Next` segments advance the side's sequence number.
fn tcp_segment(
    run: Run,
    sides: &mut [Side; 2],
    flow: u8,
    to_server: bool,
    flags: u8,
    seq: Seq,
    payload: &[u8],
) -> Vec<u8> {
    let (me, peer) = if to_server { (0, 1) } else { (1, 0) };
    let next = sides[me].isn.wrapping_add(1).wrapping_add(sides[me].sent);
    let seq = match seq {
        Seq::Next => next,
        Seq::Delta(d) => next.wrapping_add(d as i32 as u32),
        Seq::Raw(n) => n,
    };
    let consumed = payload.len().min(portcullis_fuzz::MAX_PAYLOAD) as u32
        + u32::from(flags & (tcp_flags::SYN | tcp_flags::FIN) != 0);
    if seq == next {
        sides[me].sent = sides[me].sent.wrapping_add(consumed);
    }
    let ack = sides[peer]
        .isn
        .wrapping_add(1)
        .wrapping_add(sides[peer].sent);
    let (ip, sport, dport) = endpoints(run, flow, to_server);
    let l4 = L4::Tcp {
        sport,
        dport,
        seq,
        ack,
        flags,
        window: 65535,
    };
    build_frame(&ip, &l4, payload)
}

/// SYN, SYN-ACK and ACK of flow `flow`, starting its sequence numbers afresh.
fn handshake(run: Run, sides: &mut [Side; 2], flow: u8) -> Vec<Vec<u8>> {
    for side in sides.iter_mut() {
        side.sent = 0;
    }
    let (ip_c, cport, sport) = endpoints(run, flow, true);
    let (ip_s, _, _) = endpoints(run, flow, false);
    let (isn_c, isn_s) = (sides[0].isn, sides[1].isn);
    let tcp = |sport, dport, seq, ack, flags| L4::Tcp {
        sport,
        dport,
        seq,
        ack,
        flags,
        window: 65535,
    };
    vec![
        build_frame(&ip_c, &tcp(cport, sport, isn_c, 0, tcp_flags::SYN), &[]),
        build_frame(
            &ip_s,
            &tcp(
                sport,
                cport,
                isn_s,
                isn_c.wrapping_add(1),
                tcp_flags::SYN | tcp_flags::ACK,
            ),
            &[],
        ),
        build_frame(
            &ip_c,
            &tcp(
                cport,
                sport,
                isn_c.wrapping_add(1),
                isn_s.wrapping_add(1),
                tcp_flags::ACK,
            ),
            &[],
        ),
    ]
}
