#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of the pcm.aes67 ALSA plugin against a real aes67d, on one namespaced host:
#   1. no daemon: snd_pcm_open (aplay) fails at once, saying aes67d is not running;
#   2. aplay of a counting pattern lands bit-exactly in the playback ring (device.dump), for
#      S16_LE, S24_3LE, S32_LE and FLOAT_LE, read/write and mmap (-M) access;
#   3. arecord with no RX stream returns silence, paced by the media clock (never faster than
#      frames / rate, and no stall), every format, rw and mmap; two arecords at once both work;
#   4. a second aplay gets EBUSY; an aplay killed with -9 does not keep the device busy;
#   5. aes67d stopped for 1.2 s (SIGSTOP, SIGCONT: a daemon starved of CPU, as the 125 µs
#      latency bench saw) under aplay and arecord: both recover from the xrun and finish (rc 0)
#      instead of giving up on a late heartbeat;
#   6. kill -9 of aes67d under aplay and arecord: both fail within 1 s (never hang);
#      a new open then fails fast, and after a restart a new open works.
# Binaries from $AES67_BUILD (a meson build dir), else ./build, else out/test/b-gcc.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

a67_build_dir src/daemon/aes67d src/alsa/libasound_module_pcm_aes67.so
a67_need aplay arecord python3

a67_net 1
tmp=$A67_TMP
export ALSA_CONFIG_PATH=$tmp/asound.conf
a67_asound_conf "$ALSA_CONFIG_PATH" "$tmp/ctl.dev.sock"
N=12000   # frames per pattern (0.25 s at 48 kHz)

cat >"$tmp/pat.py" <<'EOF'
# gen FMT N FILE | check FMT N DUMP_JSON | silent FMT FILE
import json, math, struct, sys
def val(fmt, i, c):
    k = 2 * i + c + 1
    if fmt == "S16_LE":
        return k, k << 16
    if fmt == "S24_3LE":
        return k * 331, (k * 331) << 8
    if fmt == "S32_LE":
        v = k * 89000 * (1 if c == 0 else -1)
        return v, v
    v = k * 331
    return v / 8388608.0, v << 8
pack = {"S16_LE": lambda v: struct.pack("<h", v), "S24_3LE": lambda v: struct.pack("<i", v)[:3],
        "S32_LE": lambda v: struct.pack("<i", v), "FLOAT_LE": lambda v: struct.pack("<f", v)}
size = {"S16_LE": 2, "S24_3LE": 3, "S32_LE": 4, "FLOAT_LE": 4}
cmd, fmt = sys.argv[1], sys.argv[2]
if cmd == "gen":
    n = int(sys.argv[3])
    with open(sys.argv[4], "wb") as f:
        f.write(b"".join(pack[fmt](val(fmt, i, c)[0]) for i in range(n) for c in range(2)))
