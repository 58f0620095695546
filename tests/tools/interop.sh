# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared shell helpers of the interop and fault-injection tests (tests/integration/test_interop_*.sh,
# test_faults_*.sh; docs/interop.md). Sourced after tests/integration/lib.sh, which owns the
# namespaces, the PID bookkeeping and the cleanup trap. This file adds: finding our binaries,
# making test audio with sox, GStreamer peers that send and receive files, `aes67 recv` with its
# JSON statistics, and the bit-exact comparison through tests/tools/pcmcmp.
#
# Stand-in mode: INTEROP_STANDIN=gst replaces `aes67 send` / `aes67 recv` by GStreamer pipelines,
# to validate a test script itself against known-good peers (counter checks are then skipped).

# Used by the scripts that source this file:
# shellcheck disable=SC2034
INTEROP_GROUP=239.69.1.1
# shellcheck disable=SC2034
INTEROP_PORT=5004
INTEROP_STANDIN=${INTEROP_STANDIN:-}
# Link offset for `aes67 recv` in the interop and fault tests: peers that are not PTP-locked
# (GStreamer, ffmpeg) send with scheduling jitter of several ms, and this shared VM stops for
# 20-40 ms at times (CI attempts measured delay_max_frames up to 1 932). These tests check data
# and counters, not latency (bench/bench_latency.sh and test_alsa_e2e do), so 100 ms.
INTEROP_LINK_US=${INTEROP_LINK_US:-100000}

# interop_init [VERB...]: as root only (else a TAP skip), find the build (a67_build_dir:
# AES67_BUILD, ./build, out/test/b-gcc) and the tools in it, make the scratch directory and cd
# into it; then interop_need each VERB. Bails out (exit 1) if the test tools are missing.
interop_init() {
    a67_require_root
    a67_build_dir tests/tools/pcmcmp
    IBUILD=$B
    # shellcheck disable=SC2034 # used by test_faults_impair.sh
    IMPAIR="$IBUILD/tests/tools/impair"
    PCMCMP="$IBUILD/tests/tools/pcmcmp"
    local t
    for t in sox gst-launch-1.0 python3; do
        command -v "$t" >/dev/null || { echo "Bail out! $t is not installed (scripts/deps.sh --all)"; exit 1; }
    done
    a67_tmpdir
    cd "$A67_TMP" || exit 1
    echo "# build: $IBUILD${INTEROP_STANDIN:+ (stand-in: $INTEROP_STANDIN)}"
    for t in "$@"; do
        interop_need "$t"
    done
}

# interop_skip REASON: report a skip (exit 77) — used when our tools cannot do a thing yet.
interop_skip() {
    echo "SKIP: $*"
    exit 77
}

# interop_need VERB: our CLI must have VERB (unless a stand-in replaces it), else skip.
interop_need() {
    [ "$INTEROP_STANDIN" = gst ] && return 0
    [ -x "$AES67" ] || interop_skip "aes67 CLI not built in $IBUILD"
    "$AES67" "$1" --help >/dev/null 2>&1 || interop_skip "\`aes67 $1\` is not available in this build"
}

# interop_audio OUT.wav CHANNELS BITS SECONDS: tones (a different one per channel) plus white
# noise, so no frame is ever all-zero (pcmcmp tells silence from audio) and alignment is unique.
interop_audio() {
    local out=$1 ch=$2 bits=$3 secs=$4 tones="" i
    for i in $(seq 1 "$ch"); do
        tones="$tones sine $((300 + 110 * i))"
    done
    # shellcheck disable=SC2086
    sox -R -D -n -r 48000 -b "$bits" -e signed -c "$ch" "$out" synth "$secs" $tones \
        synth whitenoise mix vol 0.5
}

# interop_gst_chmap CHANNELS IN.wav OUT.wav: GStreamer's rtpL16/L24 (de)payloaders reorder more
# than 2 channels between GStreamer positions and their RTP channel order (8 channels: wire 5,6
# carry GStreamer's side pair, 7,8 the rear pair). AES67 streams carry channels as numbered, so
# the tests undo that with sox before GStreamer sends and after it receives (the swap is its own
# inverse). Checked on the wire by test_interop_gst.sh.
interop_gst_chmap() {
    local ch=$1 in=$2 out=$3
    if [ "$ch" -eq 8 ]; then
        sox -D "$in" "$out" remix 1 2 3 4 7 8 5 6
    else
        cp "$in" "$out"
    fi
}

