# SPDX-License-Identifier: MIT
# Small library for integration tests that run real peers in network namespaces, following
# /work/shared/TESTBED.md: hosts are netns named a67-<pid>-hN (unique per run), joined by veth
# pairs (2 hosts) or a bridge in its own namespace (3+ hosts), addressed in 198.51.100.0/24, with
# lo up and 224.0.0.0/4 routed to eth0. Nothing is ever sent from the root namespace. A trap kills
# every PID started through this library and deletes the namespaces on EXIT, INT and TERM, also
# when a test fails half way.
#
# Use:  . "$(dirname "$0")/lib.sh"; a67_require_root; a67_hosts 2; a67_bg h1 10 cmd...; a67_ok ...
# Sourced by bash scripts only.

A67_PREFIX="a67-$$"
A67_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
A67_CTL_PY="$A67_LIB_DIR/../tools/a67ctl.py" # one control request; importable (request())
A67_NS=()       # namespaces created, deleted on exit
A67_PIDS=()     # background PIDs, killed on exit
A67_TMP=""      # per-run scratch directory, removed on exit
A67_PASS=0
A67_FAIL=0
A67_N=0

a67_cleanup() {
    local rc=$?
    local p ns
    {
        for p in "${A67_PIDS[@]}"; do
            # Children first: a watchdog subshell's `sleep` would outlive it holding every
            # fd it inherited (a caller's flock on a shared lock among them).
            pkill -KILL -P "$p"
            kill -KILL "$p"
        done
        for p in "${A67_PIDS[@]}"; do
            wait "$p"
        done
    } 2>/dev/null
    for ns in "${A67_NS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    if [ -n "$A67_TMP" ] && [ -d "$A67_TMP" ]; then
        rm -rf "$A67_TMP"
    fi
    return $rc
}
trap a67_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

a67_require_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP needs root for network namespaces"
        exit 0
    fi
}

# a67_tmpdir: creates (once) this run's scratch directory and sets A67_TMP to it. Call it
# directly, not as $(a67_tmpdir): a command substitution's subshell would lose A67_TMP and the
# directory would outlive the run.
a67_tmpdir() {
    if [ -z "$A67_TMP" ]; then
        A67_TMP=$(mktemp -d "/tmp/${A67_PREFIX}.XXXXXX") || exit 1
    fi
}

# a67_ns NAME: the full namespace name of host NAME (h1, h2, ...).
a67_ns() {
    echo "${A67_PREFIX}-$1"
}

# a67_hosts N: create hosts h1..hN; hK has eth0 = 198.51.100.K/24.
a67_hosts() {
    local n=$1 i ns sw
    if [ "$n" -lt 1 ] || [ "$n" -gt 200 ]; then
        echo "a67_hosts: 1..200 hosts" >&2
        return 1
    fi
    for i in $(seq 1 "$n"); do
        ns=$(a67_ns "h$i")
        ip netns add "$ns" || return 1
        A67_NS+=("$ns")
        ip -n "$ns" link set lo up
    done
    if [ "$n" -eq 2 ]; then
        ip link add eth0 netns "$(a67_ns h1)" type veth peer name eth0 netns "$(a67_ns h2)" || return 1
    elif [ "$n" -gt 2 ] || [ "$n" -eq 1 ]; then
        sw=$(a67_ns sw)
        ip netns add "$sw" || return 1
        A67_NS+=("$sw")
        ip -n "$sw" link set lo up
        ip -n "$sw" link add br0 type bridge mcast_snooping 1 || return 1
        ip -n "$sw" link set br0 up
        for i in $(seq 1 "$n"); do
            ip link add eth0 netns "$(a67_ns "h$i")" type veth peer name "p$i" netns "$sw" || return 1
            ip -n "$sw" link set "p$i" master br0
            ip -n "$sw" link set "p$i" up
        done
    fi
    for i in $(seq 1 "$n"); do
        ns=$(a67_ns "h$i")
        ip -n "$ns" addr add "198.51.100.$i/24" dev eth0 || return 1
        ip -n "$ns" link set eth0 up
        ip -n "$ns" route add 224.0.0.0/4 dev eth0 || return 1
    done
}

# a67_run HOST CMD...: run a command in a host's namespace, in the foreground.
a67_run() {
    local h=$1
    shift
    ip netns exec "$(a67_ns "$h")" "$@"
}

# a67_bg HOST SECONDS CMD...: start CMD in HOST in the background, killed after SECONDS at the
# latest and on exit. Sets A67_LAST_PID to the command's own PID (ip netns exec execs it, so
# signals sent to that PID reach the command, not a wrapper); a watchdog enforces the limit.
a67_bg() {
    local h=$1 secs=$2 pid
    shift 2
    ip netns exec "$(a67_ns "$h")" "$@" &
    pid=$!
    A67_LAST_PID=$pid
    A67_PIDS+=("$pid")
    (sleep "$secs"; kill -KILL "$pid" 2>/dev/null) >/dev/null 2>&1 &
    A67_PIDS+=("$!")
}

