#!/usr/bin/env bash
# scripts/setup.sh [demo|test] — everything SeatBox needs on a Debian 12 host, idempotently:
# host packages (apt), the cached Debian sid root with Asterisk 22, npm deps and the build.
# Caches live outside the repo (/var/cache/seatbox by default, SEATBOX_CACHE to move them).
set -euo pipefail
cd "$(dirname "$0")/.."
PURPOSE="${1:-demo}"

log() { printf '[setup] %s\n' "$*" >&2; }

if [[ $EUID -ne 0 ]]; then
  echo "setup.sh: run as root (it installs packages and chroots Asterisk)" >&2
  exit 1
fi

# Host packages: unshare/nsenter (util-linux), debootstrap for the sid root; for tests also
# SIPp, socat (pty pairs) and Debian's Chromium (browser tests; never a downloaded browser).
pkgs=(debootstrap util-linux procps ca-certificates)
if [[ "$PURPOSE" == test ]]; then pkgs+=(sip-tester socat chromium); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing host packages: ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

bash scripts/sid-root.sh

# npm deps: `npm install` normally ran already (README); install them if it did not.
if [[ ! -d node_modules/better-sqlite3 ]]; then
  log "installing npm dependencies"
  npm install --no-audit --no-fund
fi
# Rebuild when any source is newer than the build output.
stamp=dist/.build-stamp
if [[ ! -f $stamp ]] || [[ -n "$(find firmware-agent/src web-ui package.json -newer "$stamp" -type f -print -quit 2>/dev/null)" ]]; then
  log "building"
  npm run --silent build
  touch "$stamp"
fi
