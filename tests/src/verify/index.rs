//! The suite's table of contents: `INDEX.tsv` (test → category, and what Suricata 7.0.10 itself
//! scored) and `FOUNDATION.txt` (the engine-core conformance set).

use std::path::Path;

/// One row of `INDEX.tsv`, reduced to what the runner uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// Folder under `tests/`, e.g. `ipv6-evasion/ipv6-rsmurf`.
    pub test: String,
    /// Category (content-match, stream, defrag, …).
    pub category: String,
    /// What Suricata 7.0.10 scored (`pass`, `fail`, `skip (…)`), a hint of how strong the
    /// reference is.
    pub reference_result: String,
}

/// Reads `<suite>/INDEX.tsv`.
pub fn read_index(suite: &Path) -> Result<Vec<IndexEntry>, String> {
    let path = suite.join("INDEX.tsv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_index(&text)
}

/// Reads `<suite>/FOUNDATION.txt`.
pub fn read_foundation(suite: &Path) -> Result<Vec<String>, String> {
    let path = suite.join("FOUNDATION.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(parse_foundation(&text))
}

/// Parses `INDEX.tsv`, locating columns by their header names.
pub fn parse_index(text: &str) -> Result<Vec<IndexEntry>, String> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or("INDEX.tsv is empty")?
        .split('\t')
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("INDEX.tsv has no `{name}` column"))
    };
    let test = column("test")?;
    let category = column("category")?;
    let reference = column("suricata_7.0.10_result")?;
    lines
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let field = |idx: usize| {
                fields
                    .get(idx)
                    .map(|f| f.to_string())
                    .ok_or_else(|| format!("INDEX.tsv line {} is short", i + 2))
            };
            Ok(IndexEntry {
                test: field(test)?,
                category: field(category)?,
                reference_result: field(reference)?,
            })
        })
        .collect()
}

/// Parses `FOUNDATION.txt`: one test name per line; blank lines and `#` comments ignored.
pub fn parse_foundation(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The index entries for `names`, in that order; a name missing from the index gets category
/// `unindexed` so it is still run and reported.
pub fn select(index: &[IndexEntry], names: &[String]) -> Vec<IndexEntry> {
    names
        .iter()
        .map(|name| {
            index
                .iter()
                .find(|e| &e.test == name)
                .cloned()
                .unwrap_or_else(|| IndexEntry {
                    test: name.clone(),
                    category: "unindexed".to_string(),
                    reference_result: String::new(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "test\tcategory\tn_rules\tsuricata_7.0.10_result\n\
                         a/x\tstream\t1\tpass\n\
                         b\tdefrag\t2\tskip (min-version 8)\n\n";

    #[test]
    fn parses_index_by_header() {
        let index = parse_index(INDEX).expect("parses");
        assert_eq!(
            index,
            vec![
                IndexEntry {
                    test: "a/x".into(),
                    category: "stream".into(),
                    reference_result: "pass".into()
                },
                IndexEntry {
                    test: "b".into(),
                    category: "defrag".into(),
                    reference_result: "skip (min-version 8)".into()
                },
            ]
        );
        assert_eq!(
            parse_index("test\tcategory\n").expect_err("no result column"),
            "INDEX.tsv has no `suricata_7.0.10_result` column"
        );
        assert_eq!(
            parse_index("test\tcategory\tsuricata_7.0.10_result\nx\n").expect_err("short"),
            "INDEX.tsv line 2 is short"
        );
    }

    #[test]
    fn foundation_selection() {
        let names = parse_foundation("b\n# note\n\nzz\n");
        assert_eq!(names, vec!["b".to_string(), "zz".to_string()]);
        let index = parse_index(INDEX).expect("parses");
        let picked = select(&index, &names);
        assert_eq!(picked[0].category, "defrag");
        assert_eq!(picked[1].category, "unindexed");
    }
}
