//! Engine-level tests: building, grouping, prefiltering, flowbits, passes and order.

use super::testutil::*;
use super::*;
use crate::decode::{IcmpHeader, IpHeader, TcpHeader, Transport, UdpHeader};
use crate::rules::ast::*;
use crate::time::Timestamp;

fn ip(proto: u8, v6: bool) -> IpHeader {
    let (src, dst) = if v6 {
        (
            "2001:db8::1".parse().unwrap(),
            "2001:db8::2".parse().unwrap(),
        )
    } else {
        ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap())
    };
    IpHeader {
        version: if v6 { 6 } else { 4 },
        src,
        dst,
        ttl: 64,
        tos: 0,
        id: 1,
        proto,
        dont_fragment: false,
        more_fragments: false,
        reserved_bit: false,
        fragment_offset: 0,
        header_len: 20,
        offset: 0,
        checksum_ok: None,
    }
}

fn tcp(payload: &[u8], sp: u16, dp: u16) -> Packet<'_> {
    let mut p = Packet::empty(Timestamp(0), payload);
    p.ip = Some(ip(6, false));
    p.transport = Transport::Tcp(TcpHeader {
        src_port: sp,
        dst_port: dp,
        flags: crate::decode::tcp_flags::ACK,
        ..TcpHeader::default()
    });
    p.payload = payload;
    p
}

fn udp(payload: &[u8], sp: u16, dp: u16) -> Packet<'_> {
    let mut p = tcp(payload, sp, dp);
    p.ip = Some(ip(17, false));
    p.transport = Transport::Udp(UdpHeader {
        src_port: sp,
        dst_port: dp,
        ..UdpHeader::default()
    });
    p
}

fn icmp(v6: bool) -> Packet<'static> {
    let mut p = Packet::empty(Timestamp(0), b"ping");
    p.ip = Some(ip(if v6 { 58 } else { 1 }, v6));
    let h = IcmpHeader {
        icmp_type: if v6 { 128 } else { 8 },
        ..IcmpHeader::default()
    };
    p.transport = if v6 {
        Transport::Icmp6(h)
    } else {
        Transport::Icmp4(h)
    };
    p.payload = b"ping";
    p
}

const TO_SERVER: Option<FlowContext> = Some(FlowContext {
    direction_to_server: true,
    established: true,
    stream_active: false,
});

const TO_SERVER_STREAM: Option<FlowContext> = Some(FlowContext {
    direction_to_server: true,
    established: true,
    stream_active: true,
});

struct Harness {
    engine: DetectEngine,
    scratch: Scratch,
}

impl Harness {
    fn new(rules: Vec<Rule>) -> Self {
        let (engine, report) = DetectEngine::build(rules);
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        let scratch = engine.new_scratch();
        Harness { engine, scratch }
    }

    fn inspect(
        &mut self,
        p: &Packet<'_>,
        flow: Option<FlowContext>,
        pass: Pass<'_>,
        bits: Option<&mut FlowBits>,
    ) -> Vec<u32> {
        let mut out = Vec::new();
        let input = Inspection {
            packet: p,
            flow,
            pass,
        };
        self.engine
            .inspect(&mut self.scratch, &input, bits, &mut out);
        out.iter().map(|id| self.engine.rule(*id).sid).collect()
    }

    fn packet(&mut self, p: &Packet<'_>, flow: Option<FlowContext>) -> Vec<u32> {
        self.inspect(p, flow, Pass::Packet, None)
    }
}

#[test]
fn engine_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}
    assert_send_sync::<DetectEngine>();
    assert_send::<Scratch>();
}

