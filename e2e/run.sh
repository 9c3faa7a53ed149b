#!/usr/bin/env bash
# End-to-end: one real node (`parley serve`, fresh data dir, every port chosen by the system)
# and SIPp scenarios of our own (e2e/sipp/) against it over UDP and TCP; TLS is probed by
# e2e/tls-options.mjs because Debian's SIPp is built without OpenSSL. Facts the wire does not
# show (joined as Host, no PIN prompt) are read from the node's log. Every step has a time
# bound; the node is always stopped. Prints `N passed, N failed`; exits 1 on any failure.
# E2E_KEEP=1 keeps the work directory (node log, SIPp traces) even when everything passed.
set -uo pipefail
cd "$(dirname "$0")/.."

command -v sipp >/dev/null || { echo "e2e: sipp is not installed (Debian package sip-tester)"; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d -t parley-e2e.XXXXXX)
node_pid=""
uas_pid=""
passed=0
failed=0
failures=()

cleanup() {
  [ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null
  declare -F baresip_stop_all >/dev/null && baresip_stop_all
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$node_pid" 2>/dev/null
  fi
  if [ "$failed" -eq 0 ] && [ -z "${E2E_KEEP:-}" ]; then rm -rf "$work"; else echo "e2e: logs kept in $work"; fi
}
trap cleanup EXIT

pass() { passed=$((passed+1)); echo "ok   $1"; }
fail() { failed=$((failed+1)); failures+=("$1"); echo "FAIL $1${2:+: $2}"; }

# ---- configuration: the demo plus a gateway rule to a SIPp UAS on a free UDP port ----------
free_udp_port() {
  node -e 'const s=require("dgram").createSocket("udp4");s.bind(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'
}
uas_port=$(free_udp_port)
PARLEY_DATA_DIR="$work/export" timeout 60 node bin/parley.mjs config export > "$work/demo.json" || { fail "config export"; echo "$passed passed, $failed failed"; exit 1; }
node -e '
  const fs = require("fs")
  const [file, port, out] = process.argv.slice(1)
  const config = JSON.parse(fs.readFileSync(file, "utf8"))
  config.gateway_routing_rule.push({
    name: "e2e far end", priority: 50, enable: true,
    match_incoming_calls: true, match_outgoing_calls: false,
    match_incoming_sip: true, match_incoming_mssip: true, match_incoming_h323: false, match_incoming_webrtc: false,
    match_incoming_only_if_registered: false,
    match_string: "(.+)@gw\\.example\\.com", replace_string: `\\1@127.0.0.1:${port}`,
    outgoing_protocol: "sip", call_type: "video", treat_as_trusted: false,
  })
  config.gateway_routing_rule.forEach((r, i) => { r.id = i + 1; delete r.resource_uri })
  fs.writeFileSync(out, JSON.stringify(config, null, 2))
' "$work/demo.json" "$uas_port" "$work/config.json"
timeout 60 node bin/parley.mjs config check "$work/config.json" > "$work/check.txt" 2>&1 || { cat "$work/check.txt"; fail "e2e configuration is valid"; }

# ---- the node ---------------------------------------------------------------------------------
# The status API (read by the baresip checks) needs the admin password.
admin_password="e2e-$$-$RANDOM"
PARLEY_BIND=127.0.0.1 PARLEY_PUBLIC_HOST=127.0.0.1 PARLEY_SIP_PORT=0 PARLEY_SIPS_PORT=0 PARLEY_HTTP_PORT=0 \
  PARLEY_DATA_DIR="$work/data" PARLEY_LOG_LEVEL=debug PARLEY_ADMIN_PASSWORD="$admin_password" \
  node bin/parley.mjs serve --config "$work/config.json" > "$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 300); do
  grep -q '"msg":"ready"' "$work/node.log" 2>/dev/null && break
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.1
done
ready=$(grep '"msg":"ready"' "$work/node.log" | head -1)
if [ -z "$ready" ]; then
  tail -20 "$work/node.log"
  fail "node ready"
  echo "$passed passed, $failed failed"
  exit 1
fi
read -r udp tcp tls http < <(node -e 'const r=JSON.parse(process.argv[1]);console.log(r.sip.udp,r.sip.tcp,r.sip.tls,r.http)' "$ready")
pass "node ready (udp $udp, tcp $tcp, tls $tls, http $http)"

# ---- scenarios ----------------------------------------------------------------------------------
# sipp_run NAME TRANSPORT(u1|t1) PORT SCENARIO [extra sipp args...]
sipp_run() {
  local name=$1 transport=$2 port=$3 scenario=$4; shift 4
  local out="$work/${name// /_}"
  timeout 30 sipp -sf "e2e/sipp/$scenario" -m 1 -t "$transport" "127.0.0.1:$port" -i 127.0.0.1 \
    -timeout 20 -timeout_error -recv_timeout 10000 -nostdin \
    -trace_err -error_file "$out.err" -trace_msg -message_file "$out.msg" "$@" > "$out.out" 2>&1
}
scenario() {
  local name=$1; shift
  if sipp_run "$name" "$@"; then pass "$name"; else fail "$name" "$(tail -c 300 "$work/${name// /_}.err" 2>/dev/null | tr '\n' ' ')"; fi
}

scenario "OPTIONS over UDP" u1 "$udp" options.xml
scenario "OPTIONS over TCP" t1 "$tcp" options.xml
if timeout 10 node e2e/tls-options.mjs "$tls" "$work/data/tls/self-signed-cert.pem" > "$work/tls.out" 2>&1; then pass "OPTIONS over TLS"; else fail "OPTIONS over TLS" "$(cat "$work/tls.out")"; fi

scenario "call to meet.bob over UDP (Route, empty Supported, compact headers)" u1 "$udp" call-bob.xml
scenario "call to meet.bob over TCP" t1 "$tcp" call-bob.xml
scenario "audio-only call to meet.bob gets the room video by re-INVITE" u1 "$udp" call-bob-audio-only.xml
scenario "unknown alias gets 404" u1 "$udp" unknown-alias.xml
scenario "SfB-shaped SUBSCRIBE for meet.alice: NOTIFY with 3500 and the display name" u1 "$udp" subscribe-sfb.xml
scenario "SfB-shaped SUBSCRIBE over TCP" t1 "$tcp" subscribe-sfb.xml
scenario "RFC 3856 SUBSCRIBE for meet.alice: PIDF NOTIFY" u1 "$udp" subscribe-pidf.xml

# Facts from the node's log for one call (by its Call-ID): the leg the node gave it, then what
# the core decided for that leg. Prints "host|prompt|mixed" words found.
leg_facts() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l) } catch { return {} } })
    const offered = lines.find((l) => l.msg === "call offered" && l.callId === process.argv[2])
    if (offered === undefined) { console.log("no-call"); process.exit(0) }
    const leg = offered.leg
    const facts = []
    if (lines.some((l) => l.msg === "observation" && l.observation._tag === "PinAccepted" && l.observation.leg === leg && l.observation.role === "host")) facts.push("host")
    if (lines.some((l) => l.msg === "media effect" && l.media._tag === "Play" && l.media.leg === leg && l.media.sound === "pin-prompt")) facts.push("prompt")
    if (lines.some((l) => l.msg === "media effect" && l.media._tag === "JoinMix" && l.media.leg === leg)) facts.push("mixed")
    console.log(facts.join(" ") || "none")
  ' "$work/node.log" "$1"
}
call_id_of() { grep -m1 -E '^(i|Call-ID):' "$work/${1// /_}.msg" | sed -E 's/^(i|Call-ID):[[:space:]]*//' | tr -d '\r'; }

