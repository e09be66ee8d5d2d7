# Shared by the lab scripts (sourced, not run): the lab's names and addresses, and the one
# teardown used by run.sh's trap and by cleanup.sh. Every object the lab creates carries the
# LAB_PREFIX, so teardown can find leftovers of a crashed run without touching anything else.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the arrays and constants here are read by the scripts sourcing this

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

LAB_DIR="$SCRIPTS/lab"
LAB_PREFIX="pc-lab"

# Namespaces: one holding the bridge (and the capture), one per host.
NS_BR="$LAB_PREFIX-br"
NS_SRV="$LAB_PREFIX-srv"
NS_ATK="$LAB_PREFIX-atk"
NS_CLIENTS=("$LAB_PREFIX-cli1" "$LAB_PREFIX-cli2" "$LAB_PREFIX-cli3")

# Addresses: all in 198.18.0.0/24 (RFC 2544 benchmarking space), no default route anywhere.
LAB_NET_PREFIX=24
SRV_IP="198.18.0.10"
CLIENT_IPS=("198.18.0.21" "198.18.0.22" "198.18.0.23")
ATK_IP="198.18.0.66"

# The temporary login that SSH and FTP (and their brute-force attacks) use; removed by teardown.
LAB_USER="$LAB_PREFIX-user"

# Temp directories are named $LAB_TMP_ROOT/$LAB_PREFIX.XXXXXX so that cleanup.sh can find them.
LAB_TMP_ROOT="${TMPDIR:-/tmp}"

export LAB_DIR LAB_PREFIX NS_BR NS_SRV NS_ATK SRV_IP ATK_IP LAB_USER

# lab_namespaces: prints the lab's namespaces that exist now (only names with the prefix).
lab_namespaces() {
    ip netns list 2>/dev/null | awk -v p="$LAB_PREFIX-" 'index($1, p) == 1 { print $1 }'
}

# kill_namespace_processes SIGNAL NS: signals every process that lives in namespace NS. Processes
# in a lab namespace were all started by the lab, so this never reaches a host process.
kill_namespace_processes() {
    local signal="$1" ns="$2" pids
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
    if ((${#pids[@]} > 0)); then
        kill "-$signal" "${pids[@]}" 2>/dev/null || true
    fi
}

# lab_processes: prints the pids of processes whose command line names a lab temp directory
# (every daemon, client and capture of a run does), wherever they live: this finds what a
# deleted namespace would hide from `ip netns pids`.
lab_processes() {
    local cmdline pid args
    for cmdline in /proc/[0-9]*/cmdline; do
        pid="${cmdline#/proc/}"
        pid="${pid%/cmdline}"
        [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
        # Read in bash itself: a helper process would carry the pattern in its own arguments.
        mapfile -d '' args 2>/dev/null <"$cmdline" || continue
        if [[ "${args[*]}" == *"$LAB_TMP_ROOT/$LAB_PREFIX."* ]]; then
            echo "$pid"
        fi
    done
    return 0
}

# lab_teardown: stops every process in the lab namespaces (TERM, then KILL after a grace period),
# deletes the namespaces (which deletes the bridge and every veth with them), removes the
# temporary user and the lab's temp directories. Idempotent: each step skips what is gone.
lab_teardown() {
    local ns namespaces
    mapfile -t namespaces < <(lab_namespaces)
    for ns in "${namespaces[@]}"; do
        kill_namespace_processes TERM "$ns"
    done
    local waited=0
    while ((waited < 20)); do
        local alive=0
        for ns in "${namespaces[@]}"; do
            if [[ -n "$(ip netns pids "$ns" 2>/dev/null)" ]]; then
                alive=1
            fi
        done
        ((alive == 0)) && break
        sleep 0.1
        waited=$((waited + 1))
    done
    for ns in "${namespaces[@]}"; do
        kill_namespace_processes KILL "$ns"
        ip netns delete "$ns" 2>/dev/null || true
    done
    local pids
    mapfile -t pids < <(lab_processes)
    if ((${#pids[@]} > 0)); then
        kill -KILL "${pids[@]}" 2>/dev/null || true
    fi
    if getent passwd "$LAB_USER" >/dev/null 2>&1; then
        userdel --remove "$LAB_USER" 2>/dev/null || userdel "$LAB_USER" 2>/dev/null || true
    fi
    local dir
    for dir in "$LAB_TMP_ROOT/$LAB_PREFIX".*; do
        [[ -d "$dir" ]] && rm -rf -- "$dir"
    done
    return 0
}

# lab_leftovers: prints every lab object that still exists (namespaces, processes, links with the
# prefix in the root namespace, the temporary user, temp directories); prints nothing on a clean
# machine.
lab_leftovers() {
    lab_namespaces | sed 's/^/netns /'
    lab_processes | sed 's/^/process /'
    ip -o link show 2>/dev/null | awk -F': ' -v p="$LAB_PREFIX" 'index($2, p) == 1 { print "link " $2 }'
    if getent passwd "$LAB_USER" >/dev/null 2>&1; then
        echo "user $LAB_USER"
    fi
    local dir
    for dir in "$LAB_TMP_ROOT/$LAB_PREFIX".*; do
        [[ -e "$dir" ]] && echo "dir $dir"
    done
    return 0
}

# attack_window_counts PCAP LABELS GRACE: per label line of LABELS (a labels.csv, header
# optional), the packets to or from that line's src_ip from its start until GRACE seconds after
# its end, each packet counted for the latest window that started before it; then the number of
# such packets outside every window. Fails when a window has no packet or some fall outside.
attack_window_counts() {
    local pcap="$1" labels="$2" grace="$3" src
    src="$(awk -F, '$1 != "capture" { print $2; exit }' "$labels")"
    [[ -n "$src" ]] || return 1
    tcpdump -tt -n -r "$pcap" host "$src" 2>/dev/null | awk -v labels="$labels" -v g="$grace" '
        BEGIN {
            while ((getline line < labels) > 0) {
                split(line, f, ",")
                if (f[1] == "capture") continue
                n++; s[n] = f[3]; e[n] = f[4]; t[n] = f[5]
            }
        }
        {
            ts = $1 + 0; w = 0
            for (i = 1; i <= n; i++) if (ts >= s[i]) w = i
            if (w > 0 && ts <= e[w] + g) c[w]++; else outside++
        }
        END {
            for (i = 1; i <= n; i++) {
                printf "  %-15s %6.1f s %8d packets\n", t[i], e[i] - s[i], c[i]
                if (c[i] == 0) bad = 1
            }
            printf "  outside every window (+%s s): %d packets\n", g, outside
            exit (bad || outside > 0)
        }'
}

# require_root TAG: the lab creates namespaces and users, which needs root.
require_root() {
    if ((EUID != 0)); then
        log "$1" "must run as root (network namespaces, a temporary user)"
        exit 1
    fi
}
