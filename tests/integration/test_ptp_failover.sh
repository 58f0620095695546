#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PTP over layer 2 (IEEE 1588-2008 Annex F, ethertype 0x88F7) with three hosts on a bridge:
#   h1 ptp4l -2 priority1 100 (grandmaster), h2 aes67d transport l2 priority1 120,
#   h3 ptp4l -2 -s (slave-only observer, free_running).
#   1. all agree on h1 as grandmaster; aes67d locks to it over L2;
#   2. h1 is killed: aes67d takes over as grandmaster within the announce receipt timeout
#      (3 x 2 s) plus qualification and settling (limit 15 s), and ptp4l on h3 follows it;
#   3. tshark finds no malformed PTP frame.
# Every ptp4l runs with free_running 1 and its own UDS address.
# Usage: test_ptp_failover.sh   (binaries from $AES67_BUILD, else ./build, else out/test/b-gcc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

a67_build_dir src/daemon/aes67d
a67_need ptp4l tshark jq python3

a67_net 3
tmp=$A67_TMP

is_master() { [ "$(a67_ptp_field "$1" .state)" = "MASTER" ]; }

a67_bg h3 120 tshark -q -i eth0 -w "$tmp/cap.pcapng" -f "ether proto 0x88f7" >/dev/null 2>&1
cap_pid=$A67_LAST_PID
a67_ptp4l_conf "$tmp/gm.cfg" "$tmp/ptp4l-gm" 100
a67_bg h1 100 ptp4l -S -2 -i eth0 -f "$tmp/gm.cfg" -m -q >"$tmp/gm.log" 2>&1
gm_pid=$A67_LAST_PID
echo '{"ptp":{"priority1":120,"transport":"l2"}}' >"$tmp/h2.json"
a67_bg h2 100 "$AES67D" -f -i eth0 -c "$tmp/h2.json" -s "$tmp/h2.sock" >"$tmp/h2.log" 2>&1
a67_ptp4l_conf "$tmp/ob.cfg" "$tmp/ptp4l-ob" 128
a67_bg h3 100 ptp4l -S -2 -s -i eth0 -f "$tmp/ob.cfg" -m -q >"$tmp/ob.log" 2>&1

# 1. one grandmaster
a67_ok "aes67d (L2) locks to the ptp4l grandmaster within 25 s" a67_wait_for 25 a67_ptp_locked_slave h2
gm_id=$(grep -o "selected local clock [0-9a-f.]*" "$tmp/gm.log" | head -1 | awk '{print $4}')
our_id=$(a67_ptp_field h2 .clock_identity)
a67_ok "aes67d follows h1 ($gm_id)" test "$(a67_ptp_field h2 .grandmaster)" = "$gm_id"
# ptp4l prints its choice only after its own qualification (two Announces), which can come after
# aes67d has locked: wait for it rather than sample once.
a67_ok "observer ptp4l follows h1 too" a67_wait_for 15 grep -q "selected best master clock $gm_id" "$tmp/ob.log"
a67_ok "aes67d is not a second master" sh -c "! grep -q 'selected best master clock $our_id' '$tmp/ob.log'"
echo "# before failover: $(a67_ptp_status h2 | jq -c '{state,offset_ns,mean_path_delay_ns,host_offset_ns}')"

# 2. failover
kill -KILL "$gm_pid"
t0=$(date +%s%N)
a67_ok "aes67d becomes grandmaster after h1 dies (15 s limit)" a67_wait_for 15 is_master h2
t1=$(date +%s%N)
echo "# failover took $(( (t1 - t0) / 1000000 )) ms (announce receipt timeout 6 s)"
a67_ok "failover not before the announce timeout (> 4 s)" test $(( (t1 - t0) / 1000000 )) -gt 4000
obs_follows() { grep -q "selected best master clock $our_id" "$tmp/ob.log"; }
a67_ok "observer ptp4l now follows aes67d ($our_id)" a67_wait_for 10 obs_follows
a67_ok "aes67d reports itself as grandmaster" test "$(a67_ptp_field h2 .grandmaster)" = "$our_id"

# 3. capture
sleep 2
kill -INT "$cap_pid" 2>/dev/null
wait "$cap_pid" 2>/dev/null
n_ptp=$(tshark -r "$tmp/cap.pcapng" -Y ptp 2>/dev/null | wc -l)
n_bad=$(tshark -r "$tmp/cap.pcapng" -Y "_ws.malformed || _ws.expert.severity >= error" 2>/dev/null | wc -l)
mac2=$(a67_run h2 cat /sys/class/net/eth0/address)
n_ours=$(tshark -r "$tmp/cap.pcapng" -Y "ptp && eth.src == $mac2" 2>/dev/null | wc -l)
a67_ok "capture holds PTP frames ($n_ptp, $n_ours from aes67d)" test "$n_ours" -gt 20
a67_ok "tshark: no malformed PTP frame ($n_bad)" test "$n_bad" -eq 0
a67_done
