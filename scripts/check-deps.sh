#!/usr/bin/env bash
# Dependency rules (CONVENTIONS 1), and proof that they bite: a deliberate core -> adapters
# import and a deliberate inversify import outside the composition root must both be refused.
set -euo pipefail
cd "$(dirname "$0")/.."
depcruise() { NODE_OPTIONS= node_modules/.bin/depcruise --config .dependency-cruiser.cjs --output-type err "$@"; }
depcruise core adapters sim features bench

probe_core=core/zz-dependency-probe.ts
probe_inv=sim/zz-dependency-probe.ts
probe_io=core/zz-dependency-probe-io.ts
trap 'rm -f "$probe_core" "$probe_inv" "$probe_io"' EXIT
echo "import { createSipService } from '../adapters/sip/app/sip-service.js'; export const probe = createSipService" > "$probe_core"
echo "import { Container } from 'inversify'; export const probe = Container" > "$probe_inv"
echo "import { readFileSync } from 'node:fs'; export const probe = readFileSync" > "$probe_io"
for probe in "$probe_core" "$probe_inv" "$probe_io"; do
  if depcruise "$probe" >/dev/null 2>&1; then
    echo "dependency rules did not refuse $probe: the layout is not enforced" >&2
    exit 1
  fi
done
echo "dependency rules refuse core -> adapters, core -> node:fs, and inversify outside adapters/node/"
