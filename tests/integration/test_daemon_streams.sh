#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of aes67d's streams (the engine wired into the daemon), two namespaced hosts:
#   1. RX at start-up: aes67d on h2 has an rx stream in its config; `aes67 send` on h1 sends a
#      24-bit counting pattern; the daemon's capture ring (device.dump) holds it bit-exactly.
#   2. TX at start-up: aes67d on h1 has a tx stream fed by its playback ring; `aplay -D aes67`
#      (the pcm.aes67 plugin) writes the pattern into it; `aes67 recv` on h2 writes a WAV that
#      holds it bit-exactly after leading silence.
#   3. stream.stats: packets counted, nothing lost or late on the rx stream; status lists both
#      streams as running with the engine's realtime flag.
#   4. run time: stream.add starts a new rx stream (stats show it), stream.remove stops it;
#      a stream that cannot start (rate differs from the device) is refused with the reason.
#   5. `aes67 send --sap` on h1 announces its stream; h2's SAP listener sees it; stream.add
#      {"session": NAME} starts it from the announced SDP; the audio lands bit-exactly; the
#      deletion at the end of the send removes the session.
# Binaries from $AES67_BUILD (a meson build dir), else ./build, else out/test/b-gcc.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a67_require_root

a67_build_dir src/daemon/aes67d src/cli/aes67 src/alsa/libasound_module_pcm_aes67.so
a67_need aplay python3

a67_net 2
tmp=$A67_TMP
N=9600 # frames of the pattern (0.2 s at 48 kHz; the capture ring holds about 0.68 s)

cat >"$tmp/pat.py" <<'EOF'
# wav N FILE | raw N FILE | ring SOCK N TIMEOUT_S | wavcheck N FILE
import json, socket, struct, sys, time, wave
def v24(i, c):
    # 24-bit signed counting pattern, never 0: frame i, channel c
    k = ((2 * i + c + 1) * 331) % 8388000 + 1
    return k if (i & 1) == 0 else -k
def frames(n):
    return b"".join(struct.pack("<i", v24(i, c))[:3] for i in range(n) for c in range(2))
def find(samples, want):
    for k in range(0, len(samples) - len(want) + 1, 2):
        if samples[k] == want[0] and samples[k:k + len(want)] == want:
            return k // 2
    return -1
cmd, n = sys.argv[1], int(sys.argv[2])
if cmd in ("wav", "wavlead"):
    w = wave.open(sys.argv[3], "wb")
    w.setnchannels(2); w.setsampwidth(3); w.setframerate(48000)
    if cmd == "wavlead":
        w.writeframes(bytes(6 * 48000 * 3))  # 3 s of silence first
    w.writeframes(frames(n)); w.close()
elif cmd == "raw":
    open(sys.argv[3], "wb").write(frames(n))
