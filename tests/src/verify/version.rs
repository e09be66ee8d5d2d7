//! Suricata version numbers as suricata-verify's `run.py` reads them, compared as plain
//! (major, minor, patch) tuples.
//!
//! Deliberate difference from `run.py`: its `is_lt` compares minor/patch without checking the
//! higher component first (so it thinks 7.1.0 < 7.0.5); here every comparison is a proper
//! lexicographic tuple comparison.

use std::cmp::Ordering;

/// The Suricata release whose behaviour the expected results describe: suricata-verify's INDEX
/// scores Suricata 7.0.10, so gates are evaluated as if we were that version.
pub const REFERENCE_VERSION: Version = Version {
    major: 7,
    minor: Some(0),
    patch: Some(10),
};

/// A possibly partial version ("7", "7.0", "7.0.10"), so `version: 7` can mean any 7.x.y.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// Major number, always present.
    pub major: u64,
    /// Minor number, absent in "7".
    pub minor: Option<u64>,
    /// Patch number, absent in "7" and "7.0".
    pub patch: Option<u64>,
}

impl Version {
    /// Parses the leading `N[.N[.N]]` of a version string ("4.1.0-dev" → 4.1.0). YAML may give a
    /// number (`8`, `8.0`); callers pass its text form. Returns `None` when there is no leading
    /// number.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let mut parts = [None; 3];
        let mut rest = text;
        for (i, slot) in parts.iter_mut().enumerate() {
            if i > 0 {
                match rest.strip_prefix('.') {
                    Some(r) => rest = r,
                    None => break,
                }
            }
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                break;
            }
            *slot = rest[..digits].parse::<u64>().ok();
            rest = &rest[digits..];
        }
        Some(Version {
            major: parts[0]?,
            minor: parts[1],
            patch: parts[2],
        })
    }

    /// The version with absent parts read as 0, the way `run.py` fills them for ordering gates.
    fn filled(self) -> (u64, u64, u64) {
        (self.major, self.minor.unwrap_or(0), self.patch.unwrap_or(0))
    }

    /// Orders two versions, absent parts counting as 0 ("8" == "8.0.0").
    pub fn compare(self, other: Version) -> Ordering {
        self.filled().cmp(&other.filled())
    }

    /// `run.py`'s `version:` gate: absent parts are wildcards, so "7" matches 7.0.10.
    pub fn matches(self, pattern: Version) -> bool {
        let part_ok = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        self.major == pattern.major
            && part_ok(self.minor, pattern.minor)
            && part_ok(self.patch, pattern.patch)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.major)?;
        if let Some(minor) = self.minor {
            write!(f, ".{minor}")?;
        }
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("version")
    }

    #[test]
    fn parses_partial_and_suffixed_versions() {
        assert_eq!(
            v("4.1.0-dev"),
            Version {
                major: 4,
                minor: Some(1),
                patch: Some(0)
            }
        );
        assert_eq!(
            v("8"),
            Version {
                major: 8,
                minor: None,
                patch: None
            }
        );
        assert_eq!(
            v("8.0"),
            Version {
                major: 8,
                minor: Some(0),
                patch: None
            }
        );
        assert_eq!(Version::parse("dev"), None);
        assert_eq!(Version::parse(""), None);
    }

    #[test]
    fn compares_numerically_not_lexically() {
        assert_eq!(v("7.0.10").compare(v("7.0.9")), Ordering::Greater);
        assert_eq!(v("7.0.10").compare(v("7.0.11")), Ordering::Less);
        assert_eq!(v("8").compare(v("8.0.0")), Ordering::Equal);
        assert_eq!(v("7.1.0").compare(v("7.0.5")), Ordering::Greater);
    }

    #[test]
    fn wildcard_equality() {
        assert!(REFERENCE_VERSION.matches(v("7")));
        assert!(REFERENCE_VERSION.matches(v("7.0")));
        assert!(REFERENCE_VERSION.matches(v("7.0.10")));
        assert!(!REFERENCE_VERSION.matches(v("7.0.9")));
        assert!(!REFERENCE_VERSION.matches(v("6")));
        assert_eq!(REFERENCE_VERSION.to_string(), "7.0.10");
    }
}
