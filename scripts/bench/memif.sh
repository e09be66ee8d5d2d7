#!/usr/bin/env bash
# Inline forwarding throughput of `portcullis run` over net_memif, with dpdk-testpmd as the
# traffic generator in a second process. See scripts/bench/README.md.
#
#   testpmd (generator, CPU 0)                          forwarder under test (worker on CPU 1)
#   port 0 net_pcap rx_pcap=<capture>,infinite_rx=1
#      │ io, chained topology
#      ▼
#   port 1 net_memif0 (client) ── a.sock ──► net_memif0 (server) ─┐ portcullis run, pair
#   port 2 net_memif1 (client) ◄── b.sock ── net_memif1 (server) ◄┘ [net_memif0, net_memif1]
#      │                                                             (or testpmd io: the ceiling)
#      ▼ counted (Rx-pps of port 2), then dropped by port 0's tx (net_pcap without tx_pcap)
#
# What testpmd receives back on port 2 is what the forwarder forwarded: that rate is the figure.
# Traffic: "64B" replays a capture of 60-byte UDP frames (64 B on the wire), 1024 flows, written
# by frames64.py; "mix" replays the project's demo capture (908 packets, 540 B on average,
# HTTP/DNS/TLS office traffic with seven attacks) or MIX_CAPTURE. testpmd's txonly mode never
# polls RX, so it could not count what comes back: replaying a capture costs the generator
# little per packet and keeps one mechanism for both traffic kinds (README.md).
#
# Usage: scripts/bench/memif.sh [--ceiling-only]
# Environment: DURATION (s per measurement, 10), WARMUP (s, 3), REPEAT (rounds, 1; see below),
#   READY_TIMEOUT (s to wait for the forwarder's first packet, 180), PORTCULLIS (binary; default
#   target/release/portcullis, built when missing), ET_OPEN (folder of *.rules, default
#   ../shared/data/rules/et-open), MIX_CAPTURE (pcap; default the demo capture), GEN_CPU (0),
#   FWD_CPU (1), KEEP=1 keeps the work folder (logs, configs, EVE) for inspection, PERF=1 records
#   a call-graph profile of the forwarder over each measurement into the work folder
#   (<tag>.perf.data, read with `perf report -i`; implies KEEP=1).

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
REPEAT="${REPEAT:-1}"
READY_TIMEOUT="${READY_TIMEOUT:-180}"
PORTCULLIS="${PORTCULLIS:-$REPO_ROOT/target/release/portcullis}"
ET_OPEN="${ET_OPEN:-$REPO_ROOT/../shared/data/rules/et-open}"
MIX_CAPTURE="${MIX_CAPTURE:-}"
GEN_CPU="${GEN_CPU:-0}"
FWD_CPU="${FWD_CPU:-1}"
PERF="${PERF:-0}"
CEILING_ONLY=0
if [[ "$PERF" == 1 ]]; then
    command -v perf >/dev/null 2>&1 || { log bench "PERF=1 needs perf (apt install linux-perf)"; exit 2; }
    KEEP=1
fi

case "${1:-}" in
    "") ;;
    --ceiling-only) CEILING_ONLY=1 ;;
    *) echo "usage: $0 [--ceiling-only]" >&2; exit 2 ;;
esac

command -v dpdk-testpmd >/dev/null || { log bench "dpdk-testpmd not found (apt install dpdk)"; exit 1; }

WORK="$(mktemp -d /tmp/pcbench.XXXXXX)"
FWD_PID=""
GEN_PID=""
GEN_FD=""
FWD_FD=""

# stop PID [GRACE]: waits GRACE seconds (default 0) for PID to exit by itself, then SIGINT
# (graceful for portcullis), SIGKILL after 20 s more; sets STOP_RC to the exit code (a global,
# since `wait` only works in the shell that started the process).
stop() {
    local pid="$1" grace="${2:-0}" i
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -INT "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    STOP_RC=0
    wait "$pid" 2>/dev/null || STOP_RC=$?
}

