//! The per-key state machines of Suricata 7's thresholding (`detect-engine-threshold.c`,
//! `ThresholdHandlePacket`): what one rule hit does to one tracked counter, and what the hit
//! becomes (alert, silent match, no match, or a rate-filtered action). Pure functions of the
//! entry and the packet time, so every transition is unit-tested without a table or threads.

use super::table::Expiring;
use crate::rules::ast::{Action, DetectionFilter, Threshold, ThresholdKind, TrackBy};
use crate::time::Timestamp;

/// One stateful filter on a rule: the rule's own `threshold` / `detection_filter` keyword, or a
/// `threshold` / `event_filter` / `rate_filter` line of `threshold.config`. Suricata keeps at
/// most one per rule; which one wins is decided by [`super::ThresholdConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    /// What the filter does.
    pub kind: FilterKind,
    /// Whom it counts by.
    pub track: TrackBy,
    /// The count it compares against.
    pub count: u32,
    /// The window length in seconds.
    pub seconds: u32,
}

/// The behaviours a [`Filter`] can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKind {
    /// `type limit`: alert on the first `count` hits of each window.
    Limit,
    /// `type threshold`: alert on every `count`-th hit within the window.
    Threshold,
    /// `type both`: alert once per window, on the `count`-th hit.
    Both,
    /// `detection_filter`: the rule only matches once more than `count` hits were seen.
    DetectionFilter,
    /// `rate_filter`: once more than `count` hits were seen in the window, apply `new_action`
    /// for `timeout` seconds.
    Rate {
        /// The action applied while the filter is active.
        new_action: Action,
        /// How long, in whole seconds, the filter stays active once triggered.
        timeout: u32,
    },
}

impl From<&Threshold> for Filter {
    fn from(t: &Threshold) -> Self {
        let kind = match t.kind {
            ThresholdKind::Limit => FilterKind::Limit,
            ThresholdKind::Threshold => FilterKind::Threshold,
            ThresholdKind::Both => FilterKind::Both,
        };
        Filter {
            kind,
            track: t.track,
            count: t.count,
            seconds: t.seconds,
        }
    }
}

impl From<&DetectionFilter> for Filter {
    fn from(d: &DetectionFilter) -> Self {
        Filter {
            kind: FilterKind::DetectionFilter,
            track: d.track,
            count: d.count,
            seconds: d.seconds,
        }
    }
}

/// What one hit became, before suppressions are folded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Alert (Suricata: 1).
    Alert,
    /// No alert, but the rule's action applies (Suricata: 2, "silent match").
    Silent,
    /// No alert and no action (Suricata: 0).
    NoMatch,
    /// Alert, with the rate filter's action in place of the rule's.
    Rate(Action),
}

/// The counter kept for one tracked key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Last instant (inclusive) of the current window: first hit + `seconds`.
    window_end: Timestamp,
    /// Hits counted in the current window.
    count: u32,
    /// While a rate filter is active: the last whole second (inclusive) it stays active.
    rate_until_secs: Option<u64>,
}

impl Entry {
    /// A fresh entry whose window opens at `ts` with one hit counted.
    fn open(filter: &Filter, ts: Timestamp) -> Self {
        Entry {
            window_end: window_end(ts, filter.seconds),
            count: 1,
            rate_until_secs: None,
        }
    }

    /// Starts a new window at `ts` with one hit counted.
    fn reopen(&mut self, filter: &Filter, ts: Timestamp) {
        self.window_end = window_end(ts, filter.seconds);
        self.count = 1;
    }
}

impl Expiring for Entry {
    /// Stale once its window is over and no rate filter is active: it no longer affects any
    /// hit at or after `now`, so it may be evicted under memory pressure.
    fn is_stale(&self, now: Timestamp) -> bool {
        now > self.window_end
            && self
                .rate_until_secs
                .map_or(true, |until| now.secs() > until)
    }
}

/// The last instant of a window opened at `ts`. Suricata compares `ts <= first + seconds` with
/// full timestamp precision, so the window is closed on both ends.
fn window_end(ts: Timestamp, seconds: u32) -> Timestamp {
    Timestamp(ts.0.saturating_add(u64::from(seconds) * 1_000_000))
}

