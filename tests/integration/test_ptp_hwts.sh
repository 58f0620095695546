#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PTP timestamping mode selection (`ptp.timestamping`, docs/ptp.md) on a veth pair, which has
# no PTP hardware clock:
#   1. "auto" (default): aes67d runs with software stamps and says why, in `ptp.status` and in
#      `aes67 ptp`: "software (interface has no PTP hardware clock)";
#   2. "software": software stamps, reason "configured";
#   3. "hardware": aes67d refuses to start, exit status non-zero, with the reason on stderr.
# The hardware path itself cannot be exercised here (no PHC on the test machines).
# Usage: test_ptp_hwts.sh   (binaries: see a67_build_dir in lib.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

a67_build_dir src/daemon/aes67d
a67_need jq python3

a67_net 2
tmp=$A67_TMP

# --- 1. auto ---
echo '{"ptp":{"priority1":200}}' >"$tmp/h1.json"
a67_bg h1 30 "$AES67D" -f -i eth0 -c "$tmp/h1.json" -s "$tmp/h1.sock" >"$tmp/h1.log" 2>&1
d1=$A67_LAST_PID
a67_ok "aes67d answers ptp.status" a67_wait_for 5 a67_ptp_status h1
s=$(a67_ptp_status h1)
echo "# $(echo "$s" | jq -c '{running,timestamping,timestamping_reason,phc_index}')"
a67_ok "auto on veth: software timestamps" test "$(echo "$s" | jq -r .timestamping)" = software
a67_ok "reason: interface has no PTP hardware clock" \
    test "$(echo "$s" | jq -r .timestamping_reason)" = "interface has no PTP hardware clock"
a67_ok "phc_index is -1" test "$(echo "$s" | jq -r .phc_index)" = -1
a67_ok "the log names the mode" grep -q "ptp: software timestamps (interface has no PTP hardware clock)" "$tmp/h1.log"
if [ -x "$AES67" ]; then
    a67_run h1 "$AES67" ptp --control "$tmp/h1.sock" >"$tmp/cli.txt" 2>&1
    a67_ok "aes67 ptp: software (interface has no PTP hardware clock)" \
        grep -q '^timestamping *software (interface has no PTP hardware clock)$' "$tmp/cli.txt"
fi
kill "$d1" 2>/dev/null

# --- 2. software, configured ---
echo '{"ptp":{"timestamping":"software"}}' >"$tmp/h2.json"
a67_bg h2 30 "$AES67D" -f -i eth0 -c "$tmp/h2.json" -s "$tmp/h2.sock" >"$tmp/h2.log" 2>&1
d2=$A67_LAST_PID
a67_ok "software configured: aes67d answers" a67_wait_for 5 a67_ptp_status h2
a67_ok "software configured: reason \"configured\"" test \
    "$(a67_ptp_field h2 '.timestamping + " " + .timestamping_reason')" = "software configured"
kill "$d2" 2>/dev/null

# --- 3. hardware required, not available ---
echo '{"ptp":{"timestamping":"hardware"}}' >"$tmp/h3.json"
a67_run h2 timeout 10 "$AES67D" -f -i eth0 -c "$tmp/h3.json" -s "$tmp/h3.sock" >"$tmp/h3.log" 2>&1
rc=$?
echo "# exit $rc: $(grep -m1 'timestamping' "$tmp/h3.log")"
a67_ok "hardware required: aes67d refuses to start (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
a67_ok "hardware required: stderr gives the reason" \
    grep -q 'hardware timestamping: interface has no PTP hardware clock' "$tmp/h3.log"

a67_done
