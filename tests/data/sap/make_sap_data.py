#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the SAP golden packets (tests/data/sap/*.bin) and the fuzz seed corpus
(tests/fuzz/corpus/sap/*) from the SDPs in ../shared/data/sdp/.

Independent of the C code on purpose: the packets are built here from RFC 2974 §6 and the
message id hash is computed here (FNV-1a 32, folded to 16 bits, 0 -> 1), so the unit suite
cross-checks the C decoder, encoder and hash against a second implementation.
Deterministic: run it again and the files come out byte for byte the same.

Usage: python3 tests/data/sap/make_sap_data.py   (from the repository root)
"""
import ipaddress
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SDP_DIR = os.path.join(ROOT, "..", "shared", "data", "sdp")
DATA_DIR = os.path.join(ROOT, "tests", "data", "sap")
CORPUS_DIR = os.path.join(ROOT, "tests", "fuzz", "corpus", "sap")


def msg_id_hash(payload: bytes) -> int:
    h = 2166136261
    for b in payload:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    f = (h >> 16) ^ (h & 0xFFFF)
    return f or 1


def sap(origin: str, payload: bytes, *, deletion=False, mime=b"application/sdp", auth=b"",
        version=1, encrypted=False, compressed=False, msg_hash=None) -> bytes:
    addr = ipaddress.ip_address(origin)
    assert len(auth) % 4 == 0 and len(auth) <= 1020
    flags = version << 5
    flags |= 0x10 if addr.version == 6 else 0
    flags |= 0x04 if deletion else 0
    flags |= 0x02 if encrypted else 0
    flags |= 0x01 if compressed else 0
    h = msg_id_hash(payload) if msg_hash is None else msg_hash
    out = bytes([flags, len(auth) // 4]) + h.to_bytes(2, "big") + addr.packed + auth
    if mime is not None:
        out += mime + b"\0"
    return out + payload


def sdp(name: str) -> bytes:
    with open(os.path.join(SDP_DIR, name), "rb") as f:
        return f.read()


def o_line(payload: bytes) -> bytes:
    for line in payload.splitlines():
        if line.startswith(b"o="):
            return line + b"\r\n"
    raise ValueError("no o= line")


def write(directory: str, name: str, data: bytes) -> None:
    assert len(data) < 4096, name
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main() -> None:
    daemon = sdp("aes67-linux-daemon-1.sdp")
    anubis = sdp("merging-anubis-1.sdp")
    dante = sdp("dante-avio-usb-1.sdp")

    # Golden packets for the unit suite (expected values are asserted in test_sap.c).
    write(DATA_DIR, "ipv4-announce.bin", sap("192.168.1.17", daemon))
    write(DATA_DIR, "ipv6-announce.bin", sap("2001:db8::17", anubis))
    write(DATA_DIR, "ipv4-notype-auth.bin",
          sap("10.0.0.5", dante, mime=None, auth=bytes(range(1, 9))))
    write(DATA_DIR, "ipv4-delete.bin",
          sap("192.168.1.17", o_line(daemon), deletion=True, msg_hash=msg_id_hash(daemon)))

    # Fuzz seeds: the shapes a listener meets on a real network, good and bad.
    names = ["aes67-linux-daemon-1.sdp", "merging-anubis-1.sdp", "dante-avio-usb-1.sdp",
             "dante-dvs-nuc-1.sdp", "axia-livewire-stl-1.sdp", "tschiemer-aes67-test-1.sdp",
             "aes67-spec-example-1.sdp", "embrionix-st2110-concat-1.sdp"]
    origins = ["192.168.1.17", "2001:db8::17"]
    n = 0
    for i, name in enumerate(names):
        p = sdp(name)
        o = origins[i % 2]
        write(CORPUS_DIR, "%02d-announce.bin" % n, sap(o, p)); n += 1
        write(CORPUS_DIR, "%02d-notype.bin" % n, sap(o, p, mime=None)); n += 1
        write(CORPUS_DIR, "%02d-delete.bin" % n, sap(o, o_line(p), deletion=True,
                                                     msg_hash=msg_id_hash(p))); n += 1
    write(CORPUS_DIR, "%02d-auth.bin" % n, sap("10.0.0.5", dante, auth=bytes(range(16)))); n += 1
    write(CORPUS_DIR, "%02d-encrypted.bin" % n, sap("10.0.0.5", dante, encrypted=True)); n += 1
    write(CORPUS_DIR, "%02d-compressed.bin" % n, sap("10.0.0.5", dante, compressed=True)); n += 1
    write(CORPUS_DIR, "%02d-version0.bin" % n, sap("10.0.0.5", dante, version=0)); n += 1
    write(CORPUS_DIR, "%02d-othermime.bin" % n, sap("10.0.0.5", dante, mime=b"text/plain")); n += 1
    write(CORPUS_DIR, "%02d-truncated.bin" % n, sap("2001:db8::1", anubis)[:12]); n += 1
    write(CORPUS_DIR, "%02d-header-only.bin" % n, sap("10.0.0.5", b"", mime=None)); n += 1
    write(CORPUS_DIR, "%02d-type-no-payload.bin" % n, sap("10.0.0.5", b"")); n += 1
    write(CORPUS_DIR, "%02d-hash0.bin" % n, sap("10.0.0.5", daemon, msg_hash=0)); n += 1
    # Same origin, new version of the SDP (sess-version bumped): the cache's update path.
    bumped = daemon.replace(b"317021570", b"317021571")
    write(CORPUS_DIR, "%02d-update.bin" % n, sap("192.168.1.17", bumped)); n += 1
    # The same o= from another origin: a forged deletion.
    forged = sap("192.168.1.66", o_line(daemon), deletion=True, msg_hash=msg_id_hash(daemon))
    write(CORPUS_DIR, "%02d-forged-delete.bin" % n, forged); n += 1

    # Scripts for the harness's second mode: [time step s][length be16][datagram]...
    def step(dt: int, pkt: bytes) -> bytes:
        return bytes([dt]) + len(pkt).to_bytes(2, "big") + pkt
    genuine = sap("192.168.1.17", o_line(bumped), deletion=True, msg_hash=msg_id_hash(bumped))
    write(CORPUS_DIR, "%02d-script-lifecycle.bin" % n,
          step(0, sap("192.168.1.17", daemon)) + step(10, sap("192.168.1.17", bumped)) +
          step(5, sap("2001:db8::17", anubis)) + step(1, forged) + step(1, genuine) +
          step(200, sap("10.0.0.5", dante))); n += 1
    small = [sdp(x) for x in names[2:7]]
    write(CORPUS_DIR, "%02d-script-full.bin" % n,
          b"".join(step(1, sap("10.0.0.%d" % (i + 1), p)) for i, p in enumerate(small)) +
          step(61, sap("10.0.0.9", anubis))); n += 1


if __name__ == "__main__":
    main()
