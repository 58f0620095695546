#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PTP benchmark: aes67d's slave beside linuxptp's own slave, in the same run, against one ptp4l
# grandmaster on the same veth (layer 2, software timestamps, AES67 media profile intervals:
# Sync 8/s, Announce 1/2 s, Delay_Req 8/s).
#   h1: ptp4l -2 -S grandmaster (free_running)
#   h2: aes67d transport l2 slave_only   +   ptp4l -2 -S -s (free_running) on the same eth0
# Namespaces share one system clock, so the true offset between the hosts is zero and a slave's
# estimated time minus the host clock is its error:
#   aes67d: host_offset_ns of `ptp.status` (mapping minus host TAI; the 37 s ARB/UTC offset of
#           ptp4l's system-clock grandmaster removed), sampled every 125 ms;
#   ptp4l:  its per-Sync "master offset" (summary_interval -3), the offset it would correct.
# Time to lock, counted from the grandmaster's first Sync (its "to MASTER" log line; ptp4l logs
# CLOCK_MONOTONIC, as aes67d's first_lock_monotonic_s) and from master selection (UNCALIBRATED).
# ptp4l with free_running never locks a servo: its figure is the first offset it reports. The
# default, steering ptp4l of the ~18 s anchor is not run: it would steer the shared clock.
# Usage: bench/bench_ptp.sh [SECONDS]   (root; binaries from $AES67_BUILD, else ./build, else
# out/test/b-gcc). Prints a Markdown table row set for docs/benchmarks.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/integration/lib.sh"
a67_require_root
SECS=${1:-60}
a67_build_dir src/daemon/aes67d

a67_hosts 2 || exit 1
a67_tmpdir
tmp=$A67_TMP
status() { a67_ctl h2 "$tmp/h2.sock" '{"cmd":"ptp.status"}' | jq -c .ptp; }
locked() { [ "$(status | jq -r .locked)" = true ]; }

a67_ptp4l_conf "$tmp/gm.cfg" "$tmp/ptp4l-gm" 100
a67_ptp4l_conf "$tmp/sl.cfg" "$tmp/ptp4l-sl" 128 "summary_interval -3"
echo '{"ptp":{"slave_only":true,"transport":"l2"}}' >"$tmp/h2.json"
t_start=$(date +%s.%N)
a67_bg h2 $((SECS + 90)) "$AES67D" -f -i eth0 -c "$tmp/h2.json" \
    -s "$tmp/h2.sock" >"$tmp/h2.log" 2>&1
a67_bg h2 $((SECS + 90)) ptp4l -S -2 -s -i eth0 -f "$tmp/sl.cfg" -m -q >"$tmp/sl.log" 2>&1
sleep 1
a67_bg h1 $((SECS + 90)) ptp4l -S -2 -i eth0 -f "$tmp/gm.cfg" -m -q >"$tmp/gm.log" 2>&1
a67_wait_for 60 locked || { echo "aes67d did not lock" >&2; exit 1; }
st=$(status)
ttl=$(echo "$st" | jq -r .time_to_lock_s)
sel=$(echo "$st" | jq -r .lock_after_selection_s)
our_lock_t=$(echo "$st" | jq -r .first_lock_monotonic_s)
# One poller process in h2 (no process start per sample): ptp.status every 125 ms.
a67_run h2 env A67_TOOLS="$(dirname "$A67_CTL_PY")" python3 -c '
import os, sys, time
sys.path.insert(0, os.environ["A67_TOOLS"])
import a67ctl
end = time.time() + float(sys.argv[2])
while time.time() < end:
    v = a67ctl.request(sys.argv[1], {"cmd": "ptp.status"}, 2)["ptp"]["host_offset_ns"]
    if v < -1000000000:
        v += 37000000000  # ptp4l on CLOCK_REALTIME sends UTC (ARB timescale)
    print(v, flush=True)
    time.sleep(0.125)
' "$tmp/h2.sock" "$SECS" >"$tmp/ours"
# ptp4l: time of UNCALIBRATED (first Sync follows within 125 ms) to the first offset line; then
# the offsets of the last SECS seconds.
t_of() { grep -m1 "$1" "$2" | sed 's/^ptp4l\[\([0-9.]*\)\].*/\1/'; }
gm_master=$(t_of "to MASTER" "$tmp/gm.log")   # the grandmaster's first Sync follows at once
p_unc=$(t_of "to UNCALIBRATED" "$tmp/sl.log")
p_first=$(t_of "master offset" "$tmp/sl.log")
grep "master offset" "$tmp/sl.log" | tail -n $((SECS * 8)) |
    awk '{for(i=1;i<=NF;i++) if($i=="offset") print $(i+1)}' >"$tmp/theirs"

mkdir -p /tmp/ptpd-bench-last && cp "$tmp"/*.log "$tmp/ours" "$tmp/theirs" /tmp/ptpd-bench-last/
stats() { # FILE -> "n rms p99(|x|) max(|x|)"
    awk '{x=$1; print (x<0?-x:x), x*x}' "$1" | sort -g |
        awk '{v[NR]=$1; s+=$2} END {n=NR; k=int(n*0.99); if (k<1) k=1;
             printf "%d %.0f %.0f %.0f\n", n, sqrt(s/n), v[k], v[n]}'
}
read -r n1 rms1 p991 max1 <<<"$(stats "$tmp/ours")"
read -r n2 rms2 p992 max2 <<<"$(stats "$tmp/theirs")"
p_lock=$(awk -v a="${p_unc:-0}" -v b="${p_first:-0}" 'BEGIN {printf "%.2f", b - a}')
p_gm=$(awk -v a="${gm_master:-0}" -v b="${p_first:-0}" 'BEGIN {printf "%.2f", b - a}')
o_gm=$(awk -v a="${gm_master:-0}" -v b="${our_lock_t:-0}" 'BEGIN {printf "%.2f", b - a}')
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -r) $(nproc) cores; $SECS s; L2 veth, sw timestamps"
echo "| slave | from GM's first Sync | from master selection | samples | rms | p99 | max |"
echo "|---|---|---|---|---|---|---|"
printf "| aes67d, mapping error vs host clock | lock %.2f s (own count: %.2f s) | lock %.2f s | %d | %s ns | %s ns | %s ns |\n" \
    "$o_gm" "$ttl" "$sel" "$n1" "$rms1" "$p991" "$max1"
echo "| ptp4l --free_running, master offset | first offset $p_gm s | first offset $p_lock s | $n2 | $rms2 ns | $p992 ns | $max2 ns |"
