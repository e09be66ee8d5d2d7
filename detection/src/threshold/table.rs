//! A bounded, sharded hash table for state keyed by host that every worker shares.
//!
//! Each shard is a `Mutex<HashMap>` chosen by a keyed hash of the key, so workers hitting
//! different hosts rarely meet on a lock, and a worker only ever holds one shard lock at a time
//! (no lock ordering to get wrong). The table is meant to be touched on rule hits and flow
//! starts/ends, never on every packet. See `docs/host-state.md`.
//!
//! The bound is a number of entries, split exactly across shards. When a shard is full, a new key
//! first triggers a sweep of that shard's stale entries (at most once per second of packet time
//! while sweeps free nothing, so a flood of new keys cannot turn every hit into a full scan);
//! if the shard is still full the key is refused and the caller applies its overflow policy.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};

use crate::time::Timestamp;

/// What the table needs to know about a value to evict it.
pub(crate) trait Expiring {
    /// Whether the value can no longer influence anything at or after `now`.
    fn is_stale(&self, now: Timestamp) -> bool;
}

/// Table counters, summed over shards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TableCounters {
    /// Entries currently held.
    pub entries: usize,
    /// Entries ever inserted.
    pub created: u64,
    /// Stale entries removed to make room.
    pub evicted: u64,
    /// New keys refused because their shard was full of live entries.
    pub overflow: u64,
}

struct Shard<K, V> {
    map: HashMap<K, V, ahash::RandomState>,
    capacity: usize,
    /// Packet second of the last sweep that freed nothing; no new sweep within that second.
    futile_sweep_secs: Option<u64>,
    created: u64,
    evicted: u64,
    overflow: u64,
}

/// The result of [`ShardedTable::update`].
pub(crate) struct Update<R> {
    /// What the caller's closure returned.
    pub result: R,
    /// Whether the closure asked to insert a new entry and the table refused it.
    pub refused: bool,
}

/// The bounded sharded table.
pub(crate) struct ShardedTable<K, V> {
    shards: Box<[Mutex<Shard<K, V>>]>,
    selector: ahash::RandomState,
}

impl<K: Hash + Eq, V: Expiring> ShardedTable<K, V> {
    /// A table of `shards` shards (at least one) holding at most `max_entries` entries in total.
    pub(crate) fn new(max_entries: usize, shards: usize) -> Self {
        let n = shards.max(1);
        let shards = (0..n)
            .map(|i| {
                Mutex::new(Shard {
                    map: HashMap::with_hasher(ahash::RandomState::new()),
                    capacity: max_entries / n + usize::from(i < max_entries % n),
                    futile_sweep_secs: None,
                    created: 0,
                    evicted: 0,
                    overflow: 0,
                })
            })
            .collect();
        ShardedTable {
            shards,
            selector: ahash::RandomState::new(),
        }
    }

    fn shard(&self, key: &K) -> MutexGuard<'_, Shard<K, V>> {
        let h = self.selector.hash_one(key);
        // The modulo of a 64-bit hash by at most a few hundred shards: bias is negligible.
        let i = (h % self.shards.len() as u64) as usize;
        lock(&self.shards[i])
    }

    /// Runs `f` on the key's value (`None` when absent) under the shard lock. If `f` returns a
    /// new value for an absent key, it is inserted when the shard has room (after sweeping stale
    /// entries if needed); otherwise the update reports `refused`.
    pub(crate) fn update<R>(
        &self,
        key: K,
        now: Timestamp,
        f: impl FnOnce(Option<&mut V>) -> (R, Option<V>),
    ) -> Update<R> {
        let mut shard = self.shard(&key);
        if let Some(v) = shard.map.get_mut(&key) {
            let (result, _) = f(Some(v));
            return Update {
                result,
                refused: false,
            };
        }
        let (result, new) = f(None);
        let Some(new) = new else {
            return Update {
                result,
                refused: false,
            };
        };
        if shard.map.len() >= shard.capacity {
            shard.sweep(now);
        }
        if shard.map.len() >= shard.capacity {
            shard.overflow += 1;
            return Update {
                result,
                refused: true,
            };
        }
        shard.map.insert(key, new);
        shard.created += 1;
        Update {
            result,
            refused: false,
        }
    }

    /// Removes every stale entry (housekeeping, e.g. on a timer); returns how many went.
    pub(crate) fn expire(&self, now: Timestamp) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let mut shard = lock(s);
                let before = shard.map.len();
                shard.map.retain(|_, v| !v.is_stale(now));
                let gone = before - shard.map.len();
                shard.evicted += gone as u64;
                gone
            })
            .sum()
    }

    /// Counters summed over shards (locks each shard briefly, one at a time).
    pub(crate) fn counters(&self) -> TableCounters {
        self.shards
            .iter()
            .fold(TableCounters::default(), |mut c, s| {
                let shard = lock(s);
                c.entries += shard.map.len();
                c.created += shard.created;
                c.evicted += shard.evicted;
                c.overflow += shard.overflow;
                c
            })
    }
}