#[test]
fn udp_rules_are_never_verified_for_tcp_packets() {
    let mut h = Harness::new(vec![
        RuleB::new(1)
            .proto(RuleProto::Udp)
            .pay(content(b"evil"))
            .build(),
        RuleB::new(2).proto(RuleProto::Udp).build(),
        RuleB::new(3).pay(content(b"evil")).build(),
    ]);
    assert_eq!(h.packet(&tcp(b"so evil", 1, 2), None), vec![3]);
    assert_eq!(h.scratch.verified(), 1);
    assert_eq!(h.packet(&udp(b"so evil", 1, 2), None), vec![1, 2]);
    assert_eq!(h.scratch.verified(), 3);
}

#[test]
fn hyperscan_prefilter_and_nocase() {
    let mut h = Harness::new(vec![
        RuleB::new(1).pay(content(b"HeLLo").nocase()).build(),
        RuleB::new(2).pay(content(b"HeLLo")).build(),
    ]);
    assert_eq!(h.packet(&tcp(b"xhello", 1, 2), None), vec![1]);
    // Rule 2's fast pattern did not hit: it was never verified.
    assert_eq!(h.scratch.verified(), 1);
    assert_eq!(h.packet(&tcp(b"xHeLLo", 1, 2), None), vec![1, 2]);
    assert_eq!(h.packet(&tcp(b"nothing", 1, 2), None), Vec::<u32>::new());
    assert_eq!(h.scratch.verified(), 3);
}

#[test]
fn fast_pattern_hit_is_verified_in_full() {
    // The fast pattern ("needle") is present but the other content is not.
    let mut h = Harness::new(vec![RuleB::new(1)
        .pay(content(b"ab").depth(lit(2)))
        .pay(content(b"needle"))
        .build()]);
    assert_eq!(h.packet(&tcp(b"xxneedle", 1, 2), None), Vec::<u32>::new());
    assert_eq!(h.scratch.verified(), 1);
    assert_eq!(h.packet(&tcp(b"abneedle", 1, 2), None), vec![1]);
}

#[test]
fn pcre_that_does_not_compile_is_reported() {
    let (engine, report) = DetectEngine::build(vec![
        RuleB::new(7).pay(pcre("a(b", "")).build(),
        RuleB::new(8).pay(content(b"ok")).build(),
    ]);
    assert_eq!(report.compiled, 1);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, 7);
    assert!(
        report.failed[0].1.contains("does not compile"),
        "{}",
        report.failed[0].1
    );
    assert_eq!(engine.len(), 1);
    assert_eq!(engine.rule(RuleId(0)).sid, 8);
}

#[test]
fn pcre_only_rules_use_the_hyperscan_prefilter() {
    let mut h = Harness::new(vec![
        RuleB::new(1).pay(pcre(r"foo\d+bar", "i")).build(),
        // `x` is not given to Hyperscan: this rule sits in the any-port list.
        RuleB::new(2).pay(pcre(r"baz \d", "x")).build(),
    ]);
    assert_eq!(
        h.packet(&tcp(b"nothing here", 1, 2), None),
        Vec::<u32>::new()
    );
    assert_eq!(h.scratch.verified(), 1);
    assert_eq!(h.packet(&tcp(b"xFOO12BARbaz7", 1, 2), None), vec![1, 2]);
}

#[test]
fn header_only_rules_are_indexed_by_port() {
    let mut h = Harness::new(vec![
        RuleB::new(1)
            .dst(AddrExpr::Any, PortExpr::Range(80, 80))
            .check(HeaderCheck::Flags(0x10, FlagsMode::All, 0))
            .build(),
        RuleB::new(2)
            .src(AddrExpr::Any, PortExpr::Range(8080, 8080))
            .dst(AddrExpr::Any, PortExpr::Range(443, 443))
            .bidirectional()
            .build(),
    ]);
    assert_eq!(h.packet(&tcp(b"", 1234, 80), None), vec![1]);
    assert_eq!(h.scratch.verified(), 1);
    assert_eq!(h.packet(&tcp(b"", 1234, 81), None), Vec::<u32>::new());
    assert_eq!(h.scratch.verified(), 1);
    // `<>`: the reverse orientation reaches the rule through its source port list.
    assert_eq!(h.packet(&tcp(b"", 443, 8080), None), vec![2]);
    assert_eq!(h.packet(&tcp(b"", 8080, 443), None), vec![2]);
    assert_eq!(h.packet(&tcp(b"", 443, 443), None), Vec::<u32>::new());
    assert_eq!(h.scratch.verified(), 4);
}

