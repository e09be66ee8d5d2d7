//! A suricata-verify `test.yaml`, read into typed form: what to run (`pcap`, `args`, `command`,
//! `exit-code`), when to run it (`requires`, `skip`) and what to expect (`checks`).

use serde_json::Value;
use serde_yaml::{Mapping, Value as Yaml};

use super::value::{yaml_scalar_text, yaml_to_json};

/// One parsed `test.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSpec {
    /// The `pcap:` key.
    pub pcap: PcapSetting,
    /// `args:` entries, each possibly holding several space-separated arguments.
    pub args: Vec<String>,
    /// Test-level `requires:` gates.
    pub requires: Vec<Requirement>,
    /// Test-level `skip:` entries.
    pub skip: Vec<SkipRule>,
    /// A custom `command:` replacing the Suricata command line.
    pub command: Option<String>,
    /// The exit code Suricata must return (`exit-code:`, default 0).
    pub exit_code: i64,
    /// The `checks:` list, one entry per check kind key.
    pub checks: Vec<Check>,
}

/// Where the capture comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PcapSetting {
    /// No `pcap:` key: the one `*.pcap`/`*.pcapng` in the test folder.
    InFolder,
    /// `pcap: <path>`, relative to the test folder (may point into another test's folder).
    Path(String),
    /// `pcap: false` (or `requires: pcap: false`): the test runs without a capture.
    None,
}

/// One `requires:` gate (test-level or per check), as `run.py`'s `check_requires` knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `min-version`: the version must be ≥ this.
    MinVersion(String),
    /// `lt-version`: the version must be < this.
    LtVersion(String),
    /// `gt-version`: the version must be > this.
    GtVersion(String),
    /// `version`: the version must equal this, absent parts being wildcards.
    Version(String),
    /// `features`: Suricata build features (e.g. `LIBNET1.1`).
    Features(Vec<String>),
    /// `env`: environment variables that must be set.
    Env(Vec<String>),
    /// `files`: files (relative to a Suricata source tree) that must exist.
    Files(Vec<String>),
    /// `script`: shell commands that must succeed (run against a Suricata source tree).
    Script,
    /// `pcap: bool`: whether a capture is required.
    Pcap(bool),
    /// `os` / `arch`: the platform must start with this (key, value).
    Platform(String, String),
    /// Any other key (`lambda`, `config`, unknown): cannot be evaluated here.
    Other(String),
}

/// One `skip:` entry: skip the test when the condition holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipRule {
    /// `skip: true`.
    Always,
    /// `feature: X` — skip when the build has feature X; with its optional message.
    Feature(String, Option<String>),
    /// `uid: N` — skip when running as that user; with its optional message.
    Uid(u32, Option<String>),
    /// `config:` patterns — skip when the config matches; cannot be evaluated here.
    Config,
}

/// One entry of `checks:`.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// A `filter` check over EVE records.
    Filter(FilterCheck),
    /// `stats`, `shell`, `file-compare` or an unknown kind, by name.
    Other(String),
}

/// A `filter` check: exactly `count` records of `filename` match every `match` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterCheck {
    /// Expected number of matching records.
    pub count: u64,
    /// `match:` entries in file order: a dotted key (or `has-key`/`not-has-key`) and its value.
    pub matches: Vec<(String, Value)>,
    /// Per-check gates (`requires:` plus the `min-version`/`lt-version`/`version`/`feature` keys).
    pub requires: Vec<Requirement>,
    /// The log file searched (`filename:`), `eve.json` by default.
    pub filename: Option<String>,
}

impl FilterCheck {
    /// The `event_type` this check selects, when it names one.
    pub fn event_type(&self) -> Option<&str> {
        self.matches
            .iter()
            .find(|(key, _)| key == "event_type")
            .and_then(|(_, value)| value.as_str())
    }

    /// A one-line description of the match, for failure reasons.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .matches
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        format!("{{{}}}", parts.join(", "))
    }
}

