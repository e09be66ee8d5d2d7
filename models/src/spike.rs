//! Traffic spikes without training: packet and new-connection rates, globally and per
//! destination, against an exponentially weighted moving baseline (EWMA of the mean and
//! variance of per-second counts). A second whose count exceeds `mean + k·σ` after a warm-up,
//! and at least a floor, is a spike.
//!
//! One detector per worker (no locks; per-destination state is bounded). With several workers
//! each sees its share of the traffic and judges it against its own baseline: a spike in the
//! total shows up as a spike in every share, so no merge is needed. A second is judged when the
//! first packet of a later second arrives (packet time, as everywhere in the engine), so an
//! alert comes at most one second after its spike ends.

use std::collections::HashMap;
use std::net::IpAddr;

/// Spike detector settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikeConfig {
    /// EWMA weight of each new second (0..1).
    pub alpha: f64,
    /// Deviation in standard deviations above the mean that counts as a spike.
    pub k: f64,
    /// Seconds of baseline needed before anything is judged.
    pub warmup_secs: u32,
    /// Packets per second below which nothing is a spike.
    pub min_pkts: f64,
    /// New connections per second below which nothing is a spike.
    pub min_conns: f64,
    /// Destinations tracked at most (per worker).
    pub max_dests: usize,
}

impl Default for SpikeConfig {
    fn default() -> Self {
        SpikeConfig {
            alpha: 0.05,
            k: 6.0,
            warmup_secs: 30,
            min_pkts: 1000.0,
            min_conns: 100.0,
            max_dests: 4096,
        }
    }
}

/// Idle gaps longer than this many seconds fold in at most this many zero seconds.
const MAX_GAP_FOLD: u64 = 600;

/// A detected spike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    /// Which rate.
    pub kind: SpikeKind,
    /// The destination, for per-destination rates.
    pub dest: Option<IpAddr>,
    /// The second's count.
    pub value: f64,
    /// Baseline mean before this second.
    pub mean: f64,
    /// Baseline standard deviation before this second.
    pub std: f64,
    /// `mean + k·σ`.
    pub threshold: f64,
}

impl Spike {
    /// How many standard deviations above the mean (σ floored at 1 count).
    pub fn z(&self) -> f64 {
        (self.value - self.mean) / self.std.max(1.0)
    }
}

/// The four rates watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpikeKind {
    /// All packets per second.
    GlobalPackets,
    /// All new flows per second.
    GlobalConnections,
    /// Packets per second to one destination.
    DestPackets,
    /// New flows per second to one destination.
    DestConnections,
}

impl SpikeKind {
    /// The feature-like name reported in alerts.
    pub fn name(self) -> &'static str {
        match self {
            SpikeKind::GlobalPackets => "global_pkt_rate",
            SpikeKind::GlobalConnections => "global_conn_rate",
            SpikeKind::DestPackets => "dst_pkt_rate",
            SpikeKind::DestConnections => "dst_conn_rate",
        }
    }

    /// Whether this is a connection rate (else a packet rate).
    pub fn is_connections(self) -> bool {
        matches!(
            self,
            SpikeKind::GlobalConnections | SpikeKind::DestConnections
        )
    }
}

/// EWMA baseline of one per-second count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateBaseline {
    mean: f64,
    var: f64,
    seconds: u64,
    sec: u64,
    count: f64,
}

/// What closing a second found: `(value, mean, std, threshold)` of a spike.
type Judged = Option<(f64, f64, f64, f64)>;

impl RateBaseline {
    /// Counts `amount` at second `sec`; when `sec` starts a new second, the previous one is
    /// judged against the baseline, then folded into it (with zeros for idle seconds).
    pub fn add(&mut self, sec: u64, amount: f64, cfg: &SpikeConfig, floor: f64) -> Judged {
        if self.seconds == 0 && self.count == 0.0 {
            self.sec = sec;
        }
        let mut judged = None;
        if sec > self.sec {
            judged = self.judge(cfg, floor);
            self.fold(self.count, cfg.alpha);
            for _ in 1..(sec - self.sec).min(MAX_GAP_FOLD) {
                self.fold(0.0, cfg.alpha);
            }
            self.sec = sec;
            self.count = 0.0;
        }
        self.count += amount;
        judged
    }

    fn judge(&self, cfg: &SpikeConfig, floor: f64) -> Judged {
        let std = self.var.sqrt();
        let threshold = self.mean + cfg.k * std.max(1.0);
        let warm = self.seconds >= u64::from(cfg.warmup_secs);
        (warm && self.count > threshold && self.count >= floor)
            .then_some((self.count, self.mean, std, threshold))
    }

    fn fold(&mut self, x: f64, alpha: f64) {
        if self.seconds == 0 {
            self.mean = x;
            self.var = 0.0;
        } else {
            let d = x - self.mean;
            self.mean += alpha * d;
            self.var = (1.0 - alpha) * (self.var + alpha * d * d);
        }
        self.seconds += 1;
    }

