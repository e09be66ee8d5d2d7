//! Packet time. The engine never reads a clock: every timeout is driven by the timestamps of the
//! packets it is given, so offline runs are deterministic and inline runs use arrival time.

/// A point in time in microseconds since the Unix epoch, as carried by capture records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Builds a timestamp from whole seconds and microseconds. Saturates at the latest
    /// representable time (about 584,542 years after 1970) instead of overflowing: capture
    /// files can carry any 64-bit time.
    pub fn from_secs_micros(secs: u64, micros: u32) -> Self {
        Timestamp(
            secs.saturating_mul(1_000_000)
                .saturating_add(u64::from(micros)),
        )
    }

    /// Whole seconds since the epoch.
    pub fn secs(self) -> u64 {
        self.0 / 1_000_000
    }

    /// The microsecond part within the second.
    pub fn subsec_micros(self) -> u32 {
        (self.0 % 1_000_000) as u32
    }

    /// Microseconds elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn micros_since(self, earlier: Timestamp) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_secs_micros_splits_back() {
        let t = Timestamp::from_secs_micros(1_700_000_000, 123_456);
        assert_eq!(t.0, 1_700_000_000_123_456);
        assert_eq!(t.secs(), 1_700_000_000);
        assert_eq!(t.subsec_micros(), 123_456);
    }

    /// Regression (fuzz target `capture`): a pcapng interface whose `if_tsresol` is 10^0
    /// (seconds) with a packet at 64-bit time 0x0005_2af1_7e6d_5dc6 overflowed the
    /// multiplication: a panic with overflow checks, a wrapped time without.
    #[test]
    fn from_secs_micros_saturates() {
        assert_eq!(
            Timestamp::from_secs_micros(0x0005_2af1_7e6d_5dc6, 0),
            Timestamp(u64::MAX)
        );
        assert_eq!(
            Timestamp::from_secs_micros(u64::MAX, 999_999),
            Timestamp(u64::MAX)
        );
        let last_whole = u64::MAX / 1_000_000;
        assert_eq!(
            Timestamp::from_secs_micros(last_whole, 0),
            Timestamp(18_446_744_073_709_000_000)
        );
        assert_eq!(
            Timestamp::from_secs_micros(last_whole, 999_999),
            Timestamp(u64::MAX)
        );
    }
}
