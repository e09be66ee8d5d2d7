//! The per-flow incremental extractor: fed every packet of a flow in order, it keeps counters,
//! Welford statistics, TCP flag counts, the handshake timing and a bounded payload sample per
//! direction, and turns them into a [`FeatureVector`] whenever the flow is scored.
//!
//! O(1) per packet: a few additions and at most one bounded copy into the payload sample.
//! Memory: at most 512 bytes per flow, plus 256 bytes per direction that carried payload.

use crate::host::HostSnapshot;
use crate::packet::{tcp_flags, PacketInfo};
use crate::schema::{idx, FeatureVector, HOST_FEATURES, NUM_FEATURES};
use crate::stats::Welford;

/// Payload bytes per direction kept for the entropy feature.
pub const ENTROPY_PREFIX: usize = 256;

/// The first [`ENTROPY_PREFIX`] payload bytes of one direction, allocated on first payload.
#[derive(Debug, Clone, Default)]
struct PayloadSample {
    bytes: Option<Box<[u8; ENTROPY_PREFIX]>>,
    len: u16,
}

impl PayloadSample {
    fn push(&mut self, payload: &[u8]) {
        let len = usize::from(self.len);
        if payload.is_empty() || len >= ENTROPY_PREFIX {
            return;
        }
        let buf = self
            .bytes
            .get_or_insert_with(|| Box::new([0; ENTROPY_PREFIX]));
        let take = payload.len().min(ENTROPY_PREFIX - len);
        buf[len..len + take].copy_from_slice(&payload[..take]);
        self.len = (len + take) as u16;
    }

    fn entropy(&self) -> f64 {
        match &self.bytes {
            Some(buf) => byte_entropy(&buf[..usize::from(self.len)]),
            None => 0.0,
        }
    }
}

/// Shannon entropy of a byte string in bits per byte (0 for an empty string, 8 at most).
pub fn byte_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum::<f64>()
        .max(0.0)
}

/// Flag bits in schema order (SYN, FIN, RST, PSH, ACK, URG).
const FLAG_ORDER: [u8; 6] = [
    tcp_flags::SYN,
    tcp_flags::FIN,
    tcp_flags::RST,
    tcp_flags::PSH,
    tcp_flags::ACK,
    tcp_flags::URG,
];

/// Handshake progress, timed in µs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Handshake {
    /// No client SYN seen first.
    #[default]
    None,
    /// Client SYN at this time.
    Syn(u64),
    /// Server SYN/ACK after the SYN.
    SynAck(u64),
    /// Client ACK completed it: SYN → ACK time.
    Done(u64),
}

/// One flow's extractor state.
#[derive(Debug, Clone)]
pub struct FlowExtractor {
    proto: u8,
    start_us: u64,
    last_us: u64,
    pkts: [u64; 2],
    bytes: [u64; 2],
    size: [Welford; 2],
    iat: [Welford; 2],
    last_dir_us: [Option<u64>; 2],
    flags: [u32; 6],
    handshake: Handshake,
    payload: [PayloadSample; 2],
    host: HostSnapshot,
}

impl FlowExtractor {
    /// A new flow of IP protocol `proto` whose first packet is at `start_us`.
    pub fn new(proto: u8, start_us: u64) -> Self {
        FlowExtractor {
            proto,
            start_us,
            last_us: start_us,
            pkts: [0; 2],
            bytes: [0; 2],
            size: [Welford::default(); 2],
            iat: [Welford::default(); 2],
            last_dir_us: [None; 2],
            flags: [0; 6],
            handshake: Handshake::None,
            payload: [PayloadSample::default(), PayloadSample::default()],
            host: HostSnapshot::default(),
        }
    }

    /// Adds one packet of the flow (packets are expected in time order; an earlier timestamp
    /// counts as zero elapsed time).
    #[inline]
    pub fn update(&mut self, p: &PacketInfo<'_>) {
        let d = usize::from(!p.to_server);
        let ts = p.ts_us.max(self.start_us);
        self.last_us = self.last_us.max(ts);
        self.pkts[d] += 1;
        self.bytes[d] += u64::from(p.frame_len);
        self.size[d].push(f64::from(p.frame_len));
        if let Some(prev) = self.last_dir_us[d] {
            self.iat[d].push(ts.saturating_sub(prev) as f64 / 1e3);
        }
        self.last_dir_us[d] = Some(ts.max(self.last_dir_us[d].unwrap_or(0)));
        if let Some(f) = p.tcp_flags {
            for (count, bit) in self.flags.iter_mut().zip(FLAG_ORDER) {
                *count += u32::from(f & bit != 0);
            }
            self.track_handshake(p.to_server, f, ts);
        }
        self.payload[d].push(p.payload);
    }

