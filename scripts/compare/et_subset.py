#!/usr/bin/env python3
"""Writes "the part of ET Open that Portcullis loads" as one rule file.

A rule is kept when it is active (not commented out), its header protocol is tcp, udp, icmp or ip
(or the variants Portcullis's parser also takes: tcp-pkt, tcp-stream, icmpv4, icmpv6), every option keyword is in Portcullis's packet/stream keyword list below, and no pcre carries an
HTTP buffer flag. This mirrors Portcullis's parser cheaply (rules.sh then checks the result with
`portcullis rules check --json`, which must load every rule written here).

usage: et_subset.py OUT.rules RULES_FILE...    (prints counts on stderr)
"""

import collections
import re
import sys

PROTOCOLS = {"tcp", "udp", "icmp", "ip", "tcp-pkt", "tcp-stream", "icmpv4", "icmpv6"}
ACTIONS = {"alert", "pass", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth"}
KEYWORDS = set(
    """msg sid rev gid classtype priority metadata reference content nocase offset depth distance
    within fast_pattern pcre flow startswith endswith rawbytes isdataat byte_test byte_jump
    byte_extract dsize flowbits noalert threshold detection_filter ttl tos id ip_proto fragbits
    flags seq ack window itype icode icmp_id icmp_seq target tag""".split()
)
HTTP_PCRE_FLAGS = set("UIPQHDMCSYVWZ")
# The header: action proto src sport dir dst dport, then the parenthesised options.
RULE_RE = re.compile(r"^\s*(\S+)\s+(\S+)\s+.*?\((.*)\)\s*$")
PCRE_FLAGS_RE = re.compile(r'/([A-Za-z]*)"?\s*$')


def split_options(text):
    """Splits a rule's option text on ';' not escaped with a backslash (Suricata's rule)."""
    opts, cur, escaped = [], [], False
    for ch in text:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\":
            cur.append(ch)
            escaped = True
        elif ch == ";":
            opts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        opts.append("".join(cur).strip())
    return [o for o in opts if o]


def verdict(line):
    """None when the rule is kept, else the reason it is left out."""
    m = RULE_RE.match(line)
    if not m:
        return "malformed"
    action, proto, options = m.group(1).lower(), m.group(2).lower(), m.group(3)
    if action not in ACTIONS:
        return "action " + action
    if proto not in PROTOCOLS:
        return "protocol " + proto
    for opt in split_options(options):
        kw, _, value = opt.partition(":")
        kw = kw.strip().lower()
        if kw not in KEYWORDS:
            return "keyword " + kw
        if kw == "pcre":
            flags = PCRE_FLAGS_RE.search(value.strip())
            bad = HTTP_PCRE_FLAGS & set(flags.group(1)) if flags else set()
            if bad:
                return "pcre flag " + "".join(sorted(bad))
    return None


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_path, inputs = sys.argv[1], sys.argv[2:]
    active = 0
    kept = []
    reasons = collections.Counter()
    for path in inputs:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                active += 1
                why = verdict(line)
                if why is None:
                    kept.append(line)
                else:
                    reasons[why] += 1
    with open(out_path, "w", encoding="utf-8") as out:
        out.write("# ET Open rules Portcullis loads (written by scripts/compare/et_subset.py)\n")
        out.write("\n".join(kept) + "\n")
    print(f"active rules: {active}; kept: {len(kept)}; left out: {active - len(kept)}", file=sys.stderr)
    for why, n in reasons.most_common(10):
        print(f"  {n:6d}  {why}", file=sys.stderr)


if __name__ == "__main__":
    main()
