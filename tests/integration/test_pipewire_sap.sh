#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PipeWire 0.3.65 interop over SAP, two namespaced hosts:
#   h1: headless PipeWire (dbus-run-session + wireplumber, TESTBED.md) with
#       libpipewire-module-rtp-sink: L24/48000/2 to 239.69.5.1:5004, SAP to 239.255.255.255;
#   h2: `aes67 list --interface eth0` and aes67d (sessions.list) see the session with the right
#       encoding, rate, channels, address, port and origin; tshark finds PipeWire's SAP well formed;
#   then `aes67 recv --session NAME` (h2) records while pw-play (h1) plays a 24-bit 48 kHz stereo
#   file into the sink, and the recording is compared with the file sample by sample after
#   aligning the first non-silent frame: the test reports how many frames match exactly.
# Not covered here: aes67 send --sap -> module-rtp-source (see the report of this work).
# Usage: test_pipewire_sap.sh   (root; binaries from $AES67_BUILD, else ./build, else out/test/b-gcc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root
for t in pipewire wireplumber pw-play dbus-run-session setsid sox python3; do
    command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed"; exit 0; }
done
a67_build_dir src/daemon/aes67d src/cli/aes67

a67_net 2
tmp=$A67_TMP
pw_pgid=""
# PipeWire and wireplumber are children of dbus-run-session: kill the whole process group.
trap 'rc=$?; [ -n "$pw_pgid" ] && kill -KILL -- "-$pw_pgid" 2>/dev/null; (exit $rc); a67_cleanup' EXIT

name="pw-sink-$$"
mkdir -p "$tmp/run" "$tmp/conf/pipewire/pipewire.conf.d"
cat >"$tmp/conf/pipewire/pipewire.conf.d/rtp-sink.conf" <<EOF
context.modules = [
{   name = libpipewire-module-rtp-sink
    args = {
        sap.ip = "239.255.255.255"
        sap.port = 9875
        source.ip = "198.51.100.1"
        destination.ip = "239.69.5.1"
        destination.port = 5004
        net.mtu = 1280
        net.ttl = 4
        net.loop = false
        sess.name = "$name"
        sess.media = "audio"
        audio.format = "S24BE"
        audio.rate = 48000
        audio.channels = 2
        stream.props = { media.class = "Audio/Sink" node.name = "rtp-sink" }
    }
}
]
EOF
export XDG_RUNTIME_DIR=$tmp/run XDG_CONFIG_HOME=$tmp/conf PIPEWIRE_RUNTIME_DIR=$tmp/run
a67_bg h1 150 setsid dbus-run-session -- sh -c 'pipewire & sleep 1; wireplumber & wait' \
    >"$tmp/pw.log" 2>&1
pw_pgid=$A67_LAST_PID
a67_bg h2 150 "$AES67D" -f -i eth0 -s "$tmp/h2.sock" 2>"$tmp/h2.log"
a67_bg h2 25 tshark -n -i eth0 -f "udp port 9875 and src host 198.51.100.1" -a duration:20 \
    -w "$tmp/pw.pcap" 2>/dev/null
cap=$A67_LAST_PID

# PipeWire 0.3.65 announces about every 5 s
a67_run h2 "$AES67" list --interface eth0 --wait 8 --json >"$tmp/list.json" 2>"$tmp/list.err"
a67_ok "aes67 list --interface eth0 exits 0" test $? -eq 0
a67_ok "aes67 list sees PipeWire's $name as L24/48000/2 at 239.69.5.1:5004 from 198.51.100.1" \
    python3 -c '
import json, sys
s = [x for x in json.load(open(sys.argv[1])) if x["name"] == sys.argv[2]]
ok = len(s) == 1 and (s[0]["encoding"], s[0]["rate"], s[0]["channels"], s[0]["address"],
    s[0]["port"], s[0]["origin"]) == ("L24", 48000, 2, "239.69.5.1", 5004, "198.51.100.1")
sys.exit(0 if ok else 1)' "$tmp/list.json" "$name"
b_lists() {
    a67_run h2 "$AES67" list --json --control "$tmp/h2.sock" 2>/dev/null |
        python3 -c 'import json,sys; sys.exit(0 if any(s.get("name")==sys.argv[1] for s in json.load(sys.stdin)) else 1)' "$1"
}
a67_ok "aes67d on h2 lists $name (sessions.list)" a67_wait_for 12 b_lists "$name"

