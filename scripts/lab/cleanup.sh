#!/usr/bin/env bash
# Removes what a crashed or killed lab run left behind: processes in the lab's namespaces, the
# namespaces (with the bridge and veths inside them), the temporary user and the temp
# directories. Touches only objects named with the pc-lab prefix; idempotent, so running it on a
# clean machine does nothing. Exits non-zero if something could not be removed.

# shellcheck source=scripts/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root cleanup
before="$(lab_leftovers)"
if [[ -z "$before" ]]; then
    log cleanup "nothing to clean"
    exit 0
fi
log cleanup "removing:"
sed 's/^/  /' <<<"$before" >&2
lab_teardown
after="$(lab_leftovers)"
if [[ -n "$after" ]]; then
    log cleanup "could not remove:"
    sed 's/^/  /' <<<"$after" >&2
    exit 1
fi
log cleanup "clean"
