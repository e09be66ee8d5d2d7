//! Packet time. The engine never reads a clock: every timeout is driven by the timestamps of the
//! packets it is given, so offline runs are deterministic and inline runs use arrival time.

/// A point in time in microseconds since the Unix epoch, as carried by capture records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Builds a timestamp from whole seconds and microseconds.
    pub fn from_secs_micros(secs: u64, micros: u32) -> Self {
        Timestamp(secs * 1_000_000 + u64::from(micros))
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