    fn track_handshake(&mut self, to_server: bool, f: u8, ts: u64) {
        let syn = f & tcp_flags::SYN != 0;
        let ack = f & tcp_flags::ACK != 0;
        self.handshake = match self.handshake {
            Handshake::None if to_server && syn && !ack && self.packets() == 1 => {
                Handshake::Syn(ts)
            }
            Handshake::Syn(t0) if !to_server && syn && ack => Handshake::SynAck(t0),
            Handshake::SynAck(t0) if to_server && ack && !syn => {
                Handshake::Done(ts.saturating_sub(t0))
            }
            h => h,
        };
    }

    /// Packets seen, both directions.
    pub fn packets(&self) -> u64 {
        self.pkts[0] + self.pkts[1]
    }

    /// Whether the client's opening SYN never got a SYN/ACK back.
    pub fn syn_unanswered(&self) -> bool {
        matches!(self.handshake, Handshake::Syn(_))
    }

    /// Whether the flow opened with a client SYN (a new TCP connection attempt).
    pub fn opened_with_syn(&self) -> bool {
        self.handshake != Handshake::None
    }

    /// Folds in a snapshot of the client's host features: the flow keeps, per feature, the
    /// highest value seen during its life (host activity peaks while the flow is open).
    pub fn merge_host(&mut self, snap: &HostSnapshot) {
        for (mine, theirs) in self.host.0.iter_mut().zip(&snap.0) {
            *mine = mine.max(*theirs);
        }
    }

