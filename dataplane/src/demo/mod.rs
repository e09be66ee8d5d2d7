//! A deterministic demo capture: a few minutes of office traffic with seven attacks in it, so
//! that `scripts/demo.sh` can show Portcullis at work without shipping a third-party pcap.
//!
//! The capture is classic pcap (little-endian, microsecond timestamps, Ethernet link type),
//! starting 2026-01-01T00:00:00Z. It is a pure function of the code: the same bytes on every run.
//! Workstations live in 10.0.1.0/24 (HOME_NET), internet services in 198.18.0.0/15 and the
//! attacker's hosts in 203.0.113.0/24 (benchmark and documentation ranges). TCP is modelled
//! properly: handshakes, MSS-1460 segmentation in bursts of ten, ACKs every second segment,
//! exact sequence/acknowledgment numbers, FIN/ACK teardown; every checksum is computed.
//!
//! Benign traffic (must raise no alert with `configs/demo.rules`): 20 HTTP/1.1 connections (24
//! requests, four connections keep-alive with two requests; HTML, CSS, JSON and image bodies up
//! to 45 KB), 20 DNS lookups over UDP, 5 TLS 1.2 sessions on port 443 (ClientHello with SNI,
//! server certificate flight, encrypted application data), 2 ping series and 3 NTP polls.
//!
//! Attacks, each caught by exactly one rule of `configs/demo.rules`:
//!
//! | # | attack | flow | rule (sid) | action | alerts |
//! |---|---|---|---|---|---|
//! | a | SQL injection `UNION SELECT` in a GET URI | 10.0.1.23 → shop.example.net:80 | 1000001 | drop | 1 |
//! | b | path traversal `GET /../../../etc/passwd` | 10.0.1.23 → docs.example.org:80 | 1000002 | drop | 1 |
//! | c | HTTP response `uid=0(root) …` (web shell ran `id`) | legacy.example.org:80 → 10.0.1.17 | 1000003 | alert | 1 |
//! | d | Shellshock `() { :; };` in the User-Agent | 10.0.1.23 → legacy.example.org:80 | 1000004 | reject | 1 |
//! | e | DNS query for `malware-c2.example` | 10.0.1.14 → resolver:53/udp | 1000005 | alert | 1 |
//! | f | `/bin/sh -c wget` split across two TCP segments | 10.0.1.14 → api.example.org:80 | 1000006 | drop | 1 |
//! | g | nmap SYN scan of 30 ports (window 1024) | 203.0.113.77 → 10.0.2.15 | 1000007 | alert | 30 |
//!
//! The alert counts assume Suricata's semantics: a rule fires once per packet, and an attack's
//! pattern occurs in one packet or one reassembled stream position; the scan sends 30 probes.

mod attacks;
mod benign;
mod dns;
mod http;
mod ntp;
mod prng;
mod scenario;
mod tcp;
mod tls;
mod trace;
mod wire;
mod world;

#[cfg(test)]
mod tests;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};
use portcullis_detection::time::Timestamp;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::Duration;

/// The seed of the one random stream behind the capture ("PORTCULL").
const SEED: u64 = 0x504f_5254_4355_4c4c;

/// One attack in the demo capture and the demo rule expected to catch it, so tests and the demo
/// script can check the engine's output against a single table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAttack {
    /// Short name, as listed in [`DemoSummary::attacks`].
    pub name: &'static str,
    /// The sid of the rule in `configs/demo.rules` that catches it.
    pub sid: u32,
    /// That rule's action keyword.
    pub action: &'static str,
    /// Alerts the rule raises on the capture.
    pub alerts: usize,
}

/// The attacks of the capture, in the order of the module doc's table.
pub const DEMO_ATTACKS: [DemoAttack; 7] = [
    DemoAttack {
        name: "sql-injection-uri",
        sid: 1_000_001,
        action: "drop",
        alerts: 1,
    },
    DemoAttack {
        name: "path-traversal",
        sid: 1_000_002,
        action: "drop",
        alerts: 1,
    },
    DemoAttack {
        name: "id-check-returned-root",
        sid: 1_000_003,
        action: "alert",
        alerts: 1,
    },
    DemoAttack {
        name: "shellshock-user-agent",
        sid: 1_000_004,
        action: "reject",
        alerts: 1,
    },
    DemoAttack {
        name: "dns-c2-lookup",
        sid: 1_000_005,
        action: "alert",
        alerts: 1,
    },
    DemoAttack {
        name: "split-command-injection",
        sid: 1_000_006,
        action: "drop",
        alerts: 1,
    },
    DemoAttack {
        name: "syn-port-scan",
        sid: 1_000_007,
        action: "alert",
        alerts: 30,
    },
];

/// What [`write_demo_capture`] wrote, for the CLI to print and tests to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Frames in the capture.
    pub packets: usize,
    /// Flows (TCP connections, UDP request/response pairs, ICMP echo series).
    pub flows: usize,
    /// Names of the attacks it contains (see [`DEMO_ATTACKS`]).
    pub attacks: Vec<&'static str>,
}

/// Builds the capture: its frames in time order and its flow count.
fn build() -> (Vec<(Timestamp, Vec<u8>)>, usize) {
    let mut world = world::World::new(SEED);
    scenario::play(&mut world);
    let flows = world.trace.flows();
    (world.trace.finish(), flows)
}

/// The demo capture's frames (Ethernet II) with their timestamps, in time order, so tests can
/// feed the engine without touching the file system.
pub fn demo_frames() -> Vec<(Timestamp, Vec<u8>)> {
    build().0
}

/// Writes the demo capture to `path` (created or truncated) and summarises it.
pub fn write_demo_capture(path: &Path) -> io::Result<DemoSummary> {
    let (frames, flows) = build();
    let mut out = BufWriter::new(File::create(path)?);
    write_pcap(&frames, &mut out)?;
    out.flush()?;
    Ok(DemoSummary {
        packets: frames.len(),
        flows,
        attacks: DEMO_ATTACKS.iter().map(|a| a.name).collect(),
    })
}

/// Encodes `frames` as a classic little-endian microsecond pcap with Ethernet link type (fixed
/// byte order, so the file is identical on every host).
fn write_pcap<W: Write>(frames: &[(Timestamp, Vec<u8>)], out: W) -> io::Result<()> {
    let header = PcapHeader {
        version_major: 2,
        version_minor: 4,
        ts_correction: 0,
        ts_accuracy: 0,
        snaplen: 65_535,
        datalink: DataLink::ETHERNET,
        ts_resolution: TsResolution::MicroSecond,
        endianness: Endianness::Little,
    };
    let mut writer = PcapWriter::with_header(out, header).map_err(io::Error::other)?;
    for (ts, frame) in frames {
        let packet = PcapPacket::new(Duration::from_micros(ts.0), frame.len() as u32, frame);
        writer.write_packet(&packet).map_err(io::Error::other)?;
    }
    Ok(())
}
