# Shared by the scripts in this folder (sourced, not run): strict mode, the repository root as
# working directory, rustup's cargo on PATH, and a log helper.
# shellcheck shell=bash

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPTS="$REPO_ROOT/scripts"
export REPO_ROOT SCRIPTS
cd "$REPO_ROOT"

# rustup installs into ~/.cargo/bin, which non-login shells (CI, sudo) often lack on PATH.
if ! command -v cargo >/dev/null 2>&1 && [[ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

# log TAG MESSAGE...: one line on stderr, prefixed with the script's tag.
log() {
    local tag="$1"
    shift
    printf '[%s] %s\n' "$tag" "$*" >&2
}
