#!/usr/bin/env bash
# The project's checks, as CI runs them: formatting, lints (warnings are errors) and every test
# of the workspace. Exits non-zero on the first failure.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$SCRIPTS/setup.sh"

log test "cargo fmt --check"
cargo fmt --all -- --check

log test "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

# Debug profile on purpose: a release build of the workspace roughly doubles compile time, and
# the tests need correctness, not speed.
log test "cargo test"
cargo test --workspace

log test "all checks passed"
