"""Reads the report of GNU `/usr/bin/time -v`: wall, user and system seconds and peak RSS."""

import re


def parse_time_v(path):
    """Returns {"wall": s, "user": s, "sys": s, "rss_mib": MiB} from a `time -v` output file."""
    text = open(path, encoding="utf-8", errors="replace").read()
    out = {}
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    if m:
        secs = 0.0
        for part in m.group(1).split(":"):
            secs = secs * 60 + float(part)
        out["wall"] = secs
    for key, label in (("user", "User time (seconds)"), ("sys", "System time (seconds)")):
        m = re.search(re.escape(label) + r": (\S+)", text)
        if m:
            out[key] = float(m.group(1))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["rss_mib"] = int(m.group(1)) / 1024
    return out