name="meet.alice**1234 answered and joined as Host without a PIN prompt"
if sipp_run "$name" u1 "$udp" call-alice-pin.xml; then
  sleep 0.3
  facts=$(leg_facts "$(call_id_of "$name")")
  if [ "$facts" = "host mixed" ]; then pass "$name"; else fail "$name" "log says: $facts (want: host mixed)"; fi
else
  fail "$name" "$(tail -c 300 "$work/${name// /_}.err" 2>/dev/null | tr '\n' ' ')"
fi

name="meet.alice PIN typed as INFO dtmf-relay admits the caller as Host"
if sipp_run "$name" u1 "$udp" call-alice-dtmf.xml; then
  sleep 0.3
  facts=$(leg_facts "$(call_id_of "$name")")
  if [ "$facts" = "host prompt mixed" ]; then pass "$name"; else fail "$name" "log says: $facts (want: host prompt mixed)"; fi
else
  fail "$name" "$(tail -c 300 "$work/${name// /_}.err" 2>/dev/null | tr '\n' ' ')"
fi

name="gateway call through a rule to a SIPp UAS"
timeout 40 sipp -sf e2e/sipp/gateway-uas.xml -m 1 -t u1 -p "$uas_port" -i 127.0.0.1 -timeout 30 -timeout_error -nostdin \
  -trace_err -error_file "$work/uas.err" -trace_msg -message_file "$work/uas.msg" > "$work/uas.out" 2>&1 &
uas_pid=$!
sleep 0.5
if sipp_run "$name" u1 "$udp" call-gateway.xml; then caller_ok=1; else caller_ok=0; fi
if wait "$uas_pid"; then uas_ok=1; else uas_ok=0; fi
uas_pid=""
if [ "$caller_ok" = 1 ] && [ "$uas_ok" = 1 ]; then pass "$name"
else fail "$name" "caller $caller_ok, far end $uas_ok: $(tail -c 300 "$work/uas.err" 2>/dev/null | tr '\n' ' ')"; fi

# ---- a real SIP user agent: baresip (e2e/baresip.sh) -----------------------------------------
# shellcheck source=e2e/baresip.sh
source e2e/baresip.sh

# ---- the node is still well, and stops cleanly -------------------------------------------------
scenario "OPTIONS over UDP after everything" u1 "$udp" options.xml
if grep -q '"level":"error"\|"level":"fatal"' "$work/node.log"; then fail "no errors in the node's log" "$(grep -m3 '"level":"error"\|"level":"fatal"' "$work/node.log" | cut -c1-300)"; else pass "no errors in the node's log"; fi
kill -TERM "$node_pid"
stopped=0
for _ in $(seq 1 100); do kill -0 "$node_pid" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
if [ "$stopped" = 1 ] && grep -q '"msg":"stopped"' "$work/node.log"; then pass "node stops on SIGTERM"; else fail "node stops on SIGTERM"; fi
node_pid=""

# ---- the live dashboard in Debian's chromium (each browser test counted) --------------------------
if command -v chromium >/dev/null; then
  # NODE_OPTIONS cleared: `make` sets --import tsx, given here once.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NODE_OPTIONS= timeout 180 node --import tsx --test --test-reporter=tap e2e/browser/dashboard.browser.ts > "$work/browser.out" 2>&1
  browser_rc=$?
  counted=0
  while IFS= read -r line; do
    case "$line" in
      "ok "*) pass "dashboard: ${line#*- }"; counted=$((counted+1)) ;;
      "not ok "*) fail "dashboard: ${line#*- }" "$(grep -m3 -E '^ +error:|^ +(expected|actual):' "$work/browser.out" | tr '\n' ' ' | cut -c1-300)"; counted=$((counted+1)) ;;
    esac
  done < <(grep -E '^(not )?ok [0-9]+ - ' "$work/browser.out")
  if [ "$counted" -eq 0 ] || { [ "$browser_rc" -ne 0 ] && [ "$failed" -eq 0 ]; }; then fail "dashboard browser tests ran" "$(tail -c 400 "$work/browser.out" | tr '\n' ' ')"; fi
else
  fail "dashboard browser tests" "chromium is not installed (Debian package chromium)"
fi

[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