elif cmd == "ring":
    # ring SOCK N STREAM LEAD TIMEOUT_S: the pattern must sit at the rx stream's first placed
    # position + LEAD frames of the capture ring, bit-exactly. LEAD -1: scan from the first
    # placed position on, in overlapping windows dumped as soon as they are written.
    def req(obj):
        s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[3])
        s.sendall(json.dumps(obj).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            d = s.recv(1 << 22)
            if not d:
                break
            buf += d
        s.close()
        return json.loads(buf)
    want = [v24(i, c) << 8 for i in range(n) for c in range(2)]
    name, lead, end = sys.argv[4], int(sys.argv[5]), time.time() + float(sys.argv[6])
    r, first = {}, None
    while time.time() < end:
        time.sleep(0.05)
        if first is None:
            st = req({"cmd": "stream.stats", "name": name})
            fp = st.get("rx", [{}])[0].get("first_pos", -1) if st.get("ok") else -1
            if fp < 0 or fp >= 2**62:
                continue
            first = fp + lead
        if lead < 0:
            win = 16384
            r = req({"cmd": "device.dump", "device": "aes67", "direction": "capture",
                     "frames": win, "position": first})
            if r.get("valid_frames", 0) < win:
                continue
            at = find(r.get("samples", []), want)
            if at >= 0:
                print("pattern at position %d (scan), bit-exact" % (first + at))
                sys.exit(0)
            first += win - n
            continue
        r = req({"cmd": "device.dump", "device": "aes67", "direction": "capture",
                 "frames": n, "position": first})
        if r.get("valid_frames", 0) < n:
            continue
        smp = r.get("samples", [])
        if smp == want:
            print("pattern at position first_pos + %d, bit-exact" % lead)
            sys.exit(0)
        bad = next(i for i in range(len(want)) if smp[i] != want[i])
        print("mismatch at sample %d: %d != %d" % (bad, smp[bad], want[bad]))
        sys.exit(1)
    print("pattern not seen in time; last answer:", str(r)[:200], "first", first)
    sys.exit(1)
else:
    w = wave.open(sys.argv[3], "rb")
    data = w.readframes(w.getnframes())
    smp = [int.from_bytes(data[j:j + 3], "little", signed=True) for j in range(0, len(data), 3)]
    want = [v24(i, c) for i in range(n) for c in range(2)]
    at = find(smp, want)
    if at < 0:
        print("pattern not found in %d frames; first nonzero:" % (len(smp) // 2),
              [x for x in smp if x][:6])
        # Explain the damage: where the pattern's first frame sits, the first frame that
        # differs after it, and how many frames differ / are silent.
        st = find(smp, want[:2])
        if st >= 0:
            got = smp[2 * st:2 * st + len(want)]
            bad = [i for i in range(len(got) // 2) if got[2 * i:2 * i + 2] != want[2 * i:2 * i + 2]]
            zero = [i for i in bad if got[2 * i] == 0 and got[2 * i + 1] == 0]
            print("  pattern frame 0 at %d; %d of %d frames differ (%d silent), first at %s" %
                  (st, len(bad), len(got) // 2, len(zero), bad[:1]))
        else:
            nz = next((i // 2 for i, x in enumerate(smp) if x), -1)
            if nz >= 0:
                k = next((i for i in range(n) if v24(i, 0) == smp[2 * nz]), -1)
                print("  first nonzero frame %d holds pattern frame %d (the start is missing)" % (nz, k))
        sys.exit(1)
    lead_ok = not any(smp[:2 * at])
    print("pattern at frame %d after %s leading silence, bit-exact" %
          (at, "clean" if lead_ok else "NOT clean"))
    sys.exit(0 if lead_ok else 1)
EOF
python3 "$tmp/pat.py" wav $N "$tmp/pat.wav"
python3 "$tmp/pat.py" raw $N "$tmp/pat.raw"
python3 "$tmp/pat.py" wavlead $N "$tmp/patlead.wav"

ctl() { a67_ctl "$1" "$tmp/$1.sock" "$2"; }

cat >"$tmp/h2.json" <<'EOF'
{"interface": "eth0",
 "devices": [{"name": "aes67", "playback_channels": 2, "capture_channels": 2, "rate": 48000,
              "ptime_us": 1000}],
 "streams": {"tx": [],
             "rx": [{"name": "in1", "source": {"address": "239.69.10.1", "port": 5004,
                     "encoding": "L24", "rate": 48000, "channels": 2},
                     "link_offset_frames": 4800, "device": "aes67"}]}}
EOF
cat >"$tmp/h1.json" <<'EOF'
{"interface": "eth0",
 "devices": [{"name": "aes67", "playback_channels": 2, "capture_channels": 2, "rate": 48000,
              "ptime_us": 1000}],
 "streams": {"tx": [{"name": "out1", "destination": "239.69.20.1", "port": 5004,
                     "encoding": "L24", "rate": 48000, "channels": 2, "ptime_us": 1000,
                     "device": "aes67"}],
             "rx": []}}
EOF

start_daemon() { # HOST
    a67_daemon "$1" 200 "$tmp/$1.sock" "$tmp/$1.log" -c "$tmp/$1.json"
}

start_daemon h2
a67_ok "aes67d on h2 starts with an rx stream in its config" test -S "$tmp/h2.dev.sock"
running() { ctl "$1" '{"cmd":"status"}' | grep -q "\"name\": *\"$2\"[^}]*\"state\": *\"running\"\|\"state\": *\"running\"[^}]*\"name\": *\"$2\""; }
a67_ok "status on h2 shows rx stream in1 running" a67_wait_for 3 running h2 in1

# 1. aes67 send on h1 -> h2's capture ring
a67_bg h1 30 "$B/src/cli/aes67" send "$tmp/pat.wav" --to 239.69.10.1:5004 --interface eth0 \
    >"$tmp/send.log" 2>&1
spid=$A67_LAST_PID
a67_run h2 python3 "$tmp/pat.py" ring $N "$tmp/h2.sock" in1 0 10 >"$tmp/ring.out" 2>&1
a67_ok "h2's capture ring holds the sent pattern bit-exactly ($(cat "$tmp/ring.out"))" \
    grep -q "bit-exact" "$tmp/ring.out"
wait "$spid" 2>/dev/null
ctl h2 '{"cmd":"stream.stats","name":"in1"}' >"$tmp/stats_in1.json"
stat_of() { # FILE FIELD
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=(d.get("rx") or d.get("tx"))[0]; print(s[sys.argv[2]])' "$1" "$2"
}
pk=$(stat_of "$tmp/stats_in1.json" packets 2>/dev/null || echo 0)
lost=$(stat_of "$tmp/stats_in1.json" lost 2>/dev/null || echo x)
late=$(stat_of "$tmp/stats_in1.json" late 2>/dev/null || echo x)
a67_ok "stream.stats in1: $pk packets (>= 200), lost $lost, late $late (both 0)" \
    test "$pk" -ge 200 -a "$lost" = 0 -a "$late" = 0

# 2. aes67d on h1, tx from its playback ring (aplay through pcm.aes67) -> aes67 recv on h2
export ALSA_CONFIG_PATH=$tmp/asound.conf
a67_asound_conf "$ALSA_CONFIG_PATH" "$tmp/h1.dev.sock"
start_daemon h1
a67_ok "aes67d on h1 starts with a tx stream in its config" a67_wait_for 3 running h1 out1
a67_bg h2 30 "$B/src/cli/aes67" recv --from 239.69.20.1:5004 --format L24/48000/2 \
    --out "$tmp/recv.wav" --duration 3 --link-offset-us 100000 --interface eth0 >"$tmp/recv.log" 2>&1
rpid=$A67_LAST_PID
sleep 0.5
a67_run h1 timeout 10 aplay -q -D aes67 -t raw -f S24_3LE -c 2 -r 48000 "$tmp/pat.raw" \
    >"$tmp/aplay.log" 2>&1
a67_ok "aplay into h1's device succeeds" test $? -eq 0
wait "$rpid" 2>/dev/null
python3 "$tmp/pat.py" wavcheck $N "$tmp/recv.wav" >"$tmp/wav.out" 2>&1
ctl h1 '{"cmd":"stream.stats","name":"out1"}' >"$tmp/stats_out1.json"
a67_ok "aes67 recv on h2 got the pattern ($(cat "$tmp/wav.out"))" grep -q "clean leading" "$tmp/wav.out" ||
    { echo "#   aplay: $(head -c 300 "$tmp/aplay.log")"; echo "#   recv: $(tail -c 400 "$tmp/recv.log")"
      echo "#   out1: $(head -c 600 "$tmp/stats_out1.json")"; }
pk=$(stat_of "$tmp/stats_out1.json" packets 2>/dev/null || echo 0)
er=$(stat_of "$tmp/stats_out1.json" send_errors 2>/dev/null || echo x)
a67_ok "stream.stats out1: $pk packets (>= 1000), send_errors $er (0)" test "$pk" -ge 1000 -a "$er" = 0

# 3. status: engine and streams
ctl h1 '{"cmd":"status"}' >"$tmp/status_h1.json"
a67_ok "status on h1 reports the engine running with its realtime flag" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["engine"]; sys.exit(0 if e["running"] and isinstance(e["realtime"], bool) and d["streams"][0]["name"]=="out1" else 1)' "$tmp/status_h1.json"

# 4. stream.add / stream.remove at run time on h2
add='{"cmd":"stream.add","direction":"rx","stream":{"name":"in2","source":{"address":"239.69.10.2","port":5004,"encoding":"L16","rate":48000,"channels":1},"device":"aes67","device_channel_offset":1}}'
ctl h2 "$add" >"$tmp/add.json"
a67_ok "stream.add rx in2 at run time ($(head -c 120 "$tmp/add.json"))" grep -q '"ok": *true' "$tmp/add.json"
a67_ok "status on h2 shows in2 running" running h2 in2
ctl h2 '{"cmd":"stream.list"}' >"$tmp/list.json"
a67_ok "stream.list on h2 has in2" grep -q '"in2"' "$tmp/list.json"
a67_ok "the config file on h2 now holds in2 (saved atomically)" grep -q '"in2"' "$tmp/h2.json"
bad='{"cmd":"stream.add","direction":"rx","stream":{"name":"in3","source":{"address":"239.69.10.3","port":5004,"encoding":"L24","rate":96000,"channels":2},"device":"aes67"}}'
ctl h2 "$bad" >"$tmp/bad.json"
a67_ok "stream.add of a 96 kHz stream to a 48 kHz device is refused with the reason ($(head -c 160 "$tmp/bad.json"))" \
    grep -q '"ok": *false.*rate\|rate.*"ok": *false' "$tmp/bad.json"
a67_ok "the refused stream is not in the config" sh -c "! grep -q in3 '$tmp/h2.json'"
ctl h2 '{"cmd":"stream.remove","direction":"rx","name":"in2"}' >"$tmp/rm.json"
a67_ok "stream.remove in2" grep -q '"ok": *true' "$tmp/rm.json"
ctl h2 '{"cmd":"stream.stats","name":"in2"}' >"$tmp/rmstats.json"
a67_ok "stream.stats no longer knows in2" grep -q '"ok": *false' "$tmp/rmstats.json"

# 5. aes67 send --sap -> SAP discovery on h2 -> stream.add {"session": ...}
ctl h2 '{"cmd":"stream.remove","direction":"rx","name":"in1"}' >/dev/null
a67_bg h1 30 "$B/src/cli/aes67" send "$tmp/patlead.wav" --to 239.69.10.5:5004 --interface eth0 \
    --name sapstream --sap --sap-interval 1 >"$tmp/sapsend.log" 2>&1
spid=$A67_LAST_PID
seen() { ctl h2 '{"cmd":"sessions.list"}' | grep -q '"sapstream"'; }
a67_ok "h2's SAP listener sees the announced session sapstream" a67_wait_for 3 seen
ctl h2 '{"cmd":"stream.add","direction":"rx","stream":{"name":"in5","session":"sapstream","device":"aes67","link_offset_frames":4800}}' >"$tmp/add5.json"
a67_ok "stream.add rx {\"session\": \"sapstream\"} ($(head -c 120 "$tmp/add5.json"))" grep -q '"ok": *true' "$tmp/add5.json"
a67_run h2 python3 "$tmp/pat.py" ring $N "$tmp/h2.sock" in5 -1 12 >"$tmp/ring5.out" 2>&1
a67_ok "the SAP-discovered stream's audio lands bit-exactly ($(cat "$tmp/ring5.out"))" \
    grep -q "bit-exact" "$tmp/ring5.out"
wait "$spid" 2>/dev/null
gone() { ! ctl h2 '{"cmd":"sessions.list"}' | grep -q '"sapstream"'; }
a67_ok "the SAP deletion at the end of the send removes the session" a67_wait_for 3 gone
ctl h2 '{"cmd":"stream.add","direction":"rx","stream":{"name":"in6","session":"nosuch","device":"aes67"}}' >"$tmp/add6.json"
a67_ok "stream.add of an unknown session is refused ($(head -c 120 "$tmp/add6.json"))" \
    grep -q '"ok": *false.*no session' "$tmp/add6.json"

a67_done
