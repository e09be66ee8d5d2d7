//! Per-packet cost of the engine with no rules: decode, flow lookup and update, verdict. The
//! input is what the inline benchmark (`scripts/bench/memif.sh`, 64B rows) sends: 60-byte
//! Ethernet/IPv4/UDP frames over 1024 flows, here also with both directions of each flow, and
//! a TCP variant (established connections, 64-byte payload) that adds stream tracking.
//! Run: `cargo bench -p portcullis-detection --bench engine`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use etherparse::PacketBuilder;
use portcullis_detection::decode::{DecodeOptions, LinkType};
use portcullis_detection::engine::{CollectingSink, Engine, EngineConfig, Ruleset};
use portcullis_detection::stream::StreamConfig;
use portcullis_detection::time::Timestamp;

const FLOWS: u32 = 1024;

/// Client `i` of the 198.18.0.0/15 benchmarking range, talking to one of 16 servers.
fn endpoints(i: u32) -> ([u8; 4], [u8; 4], u16, u16) {
    let c = 0xC612_0000u32 + 256 + i;
    let s = 0xC613_0000u32 + 1 + i % 16;
    (
        c.to_be_bytes(),
        s.to_be_bytes(),
        10_000 + (i % 50_000) as u16,
        53,
    )
}

/// One 60-byte UDP frame per flow (18 bytes of payload), client to server.
fn udp_frames(both_ways: bool) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    for i in 0..FLOWS {
        let (c, s, cp, sp) = endpoints(i);
        let ways: &[bool] = if both_ways { &[false, true] } else { &[false] };
        for &reply in ways {
            let (src, dst, spt, dpt) = if reply {
                (s, c, sp, cp)
            } else {
                (c, s, cp, sp)
            };
            let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
                .ipv4(src, dst, 64)
                .udp(spt, dpt);
            let payload = [0x5Au8; 18];
            let mut f = Vec::with_capacity(b.size(payload.len()));
            b.write(&mut f, &payload).expect("frame");
            frames.push(f);
        }
    }
    frames
}

/// Established TCP: per flow a handshake (sent once, before measuring), then one data segment
/// whose sequence number the bench advances on every pass, so every measured packet is new
/// in-order data for reassembly (checksums are not validated: the bench rewrites the header).
struct TcpFlows {
    handshakes: Vec<Vec<u8>>,
}

/// Offset of the TCP sequence number in the frames (Ethernet 14 + IPv4 20 + 4).
const SEQ_AT: usize = 38;

const ISN: u32 = 1000;

fn tcp_frame(i: u32, reply: bool, seq: u32, ack: u32, flags: &str, payload: &[u8]) -> Vec<u8> {
    let (c, s, cp, _) = endpoints(i);
    let sp = 80;
    let (src, dst, spt, dpt) = if reply {
        (s, c, sp, cp)
    } else {
        (c, s, cp, sp)
    };
    let mut b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4(src, dst, 64)
        .tcp(spt, dpt, seq, 65_535);
    for flag in flags.chars() {
        b = match flag {
            'S' => b.syn(),
            'A' => b.ack(ack),
            'P' => b.psh(),
            _ => b,
        };
    }
    let mut f = Vec::with_capacity(b.size(payload.len()));
    b.write(&mut f, payload).expect("frame");
    f
}

impl TcpFlows {
    fn new() -> Self {
        let mut handshakes = Vec::new();
        for i in 0..FLOWS {
            handshakes.push(tcp_frame(i, false, ISN, 0, "S", &[]));
            handshakes.push(tcp_frame(i, true, 5000, ISN + 1, "SA", &[]));
            handshakes.push(tcp_frame(i, false, ISN + 1, 5001, "A", &[]));
        }
        TcpFlows { handshakes }
    }

    /// One data segment per flow (64 bytes), at the first sequence number after the handshake.
    fn data() -> Vec<Vec<u8>> {
        (0..FLOWS)
            .map(|i| tcp_frame(i, false, ISN + 1, 5001, "AP", &[b'x'; 64]))
            .collect()
    }
}

fn engine() -> Engine {
    let cfg = EngineConfig {
        inline: true,
        decode: DecodeOptions {
            validate_checksums: false,
        },
        stream_checksum_validation: false,
        // No depth limit: a long run would otherwise pass the default 1 MiB per flow and
        // measure segments reassembly no longer takes.
        stream: StreamConfig {
            depth: 0,
            ..StreamConfig::default()
        },
        ..EngineConfig::default()
    };
    Engine::new(cfg, Arc::new(Ruleset::empty()))
}

fn bench_engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_no_rules");
    group.throughput(Throughput::Elements(1));
    for (name, frames) in [
        ("udp64_1024_flows", udp_frames(false)),
        ("udp64_1024_flows_both_ways", udp_frames(true)),
    ] {
        let mut eng = engine();
        let mut sink = CollectingSink::default();
        let ts = Timestamp::from_secs_micros(1_700_000_000, 0);
        let mut next = 0usize;
        group.bench_function(name, |b| {
            b.iter(|| {
                let f = &frames[next % frames.len()];
                next += 1;
                black_box(eng.process(LinkType::Ethernet, ts, black_box(f), &mut sink))
            })
        });
        assert!(sink.alerts.is_empty() && sink.drops.is_empty());
    }

    // TCP: each segment is new data; the sequence number advances by 64 bytes per pass.
    let tcp = TcpFlows::new();
    let mut eng = engine();
    let mut sink = CollectingSink::default();
    let ts = Timestamp::from_secs_micros(1_700_000_000, 0);
    for f in &tcp.handshakes {
        eng.process(LinkType::Ethernet, ts, f, &mut sink);
    }
    let mut segments = TcpFlows::data();
    let mut next = 0usize;
    group.bench_function("tcp64_1024_established_flows", |b| {
        b.iter(|| {
            let pass = (next / FLOWS as usize) as u32;
            let f = &mut segments[next % FLOWS as usize];
            let seq = ISN + 1 + 64 * pass;
            f[SEQ_AT..SEQ_AT + 4].copy_from_slice(&seq.to_be_bytes());
            next += 1;
            black_box(eng.process(LinkType::Ethernet, ts, black_box(f), &mut sink))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);
