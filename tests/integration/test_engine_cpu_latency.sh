#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of engine.cpu_latency_us (docs/aes67d.md): aes67d holds a PM QoS CPU latency
# limit through /dev/cpu_dma_latency while its engine runs, and lets go when it stops.
#   1. with engine.cpu_latency_us = 7 the machine's limit (read back from the device, the
#      kernel's aggregate of every holder) becomes 7 and status.engine.cpu_latency_us says 7;
#   2. after kill -9 the kernel drops the request: the limit is what it was before;
#   3. without the key nothing is requested: the limit stays, status has neither field;
#   4. refused (a read-only file bound over the device in a private mount namespace): the daemon
#      warns, keeps running with its engine, and status.engine.cpu_latency_error says why.
# Exit 77 (skip) when the kernel has no /dev/cpu_dma_latency, or something else already holds a
# limit at or below 7 µs (our request would not show in the aggregate).
# Usage: test_engine_cpu_latency.sh   (aes67d from $AES67_BUILD, else ./build, else out/test/b-gcc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root
a67_build_dir src/daemon/aes67d
a67_need python3
dev=/dev/cpu_dma_latency
[ -c "$dev" ] || { echo "# SKIP no $dev in this kernel"; exit 77; }
limit() { python3 -c 'import struct,sys; print(struct.unpack("i", open(sys.argv[1], "rb").read(4))[0])' "$dev"; }
limit_is() { test "$(limit)" = "$1"; }
before=$(limit)
[ "$before" -gt 7 ] || { echo "# SKIP a CPU latency limit of $before us is already held"; exit 77; }
echo "# CPU latency limit before: $before us"

a67_net 1
tmp=$A67_TMP
field() { # SOCKET KEY -> status.engine.KEY, or "absent"
    a67_ctl h1 "$1" '{"cmd":"status"}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["engine"].get(sys.argv[1], "absent"))' "$2"
}
conf() { # FILE [ENGINE JSON]
    printf '{"interface": "eth0", %s "devices": [{"name": "aes67", "playback_channels": 2, "capture_channels": 2, "rate": 48000, "ptime_us": 1000}]}\n' \
        "${2:+\"engine\": $2,}" >"$1"
}

# 1. held while running
conf "$tmp/a.json" '{"cpu_latency_us": 7}'
a67_bg h1 30 "$AES67D" -f -i eth0 -c "$tmp/a.json" -s "$tmp/a.sock" >"$tmp/a.log" 2>&1
pid=$A67_LAST_PID
a67_ok "daemon starts" a67_wait_for 5 test -S "$tmp/a.sock"
a67_ok "status.engine.cpu_latency_us is 7 ($(field "$tmp/a.sock" cpu_latency_us))" \
    test "$(field "$tmp/a.sock" cpu_latency_us)" = 7
a67_ok "the machine's limit is 7 us while it runs ($(limit))" test "$(limit)" = 7
a67_ctl h1 "$tmp/a.sock" '{"cmd":"stream.add","direction":"tx","stream":{"name":"t","destination":"239.69.1.1","port":5004,"encoding":"L24","rate":48000,"channels":2,"ptime_us":1000}}' >/dev/null
a67_ok "the config keeps the key when a stream change rewrites it" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["engine"] == {"cpu_latency_us": 7} and c["streams"]["tx"][0]["name"] == "t", c' "$tmp/a.json"

# 2. released when the process dies, however it dies
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
a67_ok "kill -9 releases it: the limit is $before us again ($(limit))" a67_wait_for 2 limit_is "$before"

# 3. not configured: no request
conf "$tmp/b.json"
a67_bg h1 30 "$AES67D" -f -i eth0 -c "$tmp/b.json" -s "$tmp/b.sock" >"$tmp/b.log" 2>&1
pid=$A67_LAST_PID
a67_ok "daemon without the key starts" a67_wait_for 5 test -S "$tmp/b.sock"
a67_ok "no key: the limit stays $before us ($(limit))" test "$(limit)" = "$before"
a67_ok "no key: status has no cpu_latency fields" \
    test "$(field "$tmp/b.sock" cpu_latency_us)/$(field "$tmp/b.sock" cpu_latency_error)" = absent/absent
kill -TERM "$pid"
wait "$pid" 2>/dev/null

# 4. refused: the daemon says so and runs on
: >"$tmp/ro"
a67_bg h1 30 unshare -m sh -c 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2 && exec "$@"' \
    sh "$tmp/ro" "$dev" "$AES67D" -f -i eth0 -c "$tmp/a.json" -s "$tmp/c.sock" >"$tmp/c.log" 2>&1
pid=$A67_LAST_PID
a67_ok "daemon with the device refused starts" a67_wait_for 5 test -S "$tmp/c.sock"
err=$(field "$tmp/c.sock" cpu_latency_error)
a67_ok "status.engine.cpu_latency_error says why ($err)" test "$err" = "Read-only file system"
a67_ok "status.engine.running stays true" test "$(field "$tmp/c.sock" running)" = True
a67_ok "the log warns and names the fix" grep -q "cpu_latency_us 7: /dev/cpu_dma_latency refused (Read-only file system).*drop engine.cpu_latency_us" "$tmp/c.log"
a67_ok "the machine's limit is untouched ($(limit))" test "$(limit)" = "$before"
kill -TERM "$pid"
wait "$pid" 2>/dev/null

a67_done