    /// Baseline mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Baseline standard deviation.
    pub fn std(&self) -> f64 {
        self.var.sqrt()
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct DestRates {
    pkts: RateBaseline,
    conns: RateBaseline,
    last_sec: u64,
}

/// One worker's spike detector.
#[derive(Debug, Clone)]
pub struct SpikeDetector {
    cfg: SpikeConfig,
    pkts: RateBaseline,
    conns: RateBaseline,
    dests: HashMap<IpAddr, DestRates>,
    /// Destinations not tracked because the table was full of active ones.
    pub dests_refused: u64,
}

impl SpikeDetector {
    /// A detector with no history.
    pub fn new(cfg: SpikeConfig) -> Self {
        SpikeDetector {
            cfg,
            pkts: RateBaseline::default(),
            conns: RateBaseline::default(),
            dests: HashMap::new(),
            dests_refused: 0,
        }
    }

    /// Counts one packet to `dest` at `ts_us` (`new_flow`: it opened a flow) and returns the
    /// spikes judged by it, appended to `out`.
    pub fn on_packet(&mut self, ts_us: u64, dest: IpAddr, new_flow: bool, out: &mut Vec<Spike>) {
        let sec = ts_us / 1_000_000;
        let conn = f64::from(u8::from(new_flow));
        let cfg = self.cfg;
        let global = [
            (
                SpikeKind::GlobalPackets,
                self.pkts.add(sec, 1.0, &cfg, cfg.min_pkts),
            ),
            (
                SpikeKind::GlobalConnections,
                self.conns.add(sec, conn, &cfg, cfg.min_conns),
            ),
        ];
        push(out, None, global);
        if !self.dests.contains_key(&dest) && self.dests.len() >= cfg.max_dests {
            // Forget destinations idle for the longest gap that still matters.
            self.dests
                .retain(|_, d| sec.saturating_sub(d.last_sec) < MAX_GAP_FOLD);
            if self.dests.len() >= cfg.max_dests {
                self.dests_refused += 1;
                return;
            }
        }
        let d = self.dests.entry(dest).or_default();
        d.last_sec = sec;
        let per_dest = [
            (
                SpikeKind::DestPackets,
                d.pkts.add(sec, 1.0, &cfg, cfg.min_pkts),
            ),
            (
                SpikeKind::DestConnections,
                d.conns.add(sec, conn, &cfg, cfg.min_conns),
            ),
        ];
        push(out, Some(dest), per_dest);
    }
}

fn push(out: &mut Vec<Spike>, dest: Option<IpAddr>, judged: [(SpikeKind, Judged); 2]) {
    for (kind, j) in judged {
        if let Some((value, mean, std, threshold)) = j {
            out.push(Spike {
                kind,
                dest,
                value,
                mean,
                std,
                threshold,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn cfg() -> SpikeConfig {
        SpikeConfig {
            alpha: 0.5,
            k: 3.0,
            warmup_secs: 3,
            min_pkts: 10.0,
            min_conns: 5.0,
            max_dests: 2,
        }
    }

    #[test]
    fn ewma_baseline_known_values() {
        let c = cfg();
        let mut b = RateBaseline::default();
        // Seconds 10, 11, 12 with 4, 8, 8 counts; second 13 closes 12.
        for (sec, n) in [(10, 4), (11, 8), (12, 8)] {
            for _ in 0..n {
                assert_eq!(b.add(sec, 1.0, &c, 0.0), None);
            }
        }
        assert_eq!(b.add(13, 1.0, &c, 0.0), None);
        // mean: 4 → 6 → 7; var: 0 → 0.5·(0 + 0.5·16) = 4 → 0.5·(4 + 0.5·4) = 3.
        assert_eq!(b.mean(), 7.0);
        assert_eq!(b.std(), 3f64.sqrt());
        // An idle gap folds zeros: closing 13 (count 1) then 14, 15 empty.
        b.add(16, 1.0, &c, 0.0);
        assert_eq!(b.mean(), 7.0 * 0.125 + 0.5 * 0.25 + 0.0);
    }

    #[test]
    fn spike_after_warmup_only() {
        let c = cfg();
        let dst = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1));
        let mut d = SpikeDetector::new(c);
        let mut out = Vec::new();
        // Warm-up: 10 packets a second, one new flow each second, for 5 seconds.
        for sec in 0..5u64 {
            for i in 0..10 {
                d.on_packet(sec * 1_000_000 + i, dst, i == 0, &mut out);
            }
        }
        assert!(out.is_empty());
        // Second 5: 100 packets, 50 of them new flows; judged when second 6 starts.
        for i in 0..100 {
            d.on_packet(5_000_000 + i, dst, i % 2 == 0, &mut out);
        }
        assert!(out.is_empty());
        d.on_packet(6_000_000, dst, false, &mut out);
        let kinds: Vec<_> = out.iter().map(|s| (s.kind, s.dest)).collect();
        assert_eq!(
            kinds,
            vec![
                (SpikeKind::GlobalPackets, None),
                (SpikeKind::GlobalConnections, None),
                (SpikeKind::DestPackets, Some(dst)),
                (SpikeKind::DestConnections, Some(dst)),
            ]
        );
        assert_eq!(out[0].value, 100.0);
        assert_eq!(out[0].mean, 10.0);
        assert_eq!(out[0].std, 0.0);
        assert_eq!(out[0].threshold, 13.0);
        assert_eq!(out[0].z(), 90.0);
        assert_eq!(out[1].value, 50.0);
    }

    #[test]
    fn floor_and_dest_cap() {
        let c = cfg();
        let mut d = SpikeDetector::new(c);
        let mut out = Vec::new();
        let ip = |n| IpAddr::V4(Ipv4Addr::new(198, 18, 0, n));
        for sec in 0..5u64 {
            d.on_packet(sec * 1_000_000, ip(1), false, &mut out);
        }
        // 9 packets: far above the baseline of 1 but under the floor of 10.
        for i in 0..9 {
            d.on_packet(5_000_000 + i, ip(1), false, &mut out);
        }
        d.on_packet(6_000_000, ip(2), false, &mut out);
        assert!(out.is_empty());
        d.on_packet(6_000_000, ip(3), false, &mut out);
        assert_eq!(d.dests_refused, 1);
    }
}
