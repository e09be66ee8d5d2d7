//! `portcullis rules check`: load rule files and report what loaded and what was skipped, by
//! reason. Exits 0 unless a file cannot be read.

use std::path::PathBuf;

use crate::cli::CliError;
use crate::config;
use crate::rules::load_ruleset;

/// Options of `portcullis rules check`.
#[derive(Debug, Clone, Default)]
pub struct RulesCheckOptions {
    /// `-S`: rule files.
    pub rule_files: Vec<PathBuf>,
    /// `-c`: configuration (for variables and the classification file).
    pub config: Option<PathBuf>,
    /// `--set` overrides.
    pub sets: Vec<String>,
    /// `--json`: machine-readable report.
    pub json: bool,
}

/// Loads and compiles the rules, returning the report to print on stdout.
pub fn run(opts: &RulesCheckOptions) -> Result<String, CliError> {
    let loaded = config::load(opts.config.as_deref(), &opts.sets).map_err(CliError)?;
    for w in &loaded.warnings {
        eprintln!("portcullis: warning: {w}");
    }
    let (_, report) = load_ruleset(&loaded.config, &opts.rule_files)?;
    if opts.json {
        serde_json::to_string_pretty(&report)
            .map(|s| s + "\n")
            .map_err(|e| CliError(format!("report: {e}")))
    } else {
        Ok(report.full())
    }
}
