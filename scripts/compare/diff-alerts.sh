#!/usr/bin/env bash
# Runs Portcullis and Suricata 7 on every capture of ../shared/data/traffic (the 331 files listed
# in TRAFFIC_INDEX.tsv), each capture on its own (fresh flow state, alerts attributable), with the
# same rule file (the ET Open subset of rules.sh), the same classification file and no checksum
# validation (-k none: many captures were taken with checksum offload). Then compares the alerts
# per capture and per sid and writes out/compare/alerts.md.
#
# Suricata starts once, in unix-socket mode, and is handed the captures one by one with their own
# output folders (`pcap-file <file> <dir>`): it resets flows, hosts and defrag state between files
# as a fresh `suricata -r` would, without loading the rules 331 times. Portcullis runs
# `portcullis read -r <file>` per capture. Raw EVE files stay in out/compare/alerts-run/.

# shellcheck source=scripts/compare/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_suricata
build_portcullis
write_suricata_conf
need_subset_rules

RUN="$OUT/alerts-run"
rm -rf "$RUN"
mkdir -p "$RUN/portcullis" "$RUN/suricata" "$RUN/suricata-main"
CAPTURES="$RUN/captures.tsv"
# index <TAB> path <TAB> link type of each capture (the index lists only captures, not READMEs).
awk -F'\t' 'NR > 1 && $1 ~ /^traffic\// { printf "%03d\t%s\t%s\n", ++n, $1, $3 }' \
    "$DATA/TRAFFIC_INDEX.tsv" >"$CAPTURES"
count=$(wc -l <"$CAPTURES")
log alerts "$count captures, rules $SUBSET_RULES ($(grep -vc '^#' "$SUBSET_RULES") rules)"

SOCK="$RUN/suricata.sock"
suricata -c "$SURICATA_CONF" -S "$SUBSET_RULES" -k none --unix-socket="$SOCK" \
    -l "$RUN/suricata-main" >"$RUN/suricata-main/stdout.log" 2>&1 &
SURICATA_PID=$!
stop_suricata() {
    if kill -0 "$SURICATA_PID" 2>/dev/null; then
        suricatasc -c shutdown "$SOCK" >/dev/null 2>&1 || kill "$SURICATA_PID" 2>/dev/null || true
        wait "$SURICATA_PID" 2>/dev/null || true
    fi
}
trap stop_suricata EXIT

# Hands every capture to Suricata once its socket answers (runs beside the Portcullis loop).
feed_suricata() {
    for _ in $(seq 600); do
        [[ -S $SOCK ]] && suricatasc -c uptime "$SOCK" >/dev/null 2>&1 && break
        kill -0 "$SURICATA_PID" 2>/dev/null || { log alerts "suricata exited: see $RUN/suricata-main"; return 1; }
        sleep 1
    done
    while IFS=$'\t' read -r idx path linktype; do
        mkdir -p "$RUN/suricata/$idx"
        # Suricata 7 cannot decode 802.11 ("datalink type 105/127 not (yet) supported"), and a
        # capture it refuses stalls its shutdown for a minute (and ends unix-socket mode), so
        # those captures are not given to it: compare_alerts.py lists them as not compared.
        if [[ $linktype == ieee-802-11* ]]; then
            echo "link type $linktype: Suricata 7 does not decode it" >"$RUN/suricata/$idx/not-compared"
            continue
        fi
        suricatasc -c "pcap-file $DATA/$path $RUN/suricata/$idx" "$SOCK" >/dev/null
    done <"$CAPTURES"
}
started=$(date +%s)
feed_suricata &
FEEDER_PID=$!

while IFS=$'\t' read -r idx path _; do
    dir="$RUN/portcullis/$idx"
    mkdir -p "$dir"
    "$PORTCULLIS" read -r "$DATA/$path" -S "$SUBSET_RULES" -l "$dir" -k none \
        --set classification-file="$CLASSIFICATION" 2>"$dir/stderr.log" ||
        echo "exit $?" >>"$dir/stderr.log"
done <"$CAPTURES"
log alerts "portcullis: $count runs in $(($(date +%s) - started)) s"

wait "$FEEDER_PID" || exit 1
# Done when the queue is empty and no file is being read.
while :; do
    kill -0 "$SURICATA_PID" 2>/dev/null || { log alerts "suricata exited early: see $RUN/suricata-main"; exit 1; }
    left=$(suricatasc -c pcap-file-number "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["message"])')
    current=$(suricatasc -c pcap-current "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["message"])')
    [[ $left == 0 && $current == None ]] && break
    sleep 1
done
log alerts "suricata: all $count captures done at $(($(date +%s) - started)) s"
stop_suricata

python3 "$COMPARE/compare_alerts.py" "$CAPTURES" "$RUN" "$SUBSET_RULES" >"$OUT/alerts.md"
log alerts "report: $OUT/alerts.md"