/// Parses the text of a `test.yaml`.
pub fn parse_test_yaml(text: &str) -> Result<TestSpec, String> {
    let root: Yaml = serde_yaml::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    let empty = Mapping::new();
    let map = match &root {
        Yaml::Mapping(map) => map,
        Yaml::Null => &empty,
        _ => return Err("test.yaml is not a mapping".to_string()),
    };
    let requires = match map.get("requires") {
        Some(Yaml::Mapping(m)) => parse_requires(m)?,
        Some(Yaml::Null) | None => Vec::new(),
        Some(_) => return Err("`requires` is not a mapping".to_string()),
    };
    let pcap_required = !requires.contains(&Requirement::Pcap(false));
    let pcap = match map.get("pcap") {
        Some(Yaml::String(path)) => PcapSetting::Path(path.clone()),
        Some(Yaml::Bool(false)) | Some(Yaml::Null) => PcapSetting::None,
        None if !pcap_required => PcapSetting::None,
        None => PcapSetting::InFolder,
        Some(other) => return Err(format!("unexpected `pcap`: {other:?}")),
    };
    let args = match map.get("args") {
        Some(Yaml::Sequence(items)) => items.iter().map(yaml_scalar_text).collect(),
        Some(Yaml::Null) | None => Vec::new(),
        Some(_) => return Err("`args` is not a list".to_string()),
    };
    let exit_code = match map.get("exit-code") {
        Some(v) => v
            .as_i64()
            .ok_or_else(|| format!("`exit-code` is not an integer: {v:?}"))?,
        None => 0,
    };
    let checks = match map.get("checks") {
        Some(Yaml::Sequence(items)) => parse_checks(items)?,
        Some(Yaml::Null) | None => Vec::new(),
        Some(_) => return Err("`checks` is not a list".to_string()),
    };
    Ok(TestSpec {
        pcap,
        args,
        requires,
        skip: parse_skip(map.get("skip"))?,
        command: map.get("command").map(yaml_scalar_text),
        exit_code,
        checks,
    })
}

/// Reads a list of strings, or a single scalar as a one-item list.
fn string_list(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::Sequence(items) => items.iter().map(yaml_scalar_text).collect(),
        other => vec![yaml_scalar_text(other)],
    }
}

fn parse_requires(map: &Mapping) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for (key, value) in map {
        let key = yaml_scalar_text(key);
        let requirement = match key.as_str() {
            "min-version" => Requirement::MinVersion(yaml_scalar_text(value)),
            "lt-version" => Requirement::LtVersion(yaml_scalar_text(value)),
            "gt-version" => Requirement::GtVersion(yaml_scalar_text(value)),
            "version" => Requirement::Version(yaml_scalar_text(value)),
            "features" => Requirement::Features(string_list(value)),
            "env" => Requirement::Env(string_list(value)),
            "files" => Requirement::Files(string_list(value)),
            "script" => Requirement::Script,
            "pcap" => Requirement::Pcap(
                value
                    .as_bool()
                    .ok_or_else(|| format!("`requires.pcap` is not a bool: {value:?}"))?,
            ),
            "os" | "arch" => Requirement::Platform(key.clone(), yaml_scalar_text(value)),
            _ => Requirement::Other(key.clone()),
        };
        out.push(requirement);
    }
    Ok(out)
}

fn parse_skip(value: Option<&Yaml>) -> Result<Vec<SkipRule>, String> {
    let items = match value {
        None | Some(Yaml::Null) | Some(Yaml::Bool(false)) => return Ok(Vec::new()),
        Some(Yaml::Bool(true)) => return Ok(vec![SkipRule::Always]),
        Some(Yaml::Sequence(items)) => items,
        Some(other) => return Err(format!("unexpected `skip`: {other:?}")),
    };
    let mut out = Vec::new();
    for item in items {
        let msg = item.get("msg").map(yaml_scalar_text);
        if let Some(feature) = item.get("feature") {
            out.push(SkipRule::Feature(yaml_scalar_text(feature), msg.clone()));
        }
        if let Some(uid) = item.get("uid") {
            let uid = uid
                .as_u64()
                .and_then(|u| u32::try_from(u).ok())
                .ok_or_else(|| format!("`skip.uid` is not a uid: {uid:?}"))?;
            out.push(SkipRule::Uid(uid, msg.clone()));
        }
        if item.get("config").is_some() {
            out.push(SkipRule::Config);
        }
    }
    Ok(out)
}

fn parse_checks(items: &[Yaml]) -> Result<Vec<Check>, String> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Yaml::Mapping(map) = item else {
            return Err(format!("check #{} is not a mapping", i + 1));
        };
        for (kind, body) in map {
            let kind = yaml_scalar_text(kind);
            if kind == "filter" {
                let filter = parse_filter(body).map_err(|e| format!("check #{}: {e}", i + 1))?;
                out.push(Check::Filter(filter));
            } else {
                out.push(Check::Other(kind));
            }
        }
    }
    Ok(out)
}

