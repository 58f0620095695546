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
#           recvmmsg (the floor);
#   pipewire  headless PipeWire 0.3.65 + wireplumber per host (dbus-run-session, private config,
#           graph quantum = one packet time). h1: 16 libpipewire-module-rtp-sink (S24BE 8 ch,
#           sess.min/max-ptime = the packet time), each fed by one pw-cat playing a silent
#           8-ch WAV; h2: 16 libpipewire-module-rtp-source (found by SAP, sess.latency.msec 3)
#           linked by wireplumber to one 8-ch null sink (the driver). Rows: "pipewire" = the
#           pipewire daemon alone; "pw_total" = daemon + wireplumber (+ the 16 pw-cat on h1).
#           Run 1 of each packet time also captures 1 s of one group on h2 with tshark to
#           check PipeWire's packet size, timestamp step and pacing.
# CPU is utime + stime of each process from /proc/PID/stat over a SECONDS window after a
# 2 s settle. For aes67d also the engine's TX / RX thread CPU (status: tx_cpu_ns / rx_cpu_ns)
# and, summed over all 16 rx streams, packets / lost / late from stream.stats. Every h1 row
# notes the UDP datagrams h1 sent per second over the window (/proc/net/snmp OutDatagrams),
# so stages that move fewer packets show it. Prints one table row per stage, run and side,
# then medians over RUNS and ratios. Needs root.
# Results: docs/bench-engine.md.
# Usage: [PTIMES="1000 125"] [RUNS=3] [STAGES="aes67d gst bare pipewire"]
#        bench/bench_engine.sh [BUILD_DIR] [SECONDS]
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
udp_count() { # HOST FIELD -> that counter of the "Udp:" lines of the host's /proc/net/snmp
    a67_run "$1" awk -v f="$2" '$1 == "Udp:" && !n { for (i = 2; i <= NF; i++) k[i] = $i; n = 1; next }
        $1 == "Udp:" { for (i = 2; i <= NF; i++) if (k[i] == f) print $i }' /proc/net/snmp 2>/dev/null || echo 0
}
per_s() { python3 -c 'import sys; print("%.0f" % ((int(sys.argv[2]) - int(sys.argv[1])) / float(sys.argv[3])))' "$@"; }
# measure PID_H1 PID_H2 -> sets c1 c2 (CPU % of one core over the window), el (s) and sent
# (UDP datagrams h1 sent per second over the window)
measure() {
    local t0a t0b t1a t1b w0 w1 o0 o1
    o0=$(udp_count h1 OutDatagrams)
    w0=$(date +%s%N); t0a=$(cpu_ticks "$1"); t0b=$(cpu_ticks "$2")
    sleep "$SECS"
    t1a=$(cpu_ticks "$1"); t1b=$(cpu_ticks "$2"); w1=$(date +%s%N)
    o1=$(udp_count h1 OutDatagrams)
    el=$(python3 -c "print(($w1 - $w0) / 1e9)")
    c1=$(pct $((t1a - t0a)) "$el"); c2=$(pct $((t1b - t0b)) "$el")
    sent=$(per_s "$o0" "$o1" "$el")
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
    record "$1" aes67d "h1 tx" "$c1" "TX thread $(python3 -c "print('%.2f' % (100.0 * ($e1a - $e0a) / 1e9 / $ex))"); h1 sent $sent pkt/s"
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
    record "$1" gst "h1 tx" "$c1" "h1 sent $sent pkt/s"
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
    record "$1" bare "h1 tx" "$c1" "$(cat "$tmp/bare_tx.log"); h1 sent $sent pkt/s"
    record "$1" bare "h2 rx" "$c2" "$out"
}

# --- PipeWire stage -----------------------------------------------------------------------
PW_POS="[ AUX0 AUX1 AUX2 AUX3 AUX4 AUX5 AUX6 AUX7 ]"
PW_WHY=""
for t in pipewire wireplumber pw-cat pw-cli pw-dump dbus-run-session setsid sox tshark; do
    command -v "$t" >/dev/null || PW_WHY="$t is not installed"
