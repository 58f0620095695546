#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A/B of the RX thread's CPU, split into user space and kernel: for each build given, one
# bench_engine.sh aes67d stage (16 rx streams of 8 ch L24/48 kHz at $PT µs, default 1000) runs,
# and perf samples h2's aes67d-rx thread (cpu-clock, 4999 Hz) for 8 s inside its window. The
# builds alternate $N times (default 3), so that the machine's drift hits both alike; compare
# medians. Prints one line per sample: thread and user-space CPU in % of one core.
# Needs root and perf (Debian: linux-perf). Results: docs/bench-engine.md ("Fourth session").
# Usage: [N=3] [PT=1000] bench/bench_rx_perf.sh BUILD_A BUILD_B ...
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD..." >&2; exit 2; }
command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for _ in $(seq "${N:-3}"); do
	for b in "$@"; do
		STAGES=aes67d PTIMES=${PT:-1000} RUNS=1 "$here/bench_engine.sh" "$b" 14 >"$tmp/bench.out" 2>&1 &
		bp=$!
		sleep 9
		h2=
		for p in $(pgrep -x aes67d); do
			tr '\0' ' ' <"/proc/$p/cmdline" | grep -q "/h2\.sock" && h2=$p
		done
		tid=$(grep -l '^aes67d-rx$' /proc/"${h2:-0}"/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5)
		if [ -z "$tid" ]; then # builds before the threads had names: the busiest thread
			best=-1
			for t in /proc/"${h2:-0}"/task/*; do
				u=$(awk '{print $14 + $15}' "$t/stat")
				[ "$u" -gt "$best" ] && best=$u && tid=${t##*/}
			done
		fi
		if [ -z "$tid" ]; then
			echo "$b: no aes67d on h2 (see $tmp/bench.out)"
		else
			perf record -q -e cpu-clock -F 4999 -t "$tid" -o "$tmp/p.data" -- sleep 8 >/dev/null 2>&1
			perf script -i "$tmp/p.data" -F ip 2>/dev/null | awk -v b="$b" '
				{ n++; if (substr($1, 1, 4) == "ffff") k++ }
				END { printf "%s: thread %.1f %%, user space %.1f %% of a core (%d samples)\n",
				      b, n * 100 / (8 * 4999), (n - k) * 100 / (8 * 4999), n }'
		fi
		wait "$bp"
	done
done
