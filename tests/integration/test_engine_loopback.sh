#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of the streaming engine through `aes67 send` / `aes67 recv`: two namespaced
# hosts, a sox-generated WAV sent from h1 to a multicast group, received on h2, compared
# bit-exactly (recv starts at the first packet's frame, so nothing is skipped). Covers L16, L24,
# L32 and AM824 at 2 and 8 channels, 48 kHz, 1 ms and 125 us; plus the SDP path (--sdp-out ->
# --sdp). Each case is bounded (timeout) and the namespaces are removed on exit (lib.sh trap).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

a67_build_dir src/cli/aes67
a67_need sox

a67_net 2
tmp=$A67_TMP
fails=0
n=0

# case FORMAT CHANNELS PTIME BITS [sdp]
run_case() {
    local fmt=$1 ch=$2 ptime=$3 bits=$4 mode=${5:-from} in out grp rp bps
    n=$((n + 1))
    in="$tmp/in_${fmt}_${ch}_${ptime}.wav"
    if [ "$bits" = 32 ] || [ "$fmt" = AM824 ]; then bps=4; else bps=$((bits / 8)); fi
    out="$tmp/out_${fmt}_${ch}_${ptime}_${mode}.wav"
    grp="239.69.1.$n"
    # 0.5 s: 24000 frames, a whole number of packets at 1 ms (48) and 125 us (6).
    sox -n -r 48000 -c "$ch" -b "$bits" "$in" synth 0.5 sine 440 sine 1000 vol 0.7
    if [ "$ptime" = 1ms ] && [ $((48 * ch * bps)) -gt 1440 ]; then
        # AES67 packets must fit a 1500-byte MTU: the sender refuses, exit 2, with a reason.
        a67_run h1 "$AES67" send "$in" --to "$grp:5004" --format "$fmt" --ptime "$ptime" \
            --interface eth0 >/dev/null 2>"$tmp/err$n"
        if [ $? -eq 2 ] && grep -q "exceed the 1440" "$tmp/err$n"; then
            echo "ok $n - $fmt ${ch}ch $ptime: refused, payload above the MTU"
        else
            echo "not ok $n - $fmt ${ch}ch $ptime: not refused"; fails=$((fails + 1))
        fi
        return
    fi
    if [ "$mode" = sdp ]; then
        a67_run h1 "$AES67" send "$in" --to "$grp:5004" --format "$fmt" --ptime "$ptime" \
            --interface eth0 --sdp-out "$tmp/s$n.sdp" --name "case$n" >/dev/null 2>&1 &
        sleep 0.05
        kill %1 2>/dev/null; wait 2>/dev/null
        a67_bg h2 30 "$AES67" recv --sdp "$tmp/s$n.sdp" --out "$out" --idle-exit 2 \
            --link-offset-us 100000 --interface eth0 --json >"$tmp/recv$n.json"
    else
        a67_bg h2 30 "$AES67" recv --from "$grp:5004" --format "$fmt/48000/$ch" --out "$out" \
            --idle-exit 2 --link-offset-us 100000 --interface eth0 --json >"$tmp/recv$n.json"
    fi
    rp=$A67_LAST_PID
    sleep 0.3
    timeout 20 ip netns exec "$(a67_ns h1)" "$AES67" send "$in" --to "$grp:5004" \
        --format "$fmt" --ptime "$ptime" --interface eth0 --json >"$tmp/send$n.json"
    wait "$rp"
    if cmp -s <(sox "$in" -t raw -) <(sox "$out" -t raw -); then
        echo "ok $n - $fmt ${ch}ch $ptime ($mode): bit-exact"
    else
        # Say where and how it differs, with both ends' counters, so a failure explains itself.
        echo "not ok $n - $fmt ${ch}ch $ptime ($mode): differs ($(soxi -s "$out" 2>/dev/null) frames," \
            "first differing byte $(cmp <(sox "$in" -t raw -) <(sox "$out" -t raw -) 2>&1 | head -1 |
                sed 's/.*byte \([0-9]*\).*/\1/') of $((ch * bps)) per frame)"
        echo "#   send: $(tail -1 "$tmp/send$n.json")"
        echo "#   recv: $(tail -1 "$tmp/recv$n.json")"
        fails=$((fails + 1))
    fi
}

for fmt in L16:16 L24:24 L32:32 AM824:24; do
    for ch in 2 8; do
        for pt in 1ms 125us; do
            run_case "${fmt%%:*}" "$ch" "$pt" "${fmt##*:}"
        done
    done
done
run_case L24 2 1ms 24 sdp

# --duration bounds recv in wall time whatever arrives (no --idle-exit): with no sender it ends
# within duration + 1 s, exit 1 and says nothing came; with a sender that stops after 0.5 s it
# ends within duration + 1 s, exit 0, with the 0.5 s received.
duration_case() { # NAME SEND(0|1)
    local t0 t1 rc ms
    n=$((n + 1))
    a67_bg h2 30 "$AES67" recv --from "239.69.2.$n:5004" --format L24/48000/2 \
        --out "$tmp/dur$n.wav" --duration 3 --interface eth0 >"$tmp/dur$n.out" 2>"$tmp/dur$n.err"
    rp=$A67_LAST_PID
    t0=$(date +%s%N)
    if [ "$2" = 1 ]; then
        sleep 0.3
        timeout 20 ip netns exec "$(a67_ns h1)" "$AES67" send "$tmp/in_L24_2_1ms.wav" \
            --to "239.69.2.$n:5004" --format L24 --ptime 1ms --interface eth0 >/dev/null
    fi
    wait "$rp"; rc=$?
    t1=$(date +%s%N); ms=$(((t1 - t0) / 1000000))
    if [ "$2" = 0 ] && [ "$rc" -eq 1 ] && [ "$ms" -le 4000 ] &&
        grep -q "no packet received within --duration" "$tmp/dur$n.err"; then
        echo "ok $n - recv --duration 3, no sender: exit 1 after $ms ms, says why"
    elif [ "$2" = 1 ] && [ "$rc" -eq 0 ] && [ "$ms" -le 4000 ] &&
        [ "$(soxi -s "$tmp/dur$n.wav" 2>/dev/null)" = 24000 ]; then
        echo "ok $n - recv --duration 3, sender stops at 0.5 s: exit 0 after $ms ms, 24000 frames"
    else
        echo "not ok $n - recv --duration 3 ($1): exit $rc after $ms ms, $(soxi -s "$tmp/dur$n.wav" 2>/dev/null) frames: $(head -c 300 "$tmp/dur$n.err")"
        fails=$((fails + 1))
    fi
}
duration_case "no sender" 0
duration_case "sender stops" 1
echo "1..$n"
[ "$fails" -eq 0 ]
