#!/usr/bin/env bash
# Installs the lab's tools from Debian's packages, idempotently: only missing packages, apt-get
# update only when something is missing, noninteractive. Services that the packages would start
# on the host (sshd, vsftpd) are kept from starting with a temporary policy-rc.d, and the ones
# this script newly installed are disabled afterwards, so only the lab's own copies (started
# inside its namespaces with their own configs) ever run. dnsmasq comes as dnsmasq-base: the
# binary without the host service.

# shellcheck source=scripts/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(
    iproute2 ethtool iputils-ping tcpdump python3 curl # plumbing, capture, web server and client
    openssh-server openssh-client sshpass             # SSH service and scripted logins
    vsftpd dnsmasq-base dnsutils                      # FTP and DNS services, dig/host
    nmap hping3 hydra slowhttptest                    # bounded attacks
)
# Packages that bring a host service that must not run outside the lab.
SERVICE_PACKAGES=(openssh-server:ssh vsftpd:vsftpd)

# is_installed PKG: true when dpkg reports PKG installed.
is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

require_root setup
if ! command -v dpkg-query >/dev/null 2>&1; then
    log setup "not a Debian system: install the equivalents of ${PACKAGES[*]} yourself"
    exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
    log setup "all ${#PACKAGES[@]} lab packages already installed"
    exit 0
fi

# Keep maintainer scripts from starting services, unless a policy already exists (containers
# often ship one); remove ours on exit whatever happens.
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\n# temporary, from portcullis scripts/lab/setup.sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    own_policy=1
fi
remove_policy() {
    if ((own_policy == 1)); then
        rm -f "$POLICY"
    fi
}
trap remove_policy EXIT

log setup "installing ${#missing[@]} package(s): ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

# Disable (not just stop) the host services of packages installed just now, so a reboot does not
# start them either. Packages that were already installed are the host owner's business.
for entry in "${SERVICE_PACKAGES[@]}"; do
    pkg="${entry%%:*}"
    unit="${entry#*:}"
    if [[ " ${missing[*]} " == *" $pkg "* ]] && [[ -d /run/systemd/system ]]; then
        systemctl disable --now "$unit" >/dev/null 2>&1 || true
        log setup "disabled the host's $unit service (the lab runs its own inside a namespace)"
    fi
done
log setup "installed: ${missing[*]}"
