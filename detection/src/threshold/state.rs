//! [`HostState`]: the thresholding state every worker shares, consulted when a rule matched.
//!
//! Order of evaluation per hit, as Suricata's `PacketAlertHandle`: address suppressions first
//! (a covered hit is a silent match and touches no counter), then the rule's one effective filter
//! (see [`ThresholdConfig`]) on the shared table, then a "noalert" suppression turns whatever
//! would have alerted into a silent match.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use super::config::ThresholdConfig;
use super::filter::{step, Entry, Filter, Step};
use super::table::ShardedTable;
use crate::rules::ast::{Action, DetectionFilter, Rule, Threshold, TrackBy};
use crate::time::Timestamp;

/// Default bound on tracked keys.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// Default number of shards: enough that workers rarely contend on one lock.
pub const DEFAULT_SHARDS: usize = 64;

/// Approximate heap bytes per tracked key: one `(key, entry)` slot plus its control byte at the
/// hash map's 7/8 maximum load. Power-of-two growth can add up to twice this per shard.
pub const APPROX_BYTES_PER_ENTRY: usize = (std::mem::size_of::<(Key, Entry)>() + 1) * 8 / 7;

/// What thresholding needs to know about the rule that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleThresholding<'a> {
    /// `gid`.
    pub gid: u32,
    /// `sid`.
    pub sid: u32,
    /// The rule's `threshold` keyword.
    pub threshold: Option<&'a Threshold>,
    /// The rule's `detection_filter` keyword. Suricata rejects a rule with both keywords (the
    /// rule parser should too); given both, the detection filter is the one applied.
    pub detection_filter: Option<&'a DetectionFilter>,
}

impl<'a> From<&'a Rule> for RuleThresholding<'a> {
    fn from(rule: &'a Rule) -> Self {
        RuleThresholding {
            gid: rule.gid,
            sid: rule.sid,
            threshold: rule.threshold.as_ref(),
            detection_filter: rule.detection_filter.as_ref(),
        }
    }
}

/// What a rule hit becomes after thresholding. Side effects of the match itself (flowbits and
/// the like) have already happened and stand in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOutcome {
    /// Log the alert and apply the rule's own action.
    Alert,
    /// Do not log; the rule's own action (drop, reject, pass) still applies. Suppressions, and
    /// `limit`/`both` hits beyond the count (Suricata's "silent match").
    Suppress,
    /// Neither log nor apply the action: the hit does not count as a match yet (`threshold` and
    /// `both` below the count, `detection_filter` not exceeded).
    Discard,
    /// A `rate_filter` is active: apply `action` in place of the rule's (EVE drop reason
    /// "threshold detection_filter"), and log unless the rule is suppressed. A `pass` action is
    /// not logged as an alert, as for any pass rule.
    RateFiltered {
        /// The action to apply.
        action: Action,
        /// Whether to log the alert.
        alert: bool,
    },
}

impl MatchOutcome {
    /// Whether an alert is logged.
    pub fn alerts(self) -> bool {
        match self {
            MatchOutcome::Alert => true,
            MatchOutcome::Suppress | MatchOutcome::Discard => false,
            MatchOutcome::RateFiltered { alert, .. } => alert,
        }
    }

    /// The action to apply to the packet given the rule's own action; `None` when the hit must
    /// not influence the verdict.
    pub fn action(self, rule_action: Action) -> Option<Action> {
        match self {
            MatchOutcome::Alert | MatchOutcome::Suppress => Some(rule_action),
            MatchOutcome::Discard => None,
            MatchOutcome::RateFiltered { action, .. } => Some(action),
        }
    }
}

/// Counters of [`HostState`], for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThresholdStats {
    /// Hits evaluated by [`HostState::on_match`].
    pub checks: u64,
    /// Hits that alerted (including rate-filtered ones).
    pub alerts: u64,
    /// Hits silenced by a `suppress` line.
    pub suppressed: u64,
    /// Hits silenced by `limit`/`both` beyond the count.
    pub silenced: u64,
    /// Hits discarded below a `threshold`/`both` count or a `detection_filter`.
    pub discarded: u64,
    /// Hits whose action a `rate_filter` replaced.
    pub rate_filtered: u64,
    /// Keys tracked now.
    pub entries: usize,
    /// The bound on tracked keys.
    pub max_entries: usize,
    /// Keys ever tracked.
    pub created: u64,
    /// Keys dropped because their window and rate timeout had passed.
    pub expired: u64,
    /// New keys refused because their shard was full; those hits alerted as if untracked.
    pub overflow: u64,
}