#[test]
fn protocols_and_addresses() {
    let v4_net = AddrExpr::Net("10.0.0.0".parse().unwrap(), 8);
    let mut h = Harness::new(vec![
        RuleB::new(1).proto(RuleProto::Ip).build(),
        RuleB::new(2).proto(RuleProto::Icmp).build(),
        RuleB::new(3).proto(RuleProto::Icmpv6).build(),
        RuleB::new(4)
            .proto(RuleProto::Ip)
            .src(AddrExpr::Not(Box::new(v4_net)), PortExpr::Any)
            .build(),
        RuleB::new(5)
            .proto(RuleProto::Icmp)
            .check(HeaderCheck::Itype(NumCmp::Eq(8)))
            .build(),
    ]);
    assert_eq!(h.packet(&icmp(false), None), vec![1, 2, 5]);
    assert_eq!(h.packet(&icmp(true), None), vec![1, 2, 3, 4]);
    assert_eq!(h.packet(&tcp(b"x", 1, 2), None), vec![1]);
    assert_eq!(h.packet(&udp(b"x", 1, 2), None), vec![1]);
    let mut no_ip = tcp(b"x", 1, 2);
    no_ip.ip = None;
    assert_eq!(h.packet(&no_ip, None), Vec::<u32>::new());
}

#[test]
fn flow_options_need_a_flow() {
    let est = FlowOpts {
        established: true,
        ..FlowOpts::default()
    };
    let to_client = FlowOpts {
        to_client: true,
        ..FlowOpts::default()
    };
    let mut h = Harness::new(vec![
        RuleB::new(1).flow(est).pay(content(b"x")).build(),
        RuleB::new(2).flow(to_client).build(),
        RuleB::new(3)
            .flow(FlowOpts {
                stateless: true,
                ..FlowOpts::default()
            })
            .build(),
    ]);
    let p = tcp(b"x", 1, 2);
    assert_eq!(h.packet(&p, None), vec![3]);
    assert_eq!(h.packet(&p, TO_SERVER), vec![1, 3]);
    let to_client_flow = Some(FlowContext {
        direction_to_server: false,
        ..TO_SERVER.unwrap()
    });
    assert_eq!(h.packet(&p, to_client_flow), vec![1, 2, 3]);
}

#[test]
fn signature_order_and_single_report() {
    let mut h = Harness::new(vec![
        RuleB::new(1).pay(content(b"x")).build(),
        RuleB::new(2)
            .action(Action::Drop)
            .pay(content(b"x"))
            .build(),
        RuleB::new(3).action(Action::Pass).build(),
        RuleB::new(4).priority(1).pay(content(b"xx")).build(),
        RuleB::new(5)
            .proto(RuleProto::Ip)
            .pay(content(b"x"))
            .build(),
    ]);
    assert_eq!(h.packet(&tcp(b"xx", 1, 2), None), vec![3, 2, 4, 1, 5]);
}