elif cmd == "check":
    n = int(sys.argv[3])
    d = json.load(open(sys.argv[4]))
    s = d["samples"]
    want = [val(fmt, i, c)[1] for i in range(n) for c in range(2)]
    for k in range(0, len(s) - len(want) + 1, 2):
        if s[k] == want[0] and s[k:k + len(want)] == want:
            print("pattern at dump frame %d, bit-exact" % (k // 2))
            sys.exit(0)
    print("pattern not found; first nonzero samples:", [x for x in s if x][:8])
    sys.exit(1)
else:
    data = open(sys.argv[3], "rb").read()
    print("%d bytes, nonzero: %d" % (len(data), sum(1 for b in data if b)))
    sys.exit(0 if data and not any(data) else 1)
EOF

ctl() { a67_ctl h1 "$tmp/ctl.sock" "$1"; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

start_daemon() {
    a67_daemon h1 240 "$tmp/ctl.sock" "$tmp/daemon.log"
    DPID=$A67_LAST_PID
}

# 1. no daemon
t0=$(now_ms)
a67_run h1 timeout 5 aplay -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 /dev/zero >"$tmp/nod.out" 2>&1
rc=$?
t1=$(now_ms)
a67_ok "no daemon: aplay fails (rc $rc) in $((t1 - t0)) ms (< 1000)" test "$rc" -ne 0 -a "$rc" -ne 124 -a $((t1 - t0)) -lt 1000
a67_ok "no daemon: the message says aes67d is not running" grep -q "aes67d is not running" "$tmp/nod.out"

start_daemon
a67_ok "aes67d starts and serves the device socket" test -S "$tmp/ctl.dev.sock"
has_default_device() { ctl '{"cmd":"device.list"}' | grep -q '"name":"aes67"'; }
a67_ok "device.list shows the default device" has_default_device

# 2. playback lands bit-exactly
for fmt in S16_LE S24_3LE S32_LE FLOAT_LE; do
    python3 "$tmp/pat.py" gen $fmt $N "$tmp/pat.$fmt"
    for mode in rw mmap; do
        flag=""; [ $mode = mmap ] && flag="-M"
        a67_run h1 timeout 10 aplay -q $flag -D aes67 -t raw -f $fmt -c 2 -r 48000 "$tmp/pat.$fmt" >"$tmp/ap.out" 2>&1
        rc=$?
        ctl '{"cmd":"device.dump","direction":"playback","frames":16384}' >"$tmp/dump.json"
        a67_ok "aplay $fmt $mode exits 0 (rc $rc)" test $rc -eq 0
        a67_ok "aplay $fmt $mode: $(python3 "$tmp/pat.py" check $fmt $N "$tmp/dump.json")" python3 "$tmp/pat.py" check $fmt $N "$tmp/dump.json"
    done
done

# 3. capture: silence at the media clock's pace
for fmt in S16_LE S24_3LE S32_LE FLOAT_LE; do
    for mode in rw mmap; do
        flag=""; [ $mode = mmap ] && flag="-M"
        t0=$(now_ms)
        a67_run h1 timeout 10 arecord -q $flag -D aes67 -t raw -f $fmt -c 2 -r 48000 -s 24000 "$tmp/rec.raw" >"$tmp/ar.out" 2>&1
        rc=$?
        t1=$(now_ms)
        ms=$((t1 - t0))
        # Paced by the media clock: never faster than real time (minus arecord's start-up
        # slack); the upper bound only catches a stall, so a loaded machine does not fail it.
        a67_ok "arecord $fmt $mode: 24000 frames in $ms ms (paced: 450..1500 ms), rc $rc" test $rc -eq 0 -a $ms -ge 450 -a $ms -le 1500
        a67_ok "arecord $fmt $mode: $(python3 "$tmp/pat.py" silent $fmt "$tmp/rec.raw")" python3 "$tmp/pat.py" silent $fmt "$tmp/rec.raw"
    done
done
a67_bg h1 10 arecord -q -D aes67 -f S16_LE -c 2 -r 48000 -s 24000 -t raw "$tmp/r1.raw"
p1=$A67_LAST_PID
a67_bg h1 10 arecord -q -D aes67 -f S32_LE -c 2 -r 48000 -s 24000 -t raw "$tmp/r2.raw"
p2=$A67_LAST_PID
wait $p1; r1=$?
wait $p2; r2=$?
a67_ok "two arecords at once both succeed (rc $r1, $r2)" test $r1 -eq 0 -a $r2 -eq 0
a67_ok "both got 0.5 s" test "$(stat -c %s "$tmp/r1.raw")" -eq 96000 -a "$(stat -c %s "$tmp/r2.raw")" -eq 192000

# 4. exclusive playback
a67_bg h1 20 aplay -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 -d 10 /dev/zero
ap=$A67_LAST_PID
sleep 0.5
a67_run h1 timeout 5 aplay -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 -d 1 /dev/zero >"$tmp/busy.out" 2>&1
rc=$?
a67_ok "second aplay refused (rc $rc)" test $rc -ne 0 -a $rc -ne 124
a67_ok "refusal says busy / in use" grep -q "in use by process" "$tmp/busy.out"
kill -9 $ap; wait $ap 2>/dev/null
a67_run h1 timeout 5 aplay -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 -s 4800 /dev/zero >"$tmp/reclaim.out" 2>&1
a67_ok "after aplay is killed with -9 the device is free again (rc $?)" test $? -eq 0

# 5. daemon stalled (not dead) under running streams: a late heartbeat is an xrun, not the end
a67_bg h1 20 aplay -D aes67 -t raw -f S16_LE -c 2 -r 48000 -d 3 /dev/zero 2>"$tmp/stall.ap"
ap=$A67_LAST_PID
a67_bg h1 20 arecord -D aes67 -t raw -f S16_LE -c 2 -r 48000 -d 3 /dev/null 2>"$tmp/stall.ar"
ar=$A67_LAST_PID
sleep 0.5
kill -STOP "$DPID"
sleep 1.2
kill -CONT "$DPID"
wait $ap; rap=$?
wait $ar; rar=$?
a67_ok "aplay survives a 1.2 s stall of aes67d (rc $rap: $(grep -c 'underrun!!!' "$tmp/stall.ap") xrun(s); $(grep -m1 aes67 "$tmp/stall.ap"))" test $rap -eq 0
a67_ok "arecord survives a 1.2 s stall of aes67d (rc $rar: $(grep -c 'overrun!!!' "$tmp/stall.ar") xrun(s); $(grep -m1 aes67 "$tmp/stall.ar"))" test $rar -eq 0
# aplay/arecord print each xrun's length as "now - trigger": sane only if the plugin's trigger
# stamp and the applications' "now" read the same clock (once off by the 1.8e12 ms since 1970).
xrun_ms=$(cat "$tmp/stall.ap" "$tmp/stall.ar" | sed -n 's/.*run!!! (at least \([0-9.]*\) ms long).*/\1/p')
a67_ok "the stall made an xrun, and every length printed is under the 3 s run ($(echo $xrun_ms))" \
    sh -c '[ -n "$1" ] && for v in $1; do awk -v v="$v" "BEGIN { exit !(v >= 0 && v < 3000) }" || exit 1; done' _ "$xrun_ms"

# 6. daemon killed under running streams
a67_bg h1 20 aplay -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 -d 10 /dev/zero
ap=$A67_LAST_PID
a67_bg h1 20 arecord -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 -d 10 /dev/null
ar=$A67_LAST_PID
sleep 0.5
kill -9 "$DPID"
t0=$(now_ms)
wait $ap; rap=$?
t1=$(now_ms)
wait $ar; rar=$?
t2=$(now_ms)
a67_ok "aplay fails within 1 s of kill -9 (rc $rap after $((t1 - t0)) ms)" test $rap -ne 0 -a $rap -ne 137 -a $((t1 - t0)) -lt 1000
a67_ok "arecord fails within 1 s of kill -9 (rc $rar after $((t2 - t0)) ms)" test $rar -ne 0 -a $rar -ne 137 -a $((t2 - t0)) -lt 1000
t0=$(now_ms)
a67_run h1 timeout 5 aplay -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 -s 4800 /dev/zero >/dev/null 2>&1
rc=$?
t1=$(now_ms)
a67_ok "open with the daemon dead fails fast (rc $rc, $((t1 - t0)) ms)" test $rc -ne 0 -a $rc -ne 124 -a $((t1 - t0)) -lt 1000
start_daemon
a67_run h1 timeout 5 aplay -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 -s 4800 /dev/zero >/dev/null 2>&1
a67_ok "after a restart aplay works (rc $?)" test $? -eq 0
a67_run h1 timeout 5 arecord -q -D aes67 -t raw -f S16_LE -c 2 -r 48000 -s 4800 /dev/null >/dev/null 2>&1
a67_ok "after a restart arecord works (rc $?)" test $? -eq 0
a67_done
