#!/usr/bin/env bash
# Installs Suricata 7 from Debian bookworm-backports, the reference engine of the side-by-side
# scripts in this folder. Idempotent: adds the backports suite only when apt does not know it yet,
# installs only when `suricata -V` is not already 7.x, and keeps the suricata service from running
# on the host (the comparison runs `suricata -r` by hand; a live IDS on the host's interfaces would
# only compete for the two cores). Uses the Debian mirror the machine already uses.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

BACKPORTS_LIST=/etc/apt/sources.list.d/bookworm-backports.sources

SUDO=()
if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || { log suricata "not root and sudo is not installed"; exit 1; }
    SUDO=(sudo)
fi

# Prints the version of the installed suricata ("7.0.10"), or nothing.
suricata_version() {
    command -v suricata >/dev/null 2>&1 || return 0
    suricata -V 2>/dev/null | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p' | head -n1
}

# Prints the first Debian archive URI (not debian-security) found in apt's sources, deb822 or
# one-line format; falls back to deb.debian.org.
debian_mirror() {
    local uri
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -v '^[[:space:]]*#' |
        grep -oE '(https?)://[^ ]+/debian/?( |$)' | grep -v 'debian-security' | head -n1 | tr -d ' ' || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

# True when some apt source already lists the bookworm-backports suite.
backports_configured() {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -v '^[[:space:]]*#' | grep -qw 'bookworm-backports'
}

add_backports() {
    if backports_configured; then
        log suricata "apt already knows bookworm-backports"
        return
    fi
    local mirror
    mirror=$(debian_mirror)
    log suricata "adding bookworm-backports from $mirror to $BACKPORTS_LIST"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$mirror" | "${SUDO[@]}" tee "$BACKPORTS_LIST" >/dev/null
}

# Installs suricata with services kept from starting: a temporary policy-rc.d (exit 101 = "do not
# start") unless the machine already has one.
install_suricata() {
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
        "${SUDO[@]}" chmod 755 "$policy"
        own_policy=1
    fi
    "${SUDO[@]}" apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q -t bookworm-backports suricata
    if ((own_policy)); then
        "${SUDO[@]}" rm -f "$policy"
    fi
}

# Stops and disables the suricata service wherever an init system manages it.
keep_service_off() {
    if command -v systemctl >/dev/null 2>&1; then
        # Without a running systemd (containers) `disable` still removes the boot-time symlink.
        local now=()
        [[ -d /run/systemd/system ]] && now=(--now)
        "${SUDO[@]}" systemctl disable "${now[@]}" suricata.service >/dev/null 2>&1 || true
    fi
    if [[ -x /etc/init.d/suricata ]]; then
        "${SUDO[@]}" /etc/init.d/suricata stop >/dev/null 2>&1 || true
        command -v update-rc.d >/dev/null 2>&1 && { "${SUDO[@]}" update-rc.d suricata disable >/dev/null 2>&1 || true; }
    fi
    if pgrep -x Suricata-Main >/dev/null 2>&1 || pgrep -x suricata >/dev/null 2>&1; then
        log suricata "warning: a suricata process is running on this host (not started by this script)"
    fi
}

version=$(suricata_version)
if [[ $version == 7.* ]]; then
    log suricata "Suricata $version already installed"
else
    add_backports
    install_suricata
fi
keep_service_off
version=$(suricata_version)
if [[ $version != 7.* ]]; then
    log suricata "expected Suricata 7.x, found '${version:-none}'"
    exit 1
fi
log suricata "Suricata $version ready ($(command -v suricata)); service disabled"
