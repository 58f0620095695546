#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tshark dissects the SAP packets aes67d's announcer sends: tests/data/sap_daemon/sap-tx-l24.pcap
# holds the golden announcement and deletion (make_golden.py) that the unit suite sap_daemon
# proves the C announcer produces byte for byte. Checks: no malformed packet; SAP fields (version,
# type, origin, payload type) and SDP fields (session name, connection, rtpmap) decode. Reads a
# file only: sends nothing, needs no namespace.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
pcap=$here/../data/sap_daemon/sap-tx-l24.pcap
command -v tshark >/dev/null || { echo "1..0 # SKIP tshark is not installed"; exit 0; }
[ -r "$pcap" ] || { echo "Bail out! $pcap missing (run make_golden.py)"; exit 1; }

ts() { tshark -n -r "$pcap" "$@" 2>/dev/null; }
a67_ok "two packets, both dissected as SAP" test "$(ts -Y sap | wc -l)" -eq 2
a67_ok "no malformed packet" test -z "$(ts -Y _ws.malformed)"
a67_ok "no expert warnings or errors" test -z "$(ts -Y '_ws.expert.severity >= 6291456')"
fields=$(ts -T fields -E separator='|' -e sap.flags.v -e sap.flags.t -e sap.originating_source \
    -e sap.payload_type -e sdp.session_name -e sdp.connection_info.address -e sdp.connection_info.ttl \
    -e sdp.mime.type -e sdp.sample_rate)
sed "s/^/# /" <<<"$fields"
a67_ok "announcement: SAPv1, T=0, origin, application/sdp, SDP decoded" \
    grep -qx '1|0|198.51.100.1|application/sdp|aes67d tx one|239.69.1.1|32|L24|48000' <<<"$(sed -n 1p <<<"$fields")"
a67_ok "deletion: T=1, same origin and SDP" \
    grep -qx '1|1|198.51.100.1|application/sdp|aes67d tx one|239.69.1.1|32|L24|48000' <<<"$(sed -n 2p <<<"$fields")"
a67_ok "same message id hash in both" test "$(ts -T fields -e sap.message_identifier_hash | sort -u | wc -l)" -eq 1
a67_done