cleanup() {
    stop_forwarder
    stop_generator
    # DPDK leaves its runtime folder (per --file-prefix) behind.
    rm -rf /var/run/dpdk/pcb-{fwd,gen,pc}-$$ "${XDG_RUNTIME_DIR:-/tmp}"/dpdk/pcb-{fwd,gen,pc}-$$

    if [[ "${KEEP:-0}" == 1 ]]; then
        log bench "work folder kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
# The forwarder stops first, while the generator is stopped but still connected: DPDK 22.11's
# memif PMD crashes a process that is still polling when its peer disconnects.
stop_forwarder() {
    [[ -z "$FWD_PID" ]] && return 0
    if [[ -n "$FWD_FD" ]]; then # testpmd: quit at the prompt
        printf 'quit\n' >&"$FWD_FD" || true
        exec {FWD_FD}>&-
        FWD_FD=""
        stop "$FWD_PID" 10
    else
        stop "$FWD_PID"
    fi
    RC="$STOP_RC"
    FWD_PID=""
}

stop_generator() {
    [[ -z "$GEN_PID" ]] && return 0
    if [[ -n "$GEN_FD" ]]; then
        printf 'quit\n' >&"$GEN_FD" || true
        exec {GEN_FD}>&-
        GEN_FD=""
    fi
    stop "$GEN_PID" 10
    GEN_PID=""
}

trap cleanup EXIT
trap 'exit 130' INT TERM

# EAL options shared by every DPDK process here: no hugepages, no PCI scan, quiet, no telemetry.
eal_common() {
    printf '%s\n' --no-huge --no-pci --no-telemetry --log-level=lib.eal:warning
}

# memif_vdev INDEX SOCKET ROLE
memif_vdev() {
    echo "net_memif$1,role=$3,socket=$2,id=0"
}

# The ceiling: testpmd io-forwarding between the two memif servers, its forwarding lcore alone
# on FWD_CPU. Interactive, reading commands from a FIFO held open by this script: its main lcore
# then sleeps in a blocking read on GEN_CPU (non-interactive testpmd's main lcore keeps CPU 0
# busy, which would slow the generator and understate the ceiling).
start_testpmd_forwarder() {
    local tag="$1"
    mapfile -t eal < <(eal_common)
    rm -f "$WORK/fwd.in"
    mkfifo "$WORK/fwd.in"
    dpdk-testpmd --lcores "0@$GEN_CPU,1@$FWD_CPU" "${eal[@]}" -m 512 --file-prefix "pcb-fwd-$$" \
        --vdev "$(memif_vdev 0 "$WORK/a.sock" server)" --vdev "$(memif_vdev 1 "$WORK/b.sock" server)" \
        -- -i --nb-cores=1 --forward-mode=io --auto-start \
        --total-num-mbufs=16384 <"$WORK/fwd.in" >"$WORK/$tag.fwd.log" 2>&1 &
    FWD_PID=$!
    exec {FWD_FD}>"$WORK/fwd.in"
}

# portcullis run with one worker on FWD_CPU (main lcore on GEN_CPU), pair [memif0, memif1].
# RULES: a rules file, or empty for no rules.
start_portcullis_forwarder() {
    local tag="$1" rules="$2" rule_list=""
    [[ -n "$rules" ]] && rule_list="\"$rules\""
    mkdir -p "$WORK/$tag.log.d"
    cat >"$WORK/$tag.toml" <<EOF
default-log-dir = "$WORK/$tag.log.d"
rule-files = [$rule_list]
[dpdk]
eal-args = ["--lcores", "0@$GEN_CPU,1@$FWD_CPU", "-m", "1024", "--file-prefix", "pcb-pc-$$",
            $(eal_common | sed 's/.*/"&"/' | paste -sd, -)]
workers = 1
stats-interval = 0
pairs = [["net_memif0", "net_memif1"]]
[[dpdk.ports]]
name = "net_memif0"
vdev = "$(memif_vdev 0 "$WORK/a.sock" server)"
[[dpdk.ports]]
name = "net_memif1"
vdev = "$(memif_vdev 1 "$WORK/b.sock" server)"
EOF
    "$PORTCULLIS" run -c "$WORK/$tag.toml" >"$WORK/$tag.fwd.log" 2>&1 &
    FWD_PID=$!
}

# port_stat PORT FIELD: the value after "FIELD:" in testpmd's "show port stats" block of PORT
# (stdin: testpmd output). Empty when absent.
port_stat() {
    awk -v p="$1" -v f="$2:" '
        /NIC statistics for port/ { cur = $(NF - 1) }
        cur == p { for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }'
}

gen_cmd() {
    printf '%s\n' "$*" >&"$GEN_FD"
}

# gen_show LOG: asks for port stats and prints the block they produced, once port 2's (the last)
# is complete (up to 5 s).
gen_show() {
    local log="$1" mark i
    mark=$(wc -l <"$log")
    gen_cmd "show port stats all"
    for ((i = 0; i < 50; i++)); do
        sleep 0.1
        [[ -n "$(tail -n +"$((mark + 1))" "$log" | port_stat 2 Tx-pps)" ]] && break
    done
    tail -n +"$((mark + 1))" "$log"
}

# worker_seconds PID: CPU seconds used so far by PID's DPDK worker lcore threads (rte-worker-N).
worker_seconds() {
    local task ticks=0
    for task in /proc/"$1"/task/*; do
        [[ "$(cat "$task/comm" 2>/dev/null)" == rte-worker-* ]] || continue
        # utime and stime: fields 14 and 15 of stat, the 12th and 13th after "(comm) "
        ticks=$((ticks + $(sed 's/.*) //' "$task/stat" | awk '{ print $12 + $13 }')))
    done
    awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}

# measure TAG CAPTURE: starts the generator against the running forwarder, waits for the first
# packet back, warms up, then sets MEASURED="<Mpps back on port 2> <Mpps sent on port 1>
# <CPU share of the forwarder's worker>" over DURATION (runs in this shell, not a subshell, so
# the cleanup trap knows every process). The share is the fraction of one CPU the worker thread
# actually got: on a shared machine it is below 1, and Mpps / share estimates the rate of a
# worker owning its core.
measure() {
    local tag="$1" capture="$2" log="$WORK/$1.gen.log" deadline back sent i
    MEASURED=""
    for ((i = 0; i < 100; i++)); do
        [[ -S "$WORK/a.sock" && -S "$WORK/b.sock" ]] && break
        kill -0 "$FWD_PID" 2>/dev/null || { log bench "$tag: forwarder exited"; tail -5 "$WORK/$tag.fwd.log" >&2; return 1; }
        sleep 0.2
    done
    mkfifo "$WORK/gen.in"
    : >"$log"
    mapfile -t eal < <(eal_common)
    stdbuf -oL dpdk-testpmd --lcores "0@$GEN_CPU,1@$GEN_CPU" "${eal[@]}" -m 512 --file-prefix "pcb-gen-$$" \
        --vdev "net_pcap0,rx_pcap=$capture,infinite_rx=1" \
        --vdev "$(memif_vdev 0 "$WORK/a.sock" client)" --vdev "$(memif_vdev 1 "$WORK/b.sock" client)" \
        -- -i --nb-cores=1 --forward-mode=io --port-topology=chained \
        --total-num-mbufs=16384 <"$WORK/gen.in" >"$log" 2>&1 &
    GEN_PID=$!
    exec {GEN_FD}>"$WORK/gen.in"
    gen_cmd start
    deadline=$((SECONDS + READY_TIMEOUT))
    while :; do
        back=$(gen_show "$log" | port_stat 2 RX-packets)
        [[ "${back:-0}" -gt 0 ]] && break
        if ! kill -0 "$FWD_PID" 2>/dev/null || ((SECONDS > deadline)); then
            log bench "$tag: nothing came back (forwarder log: $WORK/$tag.fwd.log)"
            tail -5 "$WORK/$tag.fwd.log" >&2
            return 1
        fi
        sleep 1
    done
    sleep "$WARMUP"
    local block cpu0 cpu1 wall0 wall1
    cpu0=$(worker_seconds "$FWD_PID")
    wall0=$(date +%s.%N)
    gen_show "$log" >/dev/null
    if [[ "$PERF" == 1 ]]; then
        perf record -q -g -p "$FWD_PID" -o "$WORK/$tag.perf.data" -- sleep "$DURATION" \
            >"$WORK/$tag.perf.log" 2>&1 &
    fi
    sleep "$DURATION"
    cpu1=$(worker_seconds "$FWD_PID")
    wall1=$(date +%s.%N)
    block=$(gen_show "$log")
    back=$(port_stat 2 Rx-pps <<<"$block")
    sent=$(port_stat 1 Tx-pps <<<"$block")
    gen_cmd stop
    sleep 0.5
    MEASURED=$(awk -v b="$back" -v s="$sent" -v c0="$cpu0" -v c1="$cpu1" \
        -v w0="$wall0" -v w1="$wall1" 'BEGIN { printf "%.3f %.3f %.2f", b / 1e6, s / 1e6, (c1 - c0) / (w1 - w0) }')
}

# run_once TAG CAPTURE KIND: one measurement with a fresh forwarder of KIND (ceiling, norules,
# etopen); sets MEASURED (empty when it failed) and RC, the forwarder's exit code. Logs go to
# $WORK/TAG.*.
run_once() {
    local tag="$1" capture="$2" kind="$3"
    rm -f "$WORK/a.sock" "$WORK/b.sock"
    case "$kind" in
        ceiling) start_testpmd_forwarder "$tag" ;;
        norules) start_portcullis_forwarder "$tag" "" ;;
        etopen) start_portcullis_forwarder "$tag" "$ET_RULES" ;;
    esac
    measure "$tag" "$capture" || true
    stop_forwarder
    stop_generator
    rm -f "$WORK/gen.in" "$WORK/fwd.in"
    [[ -n "$MEASURED" ]] && log bench "$tag: $MEASURED (Mpps back, Mpps sent, worker CPU share)"
    return 0
}

# median: the median of the numbers on stdin, "-" when there are none.
median() {
    sort -g | awk 'NF { v[++n] = $1 } END {
        if (n == 0) print "-"; else if (n % 2) print v[(n + 1) / 2]; else print (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

# --- inputs -------------------------------------------------------------------------------------

python3 "$SCRIPTS/bench/frames64.py" "$WORK/frames64.pcap" 1024
HAVE_PORTCULLIS=0
if ((CEILING_ONLY == 0)); then
    if [[ ! -x "$PORTCULLIS" ]]; then
        log bench "building $PORTCULLIS (release)"
        cargo build --release -p portcullis
    fi
    if "$PORTCULLIS" run --help >/dev/null 2>&1; then
        HAVE_PORTCULLIS=1
    else
        log bench "$PORTCULLIS has no 'run' command yet: measuring the ceiling only"
    fi
fi
if [[ -n "$MIX_CAPTURE" && ! -f "$MIX_CAPTURE" ]]; then
    log bench "MIX_CAPTURE=$MIX_CAPTURE is not a file"
    exit 2
fi
if [[ -z "$MIX_CAPTURE" ]]; then
    MIX_CAPTURE="$WORK/demo.pcap"
    if [[ -x "$PORTCULLIS" ]]; then
        "$PORTCULLIS" demo-capture -o "$MIX_CAPTURE" >/dev/null
    else
        log bench "no portcullis binary for the demo capture: measuring 64-byte frames only"
        MIX_CAPTURE=""
    fi
fi
ET_RULES=""
if ((HAVE_PORTCULLIS)); then
    if compgen -G "$ET_OPEN/*.rules" >/dev/null; then
        ET_RULES="$WORK/et-open.rules"
        cat "$ET_OPEN"/*.rules >"$ET_RULES"
        log bench "ET Open: $(grep -c '^[a-z]' "$ET_RULES") active rules from $ET_OPEN"
    else
        log bench "no rules in $ET_OPEN: skipping the ET Open rows"
    fi
fi

# --- measurements -------------------------------------------------------------------------------
# Rounds: each round measures every forwarder once, back to back, so the ratios to the ceiling
# compare measurements taken under the same load; the table gives each row's best round and the
# median of its per-round ratios.

log bench "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $DURATION s per measurement, $REPEAT round(s)"
KINDS=(ceiling)
if ((HAVE_PORTCULLIS)); then
    KINDS+=(norules)
    [[ -n "$ET_RULES" ]] && KINDS+=(etopen)
fi
declare -A LABEL=([ceiling]="testpmd io (ceiling)" [norules]="portcullis, no rules" [etopen]="portcullis, ET Open")
declare -A RES=() RCS=()
TRAFFIC=(64B)
[[ -n "$MIX_CAPTURE" ]] && TRAFFIC+=(mix)
for traffic in "${TRAFFIC[@]}"; do
    capture="$WORK/frames64.pcap"
    [[ "$traffic" == mix ]] && capture="$MIX_CAPTURE"
    for ((r = 1; r <= REPEAT; r++)); do
        for kind in "${KINDS[@]}"; do
            run_once "$traffic-$kind.$r" "$capture" "$kind"
            RES["$traffic|$kind|$r"]="$MEASURED"
            ((RC == 0)) || RCS["$traffic|$kind"]="$RC"
        done
    done
done

# --- report -------------------------------------------------------------------------------------

echo
echo "Inline forwarding over net_memif, 1 forwarding core (CPU $FWD_CPU), generator on CPU $GEN_CPU,"
echo "$DURATION s per measurement, best of $REPEAT round(s)"
fmt='%-6s %-21s %9s %9s %6s %9s %9s %9s %5s\n'
# shellcheck disable=SC2059
printf "$fmt" traffic forwarder "Mpps back" "Mpps sent" share "per core" "of ceil." "per core" exit
for traffic in "${TRAFFIC[@]}"; do
    for kind in "${KINDS[@]}"; do
        best="- - -"
        raw_ratios=""
        core_ratios=""
        for ((r = 1; r <= REPEAT; r++)); do
            this="${RES["$traffic|$kind|$r"]}"
            [[ -z "$this" ]] && continue
            if [[ "$best" == "- - -" ]] || awk -v a="${this%% *}" -v b="${best%% *}" 'BEGIN { exit !(a > b) }'; then
                best="$this"
            fi
            ceil="${RES["$traffic|ceiling|$r"]}"
            [[ -z "$ceil" ]] && continue
            read -r b _ s <<<"$this"
            read -r c _ cs <<<"$ceil"
            raw_ratios+=$(awk -v b="$b" -v c="$c" 'BEGIN { if (c > 0) printf "%f\n", 100 * b / c }')$'\n'
            core_ratios+=$(awk -v b="$b" -v s="$s" -v c="$c" -v cs="$cs" \
                'BEGIN { if (c > 0 && s > 0 && cs > 0) printf "%f\n", 100 * (b / s) / (c / cs) }')$'\n'
        done
        read -r back sent share <<<"$best"
        per_core=$(awk -v b="$back" -v s="$share" 'BEGIN { if (s + 0 > 0) printf "%.3f", b / s; else print "-" }')
        raw=$(median <<<"${raw_ratios%$'\n'}" | awk '{ print ($1 == "-") ? "-" : sprintf("%.0f%%", $1) }')
        core=$(median <<<"${core_ratios%$'\n'}" | awk '{ print ($1 == "-") ? "-" : sprintf("%.0f%%", $1) }')
        # shellcheck disable=SC2059
        printf "$fmt" "$traffic" "${LABEL[$kind]}" "$back" "$sent" "$share" "$per_core" "$raw" "$core" \
            "${RCS["$traffic|$kind"]:-0}"
    done
done
echo "(share: CPU seconds per second the forwarder's worker thread got on CPU $FWD_CPU; per core:"
echo " Mpps back / share; of ceil.: median over rounds of Mpps back / the ceiling's in the same"
echo " round, then the same for per core; exit: the forwarder's exit code when stopped, non-zero"
echo " if any round failed)"
echo "(load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
