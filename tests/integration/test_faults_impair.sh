#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reordering, duplication and drops through the project's deterministic impairment proxy
# (tests/tools/impair): `aes67 send` (3 s, L24, 2 channels, 1 ms) multicasts from h1; on h2 the
# proxy receives the group and re-sends each packet to 127.0.0.1:5006 where `aes67 recv` listens,
# with seeded impairments. Reordering is at most 3 packets deep, well inside the receiver's
# 100 ms link offset (INTEROP_LINK_US), so nothing may be late or lost.
#   1. reorder 3 % (depth 2) + duplicate 2 % (+ 1 ms fixed delay): bit-exact and complete, 0 lost,
#      0 late; recv's reordered / duplicates counters equal the proxy's counts exactly.
#   2. drop 2 % + reorder 2 % (depth 3): lost = the proxy's drops = silent packets in the WAV,
#      everything else bit-exact; reordered equals the proxy's count.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tools/interop.sh"
interop_init send recv
[ "$INTEROP_STANDIN" = gst ] && interop_skip "needs our receiver's counters"
[ -x "$IMPAIR" ] || { echo "Bail out! $IMPAIR not built"; exit 1; }
a67_net 2
G=$INTEROP_GROUP
P=$INTEROP_PORT
SECS=3
FPP=48

# impair_get SUMMARY KEY: a count from the proxy's summary line.
impair_get() {
    sed -n "s/.* $2=\([0-9]*\).*/\1/p" "$1"
}

# run_case NAME IMPAIR-OPTIONS...: one stream through the proxy; leaves out.wav, stats.json,
# impair.out (summary) behind.
run_case() {
    local name=$1 rx px
    shift
    interop_audio src.wav 2 24 "$SECS"
    rm -f out.wav impair.out impair.err
    aes67_recv_bg h2 40 out.wav stats.json --from 127.0.0.1:5006 --format L24/48000/2 \
        --idle-exit 3 --link-offset-us "$INTEROP_LINK_US"
    rx=$A67_LAST_PID
    # SCHED_FIFO: the proxy is one more hop on a loaded 2-core machine; a stall there would show
    # up as "late" in the receiver. It sleeps in poll(), so it cannot hog a core.
    a67_bg h2 40 chrt -f 40 "$IMPAIR" --listen "$G:$P" --interface eth0 --to 127.0.0.1:5006 \
        --idle-exit 1500 --lifetime 30 --max-packets 10000 "$@" >impair.out 2>impair.err
    px=$A67_LAST_PID
    a67_wait_for 5 grep -q ready impair.err
    sleep 0.3
    a67_run h1 timeout 30 "$AES67" send src.wav --to "$G:$P" --format L24 --interface eth0 \
        >send.log 2>&1
    a67_ok "$name: aes67 send exits 0" test $? -eq 0
    a67_wait_for 10 bash -c "! kill -0 $px 2>/dev/null"
    wait "$px" 2>/dev/null
    aes67_recv_wait "$rx" 10
    echo "# $(cat impair.out)"
    echo "# recv: $(tail -1 stats.json)"
}

# 1. reorder + duplicate, no loss
run_case "reorder+dup" --seed 11 --reorder 3 --reorder-depth 2 --dup 2 --delay-us 1000
interop_compare src.wav out.wav 2 24
rc=$?
a67_ok "reorder+dup: bit-exact, no gap (pcmcmp status $rc)" test "$rc" -eq 0
a67_ok "reorder+dup: whole file (frames ${PCM_covered_from:-?}..${PCM_covered_to:-?} of ${PCM_ref_frames:-?})" \
    test "${PCM_covered_from:-x}" = 0 -a "${PCM_covered_to:-x}" = "${PCM_ref_frames:-y}"
a67_ok "reorder+dup: proxy saw all $((SECS * 1000)) packets" \
    test "$(impair_get impair.out received)" = $((SECS * 1000))
r_px=$(impair_get impair.out reordered)
d_px=$(impair_get impair.out duplicated)
a67_ok "reorder+dup: proxy reordered and duplicated something ($r_px, $d_px)" \
    test "${r_px:-0}" -gt 0 -a "${d_px:-0}" -gt 0
a67_ok "reorder+dup: recv reordered = proxy's ($(stat_get stats.json reordered) = $r_px)" \
    test "$(stat_get stats.json reordered)" = "$r_px"
a67_ok "reorder+dup: recv duplicates = proxy's ($(stat_get stats.json duplicates) = $d_px)" \
    test "$(stat_get stats.json duplicates)" = "$d_px"
a67_ok "reorder+dup: 0 lost, 0 late ($(stat_get stats.json lost), $(stat_get stats.json late))" \
    test "$(stat_get stats.json lost)" = 0 -a "$(stat_get stats.json late)" = 0

# 2. drop + reorder
run_case "drop+reorder" --seed 5 --drop 2 --reorder 2 --reorder-depth 3
interop_compare src.wav out.wav 2 24 --allow-gaps --packet-frames "$FPP"
rc=$?
a67_ok "drop+reorder: received audio bit-exact, gaps whole packets (pcmcmp status $rc)" test "$rc" -eq 0
head=$(( ${PCM_covered_from:-0} / FPP ))
tail=$(( (${PCM_ref_frames:-0} - ${PCM_covered_to:-0}) / FPP ))
dr=$(impair_get impair.out dropped)
lost=$(stat_get stats.json lost)
a67_ok "drop+reorder: recv lost = silent packets in the WAV (${lost:-?} = ${PCM_gap_packets:-?})" \
    test "${lost:-x}" = "${PCM_gap_packets:-y}"
a67_ok "drop+reorder: recv lost = proxy drops inside the span (${lost:-?} = ${dr:-?} - $head - $tail)" \
    test "${lost:-x}" = "$(( ${dr:-0} - head - tail ))"
r_px=$(impair_get impair.out reordered)
a67_ok "drop+reorder: recv reordered = proxy's ($(stat_get stats.json reordered) = $r_px)" \
    test "$(stat_get stats.json reordered)" = "$r_px"
a67_ok "drop+reorder: nothing late ($(stat_get stats.json late))" test "$(stat_get stats.json late)" = 0

interop_done
