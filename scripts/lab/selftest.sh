#!/usr/bin/env bash
# Smoke test of the lab: one short attack-mode run (--duration 15), then checks that its capture
# exists with more than 1000 packets, that labels.csv has the exact header and one sane line per
# attack type (right capture and attacker, ordered non-overlapping windows inside the capture,
# attacker packets inside each window and none outside them), and that nothing of the lab is
# left afterwards, also after cleanup.sh (run twice: it must be idempotent). Needs root and the
# packages of setup.sh. Ends with an "N passed, N failed" line; exits non-zero on any failure.

# shellcheck source=scripts/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/lab/attacks.sh
source "$LAB_DIR/attacks.sh"

export LC_ALL=C
require_root selftest

DURATION=15
SLOT=2 # run.sh's slot for DURATION 15: DURATION / 6 clamped to 2..10
# A window lasts at most the slot + 2 s of `timeout` + 1 s of kill grace; 1 s more for overhead.
MAX_WINDOW=$((SLOT + 4))
# Seconds after a window in which the attacker's packets still count as that attack's (the
# replies and resets that follow the tool's exit).
GRACE=2
PASSED=0
FAILED=0

check() {
    local name="$1"
    shift
    if "$@"; then
        PASSED=$((PASSED + 1))
        log selftest "ok    $name"
    else
        FAILED=$((FAILED + 1))
        log selftest "FAIL  $name"
    fi
}

OUT="$(mktemp -d "${TMPDIR:-/tmp}/portcullis-lab-selftest.XXXXXX")"
log selftest "running: scripts/lab/run.sh --out $OUT --duration $DURATION --attacks --seed 1"
run_status=0
timeout --kill-after=10 300 "$LAB_DIR/run.sh" --out "$OUT" --duration "$DURATION" --attacks --seed 1 ||
    run_status=$?
check "run.sh exits 0 (got $run_status)" test "$run_status" -eq 0

mapfile -t PCAPS < <(find "$OUT" -maxdepth 1 -name '*.pcap' -printf '%f\n')
check "exactly one capture (${#PCAPS[@]})" test "${#PCAPS[@]}" -eq 1
PCAP="${PCAPS[0]:-none.pcap}"
PACKETS=0
if [[ -f "$OUT/$PCAP" ]]; then
    PACKETS=$(tcpdump -n -r "$OUT/$PCAP" 2>/dev/null | wc -l)
fi
check "capture has more than 1000 packets ($PACKETS)" test "$PACKETS" -gt 1000

LABELS="$OUT/labels.csv"
check "labels.csv header" test "$(head -n 1 "$LABELS" 2>/dev/null)" == \
    "capture,src_ip,start_epoch,end_epoch,attack"

# labels_sane: one line per attack type, in order, each on this capture and attacker, start <
# end, window no longer than MAX_WINDOW, windows ordered without overlap, inside the capture.
labels_sane() {
    local first last
    read -r first last < <(tcpdump -tt -n -r "$OUT/$PCAP" 2>/dev/null |
        awk 'NR == 1 { f = $1 } { l = $1 } END { print f, l }')
    tail -n +2 "$LABELS" | awk -F, -v cap="$PCAP" -v atk="$ATK_IP" -v max="$MAX_WINDOW" \
        -v first="$first" -v last="$last" -v types="${ATTACK_TYPES[*]}" '
        BEGIN { n = split(types, want, " ") }
        {
            i++
            if (NF != 5) { print "line " i ": " NF " fields"; bad = 1 }
            if ($1 != cap) { print "line " i ": capture " $1; bad = 1 }
            if ($2 != atk) { print "line " i ": src_ip " $2; bad = 1 }
            if ($5 != want[i]) { print "line " i ": attack " $5 " (want " want[i] ")"; bad = 1 }
            if (!($3 < $4)) { print "line " i ": start not before end"; bad = 1 }
            if ($4 - $3 > max) { print "line " i ": window " $4 - $3 " s > " max; bad = 1 }
            if (i > 1 && $3 < prev) { print "line " i ": overlaps the previous window"; bad = 1 }
            if ($3 < first || $4 > last) { print "line " i ": window outside the capture"; bad = 1 }
            prev = $4
        }
        END { if (i != n) { print i " lines, want " n; bad = 1 } exit bad }' >&2
}
check "one sane label line per attack type" labels_sane

check "attacker traffic inside the windows (+${GRACE} s), and in every window" \
    attack_window_counts "$OUT/$PCAP" "$LABELS" "$GRACE"

check "no lab leftovers after the run" test -z "$(lab_leftovers)"
check "cleanup.sh on a clean machine" "$LAB_DIR/cleanup.sh"
check "cleanup.sh again (idempotent)" "$LAB_DIR/cleanup.sh"
check "no lab leftovers at the end" test -z "$(lab_leftovers)"

if ((FAILED == 0)); then
    rm -rf -- "$OUT"
else
    log selftest "run output kept in $OUT"
fi
echo "lab: $PASSED passed, $FAILED failed"
((FAILED == 0))
