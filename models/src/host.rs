//! Per-source host state over several time scales, shared by every worker.
//!
//! Following the architecture's rule for state keyed by host, the table is touched only when a
//! flow starts or ends (and when a long flow is scored), never per packet, so the counts are
//! exact across workers. It is sharded (`Mutex` per shard, a fixed hash of the address picks
//! the shard) and bounded: a full shard evicts its least recently seen host (ties broken by
//! address, so runs are deterministic).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

use crate::schema::{host_kind, HOST_FEATURES};
use crate::stats::{mix64, DampedCount, DampedSketch, SCALES};

/// Host table sizing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostConfig {
    /// Hosts kept at most (about 1.2 KB each), split evenly over shards.
    pub max_hosts: usize,
    /// Number of shards.
    pub shards: usize,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            max_hosts: 16_384,
            shards: 64,
        }
    }
}

/// The host features of one source at one moment, in schema order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HostSnapshot(pub [f64; HOST_FEATURES]);

impl Default for HostSnapshot {
    fn default() -> Self {
        HostSnapshot([0.0; HOST_FEATURES])
    }
}

/// What one source has done lately.
#[derive(Debug, Clone, Default)]
struct HostEntry {
    last_us: u64,
    conns: DampedCount,
    syns: DampedCount,
    syn_unanswered: DampedCount,
    ports: DampedSketch,
    hosts: DampedSketch,
}

impl HostEntry {
    fn snapshot(&self, now_us: u64) -> HostSnapshot {
        let mut out = [0.0; HOST_FEATURES];
        let conns = self.conns.at(now_us);
        let ports = self.ports.estimate(now_us);
        let hosts = self.hosts.estimate(now_us);
        let syns = self.syns.at(now_us);
        let unanswered = self.syn_unanswered.at(now_us);
        for i in 0..SCALES {
            out[host_kind::CONN_RATE * SCALES + i] = conns[i];
            out[host_kind::DST_PORTS * SCALES + i] = ports[i];
            out[host_kind::DST_HOSTS * SCALES + i] = hosts[i];
            out[host_kind::SYN_NOACK * SCALES + i] = if syns[i] > 1e-9 {
                (unanswered[i] / syns[i]).clamp(0.0, 1.0)
            } else {
                0.0
            };
        }
        HostSnapshot(out)
    }
}

struct Shard {
    map: HashMap<IpAddr, HostEntry>,
    capacity: usize,
}

/// The shared per-source table.
pub struct HostTable {
    shards: Box<[Mutex<Shard>]>,
}

/// Table counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostStats {
    /// Hosts currently held.
    pub hosts: usize,
}

impl HostTable {
    /// An empty table.
    pub fn new(cfg: HostConfig) -> Self {
        let n = cfg.shards.max(1);
        let max = cfg.max_hosts.max(n);
        let shards = (0..n)
            .map(|i| {
                Mutex::new(Shard {
                    map: HashMap::new(),
                    capacity: max / n + usize::from(i < max % n),
                })
            })
            .collect();
        HostTable { shards }
    }

    fn shard(&self, ip: &IpAddr) -> MutexGuard<'_, Shard> {
        let i = (mix64(ip_key(ip)) % self.shards.len() as u64) as usize;
        // A worker that panicked while holding a shard cannot leave an entry half-written in
        // a way that matters (every update is a few float additions): keep using it.
        self.shards[i]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn with_entry<R>(&self, src: IpAddr, now_us: u64, f: impl FnOnce(&mut HostEntry) -> R) -> R {
        let mut shard = self.shard(&src);
        if !shard.map.contains_key(&src) && shard.map.len() >= shard.capacity {
            let victim = shard
                .map
                .iter()
                .min_by_key(|(ip, e)| (e.last_us, **ip))
                .map(|(ip, _)| *ip);
            if let Some(ip) = victim {
                shard.map.remove(&ip);
            }
        }
        let entry = shard.map.entry(src).or_default();
        entry.last_us = entry.last_us.max(now_us);
        f(entry)
    }

