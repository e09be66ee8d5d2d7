//! Locating the public test data (`../shared/data` from the project root) for tests: a test
//! skips with a message when it is absent, but fails when `CI=true`.

use std::path::PathBuf;

/// `<project>/../shared/data/<rel>` if it exists; `None` (after printing why) when absent
/// outside CI. Panics when absent and `CI=true`.
pub fn data_path(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(rel);
    if let Ok(path) = path.canonicalize() {
        return Some(path);
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "test data {} is missing",
        path.display()
    );
    println!("skipping: test data {} is absent", path.display());
    None
}