# recording: the engine's `aes67 recv` finds the stream by its SAP name
sox -n -r 48000 -c 2 -b 24 -e signed-integer "$tmp/tone.wav" synth 3 sine 997 sine 1999 gain -3
# PipeWire's sender is not locked to our media clock (it paces by its own timer), so the receiver
# anchors on its first packet; a generous link offset absorbs its scheduling jitter, as in the
# other interop tests (docs/interop.md).
a67_bg h2 40 "$AES67" recv --session "$name" --interface eth0 --out "$tmp/out.wav" --duration 8 --idle-exit 20 \
    --link-offset-us 100000 --json >"$tmp/recv.out" 2>"$tmp/recv.err"
rp=$A67_LAST_PID
sleep 2
a67_run h1 pw-play --target rtp-sink "$tmp/tone.wav" >"$tmp/play.log" 2>&1
wait "$rp"
rc=$?
[ "$rc" -eq 0 ] || sed 's/^/# recv: /' "$tmp/recv.err" | tail -3
[ -s "$tmp/play.log" ] && sed 's/^/# pw-play: /' "$tmp/play.log" | tail -3
echo "# recv stats: $(tr -d '\n' <"$tmp/recv.out" | head -c 400)"
a67_ok "aes67 recv --session $name exits 0 (got $rc; $(tail -1 "$tmp/recv.err"))" test "$rc" -eq 0
for f in tone out; do
    sox "$tmp/$f.wav" -t raw -e signed-integer -b 32 -c 2 -r 48000 "$tmp/$f.s32" 2>/dev/null
done
res=$(python3 - "$tmp/tone.s32" "$tmp/out.s32" <<'PY' 2>&1
import struct, sys
def frames(p):
    raw = open(p, "rb").read()
    v = struct.unpack("<%di" % (len(raw) // 4), raw[: len(raw) // 4 * 4])
    return [v[i:i + 2] for i in range(0, len(v) - 1, 2)]
src, rec = frames(sys.argv[1]), frames(sys.argv[2])
first = next((i for i, f in enumerate(rec) if f != (0, 0)), None)
if first is None:
    print("silence"); sys.exit(1)
# align the recording to the source (PipeWire may start a few frames into the file)
best = max(range(0, 480), key=lambda k: sum(rec[first + i] == src[k + i]
           for i in range(64) if first + i < len(rec)))
n = min(len(src) - best, len(rec) - first, 48000)
same = sum(rec[first + i] == src[best + i] for i in range(n))
print(f"{same}/{n} frames equal (offset {best})")
sys.exit(0 if same == n and n >= 48000 else 1)
PY
)
# PipeWire's rtp-sink is not bit-exact every time: when its graph rate-matches, its adaptive
# resampler alters the samples (2 of 3 CI runs showed 4353..26752 of 48000 frames equal, with no
# packet lost or late). So bit-exactness is reported, not asserted; what is asserted is our side:
# the tone arrived whole with nothing lost (docs/interop.md). PipeWire is not on our clock, and
# in about one run in three its RTP timestamps jump against its packet pacing (resyncs > 1;
# seen: 2 and 4 within 3 s): each jump re-anchors the stream, and the packets between the jump
# and the re-anchoring are late — at most those of one link offset (100 ms = 23 of PipeWire's
# 4.4 ms packets; 100 ms rather than 20 because this VM stalls 20-40 ms at times) plus the two
# candidates. Without a jump nothing may be late.
echo "# bit-exact against the file over 1 s: $res"
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2],"x"))' "$tmp/recv.out" "$1" 2>/dev/null; }
lost=$(field lost)
late=$(field late)
rs=$(field resyncs)
fw=$(field frames_written)
case "$rs" in '' | *[!0-9]*) rs=1 ;; esac
allowed=$((rs > 1 ? 25 * (rs - 1) : 0))
a67_ok "aes67 recv got the whole tone: $fw frames (>= 144000), lost $lost, late $late (<= $allowed with $rs anchorings)" \
    test "${fw:-0}" -ge 144000 -a "$lost" = 0 -a "${late:-x}" -le "$allowed"
wait "$cap" 2>/dev/null
a67_ok "tshark: PipeWire's SAP packets are SAP/SDP and not malformed" bash -c \
    "n=\$(ip netns exec $(a67_ns h2) tshark -n -r '$tmp/pw.pcap' -Y 'sap && sdp.session_name == \"$name\"' 2>/dev/null | wc -l); [ \$n -ge 1 ] && [ -z \"\$(ip netns exec $(a67_ns h2) tshark -n -r '$tmp/pw.pcap' -Y _ws.malformed 2>/dev/null)\" ]"
a67_done
