#!/usr/bin/env python3
"""Builds the throughput benchmark's capture: every Ethernet capture of ../shared/data/traffic
(link type `ether` in TRAFFIC_INDEX.tsv) plus the extra captures given (the project's demo
capture), replicated until the output holds at least MIN_PACKETS packets.

- Timestamps are rewritten to be monotonic: within a capture the original gaps are kept (capped
  at MAX_GAP seconds, so hour-long idle stretches do not dominate), captures follow each other
  1 ms apart.
- Replica k > 0 shifts the low 16 bits of every outer IPv4/IPv6 source address by +k and of every
  destination by -k (ones'-complement arithmetic), so each replica's flows are distinct while the
  /16 prefixes (HOME_NET membership) and all IP, TCP, UDP and ICMPv6 checksums stay valid: the
  two changes cancel in every checksum sum.
- Output: classic pcap, microsecond timestamps, link type Ethernet.

usage: bench_capture.py OUT.pcap MIN_PACKETS TRAFFIC_INDEX.tsv DATA_DIR [EXTRA.pcap...]
"""

import struct
import sys

MAX_GAP = 10.0
LINKTYPE_ETHERNET = 1
START = 1_700_000_000.0


def read_pcap(data):
    """Yields (seconds, frame) of a classic pcap whose link type is Ethernet."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("not a pcap")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != LINKTYPE_ETHERNET:
        return
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            break
        yield sec + frac / (1e9 if nano else 1e6), data[off:off + caplen]
        off += caplen


def read_pcapng(data):
    """Yields (seconds, frame) of the packets of a pcapng's Ethernet interfaces."""
    off, end, ifaces = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack("<I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:
            linktype = struct.unpack(end + "H", body[:2])[0]
            ifaces.append((linktype, tsresol(body[8:], end)))
        elif btype == 6 and len(body) >= 20:
            iface, hi, lo, caplen, _ = struct.unpack(end + "IIIII", body[:20])
            if iface < len(ifaces) and ifaces[iface][0] == LINKTYPE_ETHERNET:
                yield ((hi << 32) | lo) * ifaces[iface][1], body[20:20 + caplen]
        elif btype == 3 and len(body) >= 4 and ifaces and ifaces[0][0] == LINKTYPE_ETHERNET:
            # Simple packet block: no timestamp; keep the stream's last time (gap 0).
            yield None, body[4:]
        off += blen


def tsresol(options, end):
    """Seconds per timestamp unit from an interface block's options (default microseconds)."""
    off = 0
    while off + 4 <= len(options):
        code, length = struct.unpack(end + "HH", options[off:off + 4])
        if code == 0:
            break
        if code == 9 and length >= 1:
            v = options[off + 4]
            return 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0 ** -v
        off += 4 + ((length + 3) & ~3)
    return 1e-6


def frames(path):
    """(seconds or None, frame) of a capture file's Ethernet packets; [] when unreadable."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        if data[:4] == b"\x0a\x0d\x0d\x0a":
            return list(read_pcapng(data))
        return list(read_pcap(data))
    except (ValueError, struct.error):
        return []


def ones_add(a, b):
    """16-bit ones'-complement addition."""
    s = a + b
    return (s & 0xFFFF) + (s >> 16)


def shift_word(frame, off, delta):
    """Adds delta (ones'-complement, may be negative) to the 16-bit word at off."""
    word = struct.unpack_from(">H", frame, off)[0]
    d = delta % 0xFFFF  # -k == 0xFFFF - k in ones'-complement
    struct.pack_into(">H", frame, off, ones_add(word, d))


def shift_addresses(frame, k):
    """Moves the outer IP addresses of an Ethernet frame by replica k (see module doc)."""
    if k == 0:
        return bytes(frame)
    buf = bytearray(frame)
    off = 12
    while off + 2 <= len(buf):
        ethertype = struct.unpack_from(">H", buf, off)[0]
        if ethertype in (0x8100, 0x88A8, 0x9100):
            off += 4
            continue
        off += 2
        if ethertype == 0x0800 and off + 20 <= len(buf):
            shift_word(buf, off + 14, k)
            shift_word(buf, off + 18, -k)
        elif ethertype == 0x86DD and off + 40 <= len(buf):
            shift_word(buf, off + 22, k)
            shift_word(buf, off + 38, -k)
        break
    return bytes(buf)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    out_path, min_packets, index, data_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    paths = []
    with open(index, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[0].startswith("traffic/") and cols[2] == "ether":
                paths.append(f"{data_dir}/{cols[0]}")
    paths += sys.argv[5:]
    captures = [c for c in (frames(p) for p in paths) if c]
    per_replica = sum(len(c) for c in captures)
    if per_replica == 0:
        sys.exit("no Ethernet packets found")
    replicas = -(-min_packets // per_replica)
    written, clock = 0, START
    with open(out_path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        for k in range(replicas):
            for packets in captures:
                prev = None
                clock += 0.001
                for ts, frame in packets:
                    if ts is not None and prev is not None:
                        clock += min(max(ts - prev, 0.0), MAX_GAP)
                    if ts is not None:
                        prev = ts
                    sec = int(clock)
                    usec = int(round((clock - sec) * 1e6))
                    if usec >= 1_000_000:
                        sec, usec = sec + 1, usec - 1_000_000
                    data = shift_addresses(frame, k)
                    out.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
                    out.write(data)
                    written += 1
    print(f"{out_path}: {written} packets = {replicas} replicas x {per_replica} packets "
          f"from {len(captures)} Ethernet captures", file=sys.stderr)


if __name__ == "__main__":
    main()