#[test]
fn flowbits_in_one_call_and_across_calls() {
    let login = || {
        RuleB::new(10)
            .pay(content(b"login"))
            .flowbit(FlowbitOp::Set(names(&["auth"])))
            .build()
    };
    let cmd = || {
        RuleB::new(11)
            .pay(content(b"cmd"))
            .flowbit(FlowbitOp::IsSet(names(&["auth"]), false))
            .build()
    };
    let anon = || {
        RuleB::new(12)
            .pay(content(b"cmd"))
            .flowbit(FlowbitOp::IsNotSet(names(&["auth"]), false))
            .build()
    };
    // The reader comes first in the file; the setter still runs first.
    let mut h = Harness::new(vec![cmd(), anon(), login()]);
    let mut bits = FlowBits::default();
    let both = tcp(b"login cmd", 1, 2);
    assert_eq!(
        h.inspect(&both, TO_SERVER, Pass::Packet, Some(&mut bits)),
        vec![10, 11]
    );
    let auth = h.engine.flowbit_id("auth").unwrap();
    assert!(bits.is_set(auth));
    // Across calls.
    let mut fresh = FlowBits::default();
    let cmd_only = tcp(b"cmd", 1, 2);
    assert_eq!(
        h.inspect(&cmd_only, TO_SERVER, Pass::Packet, Some(&mut fresh)),
        vec![12]
    );
    let login_only = tcp(b"login", 1, 2);
    assert_eq!(
        h.inspect(&login_only, TO_SERVER, Pass::Packet, Some(&mut fresh)),
        vec![10]
    );
    assert_eq!(
        h.inspect(&cmd_only, TO_SERVER, Pass::Packet, Some(&mut fresh)),
        vec![11]
    );
    // Without a flow, flowbit conditions fail.
    assert_eq!(
        h.inspect(&cmd_only, None, Pass::Packet, None),
        Vec::<u32>::new()
    );
}

#[test]
fn flowbits_any_all_toggle_unset() {
    let mut h = Harness::new(vec![
        RuleB::new(1)
            .pay(content(b"A"))
            .flowbit(FlowbitOp::Set(names(&["a"])))
            .build(),
        RuleB::new(2)
            .pay(content(b"B"))
            .flowbit(FlowbitOp::Toggle(names(&["b"])))
            .build(),
        RuleB::new(3)
            .flowbit(FlowbitOp::IsSet(names(&["a", "b"]), false))
            .build(),
        RuleB::new(4)
            .flowbit(FlowbitOp::IsSet(names(&["a", "b"]), true))
            .build(),
        RuleB::new(5)
            .pay(content(b"U"))
            .flowbit(FlowbitOp::Unset(names(&["a"])))
            .build(),
    ]);
    let mut bits = FlowBits::default();
    let mut run = |h: &mut Harness, data: &[u8]| {
        h.inspect(&tcp(data, 1, 2), TO_SERVER, Pass::Packet, Some(&mut bits))
    };
    assert_eq!(run(&mut h, b"-"), Vec::<u32>::new());
    assert_eq!(run(&mut h, b"A"), vec![1, 3]);
    assert_eq!(run(&mut h, b"B"), vec![2, 3, 4]);
    assert_eq!(run(&mut h, b"B"), vec![2, 3]);
    assert_eq!(run(&mut h, b"U"), vec![5]);
    assert_eq!(run(&mut h, b"-"), Vec::<u32>::new());
}

#[test]
fn plain_tcp_rules_move_to_the_stream_pass_when_reassembly_runs() {
    let mut h = Harness::new(vec![
        RuleB::new(1).pay(content(b"attack")).build(),
        RuleB::new(2)
            .proto(RuleProto::TcpPkt)
            .pay(content(b"attack"))
            .build(),
        RuleB::new(3)
            .pay(content(b"attack"))
            .check(HeaderCheck::Dsize(NumCmp::Gt(2)))
            .build(),
        RuleB::new(4)
            .proto(RuleProto::TcpStream)
            .pay(content(b"attack"))
            .build(),
        RuleB::new(5)
            .flow(FlowOpts {
                no_stream: true,
                ..FlowOpts::default()
            })
            .pay(content(b"attack"))
            .build(),
    ]);
    let p = tcp(b"an attack", 1, 2);
    assert_eq!(h.packet(&p, TO_SERVER), vec![1, 2, 3, 5]);
    assert_eq!(h.packet(&p, TO_SERVER_STREAM), vec![2, 3, 5]);
    let stream = Pass::Stream {
        data: b"an attack",
        base_offset: 0,
        new_from: 0,
    };
    assert_eq!(h.inspect(&p, TO_SERVER_STREAM, stream, None), vec![1, 4]);
}

