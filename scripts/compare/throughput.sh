#!/usr/bin/env bash
# Throughput benchmark, Portcullis vs Suricata 7 on one packet thread each, in one run: builds
# out/compare/bench.pcap (>= MIN_PACKETS, default 2M, packets from the Ethernet captures of ../shared/data/traffic and
# the project's demo capture; kept between runs, REBUILD=1 rewrites it), then runs both engines
# REPS times (default 3) with the ET Open subset and with no rules. Report: out/compare/throughput.md.
# Long: stays out of .ci/run.

# shellcheck source=scripts/compare/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REPS="${REPS:-3}"
# 2M packets (~400 MB) keep start-up (1-4 s CPU) a small share of each run.
MIN_PACKETS="${MIN_PACKETS:-2000000}"
BENCH="$OUT/bench.pcap"
TINY="$OUT/tiny.pcap"

need_suricata
build_portcullis
write_suricata_conf
need_subset_rules

# Rebuilt when asked, or when MIN_PACKETS changed since it was written.
if [[ ! -s $BENCH || ${REBUILD:-0} == 1 || $(cat "$BENCH.min" 2>/dev/null) != "$MIN_PACKETS" ]]; then
    "$PORTCULLIS" demo-capture -o "$OUT/demo.pcap"
    python3 "$COMPARE/bench_capture.py" "$BENCH" "$MIN_PACKETS" "$DATA/TRAFFIC_INDEX.tsv" \
        "$DATA" "$OUT/demo.pcap"
    echo "$MIN_PACKETS" >"$BENCH.min"
fi
# A one-packet capture: its run time is the engine's start-up and shutdown.
python3 - "$BENCH" "$TINY" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
caplen = struct.unpack("<I", data[32:36])[0]
open(sys.argv[2], "wb").write(data[:24 + 16 + caplen])
PY

WORK="$OUT/bench-run"
rm -rf "$WORK"
mkdir -p "$WORK"
: >"$WORK/empty.rules"
python3 "$COMPARE/bench_run.py" "$BENCH" "$TINY" "$SUBSET_RULES" "$WORK/empty.rules" \
    "$SURICATA_CONF" "$CLASSIFICATION" "$PORTCULLIS" "$WORK" "$REPS" >"$OUT/throughput.md"
log throughput "report: $OUT/throughput.md"
cat "$OUT/throughput.md"
