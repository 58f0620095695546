#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of aes67d's command line and control socket, in network namespaces:
#   1. without --interface it exits 2 and lists the namespace's interfaces;
#   2. with a down / unknown interface it exits 2 naming the reason;
#   3. with eth0 the control socket (mode 0600) answers status;
#   4. kill -9 during a loop of stream.add requests leaves a config file that still parses.
# Usage: test_daemon_cli.sh [path/to/aes67d]   (default: the one in the build dir: $AES67_BUILD,
# else ./build, else out/test/b-gcc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

if [ -n "${1:-}" ]; then
    AES67D=$1
    [ -x "$AES67D" ] || { echo "Bail out! $AES67D is not an executable aes67d"; exit 1; }
else
    a67_build_dir src/daemon/aes67d
fi
a67_need python3

a67_net 2
tmp=$A67_TMP


# 1. no interface
a67_run h1 "$AES67D" --foreground --control "$tmp/x.sock" >"$tmp/out1" 2>&1
rc=$?
a67_ok "no --interface exits 2 (got $rc)" test "$rc" -eq 2
a67_ok "error lists eth0 with its address" grep -q "eth0 .* up .*198.51.100.1/24 .*yes" "$tmp/out1"
a67_ok "error lists lo" grep -q "^  lo " "$tmp/out1"
a67_ok "error says how to fix it" grep -q -- "--interface NAME" "$tmp/out1"

# 2. unusable interfaces
a67_run h1 "$AES67D" -f -i nosuch0 -s "$tmp/x.sock" >"$tmp/out2" 2>&1
rc=$?
a67_ok "unknown interface exits 2" test "$rc" -eq 2
a67_ok "unknown interface is named" grep -q 'interface "nosuch0" does not exist' "$tmp/out2"
a67_run h1 ip link set eth0 down
a67_run h1 "$AES67D" -f -i eth0 -s "$tmp/x.sock" >"$tmp/out3" 2>&1
rc=$?
a67_run h1 ip link set eth0 up
a67_ok "down interface exits 2" test "$rc" -eq 2
a67_ok "down interface is explained" grep -q "interface eth0 is down" "$tmp/out3"

# 3. running daemon answers status
cfg="$tmp/aes67d.json"
cat >"$cfg" <<'JSON'
{"interface": "eth0",
 "devices": [{"name": "aes67", "playback_channels": 64, "capture_channels": 8, "rate": 48000, "ptime_us": 1000}]}
JSON
sock="$tmp/h1.sock"
a67_bg h1 60 "$AES67D" -f -i eth0 -c "$cfg" -s "$sock"
pid=$A67_LAST_PID
a67_ok "control socket appears" a67_wait_for 5 test -S "$sock"
a67_ok "control socket mode is 0600" test "$(stat -c %a "$sock")" = 600
st=$(a67_ctl h1 "$sock" '{"cmd":"status"}')
a67_ok "status answers ok" grep -q '"ok":true' <<<"$st"
a67_ok "status names eth0" grep -q '"interface":"eth0"' <<<"$st"
a67_ok "bad JSON gets an error" grep -q '"ok":false' <<<"$(a67_ctl h1 "$sock" '{oops')"
# Threads carry names (top -H, perf, ps -L): the engine's RT threads among them.
dpid=
for p in $(pgrep -x aes67d); do grep -qF "$sock" "/proc/$p/cmdline" && dpid=$p; done
names=$(cat /proc/"${dpid:-0}"/task/*/comm 2>/dev/null | sort | tr '\n' ' ')
a67_ok "threads are named ($names)" bash -c \
    "for n in aes67d-tx aes67d-rx aes67d-ptp aes67d-control aes67d-device; do grep -qw -- \$n <<<'$names' || exit 1; done"

# 4. kill -9 while stream.add/remove runs in a loop; the config must still parse every time.
add_loop() {
    a67_run h1 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
# Up to 20 streams are kept; beyond that each add is followed by a remove, so saves never stop.
for i in range(3000):
    k = i % 40
    if i >= 20 and i % 2:
        req = "{\"cmd\":\"stream.remove\",\"direction\":\"tx\",\"name\":\"t%d\"}" % (k - 1)
    else:
        req = ("{\"cmd\":\"stream.add\",\"direction\":\"tx\",\"stream\":{\"name\":\"t%d\","
               "\"destination\":\"239.69.1.%d\",\"port\":5004,\"encoding\":\"L24\","
               "\"rate\":48000,\"channels\":2,\"ptime_us\":1000}}" % (k, k + 1))
    try:
        s.sendall(req.encode() + b"\n")
        if not s.recv(4096):
            break
    except OSError:
        break
' "$1" >/dev/null 2>&1
}
add_loop "$sock" &
loop=$!
A67_PIDS+=("$loop")
sleep 0.4
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
wait "$loop" 2>/dev/null
a67_ok "config parses after kill -9 (python json)" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$cfg"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("streams",{}).get("tx",[])))' "$cfg")
echo "# config held $n tx streams when the daemon was killed"
# The daemon itself must accept what it wrote: restart on it and list.
rm -f "$sock"
a67_bg h1 60 "$AES67D" -f -i eth0 -c "$cfg" -s "$sock"
pid=$A67_LAST_PID
a67_ok "daemon restarts on the surviving config" a67_wait_for 5 test -S "$sock"
a67_ok "stream.list matches the file ($n tx)" \
    test "$(a67_ctl h1 "$sock" '{"cmd":"stream.list"}' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["tx"]))')" = "$n"
kill -TERM "$pid"
wait "$pid"
a67_ok "SIGTERM stops the daemon cleanly and removes the socket" test ! -e "$sock"

a67_done
