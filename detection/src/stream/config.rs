//! Reassembly settings and the overlap policy.

/// What to keep when a segment overlaps bytes already received but not yet delivered in
/// order (or compares them, for bytes already delivered).
///
/// Only `First` exists today; target-based policies (Suricata's `bsd`, `linux`, `windows`,
/// `last`, ...) are added as variants and implemented in [`OverlapPolicy::resolve`], which is
/// the single place overlapping bytes meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverlapPolicy {
    /// The bytes received first win (Suricata's `first`/`old` policy).
    #[default]
    First,
}

impl OverlapPolicy {
    /// Settles an overlap between `old` (stored, not yet inspected) and `new` (same length,
    /// same stream offsets) in place, and reports whether the two differed.
    pub fn resolve(self, old: &mut [u8], new: &[u8]) -> bool {
        match self {
            OverlapPolicy::First => old != new,
        }
    }
}

/// Suricata's default `stream.reassembly.depth` (1 MiB).
pub const DEFAULT_DEPTH: u64 = 1024 * 1024;

/// Suricata's default `stream.reassembly.memcap` (256 MiB).
pub const DEFAULT_REASSEMBLY_MEMCAP: u64 = 256 * 1024 * 1024;

/// Bytes of inspected data kept in front of new data by default.
pub const DEFAULT_WINDOW_KEEP: usize = 4096;

/// Everything a reassembler needs to know from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamConfig {
    /// `stream.reassembly.depth`: stream bytes reassembled per direction; 0 is unlimited.
    pub depth: u64,
    /// Inspected bytes kept before new data, so a match can span segment boundaries.
    pub window_keep: usize,
    /// `stream.reassembly.memcap`: bytes buffered across all reassemblers of a worker.
    pub memcap: u64,
    /// Overlap resolution.
    pub policy: OverlapPolicy,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            depth: DEFAULT_DEPTH,
            window_keep: DEFAULT_WINDOW_KEEP,
            memcap: DEFAULT_REASSEMBLY_MEMCAP,
            policy: OverlapPolicy::First,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_policy_keeps_old_bytes() {
        let mut old = *b"abc";
        assert!(OverlapPolicy::First.resolve(&mut old, b"xbz"));
        assert_eq!(&old, b"abc");
        assert!(!OverlapPolicy::First.resolve(&mut old, b"abc"));
    }

    #[test]
    fn defaults_match_suricata() {
        let cfg = StreamConfig::default();
        assert_eq!(cfg.depth, 1_048_576);
        assert_eq!(cfg.memcap, 268_435_456);
        assert_eq!(cfg.window_keep, 4096);
        assert_eq!(cfg.policy, OverlapPolicy::First);
    }
}
