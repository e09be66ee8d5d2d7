//! Alert thresholding, Suricata 7 style: the rule keywords `threshold` and `detection_filter`,
//! and the sensor-side `threshold.config` (`threshold`, `event_filter`, `rate_filter`,
//! `suppress`), on one host-keyed state table that every worker shares.
//!
//! - [`ThresholdConfig`] parses `threshold.config` (bad lines reported with file and line, the
//!   rest loads) and decides which filter applies to a rule.
//! - [`HostState`] holds the counters: a bounded table of shards behind mutexes, touched only
//!   when a rule with thresholding matched (see `docs/host-state.md`).
//! - The per-key transitions are in `filter`, the table in `table`, suppression addresses in
//!   `addr`.
//!
//! Not supported (Suricata 8): `track by_flow` and `type backoff`.

mod config;
mod filter;
mod state;
mod table;

pub use config::{ConfigEntry, ConfigRule, SuppressScope, SuppressTrack, ThresholdConfig};
pub use filter::{Filter, FilterKind};
pub use state::{
    HostState, MatchOutcome, RuleThresholding, ThresholdStats, APPROX_BYTES_PER_ENTRY,
    DEFAULT_MAX_ENTRIES, DEFAULT_SHARDS,
};