#[test]
fn stream_pass_reports_only_matches_reaching_new_data() {
    let mut h = Harness::new(vec![
        RuleB::new(1).pay(content(b"attack")).build(),
        RuleB::new(2)
            .pay(content(b"GET"))
            .pay(content(b"HTTP").distance(lit(0)))
            .build(),
        RuleB::new(3).pay(content(b"GET").depth(lit(3))).build(),
    ]);
    let p = tcp(b"", 1, 2);
    let mut at = |data: &'static [u8], base_offset, new_from| {
        let pass = Pass::Stream {
            data,
            base_offset,
            new_from,
        };
        h.inspect(&p, TO_SERVER_STREAM, pass, None)
    };
    // Entirely in old data: not reported again.
    assert_eq!(at(b"an attack, then more", 1000, 10), Vec::<u32>::new());
    // Spanning old and new data: reported.
    assert_eq!(at(b"an attack, then more", 1000, 5), vec![1]);
    // GET is old, HTTP is new: the match reaches new data.
    assert_eq!(at(b"GET / HTTP/1.1", 0, 8), vec![2]);
    // `depth` is a stream offset: only a window starting the stream can hold it.
    assert_eq!(at(b"GET / HTTP/1.1", 0, 0), vec![2, 3]);
    assert_eq!(at(b"GET / HTTP/1.1", 20, 0), vec![2]);
    // Nothing new at all.
    assert_eq!(at(b"an attack", 0, 9), Vec::<u32>::new());
}

#[test]
fn no_allocation_growth_after_warm_up() {
    let mut h = Harness::new(vec![
        RuleB::new(1).pay(content(b"a")).build(),
        RuleB::new(2).build(),
    ]);
    let p = tcp(b"aaa", 1, 2);
    h.packet(&p, None);
    let cap = h.scratch.candidates.capacity();
    for _ in 0..100 {
        assert_eq!(h.packet(&p, None), vec![1, 2]);
    }
    assert_eq!(h.scratch.candidates.capacity(), cap);
}

/// Rules from the public suricata-verify data, parsed by the real parser; `None` (the test
/// skips) when the data is absent, except under `CI=true`.
fn verify_rules(test: &str) -> Option<Vec<Rule>> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/suricata-verify/tests")
        .join(test)
        .join("test.rules");
    if !path.exists() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{path:?} missing"
        );
        println!("skipping: {path:?} is absent");
        return None;
    }
    let vars = crate::rules::Vars::default();
    let loaded = crate::rules::load_rules(&[path], &vars).expect("readable");
    assert!(loaded.malformed.is_empty(), "{:?}", loaded.malformed);
    assert!(loaded.unsupported.is_empty(), "{:?}", loaded.unsupported);
    Some(loaded.rules)
}

#[test]
fn suricata_verify_byte_extract_01() {
    let Some(rules) = verify_rules("byte-extract-01") else {
        return;
    };
    let mut h = Harness::new(rules);
    // Built from the rules: "10" (two1) and "2" (two2/dectwo), "6" (sixd), 0x10 (hexten,
    // two4), "8" (eight); "34" at 8 with "3" at 8 (three1); "6|10|" at 3; 'f' at 16; '.' at 17.
    let payload: &[u8] = b"1026\x108 !34.\x11\"3DUf.21";
    let all: Vec<u32> = (1..=10).collect();
    assert_eq!(h.packet(&tcp(payload, 1, 2), None), all);
    // Byte 4 = 0x11 moves hexten/two4 on by one: rules 9 and 10 no longer match (and rule
    // 6's "6|10|" is gone).
    let shifted: &[u8] = b"1026\x118 !34.\x11\"3DUf.21";
    assert_eq!(
        h.packet(&tcp(shifted, 1, 2), None),
        vec![1, 2, 3, 4, 5, 7, 8]
    );
    // "10" -> "01": "01" is too small a depth for rule 1; "10" is gone for rules 4, 5, 6;
    // decone = 0 leaves rule 9 an empty window; rule 10 wants '1' at 0.
    let swapped: &[u8] = b"0126\x108 !34.\x11\"3DUf.21";
    assert_eq!(h.packet(&tcp(swapped, 1, 2), None), vec![2, 3, 7, 8]);
}

