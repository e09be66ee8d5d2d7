//! Conformance against Suricata's regression suite (suricata-verify) in the shared data folder.
//! Run with `cargo test -p portcullis-tests --test conformance -- --nocapture` to see the tables;
//! set `PORTCULLIS_CONFORMANCE_REPORT=<file>` to keep the Markdown report.

use std::path::Path;

use portcullis_tests::verify::data::require_suricata_verify;
use portcullis_tests::verify::index::{read_foundation, read_index, select, IndexEntry};
use portcullis_tests::verify::report::{publish, render_markdown};
use portcullis_tests::verify::runner::{Outcome, Runner, TestResult};

/// Foundation tests that must pass; raised as the engine grows.
const MIN_FOUNDATION_PASS: usize = 20;

/// Runs `entries` through the real CLI, prints the report section and publishes it.
fn run_and_report(title: &str, suite: &Path, entries: &[IndexEntry]) -> Vec<TestResult> {
    let runner = Runner::new(suite, portcullis::cli::run).expect("scratch folder");
    let results = runner.run_all(entries);
    let markdown = render_markdown(title, &results);
    println!("{markdown}");
    let written = publish(&markdown, runner.scratch()).expect("report written");
    if let Some(kept) = written.get(1) {
        println!("report appended to {}", kept.display());
    }
    results
}

#[test]
fn foundation_conformance() {
    let Some(suite) = require_suricata_verify("foundation_conformance") else {
        return;
    };
    let index = read_index(&suite).expect("INDEX.tsv");
    let names = read_foundation(&suite).expect("FOUNDATION.txt");
    let results = run_and_report(
        "Foundation (FOUNDATION.txt)",
        &suite,
        &select(&index, &names),
    );
    let passed = results
        .iter()
        .filter(|r| r.outcome == Outcome::Passed)
        .count();
    assert!(
        passed >= MIN_FOUNDATION_PASS,
        "{passed} of {} foundation tests passed; at least {MIN_FOUNDATION_PASS} must",
        results.len()
    );
}

#[test]
fn all_categories_report() {
    let Some(suite) = require_suricata_verify("all_categories_report") else {
        return;
    };
    let index = read_index(&suite).expect("INDEX.tsv");
    let results = run_and_report("All categories (INDEX.tsv)", &suite, &index);
    assert_eq!(results.len(), index.len());
    let crashes: Vec<String> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Crashed(reason) => Some(format!("{}: {reason}", r.entry.test)),
            _ => None,
        })
        .collect();
    assert!(crashes.is_empty(), "the CLI crashed on: {crashes:#?}");
}
