//! `threshold.config`: Suricata's sensor-side thresholding file, parsed and indexed so that a
//! rule hit finds everything that applies to its `(gid, sid)` with three hash lookups.
//!
//! Lines (Suricata 7 syntax; `\` at the end of a line continues it, `#` starts a comment line):
//! ```text
//! threshold    gen_id G, sig_id S, type limit|threshold|both, track by_src|by_dst|by_rule|by_both, count N, seconds T
//! event_filter (same as threshold)
//! rate_filter  gen_id G, sig_id S, track by_src|by_dst|by_rule|by_both, count N, seconds T, new_action alert|drop|pass|reject, timeout T
//! suppress     gen_id G, sig_id S[, track by_src|by_dst|by_either, ip <addr|cidr|[list]|$VAR>]
//! ```
//! `sig_id 0` applies a line to every rule of `gen_id G`, `gen_id 0, sig_id 0` to every rule;
//! `gen_id 0` with a non-zero `sig_id` is an error, as in Suricata.
//!
//! Deliberate differences: the `key value` parts after `sig_id` may come in any order (Suricata
//! wants the order shown); `new_action log|sdrop` and `track by_flow` are reported as errors
//! rather than accepted (Suricata 7 parses the former and ignores them, and knows no `by_flow`).
//!
//! Which filter a rule ends up with follows Suricata's `util-threshold-config.c`, where a rule
//! carries at most one threshold-like filter:
//! 1. a `threshold`/`event_filter` naming the rule's exact `gen_id`/`sig_id` replaces the rule's
//!    own `threshold`/`detection_filter` (the last such line wins);
//! 2. otherwise the rule's own keyword stays, and global lines and `rate_filter`s are ignored
//!    for it;
//! 3. otherwise the first line in file order among the rule's exact `rate_filter`s and the
//!    `sig_id 0` lines of its gid or of gid 0 applies.
//!
//! Suppressions always combine: a `suppress` with an address suppresses the hits whose
//! source/destination/either address is in it; a `suppress` without one makes the rule
//! "noalert" (its actions and thresholds still run, its alerts are never logged).

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::path::Path;

use super::filter::{Filter, FilterKind};
use crate::detect::AddrSet;
use crate::rules::ast::{Action, AddrExpr, TrackBy};
use crate::rules::{parse_addr, Vars};

/// A parsed `threshold.config`: its entries, and an index by rule for the detection path.
#[derive(Debug, Clone, Default)]
pub struct ThresholdConfig {
    entries: Vec<ConfigEntry>,
    index: Index,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    /// `gen_id` (0: any).
    pub gid: u32,
    /// `sig_id` (0: any rule of `gid`).
    pub sid: u32,
    /// 1-based line where the entry starts.
    pub line: usize,
    /// What the line does.
    pub rule: ConfigRule,
}

/// The kinds of `threshold.config` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigRule {
    /// `threshold`, `event_filter` (kinds limit/threshold/both) or `rate_filter` (kind rate).
    Filter(Filter),
    /// `suppress`, for the listed addresses or (`None`) for every hit of the rule.
    Suppress(Option<SuppressScope>),
}

/// The address part of a `suppress` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressScope {
    /// Which address of the packet is compared.
    pub track: SuppressTrack,
    /// The suppressed addresses, as written.
    pub addrs: AddrExpr,
    /// The same, compiled for lookups.
    set: AddrSet,
}

/// Which packet address a suppression compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressTrack {
    /// `by_src`.
    Src,
    /// `by_dst`.
    Dst,
    /// `by_either`: source or destination.
    Either,
}

impl SuppressScope {
    /// Whether a hit from `src` to `dst` is suppressed.
    fn covers(&self, src: IpAddr, dst: IpAddr) -> bool {
        match self.track {
            SuppressTrack::Src => self.set.contains(src),
            SuppressTrack::Dst => self.set.contains(dst),
            SuppressTrack::Either => self.set.contains(src) || self.set.contains(dst),
        }
    }
}