#[test]
fn suricata_verify_detect_bytetest_01() {
    let Some(rules) = verify_rules("detect-bytetest-01") else {
        return;
    };
    let mut h = Harness::new(rules);
    let response: &[u8] = b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n";
    assert_eq!(
        h.packet(&tcp(response, 80, 1234), None),
        vec![1, 2, 3, 4, 5]
    );
    // The rules test offset 0; "HTTP" must still be present, so put a 'P' in front.
    let other: &[u8] = b"PHTTP/1.1 400";
    // 'P' = 0x50 -> 0x0a: rules 1 (=9) and 3 (<10) fail, 2 (>8) and 4 (!=0x48) hold;
    // rule 5: 0x5048 & 0xf8f8 >> 3 = 0xa09.
    assert_eq!(h.packet(&tcp(other, 80, 1234), None), vec![2, 4]);
}

/// Rules written in Suricata syntax, through the real parser.
fn parsed(text: &str) -> Vec<Rule> {
    let vars = crate::rules::Vars::default();
    let mut loader = crate::rules::RuleLoader::new(&vars);
    loader.load_str("inline.rules", text);
    let loaded = loader.finish();
    assert!(loaded.malformed.is_empty(), "{:?}", loaded.malformed);
    assert!(loaded.unsupported.is_empty(), "{:?}", loaded.unsupported);
    loaded.rules
}

#[test]
fn parsed_rules_end_to_end() {
    let mut h = Harness::new(parsed(
        r#"alert tcp any any -> any any (msg:"backtrack"; content:"a"; content:"b"; distance:0; within:1; sid:1;)
alert tcp any any -> any 80 (msg:"syn"; flags:S,CE; sid:2;)
alert tcp any any -> any any (msg:"user"; flow:established,to_server; content:"USER "; startswith; flowbits:set,ftp.user; flowbits:noalert; sid:3;)
alert tcp any any -> any any (msg:"pass"; flow:established,to_server; content:"PASS "; flowbits:isset,ftp.user; sid:4;)
alert tcp [10.0.0.0/8,!10.0.0.1] any -> any any (msg:"not that host"; content:"x"; sid:5;)
alert tcp any any -> any any (msg:"nocase pcre"; pcre:"/^admin\d/Ri"; content:"login="; sid:6;)
"#,
    ));
    assert_eq!(h.packet(&tcp(b"axxab", 1, 2), None), vec![1]);
    let mut syn = tcp(b"", 1, 80);
    if let Transport::Tcp(t) = &mut syn.transport {
        t.flags = crate::decode::tcp_flags::SYN | crate::decode::tcp_flags::ECE;
    }
    assert_eq!(h.packet(&syn, None), vec![2]);
    let mut bits = FlowBits::default();
    let user = tcp(b"USER bob\r\nPASS x\r\n", 1, 21);
    assert_eq!(
        h.inspect(&user, TO_SERVER, Pass::Packet, Some(&mut bits)),
        vec![3, 4]
    );
    assert!(h.engine.rule(RuleId(0)).noalert);
    // Source 10.0.0.1 is excluded by the list.
    assert_eq!(h.packet(&tcp(b"x", 1, 2), None), Vec::<u32>::new());
    // Rule 6: the pcre is relative to nothing (cursor 0), so it must match at the start;
    // order of keywords is kept.
    assert_eq!(h.packet(&tcp(b"ADMIN7 login=", 1, 2), None), vec![6]);
    assert_eq!(
        h.packet(&tcp(b" admin7 login=", 1, 2), None),
        Vec::<u32>::new()
    );
}
