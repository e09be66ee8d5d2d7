# Shared by the comparison scripts (sourced): paths, the Portcullis binary, the Suricata config.
# shellcheck shell=bash

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

COMPARE="$SCRIPTS/compare"
DATA="${PORTCULLIS_DATA:-$REPO_ROOT/../shared/data}"
[[ -d $DATA ]] || DATA=/work/shared/data
OUT="$REPO_ROOT/out/compare"
SUBSET_RULES="$OUT/et-subset.rules"
CLASSIFICATION="$DATA/suricata-verify/etc/classification.config"
SURICATA_CONF="$OUT/suricata.yaml"
PORTCULLIS="$REPO_ROOT/target/release/portcullis"
export COMPARE DATA OUT SUBSET_RULES CLASSIFICATION SURICATA_CONF PORTCULLIS
mkdir -p "$OUT"

# Builds the release binary (cargo is incremental: a no-op when up to date).
build_portcullis() {
    log compare "building portcullis (release)"
    cargo build --release -q -p portcullis
}

# Checks Suricata 7 is installed; tells how to get it otherwise.
need_suricata() {
    if ! command -v suricata >/dev/null 2>&1 || [[ $(suricata -V) != *"version 7."* ]]; then
        log compare "Suricata 7 is not installed: run scripts/compare/setup-suricata.sh"
        exit 1
    fi
}

# Writes the Suricata config (the distribution's, outputs reduced to alerts and stats).
write_suricata_conf() {
    python3 "$COMPARE/suricata_conf.py" "$SURICATA_CONF" "$CLASSIFICATION"
}

# Writes the ET Open subset unless it exists (rules.sh rewrites it and checks both engines).
need_subset_rules() {
    if [[ ! -s $SUBSET_RULES ]]; then
        python3 "$COMPARE/et_subset.py" "$SUBSET_RULES" "$DATA"/rules/et-open/*.rules
    fi
}
