#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The SDP of a transmit stream follows the PTP grandmaster (RFC 7273 §4.8, AES67-2018 §8.5):
#   1. ptp4l grandmaster on h1 (UDP/IPv4), aes67d on h2 with one TX stream: once locked, the
#      stream's SDP (control `stream.sdp`) carries a=ts-refclk:ptp=IEEE1588-2008:<ptp4l's
#      clockIdentity>:0 and no localmac;
#   2. the grandmaster is killed: aes67d (priority1 200, not slave-only) becomes grandmaster
#      itself after the announce receipt timeout, and the SDP then names aes67d's own clock
#      identity with a higher o= version (the SAP announcer re-announces on the change).
# Every ptp4l runs with free_running 1 (never steers the shared clock) and its own UDS address.
# Usage: test_ptp_sdp.sh   (binaries from $AES67_BUILD, else ./build, else out/test/b-gcc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

a67_build_dir src/daemon/aes67d
a67_need ptp4l jq python3

a67_net 2
tmp=$A67_TMP

field() { a67_ctl h2 "$tmp/h2.sock" '{"cmd":"ptp.status"}' | jq -r ".ptp | $1"; }
sdp() { a67_ctl h2 "$tmp/h2.sock" '{"cmd":"stream.sdp","name":"out"}' | jq -r "$1"; }
# ptp.status writes identities as xxxxxx.xxxx.xxxxxx; the SDP as XX-XX-XX-XX-XX-XX-XX-XX.
sdp_id() { echo "$1" | tr -d . | tr a-f A-F | sed 's/../&-/g; s/-$//'; }
locked_slave() { [ "$(field '.state + " " + (.locked|tostring)')" = "SLAVE true" ]; }
is_master() { [ "$(field .state)" = "MASTER" ]; }
sdp_has() { sdp .sdp | grep -q "$1"; }

a67_ptp4l_conf "$tmp/gm.cfg" "$tmp/ptp4l-gm" 100
a67_bg h1 90 ptp4l -S -4 -i eth0 -f "$tmp/gm.cfg" -m -q >"$tmp/gm.log" 2>&1
gm_pid=$A67_LAST_PID
cat >"$tmp/h2.json" <<EOF
{
  "interface": "eth0",
  "ptp": {"domain": 0, "priority1": 200, "transport": "udp4"},
  "devices": [{"name": "aes67", "playback_channels": 2, "capture_channels": 0, "rate": 48000,
               "ptime_us": 1000}],
  "streams": {"tx": [{"name": "out", "destination": "239.69.11.1", "port": 5004,
                      "encoding": "L24", "rate": 48000, "channels": 2, "ptime_us": 1000,
                      "device": "aes67", "device_channel_offset": 0}]}
}
EOF
a67_bg h2 90 "$AES67D" -f -i eth0 -c "$tmp/h2.json" -s "$tmp/h2.sock" >"$tmp/h2.log" 2>&1
d2_pid=$A67_LAST_PID
a67_ok "aes67d answers ptp.status" a67_wait_for 5 field .state
a67_ok "aes67d slave locks to ptp4l within 20 s" a67_wait_for 20 locked_slave
gm=$(field .grandmaster)
want="a=ts-refclk:ptp=IEEE1588-2008:$(sdp_id "$gm"):0"
a67_ok "SDP names ptp4l's grandmaster ($want)" a67_wait_for 3 sdp_has "$want"
a67_ok "SDP has no localmac while a grandmaster is known" sh -c "! (echo \"$(sdp .sdp)\" | grep -q localmac)"
v1=$(sdp .version)
echo "# time_to_lock_s $(field .time_to_lock_s) lock_after_selection_s $(field .lock_after_selection_s)"

kill "$gm_pid" 2>/dev/null
a67_ok "aes67d becomes grandmaster after ptp4l is gone (20 s)" a67_wait_for 20 is_master
own=$(field .clock_identity)
want2="a=ts-refclk:ptp=IEEE1588-2008:$(sdp_id "$own"):0"
a67_ok "SDP names the new grandmaster ($want2)" a67_wait_for 3 sdp_has "$want2"
v2=$(sdp .version)
a67_ok "o= version went up ($v1 -> $v2)" test "$v2" -gt "$v1"
a67_ok "the old grandmaster is gone from the SDP" sh -c "! (echo \"$(sdp .sdp)\" | grep -q \"$(sdp_id "$gm")\")"

kill "$d2_pid" 2>/dev/null
a67_done
