#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's first command: the virtual soundcard end to end, on one machine, in two network
# namespaces ("hosts") joined by a veth pair. Run as root on Debian 12:
#
#   sudo scripts/demo.sh
#
# It installs what is missing (scripts/deps.sh --all), builds into out/demo (or uses
# $AES67_BUILD, an existing meson build dir), then:
#   host1: aes67d, PTP priority1 100 (grandmaster), device "aes67" (2 ch) -> stream 239.69.77.1
#   host2: aes67d, PTP slave only, device "aes67" <- that stream, link offset 480 frames (10 ms)
# plays a 1 kHz, -6 dBFS, 5 s stereo tone (sox) into pcm.aes67 on host1 with aplay, records
# pcm.aes67 on host2 with arecord, and prints the PTP state, the stream statistics, the measured
# device-to-device latency (an impulse found by absolute media position in both devices' rings)
# and an analysis of the recording (frequency, level, bit-exact against the source after the
# leading silence). Never touches the real network; bounded in time; cleans up on exit and Ctrl-C.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/integration/lib.sh"
a67_require_root

L=480
section() { printf '\n=== %s ===\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

section "Dependencies and build"
"$root/scripts/deps.sh" --all || die "installing dependencies failed"
if [ -n "${AES67_BUILD:-}" ]; then
    B=$(cd "$AES67_BUILD" && pwd)
else
    B=$root/out/demo
    [ -f "$B/build.ninja" ] || meson setup "$B" "$root" >/dev/null || die "meson setup failed"
    ninja -C "$B" src/daemon/aes67d src/cli/aes67 src/alsa/libasound_module_pcm_aes67.so >/dev/null ||
        die "build failed (ninja -C $B)"
fi
for f in src/daemon/aes67d src/cli/aes67 src/alsa/libasound_module_pcm_aes67.so; do
    [ -e "$B/$f" ] || die "$B/$f missing"
done
AES67D=$B/src/daemon/aes67d
echo "binaries: $B"

# Everything below is bounded: a watchdog ends the demo after 120 s whatever happens.
(sleep 120; kill -TERM $$ 2>/dev/null) >/dev/null 2>&1 &
A67_PIDS+=("$!")

section "Two hosts"
a67_hosts 2 || die "cannot create network namespaces"
a67_tmpdir
tmp=$A67_TMP
echo "host1 = netns $(a67_ns h1), eth0 198.51.100.1/24"
echo "host2 = netns $(a67_ns h2), eth0 198.51.100.2/24"

mkdir -p "$tmp/h1" "$tmp/h2"
cat >"$tmp/h1/aes67d.json" <<EOF
{"interface": "eth0", "ptp": {"priority1": 100},
 "devices": [{"name": "aes67", "playback_channels": 2, "capture_channels": 2, "rate": 48000, "ptime_us": 1000}],
 "streams": {"tx": [{"name": "demo", "destination": "239.69.77.1", "port": 5004, "encoding": "L24",
   "rate": 48000, "channels": 2, "ptime_us": 1000, "device": "aes67"}]}}
EOF
cat >"$tmp/h2/aes67d.json" <<EOF
{"interface": "eth0", "ptp": {"slave_only": true},
 "devices": [{"name": "aes67", "playback_channels": 2, "capture_channels": 2, "rate": 48000, "ptime_us": 1000}],
 "streams": {"rx": [{"name": "demo", "source": {"address": "239.69.77.1", "port": 5004, "encoding": "L24",
   "rate": 48000, "channels": 2}, "link_offset_frames": $L, "device": "aes67"}]}}
EOF
for h in h1 h2; do
    a67_asound_conf "$tmp/$h/asound.conf" "$tmp/$h/ctl.dev.sock"
done
on() {
    local h=$1
    shift
    a67_run "$h" env ALSA_CONFIG_PATH="$tmp/$h/asound.conf" "$@"
}
cli() {
    local h=$1
    shift
    a67_run "$h" "$B/src/cli/aes67" "$@" --control "$tmp/$h/ctl.sock"
}

section "aes67d on both hosts"
for h in h1 h2; do
    a67_daemon "$h" 110 "$tmp/$h/ctl.sock" "$tmp/$h/daemon.log" -c "$tmp/$h/aes67d.json" ||
        { cat "$tmp/$h/daemon.log"; die "aes67d on $h did not start"; }
    echo "$h: aes67d running (pid $A67_LAST_PID), config $tmp/$h/aes67d.json"
done

section "PTP (waiting up to 20 s for host2 to lock)"
if cli h2 ptp --json >/dev/null 2>&1; then
    end=$(( $(date +%s) + 20 ))
    while [ "$(date +%s)" -lt "$end" ] && ! cli h2 ptp --json 2>/dev/null | grep -q '"locked":true'; do
        sleep 1
    done
    for h in h1 h2; do
        echo "--- $h: aes67 ptp"
        cli "$h" ptp
    done
else
    echo "PTP is not available in this aes67d: the media clock is the CLOCK_TAI stand-in on both hosts"
fi
echo "--- media clock (aes67 status)"
for h in h1 h2; do
    printf '%s: ' "$h"
    cli "$h" status --json | tr -d '\n' | grep -o '"clock": *{[^}]*}' || echo "(no clock in status)"
done

section "Play a 1 kHz -6 dBFS tone on host1, record on host2"
sox -D -n -r 48000 -c 2 -b 24 "$tmp/tone.wav" synth 5 sine 1000 gain -6 || die "sox failed"
echo "source: $(soxi -d "$tmp/tone.wav") $(soxi -r "$tmp/tone.wav") Hz $(soxi -c "$tmp/tone.wav") ch $(soxi -b "$tmp/tone.wav") bit"
on h2 timeout 20 arecord -q -D aes67 -f S24_3LE -c 2 -r 48000 -d 7 "$tmp/rec.wav" &
rec=$!
sleep 0.5
on h1 timeout 20 aplay -q -D aes67 "$tmp/tone.wav" || echo "aplay failed (rc $?)"
wait $rec || echo "arecord failed (rc $?)"
echo "recorded: $(soxi -d "$tmp/rec.wav" 2>/dev/null)"

section "Stream statistics"
for h in h1 h2; do
    echo "--- $h"
    a67_ctl "$h" "$tmp/$h/ctl.sock" '{"cmd":"stream.stats"}' | sed 's/},{/},\n  {/g'
done

section "Device-to-device latency"
# An impulse at frame 8000 of a 0.2 s file; found by absolute media position in
# host1's playback ring and host2's capture ring (device.dump): the difference is the latency.
printf '\0\0\0\0\0\0%.0s' $(seq 1 8000) >"$tmp/imp.raw"
printf '\x5a\x5a\x5a\0\0\0' >>"$tmp/imp.raw"
printf '\0\0\0\0\0\0%.0s' $(seq 1 1599) >>"$tmp/imp.raw"
# One small control client watches host1's playback ring until the impulse is there, then reads
# host2's capture ring around it + L as soon as that is written (the rings hold 0.68 s).
a67_run h1 timeout 10 python3 -c '
import json, socket, sys, time
def req(path, r):
    c = socket.socket(socket.AF_UNIX); c.settimeout(2); c.connect(path)
    c.sendall(json.dumps(r).encode() + b"\n"); b = b""
    while not b.endswith(b"\n"):
        d = c.recv(1 << 20)
        if not d: break
        b += d
    return json.loads(b)
def find(d):
    s = d["samples"]; h = [i // 2 for i in range(0, len(s), 2) if s[i] == 0x5A5A5A00]
    return d["position"] + h[0] if len(h) == 1 else None
s1, s2, lat = sys.argv[1], sys.argv[2], int(sys.argv[3]); end = time.monotonic() + 8; p1 = None
req(s2, {"cmd": "ping"}); open(sys.argv[4], "w").close()
while p1 is None and time.monotonic() < end:
    p1 = find(req(s1, {"cmd": "device.dump", "device": "aes67", "direction": "playback", "frames": 4096}))
    time.sleep(0.02)
while p1 is not None and time.monotonic() < end:
    l = req(s2, {"cmd": "device.list"})["devices"][0]["capture"]["write_pos"]
    if l > p1 + lat + 2048: break
    time.sleep(0.02)
d2 = None if p1 is None else req(s2, {"cmd": "device.dump", "device": "aes67", "direction": "capture", "frames": 4096, "position": p1 + lat - 2048})
p2 = None if d2 is None else find(d2)
print(p1 or "", p2 or "")
if d2 is not None and p2 is None:
    print("host2 capture ring: %d frames valid, %d missing, %d lapped, nonzero samples %d" % (d2["valid_frames"], d2["missing_frames"], d2["lapped_frames"], sum(1 for x in d2["samples"] if x)))
' "$tmp/h1/ctl.sock" "$tmp/h2/ctl.sock" $L "$tmp/lat.ready" >"$tmp/lat.out" 2>&1 &
lp=$!
a67_wait_for 5 test -e "$tmp/lat.ready"
on h1 timeout 10 aplay -q -D aes67 -t raw -f S24_3LE -c 2 -r 48000 "$tmp/imp.raw"
wait $lp
read -r p1 p2 <"$tmp/lat.out"
if [ -n "$p1" ] && [ -n "$p2" ]; then
    echo "impulse: host1 playback position $p1, host2 capture position $p2"
    echo "device-to-device latency: $((p2 - p1)) frames = $(( (p2 - p1) * 1000000 / 48000 )) us (configured link offset $L frames)"
else
    echo "impulse not found in both rings (host1: ${p1:-none}, host2: ${p2:-none}) $(tail -n +2 "$tmp/lat.out")"
fi

section "Analysis of the recording"
sox "$tmp/tone.wav" -t raw "$tmp/tone.raw"
sox "$tmp/rec.wav" -t raw "$tmp/rec.raw"
# The first non-zero byte of each file (cmp against zeros); the tone starts at the same sample.
first_nz() { cmp "$1" /dev/zero 2>/dev/null | sed -n 's/.*differ: \(byte\|char\) \([0-9]*\),.*/\2/p'; }
s=$(first_nz "$tmp/tone.raw")
r=$(first_nz "$tmp/rec.raw")
if [ -z "$r" ]; then
    echo "the recording is silent"
else
    start=$((r - s))
    echo "leading silence: $((start / 6)) frames ($((start / 6 * 1000 / 48000)) ms: the time between arecord and aplay starting)"
    tail -c +$((start + 1)) "$tmp/rec.raw" | head -c "$(stat -c %s "$tmp/tone.raw")" >"$tmp/cut.raw"
    if cmp -s "$tmp/cut.raw" "$tmp/tone.raw"; then
        echo "BIT-EXACT: the recording holds the source's $(( $(stat -c %s "$tmp/tone.raw") / 6 )) frames unchanged"
    else
        echo "DIFFERS: $(cmp "$tmp/cut.raw" "$tmp/tone.raw" 2>&1 | head -1)"
    fi
    sox -t raw -r 48000 -e signed -b 24 -c 2 "$tmp/cut.raw" -n remix 1 stat 2>&1 | grep -E "Rough +frequency|Maximum amplitude|RMS +amplitude"
    sox -t raw -r 48000 -e signed -b 24 -c 2 "$tmp/cut.raw" -n stats 2>&1 | grep -E "Pk lev dB|RMS lev dB"
fi
section "Done (cleaning up)"
