#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interop with ffmpeg 5.1 (its own RTP muxer/demuxer and SDP writer/reader), two namespaced hosts:
#   1. ffmpeg -f rtp (L16 and L24, 2 channels, 1 ms packets) -> `aes67 recv --sdp` with the SDP
#      file ffmpeg wrote itself: bit-exact, whole file, no loss.
#   2. `aes67 send --sdp-out` -> ffmpeg reading that SDP -> WAV: bit-exact.
# ffmpeg is not paced like an AES67 sender: even with -re it writes packets in bursts of several
# ms (and without -re it would send 3 s of audio in a few ms, which no real-time receiver with a
# 1 s buffer can take), so the receiver runs with a 100 ms link offset (INTEROP_LINK_US).
# Both sides need the SDP before the first packet, so each SDP is first produced by a short run
# of the same sender with the same parameters (to a group nobody in the test listens to).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tools/interop.sh"
interop_init recv send
a67_need ffmpeg
[ "$INTEROP_STANDIN" = gst ] && interop_skip "no GStreamer stand-in for SDP files"
a67_net 2
G=$INTEROP_GROUP
P=$INTEROP_PORT
SECS=3

# ff_send HOST WAV ENC SDP_OUT: ffmpeg as an RTP sender of 2-channel ENC, 48 frames per packet.
ff_send() {
    local h=$1 wav=$2 enc=$3 sdp=$4 codec=pcm_s24be psize=300
    if [ "$enc" = L16 ]; then
        codec=pcm_s16be
        psize=204
    fi
    a67_run "$h" timeout 30 ffmpeg -hide_banner -loglevel error -nostdin -y -re -i "$wav" \
        -c:a "$codec" -ar 48000 -ac 2 -f rtp -payload_type 96 -sdp_file "$sdp" \
        "rtp://$G:$P?ttl=4&localaddr=198.51.100.1&pkt_size=$psize"
}

# ff_recv_case ENC SDP LABEL: aes67 recv from SDP while ffmpeg sends src.wav; checks.
ff_recv_case() {
    local enc=$1 sdp=$2 label=$3 bits=${1#L} rx rc lost late
    rm -f out.wav
    aes67_recv_bg h2 30 out.wav stats.json --sdp "$sdp" --idle-exit 2 --link-offset-us "$INTEROP_LINK_US"
    rx=$A67_LAST_PID
    sleep 0.5
    ff_send h1 src.wav "$enc" ff2.sdp
    aes67_recv_wait "$rx" 10
    if grep -q "no a=ptime" stats.json.err; then
        interop_skip_check "ffmpeg $enc -> aes67 recv ($label)" \
            "aes67 recv refuses an SDP without a=ptime/a=framecount (ffmpeg writes none; RFC 4566 makes ptime optional): $(head -1 stats.json.err)"
        return
    fi
    sed 's/^/# recv: /' stats.json.err | head -5
    interop_compare src.wav out.wav 2 "$bits"
    rc=$?
    a67_ok "ffmpeg $enc -> aes67 recv ($label): bit-exact" test "$rc" -eq 0
    a67_ok "ffmpeg $enc -> aes67 recv ($label): whole file (frames ${PCM_covered_from:-?}..${PCM_covered_to:-?} of ${PCM_ref_frames:-?})" \
        test "${PCM_covered_from:-x}" = 0 -a "${PCM_covered_to:-x}" = "${PCM_ref_frames:-y}"
    lost=$(stat_get stats.json lost)
    late=$(stat_get stats.json late)
    a67_ok "ffmpeg $enc -> aes67 recv ($label): 0 lost, 0 late (got ${lost:-?}, ${late:-?})" \
        test "${lost:-x}" = 0 -a "${late:-x}" = 0
}

for enc in L16 L24; do
    bits=${enc#L}
    interop_audio src.wav 2 "$bits" "$SECS"
    sox src.wav short.wav trim 0 0.05
    rm -f ff.sdp
    ff_send h1 short.wav "$enc" ff.sdp
    a67_ok "ffmpeg $enc wrote an SDP" test -s ff.sdp
    sed 's/^/#   /' ff.sdp
    ff_recv_case "$enc" ff.sdp "ffmpeg's own SDP"
    # The same stream with the 1 ms packet time ffmpeg really uses written into its SDP, so the
    # media path (bursty sender) is tested even where the SDP reader refuses ffmpeg's file.
    sed '/^a=rtpmap/a a=ptime:1' ff.sdp >ff_ptime.sdp
    ff_recv_case "$enc" ff_ptime.sdp "ffmpeg's SDP + a=ptime:1"
done

for enc in L16 L24; do
    bits=${enc#L}
    interop_audio src.wav 2 "$bits" "$SECS"
    sox src.wav short.wav trim 0 0.05
    rm -f our.sdp ffout.wav
    a67_run h1 timeout 20 "$AES67" send short.wav --to 239.69.9.9:"$P" --format "$enc" \
        --interface eth0 --sdp-out our.sdp >send.log 2>&1
    a67_ok "aes67 send --sdp-out $enc wrote an SDP" test -s our.sdp
    # The real stream goes to the test group; the SDP from the short run names 239.69.9.9.
    sed -i "s/239\.69\.9\.9/$G/g" our.sdp
    sed 's/^/#   /' our.sdp
    fmt=s24le
    [ "$enc" = L16 ] && fmt=s16le
    a67_bg h2 40 ffmpeg -hide_banner -loglevel error -nostdin -y -protocol_whitelist file,udp,rtp \
        -i our.sdp -t "$SECS" -c:a "pcm_$fmt" ffout.wav
    rx=$A67_LAST_PID
    sleep 1
    a67_run h1 timeout 30 "$AES67" send src.wav --to "$G:$P" --format "$enc" --interface eth0 \
        >send.log 2>&1
    rc=$?
    a67_ok "aes67 send $enc exits 0 (got $rc)" test "$rc" -eq 0
    # ffmpeg ends by itself after -t SECS of audio; stop it if packets were missing.
    a67_wait_for 5 bash -c "! kill -0 $rx 2>/dev/null"
    gst_recv_stop "$rx"
    interop_compare src.wav ffout.wav 2 "$bits"
    rc=$?
    a67_ok "aes67 send $enc -> ffmpeg: bit-exact" test "$rc" -eq 0
    a67_ok "aes67 send $enc -> ffmpeg: whole file (frames ${PCM_covered_from:-?}..${PCM_covered_to:-?} of ${PCM_ref_frames:-?})" \
        test "${PCM_covered_from:-x}" = 0 -a "${PCM_covered_to:-x}" = "${PCM_ref_frames:-y}"
done

interop_done
