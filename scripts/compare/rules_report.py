#!/usr/bin/env python3
"""Markdown report of loading the ET Open subset in both engines (rules.sh writes its inputs).

usage: rules_report.py SUBSET.rules PORTCULLIS.json PORTCULLIS.time SURICATA.log SURICATA.time
                       SUBSET.log
"""

import json
import re
import sys

from timefile import parse_time_v


def rule_lines(path):
    """(line number, text) of each rule in a rule file."""
    with open(path, encoding="utf-8") as f:
        return [(n, l.strip()) for n, l in enumerate(f, 1) if l.strip() and not l.startswith("#")]


def sid_of(rule):
    m = re.search(r"\bsid\s*:\s*(\d+)", rule)
    return int(m.group(1)) if m else None


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    subset, pjson, ptime, slog, stime, subset_log = sys.argv[1:]
    rules = rule_lines(subset)
    by_line = dict(rules)
    report = json.load(open(pjson, encoding="utf-8"))
    p_unsupported = sum(report.get("unsupported", {}).values())
    p_malformed = report.get("malformed", [])
    p_compile = report.get("compile_failed", [])
    p_loaded = report["loaded"] - len(p_compile)
    log = open(slog, encoding="utf-8", errors="replace").read()
    m = re.search(r"(\d+) rules successfully loaded, (\d+) rules failed", log)
    s_loaded, s_failed = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    s_errors = [l for l in log.splitlines() if "Error" in l and "sid" in l.lower()]
    pt, st = parse_time_v(ptime), parse_time_v(stime)

    print("# ET Open subset: rule loading, Portcullis vs Suricata\n")
    print("Subset filter (`scripts/compare/et_subset.py`):\n")
    print("```")
    print(open(subset_log, encoding="utf-8").read().rstrip())
    print("```\n")
    print(f"Rules in `out/compare/et-subset.rules`: **{len(rules)}**\n")
    print("| engine | loaded | skipped / failed | wall s | user s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| Portcullis (`rules check`) | {p_loaded} | {p_unsupported} unsupported, "
        f"{len(p_malformed)} malformed, {len(p_compile)} compile failed | {pt.get('wall', 0):.2f} | "
        f"{pt.get('user', 0):.2f} | {pt.get('rss_mib', 0):.0f} |"
    )
    print(
        f"| Suricata 7 (`-T`) | {s_loaded} | {s_failed} failed | {st.get('wall', 0):.2f} | "
        f"{st.get('user', 0):.2f} | {st.get('rss_mib', 0):.0f} |"
    )
    if report.get("unsupported"):
        print("\nPortcullis unsupported (filter/parser mismatch):", report["unsupported"])
    if p_malformed:
        print("\n## Rules Portcullis refused (parse differences)\n")
        for err in p_malformed:
            line = by_line.get(err.get("line"), "")
            print(f"- line {err.get('line')} sid {sid_of(line)}: {err.get('reason')}")
    if p_compile:
        print("\n## Rules Portcullis could not compile\n")
        for sid, why in p_compile:
            print(f"- sid {sid}: {why}")
    if s_errors:
        print("\n## Suricata errors\n")
        for l in s_errors:
            print(f"- `{l.strip()}`")


if __name__ == "__main__":
    main()
