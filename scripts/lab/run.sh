#!/usr/bin/env bash
# Lab traffic generator for Portcullis's anomaly model: builds network namespaces joined by a
# bridge (in a namespace of its own), runs real services in the server namespace and benign
# clients in three client namespaces, optionally runs bounded attacks from an attacker
# namespace, records everything on the bridge into one pcap, and appends the attack windows to
# labels.csv. Everything it creates is torn down on exit, interrupt or error.
#
# usage: run.sh [--out DIR] [--duration SECS] [--attacks|--benign-only] [--seed N]
#   --out DIR       where the pcap, labels.csv and the run's logs go (default: lab-out; relative
#                   to the current directory)
#   --duration SECS benign traffic length, 10..3600 (default 60); in attack mode the benign
#                   traffic keeps running until the attacks are over (each gets DURATION/6 s,
#                   clamped to 2..10 s) plus a short tail
#   --attacks       benign traffic plus the attacks (default)
#   --benign-only   benign traffic only: a training capture, no label lines
#   --seed N        seeds the clients' choices; part of the capture's name (default 1)

CALLER_DIR="$PWD" # lib.sh moves to the repository root; --out is relative to the caller
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/lab/services.sh
source "$LAB_DIR/services.sh"
# shellcheck source=scripts/lab/attacks.sh
source "$LAB_DIR/attacks.sh"

export LC_ALL=C # EPOCHREALTIME and printf with a '.' decimal point

LABELS_HEADER="capture,src_ip,start_epoch,end_epoch,attack"
OUT="lab-out"
DURATION=60
MODE=attack
SEED=1

usage() {
    sed -n '/^# usage:/,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while (($# > 0)); do
    case "$1" in
        --out) OUT="${2:?--out needs a directory}" && shift ;;
        --duration) DURATION="${2:?--duration needs seconds}" && shift ;;
        --attacks) MODE=attack ;;
        --benign-only) MODE=benign ;;
        --seed) SEED="${2:?--seed needs a number}" && shift ;;
        -h | --help) usage ;;
        *) log lab "unknown argument: $1" && usage ;;
    esac
    shift
done
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || ((DURATION < 10 || DURATION > 3600)); then
    log lab "--duration must be a whole number of seconds in 10..3600"
    exit 2
fi
if ! [[ "$SEED" =~ ^[0-9]+$ ]]; then
    log lab "--seed must be a non-negative whole number"
    exit 2
fi
require_root lab
for tool in ip tcpdump python3 /usr/sbin/sshd /usr/sbin/vsftpd /usr/sbin/dnsmasq curl dig sshpass \
    ping nmap hping3 hydra slowhttptest ethtool; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        log lab "missing $tool: run scripts/lab/setup.sh first"
        exit 1
    fi
done
if [[ -n "$(lab_leftovers)" ]]; then
    log lab "leftovers of an earlier run exist; run scripts/lab/cleanup.sh first:"
    lab_leftovers >&2
    exit 1
fi