fn parse_filter(body: &Yaml) -> Result<FilterCheck, String> {
    let Yaml::Mapping(map) = body else {
        return Err("filter is not a mapping".to_string());
    };
    let count = map
        .get("count")
        .and_then(Yaml::as_u64)
        .ok_or("filter has no non-negative integer `count`")?;
    let matches = match map.get("match") {
        Some(Yaml::Mapping(m)) => m
            .iter()
            .map(|(k, v)| (yaml_scalar_text(k), yaml_to_json(v)))
            .collect(),
        Some(Yaml::Null) | None => Vec::new(),
        Some(_) => return Err("filter `match` is not a mapping".to_string()),
    };
    let mut requires = match map.get("requires") {
        Some(Yaml::Mapping(m)) => parse_requires(m)?,
        Some(Yaml::Null) | None => Vec::new(),
        Some(_) => return Err("filter `requires` is not a mapping".to_string()),
    };
    if let Some(v) = map.get("min-version") {
        requires.push(Requirement::MinVersion(yaml_scalar_text(v)));
    }
    if let Some(v) = map.get("lt-version") {
        requires.push(Requirement::LtVersion(yaml_scalar_text(v)));
    }
    if let Some(v) = map.get("version") {
        requires.push(Requirement::Version(yaml_scalar_text(v)));
    }
    if let Some(v) = map.get("feature") {
        requires.push(Requirement::Features(vec![yaml_scalar_text(v)]));
    }
    Ok(FilterCheck {
        count,
        matches,
        requires,
        filename: map.get("filename").map(yaml_scalar_text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLE: &str = r#"
pcap: ../other-test/input.pcap
requires:
  min-version: 6.0
  features:
    - LIBNET1.1
args:
  - -k none --set detect.guess-applayer-tx=true
  - --simulate-ips
checks:
  - filter:
      count: 2
      match:
        event_type: alert
        alert.signature_id: 1
  - filter:
      requires:
        lt-version: 8
      min-version: 7
      count: 0
      match:
        event_type: drop
        alert: {signature_id: 2, gid: 1}
  - stats:
      decoder.pkts: 3
"#;

    #[test]
    fn parses_every_section() {
        let spec = parse_test_yaml(SAMPLE).expect("parses");
        assert_eq!(
            spec.pcap,
            PcapSetting::Path("../other-test/input.pcap".into())
        );
        assert_eq!(
            spec.args,
            vec![
                "-k none --set detect.guess-applayer-tx=true".to_string(),
                "--simulate-ips".to_string()
            ]
        );
        assert_eq!(
            spec.requires,
            vec![
                Requirement::MinVersion("6.0".into()),
                Requirement::Features(vec!["LIBNET1.1".into()])
            ]
        );
        assert_eq!(spec.exit_code, 0);
        assert_eq!(spec.checks.len(), 3);
        let Check::Filter(first) = &spec.checks[0] else {
            panic!("first check is a filter")
        };
        assert_eq!(first.count, 2);
        assert_eq!(first.event_type(), Some("alert"));
        assert_eq!(
            first.describe(),
            r#"{event_type="alert", alert.signature_id=1}"#
        );
        let Check::Filter(second) = &spec.checks[1] else {
            panic!("second check is a filter")
        };
        assert_eq!(
            second.requires,
            vec![
                Requirement::LtVersion("8".into()),
                Requirement::MinVersion("7".into())
            ]
        );
        assert_eq!(
            second.matches[1],
            ("alert".to_string(), json!({"signature_id": 2, "gid": 1}))
        );
        assert_eq!(spec.checks[2], Check::Other("stats".into()));
    }

    #[test]
    fn pcap_defaults_and_false() {
        let spec = parse_test_yaml("checks: []").expect("parses");
        assert_eq!(spec.pcap, PcapSetting::InFolder);
        let spec = parse_test_yaml("pcap: false\nchecks: []").expect("parses");
        assert_eq!(spec.pcap, PcapSetting::None);
        let spec = parse_test_yaml("requires:\n  pcap: false\n").expect("parses");
        assert_eq!(spec.pcap, PcapSetting::None);
    }

    #[test]
    fn skip_and_exit_code() {
        let spec = parse_test_yaml(
            "exit-code: 1\ncommand: ./x.sh\nskip:\n  - feature: RUST\n    msg: no rust\n  - uid: 0\n",
        )
        .expect("parses");
        assert_eq!(spec.exit_code, 1);
        assert_eq!(spec.command.as_deref(), Some("./x.sh"));
        assert_eq!(
            spec.skip,
            vec![
                SkipRule::Feature("RUST".into(), Some("no rust".into())),
                SkipRule::Uid(0, None)
            ]
        );
        assert_eq!(
            parse_test_yaml("skip: true").expect("parses").skip,
            vec![SkipRule::Always]
        );
    }

    #[test]
    fn rejects_malformed_filters() {
        let err = parse_test_yaml("checks:\n  - filter:\n      match: {event_type: alert}\n")
            .expect_err("no count");
        assert_eq!(err, "check #1: filter has no non-negative integer `count`");
        assert!(parse_test_yaml("- a\n- b\n").is_err());
    }
}
