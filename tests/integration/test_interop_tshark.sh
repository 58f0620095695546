#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Wireshark's dissectors judge our packets: `aes67 send` streams 1 s of L24 and L16 (2 channels,
# 1 ms) while tshark captures on the receiving host; decoded as RTP (decode-as on the port):
# no malformed packet and no expert error; RTP version 2; the payload type of our SDP; one SSRC;
# sequence numbers +1 each packet and timestamps +48 (frames per packet), both mod 2^n (RFC 3550
# §5.1); the marker bit at most on the first packet (RFC 3551 §4.1: continuous audio has one
# talkspurt); payload = 48 frames x channels x bytes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tools/interop.sh"
interop_init send
a67_need tshark
[ "$INTEROP_STANDIN" = gst ] && interop_skip "the point is our own packets"
a67_net 2
G=$INTEROP_GROUP
P=$INTEROP_PORT

for enc in L24 L16; do
    bits=${enc#L}
    interop_audio src.wav 2 "$bits" 1
    rm -f cap.pcap our.sdp
    a67_bg h2 40 tshark -q -i eth0 -f "udp port $P" -c 1000 -a duration:30 -w cap.pcap 2>tshark.log
    cap=$A67_LAST_PID
    a67_wait_for 10 grep -q "Capturing on" tshark.log
    a67_run h1 timeout 20 "$AES67" send src.wav --to "$G:$P" --format "$enc" --interface eth0 \
        --sdp-out our.sdp >send.log 2>&1
    a67_ok "$enc: aes67 send exits 0" test $? -eq 0
    a67_wait_for 10 bash -c "! kill -0 $cap 2>/dev/null"
    kill -INT "$cap" 2>/dev/null
    wait "$cap" 2>/dev/null
    pt=$(sed -n 's/^m=audio [0-9]* RTP\/AVP \([0-9]*\).*/\1/p' our.sdp)
    tshark -r cap.pcap -d "udp.port==$P,rtp" -T fields -E separator=' ' -e rtp.version \
        -e rtp.p_type -e rtp.ssrc -e rtp.seq -e rtp.timestamp -e rtp.marker -e udp.length \
        >fields.txt 2>tshark2.log
    n=$(wc -l <fields.txt)
    a67_ok "$enc: captured 1000 RTP packets (got $n)" test "$n" -eq 1000
    tshark -r cap.pcap -d "udp.port==$P,rtp" -Y "_ws.malformed || _ws.expert.severity >= error" \
        >bad.txt 2>tshark3.log
    rc=$?
    bad=$(wc -l <bad.txt)
    a67_ok "$enc: no malformed packet, no expert error (got $bad; tshark status $rc)" \
        test "$bad" -eq 0 -a "$rc" -eq 0
    a67_ok "$enc: all RTP version 2" test "$(awk '$1 != 2' fields.txt | wc -l)" -eq 0
    a67_ok "$enc: payload type $pt from our SDP on every packet" \
        test -n "$pt" -a "$(awk -v pt="$pt" '$2 != pt' fields.txt | wc -l)" -eq 0
    a67_ok "$enc: one SSRC" test "$(awk '{print $3}' fields.txt | sort -u | wc -l)" -eq 1
    seqbad=$(awk 'NR > 1 && ($4 - s + 65536) % 65536 != 1 {b++} {s = $4} END {print b + 0}' fields.txt)
    a67_ok "$enc: sequence +1 per packet (mod 2^16) (breaks: $seqbad)" test "$seqbad" -eq 0
    tsbad=$(awk 'NR > 1 && ($5 - t + 4294967296) % 4294967296 != 48 {b++} {t = $5} END {print b + 0}' fields.txt)
    a67_ok "$enc: timestamp +48 per packet (mod 2^32) (breaks: $tsbad)" test "$tsbad" -eq 0
    mk=$(awk 'NR > 1 && ($6 == 1 || $6 == "True") {b++} END {print b + 0}' fields.txt)
    a67_ok "$enc: marker bit never set after the first packet (set on $mk)" test "$mk" -eq 0
    want=$((8 + 12 + 48 * 2 * bits / 8))
    a67_ok "$enc: every UDP datagram is $want bytes (8 + 12 + 48 frames)" \
        test "$(awk -v w="$want" '$7 != w' fields.txt | wc -l)" -eq 0
    echo "# first packet: $(head -1 fields.txt)"
done

interop_done