impl<K: Hash + Eq, V: Expiring> Shard<K, V> {
    fn sweep(&mut self, now: Timestamp) {
        if self.futile_sweep_secs == Some(now.secs()) {
            return;
        }
        let before = self.map.len();
        self.map.retain(|_, v| !v.is_stale(now));
        let gone = before - self.map.len();
        self.evicted += gone as u64;
        self.futile_sweep_secs = if gone == 0 { Some(now.secs()) } else { None };
    }
}

/// Locks a shard; a panic in another worker while it held the lock leaves plain counters behind,
/// which are still usable, so poisoning is ignored rather than spread.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value that is stale from `dies` on.
    struct V {
        dies: u64,
    }

    impl Expiring for V {
        fn is_stale(&self, now: Timestamp) -> bool {
            now.0 >= self.dies
        }
    }

    fn insert(t: &ShardedTable<u32, V>, k: u32, now: u64, dies: u64) -> bool {
        !t.update(k, Timestamp(now), |_| ((), Some(V { dies })))
            .refused
    }

    #[test]
    fn capacity_is_split_exactly() {
        let t: ShardedTable<u32, V> = ShardedTable::new(10, 4);
        let caps: Vec<usize> = t.shards.iter().map(|s| lock(s).capacity).collect();
        assert_eq!(caps, vec![3, 3, 2, 2]);
    }

    #[test]
    fn full_shard_sweeps_then_refuses() {
        let t: ShardedTable<u32, V> = ShardedTable::new(2, 1);
        assert!(insert(&t, 1, 0, 5_000_000));
        assert!(insert(&t, 2, 0, 100_000_000));
        // Full and nothing stale at 1s: refused.
        assert!(!insert(&t, 3, 1_000_000, 100_000_000));
        // At 6s key 1 is stale and the sweep frees it.
        assert!(insert(&t, 3, 6_000_000, 100_000_000));
        let c = t.counters();
        assert_eq!(
            c,
            TableCounters {
                entries: 2,
                created: 3,
                evicted: 1,
                overflow: 1
            }
        );
    }

    #[test]
    fn futile_sweeps_are_rate_limited_per_second() {
        let t: ShardedTable<u32, V> = ShardedTable::new(1, 1);
        assert!(insert(&t, 1, 0, 2_500_000));
        // 2.0s: nothing stale, the sweep is futile and remembered for second 2.
        assert!(!insert(&t, 2, 2_000_000, u64::MAX));
        // 2.6s: key 1 is stale now, but second 2 already had a futile sweep.
        assert!(!insert(&t, 2, 2_600_000, u64::MAX));
        // 3.0s: a new second, the sweep frees key 1.
        assert!(insert(&t, 2, 3_000_000, u64::MAX));
        assert_eq!(t.counters().overflow, 2);
    }

    #[test]
    fn existing_keys_update_without_capacity() {
        let t: ShardedTable<u32, V> = ShardedTable::new(1, 1);
        assert!(insert(&t, 1, 0, u64::MAX));
        let u = t.update(1, Timestamp(1), |v| {
            let v = v.expect("present");
            v.dies = 7;
            (v.dies, None)
        });
        assert_eq!((u.result, u.refused), (7, false));
        // A closure that declines to insert is never refused.
        let u = t.update(2, Timestamp(1), |v| (v.is_none(), None));
        assert_eq!((u.result, u.refused), (true, false));
        assert_eq!(t.expire(Timestamp(7)), 1);
        assert_eq!(t.counters().entries, 0);
    }

    #[test]
    fn zero_capacity_refuses_everything() {
        let t: ShardedTable<u32, V> = ShardedTable::new(0, 1);
        assert!(!insert(&t, 1, 0, 1));
        assert_eq!(t.counters().overflow, 1);
    }
}
