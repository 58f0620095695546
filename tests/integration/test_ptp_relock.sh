#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PTP re-lock after both daemons restart together (the intermittent late re-lock of issue 4):
#   h1 aes67d priority1 100 (grandmaster), h2 aes67d slave (slave_only in odd rounds, priority1
#   200 in even rounds, so that both the LISTENING and the MASTER -> SLAVE paths are exercised),
#   UDP/IPv4 over a veth pair, software timestamps. Both hosts share one system clock, so h2's
#   host_offset_ns is the true error of its PTP time.
# Each round kills both daemons (-9), starts both at once and measures the time from the start
# to h2 reporting SLAVE + locked; then, for 4 s of lock, the largest |offset_ns| (servo) and
# |host_offset_ns| (true error), and whether the lock held. Every re-lock must come within 15 s
# of the restart and 3 s of master selection (the issue's lock goal; the daemon's
# lock_after_selection_s, printed every round: a servo
# trained while the master was qualified confirms lock in ~0.4 s, an untrained one takes
# ~1.15 s), and stay within 10 us. Prints every round and the distribution.
# Why 15 s: the protocol alone takes up to ~10.4 s here. h1 waits its announce receipt timeout
# (3 x 2 s plus up to 2 s at random) before it becomes master, and h2 selects it on its 2nd
# Announce 2 s later (IEEE 1588-2008 §9.3.2.5); the servo, trained meanwhile, then confirms lock
# in ~0.4 s. So re-lock takes 8.4..10.4 s plus process start and polling (measured up to
# 10.9 s), and "<= 10 s" cannot hold for every restart (the count is printed). Before the fix
# some restarts took 20..40+ s; 15 s leaves room for a loaded machine's start-up, while the
# servo itself is held to 3 s after selection (0.375 s on a quiet machine; 1.75-2.6 s seen in 2 of
# 8 rounds of a loaded CI run).
# Usage: test_ptp_relock.sh   (rounds: $RELOCK_ROUNDS, default 8, at most 20; binaries from
# $AES67_BUILD, else ./build, else out/test/b-gcc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

a67_build_dir src/daemon/aes67d
a67_need jq python3

ROUNDS=${RELOCK_ROUNDS:-8}
if ! [ "$ROUNDS" -ge 1 ] 2>/dev/null || [ "$ROUNDS" -gt 20 ]; then
    echo "Bail out! RELOCK_ROUNDS must be 1..20"
    exit 1
fi
LOCK_LIMIT_MS=15000
SELECT_LIMIT_S=3.0
OFFSET_LIMIT_NS=10000
HOLD_MS=4000

a67_net 2
tmp=$A67_TMP

echo '{"ptp":{"priority1":100,"transport":"udp4"}}' >"$tmp/h1.json"
echo '{"ptp":{"slave_only":true,"transport":"udp4"}}' >"$tmp/h2-so.json"
echo '{"ptp":{"priority1":200,"transport":"udp4"}}' >"$tmp/h2-p200.json"

# The watcher: polls h2's ptp.status every 50 ms (a Unix socket: nothing goes on the network)
# from T0 (ns, CLOCK_REALTIME) for at most 30 s. Prints "LOCK_MS MAX_OFFSET MAX_HOST HELD SEL"
# where SEL is the daemon's own lock_after_selection_s; LOCK_MS -1 when no lock came.
cat >"$tmp/watch.py" <<'EOF'
# SPDX-License-Identifier: MIT
import json, os, sys, time
sys.path.insert(0, os.environ["A67_TOOLS"])
import a67ctl

sock, t0_ns, hold_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def status():
    try:
        return a67ctl.request(sock, {"cmd": "ptp.status"}, 1).get("ptp")
    except (OSError, ValueError):
        return None


lock_ms, max_off, max_host, held, sel, last = -1, 0, 0, True, None, None
while time.time_ns() - t0_ns < 30e9:
    st = status()
    now_ms = (time.time_ns() - t0_ns) // 1000000
    if st is not None:
        last = st
        on = st.get("state") == "SLAVE" and st.get("locked") is True
        if lock_ms < 0 and on:
            lock_ms = now_ms
            sel = st.get("lock_after_selection_s")
        if lock_ms >= 0:
            if not on:
                held = False
            max_off = max(max_off, abs(st.get("offset_ns") or 0))
            max_host = max(max_host, abs(st.get("host_offset_ns") or 0))
            if now_ms - lock_ms >= hold_ms:
                break
    time.sleep(0.05)
print(lock_ms, max_off, max_host, "held" if held else "lost", -1 if sel is None else sel)
if lock_ms < 0 or not held:
    print(json.dumps(last), file=sys.stderr)
EOF

d1=""
d2=""
stop_both() {
    local p
    for p in $d1 $d2; do
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    d1=""
    d2=""
}

times=()
for r in $(seq 1 "$ROUNDS"); do
    stop_both
    if [ $((r % 2)) -eq 1 ]; then cfg2=h2-so; else cfg2=h2-p200; fi
    rm -f "$tmp/h1.sock" "$tmp/h2.sock"
    t0=$(date +%s%N)
    a67_bg h1 60 "$AES67D" -f -i eth0 -c "$tmp/h1.json" -s "$tmp/h1.sock" >>"$tmp/h1.log" 2>&1
    d1=$A67_LAST_PID
    a67_bg h2 60 "$AES67D" -f -i eth0 -c "$tmp/$cfg2.json" -s "$tmp/h2.sock" >>"$tmp/h2.log" 2>&1
    d2=$A67_LAST_PID
    read -r lock_ms max_off max_host held sel < <(a67_run h2 env A67_TOOLS="$(dirname "$A67_CTL_PY")" python3 "$tmp/watch.py" \
        "$tmp/h2.sock" "$t0" "$HOLD_MS" 2>"$tmp/last.json")
    echo "# round $r ($cfg2): lock after ${lock_ms} ms (${sel} s after selection), then ${HOLD_MS} ms: max |offset| $max_off ns, max |host_offset| $max_host ns, lock $held"
    if [ "$lock_ms" -lt 0 ] || [ "$held" != held ]; then
        echo "#   h2 ptp: $(head -c 900 "$tmp/last.json")"
    fi
    times+=("$lock_ms")
    a67_ok "round $r: h2 re-locks within $LOCK_LIMIT_MS ms ($lock_ms ms)" \
        test "$lock_ms" -ge 0 -a "$lock_ms" -le "$LOCK_LIMIT_MS"
    a67_ok "round $r: lock ${sel} s after selection (trained: <= $SELECT_LIMIT_S s)" \
        awk -v s="$sel" -v l="$SELECT_LIMIT_S" 'BEGIN { exit !(s >= 0 && s <= l) }'
    a67_ok "round $r: lock holds for $HOLD_MS ms with |offset| $max_off, |host_offset| $max_host < $OFFSET_LIMIT_NS ns" \
        test "$held" = held -a "$max_off" -lt "$OFFSET_LIMIT_NS" -a "$max_host" -lt "$OFFSET_LIMIT_NS"
done
stop_both
echo "# lock times (ms): $(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')"
echo "# within 10 s: $(printf '%s\n' "${times[@]}" | awk '$1 >= 0 && $1 <= 10000' | wc -l) of $ROUNDS"
a67_done
