#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of tests/fuzz/fuzz_sap_listener.c into tests/fuzz/corpus/sap_listener/:
each seed is a script of datagrams [source host][time step s][length BE16][bytes]. Seeds wrap
the core SAP corpus (one datagram each, from host 1) and add scripts: announce + forged deletion
from another host + real deletion; announce + update; table overflow; expiry. Deterministic.

Usage: python3 tests/data/sap_daemon/make_fuzz_seeds.py   (from anywhere)
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(ROOT, "fuzz", "corpus", "sap")
OUT = os.path.join(ROOT, "fuzz", "corpus", "sap_listener")


def rec(host: int, step: int, pkt: bytes) -> bytes:
    return bytes([host, step]) + struct.pack(">H", len(pkt)) + pkt


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    for name in sorted(os.listdir(SRC))[:20]:
        pkt = open(os.path.join(SRC, name), "rb").read()
        with open(os.path.join(OUT, "one-" + name), "wb") as f:
            f.write(rec(1, 1, pkt))
    ann = open(os.path.join(HERE, "announce-tx-l24.bin"), "rb").read()
    dele = open(os.path.join(HERE, "delete-tx-l24.bin"), "rb").read()
    scripts = {
        "forged-then-real-delete": rec(1, 0, ann) + rec(3, 1, dele) + rec(1, 1, dele),
        "refresh-expire": rec(1, 0, ann) + rec(1, 20, ann) + rec(1, 40, ann),
        "latin1-name": rec(1, 0, ann.replace(b"aes67d tx one", b"caf\xe9 tx one")),
    }
    # a full table: five sessions from five hosts (origin field follows the host byte)
    full = b""
    for h in range(1, 6):
        full += rec(h, 0, ann[:4] + bytes([198, 51, 100, h]) + ann[8:])
    scripts["table-full"] = full
    for name, data in scripts.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