done
pw_sid_h1=""
pw_sid_h2=""
pw_kill() { # kills both PipeWire sessions (dbus-run-session's whole process group)
    local g
    for g in $pw_sid_h1 $pw_sid_h2; do
        kill -KILL -- "-$g" 2>/dev/null
    done
    pw_sid_h1=""
    pw_sid_h2=""
}
trap 'rc=$?; pw_kill; (exit $rc); a67_cleanup' EXIT
pw_env() { # HOST -> the environment of that host's private PipeWire instance
    echo "XDG_RUNTIME_DIR=$tmp/pw-$1/run XDG_CONFIG_HOME=$tmp/pw-$1/conf PIPEWIRE_RUNTIME_DIR=$tmp/pw-$1/run"
}
pw_run() { # HOST CMD...: a PipeWire client in HOST, talking to that host's daemon
    local h=$1
    shift
    # shellcheck disable=SC2046 # pw_env's words are NAME=VALUE assignments without spaces
    a67_run "$h" env $(pw_env "$h") "$@"
}
# pw_conf HOST PTIME_US: the host's drop-in config; the graph quantum is one packet time. The
# sinks' packet size: 0.3.65 reads sess.min-ptime / max-ptime as whole milliseconds ("0.125"
# falls back to the 2 ms default, measured), and sizes a packet as net.mtu rounded down to whole
# frames, clamped to [min-ptime, max-ptime]; so net.mtu = one packet's payload, min-ptime 0.
pw_conf() {
    local q=$((48 * $2 / 1000)) i d=$tmp/pw-$1/conf/pipewire/pipewire.conf.d
    mkdir -p "$tmp/pw-$1/run" "$d"
    {
        # In a VM PipeWire raises min-quantum to 1024 (vm.overrides) unless told otherwise.
        echo "context.properties = { default.clock.rate = 48000 default.clock.quantum = $q"
        echo "    default.clock.min-quantum = $q vm.overrides = { default.clock.min-quantum = $q } }"
        if [ "$1" = h2 ]; then
            echo "context.objects = [ { factory = adapter args = { factory.name = support.null-audio-sink"
            echo "    node.name = \"bench-null\" media.class = \"Audio/Sink\" audio.rate = 48000"
            echo "    audio.position = $PW_POS } } ]"
        fi
        echo "context.modules = ["
        for i in $(seq 1 "$STREAMS"); do
            if [ "$1" = h1 ]; then
                echo "{ name = libpipewire-module-rtp-sink args = { sap.ip = \"239.255.255.255\""
                echo "    sap.port = 9875 source.ip = \"198.51.100.1\" destination.ip = \"239.69.30.$i\""
                echo "    destination.port = 5004 local.ifname = \"eth0\" net.mtu = $((q * CH * 3)) net.ttl = 16"
                echo "    sess.name = \"bench-$i\" sess.min-ptime = 0 sess.max-ptime = 20"
                echo "    audio.format = \"S24BE\" audio.rate = 48000 audio.channels = $CH"
                echo "    audio.position = $PW_POS"
                echo "    stream.props = { media.class = \"Audio/Sink\" node.name = \"bench-sink-$i\" } } }"
            else
                # dont-remix: keep the 8 unpositioned channels (else wireplumber mixes them to FL/FR)
                echo "{ name = libpipewire-module-rtp-source args = { sap.ip = \"239.255.255.255\""
                echo "    sap.port = 9875 local.ifname = \"eth0\" sess.latency.msec = 3"
                echo "    stream.rules = [ { matches = [ { rtp.session = \"bench-$i\" } ]"
                echo "        actions = { create-stream = { stream.dont-remix = true } } } ] } }"
            fi
        done
        echo "]"
    } >"$d/bench.conf"
}
pw_start() { # HOST: PipeWire + wireplumber in HOST (sets pw_sid_HOST); 0 once it answers
    # shellcheck disable=SC2046
    a67_bg "$1" $((SECS + 90)) env $(pw_env "$1") setsid dbus-run-session -- \
        sh -c 'pipewire & sleep 1; wireplumber & wait' >"$tmp/pw-$1.log" 2>&1
    eval "pw_sid_$1=$A67_LAST_PID"
    a67_wait_for 15 pw_run "$1" pw-cli info 0
}
pw_pids() { # SESSION_ID COMM -> the PIDs of COMM in that session
    ps -e -o pid=,sid=,comm= | awk -v s="$1" -v c="$2" '$2 == s && $3 == c { print $1 }'
}
ticks() { # PID... -> sum of their utime + stime
    local p n=0
    for p in "$@"; do
        n=$((n + $(cpu_ticks "$p")))
    done
    echo "$n"
}
pw_running() { # HOST N: at least N nodes of the bench's RTP sessions are in state running
    pw_run "$1" pw-dump 2>/dev/null | python3 -c '
import json, sys
try:
    objs = json.load(sys.stdin)
except Exception:
    objs = []
n = 0
for o in objs:
    i = o.get("info") or {}
    if (o.get("type") == "PipeWire:Interface:Node" and i.get("state") == "running"
            and str((i.get("props") or {}).get("rtp.session", "")).startswith("bench-")):
        n += 1
sys.exit(0 if n >= int(sys.argv[1]) else 1)' "$2"
}
# pw_pacing PTIME_US -> one line on 2 s of PipeWire's packets as h2 receives them. tshark runs
# at SCHED_FIFO 90 (above PipeWire's 88): at 125 us it is starved otherwise (seen: no packet in 12 s).
pw_pacing() {
    a67_run h2 timeout 12 chrt -f 90 tshark -n -i eth0 -a duration:2 -c 300000 -f "udp and dst port 5004" \
        -w "$tmp/pw.pcap" >"$tmp/tshark.log" 2>&1 || echo "tshark: $(tail -1 "$tmp/tshark.log")"
    a67_run h2 tshark -n -r "$tmp/pw.pcap" -d udp.port==5004,rtp -T fields -e ip.dst -e frame.time_epoch \
        -e udp.length -e rtp.timestamp 2>/dev/null | python3 -c '
import statistics, sys
from collections import defaultdict
g = defaultdict(list)
for l in sys.stdin:
    f = l.split()
    if len(f) == 4:
        g[f[0]].append(f[1:])
if not g:
    print("tshark: no RTP packet captured")
    sys.exit()
dst, r = max(g.items(), key=lambda kv: len(kv[1]))
if len(r) < 3:
    print("tshark: %d groups, at most %d packets" % (len(g), len(r)))
    sys.exit()
t = [float(x[0]) for x in r]
ts = [int(x[2]) for x in r]
sizes = "/".join(str((s - 20) // 24) for s in sorted({int(x[1]) for x in r}))
steps = "/".join(str(d) for d in sorted({(b - a) % 2**32 for a, b in zip(ts, ts[1:])})[:4])
gaps = sorted((b - a) * 1e6 for a, b in zip(t, t[1:]))
rate = ((ts[-1] - ts[0]) % 2**32) / (t[-1] - t[0])
burst = 100.0 * sum(g < 0.2 * int(sys.argv[1]) for g in gaps) / len(gaps)
print("tshark, 2 s: %d groups, %d pkts in all; %s: %d pkts of %s frames, ts step %s, %.0f frames/s of "
      "ts per s of arrival, gaps median %.0f / p99 %.0f / max %.0f us, %.0f%% of gaps < 0.2 ptime" % (
      len(g), sum(len(v) for v in g.values()), dst, len(r), sizes, steps, rate, statistics.median(gaps),
      gaps[(len(gaps) - 1) * 99 // 100], gaps[-1], burst))' "$1"
}

stage_pipewire() { # PTIME
    local q=$((48 * $1 / 1000)) h i cats="" pw1 wp1 pw2 wp2 pace="" w0 w1 o0 o1 in0 in1 er0 er1
    local a0 a1 b0 b1 cc0 cc1 d0 d1 e0 e1 end warn gone
    if [ -n "$PW_WHY" ]; then
        echo "| $1 us | $run | pipewire | skipped: $PW_WHY | | | |"
        return
    fi
    for h in h2 h1; do
        rm -rf "$tmp/pw-$h"
        pw_conf "$h" "$1"
        if ! pw_start "$h"; then
            echo "| $1 us | $run | pipewire | $h: PipeWire did not answer in 15 s: $(tail -c 200 "$tmp/pw-$h.log") | | | |"
            pw_kill
            return
        fi
    done
    [ -s "$tmp/silence.wav" ] ||
        sox -n -r 48000 -c "$CH" -b 24 -e signed "$tmp/silence.wav" trim 0 $((SECS + 60))
    for i in $(seq 1 "$STREAMS"); do
        # shellcheck disable=SC2046
        a67_bg h1 $((SECS + 60)) env $(pw_env h1) pw-cat -p --target "bench-sink-$i" --latency "$q" \
            --channel-map AUX0,AUX1,AUX2,AUX3,AUX4,AUX5,AUX6,AUX7 "$tmp/silence.wav" >>"$tmp/pw-cat.log" 2>&1
        cats="$cats $A67_LAST_PID"
    done
    if ! a67_wait_for 20 pw_running h1 "$STREAMS" || ! a67_wait_for 20 pw_running h2 "$STREAMS"; then
        echo "| $1 us | $run | pipewire | not all $STREAMS + $STREAMS RTP nodes running after 20 s | | | |"
        # shellcheck disable=SC2086
        stop $cats
        pw_kill
        return
    fi
    [ "$run" = 1 ] && pace=$(pw_pacing "$1")
    sleep 2
    pw1=$(pw_pids "$pw_sid_h1" pipewire)
    wp1=$(pw_pids "$pw_sid_h1" wireplumber)
    pw2=$(pw_pids "$pw_sid_h2" pipewire)
    wp2=$(pw_pids "$pw_sid_h2" wireplumber)
    o0=$(udp_count h1 OutDatagrams)
    in0=$(udp_count h2 InDatagrams)
    er0=$(udp_count h2 RcvbufErrors)
    # shellcheck disable=SC2086 # lists of PIDs
    {
        w0=$(date +%s%N)
        a0=$(ticks $pw1); b0=$(ticks $wp1); cc0=$(ticks $cats); d0=$(ticks $pw2); e0=$(ticks $wp2)
        sleep "$SECS"
        a1=$(ticks $pw1); b1=$(ticks $wp1); cc1=$(ticks $cats); d1=$(ticks $pw2); e1=$(ticks $wp2)
        w1=$(date +%s%N)
    }
    o1=$(udp_count h1 OutDatagrams)
    in1=$(udp_count h2 InDatagrams)
    er1=$(udp_count h2 RcvbufErrors)
    el=$(python3 -c "print(($w1 - $w0) / 1e9)")
    end="all $STREAMS running at the end"
    pw_running h2 "$STREAMS" && pw_running h1 "$STREAMS" || end="NOT all nodes running at the end"
    warn="$(grep -v dbus-daemon "$tmp/pw-h1.log" | grep -ciE "overrun|underrun|unexpected|error") $(
        grep -v dbus-daemon "$tmp/pw-h2.log" | grep -ciE "overrun|underrun|unexpected|error")"
    # A run that does not send >= 95 % of the nominal packets is printed but left out of the
    # medians: it did not do the work the other stages did.
    # A process that exited in the window has no end figure (its CPU would count negative).
    sent=$(per_s "$o0" "$o1" "$el")
    gone=""
    for i in $pw1 $wp1 $cats $pw2 $wp2; do
        kill -0 "$i" 2>/dev/null || gone="$gone $i"
    done
    if [ "$sent" -lt $((STREAMS * 1000000 / $1 * 95 / 100)) ] || [ -n "$gone" ]; then
        results_keep=$results
        results=/dev/null
        echo "| $1 us | $run | pipewire | NOT KEEPING UP: h1 sent $sent of $((STREAMS * 1000000 / $1)) pkt/s${gone:+; exited in the window: PIDs$gone (pw-cat: $(tail -1 "$tmp/pw-cat.log"))}; rows below left out of the medians | | | |"
    fi
    record "$1" pipewire "h1 tx" "$(pct $((a1 - a0)) "$el")" \
        "pipewire daemon (pid $pw1) only; h1 sent $sent pkt/s; ${pace:-}"
    record "$1" wireplumber "h1 tx" "$(pct $((b1 - b0)) "$el")" "pid $wp1"
    record "$1" pw-cat16 "h1 tx" "$(pct $((cc1 - cc0)) "$el")" "sum of the 16 pw-cat feeding the sinks"
    record "$1" pw_total "h1 tx" "$(pct $((a1 - a0 + b1 - b0 + cc1 - cc0)) "$el")" "daemon + wireplumber + 16 pw-cat"
    record "$1" pipewire "h2 rx" "$(pct $((d1 - d0)) "$el")" \
        "pipewire daemon (pid $pw2) only; h2 UDP in $(per_s "$in0" "$in1" "$el") pkt/s, rcvbuf errors $((er1 - er0)); $end; log lines overrun/underrun/unexpected/error (h1 h2): $warn"
    record "$1" wireplumber "h2 rx" "$(pct $((e1 - e0)) "$el")" "pid $wp2"
    record "$1" pw_total "h2 rx" "$(pct $((d1 - d0 + e1 - e0)) "$el")" "daemon + wireplumber"
    results=${results_keep:-$results}
    results_keep=""
    # shellcheck disable=SC2086
    stop $cats
    pw_kill
    sleep 1
}

echo "# $(date -u +%FT%TZ), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), build $B, ${SECS} s windows"
echo "| ptime | run | stage | side | process CPU % of one core | per channel % | notes |"
echo "|---|---|---|---|---|---|---|"
for ptime in ${PTIMES:-1000 125}; do
    for run in $(seq 1 "$RUNS"); do
        for st in ${STAGES:-aes67d gst bare pipewire}; do
            "stage_$st" "$ptime"
        done
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
STAGES = ("aes67d", "gst", "bare", "pipewire", "pw_total")
def med(pt, st, side):
    v = cpu.get((pt, st, side))
    return statistics.median(v) if v else None
def num(x, fmt="%.2f"):
    return fmt % x if x is not None else "n/a"
def ratio(a, b):
    return "%.2f" % (a / b) if a is not None and b else "n/a"
print("| ptime | side | " + " | ".join(s + " %" for s in STAGES) +
      " | aes67d/gst | aes67d/bare | aes67d/pipewire | aes67d/pw_total | aes67d per ch % | pipewire per ch % |")
print("|---" * 13 + "|")
for pt in sorted({k[0] for k in cpu}, key=int, reverse=True):
    for side in ("h1 tx", "h2 rx"):
        m = {st: med(pt, st, side) for st in STAGES}
        a = m["aes67d"]
        print("| %s us | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            pt, side, *(num(m[st]) for st in STAGES), ratio(a, m["gst"]), ratio(a, m["bare"]),
            ratio(a, m["pipewire"]), ratio(a, m["pw_total"]),
            num(a / 128 if a is not None else None, "%.4f"),
            num(m["pipewire"] / 128 if m["pipewire"] is not None else None, "%.4f")))
    for side in ("h1 tx", "h2 rx"):
        parts = ["%s %s %%" % (st, num(med(pt, st, side))) for st in ("wireplumber", "pw-cat16")
                 if med(pt, st, side) is not None]
        if parts:
            print("| %s us | %s PipeWire parts (medians) | %s |" % (pt, side, ", ".join(parts)))
    for c in cnt.get(pt, []):
        print("| %s us | aes67d 16 rx over the window | packets %d, lost %d, late %d |" % ((pt,) + c))
print()
print("aes67d CPU per channel / PipeWire CPU per channel (both 128 channels; goal <= 0.25):")
for pt in sorted({k[0] for k in cpu}, key=int, reverse=True):
    for side in ("h1 tx", "h2 rx"):
        a = med(pt, "aes67d", side)
        print("  %s us %s: %s against the pipewire daemon alone, %s against daemon + wireplumber%s" % (
            pt, side, ratio(a, med(pt, "pipewire", side)), ratio(a, med(pt, "pw_total", side)),
            " + 16 pw-cat" if side == "h1 tx" else ""))
PY
