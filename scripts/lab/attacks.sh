# The lab's attacks (sourced by run.sh, not run): each runs from the attacker namespace against
# the server only, bounded twice: by its own count/rate/duration options and by a `timeout` a
# little longer than its slot. Each appends one label line bracketing the phase with epoch times
# taken just before the tool starts and just after it exits.
# shellcheck shell=bash

# The attack types, in the order they run; the names are the `attack` column of labels.csv.
ATTACK_TYPES=(portscan versionscan synflood bruteforce-ssh bruteforce-ftp slowloris)
# Quiet seconds after each attack, so that no attack's flows start inside the next one's window.
ATTACK_GAP=1
# Upper bound on the SYN flood's packets, whatever the slot.
SYN_BUDGET=5000

# make_wordlists WORK PASSWORD: small user and password lists for the brute-force attacks; the
# real password is the last candidate, so a full run of the list ends in one success.
make_wordlists() {
    local work="$1" password="$2"
    mkdir -p "$work/atk"
    printf '%s\n' root admin "$LAB_USER" >"$work/atk/users.txt"
    printf '%s\n' 123456 password admin letmein qwerty 12345678 welcome monkey dragon \
        football iloveyou master sunshine princess "$password" >"$work/atk/passwords.txt"
}

# attack_command TYPE SLOT WORK: prints nothing, fills the global ATTACK_CMD with the command
# line of TYPE bounded to SLOT seconds.
attack_command() {
    local type="$1" slot="$2" work="$3"
    case "$type" in
        portscan)
            ATTACK_CMD=(nmap -n -Pn -sS -p 1-2000 --max-retries 1 --max-rate 1000
                --host-timeout "${slot}s" "$SRV_IP")
            ;;
        versionscan)
            ATTACK_CMD=(nmap -n -Pn -sV -p "21,22,53,80" --version-intensity 5 --max-rate 200
                --host-timeout "${slot}s" "$SRV_IP")
            ;;
        synflood)
            local count=$((slot * 800))
            ((count > SYN_BUDGET)) && count=$SYN_BUDGET
            ATTACK_CMD=(hping3 -q -S -p 80 -c "$count" -i u1000 "$SRV_IP")
            ;;
        bruteforce-ssh | bruteforce-ftp)
            ATTACK_CMD=(hydra -I -f -t 4 -w 5 -L "$work/atk/users.txt" -P "$work/atk/passwords.txt"
                -o "$work/atk/hydra-${type#bruteforce-}.txt" "${type#bruteforce-}://$SRV_IP")
            ;;
        slowloris)
            ATTACK_CMD=(slowhttptest -H -c 150 -r 50 -i 3 -s 8192 -t GET -x 24 -p 3 -l "$slot"
                -u "http://$SRV_IP/")
            ;;
        *)
            log lab "unknown attack $type"
            return 1
            ;;
    esac
}

# run_attacks WORK CAPTURE SLOT LABELS: runs every attack in turn from the attacker namespace,
# each for at most SLOT + 2 seconds (the tools' own bounds aim at SLOT; `timeout` cuts at SLOT + 2
# and kills one second later a tool that ignores TERM), and appends its label line to LABELS.
run_attacks() {
    local work="$1" capture="$2" slot="$3" labels="$4" type start end status
    for type in "${ATTACK_TYPES[@]}"; do
        attack_command "$type" "$slot" "$work"
        log lab "attack $type: ${ATTACK_CMD[*]}"
        start=$EPOCHREALTIME
        status=0
        (cd "$work/atk" && ip netns exec "$NS_ATK" timeout --kill-after=1 "$((slot + 2))" "${ATTACK_CMD[@]}") \
            >>"$work/logs/attack-$type.log" 2>&1 </dev/null || status=$?
        end=$EPOCHREALTIME
        # 124: cut by `timeout`, which is the bound doing its job; anything else is worth a note.
        if ((status != 0 && status != 124)); then
            log lab "attack $type exited with status $status (see logs/attack-$type.log)"
        fi
        printf '%s,%s,%s,%s,%s\n' "$capture" "$ATK_IP" "$start" "$end" "$type" >>"$labels"
        sleep "$ATTACK_GAP"
    done
}