#[derive(Default)]
struct Counters {
    checks: AtomicU64,
    alerts: AtomicU64,
    suppressed: AtomicU64,
    silenced: AtomicU64,
    discarded: AtomicU64,
    rate_filtered: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// A tracked key: the rule and whom it counts by. `by_both` is direction-free, as Suricata's
/// IP-pair table: A→B and B→A share a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    gid: u32,
    sid: u32,
    scope: KeyScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyScope {
    Rule,
    Src(IpAddr),
    Dst(IpAddr),
    Pair(IpAddr, IpAddr),
}

/// Thresholding state shared by every worker (`Send + Sync`, share it in an `Arc`): the parsed
/// `threshold.config` and a bounded, sharded table of counters keyed by rule and host. Touched
/// only when a rule with thresholding matched, never per packet. When a new key finds its shard
/// full of live entries, the hit alerts as if the rule had no thresholding (fail-open for
/// alerting) and is counted in [`ThresholdStats::overflow`].
pub struct HostState {
    config: ThresholdConfig,
    table: ShardedTable<Key, Entry>,
    max_entries: usize,
    counters: Counters,
}

impl HostState {
    /// State for `cfg`, tracking at most `max_entries` keys (see [`APPROX_BYTES_PER_ENTRY`])
    /// over [`DEFAULT_SHARDS`] shards (fewer when `max_entries` is smaller).
    pub fn new(cfg: ThresholdConfig, max_entries: usize) -> Self {
        Self::with_shards(cfg, max_entries, DEFAULT_SHARDS.min(max_entries.max(1)))
    }

    /// Like [`HostState::new`] with an explicit shard count (at least one). The bound is split
    /// exactly across shards, so with one shard it is a single exact limit.
    pub fn with_shards(cfg: ThresholdConfig, max_entries: usize, shards: usize) -> Self {
        HostState {
            config: cfg,
            table: ShardedTable::new(max_entries, shards),
            max_entries,
            counters: Counters::default(),
        }
    }

    /// Fast path for the engine: whether a hit of rule `(gid, sid)` needs [`HostState::on_match`]
    /// at all. False when the rule has no keyword and no config line applies, so the call (and
    /// any shared state) is skipped entirely. Compute it once per rule at ruleset build time.
    pub fn needs_check(&self, gid: u32, sid: u32, has_threshold: bool, has_filter: bool) -> bool {
        has_threshold || has_filter || self.config.applies_to(gid, sid)
    }

    /// Called by a worker when `rule` matched a packet from `src` to `dst` at `ts`.
    pub fn on_match(
        &self,
        rule: RuleThresholding<'_>,
        src: IpAddr,
        dst: IpAddr,
        ts: Timestamp,
    ) -> MatchOutcome {
        bump(&self.counters.checks);
        let applicable = self.config.lookup(rule.gid, rule.sid);
        if applicable.suppressed(src, dst) {
            bump(&self.counters.suppressed);
            return MatchOutcome::Suppress;
        }
        let own = rule
            .detection_filter
            .map(Filter::from)
            .or(rule.threshold.map(Filter::from));
        let step = match applicable.filter(own) {
            Some(filter) => self.track(rule.gid, rule.sid, &filter, src, dst, ts),
            None => Step::Alert,
        };
        let noalert = applicable.noalert();
        let outcome = match step {
            Step::Alert if noalert => MatchOutcome::Suppress,
            Step::Alert => MatchOutcome::Alert,
            Step::Silent => MatchOutcome::Suppress,
            Step::NoMatch => MatchOutcome::Discard,
            Step::Rate(action) => MatchOutcome::RateFiltered {
                action,
                alert: !noalert,
            },
        };
        self.count(step, outcome);
        outcome
    }

