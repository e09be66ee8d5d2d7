//! Evaluating `filter` checks against EVE records, with `run.py`'s `FilterCheck.match`
//! semantics, and deciding which checks the conformance score covers.

use serde_json::Value;

use super::capabilities::Capabilities;
use super::gates::unmet_requirement;
use super::spec::{Check, FilterCheck};
use super::value::{find_value, python_eq, Found};

/// The event types whose filter checks are scored: detection verdicts only.
pub const SCORED_EVENT_TYPES: [&str; 2] = ["alert", "drop"];

/// True when `event` satisfies every entry of a check's `match:`.
///
/// Keys: `has-key: path` / `not-has-key: path` test presence (JSON `null` counts as absent);
/// a key ending in `__find`/`__contains`/`__startswith`/`__endswith` applies that string (or list)
/// operation to the value before the suffix; any other key is a dotted path whose value must be
/// Python-equal to the expected one (a nested map must equal the whole object, as in `run.py`).
pub fn event_matches(matches: &[(String, Value)], event: &Value) -> bool {
    matches
        .iter()
        .all(|(key, expected)| entry_matches(key, expected, event))
}

fn entry_matches(key: &str, expected: &Value, event: &Value) -> bool {
    match key {
        "has-key" => expected
            .as_str()
            .is_some_and(|path| !find_value(path, event).is_none()),
        "not-has-key" => expected
            .as_str()
            .is_some_and(|path| find_value(path, event).is_none()),
        _ => {
            let found = find_value(key, event);
            if key.ends_with("__find") || key.ends_with("__contains") {
                contains(&found, expected)
            } else if key.ends_with("__startswith") {
                string_op(&found, expected, |s, e| s.starts_with(e))
            } else if key.ends_with("__endswith") {
                string_op(&found, expected, |s, e| s.ends_with(e))
            } else {
                python_eq(&found.to_value(), expected)
            }
        }
    }
}

/// Python's `expected in val` (and `val.find(expected) >= 0` for strings).
fn contains(found: &Found<'_>, expected: &Value) -> bool {
    match (found, expected) {
        (Found::Value(Value::String(s)), Value::String(e)) => s.contains(e.as_str()),
        (Found::Value(Value::Array(items)), e) => items.iter().any(|item| python_eq(item, e)),
        (Found::Value(Value::Object(map)), Value::String(e)) => map.contains_key(e),
        _ => false,
    }
}

fn string_op(found: &Found<'_>, expected: &Value, op: impl Fn(&str, &str) -> bool) -> bool {
    match (found, expected) {
        (Found::Value(Value::String(s)), Value::String(e)) => op(s, e),
        _ => false,
    }
}

/// How many records satisfy the check's `match:`.
pub fn count_matches(check: &FilterCheck, events: &[Value]) -> u64 {
    let hits = events
        .iter()
        .filter(|event| event_matches(&check.matches, event))
        .count();
    u64::try_from(hits).unwrap_or(u64::MAX)
}

/// Whether one check counts toward the conformance score.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope<'a> {
    /// An `alert`/`drop` filter check over `eve.json` whose gates hold: scored.
    Scored(&'a FilterCheck),
    /// Its own `requires`/version gate excludes it, with the reason.
    Gated(String),
    /// Any other check (other event types, stats, shell, other log files): counted, ignored.
    NotApplicable,
}

/// Classifies one check.
pub fn scope<'a>(check: &'a Check, caps: &Capabilities) -> Scope<'a> {
    let Check::Filter(filter) = check else {
        return Scope::NotApplicable;
    };
    if let Some(reason) = unmet_requirement(&filter.requires, caps) {
        return Scope::Gated(reason);
    }
    let in_eve = filter.filename.as_deref().map_or(true, |f| f == "eve.json");
    let scored_type = filter
        .event_type()
        .is_some_and(|t| SCORED_EVENT_TYPES.contains(&t));
    if in_eve && scored_type {
        Scope::Scored(filter)
    } else {
        Scope::NotApplicable
    }
}

/// Parses an `eve.json` (one JSON object per line; blank lines ignored).
pub fn parse_eve(text: &str) -> Result<Vec<Value>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| format!("eve.json line {}: {e}", i + 1))
        })
        .collect()
}

/// One scored check that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// 1-based position of the check in the test's `checks:` list.
    pub check_number: usize,
    /// The check's match, described.
    pub filter: String,
    /// The `count` the test expects.
    pub expected: u64,
    /// The number of matching records found.
    pub got: u64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "check #{} {}: expected {}, got {}",
            self.check_number, self.filter, self.expected, self.got
        )
    }
}

