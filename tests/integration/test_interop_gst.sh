#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interop with GStreamer 1.22 (a real, independent RTP implementation), in two namespaced hosts:
#   1. GStreamer rtpL16pay / rtpL24pay, 2 and 8 channels, 48 kHz, 1 ms -> `aes67 recv`: the
#      received WAV is bit-exact with the source from the first frame to the last, no loss.
#   2. `aes67 send` -> GStreamer rtpL16depay / rtpL24depay -> WAV: bit-exact.
# Before that it checks, with a plain reference receiver, that GStreamer's own 8-channel stream
# carries the channels as numbered once tests/tools/interop.sh has undone GStreamer's channel
# reordering, so case 1 compares against what is really on the wire.
# GStreamer is not locked to PTP and is paced by a scheduler on a shared 2-core machine, so the
# receiver gets a 100 ms link offset (INTEROP_LINK_US) instead of the 3-packet default.
# Usage: test_interop_gst.sh   (AES67_BUILD=meson build dir; INTEROP_STANDIN=gst: self-check)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tools/interop.sh"
interop_init recv send
a67_net 2
G=$INTEROP_GROUP
P=$INTEROP_PORT
SECS=3

# 0. What GStreamer puts on the wire for 8 channels, seen by the reference receiver.
interop_audio src8.wav 8 24 1
interop_gst_chmap 8 src8.wav gsrc8.wav
rtp_capture_bg h2 30 "$G" "$P" wire8.raw
cap=$A67_LAST_PID
sleep 0.5
gst_send h1 gsrc8.wav L24 8 "$G" "$P"
wait "$cap" 2>/dev/null
sox -D src8.wav -t raw -e signed -b 24 -B src8.be.raw
a67_ok "GStreamer 8-channel L24 wire payload = source after channel map" cmp -s src8.be.raw wire8.raw
a67_ok "GStreamer sends 48 frames per packet (1000 packets)" \
    test "$(awk '$5 == 48 * 8 * 3' wire8.raw.hdr | wc -l)" -eq 1000

# 1. GStreamer -> aes67 recv
for spec in L16:2 L24:2 L16:8 L24:8; do
    enc=${spec%:*}
    ch=${spec#*:}
    bits=${enc#L}
    name="$enc/${ch}ch"
    interop_audio "src.wav" "$ch" "$bits" "$SECS"
    interop_gst_chmap "$ch" src.wav gsrc.wav
    rm -f out.wav
    aes67_recv_bg h2 30 out.wav stats.json --from "$G:$P" --format "$enc/48000/$ch" --idle-exit 2 \
        --link-offset-us "$INTEROP_LINK_US"
    rx=$A67_LAST_PID
    sleep 0.5
    gst_send h1 gsrc.wav "$enc" "$ch" "$G" "$P"
    aes67_recv_wait "$rx" 10
    interop_compare src.wav out.wav "$ch" "$bits"
    rc=$?
    a67_ok "gst $name -> aes67 recv: bit-exact" test "$rc" -eq 0
    a67_ok "gst $name -> aes67 recv: whole file received (frames ${PCM_covered_from:-?}..${PCM_covered_to:-?} of ${PCM_ref_frames:-?})" \
        test "${PCM_covered_from:-x}" = 0 -a "${PCM_covered_to:-x}" = "${PCM_ref_frames:-y}"
    if [ "$INTEROP_STANDIN" != gst ]; then
        pk=$(stat_get stats.json packets)
        lost=$(stat_get stats.json lost)
        a67_ok "gst $name -> aes67 recv: $((SECS * 1000)) packets, 0 lost (got ${pk:-?}, ${lost:-?})" \
            test "${pk:-x}" = $((SECS * 1000)) -a "${lost:-x}" = 0
        # GStreamer's timestamps start at a random offset: the first packet re-anchors the
        # stream, and the RX thread's event ring reports every re-anchoring with its reason
        # (a VM stall may add more; the bit-exact check above judges those).
        rs=$(stat_get stats.json resyncs)
        ev=$(grep -c "event rx-resync-" stats.json.err)
        first=$(grep -m1 -o "event rx-resync-[a-z-]*" stats.json.err)
        a67_ok "gst $name -> aes67 recv: every re-anchoring logged, the first on the first packet (resyncs ${rs:-?}, logged $ev, first: ${first:-none})" \
            test "${rs:-0}" -ge 1 -a "$ev" = "${rs:-x}" -a "$first" = "event rx-resync-first-packet"
    fi
done

# 2. aes67 send -> GStreamer
for spec in L16:2 L24:2 L16:8 L24:8; do
    enc=${spec%:*}
    ch=${spec#*:}
    bits=${enc#L}
    name="$enc/${ch}ch"
    interop_audio "src.wav" "$ch" "$bits" "$SECS"
    rm -f gout.wav out.wav
    gst_recv_bg h2 30 "$enc" "$ch" "$G" "$P" gout.wav
    rx=$A67_LAST_PID
    sleep 0.5
    if [ "$INTEROP_STANDIN" = gst ]; then
        interop_gst_chmap "$ch" src.wav gsrc.wav
        gst_send h1 gsrc.wav "$enc" "$ch" "$G" "$P"
        rc=$?
    else
        a67_run h1 timeout 30 "$AES67" send src.wav --to "$G:$P" --format "$enc" \
            --interface eth0 >send.log 2>&1
        rc=$?
    fi
    a67_ok "aes67 send $name exits 0 (got $rc)" test "$rc" -eq 0
    sleep 0.5
    gst_recv_stop "$rx"
    interop_gst_chmap "$ch" gout.wav out.wav
    interop_compare src.wav out.wav "$ch" "$bits"
    rc=$?
    a67_ok "aes67 send $name -> gst: bit-exact" test "$rc" -eq 0
    a67_ok "aes67 send $name -> gst: whole file received (frames ${PCM_covered_from:-?}..${PCM_covered_to:-?} of ${PCM_ref_frames:-?})" \
        test "${PCM_covered_from:-x}" = 0 -a "${PCM_covered_to:-x}" = "${PCM_ref_frames:-y}"
done

a67_done
