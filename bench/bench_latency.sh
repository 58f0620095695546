#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Latency benchmark of the virtual soundcard: the smallest link offset L that runs a given time
# with zero late and zero lost packets, no TX underrun, no application xrun and a gap-free
# recording, at each packet time, with a CPU hog busy on the other core; then the measured
# device-to-device latency at that L (which, by design, must equal L: DESIGN.md "one clock").
#
# Setup (tests/integration/lib.sh: two network namespaces on one veth pair):
#   h1: aes67d (PTP grandmaster, priority1 100), device "aes67" 2 playback channels at packet
#       time P, one tx stream L24/48 kHz/2 ch to 239.69.40.1:5004. `aplay -D aes67` plays a
#       counting pattern (S32_LE, both channels = frame number << 8) generated on the fly.
#   h2: aes67d (PTP slave only), device "aes67" 2 capture channels at P, one rx stream from
#       239.69.40.1 with link_offset_frames L (replaced per L with stream.remove/stream.add,
#       so the PTP lock is kept). `arecord -D aes67` records into a streaming checker.
#   Both daemons, aplay, arecord and the pattern tools are pinned to CPU --audio-cpu (default 0);
#   the hog (bench/cpu_hog.c, compiled here with cc; `yes` if there is no compiler) to
#   --hog-cpu (default 1). The engine puts its TX/RX threads under SCHED_FIFO itself (70/68);
#   aplay and arecord run under SCHED_FIFO --app-prio (default 60, below the engine, as an audio
#   server would run them; 0 = SCHED_OTHER). The pattern generator and checker run SCHED_OTHER
#   behind 1 MiB pipes (2.7 s of audio): under SCHED_FIFO they sat above aes67d's device thread
#   (FIFO 20, the heartbeat) and, with the engine's 125 µs threads, starved it for up to 1 s,
#   which failed the applications at start (docs/bench-latency.md, third session). Python is
#   run as the real interpreter, not through a version-manager shim (a pyenv shim forks ~30
#   shell processes per start, each inheriting the caller's priority).
# A run of D seconds passes when, over the counter window (it opens once aplay feeds the ring,
# i.e. the TX underrun counter stops growing, and lasts D s plus the time a snapshot of both
# daemons' counters takes; the table shows its actual length):
#   h2 stream.stats rx late, lost, too_early, resyncs deltas are 0; h1 stream.stats tx
#   underrun_frames and skipped_frames deltas are 0; aplay printed no "underrun!!!" and arecord
#   no "overrun!!!" within the window (those before or after it are shown in parentheses, not
#   judged); and the recording holds the whole pattern (D + 10 s, so it outlasts the window)
#   in order with no frame missing, silent or altered (a capture frame the RX side failed to put
#   in the ring in time reads as silence and no daemon counter sees it, so the recording is the
#   final judge). tx late_ticks is reported, not judged (a late TX pass that still arrives in
#   time is harmless; one that does not shows up as rx late).
# Search: per packet time, candidates ascending, a short screening run each; the first that
# passes is confirmed with a long run; if the confirmation fails the search goes on upward.
# At the confirmed (or, with --confirm 0, screened) L an impulse is played on h1 and found by
# absolute media position in h1's playback ring and h2's capture ring (control command
# device.dump): the difference is the device-to-device latency in frames.
#
# Usage: bench/bench_latency.sh [--build DIR] [--screen S] [--confirm S] [--ptimes "125 250 1000"]
#          [--cand-125 "250 375 ..."] [--cand-250 ...] [--cand-1000 ...] [--cand-333 ...]
#          [--cand-4000 ...] [--no-hog] [--audio-cpu N] [--hog-cpu N] [--app-prio N]
#          [--cpu-latency US] [--out FILE] [--keep DIR]
#   candidates are link offsets in µs (converted to 48 kHz frames, rounded down).
#   --screen 0 skips screening (confirm each candidate directly), --confirm 0 skips confirming.
#   --cpu-latency US sets engine.cpu_latency_us in both daemons' configs (docs/aes67d.md: the
#   engine holds /dev/cpu_dma_latency at US while it runs); default: unset (no request).
#   --keep DIR copies every run's aplay/arecord stderr (time-stamped) and checker output, and
#   both daemons' logs, into DIR (the scratch directory is removed on exit).
#   Defaults: --screen 60 --confirm 600; build dir $AES67_BUILD, else ./build, else /tmp/b-lat.
# Needs root (namespaces). Bounded: every process has a watchdog; lib.sh's trap kills them and
# deletes the namespaces on exit, also on failure or Ctrl-C.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/integration/lib.sh"
a67_require_root

