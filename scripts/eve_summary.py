#!/usr/bin/env python3
"""Prints the alerts of a Portcullis (or Suricata) EVE JSON log as a table, then the number of
dropped packets. Standard library only, so it runs on a bare python3.

Usage: eve_summary.py <eve.json>
"""

import json
import sys
from collections import Counter


def endpoint(ip, port):
    """`ip:port`, or just the ip for protocols without ports; IPv6 in brackets."""
    if ip is None:
        return "?"
    host = f"[{ip}]" if ":" in str(ip) else str(ip)
    return f"{host}:{port}" if port is not None else host


def read_events(path):
    """Yields the JSON objects of an EVE file, one per line; bad lines are reported and skipped."""
    with open(path, encoding="utf-8") as eve:
        for number, line in enumerate(eve, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as err:
                print(f"{path}:{number}: not JSON ({err})", file=sys.stderr)


def dropped_packets(events, alerts):
    """The drop count and where it came from: the last stats event's IPS counters, else drop
    events, else alerts whose action is `blocked`."""
    stats = [e["stats"] for e in events if e.get("event_type") == "stats" and "stats" in e]
    if stats:
        ips = stats[-1].get("ips", {})
        for key in ("blocked", "dropped"):
            if key in ips:
                return ips[key], f"stats ips.{key}"
    drops = sum(1 for e in events if e.get("event_type") == "drop")
    if drops:
        return drops, "drop events"
    blocked = sum(1 for e in alerts if e.get("alert", {}).get("action") == "blocked")
    return blocked, "alerts with action blocked (drop counters not in the log)"


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path = argv[1]
    try:
        events = list(read_events(path))
    except OSError as err:
        print(f"cannot read {path}: {err.strerror}", file=sys.stderr)
        return 1
    alerts = [e for e in events if e.get("event_type") == "alert"]

    rows = [("timestamp", "action", "sid", "msg", "src -> dst")]
    for e in alerts:
        alert = e.get("alert", {})
        flow = f"{endpoint(e.get('src_ip'), e.get('src_port'))} -> " \
               f"{endpoint(e.get('dest_ip'), e.get('dest_port'))} {e.get('proto', '')}".rstrip()
        rows.append((str(e.get("timestamp", "?")), str(alert.get("action", "?")),
                     str(alert.get("signature_id", "?")), str(alert.get("signature", "?")), flow))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for i, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join(cells + [row[-1]]))
        if i == 0:
            print("  ".join("-" * w for w in widths + [len(row[-1])]))

    print()
    per_sid = Counter((e.get("alert", {}).get("signature_id"), e.get("alert", {}).get("signature"))
                      for e in alerts)
    print(f"{len(alerts)} alert(s) from {len(per_sid)} rule(s):")
    def by_sid(item):
        sid = item[0][0]
        return (0, sid, "") if isinstance(sid, int) else (1, 0, str(sid))

    for (sid, msg), count in sorted(per_sid.items(), key=by_sid):
        print(f"  {count:4d}  {str(sid):>8}  {msg}")
    count, source = dropped_packets(events, alerts)
    print(f"dropped packets: {count} ({source})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
