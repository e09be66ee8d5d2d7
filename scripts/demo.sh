#!/usr/bin/env bash
# The Portcullis demo: builds the release binary, writes the demo capture (office traffic with
# seven attacks), runs the inline IPS on DPDK with the capture replayed through a net_pcap
# virtual port (configs/demo-run.toml, rules configs/demo.rules), and prints what it blocked
# and why. What passed is in out/demo/forwarded.pcap, reject answers in out/demo/answers.pcap.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

OUT="out/demo"
BIN="target/release/portcullis"
CAPTURE="$OUT/demo.pcap"
RULES="configs/demo.rules"

# The engine run: the inline data plane on DPDK (net_pcap in, net_pcap out, no hugepages).
run_engine() {
    "$BIN" run -c configs/demo-run.toml
}

"$SCRIPTS/setup.sh"

log demo "building (release)"
cargo build --release -p portcullis

mkdir -p "$OUT"
rm -f "$OUT/eve.json"
log demo "writing $CAPTURE"
"$BIN" demo-capture -o "$CAPTURE"

log demo "running $CAPTURE inline through DPDK net_pcap ports with $RULES"
run_engine

python3 "$SCRIPTS/eve_summary.py" "$OUT/eve.json"
