#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the PTP golden messages (tests/data/ptp/*.bin) and the fuzz seed corpus
(tests/fuzz/corpus/ptp/) from field values, with struct.pack, independently of the C code.

Layouts: IEEE 1588-2008 §13.3 (header), §13.5-§13.12 (bodies), §14.1 (TLV).
Run from anywhere: python3 tests/data/ptp/gen_vectors.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "fuzz", "corpus", "ptp")

CLOCK = bytes([0x00, 0x1D, 0xC1, 0xFF, 0xFE, 0x12, 0x34, 0x56])
GM = bytes([0xAC, 0xDE, 0x48, 0xFF, 0xFE, 0x00, 0x11, 0x22])


def header(mtype, length, seq, flags=0, corr=0, domain=0, control=5, log_interval=0,
           version=2, ts=0):
    return struct.pack(">BBHBBHq4s8sHHBb", (ts << 4) | mtype, version, length, domain, 0,
                       flags, corr, b"\0" * 4, CLOCK, 1, seq, control, log_interval)


def timestamp(sec, ns):
    return struct.pack(">HIL", sec >> 32, sec & 0xFFFFFFFF, ns)


def msg(mtype, body, seq, tlvs=b"", **kw):
    length = 34 + len(body) + len(tlvs)
    return header(mtype, length, seq, **kw) + body + tlvs


def announce_body(steps=1):
    return (timestamp(1700000000, 123456789) + struct.pack(">hBB", 37, 0, 128) +
            struct.pack(">BBH", 248, 0xFE, 0xFFFF) + struct.pack(">B", 127) + GM +
            struct.pack(">HB", steps, 0xA0))


def tlv(ttype, value):
    return struct.pack(">HH", ttype, len(value)) + value


GOLDEN = {
    "sync_2step.bin": msg(0x0, timestamp(0, 0), 1000, flags=0x0200, control=0,
                          log_interval=-3),
    "follow_up.bin": msg(0x8, timestamp(1700000000, 999999999), 1000, corr=0x12345,
                         control=2, log_interval=-3),
    "delay_req.bin": msg(0x1, timestamp(0, 0), 77, control=1, log_interval=0x7F),
    "delay_resp.bin": msg(0x9, timestamp(1700000001, 500) + CLOCK[::-1] + b"\x00\x02", 77,
                          corr=-65536 * 3, control=3, log_interval=-3),
    "announce.bin": msg(0xB, announce_body(), 4242, flags=0x000C, log_interval=1),
    "announce_tlv.bin": msg(0xB, announce_body(), 4243,
                            tlvs=tlv(0x0008, GM + b"\0\0") + tlv(0x7FFF, b""),
                            log_interval=1),
    "signaling.bin": msg(0xC, b"\xff" * 10, 5, tlvs=tlv(0x0002, b"\x03\x7f\x00\x00")),
    "management.bin": msg(0xD, b"\xff" * 10 + bytes([1, 1, 0, 0]), 6,
                          tlvs=tlv(0x0001, b"\x20\x00")),
    "pdelay_req.bin": msg(0x2, timestamp(5, 6) + b"\0" * 10, 9, control=5),
    "pdelay_resp.bin": msg(0x3, timestamp(5, 7) + GM + b"\x00\x01", 9, control=5),
    "pdelay_resp_fup.bin": msg(0xA, timestamp(5, 8) + GM + b"\x00\x01", 9, control=5),
}

ann = GOLDEN["announce.bin"]
MALFORMED = {
    "empty": b"",
    "short_header": ann[:33],
    "version1": ann[:1] + b"\x01" + ann[2:],
    "reserved_type": bytes([0x04]) + ann[1:],
    "length_past_dgram": ann[:2] + struct.pack(">H", len(ann) + 1) + ann[4:],
    "length_below_type": ann[:2] + struct.pack(">H", 44) + ann[4:],
    "ns_too_big": msg(0x0, timestamp(1, 1000000000), 1),
    "tlv_ffff": msg(0xC, b"\xff" * 10, 2, tlvs=struct.pack(">HH", 3, 0xFFFF) + b"\0" * 8),
    "tlv_overrun": msg(0xC, b"\xff" * 10, 3, tlvs=struct.pack(">HH", 3, 8) + b"\0" * 4),
    "tlv_partial_header": msg(0xC, b"\xff" * 10, 4, tlvs=b"\x00\x03"),
    "log_interval_min": msg(0x0, timestamp(1, 2), 5, log_interval=-128),
    "log_interval_max": msg(0x0, timestamp(1, 2), 6, log_interval=127),
    "trailing_padding": GOLDEN["sync_2step.bin"] + b"\0" * 20,
}


def main():
    os.makedirs(CORPUS, exist_ok=True)
    for name, data in GOLDEN.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        with open(os.path.join(CORPUS, name[:-4]), "wb") as f:
            f.write(data)
    for name, data in MALFORMED.items():
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
