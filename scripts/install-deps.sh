#!/usr/bin/env bash
# Installs what Parley needs on a fresh Debian machine; quiet and quick when it is all there.
# Called by `make run`, `make test` and `.ci/run`. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: build tools for native addons (re2, better-sqlite3); SIPp for the end-to-end tests;
# the media worker's GStreamer 1.22 with its plugins and GObject introspection data, what node-gtk
# builds against (girepository, cairo, pkg-config), gstreamer1.0-x for Pango's textoverlay (names on video tiles, splash text), and espeak-ng for the spoken prompts; chromium
# for the dashboard's browser tests (playwright-core drives it and downloads no browser itself).
# Kamailio 5.6 with its presence modules: the presence bench's reference (bench/references/).
# baresip-core (the baresip binary and its modules, without the GTK front end): the real SIP user
# agent of the end-to-end checks (e2e/baresip.sh).
APT_PACKAGES=(build-essential python3 make g++ sip-tester pkg-config
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  gstreamer1.0-x
  libgirepository1.0-dev libcairo2-dev espeak-ng chromium
  kamailio kamailio-presence-modules
  baresip-core)
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

# node-gtk (the media worker's GStreamer binding) is built from source against the Debian
# libraries above: node-pre-gyp would first try to download a prebuilt binary from S3 (there are
# none for Node 20, and CI has no network but Debian and npm); this makes it build at once.
export npm_config_build_from_source=node-gtk

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

# A tree installed before node-gtk's build was allowed, or whose build was interrupted.
if ! compgen -G 'node_modules/node-gtk/lib/binding/*/node_gtk.node' >/dev/null; then
  echo "building node-gtk"
  npm rebuild node-gtk --no-audit --no-fund --loglevel=error >/dev/null
fi

# The media worker's prompts (committed; remade only when one is missing).
for f in pin-prompt invalid-pin conference-ending hold-music; do
  if [ ! -f "assets/prompts/$f.wav" ]; then
    echo "generating prompts"
    node --import tsx adapters/media/gst/prompts/generate-prompts.ts
    break
  fi
done
