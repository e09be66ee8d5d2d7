//! Loading rule files into a shared, compiled ruleset, with a report of what was skipped and why
//! (a bad rule names its file, line and reason; the rest still loads).

use std::path::PathBuf;
use std::sync::Arc;

use portcullis_detection::engine::Ruleset;
use portcullis_detection::rules::{load_rules, Classifications, LoadResult, Vars};
use portcullis_detection::threshold::ThresholdConfig;
use serde::Serialize;

use crate::cli::CliError;
use crate::config::Config;

/// What loading produced: the parser's counts plus rules the matcher could not compile.
#[derive(Debug, Serialize)]
pub struct RulesReport {
    /// The parser's result (loaded, unsupported by keyword, malformed with file and line).
    #[serde(flatten)]
    pub parse: LoadResult,
    /// Rules that parsed but could not be compiled (sid, reason).
    pub compile_failed: Vec<(u32, String)>,
    /// `threshold.config` lines that were skipped, as `file:line: reason`.
    pub threshold_errors: Vec<String>,
}

impl RulesReport {
    /// Rules active in the detection engine.
    pub fn loaded(&self) -> usize {
        self.parse.loaded - self.compile_failed.len()
    }

    /// A few lines for stderr at start-up: counts, and a hint where the details are.
    pub fn summary(&self) -> String {
        let unsupported: usize = self.parse.unsupported.values().sum();
        let mut s = format!(
            "portcullis: {} rules loaded, {} skipped (unsupported keyword), {} malformed, {} \
             failed to compile\n",
            self.loaded(),
            unsupported,
            self.parse.malformed.len(),
            self.compile_failed.len()
        );
        for err in self.parse.malformed.iter().take(5) {
            s.push_str(&format!(
                "portcullis: warning: {}:{}: {}\n",
                err.file, err.line, err.reason
            ));
        }
        for err in &self.threshold_errors {
            s.push_str(&format!("portcullis: warning: {err}\n"));
        }
        if self.parse.malformed.len() > 5 {
            s.push_str("portcullis: (`portcullis rules check` lists every skipped rule)\n");
        }
        s
    }

    /// The full human report of `portcullis rules check`.
    pub fn full(&self) -> String {
        let mut s = self.parse.report();
        for (sid, why) in &self.compile_failed {
            s.push_str(&format!("compile failed: sid {sid}: {why}\n"));
        }
        for err in &self.threshold_errors {
            s.push_str(&format!("threshold config: {err}\n"));
        }
        s
    }
}

/// The rule variables: Suricata's defaults with the config's overrides.
pub fn rule_vars(cfg: &Config) -> Vars {
    let mut vars = Vars::default();
    for (name, value) in &cfg.vars.address_groups {
        vars.set_address(name, value);
    }
    for (name, value) in &cfg.vars.port_groups {
        vars.set_port(name, value);
    }
    vars
}

/// Parses the rules only (for `rules check`, which does not need the matcher).
pub fn parse_rules(cfg: &Config, files: &[PathBuf]) -> Result<LoadResult, CliError> {
    let mut all = cfg.rule_files.clone();
    all.extend(files.iter().cloned());
    load_rules(&all, &rule_vars(cfg)).map_err(|e| CliError(format!("rules: {e}")))
}

/// Loads, parses and compiles the rules of `cfg` plus `files`, with the threshold file of
/// `cfg` (`threshold-file`, which `--threshold-file` sets).
pub fn load_ruleset(
    cfg: &Config,
    files: &[PathBuf],
) -> Result<(Arc<Ruleset>, RulesReport), CliError> {
    let mut parse = parse_rules(cfg, files)?;
    let (thresholds, threshold_errors) = match &cfg.threshold_file {
        Some(path) => ThresholdConfig::load(path, &rule_vars(cfg))
            .map_err(|e| CliError(format!("threshold file {}: {e}", path.display())))?,
        None => (ThresholdConfig::default(), Vec::new()),
    };
    let classes = match &cfg.classification_file {
        Some(path) => Classifications::from_file(path)
            .map_err(|e| CliError(format!("classification file {}: {e}", path.display())))?,
        None => Classifications::default(),
    };
    let rules = std::mem::take(&mut parse.rules);
    let (ruleset, build) = Ruleset::build(rules, &classes, thresholds);
    Ok((
        Arc::new(ruleset),
        RulesReport {
            parse,
            compile_failed: build.failed,
            threshold_errors,
        },
    ))
}
