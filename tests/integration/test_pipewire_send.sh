#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PipeWire 0.3.65 as a receiver of our sender, found through SAP, on two namespaced hosts:
#   h1: `aes67 send FILE --sap` (L24/48000/2, 1 ms) to 239.69.7.1:5004, announced with SAP
#       (RFC 2974) to 239.255.255.255:9875 every second;
#   h2: headless PipeWire (dbus-run-session + wireplumber, as in test_pipewire_sap.sh) with
#       libpipewire-module-rtp-source listening to SAP on 239.255.255.255 (its default,
#       224.0.0.56, is PipeWire's own group), and a stream rule that creates a source node only
#       for our session name.
# Checks: PipeWire picked the announcement up (pw-dump shows a node named after our session with
# rtp.session, rtp.fmt L24/48000/2 and our origin address); PipeWire's receiver found nothing
# wrong with our packets (no "unexpected seq/timestamp/SSRC" in its log: seq +1, ts +48 per
# packet, one SSRC); pw-record on that node records our two tones (997 Hz left, 1999 Hz right)
# at the right level, rate and channel order without a glitch for at least 2 s; our SAP
# deletion at the end makes PipeWire drop the node.
#
# Why not bit-exact: PipeWire 0.3.65's rtp-source keeps its jitter buffer at sess.latency.msec
# with a DLL and sets SPA_IO_RATE_MATCH_FLAG_ACTIVE, which makes audioconvert run its resampler
# (ratio 1 +- tens of ppm) from the first cycles on; resample.disable = true on the node does not
# bypass it in this version (tried, measured: still interpolated). So samples are interpolated,
# and the test compares tones instead of samples: per 10 ms window and channel a least-squares
# fit of the nominal tone with a linear phase drift (sin, cos, t*sin, t*cos); the residual must be
# >= 60 dB below the window (clean runs measured 74-78 dB here, bounded by PipeWire's quality-4
# resampler and the DLL's rate changes), the amplitude within 0.01 dB of the file's, the tone's
# rate error (the DLL's steering) within +-500 ppm. A dropped, repeated or misplaced packet, a
# byte-order or sample-width error or swapped channels each leave a window far below 60 dB.
# On this shared machine PipeWire's graph sometimes stalls for seconds (load average > 10) and
# rtp-source then resynchronises ("overrun" in its log), which cuts the recording; so the check
# asks for one clean stretch of >= 2 s out of 8 s, and prints every bad window's time.
#
# Usage: test_pipewire_send.sh   (root; binaries from $AES67_BUILD, else ./build, else
# out/test/b-gcc). Exit 0 pass, 1 fail, 77 "SKIP: reason" if PipeWire cannot be started at all.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tools/interop.sh"
a67_require_root
for t in pipewire wireplumber pw-record pw-dump dbus-run-session setsid timeout; do
    command -v "$t" >/dev/null || { echo "SKIP: $t is not installed (scripts/deps.sh --all)"; exit 77; }
done
interop_init send
a67_net 2
tmp=$A67_TMP
pw_pgid=""
# PipeWire and wireplumber are children of dbus-run-session: kill the whole process group.
trap 'rc=$?; [ -n "$pw_pgid" ] && kill -KILL -- "-$pw_pgid" 2>/dev/null; (exit $rc); a67_cleanup' EXIT

name="aes67-pw-$$"
group=239.69.7.1
mkdir -p "$tmp/run" "$tmp/conf/pipewire/pipewire.conf.d"
cat >"$tmp/conf/pipewire/pipewire.conf.d/rtp-source.conf" <<EOF
context.modules = [
{   name = libpipewire-module-rtp-source
    args = {
        sap.ip = "239.255.255.255"
        sap.port = 9875
        local.ifname = "eth0"
        sess.latency.msec = 100
        stream.props = { media.class = "Audio/Source" }
        stream.rules = [
            {   matches = [ { rtp.session = "$name" } ]
                actions = { create-stream = {} }
            }
        ]
    }
}
]
EOF
export XDG_RUNTIME_DIR=$tmp/run XDG_CONFIG_HOME=$tmp/conf PIPEWIRE_RUNTIME_DIR=$tmp/run
a67_bg h2 150 setsid dbus-run-session -- sh -c 'PIPEWIRE_DEBUG="3,mod.rtp-source:4" pipewire & sleep 1; wireplumber & wait' \
    >"$tmp/pw.log" 2>&1