    /// A flow from `src` to `dst:dst_port` started at `now_us` (`syn`: it opened with a TCP
    /// SYN). Returns the source's features including this flow.
    pub fn flow_start(
        &self,
        src: IpAddr,
        dst: IpAddr,
        dst_port: u16,
        syn: bool,
        now_us: u64,
    ) -> HostSnapshot {
        self.with_entry(src, now_us, |e| {
            e.conns.add(now_us, 1.0);
            if syn {
                e.syns.add(now_us, 1.0);
            }
            e.ports
                .insert(now_us, mix64(u64::from(dst_port) ^ 0x9e37_79b9));
            e.hosts.insert(now_us, mix64(ip_key(&dst)));
            e.snapshot(now_us)
        })
    }

    /// A flow from `src` ended at `now_us`; `syn_unanswered`: its SYN never got a SYN/ACK.
    /// Returns the source's features after the update.
    pub fn flow_end(&self, src: IpAddr, syn_unanswered: bool, now_us: u64) -> HostSnapshot {
        self.with_entry(src, now_us, |e| {
            if syn_unanswered {
                e.syn_unanswered.add(now_us, 1.0);
            }
            e.snapshot(now_us)
        })
    }

    /// The source's features at `now_us` without recording anything (zero for unknown hosts).
    pub fn snapshot(&self, src: IpAddr, now_us: u64) -> HostSnapshot {
        self.shard(&src)
            .map
            .get(&src)
            .map(|e| e.snapshot(now_us))
            .unwrap_or_default()
    }

    /// Current counters.
    pub fn stats(&self) -> HostStats {
        HostStats {
            hosts: self.shards.iter().map(lock_len).sum(),
        }
    }
}

fn lock_len(s: &Mutex<Shard>) -> usize {
    s.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .map
        .len()
}

/// A fixed 64-bit key of an address (IPv4 and IPv6 never collide: the family is mixed in).
fn ip_key(ip: &IpAddr) -> u64 {
    match ip {
        IpAddr::V4(a) => u64::from(u32::from(*a)) | (4 << 56),
        IpAddr::V6(a) => {
            let x = u128::from(*a);
            mix64(x as u64) ^ ((x >> 64) as u64) ^ (6 << 56)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::host_kind::*;
    use std::net::Ipv4Addr;

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(198, 18, 0, last))
    }

    #[test]
    fn counts_connections_ports_hosts_and_unanswered_syns() {
        let t = HostTable::new(HostConfig::default());
        let s = 1_000_000;
        for port in 1..=4 {
            t.flow_start(ip(1), ip(2), port, true, s);
        }
        let snap = t.flow_start(ip(1), ip(3), 80, false, s);
        assert_eq!(snap.0[CONN_RATE * SCALES], 5.0);
        // 5 ports and 2 hosts, as exact as the sketch allows (distinct buckets here).
        let m = 64.0f64;
        let est = |k: f64| -m * (1.0 - k / m).ln();
        assert!((snap.0[DST_PORTS * SCALES] - est(5.0)).abs() < 1e-9);
        assert!((snap.0[DST_HOSTS * SCALES] - est(2.0)).abs() < 1e-9);
        assert_eq!(snap.0[SYN_NOACK * SCALES], 0.0);
        t.flow_end(ip(1), true, s);
        let end = t.flow_end(ip(1), false, s);
        // 1 of 4 SYNs unanswered.
        assert_eq!(end.0[SYN_NOACK * SCALES + 2], 0.25);
        assert_eq!(t.snapshot(ip(1), s), end);
        // Unknown host: zeros, nothing inserted.
        assert_eq!(t.snapshot(ip(9), s), HostSnapshot::default());
        assert_eq!(t.stats().hosts, 1);
    }

    #[test]
    fn full_table_evicts_least_recently_seen() {
        let t = HostTable::new(HostConfig {
            max_hosts: 2,
            shards: 1,
        });
        t.flow_start(ip(1), ip(9), 1, false, 10);
        t.flow_start(ip(2), ip(9), 1, false, 20);
        t.flow_start(ip(1), ip(9), 1, false, 30);
        t.flow_start(ip(3), ip(9), 1, false, 40);
        assert_eq!(t.stats().hosts, 2);
        assert_eq!(t.snapshot(ip(2), 40), HostSnapshot::default());
        // ip(1)'s two flows, 20 µs apart: 1 + 2^(-5·20e-6) at λ = 5.
        let want = 1.0 + (-5.0f64 * 20e-6).exp2();
        assert_eq!(t.snapshot(ip(1), 30).0[CONN_RATE * SCALES], want);
    }
}