/// What applies at one scope: one exact rule, every rule of a gid, or every rule.
#[derive(Debug, Clone, Default)]
struct Scope {
    /// Exact scope only: the last `threshold`/`event_filter` line, which overrides the rule.
    override_filter: Option<Filter>,
    /// The first line (by entry index) that applies when neither an override nor the rule's
    /// own keyword does: exact `rate_filter`s, or any filter line of a `sig_id 0` scope.
    fallback: Option<(usize, Filter)>,
    /// A `suppress` without addresses.
    suppress_all: bool,
    /// `suppress` lines with addresses.
    suppress: Vec<SuppressScope>,
}

#[derive(Debug, Clone, Default)]
struct Index {
    global: Option<Scope>,
    by_gid: HashMap<u32, Scope>,
    by_sig: HashMap<(u32, u32), Scope>,
}

/// Everything in the file that applies to one rule.
pub(crate) struct Applicable<'a> {
    scopes: [Option<&'a Scope>; 3],
}

impl Applicable<'_> {
    /// The exact scope, if any.
    fn exact(&self) -> Option<&Scope> {
        self.scopes[0]
    }

    /// Whether an address suppression covers a hit from `src` to `dst`.
    pub(crate) fn suppressed(&self, src: IpAddr, dst: IpAddr) -> bool {
        self.scopes
            .iter()
            .flatten()
            .any(|s| s.suppress.iter().any(|sup| sup.covers(src, dst)))
    }

    /// Whether the rule must never alert.
    pub(crate) fn noalert(&self) -> bool {
        self.scopes.iter().flatten().any(|s| s.suppress_all)
    }

    /// The filter the rule ends up with, given its own `threshold`/`detection_filter`.
    pub(crate) fn filter(&self, own: Option<Filter>) -> Option<Filter> {
        if let Some(f) = self.exact().and_then(|s| s.override_filter) {
            return Some(f);
        }
        if own.is_some() {
            return own;
        }
        self.scopes
            .iter()
            .flatten()
            .filter_map(|s| s.fallback)
            .min_by_key(|&(order, _)| order)
            .map(|(_, f)| f)
    }
}

impl ThresholdConfig {
    /// Parses the text of a `threshold.config`. Bad lines are reported as `"file:line: reason"`
    /// and skipped; the rest still loads. `$VAR` addresses are errors here; see
    /// [`ThresholdConfig::parse_with_vars`].
    pub fn parse(text: &str, file: &str) -> (ThresholdConfig, Vec<String>) {
        Self::parse_with_vars(text, file, &Vars::empty())
    }

    /// Parses like [`ThresholdConfig::parse`], resolving `$NAME` in `suppress ... ip` from
    /// `vars` (the same address groups the rules use).
    pub fn parse_with_vars(text: &str, file: &str, vars: &Vars) -> (ThresholdConfig, Vec<String>) {
        let mut cfg = ThresholdConfig::default();
        let mut errors = Vec::new();
        for (line, body) in logical_lines(text) {
            match parse_entry(&body, vars) {
                Ok((gid, sid, rule)) => cfg.push(ConfigEntry {
                    gid,
                    sid,
                    line,
                    rule,
                }),
                Err(reason) => errors.push(format!("{file}:{line}: {reason}")),
            }
        }
        (cfg, errors)
    }

