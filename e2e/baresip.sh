# End-to-end checks with a real SIP user agent, Debian's baresip (1.0), sourced by e2e/run.sh
# while its node runs: uses $work, $udp, $http, $admin_password and pass/fail from there.
# Each baresip is headless (a generated 8 kHz WAV as its microphone through aufile, the aubridge
# player as its loudspeaker, no sound device), listens on system-chosen loopback ports, sends every
# request through an outbound proxy naming the node (a Route header, as a real UA behind a proxy
# does) and is driven through its ctrl_tcp module (netstring JSON commands). Every wait polls the
# node's status API with a deadline; every baresip runs under `timeout` and is killed at the end
# of its check and by baresip_stop_all (run.sh's cleanup).

baresip_pids=()

free_tcp_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'
}

# baresip_start NAME "Display Name": prints nothing; sets baresip_ctrl_NAME (its ctrl_tcp port).
baresip_start() {
  local name=$1 display=$2 dir="$work/baresip-$1" ctrl
  ctrl=$(free_tcp_port)
  mkdir -p "$dir"
  [ -f "$work/baresip-tone.wav" ] || node -e '
    // 60 s of a 440 Hz tone, 8 kHz mono 16-bit PCM: what aufile wants for PCMU/PCMA. Longer than
    // any check: baresip ends its call when aufile reaches the end of the file ("audio error").
    const samples = 8000 * 60, b = Buffer.alloc(44 + samples * 2)
    b.write("RIFF", 0); b.writeUInt32LE(36 + samples * 2, 4); b.write("WAVEfmt ", 8); b.writeUInt32LE(16, 16)
    b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(8000, 24); b.writeUInt32LE(16000, 28)
    b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write("data", 36); b.writeUInt32LE(samples * 2, 40)
    for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(8000 * Math.sin(2 * Math.PI * 440 * i / 8000)), 44 + i * 2)
    require("fs").writeFileSync(process.argv[1], b)
  ' "$work/baresip-tone.wav"
  cat > "$dir/config" <<EOF
poll_method		poll
sip_listen		127.0.0.1:0
audio_player		aubridge,$name
audio_alert		aubridge,$name
audio_source		aufile,$work/baresip-tone.wav
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$ctrl
EOF
  echo "\"$display\" <sip:$name@example.com>;regint=0;outbound=\"sip:127.0.0.1:$udp;transport=udp\"" > "$dir/accounts"
  timeout 60 baresip -f "$dir" > "$dir/baresip.log" 2>&1 < /dev/null &
  baresip_pids+=($!)
  printf -v "baresip_ctrl_$name" '%s' "$ctrl"
  local _
  for _ in $(seq 1 100); do
    # modules (ctrl_tcp among them) are loaded before this line
    grep -q 'baresip is ready' "$dir/baresip.log" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# baresip_command NAME COMMAND [PARAMS]: one ctrl_tcp command, waiting (2 s at most) for its answer.
baresip_command() {
  local port_var="baresip_ctrl_$1" json reply=""
  json="{\"command\":\"$2\",\"params\":\"${3:-}\",\"token\":\"e2e\"}"
  exec 7<>"/dev/tcp/127.0.0.1/${!port_var}" || return 1
  printf '%d:%s,' "${#json}" "$json" >&7
  IFS= read -r -t 2 -d ',' reply <&7
  exec 7>&-
  [[ "$reply" != *'"ok":false'* ]]
}

baresip_stop_all() {
  local pid
  for pid in "${baresip_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${baresip_pids[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  baresip_pids=()
}

# participant_row "Display Name": that participant's "role entering_pin" from the status API, or "absent".
participant_row() {
  node -e '
    const [http, password, display] = process.argv.slice(1)
    fetch(`http://127.0.0.1:${http}/api/admin/status/v1/participant/?limit=0`, { headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` }, signal: AbortSignal.timeout(3000) })
      .then((r) => r.json())
      .then((body) => {
        const p = body.objects.find((o) => o.display_name === display)
        console.log(p === undefined ? "absent" : `${p.role} ${p.is_entering_pin ? "entering-pin" : "admitted"}`)
      })
      .catch((e) => console.log(`error ${e.message}`))
  ' "$http" "$admin_password" "$1"
}

# wait_rtp NAME SECONDS: polls until that baresip receives the node's audio, i.e. the node's media
# worker has the leg (digits sent as RFC 4733 events before then would be lost on the way).
wait_rtp() {
  local deadline=$((SECONDS + $2))
  while [ "$SECONDS" -le "$deadline" ]; do
    grep -q "incoming rtp for 'audio' established" "$work/baresip-$1/baresip.log" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_participant "Display Name" WANT SECONDS: polls until participant_row prints WANT.
wait_participant() {
  local deadline=$((SECONDS + $3))
  participant_last=""
  while [ "$SECONDS" -le "$deadline" ]; do
    participant_last=$(participant_row "$1")
    [ "$participant_last" = "$2" ] && return 0
    sleep 0.2
  done
  return 1
}

if ! command -v baresip >/dev/null; then
  fail "baresip checks" "baresip is not installed (Debian package baresip-core)"
  return 0
fi

name="baresip calls meet.bob, is in Bob's room, hangs up and is gone"
if ! baresip_start bea "Bea Baresip"; then fail "$name" "baresip did not start: $(tail -c 300 "$work/baresip-bea/baresip.log" | tr '\n' ' ')"
elif ! baresip_command bea dial "sip:meet.bob@example.com"; then fail "$name" "dial command refused"
elif ! wait_participant "Bea Baresip" "chair admitted" 10; then fail "$name" "status API says: $participant_last (want: chair admitted)"
elif ! baresip_command bea hangup; then fail "$name" "hangup command refused"
elif ! wait_participant "Bea Baresip" "absent" 10; then fail "$name" "after hangup the status API says: $participant_last (want: absent)"
else pass "$name"
fi
baresip_stop_all

name="baresip calls meet.alice, types the Host PIN 1234# as DTMF and is admitted as Host"
if ! baresip_start hana "Hana Baresip"; then fail "$name" "baresip did not start: $(tail -c 300 "$work/baresip-hana/baresip.log" | tr '\n' ' ')"
elif ! baresip_command hana dial "sip:meet.alice@example.com"; then fail "$name" "dial command refused"
elif ! wait_participant "Hana Baresip" "unknown entering-pin" 10; then fail "$name" "status API says: $participant_last (want: at the PIN prompt)"
elif ! wait_rtp hana 10; then fail "$name" "no audio from the node reached baresip"
elif ! baresip_command hana sndcode "1234#"; then fail "$name" "sndcode command refused"
elif ! wait_participant "Hana Baresip" "chair admitted" 10; then fail "$name" "after 1234# the status API says: $participant_last (want: chair admitted)"
else pass "$name"
fi
baresip_command hana hangup 2>/dev/null
baresip_stop_all
