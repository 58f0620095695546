#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes the hand-made edge-case seeds of the SDP fuzzer (tests/fuzz/corpus/sdp/edge-*.sdp).
# The other seeds are copies of shared/data/sdp/*.sdp. Run from the repository root:
#   sh tests/data/sdp/make_fuzz_seeds.sh
set -eu
out=tests/fuzz/corpus/sdp
hdr='v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=x\r\nt=0 0\r\n'
aud='m=audio 5004 RTP/AVP 96\r\nc=IN IP4 239.1.2.3/32\r\na=rtpmap:96 L24/48000/2\r\n'

printf "${hdr}a=group:DUP a b\r\na=recvonly\r\na=clock-domain:PTPv2 0\r\na=ts-refclk:ptp=IEEE1588-2019:00-1D-C1-FF-FE-50-36-33:127\r\na=mediaclk:direct=0\r\n${aud}a=ptime:0.333\r\na=maxptime:4\r\na=framecount:16\r\na=sync-time:5\r\na=mid:a\r\nm=audio 5006 RTP/AVP 97\r\nc=IN IP4 239.1.2.4/32/2\r\na=rtpmap:97 AM824/96000/2\r\na=fmtp:97 channel-order=SMPTE2110.(AES3)\r\na=ptime:0.125\r\na=mid:b\r\n" >"$out/edge-dup-group.sdp"
printf "${hdr}m=audio 5004/2 RTP/AVP 96 97 98 99 100 101 102 103\r\nc=IN IP6 ff3e::1/3\r\na=rtpmap:96 l16/44100\r\na=rtpmap:97 L32/192000/64\r\na=source-filter: excl IN * * 2001:db8::1 2001:db8::2\r\na=ptime:1.08843537415\r\n" >"$out/edge-ipv6-many-pt.sdp"
printf "${hdr}${aud}a=ts-refclk:localmac=7C-E9-D3-1B-9A-AF\r\na=ts-refclk:ntp=/traceable/\r\na=ts-refclk:gps\r\na=ts-refclk:vendor=x\r\na=mediaclk:id=abc IEEE1722=38-D6-6D-8E-D2-78-13-2F\r\n" >"$out/edge-refclk-kinds.sdp"
printf "${hdr}${aud}a=ts-refclk:ptp=IEEE1588-2008:traceable\r\na=mediaclk:direct=4294967295 rate=1000/1001\r\na=channel-order:SMPTE2110.(ST,M)\r\na=sendrecv\r\n" >"$out/edge-traceable-rate.sdp"
printf "v=0\n    o=- 18446744073709551615 0 IN IP4 host.example\ns=\nc=IN IP4 239.0.0.1/255/65535\nt=0 0\n\n${aud}a=mediaclk:some thing else\na=inactive  \n   " >"$out/edge-whitespace.sdp"
printf "${hdr}m=audio 1 RTP/AVP 1\r\nm=audio 2 RTP/AVP 2\r\nm=audio 3 RTP/AVP 3\r\nm=audio 4 RTP/AVP 4\r\nm=audio 5 RTP/AVP 5\r\nm=audio 6 RTP/AVP 6\r\nm=audio 7 RTP/AVP 7\r\nm=audio 8 RTP/AVP 8\r\n" >"$out/edge-eight-media.sdp"
printf "${hdr}${aud}a=ts-refclk:ptp=IEEE1588-2008:00-11-22-33-44-55-66-77:256\r\n" >"$out/edge-bad-domain.sdp"
printf "${hdr}${aud}a=ptime:4294.967295\r\na=rtpmap:97 ABCDEFGHIJKLMNO/1/1024\r\n" >"$out/edge-limits.sdp"
