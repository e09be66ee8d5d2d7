#!/usr/bin/env python3
"""Runs the throughput benchmark (throughput.sh prepares its inputs) and prints a Markdown report.

For each rule set (the ET Open subset, and none) and each engine, alternating engines: one run on
a tiny capture (start-up: loading and compiling rules, opening outputs, exiting), then REPS runs
on the benchmark capture. Every run is wrapped in GNU `/usr/bin/time -v` (wall, user+system CPU,
peak RSS). Inspection time = run time - median start-up time; packets/s = packets / inspection
time, on wall time and on CPU time (CPU time is the fairer figure on a shared machine: it does not
count time spent waiting for a core). One packet thread each: `suricata --runmode single`;
`portcullis read` is single-threaded.

usage: bench_run.py BENCH.pcap TINY.pcap RULES EMPTY_RULES SURICATA.yaml CLASSIFICATION PORTCULLIS
                    WORK_DIR REPS
"""

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
        for engine, make in engines.items():
            d = os.path.join(work, f"{engine}-{label.replace(' ', '-')}-startup")
            results[(label, engine, "startup")] = [run(make(tiny, rule_file, d), d)]
        for rep in range(reps):
            for engine, make in engines.items():
                d = os.path.join(work, f"{engine}-{label.replace(' ', '-')}-{rep}")
                cmd = make(bench, rule_file, d)
                if rep == 0:
                    commands.append(shlex.join(cmd))
                t = run(cmd, d)
                t["packets"] = packets_seen(engine, t, d)
                results.setdefault((label, engine, "bench"), []).append(t)
                print(f"[bench] {label} {engine} rep {rep}: wall {t['wall']:.2f} s, "
                      f"cpu {t['cpu']:.2f} s, {t['packets']} packets", file=sys.stderr)

    print("# Throughput: Portcullis vs Suricata 7, one packet thread\n")
    print("Capture: `out/compare/bench.pcap` (scripts/compare/bench_capture.py). "
          f"{reps} repetitions per engine, engines alternating. Medians shown. "
          "Inspection = run time - start-up time (a run on a 1-packet capture).\n")
    print("| rules | engine | packets | start-up wall s | start-up CPU s | run wall s | run CPU s "
          "| pkt/s (wall) | pkt/s (CPU) | peak RSS MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    pps = {}
    for label in ("ET subset", "no rules"):
        for engine in engines:
            start = results[(label, engine, "startup")][0]
            runs = results[(label, engine, "bench")]
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            packets = runs[0]["packets"] or 0
            pw = packets / max(wall - start["wall"], 1e-3)
            pc = packets / max(cpu - start["cpu"], 1e-3)
            pps[(label, engine)] = (pw, pc)
            rss = max(r.get("rss_mib", 0) for r in runs)
            print(f"| {label} | {engine} | {packets} | {start['wall']:.2f} | {start['cpu']:.2f} | "
                  f"{wall:.2f} | {cpu:.2f} | {pw:,.0f} | {pc:,.0f} | {rss:.0f} |")
    print("\n| rules | Portcullis / Suricata (wall) | Portcullis / Suricata (CPU) |")
    print("|---|---:|---:|")
    for label in ("ET subset", "no rules"):
        p, s = pps[(label, "portcullis")], pps[(label, "suricata")]
        print(f"| {label} | {p[0] / s[0]:.2f}x | {p[1] / s[1]:.2f}x |")
    print("\nPer repetition (wall s / CPU s):\n")
    for (label, engine, kind), runs in sorted(results.items()):
        if kind == "bench":
            figures = ", ".join(f"{r['wall']:.2f}/{r['cpu']:.2f}" for r in runs)
            print(f"- {label}, {engine}: {figures}")
    print("\nCommands (first repetition; start-up runs use the tiny capture):\n")
    print("```")
    for c in commands:
        print(c)
    print("```")


if __name__ == "__main__":
    main()
