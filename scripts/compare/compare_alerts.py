#!/usr/bin/env python3
"""Compares the alerts of Portcullis and Suricata per capture and per sid (diff-alerts.sh runs both
engines). Prints a Markdown report; also writes <RUN>/disagreements.json for follow-up.

usage: compare_alerts.py CAPTURES.tsv RUN_DIR RULES_FILE
  CAPTURES.tsv: index <TAB> path <TAB> link type;  RUN_DIR/{portcullis,suricata}/<index>/eve.json
"""

import collections
import json
import os
import re
import sys


def alerts(eve_path):
    """Counter of alert sids in an EVE file (missing file: None)."""
    if not os.path.exists(eve_path):
        return None
    counts = collections.Counter()
    with open(eve_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if rec.get("event_type") == "alert":
                counts[rec["alert"]["signature_id"]] += 1
    return counts


def rule_messages(path):
    """sid -> msg of the rule file."""
    msgs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            sid = re.search(r"\bsid\s*:\s*(\d+)", line)
            msg = re.search(r'\bmsg\s*:\s*"((?:[^"\\]|\\.)*)"', line)
            if sid:
                msgs[int(sid.group(1))] = msg.group(1) if msg else ""
    return msgs


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    captures_tsv, run, rules = sys.argv[1:]
    msgs = rule_messages(rules)
    captures = [l.rstrip("\n").split("\t")[:2] for l in open(captures_tsv, encoding="utf-8") if l.strip()]
    rows = []  # (capture, sid, portcullis, suricata)
    missing = []
    totals = {"portcullis": collections.Counter(), "suricata": collections.Counter()}
    agree = 0
    with_alerts = 0
    not_compared = []
    for idx, path in captures:
        marker = os.path.join(run, "suricata", idx, "not-compared")
        if os.path.exists(marker):
            p = alerts(os.path.join(run, "portcullis", idx, "eve.json")) or collections.Counter()
            not_compared.append((path, open(marker, encoding="utf-8").read().strip(), p))
            continue
        p = alerts(os.path.join(run, "portcullis", idx, "eve.json"))
        s = alerts(os.path.join(run, "suricata", idx, "eve.json"))
        if p is None or s is None:
            missing.append((path, "portcullis" if p is None else "suricata"))
            p, s = p or collections.Counter(), s or collections.Counter()
        totals["portcullis"].update(p)
        totals["suricata"].update(s)
        if p or s:
            with_alerts += 1
        if p == s:
            agree += 1
            continue
        for sid in sorted(set(p) | set(s)):
            if p[sid] != s[sid]:
                rows.append((path, sid, p[sid], s[sid]))

    tp, ts = totals["portcullis"], totals["suricata"]
    print("# Alerts: Portcullis vs Suricata 7 on ../shared/data/traffic\n")
    print(f"Rules: `{os.path.relpath(rules)}` ({len(msgs)} rules). Each capture read on its own, "
          "`-k none`, same classification file.\n")
    print("| | Portcullis | Suricata |")
    print("|---|---:|---:|")
    print(f"| alerts | {sum(tp.values())} | {sum(ts.values())} |")
    print(f"| distinct sids | {len(tp)} | {len(ts)} |")
    compared = len(captures) - len(not_compared)
    print(f"\nCaptures: {len(captures)}; compared: {compared}; with alerts from either engine: "
          f"{with_alerts}; identical alert counts per sid: {agree}; disagreeing: "
          f"{compared - agree}.\n")
    if not_compared:
        print("Not compared (Portcullis alerts on them in brackets):\n")
        for path, why, p in not_compared:
            print(f"- `{path}`: {why} [{sum(p.values())}]")
        print()
    if missing:
        print("Runs without an EVE file (engine failed on the capture):\n")
        for path, engine in missing:
            print(f"- {engine}: `{path}`")
        print()

    only_p = sorted(set(tp) - set(ts))
    only_s = sorted(set(ts) - set(tp))
    print("## Sids raised by one engine only\n")
    print("| sid | msg | raised by | alerts |")
    print("|---:|---|---|---:|")
    for sid in only_p:
        print(f"| {sid} | {msgs.get(sid, '?')} | Portcullis only | {tp[sid]} |")
    for sid in only_s:
        print(f"| {sid} | {msgs.get(sid, '?')} | Suricata only | {ts[sid]} |")
    if not only_p and not only_s:
        print("| – | none | | |")

    print("\n## Per sid over all captures (sids with any difference)\n")
    print("| sid | msg | Portcullis | Suricata | captures disagreeing |")
    print("|---:|---|---:|---:|---:|")
    per_sid = collections.Counter(sid for _, sid, _, _ in rows)
    for sid in sorted(per_sid):
        print(f"| {sid} | {msgs.get(sid, '?')} | {tp[sid]} | {ts[sid]} | {per_sid[sid]} |")

    print("\n## Per capture and sid (every count mismatch)\n")
    print("| capture | sid | Portcullis | Suricata |")
    print("|---|---:|---:|---:|")
    for path, sid, pc, sc in rows:
        print(f"| `{path.removeprefix('traffic/')}` | {sid} | {pc} | {sc} |")

    print("\n## Per sid totals (all sids raised)\n")
    print("| sid | msg | Portcullis | Suricata |")
    print("|---:|---|---:|---:|")
    for sid in sorted(set(tp) | set(ts)):
        print(f"| {sid} | {msgs.get(sid, '?')} | {tp[sid]} | {ts[sid]} |")

    with open(os.path.join(run, "disagreements.json"), "w", encoding="utf-8") as out:
        json.dump([{"capture": c, "sid": sid, "portcullis": pc, "suricata": sc}
                   for c, sid, pc, sc in rows], out, indent=1)


if __name__ == "__main__":
    main()
