#!/usr/bin/env python3
"""Runs the throughput benchmark (throughput.sh prepares its inputs) and prints a Markdown report.

For each rule set (the ET Open subset, and none), REPS rounds; each round runs both engines on a
tiny capture (start-up: loading and compiling rules, opening outputs, exiting) and then on the
benchmark capture. Every run is wrapped in GNU `/usr/bin/time -v` (wall, user+system CPU,
peak RSS). Inspection time = run time - median start-up time; packets/s = packets / inspection
time, on wall time and on CPU time (CPU time is the fairer figure on a shared machine: it does not
count time spent waiting for a core). One packet thread each: `suricata --runmode single`;
`portcullis read` is single-threaded.

usage: bench_run.py BENCH.pcap TINY.pcap RULES EMPTY_RULES SURICATA.yaml CLASSIFICATION PORTCULLIS
                    WORK_DIR REPS
"""

import collections
import json
import os
import re
import shlex
import statistics
import subprocess
import sys

from timefile import parse_time_v


def portcullis_cmd(binary, pcap, rules, logdir, classification):
    return [binary, "read", "-r", pcap, "-S", rules, "-l", logdir, "-k", "none",
            "--set", f"classification-file={classification}"]


def suricata_cmd(pcap, rules, logdir, conf):
    return ["suricata", "--runmode", "single", "-c", conf, "-r", pcap, "-S", rules, "-l", logdir,
            "-k", "none"]


def run(cmd, logdir):
    """Runs cmd under time -v; returns the time figures plus stderr text."""
    os.makedirs(logdir, exist_ok=True)
    tfile = os.path.join(logdir, "time.txt")
    with open(os.path.join(logdir, "stderr.txt"), "w", encoding="utf-8") as err:
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", tfile] + cmd,
                              stdout=subprocess.DEVNULL, stderr=err, check=False)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {shlex.join(cmd)}; see {logdir}")
    t = parse_time_v(tfile)
    t["cpu"] = t.get("user", 0) + t.get("sys", 0)
    t["stderr"] = open(os.path.join(logdir, "stderr.txt"), encoding="utf-8", errors="replace").read()
    return t


def engine_inspection_seconds(engine, t, logdir):
    """The engine's own packet-processing time: Portcullis's run time minus its "rules ready"
    time; Suricata's "time elapsed" (engine start to stop). Wall time, as each engine reports."""
    if engine == "portcullis":
        m = re.search(r"in ([\d.]+) s \(rules ready in ([\d.]+) s", t["stderr"])
        return float(m.group(1)) - float(m.group(2)) if m else None
    log = open(os.path.join(logdir, "suricata.log"), encoding="utf-8", errors="replace").read()
    m = re.search(r"time elapsed ([\d.]+)s", log)
    return float(m.group(1)) if m else None


def alert_sids(logdir):
    """Counter of alert sids in a run's eve.json."""
    counts = collections.Counter()
    with open(os.path.join(logdir, "eve.json"), encoding="utf-8", errors="replace") as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("event_type") == "alert":
                counts[rec["alert"]["signature_id"]] += 1
    return counts


def packets_seen(engine, t, logdir):
    """Packets the engine says it read (Portcullis summary / Suricata's pcap-file line)."""
    if engine == "portcullis":
        m = re.search(r"(\d+) packets", t["stderr"])
    else:
        log = open(os.path.join(logdir, "suricata.log"), encoding="utf-8", errors="replace").read()
        m = re.search(r"read \d+ files?, (\d+) packets", log)
    return int(m.group(1)) if m else None