pw_pgid=$A67_LAST_PID
pw_up() { a67_run h2 pw-cli info 0 >/dev/null 2>&1; }
if ! a67_wait_for 15 pw_up; then
    sed 's/^/# pipewire: /' "$tmp/pw.log" | tail -5
    echo "SKIP: PipeWire does not start in a namespace here"
    exit 77
fi
echo "# PipeWire $(a67_run h2 pipewire --version 2>/dev/null | sed -n 's/.*libpipewire //p' | head -1) up in h2"

# 20 s of two tones, 24-bit stereo: band-limited, so a resampler passes them (see above)
sox -R -D -n -r 48000 -b 24 -e signed -c 2 "$tmp/src.wav" synth 20 sine 997 sine 1999 gain -3
a67_bg h1 60 "$AES67" send "$tmp/src.wav" --to "$group:5004" --sap --sap-interval 1 \
    --interface eth0 --format L24 --ptime 1ms --name "$name" >"$tmp/send.out" 2>"$tmp/send.err"
sp=$A67_LAST_PID

# pw_node_check: the node PipeWire made from our SAP announcement (prints id, fmt, origin).
# Returns 0 found and as expected, 2 found but wrong, 1 not there, 3 pw-dump failed.
pw_node_check() {
    a67_run h2 pw-dump >"$tmp/dump.json" 2>/dev/null || return 3
    python3 - "$tmp/dump.json" "$name" <<'PY'
import json, sys
name = sys.argv[2]
for o in json.load(open(sys.argv[1])):
    p = (o.get("info") or {}).get("props") or {}
    if o.get("type") == "PipeWire:Interface:Node" and p.get("rtp.session") == name:
        ok = (p.get("node.name") == name and p.get("rtp.fmt") == "L24/48000/2"
              and p.get("media.class") == "Audio/Source"
              and "IN IP4 198.51.100.1" in p.get("rtp.origin", ""))
        print(o["id"], p.get("rtp.fmt"), p.get("rtp.origin"))
        sys.exit(0 if ok else 2)
sys.exit(1)
PY
}
a67_ok "PipeWire's rtp-source made node '$name' (Audio/Source, rtp.fmt L24/48000/2, origin 198.51.100.1) from our SAP" \
    a67_wait_for 10 pw_node_check
echo "# node: $(pw_node_check 2>/dev/null)"

# record 8 s from that node, as float (no quantisation on PipeWire's side)
a67_bg h2 25 timeout -s INT 8 pw-record --target "$name" --format f32 --rate 48000 --channels 2 \
    "$tmp/rec.wav" >"$tmp/rec.log" 2>&1
rp=$A67_LAST_PID
wait "$rp"
rc=$?
[ -s "$tmp/rec.log" ] && sed 's/^/# pw-record: /' "$tmp/rec.log" | tail -3
a67_ok "pw-record --target $name ran 8 s and wrote a float WAV (exit $rc)" \
    bash -c "[ $rc -eq 0 -o $rc -eq 124 ] && [ \"\$(soxi -e '$tmp/rec.wav' 2>/dev/null)\" = 'Floating Point PCM' ]"
grep -E "underrun|overrun|unexpected|sync to" "$tmp/pw.log" | head -5 | sed 's/^/# pw: /'
bad_rtp=$(grep -cE "unexpected (seq|timestamp|SSRC)|invalid RTP|short packet" "$tmp/pw.log")
a67_ok "PipeWire's rtp-source saw no sequence, timestamp or SSRC error in our stream ($bad_rtp)" \
    test "$bad_rtp" -eq 0

