#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine to build, test and demo Portcullis. Idempotent: installs
# only missing packages (apt-get update only when something is missing), uses sudo only when not
# root, checks the Rust toolchain. Prints what it did.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PACKAGES=(
    build-essential pkg-config clang libclang-dev # C toolchain; libclang for bindgen (dpdk-ffi)
    libhyperscan-dev libpcre2-dev libpcap-dev     # matcher, pcre keyword, capture files
    dpdk dpdk-dev libdpdk-dev ethtool iproute2    # data plane and NIC/namespace tooling
    iputils-ping                                  # the inline test's first probe
    librte-mempool-ring23 librte-net-pcap23        # DPDK drivers (recommended by dpdk, which
    librte-net-af-packet23 librte-net-memif23      # --no-install-recommends would skip):
    librte-net-ring23 librte-net-null23            # mempool ring, virtual ports for tests
    tcpdump python3 python3-yaml curl ca-certificates
    fonts-dejavu-core                              # text in the trainer's report plots
)

# Prints the packages of PACKAGES that are not installed.
missing_packages() {
    local pkg
    for pkg in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            echo "$pkg"
        fi
    done
}

install_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        log setup "not a Debian system: install the equivalents of ${PACKAGES[*]} yourself"
        return
    fi
    local missing
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} == 0)); then
        log setup "system packages: all ${#PACKAGES[@]} already installed"
        return
    fi
    local sudo=()
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null 2>&1; then
            log setup "missing packages (${missing[*]}) and not root, and sudo is not installed"
            exit 1
        fi
        sudo=(sudo)
    fi
    log setup "installing ${#missing[@]} package(s): ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
    log setup "installed: ${missing[*]}"
}

check_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        cat >&2 <<'MSG'
[setup] cargo not found. Install the Rust toolchain with rustup, then open a new shell:
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y
    . "$HOME/.cargo/env"
MSG
        exit 1
    fi
    log setup "rust: $(cargo --version)"
    if command -v rustup >/dev/null 2>&1; then
        local component
        for component in rustfmt clippy; do
            if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
                log setup "adding rustup component $component"
                rustup component add "$component"
            fi
        done
    fi
}

install_system_packages
check_rust
log setup "done"