    /// The flow's raw feature vector now.
    pub fn features(&self) -> FeatureVector {
        let mut v = [0.0; NUM_FEATURES];
        v[idx::DURATION] = self.last_us.saturating_sub(self.start_us) as f64 / 1e3;
        for d in 0..2 {
            v[idx::PKTS[d]] = self.pkts[d] as f64;
            v[idx::BYTES[d]] = self.bytes[d] as f64;
            v[idx::SIZE[d]..idx::SIZE[d] + 4].copy_from_slice(&self.size[d].summary());
            v[idx::IAT[d]..idx::IAT[d] + 4].copy_from_slice(&self.iat[d].summary());
            v[idx::ENTROPY[d]] = self.payload[d].entropy();
        }
        for (i, &c) in self.flags.iter().enumerate() {
            v[idx::FLAGS + i] = f64::from(c);
        }
        if let Handshake::Done(rtt) = self.handshake {
            v[idx::HANDSHAKE_RTT] = rtt as f64 / 1e3;
        }
        let proto = match self.proto {
            6 => Some(0),
            17 => Some(1),
            1 | 58 => Some(2),
            _ => None,
        };
        if let Some(p) = proto {
            v[idx::PROTO + p] = 1.0;
        }
        v[idx::HOST..idx::HOST + HOST_FEATURES].copy_from_slice(&self.host.0);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::tcp_flags::{ACK, FIN, PSH, SYN};
    use std::net::{IpAddr, Ipv4Addr};

    fn pkt(ts_us: u64, to_server: bool, len: u32, payload: &[u8], flags: u8) -> PacketInfo<'_> {
        let (a, b) = (
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        );
        let (src, dst) = if to_server { (a, b) } else { (b, a) };
        PacketInfo {
            ts_us,
            to_server,
            frame_len: len,
            payload,
            tcp_flags: Some(flags),
            proto: 6,
            src,
            dst,
            src_port: 0,
            dst_port: 0,
        }
    }

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(byte_entropy(b""), 0.0);
        assert_eq!(byte_entropy(b"aaaa"), 0.0);
        assert_eq!(byte_entropy(b"aabb"), 1.0);
        assert_eq!(byte_entropy(b"abcd"), 2.0);
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(byte_entropy(&all), 8.0);
        // p = (1/2, 1/4, 1/4): 1.5 bits.
        assert_eq!(byte_entropy(b"aabc"), 1.5);
    }

    /// A TCP flow: handshake (RTT 30 ms), a request, a response, FIN exchange.
    #[test]
    fn hand_built_tcp_flow() {
        let t0 = 1_000_000_000;
        let mut x = FlowExtractor::new(6, t0);
        let body = [b'a', b'a', b'b', b'b'];
        x.update(&pkt(t0, true, 60, &[], SYN));
        x.update(&pkt(t0 + 10_000, false, 60, &[], SYN | ACK));
        x.update(&pkt(t0 + 30_000, true, 54, &[], ACK));
        x.update(&pkt(t0 + 40_000, true, 58, &body, PSH | ACK));
        x.update(&pkt(t0 + 50_000, false, 1054, &[7u8; 1000], PSH | ACK));
        x.update(&pkt(t0 + 70_000, true, 54, &[], FIN | ACK));
        x.update(&pkt(t0 + 90_000, false, 54, &[], FIN | ACK));
        assert_eq!(x.packets(), 7);
        assert!(!x.syn_unanswered());
        assert!(x.opened_with_syn());
        let v = x.features();
        assert_eq!(v[idx::DURATION], 90.0);
        assert_eq!(v[idx::PKTS[0]], 4.0);
        assert_eq!(v[idx::PKTS[1]], 3.0);
        assert_eq!(v[idx::BYTES[0]], 226.0);
        assert_eq!(v[idx::BYTES[1]], 1168.0);
        // fwd sizes 60, 54, 58, 54: mean 56.5, var (12.25+6.25+2.25+6.25)/4 = 6.75.
        assert_eq!(v[idx::SIZE[0]], 56.5);
        assert_eq!(v[idx::SIZE[0] + 1], 6.75f64.sqrt());
        assert_eq!(v[idx::SIZE[0] + 2], 54.0);
        assert_eq!(v[idx::SIZE[0] + 3], 60.0);
        // fwd gaps 30, 10, 30 ms; bwd gaps 40, 40 ms.
        let fwd_iat = [70.0 / 3.0, (800.0f64 / 9.0).sqrt(), 10.0, 30.0];
        for (i, want) in fwd_iat.iter().enumerate() {
            assert!((v[idx::IAT[0] + i] - want).abs() < 1e-12, "fwd iat {i}");
        }
        assert_eq!(&v[idx::IAT[1]..idx::IAT[1] + 4], &[40.0, 0.0, 40.0, 40.0]);
        // SYN 2, FIN 2, RST 0, PSH 2, ACK 6, URG 0.
        assert_eq!(
            &v[idx::FLAGS..idx::FLAGS + 6],
            &[2.0, 2.0, 0.0, 2.0, 6.0, 0.0]
        );
        assert_eq!(v[idx::HANDSHAKE_RTT], 30.0);
        assert_eq!(v[idx::ENTROPY[0]], 1.0);
        assert_eq!(v[idx::ENTROPY[1]], 0.0);
        assert_eq!(&v[idx::PROTO..idx::PROTO + 3], &[1.0, 0.0, 0.0]);
        assert!(v[idx::HOST..].iter().all(|&h| h == 0.0));
    }

    #[test]
    fn unanswered_syn_and_no_rtt() {
        let mut x = FlowExtractor::new(6, 5);
        x.update(&pkt(5, true, 60, &[], SYN));
        x.update(&pkt(1_000_005, true, 60, &[], SYN));
        assert!(x.syn_unanswered());
        let v = x.features();
        assert_eq!(v[idx::HANDSHAKE_RTT], 0.0);
        assert_eq!(v[idx::DURATION], 1000.0);
        assert_eq!(
            &v[idx::IAT[0]..idx::IAT[0] + 4],
            &[1000.0, 0.0, 1000.0, 1000.0]
        );
        assert_eq!(v[idx::IAT[1]], 0.0);
        assert_eq!(v[idx::FLAGS], 2.0);
        // A flow picked up midstream has no handshake at all.
        let mut m = FlowExtractor::new(6, 0);
        m.update(&pkt(0, true, 60, &[], ACK));
        assert!(!m.opened_with_syn() && !m.syn_unanswered());
    }

    #[test]
    fn payload_sample_is_bounded_to_the_prefix() {
        let mut x = FlowExtractor::new(17, 0);
        let first = [0u8; 200];
        let second: Vec<u8> = (0..=255).collect();
        let mut p = pkt(0, true, 242, &first, 0);
        p.tcp_flags = None;
        x.update(&p);
        p.payload = &second;
        x.update(&p);
        // Sample: 200 zeros then bytes 0..56 → 256 bytes, zero appears 201 times.
        let mut sample = vec![0u8; 200];
        sample.extend(0..56u8);
        assert_eq!(x.payload[0].len, 256);
        let v = x.features();
        assert_eq!(v[idx::ENTROPY[0]], byte_entropy(&sample));
        assert_eq!(&v[idx::PROTO..idx::PROTO + 3], &[0.0, 1.0, 0.0]);
        assert_eq!(v[idx::FLAGS + 4], 0.0);
    }

    #[test]
    fn per_flow_state_stays_small() {
        assert!(std::mem::size_of::<FlowExtractor>() <= 512);
    }

    #[test]
    fn host_snapshots_keep_the_peak() {
        let mut x = FlowExtractor::new(6, 0);
        let mut a = HostSnapshot::default();
        a.0[0] = 3.0;
        a.0[1] = 1.0;
        let mut b = HostSnapshot::default();
        b.0[0] = 2.0;
        b.0[1] = 4.0;
        x.merge_host(&a);
        x.merge_host(&b);
        let v = x.features();
        assert_eq!(v[idx::HOST], 3.0);
        assert_eq!(v[idx::HOST + 1], 4.0);
    }
}
