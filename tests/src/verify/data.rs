//! Locating the shared public test data (`../shared/data` beside the repository), which a fresh
//! clone may not have: tests then skip with a message, except in CI where its absence is an error.

use std::path::{Path, PathBuf};

/// Environment variable overriding the shared data folder.
pub const SHARED_DATA_ENV: &str = "PORTCULLIS_SHARED_DATA";

/// The shared data folder: `$PORTCULLIS_SHARED_DATA`, else `<repo root>/../shared/data`.
pub fn shared_data_dir() -> PathBuf {
    match std::env::var_os(SHARED_DATA_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
            dir.canonicalize().unwrap_or(dir)
        }
    }
}

/// True when the environment says this is a CI run (`CI=true` or `CI=1`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The suricata-verify suite folder, or `None` after printing why `test` is skipped.
///
/// # Panics
/// When the folder is absent and [`in_ci`] holds: CI must never silently skip conformance.
pub fn require_suricata_verify(test: &str) -> Option<PathBuf> {
    let suite = shared_data_dir().join("suricata-verify");
    if suite.join("INDEX.tsv").is_file() {
        return Some(suite);
    }
    let message = format!(
        "{test}: SKIPPED — suricata-verify data not found at {} (set {SHARED_DATA_ENV} to the \
         shared data folder)",
        suite.display()
    );
    assert!(!in_ci(), "{message}; CI=true requires it");
    println!("{message}");
    None
}