# float f -> signed 32-bit f * 2^31 (sox), so 24-bit values keep their low byte zero
sox -D "$tmp/src.wav" -t raw -e signed -b 32 -L "$tmp/src.raw"
sox -D "$tmp/rec.wav" -t raw -e signed -b 32 -L "$tmp/rec.raw"
res=$(python3 - "$tmp/src.raw" "$tmp/rec.raw" <<'PY'
import math, struct, sys
FS, WIN, FREQ = 48000, 480, (997.0, 1999.0)
MIN_SNR_DB, MAX_AMP_ERR, MAX_PPM = 60.0, 10 ** (0.01 / 20) - 1, 500.0

def load(path):
    d = open(path, "rb").read()
    n = len(d) // 8
    return struct.unpack("<%di" % (2 * n), d[: 8 * n])

def solve4(m, v):
    a = [row[:] + [v[i]] for i, row in enumerate(m)]
    for c in range(4):
        p = max(range(c, 4), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(4):
            if r != c and a[c][c] != 0:
                k = a[r][c] / a[c][c]
                for j in range(c, 5):
                    a[r][j] -= k * a[c][j]
    return [a[i][4] / a[i][i] if a[i][i] else 0.0 for i in range(4)]

def fit(x, ch, w0, om):
    # y ~ (a + c t) sin(om n) + (b + d t) cos(om n), t in [-0.5, 0.5): tone with a phase drift
    rows, ys = [], []
    for k in range(WIN):
        t = (k - WIN / 2) / WIN
        s, co = math.sin(om * (w0 + k)), math.cos(om * (w0 + k))
        rows.append((s, co, t * s, t * co))
        ys.append(x[2 * (w0 + k) + ch] / 2 ** 31)
    m = [[sum(r[i] * r[j] for r in rows) for j in range(4)] for i in range(4)]
    p = solve4(m, [sum(r[i] * y for r, y in zip(rows, ys)) for i in range(4)])
    res = sum((y - sum(q * e for q, e in zip(p, r))) ** 2 for r, y in zip(rows, ys))
    sig = sum(y * y for y in ys)
    return 10 * math.log10(sig / max(res, 1e-30)) if sig > 0 else 0.0, math.hypot(p[0], p[1]), math.atan2(p[1], p[0])

src, rec = load(sys.argv[1]), load(sys.argv[2])
n = len(rec) // 2
lead = 0
while lead < n and rec[2 * lead] == 0 and rec[2 * lead + 1] == 0:
    lead += 1
ref_amp = [fit(src, c, 4800, 2 * math.pi * FREQ[c] / FS)[1] for c in (0, 1)]
run = best = best_start = cur_start = 0
bad, worst, phases = [], 99.0, []
for w0 in range(lead, n - WIN, WIN):
    ok, ph = True, []
    for c in (0, 1):
        snr, amp, phase = fit(rec, c, w0, 2 * math.pi * FREQ[c] / FS)
        worst = min(worst, snr)
        ph.append(phase)
        if snr < MIN_SNR_DB or abs(amp / ref_amp[c] - 1) > MAX_AMP_ERR:
            ok = False
    if ok:
        if run == 0:
            cur_start = w0
            phases = []
        run += 1
        phases.append(ph)
        if run > best:
            best, best_start, best_phases = run, cur_start, list(phases)
    else:
        run = 0
        bad.append(round(w0 / FS, 2))
ppm = []
for c in (0, 1):
    un = [best_phases[0][c]] if best else [0.0]
    for p in (best_phases[1:] if best else []):
        d = p[c] - un[-1]
        un.append(un[-1] + d - 2 * math.pi * round(d / (2 * math.pi)))
    om = 2 * math.pi * FREQ[c] / FS
    ppm.append((un[-1] - un[0]) / ((len(un) - 1) * WIN * om) * 1e6 if len(un) > 1 else 0.0)
secs = best * WIN / FS
ok = secs >= 2.0 and all(abs(p) <= MAX_PPM for p in ppm)
print(f"{'pass' if ok else 'fail'} clean={secs:.2f}s from {best_start / FS:.2f}s of {n / FS:.2f}s "
      f"(lead silence {lead} frames) worst_snr={worst:.1f}dB rate_err={ppm[0]:.0f},{ppm[1]:.0f}ppm "
      f"bad_windows={len(bad)} at {bad[:6]}s")
PY
)
echo "# tones: $res"
a67_ok "recording is the file's 997/1999 Hz tones, L/R, level within 0.01 dB, >= 60 dB clean for >= 2 s (${res#* })" \
    test "${res%% *}" = pass

# stop the sender: it sends the RFC 2974 §4 deletion, and PipeWire frees the session
kill -INT "$sp" 2>/dev/null
wait "$sp"
src=$?
a67_ok "aes67 send exits 0 on SIGINT (got $src; $(tail -1 "$tmp/send.err" 2>/dev/null))" test "$src" -eq 0
pw_node_gone() {
    pw_node_check >/dev/null 2>&1
    [ $? -eq 1 ]
}
a67_ok "after our SAP deletion PipeWire removed node '$name'" a67_wait_for 5 pw_node_gone
a67_done
