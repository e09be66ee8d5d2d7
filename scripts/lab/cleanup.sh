#!/usr/bin/env bash
# Removes what a crashed or killed lab run left behind: processes in the lab's namespaces, the
# namespaces (with the bridge and veths inside them), the temporary user and the temp
# directories. Touches only objects named with the pc-lab prefix; idempotent, so running it on a
# clean machine does nothing. Exits non-zero if something could not be removed.

# shellcheck source=scripts/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root cleanup
# A run that is still alive tears itself down; removing its objects under it would only make it
# fail. Its temp directory holds its pid.
for pidfile in "$LAB_TMP_ROOT/$LAB_PREFIX".*/run.pid; do
    [[ -r "$pidfile" ]] || continue
    pid="$(<"$pidfile")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && grep -q 'lab/run.sh' "/proc/$pid/cmdline" 2>/dev/null; then
        log cleanup "a lab run is in progress (pid $pid); stop it (kill -TERM $pid) instead"
        exit 1
    fi
done
before="$(lab_leftovers)"
if [[ -z "$before" ]]; then
    log cleanup "nothing to clean"
    exit 0
fi
log cleanup "removing:"
lab_leftovers | sed "s/^/  /" >&2
lab_teardown
after="$(lab_leftovers)"
if [[ -n "$after" ]]; then
    log cleanup "could not remove:"
    lab_leftovers | sed "s/^/  /" >&2
    exit 1
fi
log cleanup "clean"
