#!/usr/bin/env bash
# Installs what Parley needs on a fresh Debian machine; quiet and quick when it is all there.
# Called by `make run`, `make test` and `.ci/run`. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: build tools for native addons (re2, better-sqlite3); SIPp for the end-to-end tests.
APT_PACKAGES=(build-essential python3 make g++ sip-tester)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, exactly as locked: a clean install on a fresh clone; an incremental one when
# node_modules exists but package.json or the lock changed (never wipes a working tree).
if [ ! -d node_modules ]; then
  echo "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.installed
elif [ ! -f node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ] || [ package.json -nt node_modules/.installed ]; then
  echo "updating npm packages"
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules/.installed
fi