    /// Applies `filter` to the counter of the hit's key; a refused new key alerts (fail-open).
    fn track(
        &self,
        gid: u32,
        sid: u32,
        filter: &Filter,
        src: IpAddr,
        dst: IpAddr,
        ts: Timestamp,
    ) -> Step {
        let scope = match filter.track {
            TrackBy::Src => KeyScope::Src(src),
            TrackBy::Dst => KeyScope::Dst(dst),
            TrackBy::Rule => KeyScope::Rule,
            TrackBy::Both => KeyScope::Pair(src.min(dst), src.max(dst)),
        };
        let key = Key { gid, sid, scope };
        let update = self.table.update(key, ts, |entry| step(filter, entry, ts));
        if update.refused {
            Step::Alert
        } else {
            update.result
        }
    }

    fn count(&self, step: Step, outcome: MatchOutcome) {
        let c = &self.counters;
        match step {
            Step::Silent => bump(&c.silenced),
            Step::NoMatch => bump(&c.discarded),
            Step::Rate(_) => bump(&c.rate_filtered),
            Step::Alert => {}
        }
        if outcome.alerts() {
            bump(&c.alerts);
        } else if matches!(step, Step::Alert | Step::Rate(_)) {
            bump(&c.suppressed);
        }
    }

    /// Drops every key whose window and rate timeout have passed at `now`; returns how many.
    /// Optional housekeeping (full shards also reclaim such keys on demand).
    pub fn expire(&self, now: Timestamp) -> usize {
        self.table.expire(now)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> ThresholdStats {
        let c = &self.counters;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let t = self.table.counters();
        ThresholdStats {
            checks: load(&c.checks),
            alerts: load(&c.alerts),
            suppressed: load(&c.suppressed),
            silenced: load(&c.silenced),
            discarded: load(&c.discarded),
            rate_filtered: load(&c.rate_filtered),
            entries: t.entries,
            max_entries: self.max_entries,
            created: t.created,
            expired: t.evicted,
            overflow: t.overflow,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::rules::ast::ThresholdKind;

    /// The client and server of suricata-verify's `http-all-headers` capture.
    const CLIENT: &str = "145.254.160.237";
    const SERVER: &str = "65.208.228.223";

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn rule(sid: u32) -> RuleThresholding<'static> {
        RuleThresholding {
            gid: 1,
            sid,
            threshold: None,
            detection_filter: None,
        }
    }

    fn threshold(kind: ThresholdKind, track: TrackBy, count: u32, seconds: u32) -> Threshold {
        Threshold {
            kind,
            track,
            count,
            seconds,
        }
    }

    fn state(config: &str) -> HostState {
        let (cfg, errors) = ThresholdConfig::parse(config, "test");
        assert!(errors.is_empty(), "{errors:?}");
        HostState::new(cfg, DEFAULT_MAX_ENTRIES)
    }

    /// Renders outcomes: A alert, s suppress, . discard, R rate-filtered with alert, r without.
    fn render(outcomes: &[MatchOutcome]) -> String {
        outcomes
            .iter()
            .map(|o| match o {
                MatchOutcome::Alert => 'A',
                MatchOutcome::Suppress => 's',
                MatchOutcome::Discard => '.',
                MatchOutcome::RateFiltered { alert: true, .. } => 'R',
                MatchOutcome::RateFiltered { alert: false, .. } => 'r',
            })
            .collect()
    }

    /// Hits of `r` given as (src, dst, whole seconds).
    fn hits(s: &HostState, r: RuleThresholding<'_>, list: &[(&str, &str, u64)]) -> String {
        let outcomes: Vec<MatchOutcome> = list
            .iter()
            .map(|&(src, dst, t)| {
                s.on_match(r, ip(src), ip(dst), Timestamp::from_secs_micros(t, 0))
            })
            .collect();
        render(&outcomes)
    }

    const A: &str = "10.0.0.1";
    const B: &str = "10.0.0.2";
    const C: &str = "10.0.0.3";

    #[test]
    fn host_state_is_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<HostState>();
    }

    #[test]
    fn limit_by_src_counts_each_source() {
        let s = state("");
        let t = threshold(ThresholdKind::Limit, TrackBy::Src, 2, 60);
        let r = RuleThresholding {
            threshold: Some(&t),
            ..rule(1)
        };
        let seq = [
            (A, C, 0),
            (B, C, 1),
            (A, C, 2),
            (A, C, 3),
            (B, C, 4),
            (B, C, 5),
            (A, C, 61),
            (A, C, 62),
        ];
        assert_eq!(hits(&s, r, &seq), "AAAsAsAA");
        assert_eq!(s.stats().entries, 2);
    }

    #[test]
    fn threshold_by_dst_counts_each_destination() {
        let s = state("");
        let t = threshold(ThresholdKind::Threshold, TrackBy::Dst, 2, 60);
        let r = RuleThresholding {
            threshold: Some(&t),
            ..rule(2)
        };
        let seq = [
            (C, A, 0),
            (C, B, 0),
            (A, B, 1),
            (B, A, 2),
            (C, A, 3),
            (C, A, 4),
        ];
        assert_eq!(hits(&s, r, &seq), "..AA.A");
    }

    #[test]
    fn both_by_rule_shares_one_counter() {
        let s = state("");
        let t = threshold(ThresholdKind::Both, TrackBy::Rule, 3, 10);
        let r = RuleThresholding {
            threshold: Some(&t),
            ..rule(3)
        };
        let seq = [
            (A, B, 0),
            (B, C, 1),
            (C, A, 2),
            (A, C, 3),
            (A, B, 11),
            (C, B, 12),
            (B, A, 13),
        ];
        assert_eq!(hits(&s, r, &seq), "..As..A");
        assert_eq!(s.stats().entries, 1);
    }

    #[test]
    fn by_both_is_direction_free() {
        let s = state("");
        let t = threshold(ThresholdKind::Limit, TrackBy::Both, 1, 60);
        let r = RuleThresholding {
            threshold: Some(&t),
            ..rule(4)
        };
        assert_eq!(
            hits(
                &s,
                r,
                &[(A, B, 0), (B, A, 1), (A, C, 2), (C, A, 3), (B, C, 4)]
            ),
            "AsAsA"
        );
    }

    #[test]
    fn detection_filter_by_src_alerts_after_count_exceeded() {
        let s = state("");
        let d = DetectionFilter {
            track: TrackBy::Src,
            count: 2,
            seconds: 10,
        };
        let r = RuleThresholding {
            detection_filter: Some(&d),
            ..rule(5)
        };
        let seq = [
            (A, C, 0),
            (A, C, 1),
            (B, C, 1),
            (A, C, 2),
            (A, C, 10),
            (A, C, 11),
            (A, C, 12),
        ];
        assert_eq!(hits(&s, r, &seq), "...AA..");
        let st = s.stats();
        assert_eq!((st.checks, st.alerts, st.discarded), (7, 2, 5));
    }

    #[test]
    fn rules_differ_by_gid_and_sid() {
        let s = state("");
        let t = threshold(ThresholdKind::Limit, TrackBy::Src, 1, 60);
        let r1 = RuleThresholding {
            threshold: Some(&t),
            ..rule(6)
        };
        let r2 = RuleThresholding { sid: 7, ..r1 };
        let r3 = RuleThresholding { gid: 2, ..r1 };
        assert_eq!(hits(&s, r1, &[(A, B, 0), (A, B, 1)]), "As");
        assert_eq!(hits(&s, r2, &[(A, B, 2)]), "A");
        assert_eq!(hits(&s, r3, &[(A, B, 3)]), "A");
    }

    #[test]
    fn suppress_by_ip_cidr_and_either() {
        let s = state(
            "suppress gen_id 1, sig_id 10, track by_src, ip 10.0.0.1\n\
             suppress gen_id 1, sig_id 11, track by_dst, ip 10.0.0.0/30\n\
             suppress gen_id 1, sig_id 12, track by_either, ip [10.0.0.3, 192.168.0.0/16]\n",
        );
        assert_eq!(hits(&s, rule(10), &[(A, B, 0), (B, A, 0)]), "sA");
        assert_eq!(
            hits(&s, rule(11), &[(C, A, 0), (C, B, 0), (A, "10.0.0.4", 0)]),
            "ssA"
        );
        assert_eq!(
            hits(
                &s,
                rule(12),
                &[(A, C, 0), (C, B, 0), (A, B, 0), ("192.168.3.3", A, 0)]
            ),
            "ssAs"
        );
        assert_eq!(hits(&s, rule(13), &[(A, B, 0)]), "A");
        assert_eq!(s.stats().suppressed, 6);
    }

    #[test]
    fn suppress_without_track_silences_but_thresholds_still_run() {
        let s = state(
            "suppress gen_id 1, sig_id 20\n\
             rate_filter gen_id 1, sig_id 21, track by_rule, count 1, seconds 60, new_action drop, timeout 10\n\
             suppress gen_id 1, sig_id 21\n",
        );
        assert_eq!(hits(&s, rule(20), &[(A, B, 0)]), "s");
        let t = threshold(ThresholdKind::Threshold, TrackBy::Src, 2, 60);
        let r = RuleThresholding {
            threshold: Some(&t),
            ..rule(20)
        };
        // Below the count: discarded (no action either); at the count: silent.
        assert_eq!(hits(&s, r, &[(A, B, 1), (A, B, 2)]), ".s");
        assert_eq!(hits(&s, rule(21), &[(A, B, 0), (A, B, 1)]), "sr");
        assert_eq!(
            s.on_match(rule(21), ip(A), ip(B), Timestamp::from_secs_micros(2, 0))
                .action(Action::Alert),
            Some(Action::Drop)
        );
    }

    #[test]
    fn global_suppress_applies_to_every_rule() {
        let s = state(
            "suppress gen_id 0, sig_id 0, track by_src, ip 10.0.0.1\nsuppress gen_id 3, sig_id 0",
        );
        assert_eq!(hits(&s, rule(1), &[(A, B, 0), (B, A, 0)]), "sA");
        let r = RuleThresholding { gid: 3, ..rule(99) };
        assert_eq!(hits(&s, r, &[(B, A, 0)]), "s");
        assert!(s.needs_check(7, 7, false, false));
    }

    #[test]
    fn rate_filter_changes_action_until_timeout() {
        let s = state("rate_filter gen_id 1, sig_id 30, track by_src, count 2, seconds 10, new_action reject, timeout 5");
        let outcomes: Vec<MatchOutcome> = [0u64, 1, 2, 3, 7, 8, 30, 31]
            .iter()
            .map(|&t| s.on_match(rule(30), ip(A), ip(B), Timestamp::from_secs_micros(t, 0)))
            .collect();
        assert_eq!(render(&outcomes), "AARRRAAA");
        assert_eq!(outcomes[2].action(Action::Alert), Some(Action::Reject));
        assert_eq!(outcomes[5].action(Action::Alert), Some(Action::Alert));
        // Another source has its own counter.
        assert_eq!(hits(&s, rule(30), &[(B, A, 3)]), "A");
        let st = s.stats();
        assert_eq!((st.alerts, st.rate_filtered, st.suppressed), (9, 3, 0));
    }

    #[test]
    fn config_threshold_overrides_rule_keyword() {
        let s =
            state("threshold gen_id 1, sig_id 40, type limit, track by_src, count 1, seconds 60");
        let own = threshold(ThresholdKind::Threshold, TrackBy::Src, 100, 60);
        let r = RuleThresholding {
            threshold: Some(&own),
            ..rule(40)
        };
        assert_eq!(hits(&s, r, &[(A, B, 0), (A, B, 1), (B, A, 2)]), "AsA");
        // A global threshold does not touch a rule that has its own keyword.
        let g =
            state("threshold gen_id 0, sig_id 0, type limit, track by_rule, count 1, seconds 60");
        let df = DetectionFilter {
            track: TrackBy::Src,
            count: 1,
            seconds: 60,
        };
        let r = RuleThresholding {
            detection_filter: Some(&df),
            ..rule(41)
        };
        assert_eq!(hits(&g, r, &[(A, B, 0), (A, B, 1), (A, B, 2)]), ".AA");
        assert_eq!(hits(&g, rule(42), &[(A, B, 0), (C, B, 1)]), "As");
    }

    #[test]
    fn needs_check_only_when_something_applies() {
        let s = state("suppress gen_id 1, sig_id 50");
        assert!(s.needs_check(1, 50, false, false));
        assert!(!s.needs_check(1, 51, false, false));
        assert!(s.needs_check(1, 51, true, false));
        assert!(s.needs_check(1, 51, false, true));
        assert!(!s.needs_check(2, 50, false, false));
    }

    #[test]
    fn memcap_overflow_alerts_as_untracked_and_is_counted() {
        let (cfg, _) = ThresholdConfig::parse("", "x");
        let s = HostState::with_shards(cfg, 2, 1);
        let d = DetectionFilter {
            track: TrackBy::Src,
            count: 5,
            seconds: 10,
        };
        let r = RuleThresholding {
            detection_filter: Some(&d),
            ..rule(60)
        };
        // Two sources tracked, a third refused → alerts (fail-open), a tracked one keeps counting.
        assert_eq!(
            hits(
                &s,
                r,
                &[(A, B, 0), (B, A, 0), (C, A, 1), (C, A, 2), (A, B, 3)]
            ),
            "..AA."
        );
        let st = s.stats();
        assert_eq!(
            (
                st.entries,
                st.max_entries,
                st.created,
                st.overflow,
                st.expired
            ),
            (2, 2, 2, 2, 0)
        );
        // After the windows close (t > 10), the stale entries make room for C.
        assert_eq!(hits(&s, r, &[(C, A, 11)]), ".");
        let st = s.stats();
        assert_eq!(
            (st.entries, st.created, st.overflow, st.expired),
            (1, 3, 2, 2)
        );
        assert_eq!(s.expire(Timestamp::from_secs_micros(22, 0)), 1);
        assert_eq!(s.stats().entries, 0);
    }

    #[test]
    fn two_threads_on_one_key_get_exact_counts() {
        let s = Arc::new(HostState::new(
            ThresholdConfig::default(),
            DEFAULT_MAX_ENTRIES,
        ));
        let t = threshold(ThresholdKind::Threshold, TrackBy::Src, 10, 3600);
        let workers: Vec<_> = (0..2u32)
            .map(|w| {
                let s = Arc::clone(&s);
                std::thread::spawn(move || {
                    let r = RuleThresholding {
                        threshold: Some(&t),
                        ..rule(70)
                    };
                    (0..5000u32)
                        .filter(|i| {
                            let ts = Timestamp::from_secs_micros(1000, i * 2 + w);
                            s.on_match(r, ip(A), ip(B), ts) == MatchOutcome::Alert
                        })
                        .count()
                })
            })
            .collect();
        let alerts: usize = workers.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(alerts, 1000);
        let st = s.stats();
        assert_eq!(
            (st.checks, st.alerts, st.discarded, st.entries),
            (10_000, 1000, 9000, 1)
        );
    }

    /// The 19 zero-payload packets of `http-all-headers/input.pcap` as (from client?, time),
    /// which suricata-verify's `dsize:0` threshold tests match.
    fn dsize0_packets() -> Vec<(bool, Timestamp)> {
        let list: [(bool, u64, u32); 19] = [
            (true, 1084443427, 311224),
            (false, 1084443428, 222534),
            (true, 1084443428, 222534),
            (false, 1084443428, 783340),
            (true, 1084443429, 123830),
            (true, 1084443429, 324118),
            (true, 1084443429, 864896),
            (true, 1084443430, 125270),
            (true, 1084443430, 325558),
            (true, 1084443430, 806249),
            (true, 1084443431, 126710),
            (true, 1084443431, 527286),
            (true, 1084443431, 667488),
            (true, 1084443431, 807689),
            (true, 1084443432, 328438),
            (false, 1084443445, 216971),
            (true, 1084443445, 216971),
            (true, 1084443457, 374452),
            (false, 1084443457, 704928),
        ];
        list.iter()
            .map(|&(c, s, us)| (c, Timestamp::from_secs_micros(s, us)))
            .collect()
    }

    fn replay(
        s: &HostState,
        r: RuleThresholding<'_>,
        packets: &[(bool, Timestamp)],
    ) -> Vec<MatchOutcome> {
        packets
            .iter()
            .map(|&(from_client, ts)| {
                let (src, dst) = if from_client {
                    (CLIENT, SERVER)
                } else {
                    (SERVER, CLIENT)
                };
                s.on_match(r, ip(src), ip(dst), ts)
            })
            .collect()
    }

    fn tally(outcomes: &[MatchOutcome], rule_action: Action) -> (usize, usize) {
        let alerts = outcomes.iter().filter(|o| o.alerts()).count();
        let drops = outcomes
            .iter()
            .filter(|o| o.action(rule_action).is_some_and(Action::is_drop))
            .count();
        (alerts, drops)
    }

    #[test]
    fn suricata_verify_rate_filter_alert_host_and_rule() {
        // threshold-config-rate-filter-alert-hostsrc: 19 alerts, 2 drops (one per direction).
        let s = state("rate_filter gen_id 1, sig_id 1000001, track by_src, count 1, seconds 60, new_action alert, timeout 1000");
        let out = replay(&s, rule(1000001), &dsize0_packets());
        assert_eq!(tally(&out, Action::Drop), (19, 2));
        // threshold-config-rate-filter-alert-rule: 19 alerts, 1 drop.
        let s = state("rate_filter gen_id 1, sig_id 1000001, track by_rule, count 1, seconds 60, new_action alert, timeout 1000");
        let out = replay(&s, rule(1000001), &dsize0_packets());
        assert_eq!(tally(&out, Action::Drop), (19, 1));
    }

    #[test]
    fn suricata_verify_suppressions() {
        // threshold-config-suppress-bydst-ipsubnet: 15 alerts, 19 drops.
        let s = state("suppress gen_id 1, sig_id 1000001, track by_dst, ip 145.254.160.0/24");
        let out = replay(&s, rule(1000001), &dsize0_packets());
        assert_eq!(tally(&out, Action::Drop), (15, 19));
        // threshold-config-suppress-byeither-ipvar: 0 alerts, 19 drops.
        let mut vars = crate::rules::Vars::empty();
        vars.set_address("SUPPRESS", "[10.0.0.0/8,20.0.0.0/16,145.0.0.0/8]");
        let (cfg, errors) = ThresholdConfig::parse_with_vars(
            "suppress gen_id 1, sig_id 1000001, track by_either, ip $SUPPRESS",
            "threshold.config",
            &vars,
        );
        assert!(errors.is_empty());
        let s = HostState::new(cfg, DEFAULT_MAX_ENTRIES);
        let out = replay(&s, rule(1000001), &dsize0_packets());
        assert_eq!(tally(&out, Action::Drop), (0, 19));
    }

    #[test]
    fn suricata_verify_rate_filter_on_http_alerts() {
        // The `alert http` rule of the rate-filter-{drop,reject,pass} tests hits three times:
        // request (client), response (server), then the client again. Expected: by_src drop and
        // by_dst reject block the third hit; by_rule drop blocks the second (the flow is then
        // dropped, so there is no third); by_both pass passes the second (no alert, flow passed).
        let http = [
            (true, Timestamp::from_secs_micros(1084443428, 222534)),
            (false, Timestamp::from_secs_micros(1084443428, 993643)),
            (true, Timestamp::from_secs_micros(1084443429, 123830)),
        ];
        let cfg = |track: &str, action: &str| {
            state(&format!(
                "rate_filter gen_id 1, sig_id 1000001, track {track}, count 1, seconds 60, new_action {action}, timeout 1000"
            ))
        };
        let actions = |out: Vec<MatchOutcome>| -> Vec<Option<Action>> {
            out.into_iter().map(|o| o.action(Action::Alert)).collect()
        };
        let by_src = replay(&cfg("by_src", "drop"), rule(1000001), &http);
        assert_eq!(
            actions(by_src),
            [Some(Action::Alert), Some(Action::Alert), Some(Action::Drop)]
        );
        let by_dst = replay(&cfg("by_dst", "reject"), rule(1000001), &http);
        assert_eq!(
            actions(by_dst),
            [
                Some(Action::Alert),
                Some(Action::Alert),
                Some(Action::Reject)
            ]
        );
        let by_rule = replay(&cfg("by_rule", "drop"), rule(1000001), &http[..2]);
        assert_eq!(actions(by_rule), [Some(Action::Alert), Some(Action::Drop)]);
        let by_both = replay(&cfg("by_both", "pass"), rule(1000001), &http[..2]);
        assert_eq!(actions(by_both), [Some(Action::Alert), Some(Action::Pass)]);
    }

    #[test]
    fn bytes_per_entry_is_documented_size() {
        // docs/host-state.md quotes this figure; keep them in step.
        assert_eq!(APPROX_BYTES_PER_ENTRY, 92);
    }
}