SCREEN=60
CONFIRM=600
PTIMES="125 250 1000"
declare -A CAND=([125]="250 375 500 750 1000" [250]="500 750 1000 1500"
	[333]="750 1000 1500" [1000]="1250 1500 2000 3000" [4000]="5000 6000 8000 12000")
HOG=1
APRIO=60
ACPU=0
HCPU=1
OUT=""
KEEP=""
CPULAT=""
NRUN=0
B="${AES67_BUILD:-}"
while [ $# -gt 0 ]; do
	case $1 in
	--build) B=$2; shift 2 ;;
	--screen) SCREEN=$2; shift 2 ;;
	--confirm) CONFIRM=$2; shift 2 ;;
	--ptimes) PTIMES=$2; shift 2 ;;
	--cand-*) CAND[${1#--cand-}]=$2; shift 2 ;;
	--no-hog) HOG=0; shift ;;
	--audio-cpu) ACPU=$2; shift 2 ;;
	--app-prio) APRIO=$2; shift 2 ;;
	--hog-cpu) HCPU=$2; shift 2 ;;
	--cpu-latency) CPULAT=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--keep) KEEP=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench_latency: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
isnum() { [ -n "$1" ] && [ "$1" -eq "$1" ] 2>/dev/null; }
for v in "$SCREEN" "$CONFIRM" "$ACPU" "$HCPU" "$APRIO" ${CPULAT:+"$CPULAT"}; do
	isnum "$v" || { echo "bench_latency: not a number: $v" >&2; exit 2; }
done
if [ "$SCREEN" -gt 3600 ] || [ "$CONFIRM" -gt 7200 ] || [ $((SCREEN + CONFIRM)) -lt 5 ] ||
	{ [ "$SCREEN" -gt 0 ] && [ "$SCREEN" -lt 5 ]; } || { [ "$CONFIRM" -gt 0 ] && [ "$CONFIRM" -lt 5 ]; }; then
	echo "bench_latency: --screen 0 or 5..3600, --confirm 0 or 5..7200 seconds, not both 0" >&2
	exit 2
fi
if [ "$APRIO" -gt 0 ] && [ "$APRIO" -lt 99 ]; then
	RTAPP=(chrt -f "$APRIO")
elif [ "$APRIO" -eq 0 ]; then
	RTAPP=()
else
	echo "bench_latency: --app-prio 0..98" >&2
	exit 2
fi
for p in $PTIMES; do
	[ -n "${CAND[$p]:-}" ] || { echo "bench_latency: no candidates for ptime $p µs" >&2; exit 2; }
done
if [ -z "$B" ]; then
	for b in "$here/../build" /tmp/b-lat; do
		[ -x "$b/src/daemon/aes67d" ] && B=$b && break
	done
fi
if [ -z "$B" ] || [ ! -x "$B/src/daemon/aes67d" ] || [ ! -f "$B/src/alsa/libasound_module_pcm_aes67.so" ]; then
	echo "bench_latency: aes67d / pcm plugin not found (use --build DIR or AES67_BUILD)" >&2
	exit 2
fi
B=$(cd "$B" && pwd)
for c in aplay arecord python3 taskset; do
	command -v $c >/dev/null || { echo "bench_latency: needs $c" >&2; exit 2; }
