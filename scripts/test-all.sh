#!/usr/bin/env bash
# The one gate (CONVENTIONS 15): every check runs, each result is counted, and the last line
# says `N passed, N failed`. Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0; failed=0; failures=()
run() {
  local name=$1; shift
  echo "=== $name"
  local start=$SECONDS
  if "$@"; then passed=$((passed+1)); echo "=== $name: ok ($((SECONDS-start)) s)"
  else failed=$((failed+1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS-start)) s)"; fi
}
run typecheck make -s typecheck
run lint make -s lint
run dependency-rules make -s deps
run unit-and-property make -s unit
[ -f cucumber.mjs ] && run features-sim make -s features-sim
[ -f features/support/wire-world.ts ] && run features-wire make -s features-wire
[ -x e2e/run.sh ] && run end-to-end make -s e2e
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
