#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Random loss of ~1 % on the RECEIVING host (nft netdev ingress on h2's eth0, `numgen random mod
# 100 < 1 drop` for the stream's UDP port — never on the sender's output, which would make sendto
# fail with EPERM): `aes67 send` (3 s, L24 and L16, 2 channels, 1 ms) -> `aes67 recv`.
# Checks:
#   - everything received is bit-exact with the source, and every silent run in the output is a
#     whole number of 48-frame packets (lost packets read as silence of exactly their length);
#   - recv's "lost" counter = the silent packets in the WAV = nft's drop counter, less drops
#     before the first or after the last received packet (a receiver cannot see those);
#   - received + lost = packets sent in the span received; nothing late.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tools/interop.sh"
interop_init send recv
a67_need nft
[ "$INTEROP_STANDIN" = gst ] && interop_skip "needs our receiver's counters"
a67_net 2
G=$INTEROP_GROUP
P=$INTEROP_PORT
SECS=3
FPP=48

a67_run h2 nft add table netdev loss || { echo "Bail out! nft netdev table"; exit 1; }
a67_run h2 nft add chain netdev loss in '{ type filter hook ingress device eth0 priority 0; }'

for enc in L24 L16; do
    bits=${enc#L}
    a67_run h2 nft flush chain netdev loss in
    a67_run h2 nft add rule netdev loss in udp dport "$P" numgen random mod 100 '<' 1 counter drop
    interop_audio src.wav 2 "$bits" "$SECS"
    rm -f out.wav
    aes67_recv_bg h2 30 out.wav stats.json --from "$G:$P" --format "$enc/48000/2" --idle-exit 2 \
        --link-offset-us "$INTEROP_LINK_US"
    rx=$A67_LAST_PID
    sleep 0.5
    a67_run h1 timeout 30 "$AES67" send src.wav --to "$G:$P" --format "$enc" --interface eth0 \
        >send.log 2>&1
    a67_ok "$enc: aes67 send exits 0" test $? -eq 0
    aes67_recv_wait "$rx" 10
    dropped=$(a67_run h2 nft list chain netdev loss in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    interop_compare src.wav out.wav 2 "$bits" --allow-gaps --packet-frames "$FPP"
    rc=$?
    a67_ok "$enc: received audio bit-exact, silent runs whole packets (pcmcmp status $rc)" test "$rc" -eq 0
    lost=$(stat_get stats.json lost)
    late=$(stat_get stats.json late)
    pk=$(stat_get stats.json packets)
    head=$(( ${PCM_covered_from:-0} / FPP ))
    tail=$(( (${PCM_ref_frames:-0} - ${PCM_covered_to:-0}) / FPP ))
    echo "# nft dropped $dropped; recv: packets $pk lost $lost late $late; not seen at head $head, tail $tail"
    a67_ok "$enc: nft dropped some packets (got ${dropped:-?})" test "${dropped:-0}" -gt 0
    a67_ok "$enc: recv lost = silent packets in the WAV (${lost:-?} = ${PCM_gap_packets:-?})" \
        test "${lost:-x}" = "${PCM_gap_packets:-y}"
    a67_ok "$enc: recv lost = nft drops inside the received span (${lost:-?} = ${dropped:-?} - $head - $tail)" \
        test "${lost:-x}" = "$(( ${dropped:-0} - head - tail ))"
    a67_ok "$enc: received + lost = packets in the span (${pk:-?} + ${lost:-?} = $(( SECS * 1000 - head - tail )))" \
        test "$(( ${pk:-0} + ${lost:-0} ))" -eq "$(( SECS * 1000 - head - tail ))"
    a67_ok "$enc: nothing late (got ${late:-?})" test "${late:-x}" = 0
done

interop_done
