#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerates the seed corpus of fuzz_ptp_port from the PTP message seeds in ../ptp: each seed
# is a script of records [op][delta_10ms][len][bytes] (see tests/fuzz/fuzz_ptp_port.c).
# Usage: sh tests/fuzz/corpus/ptp_port/gen.sh   (from anywhere; overwrites the seeds)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../ptp"
# rec OP DELTA FILE: one record carrying FILE (at most 255 bytes).
rec() {
    n=$(wc -c <"$3")
    [ "$n" -le 255 ] || n=255
    printf "\\$(printf %o "$1")\\$(printf %o "$2")\\$(printf %o "$n")"
    head -c "$n" "$3"
}
tick() { printf "\\003\\$(printf %o "$1")\\000"; }
for m in announce sync_2step follow_up delay_resp delay_req management signaling tlv_overrun; do
    # event channel for event messages, general for the others
    case $m in sync_2step|delay_req) ch=0 ;; *) ch=1 ;; esac
    { rec "$ch" 1 "$src/$m"; tick 100; } >"$here/single_$m"
done
# A master's conversation: three Announces, then Sync/Follow_Up pairs and a Delay_Resp,
# with ticks in between (slave-only variant sets bit 7 of the first op).
{
    for i in 1 2 3; do rec 1 100 "$src/announce"; done
    for i in 1 2 3 4; do rec 0 12 "$src/sync_2step"; rec 1 0 "$src/follow_up"; tick 1; done
    rec 4 0 "$src/empty"; rec 1 1 "$src/delay_resp"; tick 200
} >"$here/master_conversation"
{
    printf '\200\001\000'
    cat "$here/master_conversation"
} >"$here/master_conversation_slave_only"
{ rec 2 1 "$src/announce"; rec 2 1 "$src/sync_2step"; tick 250; } >"$here/l2_channel"
{ tick 250; tick 250; rec 4 0 "$src/empty"; tick 250; } >"$here/grandmaster_ticks"
