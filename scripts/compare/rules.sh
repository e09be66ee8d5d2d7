#!/usr/bin/env bash
# Writes "the part of ET Open that Portcullis loads" to out/compare/et-subset.rules, then loads
# that one file in both engines: `portcullis rules check --json` must load every rule (any rule it
# skips is a difference between the filter and Portcullis's parser, listed), and `suricata -T`
# reports how many of the same rules Suricata loads. Also times both start-ups on the file.
# Output: out/compare/rules.md (and the counts on stderr).

# shellcheck source=scripts/compare/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_suricata
build_portcullis
write_suricata_conf

python3 "$COMPARE/et_subset.py" "$SUBSET_RULES" "$DATA"/rules/et-open/*.rules 2>"$OUT/et-subset.log"
cat "$OUT/et-subset.log" >&2

# Portcullis: parse + compile the file, JSON report; peak RSS and time of a full load.
/usr/bin/time -v -o "$OUT/portcullis-check.time" \
    "$PORTCULLIS" rules check -S "$SUBSET_RULES" --json \
    --set classification-file="$CLASSIFICATION" >"$OUT/portcullis-check.json"

# Suricata: a test load (-T) of the same file only (-S is exclusive), same classification file.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -v -o "$OUT/suricata-check.time" \
    suricata -T -c "$SURICATA_CONF" -S "$SUBSET_RULES" -l "$tmp" >"$OUT/suricata-check.out" 2>&1 || true
cp "$tmp/suricata.log" "$OUT/suricata-check.log"

python3 "$COMPARE/rules_report.py" "$SUBSET_RULES" "$OUT/portcullis-check.json" \
    "$OUT/portcullis-check.time" "$OUT/suricata-check.log" "$OUT/suricata-check.time" \
    "$OUT/et-subset.log" >"$OUT/rules.md"
log rules "report: $OUT/rules.md"
cat "$OUT/rules.md"
