//! Running suricata-verify tests through the Portcullis CLI in-process and scoring them.
//!
//! Each test: gates (`requires`, `skip`), plan (pcap, rules, args), then `cli(argv)` on a
//! worker thread (a panic is caught and reported as a crash; a run that exceeds the per-test
//! timeout is reported as failed and its thread is abandoned), then the scored checks are
//! evaluated against `<logdir>/eve.json`. Tests run one after another; once the wall-time
//! budget is spent the remaining tests are skipped with that reason.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portcullis::cli::CliError;

use super::capabilities::{Capabilities, PORTCULLIS};
use super::filter::{evaluate, parse_eve, scope, Scope};
use super::gates::{skip_reason, unmet_requirement};
use super::index::IndexEntry;
use super::plan::plan;
use super::spec::parse_test_yaml;

/// The CLI entry point, `portcullis::cli::run` in real runs; a stand-in in the runner's tests.
pub type CliFn = fn(&[String]) -> Result<(), CliError>;

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every scored check held.
    Passed,
    /// A scored check failed, the CLI returned an error, timed out, or wrote no/bad EVE.
    Failed(String),
    /// The test does not apply (version gate, missing capability, nothing scored).
    Skipped(String),
    /// The CLI panicked.
    Crashed(String),
}

/// The result of one test, with its check accounting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// The index entry the test came from.
    pub entry: IndexEntry,
    /// How it ended.
    pub outcome: Outcome,
    /// Checks in the score (`alert`/`drop` filter checks that apply).
    pub scored: usize,
    /// Checks excluded by their own version/feature gate.
    pub gated: usize,
    /// Checks outside the score (other event types, stats, shell…).
    pub not_applicable: usize,
}

/// Runs tests from a suricata-verify checkout, writing every output under a temporary folder.
pub struct Runner {
    suite: PathBuf,
    cli: CliFn,
    /// What Portcullis supports (defaults to [`PORTCULLIS`]).
    pub capabilities: Capabilities,
    /// Longest one CLI run may take before it is abandoned as failed.
    pub per_test_timeout: Duration,
    /// Total wall time for a `run_all`; tests not started by then are skipped.
    pub budget: Duration,
    scratch: tempfile::TempDir,
}

impl Runner {
    /// A runner over the suite at `suite` (the folder holding `tests/` and `etc/`).
    pub fn new(suite: &Path, cli: CliFn) -> std::io::Result<Runner> {
        Ok(Runner {
            suite: suite.to_path_buf(),
            cli,
            capabilities: PORTCULLIS,
            per_test_timeout: Duration::from_secs(60),
            budget: Duration::from_secs(20 * 60),
            scratch: tempfile::Builder::new()
                .prefix("portcullis-conformance-")
                .tempdir()?,
        })
    }

    /// The temporary folder holding every test's log folder and the report.
    pub fn scratch(&self) -> &Path {
        self.scratch.path()
    }

    /// Runs `entries` in order within the wall-time budget.
    pub fn run_all(&self, entries: &[IndexEntry]) -> Vec<TestResult> {
        let start = Instant::now();
        entries
            .iter()
            .map(|entry| {
                if start.elapsed() >= self.budget {
                    TestResult {
                        entry: entry.clone(),
                        outcome: Outcome::Skipped(format!(
                            "wall-time budget of {}s exhausted",
                            self.budget.as_secs()
                        )),
                        scored: 0,
                        gated: 0,
                        not_applicable: 0,
                    }
                } else {
                    self.run_one(entry)
                }
            })
            .collect()
    }