    /// Reads and parses a `threshold.config` file.
    pub fn load(path: impl AsRef<Path>, vars: &Vars) -> io::Result<(ThresholdConfig, Vec<String>)> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)?;
        Ok(Self::parse_with_vars(
            &text,
            &path.display().to_string(),
            vars,
        ))
    }

    /// The entries that loaded, in file order.
    pub fn entries(&self) -> &[ConfigEntry] {
        &self.entries
    }

    /// Whether any line could apply to rule `(gid, sid)`: lets the engine skip thresholding for
    /// rules that have neither a keyword nor a config line.
    pub fn applies_to(&self, gid: u32, sid: u32) -> bool {
        self.index.global.is_some()
            || self.index.by_gid.contains_key(&gid)
            || self.index.by_sig.contains_key(&(gid, sid))
    }

    /// Everything that applies to rule `(gid, sid)`.
    pub(crate) fn lookup(&self, gid: u32, sid: u32) -> Applicable<'_> {
        Applicable {
            scopes: [
                self.index.by_sig.get(&(gid, sid)),
                self.index.by_gid.get(&gid),
                self.index.global.as_ref(),
            ],
        }
    }

    fn push(&mut self, entry: ConfigEntry) {
        let order = self.entries.len();
        let exact = entry.sid != 0;
        let scope = match (entry.gid, entry.sid) {
            (0, _) => self.index.global.get_or_insert_with(Scope::default),
            (gid, 0) => self.index.by_gid.entry(gid).or_default(),
            (gid, sid) => self.index.by_sig.entry((gid, sid)).or_default(),
        };
        match &entry.rule {
            ConfigRule::Filter(f) => {
                let is_rate = matches!(f.kind, FilterKind::Rate { .. });
                if exact && !is_rate {
                    scope.override_filter = Some(*f);
                } else if scope.fallback.is_none() {
                    scope.fallback = Some((order, *f));
                }
            }
            ConfigRule::Suppress(None) => scope.suppress_all = true,
            ConfigRule::Suppress(Some(s)) => scope.suppress.push(s.clone()),
        }
        self.entries.push(entry);
    }
}

/// Joins `\`-continued lines and drops blank and comment lines: (first line number, text).
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim_end();
        let (start, mut body) = pending.take().unwrap_or((i + 1, String::new()));
        match raw.strip_suffix('\\') {
            Some(part) => {
                body.push_str(part);
                body.push(' ');
                pending = Some((start, body));
            }
            None => {
                body.push_str(raw);
                out.push((start, body));
            }
        }
    }
    out.extend(pending);
    out.retain(|(_, body)| {
        let t = body.trim_start();
        !t.is_empty() && !t.starts_with('#')
    });
    out
}

