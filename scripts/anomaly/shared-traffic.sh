#!/usr/bin/env bash
# Anomaly models on the public captures of ../shared/data/traffic: trains each algorithm on half
# of the captures its index labels benign and evaluates on the other half plus every capture
# labelled attack, one "attack type" per attack capture (its file name), so the recall table is
# per file. Prints, per algorithm, ROC AUC, TPR at FPR 1 % and the per-file recall at the
# calibrated threshold; writes the Markdown reports (with ROC and score plots) under --out.
#
# Usage: scripts/anomaly/shared-traffic.sh [--out DIR] [--algos "gmm kmeans ocsvm"]
# Environment: PORTCULLIS_SHARED_DATA (default ../shared/data), TRAIN (the portcullis-train
# binary; default target/release/portcullis-train, built when missing).
#
# The benign half is small (about 4,800 packets over 135 captures, two thirds of them a handful of
# packets each): the figures say how the features separate these attacks from this background,
# not how a model trained on a real network's weeks of traffic would do.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

DATA="${PORTCULLIS_SHARED_DATA:-$REPO_ROOT/../shared/data}"
TRAIN="${TRAIN:-$REPO_ROOT/target/release/portcullis-train}"
OUT="$(mktemp -d /tmp/pc-shared-anomaly.XXXXXX)"
ALGOS="gmm kmeans ocsvm"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) OUT="${2:?--out needs a directory}" && shift ;;
        --algos) ALGOS="${2:?--algos needs a list}" && shift ;;
        -h | --help) sed -n '2,14p' "$0" && exit 0 ;;
        *) log anomaly "unknown argument: $1" && exit 2 ;;
    esac
    shift
done
INDEX="$DATA/TRAFFIC_INDEX.tsv"
[[ -f "$INDEX" ]] || { log anomaly "no $INDEX (set PORTCULLIS_SHARED_DATA)"; exit 1; }
if [[ ! -x "$TRAIN" ]]; then
    log anomaly "building $TRAIN (release)"
    cargo build --release -p portcullis-train
fi
mkdir -p "$OUT"

# Captures under traffic/ by label, in index order; benign ones alternate between fit and test.
mapfile -t benign < <(awk -F'\t' '$1 ~ /^traffic\// && $7 == "benign" { print $1 }' "$INDEX")
mapfile -t attacks < <(awk -F'\t' '$1 ~ /^traffic\// && $7 == "attack" { print $1 }' "$INDEX")
fit=() test=()
for i in "${!benign[@]}"; do
    if ((i % 2 == 0)); then fit+=("$DATA/${benign[$i]}"); else test+=("$DATA/${benign[$i]}"); fi
done
labels="$OUT/labels.csv"
echo "capture,src_ip,start_epoch,end_epoch,attack" >"$labels"
for a in "${attacks[@]}"; do
    name="$(basename "$a")"
    test+=("$DATA/$a")
    # Every flow of an attack capture is the attack (whole-capture window).
    echo "$name,*,0,99999999999,${name%.*}" >>"$labels"
done
log anomaly "${#fit[@]} benign captures to fit; ${#test[@]} to evaluate (${#attacks[@]} attack captures)"

for algo in $ALGOS; do
    model="$OUT/$algo.model.json"
    "$TRAIN" fit -r "${fit[@]}" --labels "$labels" -o "$model" --algo "$algo" --seed 1 >"$OUT/$algo.fit.log" 2>&1 \
        || { log anomaly "$algo: fit failed"; tail -5 "$OUT/$algo.fit.log" >&2; exit 1; }
    "$TRAIN" evaluate -m "$model" -r "${test[@]}" --labels "$labels" --report "$OUT/$algo" --json \
        >"$OUT/$algo.json" 2>"$OUT/$algo.eval.log" \
        || { log anomaly "$algo: evaluate failed"; tail -5 "$OUT/$algo.eval.log" >&2; exit 1; }
    python3 - "$algo" "$OUT/$algo.json" <<'PY'
import json, sys
algo, path = sys.argv[1], sys.argv[2]
m = json.load(open(path))
def fmt(v):
    return f"{v:.3f}" if isinstance(v, float) else str(v)
print(f"\n{algo}: " + ", ".join(f"{k} {fmt(m[k])}" for k in m if not isinstance(m[k], (dict, list))))
print(f"{'attack capture':42} {'flows':>6} {'detected':>8} {'recall':>7}")
for r in sorted(m["per_attack"], key=lambda r: r["attack"]):
    print(f"{r['attack']:42} {r['flows']:>6} {r['detected']:>8} {fmt(r['recall']):>7}")
PY
done
log anomaly "reports in $OUT/<algo>/report.md"
