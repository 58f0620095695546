#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CPU cost of aes67d's streaming engine: 16 tx streams of 8 channels L24/48 kHz from one daemon
# (h1, 128 playback channels) to 16 rx streams of another (h2, 128 capture channels), in two
# network namespaces, at 1 ms and 125 µs packet times. Reports, per daemon, process CPU
# (utime + stime from /proc/PID/stat) and the engine's TX/RX thread CPU (status: tx_cpu_ns,
# rx_cpu_ns) over SECONDS (default 20), and per channel. Needs root. Results: docs/bench-engine.md.
# Usage: [PTIMES="1000 125"] bench/bench_engine.sh [BUILD_DIR] [SECONDS]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/integration/lib.sh"
a67_require_root
B=$(cd "${1:-${AES67_BUILD:-/tmp/b-wiring}}" && pwd)
SECS=${2:-20}
a67_hosts 2 || exit 1
a67_tmpdir
tmp=$A67_TMP
hz=$(getconf CLK_TCK)

conf() { # ROLE PTIME_US FILE
    python3 - "$1" "$2" >"$3" <<'PY'
import json, sys
role, ptime = sys.argv[1], int(sys.argv[2])
dev = {"name": "aes67", "playback_channels": 128, "capture_channels": 128, "rate": 48000,
       "ptime_us": ptime}
tx, rx = [], []
for i in range(16):
    if role == "tx":
        tx.append({"name": "t%d" % i, "destination": "239.69.30.%d" % (i + 1), "port": 5004,
                   "encoding": "L24", "rate": 48000, "channels": 8, "ptime_us": ptime,
                   "device": "aes67", "device_channel_offset": 8 * i})
    else:
        rx.append({"name": "r%d" % i, "source": {"address": "239.69.30.%d" % (i + 1),
                   "port": 5004, "encoding": "L24", "rate": 48000, "channels": 8},
                   "device": "aes67", "device_channel_offset": 8 * i})
print(json.dumps({"interface": "eth0", "devices": [dev], "streams": {"tx": tx, "rx": rx}}))
PY
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
eng_ns() { # HOST FIELD
    a67_ctl "$1" "$tmp/$1.sock" '{"cmd":"status"}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["engine"].get(sys.argv[1], 0))' "$2"
}

echo "| ptime | daemon | process CPU % of one core | engine thread CPU % | per channel (process) |"
echo "|---|---|---|---|---|"
for ptime in ${PTIMES:-1000 125}; do
    conf tx $ptime "$tmp/h1.json"
    conf rx $ptime "$tmp/h2.json"
    for h in h1 h2; do
        rm -f "$tmp/$h.sock" "$tmp/$h.dev.sock"
        a67_bg $h $((SECS + 30)) "$B/src/daemon/aes67d" -f -i eth0 -c "$tmp/$h.json" \
            -s "$tmp/$h.sock" >>"$tmp/$h.log" 2>&1
        a67_wait_for 5 test -S "$tmp/$h.sock"
        eval "pid_$h=$A67_LAST_PID"
        a67_wait_for 5 test -S "$tmp/$h.dev.sock"
    done
    sleep 2
    e0h1=$(eng_ns h1 tx_cpu_ns); e0h2=$(eng_ns h2 rx_cpu_ns)
    w0=$(date +%s%N); t0h1=$(cpu_ticks $pid_h1); t0h2=$(cpu_ticks $pid_h2)
    sleep "$SECS"
    t1h1=$(cpu_ticks $pid_h1); t1h2=$(cpu_ticks $pid_h2); w1=$(date +%s%N)
    e1h1=$(eng_ns h1 tx_cpu_ns); e1h2=$(eng_ns h2 rx_cpu_ns); w2=$(date +%s%N)
    el=$(python3 -c "print(($w1 - $w0) / 1e9)")
    # The engine counters bracket the window from outside (control requests); their wall
    # time is the whole bracket.
    elx=$(python3 -c "print(($w2 - $w0) / 1e9)")
    a67_ctl h2 "$tmp/h2.sock" '{"cmd":"stream.stats","name":"r0"}' >"$tmp/r0.$ptime.json"
    for h in h1 h2; do
        eval "t0=\$t0$h t1=\$t1$h e0=\$e0$h e1=\$e1$h"
        python3 -c '
import sys
ticks, hz, secs, ens = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
p = 100.0 * ticks / hz / secs
e = 100.0 * ens / 1e9 / float(sys.argv[7]) if ens > 0 else float("nan")
print("| %s us | %s | %.2f | %.2f | %.3f |" % (sys.argv[5], sys.argv[6], p, e, p / 128))
' $((t1 - t0)) "$hz" "$el" $((e1 - e0)) "$ptime" "$([ $h = h1 ] && echo "h1: 16 tx x 8 ch (TX thread)" || echo "h2: 16 rx x 8 ch (RX thread)")" "$elx"
    done
    echo "| | r0 stats | $(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["rx"][0]; print("packets %d lost %d late %d jitter_us %d" % (s["packets"], s["lost"], s["late"], s["jitter_us"]))' "$tmp/r0.$ptime.json") | | |"
    kill $pid_h1 $pid_h2 2>/dev/null
    wait $pid_h1 $pid_h2 2>/dev/null
    sleep 1
done
