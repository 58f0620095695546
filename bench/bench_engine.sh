#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CPU cost of aes67d's streaming engine against peers, in one run: 16 tx streams of 8 channels
# L24/48 kHz (h1, 128 channels) to 16 rx streams (h2, 128 channels), two network namespaces
# joined by a veth, at each packet time in PTIMES. Per packet time and run, three stages move
# the same packets (same groups, sizes and rates), one after the other:
#   aes67d  h1: aes67d, 16 tx streams fed from its device's playback ring (silence);
#           h2: aes67d, 16 rx streams into its device's capture ring;
#   gst     h1: one gst-launch-1.0 with 16 branches audiotestsrc (silence, live) ! S24BE 8 ch
#               ! rtpL24pay min/max-ptime ! udpsink;
#           h2: one gst-launch-1.0 with 16 branches udpsrc ! rtpjitterbuffer ! rtpL24depay
#               ! fakesink;
#   bare    bench_bare_loop tx / rx: one clock_nanosleep + one sendmmsg per tick, blocking
#           recvmmsg (the floor).
# CPU is utime + stime of each process from /proc/PID/stat over a SECONDS window after a
# 2 s settle. For aes67d also the engine's TX / RX thread CPU (status: tx_cpu_ns / rx_cpu_ns)
# and, summed over all 16 rx streams, packets / lost / late from stream.stats. Prints one
# table row per stage, run and side, then medians over RUNS and ratios. Needs root.
# Results: docs/bench-engine.md.
# Usage: [PTIMES="1000 125"] [RUNS=3] bench/bench_engine.sh [BUILD_DIR] [SECONDS]
# (BUILD_DIR: else $AES67_BUILD, else ./build, else out/test/b-gcc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/integration/lib.sh"
a67_require_root
[ -n "${1:-}" ] && AES67_BUILD=$1
a67_build_dir src/daemon/aes67d bench/bench_bare_loop
SECS=${2:-20}
RUNS=${RUNS:-3}
STREAMS=16
CH=8
a67_hosts 2 || exit 1
a67_tmpdir
tmp=$A67_TMP
hz=$(getconf CLK_TCK)
results=$tmp/results.txt
: >"$results"

