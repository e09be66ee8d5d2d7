//! The classification table (`classification.config`): maps a rule's `classtype` to the
//! category text and default priority that alerts carry.

use std::collections::HashMap;
use std::io;
use std::path::Path;

/// Priority used when neither the rule nor its classtype gives one (Suricata's default).
pub const DEFAULT_PRIORITY: u8 = 3;

/// Classtype short name → (description, priority).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classifications {
    entries: HashMap<String, (String, u8)>,
}

impl Classifications {
    /// Reads `config classification: shortname,description,priority` lines; `#` comments and
    /// blank lines are skipped. A line that is not a valid entry is an `InvalidData` error
    /// naming the file and line.
    pub fn from_file(path: &Path) -> io::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Self::parse(&text).map_err(|(line, why)| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}:{line}: {why}", path.display()),
            )
        })
    }

    /// Parses the text of a classification file; on error returns (1-based line, reason).
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut entries = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| (i + 1, why.to_string());
            let Some(rest) = line
                .strip_prefix("config")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix("classification"))
                .and_then(|r| r.trim_start().strip_prefix(':'))
            else {
                return Err(bad(
                    "expected 'config classification: name,description,priority'",
                ));
            };
            let mut fields = rest.splitn(3, ',').map(str::trim);
            let (Some(name), Some(desc), Some(prio)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(bad("classification needs name,description,priority"));
            };
            let Ok(prio) = prio.parse::<u8>() else {
                return Err(bad("invalid classification priority"));
            };
            if name.is_empty() {
                return Err(bad("empty classification name"));
            }
            entries.insert(name.to_string(), (desc.to_string(), prio));
        }
        Ok(Classifications { entries })
    }

    /// Description and priority of a classtype.
    pub fn lookup(&self, name: &str) -> Option<(&str, u8)> {
        self.entries.get(name).map(|(d, p)| (d.as_str(), *p))
    }

    /// The category text and effective priority of a rule: an explicit `priority` wins, then
    /// the classtype's, then [`DEFAULT_PRIORITY`]. An unknown or absent classtype gives an
    /// empty category.
    pub fn resolve(&self, classtype: Option<&str>, explicit: Option<u8>) -> (&str, u8) {
        let entry = classtype.and_then(|c| self.lookup(c));
        let category = entry.map_or("", |(d, _)| d);
        let priority = explicit
            .or(entry.map(|(_, p)| p))
            .unwrap_or(DEFAULT_PRIORITY);
        (category, priority)
    }

    /// Number of classtypes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# comment\n\nconfig classification: not-suspicious,Not Suspicious Traffic,3\nconfig classification: bad-unknown,Potentially Bad Traffic, 2\n";

    #[test]
    fn parses_and_resolves() {
        let c = Classifications::parse(TEXT).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            c.lookup("bad-unknown"),
            Some(("Potentially Bad Traffic", 2))
        );
        assert_eq!(c.lookup("nope"), None);
        assert_eq!(
            c.resolve(Some("bad-unknown"), None),
            ("Potentially Bad Traffic", 2)
        );
        assert_eq!(
            c.resolve(Some("bad-unknown"), Some(1)),
            ("Potentially Bad Traffic", 1)
        );
        assert_eq!(c.resolve(Some("nope"), None), ("", 3));
        assert_eq!(c.resolve(None, None), ("", 3));
        assert!(Classifications::default().is_empty());
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            Classifications::parse("config classification: a,b\n").unwrap_err(),
            (
                1,
                "classification needs name,description,priority".to_string()
            )
        );
        assert_eq!(
            Classifications::parse("\nconfig classification: a,b,x\n").unwrap_err(),
            (2, "invalid classification priority".to_string())
        );
        assert_eq!(
            Classifications::parse("config reference: a b")
                .unwrap_err()
                .0,
            1
        );
    }

    #[test]
    fn reads_shipped_files() {
        for rel in [
            "suricata-verify/etc/classification.config",
            "rules/et-open/classification.config",
        ] {
            let Some(path) = crate::rules::testdata::data_path(rel) else {
                continue;
            };
            let c = Classifications::from_file(&path).unwrap();
            assert_eq!(
                c.lookup("trojan-activity"),
                Some(("A Network Trojan was detected", 1))
            );
        }
        let err = Classifications::from_file(Path::new("/nonexistent/c.config")).unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent/c.config: "));
    }
}
