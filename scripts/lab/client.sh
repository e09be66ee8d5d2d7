#!/usr/bin/env bash
# One benign lab client, run by run.sh inside a client namespace: until a deadline, it picks an
# action at random (web pages of varied sizes, DNS lookups, SSH logins running a command, FTP
# downloads, pings), runs it under a timeout and sleeps a random interval. Deterministic sequence
# for a given seed (the timing follows the network). The SSH/FTP password comes in $SSHPASS.
# UNTIL_EPOCH is the hard deadline; run.sh may end the client earlier through WORK/until.
#
# usage: client.sh SEED UNTIL_EPOCH WORK_DIR SERVER_IP PEER_IP...

set -uo pipefail

SEED="$1"
UNTIL="$2"
WORK="$3"
SERVER="$4"
shift 4
PEERS=("$@")
USER_NAME="${LAB_USER:?}"
: "${SSHPASS:?}"
export SSHPASS

RANDOM="$SEED"
mapfile -t PAGES <"$WORK/pages.txt"
mapfile -t FTP_FILES <"$WORK/ftpfiles.txt"
mapfile -t NAMES <"$WORK/names.txt"
AGENTS=("curl/7.88.1" "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
    "Wget/1.21.3" "lab-monitor/1.0")
SSH_COMMANDS=("uname -a" "ls -la" "cat notes.txt" "df -h; uptime" "head -c 20000 data.bin | wc -c")

# pick ARRAY_ITEMS...: prints one of its arguments at random.
pick() {
    local items=("$@")
    printf '%s' "${items[RANDOM % ${#items[@]}]}"
}

# remaining: whole seconds left before the deadline (0 when past it). run.sh may bring the
# deadline forward by writing an earlier epoch into WORK/until; it can never move it later.
remaining() {
    local now=${EPOCHSECONDS} until=$UNTIL early=""
    [[ -r "$WORK/until" ]] && read -r early <"$WORK/until"
    [[ "$early" =~ ^[0-9]+$ ]] && ((early < until)) && until=$early
    if ((now >= until)); then echo 0; else echo $((until - now)); fi
}

# bounded SECS CMD...: runs CMD under timeout, never longer than what is left of the run.
bounded() {
    local secs="$1" left
    shift
    left=$(remaining)
    ((left < secs)) && secs=$left
    ((secs < 1)) && return 0
    timeout --kill-after=1 "$secs" "$@" >/dev/null 2>&1
}

web_one() {
    bounded 15 curl -s -o /dev/null -A "$(pick "${AGENTS[@]}")" "http://$SERVER$(pick "${PAGES[@]}")"
}

# Several pages over one kept-alive connection, sometimes a missing page or a HEAD request.
web_session() {
    local args=() n i
    n=$((2 + RANDOM % 4))
    for ((i = 0; i < n; i++)); do args+=(-o /dev/null "http://$SERVER$(pick "${PAGES[@]}")"); done
    case $((RANDOM % 3)) in
        0) args+=(-o /dev/null "http://$SERVER/missing-$RANDOM.html") ;;
        1) bounded 5 curl -s -I -o /dev/null "http://$SERVER/" ;;
        *) ;;
    esac
    bounded 20 curl -s -A "$(pick "${AGENTS[@]}")" "${args[@]}"
}

dns_lookup() {
    case $((RANDOM % 5)) in
        0) bounded 5 dig +tries=1 +time=2 "@$SERVER" lab.test MX ;;
        1) bounded 5 host -W 2 "nonexistent-$RANDOM.lab.test" "$SERVER" ;;
        2) bounded 5 dig +tries=1 +time=2 "@$SERVER" -x "$SERVER" ;;
        3) bounded 5 dig +tries=1 +time=2 "@$SERVER" lab.test TXT ;;
        *) bounded 5 dig +tries=1 +time=2 "@$SERVER" "$(pick "${NAMES[@]}").lab.test" A ;;
    esac
}

ssh_login() {
    bounded 15 sshpass -e ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o ConnectTimeout=5 -o PubkeyAuthentication=no -o PreferredAuthentications=password \
        -o LogLevel=ERROR "$USER_NAME@$SERVER" "$(pick "${SSH_COMMANDS[@]}")"
}

ftp_download() {
    if ((RANDOM % 2 == 0)); then
        bounded 20 curl -s -o /dev/null "ftp://$SERVER$(pick "${FTP_FILES[@]}")"
    else
        bounded 20 curl -s -o /dev/null --user "$USER_NAME:$SSHPASS" "ftp://$SERVER/data.bin"
    fi
}

pings() {
    local target="$SERVER"
    ((RANDOM % 2 == 0)) && target="$(pick "${PEERS[@]}")"
    bounded 5 ping -n -q -c $((1 + RANDOM % 4)) -i 0.3 -W 1 "$target"
}

while (($(remaining) > 0)); do
    roll=$((RANDOM % 100))
    if ((roll < 30)); then
        web_one
    elif ((roll < 45)); then
        web_session
    elif ((roll < 70)); then
        dns_lookup
    elif ((roll < 80)); then
        ssh_login
    elif ((roll < 90)); then
        ftp_download
    else
        pings
    fi
    # Think time: 0.1 to 2.0 s.
    tenths=$((1 + RANDOM % 20))
    sleep "$((tenths / 10)).$((tenths % 10))"
done
exit 0