done
PY=$(python3 -c 'import sys; print(sys.executable)') && [ -x "$PY" ] || PY=python3

a67_hosts 2 || exit 1
a67_tmpdir
tmp=$A67_TMP
[ -n "$OUT" ] || OUT=$PWD/bench-latency-$(date +%Y%m%d-%H%M%S).txt
: >"$OUT" || exit 1

HOGCMD=(yes)
if [ "$HOG" -eq 1 ] && command -v cc >/dev/null &&
	cc -std=gnu11 -O2 -o "$tmp/cpu_hog" "$here/cpu_hog.c" 2>"$tmp/cc.log"; then
	HOGCMD=("$tmp/cpu_hog")
fi

# The pattern tools (usage at the top of the heredoc).
cat >"$tmp/lat.py" <<'EOF'
# SPDX-License-Identifier: MIT
# Helpers of bench_latency.sh.
#   gen N           writes N frames of the counting pattern to stdout: S32_LE, 2 channels,
#                   frame k (1-based) holds v(k) << 8 on both channels, v(k) = (k-1) mod M + 1,
#                   M = 2^23 - 1: never 0, exact through a 24-bit (L24) link
#   check N         reads S32_LE 2-channel frames from stdin; prints one line of key=value: the
#                   leading silence, and, from the first nonzero frame on, the frames in order
#                   (ok), the forward jumps (gaps, gap_frames), silent frames inside the pattern,
#                   altered frames, whether the last pattern frame arrived (complete) and
#                   nonzero frames after it
#   impulse N AT    writes N silent S32_LE 2-channel frames with the marker on channel 0 at AT
#   latency S1 S2 DEV L READY
#                   finds the marker in S1's playback ring of DEV (position P1), then in S2's
#                   capture ring around P1 + L (P2); prints "P1 P2" ("none" when not found)
#   stats S NAME DIR
#                   prints the counters of stream NAME (DIR tx or rx) of the daemon on S as k=v
#   snap S2 S1      stats S2 lat rx, then stats S1 lat tx (one process: a snapshot of both)
import fcntl
import json
import socket
import sys
import time
from array import array

M = (1 << 23) - 1
MARKER = 0x5A5A5A << 8
CHUNK = 4800


def expected(k, n):
    """the channel-0 values of frames k .. k+n-1 (no wrap inside), as an array"""
    v = (k - 1) % M + 1
    return array("i", range(v << 8, (v + n) << 8, 256))