# gst_caps ENC CHANNELS: the RTP caps for udpsrc.
gst_caps() {
    echo "application/x-rtp,media=audio,clock-rate=48000,encoding-name=$1,channels=$2,payload=96"
}

# gst_send HOST WAV ENC CHANNELS DEST PORT [PAYLOADER PROPS...]: send a WAV file as RTP at 1 ms
# ptime, paced by the pipeline clock, in the foreground (bounded by timeout 60).
gst_send() {
    local h=$1 wav=$2 enc=$3 ch=$4 dest=$5 port=$6 fmt=S24BE pay=rtpL24pay
    shift 6
    if [ "$enc" = L16 ]; then
        fmt=S16BE
        pay=rtpL16pay
    fi
    # SCHED_FIFO like a real AES67 sender: on a loaded 2-core machine a SCHED_OTHER pipeline
    # stalls for tens of ms and its packets arrive late. It sleeps on its clock between packets.
    a67_run "$h" timeout 60 chrt -f 30 gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! audioconvert ! \
        "audio/x-raw,format=$fmt,rate=48000,channels=$ch" ! \
        $pay pt=96 min-ptime=1000000 max-ptime=1000000 "$@" ! \
        udpsink host="$dest" port="$port" auto-multicast=true multicast-iface=eth0 ttl-mc=4
}

# gst_recv_bg HOST SECONDS ENC CHANNELS ADDR PORT OUT.wav: receive RTP into a WAV in the
# background (A67_LAST_PID); stop it with gst_recv_stop so the WAV header is finished (-e: EOS).
gst_recv_bg() {
    local h=$1 secs=$2 enc=$3 ch=$4 addr=$5 port=$6 out=$7 depay=rtpL24depay
    [ "$enc" = L16 ] && depay=rtpL16depay
    # SCHED_FIFO and an 8 MiB socket buffer: a peer starved for 100 ms by other work on a shared
    # 2-core machine must not lose packets the test then blames on the sender.
    a67_bg "$h" "$secs" chrt -f 30 gst-launch-1.0 -q -e udpsrc address="$addr" port="$port" \
        multicast-iface=eth0 buffer-size=8388608 caps="$(gst_caps "$enc" "$ch")" ! \
        rtpjitterbuffer latency=100 ! $depay ! audioconvert ! wavenc ! filesink location="$out"
}

# gst_recv_stop PID: SIGINT (EOS, finishes the file), then wait up to 5 s.
gst_recv_stop() {
    local pid=$1 i
    kill -INT "$pid" 2>/dev/null
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# aes67_recv_bg HOST SECONDS OUT.wav STATS.json ARGS...: our receiver (JSON stats to STATS), or
# in stand-in mode a GStreamer receiver for the --from/--format stream in ARGS.
aes67_recv_bg() {
    local h=$1 secs=$2 out=$3 stats=$4
    shift 4
    if [ "$INTEROP_STANDIN" = gst ]; then
        local from="" fmt=""
        while [ $# -gt 0 ]; do
            case "$1" in
            --from) from=$2; shift ;;
            --format) fmt=$2; shift ;;
            --link-offset-us) shift ;;
            esac
            shift
        done
        local enc=${fmt%%/*} ch=${fmt##*/}
        echo '{}' >"$stats"
        gst_recv_bg "$h" "$secs" "$enc" "$ch" "${from%:*}" "${from##*:}" "$out.gst.wav"
        INTEROP_RECV_GST=1
        INTEROP_RECV_OUT=$out
        INTEROP_RECV_CH=$ch
        return
    fi
    INTEROP_RECV_GST=0
    a67_bg "$h" "$secs" "$AES67" recv --interface eth0 --out "$out" --json "$@" >"$stats" 2>"$stats.err"
}

