#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ one after another, each for a bounded time, and prints a
# summary (executions, exec/s, coverage, crashes). Exits non-zero if any target crashed; the
# crashing input is in fuzz/artifacts/<target>/ (reproduce it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz <target> <file>`).
#
# Usage: scripts/fuzz.sh [--seconds N] [target...]
#   --seconds N   time per target (default 600)
#   target        decode, rule_parser, reassembly, engine, capture (default: all)
#
# cargo-fuzz needs nightly-only flags (sanitizers, coverage); the stable toolchain accepts them
# with RUSTC_BOOTSTRAP=1. Seed corpora are generated under fuzz/corpus/ (git-ignored: they hold
# frames and rules from ../shared/data, which never go into the repository):
#   decode       frames of `portcullis demo-capture` and of the captures in ../shared/data/traffic
#   rule_parser  rules of configs/demo.rules and of ../shared/data/rules/et-open, one per file
#   reassembly, engine   a few random byte strings (the inputs are decoded with `arbitrary`)
#   capture      the first 4 KiB of the demo capture and of each capture in ../shared/data/traffic
# The capture target needs the `portcullis` crate, which links the system DPDK: it is built with
# `--features capture` into its own target folder (fuzz/target-capture).
# Environment: PORTCULLIS (the binary for demo-capture, default target/release/portcullis, built
# if missing), PORTCULLIS_SHARED_DATA (default ../shared/data).
#
# Long-running: not part of CI (.ci/run).

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ALL_TARGETS=(decode rule_parser reassembly engine capture)
seconds=600
targets=()
while [[ $# -gt 0 ]]; do
    case "$1" in
    --seconds)
        seconds="${2:?--seconds needs a value}"
        shift 2
        ;;
    --seconds=*)
        seconds="${1#--seconds=}"
        shift
        ;;
    -h | --help)
        sed -n '2,20p' "$0"
        exit 0
        ;;
    -*)
        log fuzz "unknown option $1"
        exit 2
        ;;
    *)
        targets+=("$1")
        shift
        ;;
    esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || {
    log fuzz "--seconds must be a positive number"
    exit 2
}
[[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
    [[ -f "fuzz/fuzz_targets/$t.rs" ]] || {
        log fuzz "unknown target $t (have: ${ALL_TARGETS[*]})"
        exit 2
    }
done

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    log fuzz "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

DATA="${PORTCULLIS_SHARED_DATA:-$REPO_ROOT/../shared/data}"
CORPUS="$REPO_ROOT/fuzz/corpus"
LOGS="$REPO_ROOT/fuzz/logs"
mkdir -p "$CORPUS" "$LOGS"

# split_frames OUT_DIR PREFIX MAX_PER_FILE CAPTURE...: writes each frame of the captures (classic
# pcap either byte order, or pcapng) to OUT_DIR/PREFIX-<n>.
split_frames() {
    python3 - "$@" <<'PY'
import os, struct, sys
out, prefix, limit, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
n = 0
for path in files:
    try:
        data = open(path, 'rb').read()
    except OSError:
        continue
    frames = []
    if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
        pos = 24
        while pos + 16 <= len(data) and len(frames) < limit:
            incl = struct.unpack(e + 'I', data[pos + 8:pos + 12])[0]
            frames.append(data[pos + 16:pos + 16 + incl])
            pos += 16 + incl
    elif data[:4] == b'\x0a\x0d\x0d\x0a' and len(data) >= 12:
        e = '<' if data[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
        pos = 0
        while pos + 12 <= len(data) and len(frames) < limit:
            btype, blen = struct.unpack(e + 'II', data[pos:pos + 8])
            if blen < 12:
                break
            if btype == 6 and blen >= 32:
                caplen = struct.unpack(e + 'I', data[pos + 20:pos + 24])[0]
                frames.append(data[pos + 28:pos + 28 + caplen])
            pos += blen
    for f in frames:
        with open(os.path.join(out, '%s-%05d' % (prefix, n)), 'wb') as fh:
            fh.write(f)
        n += 1
print(n)
PY
}

# random_seeds OUT_DIR: a few deterministic random byte strings of various sizes.
random_seeds() {
    python3 - "$1" <<'PY'
import os, random, sys
rng = random.Random(7)
for i, size in enumerate([16, 64, 256, 1024, 4096]):
    with open(os.path.join(sys.argv[1], 'seed-random-%d' % i), 'wb') as fh:
        fh.write(bytes(rng.randrange(256) for _ in range(size)))
PY
}

# demo_capture FILE: writes the project's demo capture (building the binary if needed); false
# when it cannot.
demo_capture() {
    local bin="${PORTCULLIS:-$REPO_ROOT/target/release/portcullis}"
    if [[ ! -x "$bin" ]]; then
        log fuzz "building $bin for the demo capture"
        cargo build --release -p portcullis || log fuzz "build failed: no demo-capture seeds"
    fi
    [[ -x "$bin" ]] && "$bin" demo-capture -o "$1" >/dev/null
}

# traffic_captures: the capture files in ../shared/data/traffic, one per line.
traffic_captures() {
    if [[ -d "$DATA/traffic" ]]; then
        find "$DATA/traffic" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort
    else
        log fuzz "$DATA/traffic not found: no seeds from it"
    fi
}

seed_decode() {
    local dir="$1" tmp files=()
    tmp="$(mktemp -d)"
    if demo_capture "$tmp/demo.pcap"; then
        log fuzz "decode: $(split_frames "$dir" seed-demo 100000 "$tmp/demo.pcap") demo frames"
    fi
    rm -rf "$tmp"
    mapfile -t files < <(traffic_captures)
    if [[ ${#files[@]} -gt 0 ]]; then
        log fuzz "decode: $(split_frames "$dir" seed-traffic 40 "${files[@]}") frames from $DATA/traffic"
    fi
}

seed_capture() {
    local dir="$1" f n=0
    demo_capture "$dir/demo.pcap" && head -c 4096 "$dir/demo.pcap" >"$dir/seed-demo" && rm -f "$dir/demo.pcap"
    while IFS= read -r f; do
        head -c 4096 "$f" >"$dir/seed-traffic-$n"
        n=$((n + 1))
    done < <(traffic_captures)
    log fuzz "capture: $n capture heads from $DATA/traffic"
}

seed_rule_parser() {
    local dir="$1"
    # One rule per file, then the whole demo file (the loader's multi-line path).
    python3 - "$dir" "$REPO_ROOT/configs/demo.rules" "$DATA/rules/et-open" <<'PY'
import glob, os, sys
out, demo, et = sys.argv[1], sys.argv[2], sys.argv[3]
n = 0
def put(name, text):
    with open(os.path.join(out, name), 'wb') as fh:
        fh.write(text)
lines = [l for l in open(demo, 'rb').read().splitlines() if l.strip() and not l.startswith(b'#')]
for i, l in enumerate(lines):
    put('seed-demo-%03d' % i, l)
    # The same rule with a packet: control bytes (header-relaxed, flow to server, established),
    # then a payload.
    put('seed-demo-pkt-%03d' % i, l + b'\0' + b'\x1f' + b'\x40' * 23 + b'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n')
put('seed-demo-file', open(demo, 'rb').read())
for path in sorted(glob.glob(os.path.join(et, '*.rules'))):
    rules = [l for l in open(path, 'rb').read().splitlines() if l.startswith((b'alert', b'drop', b'pass', b'reject'))]
    for i, l in enumerate(rules[:25]):
        put('seed-et-%s-%02d' % (os.path.basename(path)[:-6], i), l)
print(len(os.listdir(out)))
PY
}

# Seeds are generated once per corpus folder; what the fuzzer adds stays between runs.
seed() {
    local t="$1" dir="$CORPUS/$1"
    mkdir -p "$dir"
    if compgen -G "$dir/seed-*" >/dev/null; then
        return
    fi
    log fuzz "$t: generating seed corpus in $dir"
    case "$t" in
    decode) seed_decode "$dir" ;;
    capture) seed_capture "$dir" ;;
    rule_parser) log fuzz "rule_parser: $(seed_rule_parser "$dir") seeds" ;;
    *) random_seeds "$dir" ;;
    esac
}

# build_args TARGET: cargo-fuzz options for TARGET (features and target folder).
build_args() {
    if [[ "$1" == capture ]]; then
        echo --features capture --target-dir fuzz/target-capture
    fi
}

log fuzz "building targets: ${targets[*]}"
for t in "${targets[@]}"; do
    # shellcheck disable=SC2046 # word splitting of the options is intended
    cargo fuzz build --fuzz-dir fuzz $(build_args "$t") "$t"
done

summary=()
crashed=0
for t in "${targets[@]}"; do
    seed "$t"
    extra=()
    [[ -f "fuzz/$t.dict" ]] && extra+=("-dict=fuzz/$t.dict")
    logfile="$LOGS/$t.log"
    log fuzz "$t: fuzzing for ${seconds}s (log: $logfile)"
    rc=0
    # shellcheck disable=SC2046
    cargo fuzz run --fuzz-dir fuzz $(build_args "$t") "$t" "$CORPUS/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 \
        "${extra[@]}" >"$logfile" 2>&1 || rc=$?
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logfile" | grep -o '[0-9]*$' || true)"
    rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$logfile" | grep -o '[0-9]*$' || true)"
    cov="$(grep -o 'cov: [0-9]* ft: [0-9]*' "$logfile" | tail -n 1 || true)"
    corp="$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$logfile" | tail -n 1 || true)"
    if [[ $rc -ne 0 ]]; then
        crashed=1
        artifact="$(grep -o 'Test unit written to [^ ]*' "$logfile" | tail -n 1 | sed 's/Test unit written to //' || true)"
        status="CRASH rc=$rc ${artifact:-see log}"
        tail -n 40 "$logfile" >&2
    else
        status="ok"
    fi
    summary+=("$(printf '%-12s %12s execs %8s exec/s  %-22s %-18s %s' \
        "$t" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "${corp:-corp: ?}" "$status")")
done

printf '\nfuzz summary (%ss per target)\n' "$seconds"
printf '%s\n' "${summary[@]}"
exit "$crashed"