def big_pipe(f):
    """1 MiB pipe buffer (2.7 s at 8 bytes a frame): the tools run SCHED_OTHER"""
    try:
        fcntl.fcntl(f.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except OSError:
        pass


def gen(n):
    out = sys.stdout.buffer
    big_pipe(out)
    k = 1
    while k <= n:
        m = min(CHUNK, n - k + 1, M - (k - 1) % M)
        ch = expected(k, m)
        a = array("i", bytes(8 * m))
        a[0::2] = ch
        a[1::2] = ch
        out.write(a.tobytes())
        k += m
    out.flush()


def check(n):
    st = {"lead": 0, "ok": 0, "gaps": 0, "gap_frames": 0, "silent": 0, "altered": 0,
          "complete": 0, "after": 0, "frames": 0}
    k = 0  # absolute pattern frame expected next; 0: still in the leading silence
    rest = b""
    inp = sys.stdin.buffer
    big_pipe(inp)
    while True:
        data = inp.read(8 * CHUNK)
        if not data:
            break
        data = rest + data
        cut = len(data) - len(data) % 8
        rest = data[cut:]
        a = array("i")
        a.frombytes(data[:cut])
        c0, c1 = a[0::2], a[1::2]
        nf = len(c0)
        st["frames"] += nf
        i = 0
        if k == 0:
            while i < nf and c0[i] == 0 and c1[i] == 0:
                i += 1
            st["lead"] += i
            if i == nf:
                continue
            k = 1
        if 0 < k <= n and i == 0 and c0 == c1:
            m = min(nf, n - k + 1, M - (k - 1) % M)
            if m == nf and c0 == expected(k, m):
                st["ok"] += m
                k += m
                continue
        while i < nf:
            if k > n:
                if c0[i] != 0 or c1[i] != 0:
                    st["after"] += 1
            else:
                want = ((k - 1) % M + 1) << 8
                got = c0[i]
                if got == want and c1[i] == want:
                    st["ok"] += 1
                elif got == 0 and c1[i] == 0:
                    st["silent"] += 1
                elif got & 0xFF or got <= 0 or c1[i] != got or \
                        ((got >> 8) - (want >> 8)) % M > M // 2:
                    st["altered"] += 1
                else:
                    jump = ((got >> 8) - (want >> 8)) % M
                    st["gaps"] += 1
                    st["gap_frames"] += jump
                    k += jump
                    st["ok"] += 1
                k += 1
            i += 1
    st["complete"] = 1 if k > n else 0
    print(" ".join("%s=%d" % kv for kv in st.items()))


def request(path, req):
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(3)
    c.connect(path)
    c.sendall(json.dumps(req).encode() + b"\n")
    buf = b""
    while not buf.endswith(b"\n"):
        d = c.recv(1 << 20)
        if not d:
            break
        buf += d
    c.close()
    return json.loads(buf)


def marker(d):
    s = d.get("samples", [])
    hits = [i // 2 for i in range(0, len(s), 2) if s[i] == MARKER]
    return d["position"] + hits[0] if len(hits) == 1 else None


def dev_of(sock, dev):
    return [x for x in request(sock, {"cmd": "device.list"})["devices"] if x["name"] == dev][0]


def latency(s1, s2, dev, lat, ready):
    wp0 = dev_of(s1, dev)["playback"]["write_pos"]
    dev_of(s2, dev)
    open(ready, "w").close()
    end = time.monotonic() + 8
    p1 = None
    while p1 is None and time.monotonic() < end:
        p1 = marker(request(s1, {"cmd": "device.dump", "device": dev, "direction": "playback",
                                 "frames": 4096}))
        if p1 is not None and p1 < wp0:
            p1 = None
        if p1 is None:
            time.sleep(0.02)
    if p1 is None:
        return "none none"
    while time.monotonic() < end:
        if dev_of(s2, dev)["capture"]["write_pos"] > p1 + lat + 2048:
            break
        time.sleep(0.02)
    d = request(s2, {"cmd": "device.dump", "device": dev, "direction": "capture",
                     "frames": 4096, "position": p1 + lat - 2048})
    p2 = marker(d)
    if p2 is None:
        s = d.get("samples", [])
        return "%d none (%d markers, %d nonzero samples in [%s, +4096), capture write_pos %s)" % (
            p1, sum(1 for x in s[0::2] if x == MARKER), sum(1 for x in s if x),
            d.get("position"), d.get("write_pos"))
    return "%d %d" % (p1, p2)


def stats(sock, name, direction):
    r = request(sock, {"cmd": "stream.stats", "name": name})
    s = [x for x in r.get(direction, []) if x.get("name") == name]
    if not s:
        print("state=absent")
        return
    print(" ".join("%s=%s" % (k, v) for k, v in s[0].items()
                   if isinstance(v, (int, str)) and not isinstance(v, bool)))
    sys.stdout.flush()


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(int(sys.argv[2]))
    elif cmd == "check":
        check(int(sys.argv[2]))
    elif cmd == "impulse":
        n, at = int(sys.argv[2]), int(sys.argv[3])
        a = array("i", bytes(8 * n))
        a[2 * at] = MARKER
        sys.stdout.buffer.write(a.tobytes())
    elif cmd == "latency":
        print(latency(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]))
    elif cmd == "stats":
        stats(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "snap":
        stats(sys.argv[2], "lat", "rx")
        stats(sys.argv[3], "lat", "tx")
    else:
        sys.exit(2)


main()
EOF

for h in h1 h2; do
	mkdir -p "$tmp/$h"
	cat >"$tmp/$h/asound.conf" <<EOF
pcm_type.aes67 { lib "$B/src/alsa/libasound_module_pcm_aes67.so" }
pcm.aes67 { type aes67 device "aes67" socket "$tmp/$h/ctl.dev.sock" }
EOF
done

# write_configs PTIME_US: h1 with its tx stream, h2 with its device only (rx added per L).
write_configs() {
	local p=$1 eng=${CPULAT:+"\"engine\": {\"cpu_latency_us\": $CPULAT},"}
	cat >"$tmp/h1/aes67d.json" <<EOF
{"interface": "eth0", "ptp": {"domain": 0, "priority1": 100}, $eng
 "devices": [{"name": "aes67", "playback_channels": 2, "capture_channels": 0, "rate": 48000, "ptime_us": $p}],
 "streams": {"tx": [{"name": "lat", "destination": "239.69.40.1", "port": 5004, "encoding": "L24",
   "rate": 48000, "channels": 2, "ptime_us": $p, "device": "aes67", "device_channel_offset": 0}]}}
EOF
	cat >"$tmp/h2/aes67d.json" <<EOF
{"interface": "eth0", "ptp": {"domain": 0, "slave_only": true}, $eng
 "devices": [{"name": "aes67", "playback_channels": 0, "capture_channels": 2, "rate": 48000, "ptime_us": $p}]}
EOF
}

ctl() { a67_ctl "$1" "$tmp/$1/ctl.sock" "$2"; }
on() { # HOST CMD...: an ALSA application on HOST, pinned to the audio CPU
	local h=$1
	shift
	a67_run "$h" env ALSA_CONFIG_PATH="$tmp/$h/asound.conf" taskset -c "$ACPU" "${RTAPP[@]}" "$@"
}
declare -A DPID
start_daemon() { # HOST SECONDS
	local h=$1
	rm -f "$tmp/$h/ctl.sock" "$tmp/$h/ctl.dev.sock"
	a67_bg "$h" "$2" taskset -c "$ACPU" "$B/src/daemon/aes67d" -f -i eth0 -c "$tmp/$h/aes67d.json" \
		-s "$tmp/$h/ctl.sock" >>"$tmp/$h/daemon.log" 2>&1
	DPID[$h]=$A67_LAST_PID
	a67_wait_for 5 test -S "$tmp/$h/ctl.dev.sock"
}
stop_daemons() {
	local h
	for h in h1 h2; do
		[ -n "${DPID[$h]:-}" ] && kill -TERM "${DPID[$h]}" 2>/dev/null && wait "${DPID[$h]}" 2>/dev/null
		DPID[$h]=""
	done
}
ptp_locked() { ctl h2 '{"cmd":"ptp.status"}' | grep -q '"locked":true'; }
set_rx() { # FRAMES: replaces h2's rx stream; the daemon's answer in SET_RX_ANSWER
	local src='"source":{"address":"239.69.40.1","port":5004,"encoding":"L24","rate":48000,"channels":2}'
	ctl h2 '{"cmd":"stream.remove","direction":"rx","name":"lat"}' >/dev/null 2>&1
	SET_RX_ANSWER=$(ctl h2 "{\"cmd\":\"stream.add\",\"direction\":\"rx\",\"stream\":{\"name\":\"lat\",$src,\"link_offset_frames\":$1,\"device\":\"aes67\",\"device_channel_offset\":0}}" 2>&1)
	echo "$SET_RX_ANSWER" | grep -q '"ok":true'
}
stats() { # HOST DIR -> k=v line
	a67_run "$1" "$PY" "$tmp/lat.py" stats "$tmp/$1/ctl.sock" lat "$2" 2>/dev/null || echo "state=error"
}
snap() { # both streams' counters, one process: h2 rx line, then h1 tx line
	"$PY" "$tmp/lat.py" snap "$tmp/h2/ctl.sock" "$tmp/h1/ctl.sock" 2>/dev/null ||
		printf 'state=error\nstate=error\n'
}
field() { # "k=v ..." KEY -> v (0 if absent)
	local kv
	for kv in $1; do
		[ "${kv%%=*}" = "$2" ] && echo "${kv#*=}" && return
	done
	echo 0
}
delta() { echo $(($(field "$2" "$3") - $(field "$1" "$3"))); }
# stamp: copies stdin to stdout, each line prefixed with the time it arrived (ns since 1970).
stamp() {
	local l
	while IFS= read -r l; do
		printf '%s %s\n' "$(date +%s%N)" "$l"
	done
}
export -f stamp
inwin() { # FILE PATTERN T0 T1 -> how many lines holding PATTERN arrived within [T0, T1]
	awk -v t0="$3" -v t1="$4" -v pat="$2" 'index($0, pat) && $1 >= t0 && $1 <= t1 { n++ } END { print n + 0 }' "$1"
}
load1() { cut -d' ' -f1 /proc/loadavg; }
say() { echo "$*" | tee -a "$OUT"; }

# keep_logs PREFIX FILE...: copies scratch files to --keep DIR as PREFIX.FILE.
keep_logs() {
	local pre=$1 f
	shift
	[ -n "$KEEP" ] || return 0
	mkdir -p "$KEEP" || return 0
	for f in "$@"; do
		[ -e "$tmp/$f" ] && cp "$tmp/$f" "$KEEP/$pre.${f//\//_}"
	done
	return 0
}

# run PTIME_US L_FRAMES SECONDS PHASE: one run; sets RUN_PASS (1/0) and prints a table row.
run() {
	local p=$1 lf=$2 d=$3 phase=$4 frames a1 a2 b1 b2 hp=0 rp gp l0 l1 res
	local late lost early resync under skip lticks pk ax rx axo rxo ok t0 t1 win
	NRUN=$((NRUN + 1))
	frames=$(((d + 10) * 48000))
	l0=$(load1)
	if [ "$HOG" -eq 1 ]; then
		a67_bg h1 $((d + 35)) taskset -c "$HCPU" "${HOGCMD[@]}" $((d + 25)) >"$tmp/hog.out" 2>&1
		hp=$A67_LAST_PID
	fi
	a67_bg h2 $((d + 30)) bash -c "ALSA_CONFIG_PATH='$tmp/h2/asound.conf' taskset -c $ACPU ${RTAPP[*]} \
		timeout $((d + 25)) arecord -D aes67 -t raw -f S32_LE -c 2 -r 48000 -d $((d + 14)) 2> >(stamp >'$tmp/arecord.err') |
		taskset -c $ACPU '$PY' '$tmp/lat.py' check $frames >'$tmp/check.out'"
	rp=$A67_LAST_PID
	sleep 1
	a67_bg h1 $((d + 30)) bash -c "taskset -c $ACPU '$PY' '$tmp/lat.py' gen $frames |
		ALSA_CONFIG_PATH='$tmp/h1/asound.conf' taskset -c $ACPU ${RTAPP[*]} \
		timeout $((d + 25)) aplay -D aes67 -t raw -f S32_LE -c 2 -r 48000 - 2> >(stamp >'$tmp/aplay.err')"
	gp=$A67_LAST_PID
	# The window opens once aplay feeds the ring: TX underruns stop growing (10 s at most).
	sleep 1
	b1=$(stats h1 tx)
	for _ in $(seq 20); do
		sleep 0.5
		b2=$(stats h1 tx)
		[ "$(field "$b1" underrun_frames)" = "$(field "$b2" underrun_frames)" ] && break
		b1=$b2
	done
	t0=$(date +%s%N)
	snap >"$tmp/snap1"
	sleep "$d"
	snap >"$tmp/snap2"
	{ read -r a1; read -r b1; } <"$tmp/snap1"
	{ read -r a2; read -r b2; } <"$tmp/snap2"
	t1=$(date +%s%N)
	win=$(((t1 - t0) / 100000000))
	win=$((win / 10)).$((win % 10))
	wait "$gp" 2>/dev/null
	wait "$rp" 2>/dev/null
	if [ "$hp" -ne 0 ]; then
		kill -TERM "$hp" 2>/dev/null
		wait "$hp" 2>/dev/null
	fi
	l1=$(load1)
	pk=$(delta "$a1" "$a2" packets)
	late=$(delta "$a1" "$a2" late)
	lost=$(delta "$a1" "$a2" lost)
	early=$(delta "$a1" "$a2" too_early)
	resync=$(delta "$a1" "$a2" resyncs)
	under=$(delta "$b1" "$b2" underrun_frames)
	skip=$(delta "$b1" "$b2" skipped_frames)
	lticks=$(delta "$b1" "$b2" late_ticks)
	# aplay/arecord print "underrun!!!" / "overrun!!!" once per xrun (with or without -q); each
	# stderr line carries its arrival time (stamp), so xruns inside the counter window are told
	# from those before it (start-up) or after it (the last seconds of the recording).
	ax=$(inwin "$tmp/aplay.err" 'underrun!!!' "$t0" "$t1")
	rx=$(inwin "$tmp/arecord.err" 'overrun!!!' "$t0" "$t1")
	axo=$(($(grep -c 'underrun!!!' "$tmp/aplay.err") - ax))
	rxo=$(($(grep -c 'overrun!!!' "$tmp/arecord.err") - rx))
	res=$(cat "$tmp/check.out" 2>/dev/null)
	ok=1
	[ "$(field "$a2" state)" = running ] && [ "$(field "$b2" state)" = running ] || ok=0
	[ "$pk" -gt 0 ] || ok=0
	for v in "$late" "$lost" "$early" "$resync" "$under" "$skip" "${ax:-0}" "${rx:-0}" \
		"$(field "$res" gaps)" "$(field "$res" silent)" "$(field "$res" altered)" \
		"$(field "$res" after)"; do
		[ "$v" -eq 0 ] 2>/dev/null || ok=0
	done
	[ "$(field "$res" complete)" -eq 1 ] && [ "$(field "$res" ok)" -eq "$frames" ] || ok=0
	RUN_PASS=$ok
	say "| $p | $((lf * 1000 / 48)) | $lf | $phase | $win | $pk | $late | $(field "$a2" delay_max_frames) | $lost | $early | $resync | $under | $skip | $lticks | $ax ($axo) | $rx ($rxo) | $(field "$res" ok)/$frames gaps $(field "$res" gaps) silent $(field "$res" silent) altered $(field "$res" altered) | $l0→$l1 | $([ $ok -eq 1 ] && echo PASS || echo FAIL) |"
	if [ $ok -eq 0 ]; then
		{
			echo "#   rx: $a2"
			echo "#   tx: $b2"
			echo "#   check: $res; aplay: $(head -c 800 "$tmp/aplay.err" | tr '\n' ' ')"
			echo "#   arecord: $(head -c 800 "$tmp/arecord.err" | tr '\n' ' ')"
		} >>"$OUT"
	fi
	[ "$hp" -ne 0 ] && echo "#   hog: $(cat "$tmp/hog.out" 2>/dev/null)" >>"$OUT"
	keep_logs "run$NRUN-$p-$lf-$phase" aplay.err arecord.err check.out
}

# impulse L_FRAMES: device-to-device latency by the impulse method (3 tries); sets LAT_FRAMES.
impulse() {
	local lf=$1 lp p1 p2 rc try
	LAT_FRAMES=none
	"$PY" "$tmp/lat.py" impulse 24000 9600 >"$tmp/imp.raw"
	for try in 1 2 3; do
		rm -f "$tmp/lat.ready"
		a67_run h1 timeout 12 "$PY" "$tmp/lat.py" latency "$tmp/h1/ctl.sock" "$tmp/h2/ctl.sock" \
			aes67 "$lf" "$tmp/lat.ready" >"$tmp/lat.out" 2>&1 &
		lp=$!
		a67_wait_for 5 test -e "$tmp/lat.ready"
		on h1 timeout 10 aplay -q -D aes67 -t raw -f S32_LE -c 2 -r 48000 "$tmp/imp.raw" >/dev/null 2>&1
		rc=$?
		wait $lp
		read -r p1 p2 _ <"$tmp/lat.out"
		if isnum "${p1:-}" && isnum "${p2:-}" && [ $rc -eq 0 ]; then
			LAT_FRAMES=$((p2 - p1))
			say "#   impulse (try $try): h1 playback position $p1, h2 capture position $p2: $LAT_FRAMES frames = $((LAT_FRAMES * 1000000 / 48000)) µs (L = $lf frames)"
			return
		fi
		say "#   impulse (try $try): not found in both rings (aplay rc $rc): $(head -c 300 "$tmp/lat.out")"
	done
}

say "# bench_latency.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) — $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
say "# build $B; screen ${SCREEN}s, confirm ${CONFIRM}s; apps $([ "$APRIO" -gt 0 ] && echo "SCHED_FIFO $APRIO" || echo SCHED_OTHER); audio on CPU $ACPU, hog: $([ "$HOG" -eq 1 ] && echo "${HOGCMD[*]##*/} on CPU $HCPU" || echo none); engine.cpu_latency_us ${CPULAT:-unset}; load $(cut -d' ' -f1-3 /proc/loadavg)"
say "| ptime µs | L µs | L frames | phase | window s | rx packets | late | max arrival delay (frames, stream life) | lost | too early | resyncs | tx underrun frames | tx skipped | tx late ticks | aplay xruns in window (outside) | arecord xruns in window (outside) | recording (frames in order/pattern) | load 1 min | result |"
say "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
declare -a SUMMARY
for p in $PTIMES; do
	stop_daemons
	write_configs "$p"
	per=$(($(echo "${CAND[$p]}" | wc -w) * (SCREEN + CONFIRM + 40) + 120))
	if ! start_daemon h1 "$per" || ! start_daemon h2 "$per" || ! a67_wait_for 30 ptp_locked; then
		say "# ptime $p µs: daemons did not start or PTP did not lock; see below"
		tail -5 "$tmp/h1/daemon.log" "$tmp/h2/daemon.log" | sed 's/^/#   /' | tee -a "$OUT"
		SUMMARY+=("$p µs: no result (daemons/PTP)")
		continue
	fi
	found=""
	for us in ${CAND[$p]}; do
		lf=$((us * 48 / 1000))
		if ! set_rx "$lf"; then
			say "# ptime $p µs: stream.add of the rx stream with L=$lf frames refused: $SET_RX_ANSWER"
			continue
		fi
		sleep 1
		if [ "$SCREEN" -gt 0 ]; then
			run "$p" "$lf" "$SCREEN" screen
			[ "$RUN_PASS" -eq 1 ] || continue
		fi
		if [ "$CONFIRM" -gt 0 ]; then
			run "$p" "$lf" "$CONFIRM" confirm
			[ "$RUN_PASS" -eq 1 ] || continue
		fi
		found=$lf
		break
	done
	if [ -z "$found" ]; then
		SUMMARY+=("$p µs: no candidate of ${CAND[$p]} µs passed")
		continue
	fi
	impulse "$found"
	SUMMARY+=("$p µs: smallest passing L = $found frames ($((found * 1000 / 48)) µs) over $([ "$CONFIRM" -gt 0 ] && echo "${CONFIRM}" || echo "${SCREEN}") s; measured device-to-device latency $LAT_FRAMES frames")
done
stop_daemons
keep_logs daemon h1/daemon.log h2/daemon.log
say "# summary (load $(cut -d' ' -f1-3 /proc/loadavg)):"
for s in "${SUMMARY[@]}"; do
	say "#   $s"
done
say "# results in $OUT"