    /// Runs one test.
    pub fn run_one(&self, entry: &IndexEntry) -> TestResult {
        let mut result = TestResult {
            entry: entry.clone(),
            outcome: Outcome::Passed,
            scored: 0,
            gated: 0,
            not_applicable: 0,
        };
        let dir = self.suite.join("tests").join(&entry.test);
        let text = match std::fs::read_to_string(dir.join("test.yaml")) {
            Ok(text) => text,
            Err(e) => {
                result.outcome = Outcome::Failed(format!("cannot read test.yaml: {e}"));
                return result;
            }
        };
        let spec = match parse_test_yaml(&text) {
            Ok(spec) => spec,
            Err(e) => {
                result.outcome = Outcome::Failed(format!("test.yaml: {e}"));
                return result;
            }
        };
        for check in &spec.checks {
            match scope(check, &self.capabilities) {
                Scope::Scored(_) => result.scored += 1,
                Scope::Gated(_) => result.gated += 1,
                Scope::NotApplicable => result.not_applicable += 1,
            }
        }
        let caps = &self.capabilities;
        let gate =
            unmet_requirement(&spec.requires, caps).or_else(|| skip_reason(&spec.skip, caps));
        if let Some(reason) = gate {
            result.outcome = Outcome::Skipped(reason);
            return result;
        }
        let run_plan = match plan(&dir, &spec, caps) {
            Ok(p) => p,
            Err(reason) => {
                result.outcome = Outcome::Skipped(reason);
                return result;
            }
        };
        if result.scored == 0 {
            result.outcome = Outcome::Skipped(format!(
                "no scored alert/drop checks ({} gated, {} not applicable)",
                result.gated, result.not_applicable
            ));
            return result;
        }
        let logdir = self.scratch().join(entry.test.replace('/', "__"));
        if let Err(e) = std::fs::create_dir_all(&logdir) {
            result.outcome = Outcome::Failed(format!("cannot create {}: {e}", logdir.display()));
            return result;
        }
        let argv = run_plan.argv(
            &logdir,
            &self.suite.join("etc").join("classification.config"),
        );
        result.outcome = match self.execute(argv) {
            Ok(()) => score(&logdir, &spec.checks, caps),
            Err(outcome) => outcome,
        };
        result
    }

    /// Calls the CLI on a worker thread; `Err` carries the failure or crash outcome.
    fn execute(&self, argv: Vec<String>) -> Result<(), Outcome> {
        let cli = self.cli;
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("conformance-cli".to_string())
            .spawn(move || {
                let result = std::panic::catch_unwind(|| cli(&argv));
                // The receiver is gone only after a timeout; nothing is left to tell.
                let _ = tx.send(result.map_err(panic_message));
            });
        if let Err(e) = spawned {
            return Err(Outcome::Failed(format!("cannot spawn the CLI thread: {e}")));
        }
        match rx.recv_timeout(self.per_test_timeout) {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(Outcome::Failed(format!("CLI error: {e}"))),
            Ok(Err(panic)) => Err(Outcome::Crashed(format!("CLI panicked: {panic}"))),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(Outcome::Failed(format!(
                "timed out after {}s",
                self.per_test_timeout.as_secs()
            ))),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(Outcome::Crashed(
                "CLI thread ended without a result".to_string(),
            )),
        }
    }
}

/// Scores a finished run: reads `<logdir>/eve.json` and evaluates the scored checks.
fn score(logdir: &Path, checks: &[super::spec::Check], caps: &Capabilities) -> Outcome {
    let text = match std::fs::read_to_string(logdir.join("eve.json")) {
        Ok(text) => text,
        Err(e) => return Outcome::Failed(format!("no eve.json written: {e}")),
    };
    let events = match parse_eve(&text) {
        Ok(events) => events,
        Err(e) => return Outcome::Failed(e),
    };
    let mismatches = evaluate(checks, caps, &events);
    if mismatches.is_empty() {
        Outcome::Passed
    } else {
        let reasons: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        Outcome::Failed(reasons.join("; "))
    }
}