def main():
    if len(sys.argv) != 10:
        sys.exit(__doc__)
    bench, tiny, rules, empty, conf, classification, binary, work, reps = sys.argv[1:]
    reps = int(reps)
    engines = {
        "portcullis": lambda pcap, r, d: portcullis_cmd(binary, pcap, r, d, classification),
        "suricata": lambda pcap, r, d: suricata_cmd(pcap, r, d, conf),
    }
    results = {}
    commands = []
    for label, rule_file in (("ET subset", rules), ("no rules", empty)):
        for rep in range(reps):
            for engine, make in engines.items():
                d = os.path.join(work, f"{engine}-{label.replace(' ', '-')}-startup-{rep}")
                results.setdefault((label, engine, "startup"), []).append(
                    run(make(tiny, rule_file, d), d))
            for engine, make in engines.items():
                d = os.path.join(work, f"{engine}-{label.replace(' ', '-')}-{rep}")
                cmd = make(bench, rule_file, d)
                if rep == 0:
                    commands.append(shlex.join(cmd))
                t = run(cmd, d)
                t["packets"] = packets_seen(engine, t, d)
                t["own"] = engine_inspection_seconds(engine, t, d)
                t["alerts"] = alert_sids(d)
                results.setdefault((label, engine, "bench"), []).append(t)
                print(f"[bench] {label} {engine} rep {rep}: wall {t['wall']:.2f} s, "
                      f"cpu {t['cpu']:.2f} s, {t['packets']} packets", file=sys.stderr)

    print("# Throughput: Portcullis vs Suricata 7, one packet thread\n")
    print("Capture: `out/compare/bench.pcap` (scripts/compare/bench_capture.py). "
          f"{reps} rounds, engines alternating. Medians shown. "
          "Inspection = run time - start-up time (median of REPS runs on a 1-packet capture).\n")
    print("Three packets/s figures: **CPU** = packets / (run CPU - start-up CPU), the steadiest on a "
          "shared machine; **wall** = the same with wall times; **own** = packets / the engine's "
          "own packet-processing time (Portcullis: run time minus \"rules ready\"; Suricata: "
          "\"time elapsed\" in suricata.log), wall-clock.\n")
    print("| rules | engine | packets | start-up wall s | start-up CPU s | run wall s | run CPU s "
          "| pkt/s (CPU) | pkt/s (wall) | pkt/s (own) | peak RSS MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    pps = {}
    for label in ("ET subset", "no rules"):
        for engine in engines:
            starts = results[(label, engine, "startup")]
            start = {k: statistics.median(r[k] for r in starts) for k in ("wall", "cpu")}
            runs = results[(label, engine, "bench")]
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            packets = runs[0]["packets"] or 0
            pw = packets / max(wall - start["wall"], 1e-3)
            pc = packets / max(cpu - start["cpu"], 1e-3)
            own = statistics.median(r["own"] for r in runs if r["own"] is not None)
            po = packets / max(own, 1e-3)
            pps[(label, engine)] = (pc, pw, po)
            rss = max(r.get("rss_mib", 0) for r in runs)
            print(f"| {label} | {engine} | {packets} | {start['wall']:.2f} | {start['cpu']:.2f} | "
                  f"{wall:.2f} | {cpu:.2f} | {pc:,.0f} | {pw:,.0f} | {po:,.0f} | {rss:.0f} |")
    print("\n| rules | Portcullis / Suricata (CPU) | (wall) | (own) |")
    print("|---|---:|---:|---:|")
    for label in ("ET subset", "no rules"):
        p, s = pps[(label, "portcullis")], pps[(label, "suricata")]
        print(f"| {label} | **{p[0] / s[0]:.2f}x** | {p[1] / s[1]:.2f}x | {p[2] / s[2]:.2f}x |")
    print("\nAlerts on the benchmark capture, ET subset, first repetition (sid: Portcullis / "
          "Suricata):\n")
    pa = results[("ET subset", "portcullis", "bench")][0]["alerts"]
    sa = results[("ET subset", "suricata", "bench")][0]["alerts"]
    for sid in sorted(set(pa) | set(sa)):
        print(f"- {sid}: {pa[sid]} / {sa[sid]}")
    print("\nPer repetition (wall s / CPU s / engine's own s):\n")
    for (label, engine, kind), runs in sorted(results.items()):
        if kind == "bench":
            figures = ", ".join(f"{r['wall']:.2f}/{r['cpu']:.2f}/{r['own']:.2f}" for r in runs)
            print(f"- {label}, {engine}: {figures}")
    print("\nCommands (first repetition; start-up runs use the tiny capture):\n")
    print("```")
    for c in commands:
        print(c)
    print("```")


if __name__ == "__main__":
    main()