/// The `key value` parts of a line, in order, duplicates rejected.
struct Parts<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Parts<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    fn need(&self, key: &str) -> Result<&'a str, String> {
        self.get(key).ok_or_else(|| format!("missing `{key}`"))
    }

    fn number(&self, key: &str) -> Result<u32, String> {
        let v = self.need(key)?;
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{key}` must be a number, got `{v}`"));
        }
        v.parse()
            .map_err(|_| format!("`{key}` {v} is out of range"))
    }

    fn only(&self, kind: &str, allowed: &[&str]) -> Result<(), String> {
        match self.pairs.iter().find(|(k, _)| !allowed.contains(k)) {
            Some((k, _)) => Err(format!("unexpected `{k}` in {kind}")),
            None => Ok(()),
        }
    }
}

/// Parses one logical line into (gid, sid, rule).
fn parse_entry(body: &str, vars: &Vars) -> Result<(u32, u32, ConfigRule), String> {
    let body = body.trim();
    let (kind, rest) = body
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("expected `<kind> gen_id G, sig_id S, ...`, got `{body}`"))?;
    let mut pairs = Vec::new();
    for part in split_commas(rest) {
        let part = part.trim();
        let (k, v) = part
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("expected `key value`, got `{part}`"))?;
        if pairs.iter().any(|(seen, _)| *seen == k) {
            return Err(format!("duplicate `{k}`"));
        }
        pairs.push((k, v.trim()));
    }
    let parts = Parts { pairs };
    let gid = parts.number("gen_id")?;
    let sid = parts.number("sig_id")?;
    if gid == 0 && sid != 0 {
        return Err(format!("`sig_id {sid}` needs a non-zero `gen_id`"));
    }
    let rule = match kind {
        "threshold" | "event_filter" => {
            parts.only(
                kind,
                &["gen_id", "sig_id", "type", "track", "count", "seconds"],
            )?;
            let kind = match parts.need("type")? {
                "limit" => FilterKind::Limit,
                "threshold" => FilterKind::Threshold,
                "both" => FilterKind::Both,
                other => return Err(format!("unknown threshold type `{other}`")),
            };
            ConfigRule::Filter(filter(&parts, kind)?)
        }
        "rate_filter" => {
            let allowed = [
                "gen_id",
                "sig_id",
                "track",
                "count",
                "seconds",
                "new_action",
                "timeout",
            ];
            parts.only(kind, &allowed)?;
            let new_action = match parts.need("new_action")? {
                "alert" => Action::Alert,
                "drop" => Action::Drop,
                "pass" => Action::Pass,
                "reject" => Action::Reject,
                other @ ("log" | "sdrop") => {
                    return Err(format!(
                        "new_action `{other}` has no effect in Suricata; line ignored"
                    ))
                }
                other => return Err(format!("unknown new_action `{other}`")),
            };
            let timeout = parts.number("timeout")?;
            ConfigRule::Filter(filter(
                &parts,
                FilterKind::Rate {
                    new_action,
                    timeout,
                },
            )?)
        }
        "suppress" => {
            parts.only(kind, &["gen_id", "sig_id", "track", "ip"])?;
            ConfigRule::Suppress(suppress_scope(&parts, vars)?)
        }
        other => return Err(format!("unknown entry type `{other}`")),
    };
    Ok((gid, sid, rule))
}

/// The track, count and seconds of a threshold or rate filter line.
fn filter(parts: &Parts<'_>, kind: FilterKind) -> Result<Filter, String> {
    let track = match parts.need("track")? {
        "by_src" => TrackBy::Src,
        "by_dst" => TrackBy::Dst,
        "by_rule" => TrackBy::Rule,
        "by_both" => TrackBy::Both,
        other => return Err(format!("unsupported track `{other}`")),
    };
    Ok(Filter {
        kind,
        track,
        count: parts.number("count")?,
        seconds: parts.number("seconds")?,
    })
}

/// The optional `track ..., ip ...` of a suppress line.
fn suppress_scope(parts: &Parts<'_>, vars: &Vars) -> Result<Option<SuppressScope>, String> {
    let (track, ip) = match (parts.get("track"), parts.get("ip")) {
        (None, None) => return Ok(None),
        (Some(t), Some(ip)) => (t, ip),
        (Some(_), None) => return Err("suppress with `track` needs `ip`".to_string()),
        (None, Some(_)) => return Err("suppress with `ip` needs `track`".to_string()),
    };
    let track = match track {
        "by_src" => SuppressTrack::Src,
        "by_dst" => SuppressTrack::Dst,
        "by_either" => SuppressTrack::Either,
        other => return Err(format!("unsupported suppress track `{other}`")),
    };
    let addrs = parse_addr(ip, vars).map_err(|e| format!("suppress ip `{ip}`: {e}"))?;
    Ok(Some(SuppressScope {
        track,
        set: AddrSet::compile(&addrs),
        addrs,
    }))
}

/// Splits at commas outside `[...]` (address lists contain commas).
fn split_commas(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(track: TrackBy, count: u32, seconds: u32) -> Filter {
        Filter {
            kind: FilterKind::Limit,
            track,
            count,
            seconds,
        }
    }

    #[test]
    fn parses_every_entry_kind() {
        let text = "\
# comment
threshold gen_id 1, sig_id 100, type limit, track by_src, count 2, seconds 60

event_filter gen_id 1, sig_id 101, type both, track by_both, count 3, seconds 5
rate_filter gen_id 1, sig_id 102, track by_rule, count 10, seconds 1, \\
    new_action drop, timeout 30
suppress gen_id 1, sig_id 103
suppress gen_id 1, sig_id 104, track by_either, ip [10.0.0.0/8, 192.168.1.1]
";
        let (cfg, errors) = ThresholdConfig::parse(text, "t.config");
        assert_eq!(errors, Vec::<String>::new());
        let e = cfg.entries();
        assert_eq!(e.len(), 5);
        assert_eq!((e[0].gid, e[0].sid, e[0].line), (1, 100, 2));
        assert_eq!(e[0].rule, ConfigRule::Filter(limit(TrackBy::Src, 2, 60)));
        assert_eq!(
            e[1].rule,
            ConfigRule::Filter(Filter {
                kind: FilterKind::Both,
                track: TrackBy::Both,
                count: 3,
                seconds: 5
            })
        );
        assert_eq!(e[2].line, 5);
        assert_eq!(
            e[2].rule,
            ConfigRule::Filter(Filter {
                kind: FilterKind::Rate {
                    new_action: Action::Drop,
                    timeout: 30
                },
                track: TrackBy::Rule,
                count: 10,
                seconds: 1
            })
        );
        assert_eq!((e[3].line, &e[3].rule), (7, &ConfigRule::Suppress(None)));
        let ConfigRule::Suppress(Some(scope)) = &e[4].rule else {
            panic!("expected an address suppression, got {:?}", e[4].rule);
        };
        assert_eq!(scope.track, SuppressTrack::Either);
        assert!(scope.covers("1.1.1.1".parse().unwrap(), "10.9.9.9".parse().unwrap()));
        assert!(!scope.covers("1.1.1.1".parse().unwrap(), "192.168.1.2".parse().unwrap()));
    }

    #[test]
    fn bad_lines_are_reported_with_line_numbers_and_skipped() {
        let text = "\
threshold gen_id 1, sig_id 1, type limit, track by_src, count 1, seconds 1
threshold gen_id 1, sig_id 2, type often, track by_src, count 1, seconds 1
threshold gen_id 1, sig_id 3, type limit, track by_flow, count 1, seconds 1
threshold gen_id 0, sig_id 4, type limit, track by_src, count 1, seconds 1
rate_filter gen_id 1, sig_id 5, track by_src, count 1, seconds 1, new_action sdrop, timeout 1
suppress gen_id 1, sig_id 6, track by_src, ip $HOME_NET
suppress gen_id 1, sig_id 7, track by_src
threshold gen_id 1, sig_id 8, type limit, track by_src, count -1, seconds 1
threshold gen_id 1, sig_id 9, type limit, track by_src, count 99999999999, seconds 1
threshold gen_id 1, sig_id 10, type limit, track by_src, count 1
threshold gen_id 1, sig_id 11, type limit, track by_src, count 1, count 2, seconds 1
threshold gen_id 1, sig_id 12, type limit, track by_src, count 1, seconds 1, ip 1.2.3.4
frobnicate gen_id 1, sig_id 13
suppress
suppress gen_id 1, sig_id 14, track by_dst, ip 1.2.3.4/40
rate_filter gen_id 1, sig_id 15, track by_src, count 1, seconds 1, new_action drop, timeout 1
";
        let (cfg, errors) = ThresholdConfig::parse(text, "th.conf");
        assert_eq!(
            errors,
            vec![
                "th.conf:2: unknown threshold type `often`",
                "th.conf:3: unsupported track `by_flow`",
                "th.conf:4: `sig_id 4` needs a non-zero `gen_id`",
                "th.conf:5: new_action `sdrop` has no effect in Suricata; line ignored",
                "th.conf:6: suppress ip `$HOME_NET`: malformed: undefined variable $HOME_NET",
                "th.conf:7: suppress with `track` needs `ip`",
                "th.conf:8: `count` must be a number, got `-1`",
                "th.conf:9: `count` 99999999999 is out of range",
                "th.conf:10: missing `seconds`",
                "th.conf:11: duplicate `count`",
                "th.conf:12: unexpected `ip` in threshold",
                "th.conf:13: unknown entry type `frobnicate`",
                "th.conf:14: expected `<kind> gen_id G, sig_id S, ...`, got `suppress`",
                "th.conf:15: suppress ip `1.2.3.4/40`: malformed: invalid prefix length in '1.2.3.4/40'",
            ]
        );
        let sids: Vec<u32> = cfg.entries().iter().map(|e| e.sid).collect();
        assert_eq!(sids, vec![1, 15]);
    }

    #[test]
    fn variables_are_resolved_when_given() {
        let mut vars = Vars::empty();
        vars.set_address("HOME_NET", "[10.0.0.0/8]");
        let (cfg, errors) = ThresholdConfig::parse_with_vars(
            "suppress gen_id 1, sig_id 6, track by_src, ip $HOME_NET",
            "x",
            &vars,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let a = cfg.lookup(1, 6);
        assert!(a.suppressed("10.1.1.1".parse().unwrap(), "8.8.8.8".parse().unwrap()));
        assert!(!a.suppressed("11.1.1.1".parse().unwrap(), "10.8.8.8".parse().unwrap()));
    }

    #[test]
    fn exact_threshold_overrides_rule_keyword_last_line_wins() {
        let text = "\
threshold gen_id 1, sig_id 7, type limit, track by_src, count 1, seconds 10
threshold gen_id 1, sig_id 7, type limit, track by_dst, count 2, seconds 20
";
        let (cfg, _) = ThresholdConfig::parse(text, "x");
        let own = Some(limit(TrackBy::Rule, 9, 9));
        assert_eq!(
            cfg.lookup(1, 7).filter(own),
            Some(limit(TrackBy::Dst, 2, 20))
        );
        assert_eq!(cfg.lookup(1, 8).filter(own), own);
        assert_eq!(cfg.lookup(2, 7).filter(None), None);
    }

    #[test]
    fn rule_keyword_beats_global_lines_and_rate_filters() {
        let text = "\
threshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 10
rate_filter gen_id 1, sig_id 7, track by_rule, count 5, seconds 1, new_action drop, timeout 9
";
        let (cfg, _) = ThresholdConfig::parse(text, "x");
        let own = Some(limit(TrackBy::Both, 4, 4));
        assert_eq!(cfg.lookup(1, 7).filter(own), own);
        // Without a keyword the first applicable line in file order wins: the global one.
        assert_eq!(
            cfg.lookup(1, 7).filter(None),
            Some(limit(TrackBy::Src, 1, 10))
        );
        assert!(cfg.applies_to(5, 5));
    }

    #[test]
    fn first_fallback_in_file_order_wins() {
        let text = "\
rate_filter gen_id 1, sig_id 7, track by_rule, count 5, seconds 1, new_action drop, timeout 9
threshold gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 10
threshold gen_id 0, sig_id 0, type both, track by_src, count 1, seconds 10
";
        let (cfg, _) = ThresholdConfig::parse(text, "x");
        let rate = cfg.lookup(1, 7).filter(None).unwrap();
        assert_eq!(rate.track, TrackBy::Rule);
        assert_eq!(
            cfg.lookup(1, 8).filter(None),
            Some(limit(TrackBy::Src, 1, 10))
        );
        assert_eq!(
            cfg.lookup(3, 8).filter(None).map(|f| f.kind),
            Some(FilterKind::Both)
        );
    }

    #[test]
    fn applies_to_reflects_scopes() {
        let (cfg, _) = ThresholdConfig::parse(
            "suppress gen_id 1, sig_id 5\nsuppress gen_id 3, sig_id 0",
            "x",
        );
        assert!(cfg.applies_to(1, 5));
        assert!(!cfg.applies_to(1, 6));
        assert!(cfg.applies_to(3, 77));
        assert!(cfg.lookup(3, 77).noalert());
        assert!(!cfg.lookup(1, 6).noalert());
        let (empty, _) = ThresholdConfig::parse("", "x");
        assert!(!empty.applies_to(1, 1));
    }

    #[test]
    fn load_reads_a_file() {
        let dir = std::env::temp_dir().join(format!("portcullis-threshold-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("threshold.config");
        std::fs::write(&path, "suppress gen_id 1, sig_id 1\nbogus\n").unwrap();
        let (cfg, errors) = ThresholdConfig::load(&path, &Vars::empty()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(cfg.entries().len(), 1);
        assert_eq!(
            errors,
            vec![format!(
                "{}:2: expected `<kind> gen_id G, sig_id S, ...`, got `bogus`",
                path.display()
            )]
        );
        assert!(ThresholdConfig::load(dir.join("missing"), &Vars::empty()).is_err());
    }
}
