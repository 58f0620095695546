#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The RX thread's wait set holds one descriptor per socket, not one per stream (rxloop.c): the
# multicast streams of one UDP port share a socket, and the first of them stands for it in the
# epoll set. This test removes and re-adds the standing stream while the others keep receiving,
# on two namespaced hosts: aes67d on h1 sends three 1 ms L24 streams to three groups on port
# 5004; aes67d on h2 receives all three (one shared socket). Each step checks with stream.stats
# that every remaining stream's packet counter grows by at least 500 in one second (1000 sent):
#   1. all three receive;
#   2. r1 (the socket's representative) removed: r2 and r3 still receive;
#   3. r1 added back: all three receive;
#   4. r2 and r3 removed, then r1 alone: still receives; r2 added back: both receive.
# Binaries from $AES67_BUILD (a meson build dir), else ./build, else out/test/b-gcc.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root
a67_build_dir src/daemon/aes67d
a67_need python3
a67_net 2
tmp=$A67_TMP

rxs() { # NAME GROUP DEVICE_CHANNEL_OFFSET
    echo "{\"name\": \"$1\", \"source\": {\"address\": \"$2\", \"port\": 5004, \"encoding\": \"L24\","
    echo " \"rate\": 48000, \"channels\": 2}, \"device\": \"aes67\", \"device_channel_offset\": $3}"
}
dev='"devices": [{"name": "aes67", "playback_channels": 6, "capture_channels": 6, "rate": 48000, "ptime_us": 1000}]'
cat >"$tmp/h1.json" <<EOF
{"interface": "eth0", $dev,
 "streams": {"rx": [], "tx": [
  {"name": "t1", "destination": "239.69.41.1", "port": 5004, "encoding": "L24", "rate": 48000,
   "channels": 2, "ptime_us": 1000, "device": "aes67", "device_channel_offset": 0},
  {"name": "t2", "destination": "239.69.41.2", "port": 5004, "encoding": "L24", "rate": 48000,
   "channels": 2, "ptime_us": 1000, "device": "aes67", "device_channel_offset": 2},
  {"name": "t3", "destination": "239.69.41.3", "port": 5004, "encoding": "L24", "rate": 48000,
   "channels": 2, "ptime_us": 1000, "device": "aes67", "device_channel_offset": 4}]}}
EOF
cat >"$tmp/h2.json" <<EOF
{"interface": "eth0", $dev,
 "streams": {"tx": [], "rx": [$(rxs r1 239.69.41.1 0), $(rxs r2 239.69.41.2 2), $(rxs r3 239.69.41.3 4)]}}
EOF

ctl() { a67_ctl "$1" "$tmp/$1.sock" "$2"; }
packets() { # NAME -> packet counter of rx stream NAME on h2 (-1 if unknown)
    ctl h2 '{"cmd":"stream.stats"}' | python3 -c '
import json, sys
try:
    print(next(s["packets"] for s in json.load(sys.stdin)["rx"] if s["name"] == sys.argv[1]))
except Exception:
    print(-1)' "$1"
}
# receiving NAME...: every named stream counts at least 500 packets in one second
receiving() {
    local n before=() i=0 ok=0 after
    for n in "$@"; do before+=("$(packets "$n")"); done
    sleep 1
    for n in "$@"; do
        after=$(packets "$n")
        echo "#   $n: ${before[$i]} -> $after"
        if [ "${before[$i]}" -lt 0 ] || [ $((after - before[i])) -lt 500 ]; then ok=1; fi
        i=$((i + 1))
    done
    return $ok
}
remove() { ctl h2 "{\"cmd\":\"stream.remove\",\"direction\":\"rx\",\"name\":\"$1\"}" | grep -q '"ok": *true'; }
add() { ctl h2 "{\"cmd\":\"stream.add\",\"direction\":\"rx\",\"stream\":$(rxs "$1" "$2" "$3" | tr -d '\n')}" | grep -q '"ok": *true'; }

a67_daemon h2 120 "$tmp/h2.sock" "$tmp/h2.log" -c "$tmp/h2.json"
a67_daemon h1 120 "$tmp/h1.sock" "$tmp/h1.log" -c "$tmp/h1.json"
sleep 2
a67_ok "1. r1, r2, r3 on one port all receive" receiving r1 r2 r3
a67_ok "2. remove r1 (the socket's representative in the wait set)" remove r1
sleep 0.2
a67_ok "2. r2 and r3 still receive" receiving r2 r3
a67_ok "3. add r1 back" add r1 239.69.41.1 0
sleep 0.2
a67_ok "3. r1, r2, r3 receive" receiving r1 r2 r3
remove_two() { remove "$1" && remove "$2"; }
a67_ok "4. remove r2 and r3" remove_two r2 r3
sleep 0.2
a67_ok "4. r1 alone still receives" receiving r1
a67_ok "4. add r2 back" add r2 239.69.41.2 2
sleep 0.2
a67_ok "4. r1 and r2 receive" receiving r1 r2
a67_done