conf() { # ROLE PTIME_US FILE
    python3 - "$1" "$2" "$STREAMS" "$CH" >"$3" <<'PY'
import json, sys
role, ptime, n, ch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
dev = {"name": "aes67", "playback_channels": n * ch, "capture_channels": n * ch,
       "rate": 48000, "ptime_us": ptime}
tx, rx = [], []
for i in range(n):
    if role == "tx":
        tx.append({"name": "t%d" % i, "destination": "239.69.30.%d" % (i + 1), "port": 5004,
                   "encoding": "L24", "rate": 48000, "channels": ch, "ptime_us": ptime,
                   "device": "aes67", "device_channel_offset": ch * i})
    else:
        rx.append({"name": "r%d" % i, "source": {"address": "239.69.30.%d" % (i + 1),
                   "port": 5004, "encoding": "L24", "rate": 48000, "channels": ch},
                   "device": "aes67", "device_channel_offset": ch * i})
print(json.dumps({"interface": "eth0", "devices": [dev], "streams": {"tx": tx, "rx": rx}}))
PY
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
eng_ns() { # HOST FIELD
    a67_ctl "$1" "$tmp/$1.sock" '{"cmd":"status"}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["engine"].get(sys.argv[1], 0))' "$2" 2>/dev/null || echo 0
}
rx_counters() { # -> "packets lost late" summed over every rx stream of h2 (one request)
    a67_ctl h2 "$tmp/h2.sock" '{"cmd":"stream.stats"}' | python3 -c '
import json, sys
try:
    rx = json.load(sys.stdin)["rx"]
except Exception:
    rx = []
print(sum(s["packets"] for s in rx), sum(s["lost"] for s in rx), sum(s["late"] for s in rx))'
}
pct() { # TICKS SECONDS -> % of one core
    python3 -c 'import sys; print("%.2f" % (100.0 * int(sys.argv[1]) / int(sys.argv[2]) / float(sys.argv[3])))' "$1" "$hz" "$2"
}
record() { # PTIME STAGE SIDE CPU% [EXTRA]
    local per
    per=$(python3 -c 'import sys; print("%.4f" % (float(sys.argv[1]) / int(sys.argv[2])))' "$4" $((STREAMS * CH)))
    echo "$1 $2 $3 $4 $per" >>"$results"
    echo "| $1 us | $run | $2 | $3 | $4 | $per | ${5:-} |"
}
# measure PID_H1 PID_H2 -> sets c1 c2 (CPU % of one core over the window) and el (s)
measure() {
    local t0a t0b t1a t1b w0 w1
    w0=$(date +%s%N); t0a=$(cpu_ticks "$1"); t0b=$(cpu_ticks "$2")
    sleep "$SECS"
    t1a=$(cpu_ticks "$1"); t1b=$(cpu_ticks "$2"); w1=$(date +%s%N)
    el=$(python3 -c "print(($w1 - $w0) / 1e9)")
    c1=$(pct $((t1a - t0a)) "$el"); c2=$(pct $((t1b - t0b)) "$el")
}
stop() { kill "$@" 2>/dev/null; wait "$@" 2>/dev/null; sleep 1; }

stage_aes67d() { # PTIME
    local h e0a e0b e1a e1b w0 w1 ex stats
    conf tx "$1" "$tmp/h1.json"
    conf rx "$1" "$tmp/h2.json"
    for h in h1 h2; do
        rm -f "$tmp/$h.sock" "$tmp/$h.dev.sock"
        a67_bg $h $((SECS + 40)) "$B/src/daemon/aes67d" -f -i eth0 -c "$tmp/$h.json" \
            -s "$tmp/$h.sock" >>"$tmp/$h.log" 2>&1
        eval "pid_$h=$A67_LAST_PID"
        a67_wait_for 5 test -S "$tmp/$h.sock"
    done
    sleep 2
    stats=$(rx_counters)
    e0a=$(eng_ns h1 tx_cpu_ns); e0b=$(eng_ns h2 rx_cpu_ns); w0=$(date +%s%N)
    measure "$pid_h1" "$pid_h2"
    e1a=$(eng_ns h1 tx_cpu_ns); e1b=$(eng_ns h2 rx_cpu_ns); w1=$(date +%s%N)
    ex=$(python3 -c "print(($w1 - $w0) / 1e9)")
    # Counters over the window: packets, lost, late received by the 16 rx streams.
    stats=$(echo "$stats $(rx_counters)" | awk '{print $4 - $1, $5 - $2, $6 - $3}')
    record "$1" aes67d "h1 tx" "$c1" "TX thread $(python3 -c "print('%.2f' % (100.0 * ($e1a - $e0a) / 1e9 / $ex))")"
    record "$1" aes67d "h2 rx" "$c2" "RX thread $(python3 -c "print('%.2f' % (100.0 * ($e1b - $e0b) / 1e9 / $ex))"); 16 rx: packets/lost/late $stats"
    echo "$1 aes67d counters $stats" >>"$results"
    stop "$pid_h1" "$pid_h2"
}

stage_gst() { # PTIME
    local spb=$((48 * $1 / 1000)) ptime_ns=$(($1 * 1000)) i tx="" rx=""
    for i in $(seq 1 "$STREAMS"); do
        tx="$tx audiotestsrc is-live=true wave=silence samplesperbuffer=$spb !"
        tx="$tx audio/x-raw,format=S24BE,channels=$CH,rate=48000,layout=interleaved !"
        tx="$tx rtpL24pay min-ptime=$ptime_ns max-ptime=$ptime_ns pt=96 !"
        tx="$tx udpsink host=239.69.30.$i port=5004 multicast-iface=eth0 ttl-mc=16 sync=true async=false"
        rx="$rx udpsrc address=239.69.30.$i port=5004 multicast-iface=eth0"
        rx="$rx caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=L24,channels=$CH,payload=96 !"
        rx="$rx rtpjitterbuffer latency=5 ! rtpL24depay ! fakesink sync=false async=false"
    done
    # shellcheck disable=SC2086
    a67_bg h2 $((SECS + 30)) gst-launch-1.0 -q $rx >"$tmp/gst_rx.log" 2>&1
    local prx=$A67_LAST_PID
    sleep 0.5
    # shellcheck disable=SC2086
    a67_bg h1 $((SECS + 30)) gst-launch-1.0 -q $tx >"$tmp/gst_tx.log" 2>&1
    local ptx=$A67_LAST_PID
    sleep 2
    if ! kill -0 "$ptx" 2>/dev/null || ! kill -0 "$prx" 2>/dev/null; then
        echo "| $1 us | $run | gst | failed to start: $(head -c 200 "$tmp/gst_tx.log" "$tmp/gst_rx.log") | | | |"
        stop "$ptx" "$prx"
        return
    fi
    measure "$ptx" "$prx"
    record "$1" gst "h1 tx" "$c1"
    record "$1" gst "h2 rx" "$c2"
    stop "$ptx" "$prx"
}

stage_bare() { # PTIME
    local prx ptx out
    a67_bg h2 $((SECS + 30)) "$B/bench/bench_bare_loop" rx eth0 239.69.30.1 "$STREAMS" "$CH" \
        "$1" $((SECS + 4)) >"$tmp/bare_rx.log" 2>&1
    prx=$A67_LAST_PID
    sleep 0.5
    a67_bg h1 $((SECS + 30)) "$B/bench/bench_bare_loop" tx eth0 239.69.30.1 "$STREAMS" "$CH" \
        "$1" $((SECS + 3)) >"$tmp/bare_tx.log" 2>&1
    ptx=$A67_LAST_PID
    sleep 2
    measure "$ptx" "$prx"
    wait "$ptx" "$prx" 2>/dev/null
    out=$(cat "$tmp/bare_rx.log")
    record "$1" bare "h1 tx" "$c1" "$(cat "$tmp/bare_tx.log")"
    record "$1" bare "h2 rx" "$c2" "$out"
}

echo "# $(date -u +%FT%TZ), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), build $B, ${SECS} s windows"
echo "| ptime | run | stage | side | process CPU % of one core | per channel % | notes |"
echo "|---|---|---|---|---|---|---|"
for ptime in ${PTIMES:-1000 125}; do
    for run in $(seq 1 "$RUNS"); do
        stage_aes67d "$ptime"
        stage_gst "$ptime"
        stage_bare "$ptime"
    done
done
echo
echo "Medians over $RUNS runs (load at end: $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 - "$results" <<'PY'
import statistics, sys
from collections import defaultdict
cpu = defaultdict(list)
cnt = defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    if f[2] == "counters":
        cnt[f[0]].append(tuple(int(x) for x in f[3:6]))
    else:
        cpu[(f[0], f[1], f[2] + " " + f[3])].append(float(f[4]))
print("| ptime | side | aes67d % | gst % | bare % | aes67d/gst | aes67d/bare | aes67d per ch % |")
print("|---|---|---|---|---|---|---|---|")
for pt in sorted({k[0] for k in cpu}, key=int, reverse=True):
    for side in ("h1 tx", "h2 rx"):
        m = {st: statistics.median(cpu[(pt, st, side)]) if cpu.get((pt, st, side)) else float("nan")
             for st in ("aes67d", "gst", "bare")}
        r = lambda a, b: "%.2f" % (a / b) if b > 0 else "inf"
        print("| %s us | %s | %.2f | %.2f | %.2f | %s | %s | %.4f |" % (
            pt, side, m["aes67d"], m["gst"], m["bare"], r(m["aes67d"], m["gst"]),
            r(m["aes67d"], m["bare"]), m["aes67d"] / 128))
    for c in cnt.get(pt, []):
        print("| %s us | aes67d 16 rx over the window | packets %d, lost %d, late %d | | | | | |" % ((pt,) + c))
PY