/// Applies one hit at `ts` to the key's entry (`None` when the key is not tracked yet).
///
/// Returns the step and, when the key is untracked and must become tracked, the entry to
/// insert. The transitions are Suricata 7's, case by case:
/// - `limit`: the hit that opens a window alerts; within it, hits up to `count` alert and later
///   ones are silent matches.
/// - `threshold`: with `count` 1 every hit alerts and nothing is tracked; otherwise the hit that
///   opens a window counts 1, each hit in the window counts, and reaching `count` alerts and
///   restarts the count at 0 (the window keeps its start).
/// - `both`: the `count`-th hit of a window alerts, later hits are silent matches.
/// - `detection_filter`: hits after the `count`-th within a window alert; the hit that opens a
///   window never does.
/// - `rate_filter`: every hit alerts; once more than `count` hits were seen in the window the
///   new action applies, and keeps applying until `timeout` whole seconds have passed since the
///   triggering hit. The hit that ends the timeout is neither counted nor rate-filtered.
pub(crate) fn step(
    filter: &Filter,
    entry: Option<&mut Entry>,
    ts: Timestamp,
) -> (Step, Option<Entry>) {
    let count = filter.count;
    let Some(e) = entry else {
        let first = match filter.kind {
            FilterKind::Limit | FilterKind::Rate { .. } => Step::Alert,
            FilterKind::Threshold if count == 1 => return (Step::Alert, None),
            FilterKind::Threshold | FilterKind::DetectionFilter => Step::NoMatch,
            FilterKind::Both if count == 1 => Step::Alert,
            FilterKind::Both => Step::NoMatch,
        };
        return (first, Some(Entry::open(filter, ts)));
    };
    let step = match filter.kind {
        FilterKind::Rate {
            new_action,
            timeout,
        } => rate_step(filter, e, ts, new_action, timeout),
        _ if ts > e.window_end => {
            e.reopen(filter, ts);
            match filter.kind {
                FilterKind::Limit => Step::Alert,
                FilterKind::Both if count == 1 => Step::Alert,
                _ => Step::NoMatch,
            }
        }
        kind => {
            e.count = e.count.saturating_add(1);
            match kind {
                FilterKind::Limit if e.count <= count => Step::Alert,
                FilterKind::Limit => Step::Silent,
                FilterKind::Threshold if e.count >= count => {
                    e.count = 0;
                    Step::Alert
                }
                FilterKind::Both if e.count == count => Step::Alert,
                FilterKind::Both if e.count > count => Step::Silent,
                FilterKind::DetectionFilter if e.count > count => Step::Alert,
                _ => Step::NoMatch,
            }
        }
    };
    (step, None)
}

