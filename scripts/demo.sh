#!/usr/bin/env bash
# The Portcullis demo: builds the release binary, writes the demo capture (office traffic with
# seven attacks), runs it through configs/demo.rules as an inline IPS would (--simulate-ips),
# and prints the alerts and the number of dropped packets.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

OUT="out/demo"
BIN="target/release/portcullis"
CAPTURE="$OUT/demo.pcap"
RULES="configs/demo.rules"

# The engine run. Offline today: the pcap reader. When the DPDK data plane lands this becomes
# `portcullis run` with the capture on a net_pcap virtual port; nothing else here changes.
run_engine() {
    "$BIN" read -r "$CAPTURE" -S "$RULES" -l "$OUT" --simulate-ips
}

"$SCRIPTS/setup.sh"

log demo "building (release)"
cargo build --release -p portcullis

mkdir -p "$OUT"
rm -f "$OUT/eve.json"
log demo "writing $CAPTURE"
"$BIN" demo-capture -o "$CAPTURE"

log demo "running $CAPTURE through $RULES (simulated IPS)"
run_engine

python3 "$SCRIPTS/eve_summary.py" "$OUT/eve.json"
