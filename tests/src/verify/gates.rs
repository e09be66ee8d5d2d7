//! Deciding whether a test (or one check) applies: `requires:` and `skip:` evaluated as
//! `run.py` does, for Suricata [`REFERENCE_VERSION`] with Portcullis's [`Capabilities`].

use std::cmp::Ordering;

use super::capabilities::Capabilities;
use super::spec::{Requirement, SkipRule};
use super::version::{Version, REFERENCE_VERSION};

/// The first requirement that is not met, as a skip reason; `None` when all hold.
pub fn unmet_requirement(requires: &[Requirement], caps: &Capabilities) -> Option<String> {
    requires.iter().find_map(|r| unmet(r, caps))
}

fn unmet(requirement: &Requirement, caps: &Capabilities) -> Option<String> {
    match requirement {
        Requirement::MinVersion(v) => {
            version_gate(v, "requires at least version", |o| o != Ordering::Less)
        }
        Requirement::LtVersion(v) => {
            version_gate(v, "for versions less than", |o| o == Ordering::Less)
        }
        Requirement::GtVersion(v) => {
            version_gate(v, "for versions greater than", |o| o == Ordering::Greater)
        }
        Requirement::Version(v) => match Version::parse(v) {
            Some(wanted) if REFERENCE_VERSION.matches(wanted) => None,
            Some(_) => Some(format!("only for version {v}")),
            None => Some(format!("unparseable version {v:?}")),
        },
        Requirement::Features(features) => features
            .iter()
            .find(|f| !caps.has_feature(f))
            .map(|f| format!("requires feature {f}")),
        Requirement::Env(vars) => vars
            .iter()
            .find(|v| std::env::var_os(v).is_none())
            .map(|v| format!("requires env var {v}")),
        Requirement::Files(files) => files
            .first()
            .map(|f| format!("requires Suricata source file {f}")),
        Requirement::Script => Some("requires a script run against Suricata's sources".into()),
        Requirement::Pcap(_) => None,
        Requirement::Platform(key, wanted) => {
            let actual = if key == "os" {
                std::env::consts::OS
            } else {
                std::env::consts::ARCH
            };
            (!actual.starts_with(&wanted.to_lowercase()))
                .then(|| format!("requires {key} {wanted}"))
        }
        Requirement::Other(key) => Some(format!("requires `{key}`, which is not evaluated here")),
    }
}

/// Applies an ordering gate: `holds` receives REFERENCE_VERSION compared to `v`.
fn version_gate(v: &str, what: &str, holds: impl Fn(Ordering) -> bool) -> Option<String> {
    match Version::parse(v) {
        Some(bound) if holds(REFERENCE_VERSION.compare(bound)) => None,
        Some(_) => Some(format!("{what} {v}")),
        None => Some(format!("unparseable version {v:?}")),
    }
}

/// The reason a `skip:` rule applies, if any does.
pub fn skip_reason(rules: &[SkipRule], caps: &Capabilities) -> Option<String> {
    rules.iter().find_map(|rule| match rule {
        SkipRule::Always => Some("skipped by default".to_string()),
        SkipRule::Feature(feature, msg) => caps
            .has_feature(feature)
            .then(|| msg.clone().unwrap_or(format!("not for feature {feature}"))),
        SkipRule::Uid(uid, msg) => match current_uid() {
            Some(current) if current != *uid => None,
            Some(_) => Some(msg.clone().unwrap_or(format!("not for uid {uid}"))),
            None => Some(format!("cannot tell whether running as uid {uid}")),
        },
        SkipRule::Config => Some("skip on a Suricata config value, not evaluated here".into()),
    })
}

/// The uid this process runs as (the owner of `/proc/self`), where that can be read.
fn current_uid() -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").ok().map(|m| m.uid())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::capabilities::PORTCULLIS;

    fn gate(r: Requirement) -> Option<String> {
        unmet_requirement(&[r], &PORTCULLIS)
    }

    #[test]
    fn version_gates_against_7_0_10() {
        assert_eq!(gate(Requirement::MinVersion("7.0.10".into())), None);
        assert_eq!(gate(Requirement::MinVersion("6.0".into())), None);
        assert_eq!(
            gate(Requirement::MinVersion("7.0.11".into())),
            Some("requires at least version 7.0.11".into())
        );
        assert_eq!(
            gate(Requirement::MinVersion("8".into())),
            Some("requires at least version 8".into())
        );
        assert_eq!(gate(Requirement::LtVersion("8.0".into())), None);
        assert_eq!(
            gate(Requirement::LtVersion("7.0.10".into())),
            Some("for versions less than 7.0.10".into())
        );
        assert_eq!(
            gate(Requirement::LtVersion("7".into())),
            Some("for versions less than 7".into())
        );
        assert_eq!(gate(Requirement::GtVersion("6.0.11".into())), None);
        assert_eq!(
            gate(Requirement::GtVersion("7.0.10".into())),
            Some("for versions greater than 7.0.10".into())
        );
        assert_eq!(gate(Requirement::Version("7".into())), None);
        assert_eq!(
            gate(Requirement::Version("6.0".into())),
            Some("only for version 6.0".into())
        );
    }

    #[test]
    fn features_and_unevaluable_requirements() {
        assert_eq!(
            gate(Requirement::Features(vec!["LIBNET1.1".into()])),
            Some("requires feature LIBNET1.1".into())
        );
        let caps = Capabilities {
            threshold_file: false,
            features: &["LIBNET1.1"],
        };
        assert_eq!(
            unmet_requirement(&[Requirement::Features(vec!["LIBNET1.1".into()])], &caps),
            None
        );
        assert_eq!(
            gate(Requirement::Script),
            Some("requires a script run against Suricata's sources".into())
        );
        assert_eq!(gate(Requirement::Pcap(false)), None);
        assert_eq!(
            gate(Requirement::Other("lambda".into())),
            Some("requires `lambda`, which is not evaluated here".into())
        );
    }

    #[test]
    fn first_unmet_wins() {
        let reqs = [
            Requirement::MinVersion("5".into()),
            Requirement::MinVersion("9".into()),
            Requirement::Script,
        ];
        assert_eq!(
            unmet_requirement(&reqs, &PORTCULLIS),
            Some("requires at least version 9".into())
        );
    }

    #[test]
    fn skip_rules() {
        assert_eq!(
            skip_reason(&[SkipRule::Always], &PORTCULLIS),
            Some("skipped by default".into())
        );
        assert_eq!(
            skip_reason(&[SkipRule::Feature("RUST".into(), None)], &PORTCULLIS),
            None
        );
        assert_eq!(
            skip_reason(&[SkipRule::Uid(u32::MAX - 7, None)], &PORTCULLIS),
            None
        );
    }
}