/// The text of a panic payload.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A fake CLI: writes a fixed eve.json into the `-l` folder, or fails / panics on demand
    /// depending on the pcap's name.
    fn fake_cli(args: &[String]) -> Result<(), CliError> {
        let after = |flag: &str| {
            args.iter()
                .position(|a| a == flag)
                .and_then(|i| args.get(i + 1))
                .cloned()
                .unwrap_or_default()
        };
        let pcap = after("-r");
        if pcap.ends_with("error.pcap") {
            return Err(CliError("bad pcap".to_string()));
        }
        if pcap.ends_with("panic.pcap") {
            panic!("boom");
        }
        let ips = args.iter().any(|a| a == "--simulate-ips");
        let mut eve = String::from(
            "{\"event_type\":\"alert\",\"alert\":{\"signature_id\":1}}\n\
             {\"event_type\":\"flow\"}\n",
        );
        if ips {
            eve.push_str("{\"event_type\":\"drop\",\"alert\":{\"signature_id\":1}}\n");
        }
        fs::write(Path::new(&after("-l")).join("eve.json"), eve)
            .map_err(|e| CliError(e.to_string()))
    }

    fn suite(tests: &[(&str, &str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(root.path().join("etc")).expect("etc");
        for (name, pcap, yaml) in tests {
            let dir = root.path().join("tests").join(name);
            fs::create_dir_all(&dir).expect("mkdir");
            fs::write(dir.join(pcap), b"").expect("pcap");
            fs::write(dir.join("test.rules"), b"").expect("rules");
            fs::write(dir.join("test.yaml"), yaml).expect("yaml");
        }
        root
    }

    fn entry(test: &str) -> IndexEntry {
        IndexEntry {
            test: test.to_string(),
            category: "stream".to_string(),
            reference_result: "pass".to_string(),
        }
    }

    const ONE_ALERT: &str = "checks:\n  - filter: {count: 1, match: {event_type: alert, alert.signature_id: 1}}\n  - filter: {count: 1, match: {event_type: flow}}\n";

    #[test]
    fn outcomes_of_each_kind() {
        let root = suite(&[
            ("pass", "in.pcap", ONE_ALERT),
            (
                "nested/fail-ips",
                "in.pcap",
                "checks:\n  - filter: {count: 0, match: {event_type: drop}}\n",
            ),
            ("err", "error.pcap", ONE_ALERT),
            ("crash", "panic.pcap", ONE_ALERT),
            (
                "gated",
                "in.pcap",
                "requires: {min-version: 8}\nchecks: []\n",
            ),
            (
                "flows",
                "in.pcap",
                "checks:\n  - filter: {count: 1, match: {event_type: flow}}\n",
            ),
        ]);
        let runner = Runner::new(root.path(), fake_cli).expect("runner");
        let names = ["pass", "nested/fail-ips", "err", "crash", "gated", "flows"];
        let entries: Vec<IndexEntry> = names.iter().map(|n| entry(n)).collect();
        let results = runner.run_all(&entries);
        let outcomes: Vec<Outcome> = results.iter().map(|r| r.outcome.clone()).collect();
        assert_eq!(
            outcomes,
            vec![
                Outcome::Passed,
                Outcome::Failed("check #1 {event_type=\"drop\"}: expected 0, got 1".to_string()),
                Outcome::Failed("CLI error: bad pcap".to_string()),
                Outcome::Crashed("CLI panicked: boom".to_string()),
                Outcome::Skipped("requires at least version 8".to_string()),
                Outcome::Skipped(
                    "no scored alert/drop checks (0 gated, 1 not applicable)".to_string()
                ),
            ]
        );
        assert_eq!((results[0].scored, results[0].not_applicable), (1, 1));
        assert!(runner.scratch().join("nested__fail-ips/eve.json").is_file());
    }

    #[test]
    fn budget_exhaustion_skips_the_rest() {
        let root = suite(&[("pass", "in.pcap", ONE_ALERT)]);
        let mut runner = Runner::new(root.path(), fake_cli).expect("runner");
        runner.budget = Duration::ZERO;
        let results = runner.run_all(&[entry("pass"), entry("pass")]);
        let skipped = Outcome::Skipped("wall-time budget of 0s exhausted".to_string());
        assert_eq!(results[0].outcome, skipped);
        assert_eq!(results[1].outcome, skipped);
    }

    #[test]
    fn missing_test_folder_fails() {
        let root = suite(&[]);
        let runner = Runner::new(root.path(), fake_cli).expect("runner");
        let result = runner.run_one(&entry("absent"));
        assert!(
            matches!(&result.outcome, Outcome::Failed(r) if r.starts_with("cannot read test.yaml"))
        );
    }
}
