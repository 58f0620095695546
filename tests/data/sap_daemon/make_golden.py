#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the golden SAP packets the aes67d announcer must produce for tx-l24.sdp from origin
198.51.100.1: announce-tx-l24.bin (T = 0) and delete-tx-l24.bin (T = 1). Built here from
RFC 2974 §6 independently of the C code (message id hash: FNV-1a 32 folded to 16 bits, 0 -> 1,
as include/aes67/sap.h documents). Deterministic. Also writes sap-tx-l24.pcap (both packets in
IPv4/UDP to 239.255.255.255:9875) for tshark (tests/integration/test_sap_tshark.sh).

Usage: python3 tests/data/sap_daemon/make_golden.py   (from anywhere)
"""
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def msg_id_hash(payload: bytes) -> int:
    h = 2166136261
    for b in payload:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return ((h >> 16) ^ (h & 0xFFFF)) or 1


def sap(origin: str, sdp: bytes, deletion: bool) -> bytes:
    flags = 0x20 | (0x04 if deletion else 0)
    return (bytes([flags, 0]) + struct.pack(">H", msg_id_hash(sdp)) + socket.inet_aton(origin)
            + b"application/sdp\0" + sdp)


def ip_udp(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 32, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    s = sum(struct.unpack(">10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    hdr = hdr[:10] + struct.pack(">H", ~s & 0xFFFF) + hdr[12:]
    return hdr + udp


def main() -> None:
    sdp = open(os.path.join(HERE, "tx-l24.sdp"), "rb").read()
    pkts = []
    for name, deletion in (("announce-tx-l24.bin", False), ("delete-tx-l24.bin", True)):
        p = sap("198.51.100.1", sdp, deletion)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(p)
        pkts.append(p)
    # pcap, LINKTYPE_RAW (101): each record is an IPv4 packet
    with open(os.path.join(HERE, "sap-tx-l24.pcap"), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        for i, p in enumerate(pkts):
            ip = ip_udp("198.51.100.1", "239.255.255.255", 9875, 9875, p)
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(ip), len(ip)))
            f.write(ip)


if __name__ == "__main__":
    main()