# aes67_recv_wait PID SECONDS: wait for our receiver to end by itself (--idle-exit), at most
# SECONDS; a stand-in GStreamer receiver is stopped instead.
aes67_recv_wait() {
    local pid=$1 secs=$2 i
    if [ "${INTEROP_RECV_GST:-0}" = 1 ]; then
        sleep 1
        gst_recv_stop "$pid"
        interop_gst_chmap "$INTEROP_RECV_CH" "$INTEROP_RECV_OUT.gst.wav" "$INTEROP_RECV_OUT"
        return 0
    fi
    for i in $(seq 1 $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -INT "$pid" 2>/dev/null
        sleep 1
    fi
    wait "$pid" 2>/dev/null
    return 0
}

# stat_get STATS.json KEY: one counter from aes67 recv --json ("" if absent).
stat_get() {
    python3 -c '
import json, sys
try:
    d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
    print(d.get(sys.argv[2], ""))
except Exception:
    print("")
' "$1" "$2"
}

# interop_compare REF.wav TEST.wav CHANNELS BITS [pcmcmp options]: compare the PCM data exactly.
# Sets PCM_<key> for every key pcmcmp prints, prints its line as a comment, returns its status.
interop_compare() {
    local ref=$1 test=$2 ch=$3 bits=$4 line rc kv
    shift 4
    sox -D "$ref" -t raw -e signed -b "$bits" -L "$ref.raw" || return 2
    sox -D "$test" -t raw -e signed -b "$bits" -L "$test.raw" || return 2
    line=$("$PCMCMP" --frame-bytes $((ch * bits / 8)) "$@" "$ref.raw" "$test.raw")
    rc=$?
    echo "# $line"
    for kv in ${line#pcmcmp: }; do
        case "$kv" in
        *=*) printf -v "PCM_${kv%%=*}" '%s' "${kv#*=}" ;;
        esac
    done
    return $rc
}

# rtp_capture_bg HOST SECONDS ADDR PORT OUT.raw: a minimal reference receiver (python, SCHED_FIFO,
# 8 MiB socket buffer): joins ADDR on eth0, writes every packet's payload in arrival order to
# OUT.raw and "marker pt seq ts len" per packet to OUT.raw.hdr; ends after 2 s without packets.
# Used to check what is on the wire independently of any depayloader.
rtp_capture_bg() {
    local h=$1 secs=$2 addr=$3 port=$4 out=$5
    a67_bg "$h" "$secs" chrt -f 30 python3 -c '
import socket, struct, sys
addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE (root): survive a starved moment
s.bind((addr, port))
if int(addr.split(".")[0]) >= 224:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(addr) + socket.inet_aton("0.0.0.0"))
s.settimeout(10)
started = False
with open(out, "wb") as o, open(out + ".hdr", "w") as h:
    while True:
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        if not started:
            started = True
            s.settimeout(2)
        if len(d) < 12 or d[0] >> 6 != 2:
            h.write("notrtp %d\n" % len(d))
            continue
        cc = d[0] & 15
        off = 12 + 4 * cc
        if d[0] & 16 and len(d) >= off + 4:
            off += 4 + 4 * struct.unpack("!H", d[off + 2:off + 4])[0]
        seq, ts = struct.unpack("!HI", d[2:8])
        h.write("%d %d %d %d %d\n" % (d[1] >> 7, d[1] & 127, seq, ts, len(d) - off))
        o.write(d[off:])
' "$addr" "$port" "$out"
}

# interop_skip_check DESCRIPTION REASON: a check our tools cannot do yet: printed as a TAP skip
# ("ok N - … # SKIP reason"), remembered, and turned into exit 77 by interop_done when nothing
# failed — never counted as a pass.
INTEROP_SKIPS=()
interop_skip_check() {
    A67_N=$((A67_N + 1))
    echo "ok $A67_N - $1 # SKIP $2"
    INTEROP_SKIPS+=("$2")
}

# interop_done: like a67_done, but exits 77 (skip) when checks were skipped and none failed.
interop_done() {
    echo "1..$A67_N"
    echo "# pass $A67_PASS fail $A67_FAIL skip ${#INTEROP_SKIPS[@]}"
    [ "$A67_FAIL" -eq 0 ] || exit 1
    if [ "${#INTEROP_SKIPS[@]}" -gt 0 ]; then
        printf 'SKIP: %s\n' "${INTEROP_SKIPS[@]}" | sort -u
        exit 77
    fi
    exit 0
}
