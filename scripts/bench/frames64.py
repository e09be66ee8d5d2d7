#!/usr/bin/env python3
"""Writes a pcap of minimum-size frames for the memif benchmark: 60-byte Ethernet/IPv4/UDP
frames (64 bytes on the wire with the FCS), one per flow, with valid IPv4 checksums and addresses
in 198.18.0.0/15 (the benchmarking range). testpmd replays it with net_pcap's infinite_rx, which
costs the generator far less per packet than building frames (flowgen), so the forwarder under
test, not the generator, is what saturates. Standard library only.

Usage: frames64.py <output.pcap> [flows]   (flows: 1..65535, default 1024)
"""

import struct
import sys

FRAME_LEN = 60  # 64 bytes on the wire once the NIC adds the 4-byte FCS


def ipv4_checksum(header):
    """One's-complement sum of the 16-bit words of `header` (checksum field zeroed)."""
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def frame(flow):
    """Frame number `flow`: source 198.18.x.y:1024+flow -> 198.19.0.1:9 (discard), zero payload."""
    src = bytes([198, 18, (flow >> 8) & 0xFF, flow & 0xFF])
    dst = bytes([198, 19, 0, 1])
    ip_len = FRAME_LEN - 14
    header = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, flow, 0, 64, 17, 0, src, dst))
    header[10:12] = struct.pack("!H", ipv4_checksum(bytes(header)))
    udp_len = ip_len - 20
    udp = struct.pack("!HHHH", 1024 + flow % 60000, 9, udp_len, 0) + bytes(udp_len - 8)
    ethernet = bytes.fromhex("020000000002" "020000000001" "0800")
    out = ethernet + bytes(header) + udp
    assert len(out) == FRAME_LEN
    return out


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    flows = int(sys.argv[2]) if len(sys.argv) == 3 else 1024
    if not 1 <= flows <= 65535:
        sys.exit("flows must be 1..65535")
    with open(sys.argv[1], "wb") as out:
        # pcap global header: magic, v2.4, UTC, 0 accuracy, snaplen 65535, LINKTYPE_ETHERNET
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for flow in range(flows):
            out.write(struct.pack("<IIII", 1_700_000_000, flow, FRAME_LEN, FRAME_LEN))
            out.write(frame(flow))


if __name__ == "__main__":
    main()
