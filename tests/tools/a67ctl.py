# SPDX-License-Identifier: MIT
"""One request to an aes67d control socket (a JSON object per line, docs/aes67d.md).

Shared by the shell tests and benchmarks that talk to the daemon from Python: lib.sh's a67_ctl
runs this file as a program (`python3 a67ctl.py SOCKET JSON` prints the answer line), and the
longer Python helpers import request() from it. Local Unix socket only; nothing goes on the
network.
"""
import json
import socket
import sys


def request_raw(sock_path, line, timeout=5.0):
    """Sends LINE (str, no newline) and returns the answer line (bytes, with its newline)."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        s.sendall(line.encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            d = s.recv(65536)
            if not d:
                break
            buf += d
        return buf
    finally:
        s.close()


def request(sock_path, obj, timeout=5.0):
    """Sends OBJ (a dict) and returns the decoded answer."""
    return json.loads(request_raw(sock_path, json.dumps(obj), timeout))


if __name__ == "__main__":
    sys.stdout.write(request_raw(sys.argv[1], sys.argv[2]).decode())
