//! The conformance report: a passed/failed/skipped table per category plus every skip and
//! failure with its reason, as Markdown (printed, and written to files).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use super::runner::{Outcome, TestResult};

/// Counts for one category (or the total).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Tests run.
    pub tests: usize,
    /// Tests whose scored checks all held.
    pub passed: usize,
    /// Tests that failed, crashes included.
    pub failed: usize,
    /// Of the failed, those where the CLI panicked.
    pub crashed: usize,
    /// Tests that did not apply.
    pub skipped: usize,
    /// Scored checks across the category's tests.
    pub scored_checks: usize,
    /// Checks excluded by their own gates.
    pub gated_checks: usize,
    /// Checks outside the score.
    pub not_applicable_checks: usize,
}

impl Tally {
    fn add(&mut self, result: &TestResult) {
        self.tests += 1;
        match result.outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Crashed(_) => {
                self.failed += 1;
                self.crashed += 1;
            }
            Outcome::Skipped(_) => self.skipped += 1,
        }
        self.scored_checks += result.scored;
        self.gated_checks += result.gated;
        self.not_applicable_checks += result.not_applicable;
    }
}

/// Tallies per category (sorted by name) and the overall total.
pub fn tally(results: &[TestResult]) -> (BTreeMap<String, Tally>, Tally) {
    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for result in results {
        by_category
            .entry(result.entry.category.clone())
            .or_default()
            .add(result);
        total.add(result);
    }
    (by_category, total)
}

/// Renders one report section titled `title`.
pub fn render_markdown(title: &str, results: &[TestResult]) -> String {
    let (by_category, total) = tally(results);
    let mut out = format!("## {title}\n\n");
    out.push_str(
        "| category | tests | passed | failed | crashed | skipped | scored checks | gated checks | n/a checks |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let row = |name: &str, t: &Tally| {
        format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            t.tests,
            t.passed,
            t.failed,
            t.crashed,
            t.skipped,
            t.scored_checks,
            t.gated_checks,
            t.not_applicable_checks
        )
    };
    for (category, t) in &by_category {
        out.push_str(&row(category, t));
    }
    out.push_str(&row("**total**", &total));
    let listing = |heading: &str, pick: &dyn Fn(&Outcome) -> Option<String>| {
        let lines: Vec<String> = results
            .iter()
            .filter_map(|r| {
                pick(&r.outcome).map(|reason| {
                    let reference = if r.entry.reference_result.is_empty() {
                        String::new()
                    } else {
                        format!(" [Suricata 7.0.10: {}]", r.entry.reference_result)
                    };
                    format!(
                        "- `{}` ({}): {reason}{reference}\n",
                        r.entry.test, r.entry.category
                    )
                })
            })
            .collect();
        if lines.is_empty() {
            String::new()
        } else {
            format!("\n### {heading} ({})\n\n{}", lines.len(), lines.concat())
        }
    };
    out.push_str(&listing("Failures", &|o| match o {
        Outcome::Failed(reason) => Some(reason.clone()),
        Outcome::Crashed(reason) => Some(format!("CRASH: {reason}")),
        _ => None,
    }));
    out.push_str(&listing("Skips", &|o| match o {
        Outcome::Skipped(reason) => Some(reason.clone()),
        _ => None,
    }));
    out
}

/// The environment variable naming an extra file to receive the report.
pub const REPORT_ENV: &str = "PORTCULLIS_CONFORMANCE_REPORT";

/// Whether the `REPORT_ENV` file was already started by this process, so sections from several
/// tests in one `cargo test` run end up together instead of overwriting each other.
static REPORT_STARTED: Mutex<bool> = Mutex::new(false);

/// Writes `markdown` to `<scratch>/conformance-report.md` and appends it to the file named by
/// `PORTCULLIS_CONFORMANCE_REPORT` (truncated at this process's first section). Returns the
/// paths written.
pub fn publish(markdown: &str, scratch: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let local = scratch.join("conformance-report.md");
    std::fs::write(&local, markdown)?;
    let mut written = vec![local];
    if let Some(path) = std::env::var_os(REPORT_ENV) {
        let mut started = REPORT_STARTED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(*started)
            .truncate(!*started)
            .open(&path)?;
        file.write_all(markdown.as_bytes())?;
        file.write_all(b"\n")?;
        *started = true;
        written.push(path.into());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::index::IndexEntry;

    fn result(test: &str, category: &str, outcome: Outcome, scored: usize) -> TestResult {
        TestResult {
            entry: IndexEntry {
                test: test.into(),
                category: category.into(),
                reference_result: "pass".into(),
            },
            outcome,
            scored,
            gated: 0,
            not_applicable: 1,
        }
    }

    fn sample() -> Vec<TestResult> {
        vec![
            result("a", "stream", Outcome::Passed, 2),
            result(
                "b",
                "stream",
                Outcome::Failed("check #1: expected 1, got 0".into()),
                1,
            ),
            result(
                "c",
                "defrag",
                Outcome::Skipped("own suricata.yaml".into()),
                0,
            ),
            result(
                "d",
                "defrag",
                Outcome::Crashed("CLI panicked: boom".into()),
                1,
            ),
        ]
    }

    #[test]
    fn tallies_per_category() {
        let (by_category, total) = tally(&sample());
        assert_eq!(
            by_category["stream"],
            Tally {
                tests: 2,
                passed: 1,
                failed: 1,
                crashed: 0,
                skipped: 0,
                scored_checks: 3,
                gated_checks: 0,
                not_applicable_checks: 2
            }
        );
        assert_eq!(
            (total.tests, total.failed, total.crashed, total.skipped),
            (4, 2, 1, 1)
        );
    }

    #[test]
    fn renders_tables_and_reasons() {
        let md = render_markdown("Foundation", &sample());
        assert_eq!(
            md,
            "## Foundation\n\n\
             | category | tests | passed | failed | crashed | skipped | scored checks | gated checks | n/a checks |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|\n\
             | defrag | 2 | 0 | 1 | 1 | 1 | 1 | 0 | 2 |\n\
             | stream | 2 | 1 | 1 | 0 | 0 | 3 | 0 | 2 |\n\
             | **total** | 4 | 1 | 2 | 1 | 1 | 4 | 0 | 4 |\n\
             \n### Failures (2)\n\n\
             - `b` (stream): check #1: expected 1, got 0 [Suricata 7.0.10: pass]\n\
             - `d` (defrag): CRASH: CLI panicked: boom [Suricata 7.0.10: pass]\n\
             \n### Skips (1)\n\n\
             - `c` (defrag): own suricata.yaml [Suricata 7.0.10: pass]\n"
        );
    }

    #[test]
    fn publishes_into_scratch() {
        let dir = tempfile::tempdir().expect("tempdir");
        let written = publish("# hi\n", dir.path()).expect("written");
        assert_eq!(written[0], dir.path().join("conformance-report.md"));
        assert_eq!(
            std::fs::read_to_string(&written[0]).expect("read"),
            "# hi\n"
        );
    }
}