/// The tracked-key branch of `rate_filter` (Suricata's `IsThresholdReached`).
fn rate_step(
    filter: &Filter,
    e: &mut Entry,
    ts: Timestamp,
    new_action: Action,
    timeout: u32,
) -> Step {
    if let Some(until) = e.rate_until_secs {
        if ts.secs() > until {
            e.rate_until_secs = None;
            return Step::Alert;
        }
        return Step::Rate(new_action);
    }
    if ts > e.window_end {
        e.reopen(filter, ts);
        return Step::Alert;
    }
    e.count = e.count.saturating_add(1);
    if e.count > filter.count {
        e.rate_until_secs = Some(ts.secs().saturating_add(u64::from(timeout)));
        return Step::Rate(new_action);
    }
    Step::Alert
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(kind: FilterKind, count: u32, seconds: u32) -> Filter {
        Filter {
            kind,
            track: TrackBy::Src,
            count,
            seconds,
        }
    }

    /// Feeds hits at the given (seconds, micros) times through one entry and renders the steps
    /// as a string: A alert, s silent, . no match, R rate-filtered.
    fn run(filter: Filter, times: &[(u64, u32)]) -> String {
        let mut entry: Option<Entry> = None;
        let mut out = String::new();
        for &(s, us) in times {
            let ts = Timestamp::from_secs_micros(s, us);
            let (step, new) = step(&filter, entry.as_mut(), ts);
            if let Some(n) = new {
                entry = Some(n);
            }
            out.push(match step {
                Step::Alert => 'A',
                Step::Silent => 's',
                Step::NoMatch => '.',
                Step::Rate(_) => 'R',
            });
        }
        out
    }

    fn secs(list: &[u64]) -> Vec<(u64, u32)> {
        list.iter().map(|&s| (s, 0)).collect()
    }

    #[test]
    fn limit_alerts_first_n_per_window() {
        let l = f(FilterKind::Limit, 2, 10);
        assert_eq!(run(l, &secs(&[100, 101, 102, 105, 110])), "AAsss");
        // 110 is the window's last instant; 110.000001 opens a new window.
        assert_eq!(
            run(
                l,
                &[(100, 0), (101, 0), (102, 0), (110, 1), (111, 0), (112, 0)]
            ),
            "AAsAAs"
        );
    }

    #[test]
    fn threshold_alerts_every_nth_in_window() {
        let t = f(FilterKind::Threshold, 3, 60);
        assert_eq!(run(t, &secs(&[1, 2, 3, 4, 5, 6, 7])), "..A..A.");
        // The window keeps its start after an alert: hits 3 and 4 fall in [1, 61], the hit at 62
        // reopens with count 1, so the alert comes two hits later.
        assert_eq!(run(t, &secs(&[1, 2, 3, 61, 62, 63, 64])), "..A...A");
    }

    #[test]
    fn threshold_count_one_alerts_every_hit_untracked() {
        let t = f(FilterKind::Threshold, 1, 60);
        let (s, new) = step(&t, None, Timestamp(5));
        assert_eq!((s, new), (Step::Alert, None));
        assert_eq!(run(t, &secs(&[1, 2, 100])), "AAA");
    }

    #[test]
    fn both_alerts_once_per_window_at_count() {
        let b = f(FilterKind::Both, 3, 10);
        assert_eq!(run(b, &secs(&[0, 1, 2, 3, 4, 11, 12, 13])), "..Ass..A");
        let b1 = f(FilterKind::Both, 1, 10);
        assert_eq!(run(b1, &secs(&[0, 1, 10, 11, 12])), "AssAs");
    }

    #[test]
    fn detection_filter_alerts_after_count_exceeded() {
        let d = f(FilterKind::DetectionFilter, 2, 10);
        assert_eq!(run(d, &secs(&[0, 1, 2, 3, 9])), "..AAA");
        // Expiry restarts the count at 1 without alerting.
        assert_eq!(run(d, &secs(&[0, 1, 2, 20, 21, 22])), "..A..A");
        let d1 = f(FilterKind::DetectionFilter, 1, 10);
        assert_eq!(run(d1, &secs(&[0, 1, 2])), ".AA");
    }

    #[test]
    fn rate_filter_switches_action_until_timeout() {
        let r = f(
            FilterKind::Rate {
                new_action: Action::Drop,
                timeout: 5,
            },
            2,
            10,
        );
        // Hits 1 and 2 alert normally; the 3rd exceeds the count at t=2 → active through t=7;
        // t=8 ends it (neither counted nor filtered); t=9 is still inside the old window [0, 10]
        // so it counts 4 > 2 and re-triggers.
        assert_eq!(run(r, &secs(&[0, 1, 2, 3, 7, 8, 9])), "AARRRAR");
        // After the timeout, a hit past the window reopens it.
        assert_eq!(run(r, &secs(&[0, 1, 2, 8, 20, 21, 22])), "AARAAAR");
        let mut e = None;
        let (_, new) = step(&r, e.as_mut(), Timestamp::from_secs_micros(0, 0));
        e = new;
        let (s, _) = step(&r, e.as_mut(), Timestamp::from_secs_micros(1, 0));
        assert_eq!(s, Step::Alert);
        let (s, _) = step(&r, e.as_mut(), Timestamp::from_secs_micros(2, 0));
        assert_eq!(s, Step::Rate(Action::Drop));
    }

    #[test]
    fn staleness_covers_window_and_rate_timeout() {
        let r = f(
            FilterKind::Rate {
                new_action: Action::Pass,
                timeout: 100,
            },
            0,
            10,
        );
        let mut e = Entry::open(&r, Timestamp::from_secs_micros(0, 0));
        assert!(!e.is_stale(Timestamp::from_secs_micros(10, 0)));
        assert!(e.is_stale(Timestamp::from_secs_micros(10, 1)));
        assert_eq!(
            rate_step(
                &r,
                &mut e,
                Timestamp::from_secs_micros(1, 0),
                Action::Pass,
                100
            ),
            Step::Rate(Action::Pass)
        );
        assert!(!e.is_stale(Timestamp::from_secs_micros(101, 999_999)));
        assert!(e.is_stale(Timestamp::from_secs_micros(102, 0)));
    }

    #[test]
    fn keywords_convert_to_filters() {
        let t = Threshold {
            kind: ThresholdKind::Both,
            track: TrackBy::Dst,
            count: 4,
            seconds: 9,
        };
        assert_eq!(
            Filter::from(&t),
            Filter {
                kind: FilterKind::Both,
                track: TrackBy::Dst,
                count: 4,
                seconds: 9
            }
        );
        let d = DetectionFilter {
            track: TrackBy::Rule,
            count: 1,
            seconds: 2,
        };
        assert_eq!(Filter::from(&d).kind, FilterKind::DetectionFilter);
        assert_eq!(Filter::from(&d).track, TrackBy::Rule);
    }
}