# a67_wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds or time runs out.
a67_wait_for() {
    local secs=$1 end
    shift
    end=$(( $(date +%s%N) + secs * 1000000000 ))
    while [ "$(date +%s%N)" -lt "$end" ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# TAP-style reporting. a67_ok DESCRIPTION CMD...: pass if CMD succeeds.
a67_ok() {
    local desc=$1
    shift
    A67_N=$((A67_N + 1))
    if "$@"; then
        A67_PASS=$((A67_PASS + 1))
        echo "ok $A67_N - $desc"
    else
        A67_FAIL=$((A67_FAIL + 1))
        echo "not ok $A67_N - $desc"
        return 1 # so a caller can add diagnostics: a67_ok … || echo "# …"
    fi
}

# a67_done: print the plan and exit 1 if anything failed.
a67_done() {
    echo "1..$A67_N"
    echo "# pass $A67_PASS fail $A67_FAIL"
    [ "$A67_FAIL" -eq 0 ]
}

# --- PTP helpers (owner: ptp) ---
# a67_ctl HOST SOCKET JSON: one control-socket request to aes67d, prints the one-line answer.
a67_ctl() {
    a67_run "$1" python3 "$A67_CTL_PY" "$2" "$3"
}

# a67_ptp4l_conf FILE UDS PRIORITY1 [EXTRA LINES...]: a ptp4l config with the AES67 media
# profile intervals, --free_running (never steer the shared clock) and its own UDS address.
a67_ptp4l_conf() {
    local f=$1 uds=$2 p1=$3
    shift 3
    {
        echo "[global]"
        echo "priority1 $p1"
        echo "domainNumber 0"
        echo "logAnnounceInterval 1"
        echo "logSyncInterval -3"
        echo "logMinDelayReqInterval -3"
        echo "announceReceiptTimeout 3"
        echo "free_running 1"
        echo "uds_address $uds"
        echo "summary_interval 0"
        for l in "$@"; do echo "$l"; done
    } >"$f"
}

# --- Build and set-up helpers (owner: clean) ---
# a67_build_dir FILE...: find the meson build dir whose binaries the test runs and set B to its
# absolute path, AES67D and AES67 to the daemon and the CLI in it. With $AES67_BUILD set, only that
# dir; else ./build of this checkout, else out/test/b-gcc (what scripts/test.sh builds). Each FILE
# (a path inside the build dir, e.g. src/daemon/aes67d) must exist there. Bails out (exit 1) when
# no candidate has them all.
a67_build_dir() {
    local root d f ok dirs
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    if [ -n "${AES67_BUILD:-}" ]; then
        dirs=("$AES67_BUILD")
    else
        dirs=("$root/build" "$root/out/test/b-gcc")
    fi
    for d in "${dirs[@]}"; do
        ok=1
        for f in "$@"; do
            [ -e "$d/$f" ] || ok=0
        done
        if [ "$ok" = 1 ] && [ -d "$d" ]; then
            B=$(cd "$d" && pwd)
            # shellcheck disable=SC2034 # used by the scripts that source this file
            AES67D=$B/src/daemon/aes67d
            # shellcheck disable=SC2034
            AES67=$B/src/cli/aes67
            return 0
        fi
    done
    echo "Bail out! no build dir with $* (tried ${dirs[*]}; set AES67_BUILD to a meson build dir)"
    exit 1
}

# a67_need TOOL...: bail out (exit 1) unless every TOOL is on PATH.
a67_need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null || { echo "Bail out! needs $t"; exit 1; }
    done
}

# a67_net N: a67_hosts N, or "Bail out!" (exit 1) when the namespaces cannot be made; then this
# run's scratch directory (a67_tmpdir, A67_TMP).
a67_net() {
    a67_hosts "$1" || { echo "Bail out! cannot create namespaces"; exit 1; }
    a67_tmpdir
}

# a67_asound_conf FILE DEV_SOCKET [args]: an ALSA configuration with the aes67 plugin of the build
# ($B) and pcm.aes67 on the device socket DEV_SOCKET of an aes67d. With "args", pcm.aes67 takes
# the argument DEV (aes67:DEV=NAME picks the daemon's device NAME; default: its first).
a67_asound_conf() {
    echo "pcm_type.aes67 { lib \"$B/src/alsa/libasound_module_pcm_aes67.so\" }" >"$1"
    if [ "${3:-}" = args ]; then
        cat >>"$1" <<EOF
pcm.aes67 {
    @args [ DEV ]
    @args.DEV { type string default "" }
    type aes67
    device \$DEV
    socket "$2"
}
EOF
    else
        echo "pcm.aes67 { type aes67 socket \"$2\" }" >>"$1"
    fi
}

# a67_daemon HOST SECONDS CTL_SOCKET LOG [ARG...]: start $AES67D on HOST's eth0 in the
# foreground mode with control socket CTL_SOCKET (stale sockets removed first) and any further
# ARGs, appending its output to LOG, killed after SECONDS at the latest (a67_bg; A67_LAST_PID is
# the daemon). Succeeds once its device socket (CTL_SOCKET with .sock -> .dev.sock) exists, within
# 5 s; fails otherwise.
a67_daemon() {
    local h=$1 secs=$2 sock=$3 log=$4
    shift 4
    rm -f "$sock" "${sock%.sock}.dev.sock"
    a67_bg "$h" "$secs" "$AES67D" -f -i eth0 -s "$sock" "$@" >>"$log" 2>&1
    a67_wait_for 5 test -S "${sock%.sock}.dev.sock"
}

# a67_ptp_status HOST: the "ptp" object of `ptp.status` (compact JSON) from the aes67d on HOST
# whose control socket is $A67_TMP/HOST.sock. Needs jq.
a67_ptp_status() {
    a67_ctl "$1" "$A67_TMP/$1.sock" '{"cmd":"ptp.status"}' | jq -c .ptp
}

# a67_ptp_field HOST JQ_FILTER: one field of a67_ptp_status HOST, raw.
a67_ptp_field() {
    a67_ptp_status "$1" | jq -r "$2"
}

# a67_ptp_locked_slave HOST: true when the aes67d on HOST is a SLAVE with its servo locked.
a67_ptp_locked_slave() {
    [ "$(a67_ptp_field "$1" '.state + " " + (.locked|tostring)')" = "SLAVE true" ]
}