[[ "$OUT" == /* ]] || OUT="$CALLER_DIR/$OUT"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
CAPTURE="$MODE-$STAMP-s$SEED.pcap"
WORK=""
CAPTURE_PID=""

# on_exit: the single teardown path, whatever ended the run.
on_exit() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$CAPTURE_PID" ]]; then
        kill -TERM "$CAPTURE_PID" 2>/dev/null || true
        wait "$CAPTURE_PID" 2>/dev/null || true
    fi
    if [[ -n "$WORK" && -d "$WORK/logs" ]]; then
        mkdir -p "$OUT/logs/${CAPTURE%.pcap}"
        cp -r "$WORK/logs/." "$OUT/logs/${CAPTURE%.pcap}/" 2>/dev/null || true
    fi
    lab_teardown
    if [[ -n "$(lab_leftovers)" ]]; then
        log lab "teardown left objects behind:"
        lab_leftovers >&2
    fi
    exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK="$(mktemp -d "$LAB_TMP_ROOT/$LAB_PREFIX.XXXXXX")"
chmod 755 "$WORK" # the lab user's home and the FTP root live below it
echo "$$" >"$WORK/run.pid" # lets cleanup.sh tell a live run from a crashed one
mkdir -p "$WORK/logs"

# ns_create NS: a namespace with loopback up and IPv6 off (no router/neighbour chatter in the
# capture: the lab is IPv4 only).
ns_create() {
    ip netns add "$1"
    ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    ip -n "$1" link set lo up
}

# ns_attach NS PORT IP: a veth pair created inside the bridge namespace, one end moved straight
# into NS as eth0 (nothing appears in the root namespace), the other enslaved to the bridge.
# Offloads are off so the capture holds wire-sized frames with valid checksums.
ns_attach() {
    local ns="$1" port="$2" ip_addr="$3"
    ip -n "$NS_BR" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$NS_BR" link set "$port" master br0 up
    ip netns exec "$NS_BR" ethtool -K "$port" tso off gso off gro off tx off >/dev/null 2>&1 || true
    ip -n "$ns" addr add "$ip_addr/$LAB_NET_PREFIX" dev eth0
    ip -n "$ns" link set eth0 up
    ip netns exec "$ns" ethtool -K eth0 tso off gso off gro off tx off >/dev/null 2>&1 || true
}

build_topology() {
    ns_create "$NS_BR"
    ip -n "$NS_BR" link add br0 type bridge stp_state 0 mcast_snooping 0
    ip -n "$NS_BR" link set br0 up
    ns_create "$NS_SRV"
    ns_attach "$NS_SRV" srv "$SRV_IP"
    local i
    for i in "${!NS_CLIENTS[@]}"; do
        ns_create "${NS_CLIENTS[$i]}"
        ns_attach "${NS_CLIENTS[$i]}" "cli$((i + 1))" "${CLIENT_IPS[$i]}"
    done
    if [[ "$MODE" == attack ]]; then
        ns_create "$NS_ATK"
        ns_attach "$NS_ATK" atk "$ATK_IP"
    fi
}

# start_capture: tcpdump on the (promiscuous) bridge sees every frame between the namespaces.
# It writes into the temp directory; only a run that completes moves the capture to OUT (with
# its labels), so an interrupted attack run never leaves an unlabelled capture behind.
start_capture() {
    ip netns exec "$NS_BR" tcpdump -i br0 -s 0 -n -U -Z root -w "$WORK/$CAPTURE" \
        >"$WORK/logs/tcpdump.log" 2>&1 &
    CAPTURE_PID=$!
    local tries=0
    until grep -q 'listening on' "$WORK/logs/tcpdump.log" 2>/dev/null; do
        sleep 0.1
        tries=$((tries + 1))
        if ((tries > 50)); then
            log lab "tcpdump did not start: $(cat "$WORK/logs/tcpdump.log")"
            exit 1
        fi
    done
}

# start_clients UNTIL PASSWORD: the benign clients, each with its own seed and the other
# clients as ping peers.
start_clients() {
    local until="$1" password="$2" i peers
    CLIENT_PIDS=()
    for i in "${!NS_CLIENTS[@]}"; do
        peers=("${CLIENT_IPS[@]:0:i}" "${CLIENT_IPS[@]:i+1}")
        SSHPASS="$password" LAB_USER="$LAB_USER" ip netns exec "${NS_CLIENTS[$i]}" \
            timeout --kill-after=5 $((until - EPOCHSECONDS + 30)) \
            bash "$LAB_DIR/client.sh" $((SEED * 10 + i)) "$until" "$WORK" "$SRV_IP" "${peers[@]}" \
            >"$WORK/logs/client$((i + 1)).log" 2>&1 &
        CLIENT_PIDS+=($!)
    done
}

# packet_count PCAP [FILTER...]: packets in PCAP (matching FILTER).
packet_count() {
    local pcap="$1"
    shift
    tcpdump -n -r "$pcap" "$@" 2>/dev/null | wc -l
}

SLOT=$((DURATION / 6))
((SLOT < 2)) && SLOT=2
((SLOT > 10)) && SLOT=10
LEAD=$((DURATION / 10))
((LEAD < 2)) && LEAD=2
((LEAD > 5)) && LEAD=5
TAIL=2
PASSWORD="lab-$SEED-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"

log lab "mode $MODE, duration ${DURATION}s, seed $SEED, capture $OUT/$CAPTURE"
build_topology
make_content "$WORK"
make_user "$WORK" "$PASSWORD"
write_configs "$WORK"
start_capture
start_services "$WORK"
RUN_START=$EPOCHREALTIME
RUN_START_S=$EPOCHSECONDS

LABELS_TMP="$WORK/labels.tmp"
: >"$LABELS_TMP"
if [[ "$MODE" == attack ]]; then
    # Benign traffic until the attacks are surely over: lead + slots (+ kill grace) + gaps + tail.
    UNTIL=$((EPOCHSECONDS + LEAD + ${#ATTACK_TYPES[@]} * (SLOT + 3 + ATTACK_GAP) + TAIL))
    ((UNTIL < EPOCHSECONDS + DURATION)) && UNTIL=$((EPOCHSECONDS + DURATION))
    start_clients "$UNTIL" "$PASSWORD"
    make_wordlists "$WORK" "$PASSWORD"
    sleep "$LEAD"
    run_attacks "$WORK" "$CAPTURE" "$SLOT" "$LABELS_TMP"
    # Benign traffic alone after the attacks, then the clients stop: at the run's duration or
    # now, whichever is later (the deadline they started with assumed every slot ran to its end).
    sleep "$TAIL"
    early=$((RUN_START_S + DURATION))
    ((early < EPOCHSECONDS)) && early=$EPOCHSECONDS
    echo "$early" >"$WORK/until"
else
    UNTIL=$((EPOCHSECONDS + DURATION))
    start_clients "$UNTIL" "$PASSWORD"
fi
for pid in "${CLIENT_PIDS[@]}"; do
    wait "$pid" || log lab "client $pid exited with status $?"
done
sleep 1 # let the last replies and FINs reach the capture
kill -TERM "$CAPTURE_PID"
wait "$CAPTURE_PID" || true
CAPTURE_PID=""
RUN_END=$EPOCHREALTIME
mv "$WORK/$CAPTURE" "$OUT/$CAPTURE"

LABELS="$OUT/labels.csv"
if [[ ! -s "$LABELS" ]]; then
    echo "$LABELS_HEADER" >"$LABELS"
elif [[ "$(head -n 1 "$LABELS")" != "$LABELS_HEADER" ]]; then
    log lab "$LABELS has another header; not appending (labels of this run: $OUT/${CAPTURE%.pcap}.labels.csv)"
    LABELS="$OUT/${CAPTURE%.pcap}.labels.csv"
    echo "$LABELS_HEADER" >"$LABELS"
fi
cat "$LABELS_TMP" >>"$LABELS"

TOTAL=$(packet_count "$OUT/$CAPTURE")
{
    echo "capture:  $OUT/$CAPTURE"
    echo "mode:     $MODE (seed $SEED, duration ${DURATION}s)"
    awk -v a="$RUN_START" -v b="$RUN_END" 'BEGIN { printf "elapsed:  %.1f s\n", b - a }'
    echo "packets:  $TOTAL"
    if [[ -s "$LABELS_TMP" ]]; then
        echo "from/to attacker: $(packet_count "$OUT/$CAPTURE" host "$ATK_IP")"
        echo "attacks, ${SLOT}s slots (window length, packets with the attacker in it + 2 s):"
        attack_window_counts "$OUT/$CAPTURE" "$LABELS_TMP" 2 || true
        echo "labels ($LABELS):"
        sed 's/^/  /' "$LABELS_TMP"
    fi
} | tee "$OUT/${CAPTURE%.pcap}.summary.txt" >&2
