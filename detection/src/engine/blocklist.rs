//! Sources blocked for a while after a verdict. Every worker checks it first, for every packet,
//! without a lock: readers load an immutable snapshot through `arc-swap`; the rare writer
//! (a blocking verdict) copies the map, adds the source, drops expired entries and publishes the
//! copy. The time base is packet time, as for every other timeout of the engine. While no
//! block is in force (nearly always), the check is one load of a number no worker writes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::time::Timestamp;

/// Blocked sources and when each block ends.
#[derive(Debug, Default)]
pub struct BlockList {
    snapshot: ArcSwap<HashMap<IpAddr, Timestamp>>,
    /// The latest end of any block ever published (microseconds): from then on nothing is
    /// blocked, so readers skip the snapshot. Raised after the snapshot is published.
    last_end: AtomicU64,
    /// Serializes writers so no insertion is lost between copy and publish.
    writer: Mutex<()>,
}

impl BlockList {
    /// An empty list.
    pub fn new() -> Self {
        BlockList::default()
    }

    /// Whether `ip` is blocked at `now`. Lock-free.
    pub fn is_blocked(&self, ip: IpAddr, now: Timestamp) -> bool {
        if now.0 >= self.last_end.load(Ordering::Acquire) {
            return false;
        }
        self.snapshot
            .load()
            .get(&ip)
            .is_some_and(|&until| now < until)
    }

    /// Blocks `ip` until `until` (extending an earlier block, never shortening it).
    pub fn block(&self, ip: IpAddr, now: Timestamp, until: Timestamp) {
        let _guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.snapshot.load();
        if current.get(&ip).is_some_and(|&u| u >= until) {
            return;
        }
        let mut next: HashMap<IpAddr, Timestamp> = current
            .iter()
            .filter(|&(_, &u)| u > now)
            .map(|(&k, &u)| (k, u))
            .collect();
        next.insert(ip, until);
        self.snapshot.store(Arc::new(next));
        self.last_end.fetch_max(until.0, Ordering::Release);
    }

    /// Sources blocked at `now`.
    pub fn active(&self, now: Timestamp) -> usize {
        self.snapshot.load().values().filter(|&&u| now < u).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: u64) -> Timestamp {
        Timestamp::from_secs_micros(secs, 0)
    }

    #[test]
    fn blocks_until_the_deadline_and_expires() {
        let list = BlockList::new();
        let a: IpAddr = "198.18.0.1".parse().unwrap();
        let b: IpAddr = "198.18.0.3".parse().unwrap();
        list.block(a, t(10), t(13));
        assert!(list.is_blocked(a, t(10)));
        assert!(list.is_blocked(a, t(12)));
        assert!(!list.is_blocked(a, t(13)));
        assert!(!list.is_blocked(b, t(11)));
        // A shorter block never shortens a longer one; a later one prunes expired entries.
        list.block(a, t(11), t(12));
        assert!(list.is_blocked(a, t(12)));
        list.block(b, t(20), t(25));
        assert_eq!(list.active(t(20)), 1);
        assert!(list.is_blocked(b, t(24)));
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let list = Arc::new(BlockList::new());
        let threads: Vec<_> = (0..4u8)
            .map(|w| {
                let list = Arc::clone(&list);
                std::thread::spawn(move || {
                    for i in 0..50u8 {
                        let ip = IpAddr::from([198, 18, w, i]);
                        list.block(ip, t(1), t(100));
                    }
                })
            })
            .collect();
        for th in threads {
            th.join().unwrap();
        }
        assert_eq!(list.active(t(2)), 200);
    }
}