/// Evaluates every scored check of a test against the records; returns the mismatches.
pub fn evaluate(checks: &[Check], caps: &Capabilities, events: &[Value]) -> Vec<Mismatch> {
    checks
        .iter()
        .enumerate()
        .filter_map(|(i, check)| match scope(check, caps) {
            Scope::Scored(filter) => {
                let got = count_matches(filter, events);
                (got != filter.count).then(|| Mismatch {
                    check_number: i + 1,
                    filter: filter.describe(),
                    expected: filter.count,
                    got,
                })
            }
            Scope::Gated(_) | Scope::NotApplicable => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::capabilities::PORTCULLIS;
    use crate::verify::spec::parse_test_yaml;
    use serde_json::json;

    fn m(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect()
    }

    fn alert() -> Value {
        json!({
            "event_type": "alert", "src_ip": "10.0.0.1", "pcap_cnt": 4,
            "alert": {"signature_id": 1, "gid": 1, "signature": "GPL ATTACK probe",
                      "metadata": {"tag": ["a", "b"]}},
            "verdict": {"reject": ["tcp-reset"]}
        })
    }

    #[test]
    fn dotted_and_nested_matches() {
        let e = alert();
        assert!(event_matches(
            &m(&[
                ("event_type", json!("alert")),
                ("alert.signature_id", json!(1))
            ]),
            &e
        ));
        assert!(!event_matches(
            &m(&[("alert.signature_id", json!("1"))]),
            &e
        ));
        assert!(!event_matches(&m(&[("alert.signature_id", json!(2))]), &e));
        // A nested map must equal the whole object, as Python's == does.
        assert!(!event_matches(
            &m(&[("alert", json!({"signature_id": 1}))]),
            &e
        ));
        assert!(event_matches(
            &m(&[("alert.metadata", json!({"tag": ["a", "b"]}))]),
            &e
        ));
        assert!(event_matches(
            &m(&[("verdict.reject", json!(["tcp-reset"]))]),
            &e
        ));
        // A missing key equals an explicit null.
        assert!(event_matches(&m(&[("alert.rev", Value::Null)]), &e));
    }

    #[test]
    fn operations_and_keys() {
        let e = alert();
        assert!(event_matches(
            &m(&[("alert.signature.__startswith", json!("GPL"))]),
            &e
        ));
        assert!(!event_matches(
            &m(&[("alert.signature.__startswith", json!("ET"))]),
            &e
        ));
        assert!(event_matches(
            &m(&[("alert.signature.__endswith", json!("probe"))]),
            &e
        ));
        assert!(event_matches(
            &m(&[("alert.signature.__find", json!("ATT"))]),
            &e
        ));
        assert!(event_matches(
            &m(&[("alert.metadata.tag.__contains", json!("b"))]),
            &e
        ));
        assert!(!event_matches(
            &m(&[("alert.gid.__contains", json!("1"))]),
            &e
        ));
        assert!(event_matches(
            &m(&[("alert.signature.__len", json!(16))]),
            &e
        ));
        assert!(event_matches(
            &m(&[("alert.metadata.tag.__len", json!(2))]),
            &e
        ));
        assert!(event_matches(
            &m(&[("has-key", json!("alert.metadata"))]),
            &e
        ));
        assert!(!event_matches(&m(&[("has-key", json!("alert.rev"))]), &e));
        assert!(event_matches(
            &m(&[("not-has-key", json!("alert.rev"))]),
            &e
        ));
        assert!(!event_matches(
            &m(&[("not-has-key", json!("pcap_cnt"))]),
            &e
        ));
    }

    #[test]
    fn scoring_scope() {
        let spec = parse_test_yaml(
            r#"
checks:
  - filter: {count: 1, match: {event_type: alert}}
  - filter: {count: 1, match: {event_type: drop}}
  - filter: {count: 1, match: {event_type: flow}}
  - filter: {count: 1, match: {alert.signature_id: 1}}
  - filter: {count: 1, requires: {min-version: 8}, match: {event_type: alert}}
  - filter: {count: 1, lt-version: 8, match: {event_type: alert}}
  - filter: {count: 1, filename: suricata.json, match: {event_type: alert}}
  - stats: {decoder.pkts: 1}
"#,
        )
        .expect("parses");
        let scopes: Vec<String> = spec
            .checks
            .iter()
            .map(|c| match scope(c, &PORTCULLIS) {
                Scope::Scored(_) => "scored".to_string(),
                Scope::Gated(reason) => format!("gated: {reason}"),
                Scope::NotApplicable => "n/a".to_string(),
            })
            .collect();
        assert_eq!(
            scopes,
            vec![
                "scored",
                "scored",
                "n/a",
                "n/a",
                "gated: requires at least version 8",
                "scored",
                "n/a",
                "n/a"
            ]
        );
    }

    /// The plumbing end to end on a hand-written eve.json: parse, count, report mismatches.
    #[test]
    fn evaluates_checks_against_hand_written_eve() {
        let eve = r#"{"event_type":"alert","alert":{"signature_id":1,"action":"allowed"},"src_ip":"1.2.3.4"}
{"event_type":"alert","alert":{"signature_id":1,"action":"allowed"},"src_ip":"5.6.7.8"}
{"event_type":"drop","alert":{"signature_id":3,"action":"blocked"}}

{"event_type":"flow","flow":{"alerted":true}}
{"event_type":"stats","stats":{"uptime":0}}
"#;
        let events = parse_eve(eve).expect("valid eve");
        assert_eq!(events.len(), 5);
        let spec = parse_test_yaml(
            r#"
checks:
  - filter: {count: 2, match: {event_type: alert, alert.signature_id: 1}}
  - filter: {count: 1, match: {event_type: alert, alert.signature_id: 1, src_ip: 1.2.3.4}}
  - filter: {count: 1, match: {event_type: drop, alert.action: blocked}}
  - filter: {count: 0, match: {event_type: alert, alert.signature_id: 2}}
  - filter: {count: 1, match: {event_type: alert, alert.signature_id: 3}}
  - filter: {count: 7, match: {event_type: flow}}
"#,
        )
        .expect("parses");
        let mismatches = evaluate(&spec.checks, &PORTCULLIS, &events);
        assert_eq!(
            mismatches,
            vec![Mismatch {
                check_number: 5,
                filter: r#"{event_type="alert", alert.signature_id=3}"#.to_string(),
                expected: 1,
                got: 0,
            }]
        );
        assert_eq!(
            mismatches[0].to_string(),
            r#"check #5 {event_type="alert", alert.signature_id=3}: expected 1, got 0"#
        );
    }

    #[test]
    fn bad_eve_line_is_reported() {
        assert_eq!(
            parse_eve("{\"a\":1}\nnot json\n").expect_err("line 2 is bad"),
            "eve.json line 2: expected ident at line 1 column 2"
        );
    }
}
