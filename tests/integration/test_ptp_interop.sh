#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PTP interop of aes67d with linuxptp's ptp4l (software timestamps, AES67 media profile
# intervals), in network namespaces joined by a veth pair, over UDP/IPv4:
#   1. ptp4l grandmaster -> aes67d slave: SLAVE and locked, the grandmaster is ptp4l's clock,
#      and the mapping's error against the shared host clock is small (namespaces share one
#      clock, so the true offset is 0);
#   2. aes67d grandmaster -> ptp4l slave (-s, free_running): ptp4l follows our clock and
#      measures offsets near zero;
#   3. tshark finds no malformed PTP packet in the capture of both runs.
# Also: the on_lock_change program runs with the lock change as arguments and environment, and
# `aes67 ptp` (text and --json) shows the slave state.
# Every ptp4l runs with free_running 1 (never steers the shared clock) and its own UDS address.
# Usage: test_ptp_interop.sh   (binaries from $AES67_BUILD, else ./build, else out/test/b-gcc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

a67_build_dir src/daemon/aes67d
a67_need ptp4l tshark jq python3

a67_net 2
tmp=$A67_TMP

# status HOST: the "ptp" object of aes67d on HOST.
abs_below() { local v=${1#-}; [ "$v" -lt "$2" ]; }

# --- 1. ptp4l grandmaster, aes67d slave ---
a67_bg h2 150 tshark -q -i eth0 -w "$tmp/cap.pcapng" -f "udp port 319 or udp port 320" \
    >/dev/null 2>&1
cap_pid=$A67_LAST_PID
a67_ptp4l_conf "$tmp/gm.cfg" "$tmp/ptp4l-gm" 100
a67_bg h1 60 ptp4l -S -4 -i eth0 -f "$tmp/gm.cfg" -m -q >"$tmp/gm.log" 2>&1
gm_pid=$A67_LAST_PID
printf '#!/bin/sh\necho "$* $AES67_PTP_LOCKED $AES67_PTP_STATE" >>%s/hook.log\n' "$tmp" >"$tmp/hook.sh"
chmod +x "$tmp/hook.sh"
echo '{"ptp":{"domain":0,"priority1":200,"transport":"udp4","on_lock_change":"'"$tmp"'/hook.sh"}}' >"$tmp/h2.json"
a67_bg h2 60 "$AES67D" -f -i eth0 -c "$tmp/h2.json" -s "$tmp/h2.sock" >"$tmp/h2.log" 2>&1
d2_pid=$A67_LAST_PID
a67_ok "aes67d answers ptp.status" a67_wait_for 5 a67_ptp_status h2
a67_ok "aes67d slave locks to ptp4l within 20 s" a67_wait_for 20 a67_ptp_locked_slave h2
gm_id=$(grep -o "selected local clock [0-9a-f.]*" "$tmp/gm.log" | head -1 | awk '{print $4}')
a67_ok "grandmaster is ptp4l's clock ($gm_id)" test "$(a67_ptp_field h2 .grandmaster)" = "$gm_id"
sleep 5
s=$(a67_ptp_status h2)
echo "# slave status: $(echo "$s" | jq -c '{state,offset_ns,mean_path_delay_ns,rate_ppm,host_offset_ns,time_to_lock_s}')"
# ptp4l on CLOCK_REALTIME announces the ARB timescale and sends UTC ("foreign master not using
# PTP timescale"), so our PTP time is then host TAI - 37 s: compare modulo that offset.
host_off=$(echo "$s" | jq -r '.host_offset_ns + (if .host_offset_ns < -1000000000 then 37000000000 else 0 end)')
a67_ok "mapping error vs the shared clock below 20 us ($host_off ns)" abs_below "$host_off" 20000
a67_ok "path delay measured (> 0 ns)" test "$(echo "$s" | jq -r .mean_path_delay_ns)" -gt 0
a67_ok "Delay_Req sent and answered" test "$(echo "$s" | jq -r .rx.delay_resp)" -gt 10
if [ -x "$AES67" ]; then
    a67_run h2 "$AES67" ptp --control "$tmp/h2.sock" >"$tmp/cli.txt" 2>&1
    a67_ok "aes67 ptp shows SLAVE and the grandmaster" sh -c \
        "grep -q '^state *SLAVE on eth0' '$tmp/cli.txt' && grep -q '^grandmaster *$gm_id' '$tmp/cli.txt'"
    a67_ok "aes67 ptp --json gives the state" test "$(a67_run h2 "$AES67" ptp --json \
        --control "$tmp/h2.sock" | jq -r .state)" = SLAVE
fi
a67_ok "on_lock_change ran: locked $gm_id" grep -q "^locked $gm_id -\?[0-9]* 1 SLAVE$" "$tmp/hook.log"
a67_ok "no transmit stamp lost" test "$(echo "$s" | jq -r .errors.tx_timestamp_lost)" -eq 0
kill "$gm_pid" "$d2_pid" 2>/dev/null
wait "$gm_pid" "$d2_pid" 2>/dev/null

# --- 2. aes67d grandmaster, ptp4l slave ---
echo '{"ptp":{"domain":0,"priority1":100,"transport":"udp4"}}' >"$tmp/h1.json"
a67_bg h1 90 "$AES67D" -f -i eth0 -c "$tmp/h1.json" -s "$tmp/h1.sock" >"$tmp/h1.log" 2>&1
d1_pid=$A67_LAST_PID
a67_ptp4l_conf "$tmp/sl.cfg" "$tmp/ptp4l-sl" 128
a67_bg h2 90 ptp4l -S -4 -s -i eth0 -f "$tmp/sl.cfg" -m -q >"$tmp/sl.log" 2>&1
sl_pid=$A67_LAST_PID
is_master() { [ "$(a67_ptp_field h1 .state)" = "MASTER" ]; }
a67_ok "aes67d becomes grandmaster" a67_wait_for 15 is_master
slave_stats() { [ "$(grep -c " rms " "$tmp/sl.log")" -ge 2 ]; }
a67_ok "ptp4l slave reports offset statistics (2 summaries)" a67_wait_for 60 slave_stats
our_id=$(a67_ptp_field h1 .clock_identity)
a67_ok "ptp4l selected our clock ($our_id)" grep -q "selected best master clock $our_id" "$tmp/sl.log"
a67_ok "ptp4l sees the PTP timescale" sh -c "! grep -q 'not using PTP timescale' '$tmp/sl.log'"
# ptp4l --free_running prints "rms R max M freq ... delay ..." per summary interval; judged on the
# second: the first holds ptp4l's own start (two CI runs: rms 12.0 and 9.6 us in the first window,
# 0.5 us in the second of one of them).
grep " rms " "$tmp/sl.log" | head -2 | sed 's/^.*]: /# ptp4l slave following aes67d: /'
line=$(grep " rms " "$tmp/sl.log" | sed -n 2p)
rms=$(echo "$line" | awk '{for(i=1;i<=NF;i++) if($i=="rms") print $(i+1)}')
mx=$(echo "$line" | awk '{for(i=1;i<=NF;i++) if($i=="max") print $(i+1)}')
a67_ok "ptp4l rms offset below 5 us (second summary: ${rms:-none} ns)" abs_below "${rms:-999999}" 5000
a67_ok "ptp4l max offset below 20 us (second summary: ${mx:-none} ns)" abs_below "${mx:-999999}" 20000
kill "$d1_pid" "$sl_pid" 2>/dev/null
wait "$d1_pid" "$sl_pid" 2>/dev/null

# --- 3. the capture ---
sleep 1
kill -INT "$cap_pid" 2>/dev/null
wait "$cap_pid" 2>/dev/null
n_ptp=$(tshark -r "$tmp/cap.pcapng" -Y ptp 2>/dev/null | wc -l)
n_bad=$(tshark -r "$tmp/cap.pcapng" -Y "_ws.malformed || _ws.expert.severity >= error" 2>/dev/null | wc -l)
a67_ok "capture holds PTP packets ($n_ptp)" test "$n_ptp" -gt 100
a67_ok "tshark: no malformed PTP packet ($n_bad)" test "$n_bad" -eq 0
a67_done
