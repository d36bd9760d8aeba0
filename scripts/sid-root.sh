#!/usr/bin/env bash
# scripts/sid-root.sh — build (once) the cached Debian sid root that carries Asterisk 22.
#
# Asterisk 22 is not in Debian 12, but it is in sid. The demo mode and the test
# suite run a real Asterisk chrooted in this root (see firmware-agent/src/pbx-runtime/).
#
#   ${SEATBOX_CACHE:-/var/cache/seatbox}/sid-root          the root (outside the repo)
#   ${SEATBOX_CACHE:-/var/cache/seatbox}/sid-root/.seatbox-stamp   written last; "ready" marker
#   ${SEATBOX_CACHE:-/var/cache/seatbox}/sid-root.lock     flock: one builder at a time
#
# Idempotent: a root whose stamp matches RECIPE and PACKAGES is left alone (a quick exit,
# no network). A changed package list tops the root up in place; a changed RECIPE (or
# --force, or a root without a stamp, e.g. a top-up that died) rebuilds from scratch in a
# temp dir that is renamed into place only once complete.
#
# Usage: scripts/sid-root.sh [--force] [--check]
#   --check   exit 0 if the root is ready and up to date, 1 otherwise; changes nothing
#   --force   rebuild from scratch even if the root is up to date
# Env: SEATBOX_CACHE (cache dir), SEATBOX_DEBIAN_MIRROR (default http://deb.debian.org/debian)
#
# Needs root. Works on a fresh Debian 12: installs the host tools it lacks itself.
set -euo pipefail

# Bump when the build steps change in a way that needs a rebuild (not for package changes).
RECIPE=1
PACKAGES=(
  asterisk asterisk-modules asterisk-dahdi
  asterisk-core-sounds-en asterisk-core-sounds-en-gsm asterisk-moh-opsound-gsm
  libtiff-tools ghostscript sox espeak-ng ffmpeg
)

CACHE="${SEATBOX_CACHE:-/var/cache/seatbox}"
ROOT="$CACHE/sid-root"
STAMP_NAME=".seatbox-stamp"
LOCK="$CACHE/sid-root.lock"
MIRROR="${SEATBOX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

FORCE=0
CHECK=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --check) CHECK=1 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "sid-root.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

SECONDS=0
log() { printf '[sid-root +%3ss] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The package list as one sorted line: what the stamp records and compares.
want_packages() { printf '%s\n' "${PACKAGES[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'; }
stamp_get() { sed -n "s/^$2=//p" "$1/$STAMP_NAME" 2>/dev/null | head -n1; }
root_state() { # prints: missing | stale-recipe | stale-packages | ok
  if [[ ! -f "$ROOT/$STAMP_NAME" || ! -x "$ROOT/usr/sbin/asterisk" ]]; then echo missing
  elif [[ "$(stamp_get "$ROOT" recipe)" != "$RECIPE" ]]; then echo stale-recipe
  elif [[ "$(stamp_get "$ROOT" packages)" != "$(want_packages)" ]]; then echo stale-packages
  else echo ok; fi
}

if [[ $CHECK == 1 ]]; then
  state=$(root_state)
  [[ $state == ok ]] && { echo "sid root ready: $ROOT (asterisk $(stamp_get "$ROOT" asterisk))"; exit 0; }
  echo "sid root not ready ($state): $ROOT — run scripts/sid-root.sh" >&2
  exit 1
fi

# Fast path, no lock, no network.
if [[ $FORCE == 0 && "$(root_state)" == ok ]]; then
  log "up to date: $ROOT (asterisk $(stamp_get "$ROOT" asterisk))"
  exit 0
fi

[[ $(id -u) == 0 ]] || die "must run as root (debootstrap, chroot, mount)"

# ---------------------------------------------------------------- host tools
host_missing=()
command -v debootstrap >/dev/null 2>&1 || host_missing+=(debootstrap)
command -v flock >/dev/null 2>&1 || host_missing+=(util-linux)
command -v unshare >/dev/null 2>&1 || host_missing+=(util-linux)
[[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] || host_missing+=(debian-archive-keyring)
command -v gpgv >/dev/null 2>&1 || host_missing+=(gpgv)
if (( ${#host_missing[@]} )); then
  log "installing host packages: ${host_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${host_missing[@]}" >/dev/null
fi

mkdir -p "$CACHE"

# ---------------------------------------------------------------- lock
exec 9>"$LOCK"
if ! flock -n 9; then
  log "another sid-root.sh holds $LOCK; waiting"
  flock 9
fi
# Re-check under the lock: a concurrent caller may have just built it.
state=$(root_state)
if [[ $FORCE == 0 && $state == ok ]]; then
  log "up to date (built by a concurrent run): $ROOT"
  exit 0
fi

# ---------------------------------------------------------------- helpers
# Every chroot step runs inside `unshare --mount --propagation private`: the /proc that
# the chroot needs (and the /proc + /sys that debootstrap mounts itself) live in a
# private mount namespace and vanish with it, even if this script is SIGKILLed.
# The EXIT trap below additionally unmounts anything that is still visible under the
# build dir from the host (belt and braces), and kills leftover processes.

# Mount points at or below $1 as seen from the host, deepest first.
mounts_under() {
  local dir; dir=$(realpath -m "$1")
  awk '{print $5}' /proc/self/mountinfo | while read -r m; do
    m=$(printf '%b' "$m")   # mountinfo escapes spaces etc. as \040
    if [[ "$m" == "$dir" || "$m" == "$dir"/* ]]; then echo "$m"; fi
  done | sort -r
  return 0
}
umount_under() {
  local m
  mounts_under "$1" | while IFS= read -r m; do
    log "unmounting leftover $m"
    umount -l "$m" 2>/dev/null || true
  done
  return 0
}
# Kill processes whose root directory is inside $1 (daemons a maintainer script left behind).
kill_procs_in() {
  local dir p r; dir=$(realpath -m "$1")
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    if [[ "$r" == "$dir" || "$r" == "$dir"/* ]]; then
      log "killing leftover process ${p#/proc/} ($(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | cut -c1-60))"
      kill -9 "${p#/proc/}" 2>/dev/null || true
    fi
  done
  return 0
}
remove_tree() {
  [[ -e "$1" ]] || return 0
  kill_procs_in "$1"
  umount_under "$1"
  # --one-file-system: never descend into anything still mounted below it.
  rm -rf --one-file-system "$1"
}

# Run a command chrooted in $1, with a private /proc, a clean environment.
in_chroot() {
  local dir=$1; shift
  unshare --mount --propagation private -- /bin/sh -c '
    dir=$1; shift
    mount -t proc proc "$dir/proc" || exit 1
    exec chroot "$dir" /usr/bin/env -i \
      PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true "$@"
  ' sh "$dir" "$@"
}

APTLOG="$CACHE/sid-root.apt.log"   # full apt output of the last build / top-up
apt_install() { # dir, packages...
  local dir=$1; shift
  : >"$APTLOG"
  log "apt-get update (sid)"
  if ! in_chroot "$dir" apt-get update -q >>"$APTLOG" 2>&1; then
    tail -n 30 "$APTLOG" >&2; die "apt-get update failed (full log: $APTLOG)"
  fi
  log "apt-get install --no-install-recommends $*"
  # Progress: download size, then a line every 40 packages unpacked/configured, errors.
  if ! in_chroot "$dir" apt-get install -y -q --no-install-recommends "$@" 2>&1 | tee -a "$APTLOG" | awk '
    /^(Need to get|After this operation|Fetched)/ { print "    " $0; fflush(); next }
    /^Unpacking /  { n++; if (n % 40 == 0) { print "    unpacked " n " packages"; fflush() } next }
    /^Setting up / { s++; if (s % 40 == 0) { print "    configured " s " packages"; fflush() } next }
    /^(E:|dpkg: error|Errors were)/ { print "    " $0; fflush(); next }
  ' >&2; then
    tail -n 30 "$APTLOG" >&2; die "apt-get install failed (full log: $APTLOG)"
  fi
  in_chroot "$dir" apt-get clean
}

write_stamp() { # dir
  local dir=$1 ver
  ver=$(in_chroot "$dir" dpkg-query -W -f='${Version}' asterisk)
  {
    echo "recipe=$RECIPE"
    echo "suite=sid"
    echo "packages=$(want_packages)"
    echo "asterisk=$ver"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$dir/$STAMP_NAME.new"
  mv "$dir/$STAMP_NAME.new" "$dir/$STAMP_NAME"
  log "asterisk $ver"
}

BUILD=""
cleanup() {
  local rc=$?
  set +e
  if [[ -n "$BUILD" && -e "$BUILD" ]]; then
    if [[ $rc != 0 ]]; then log "build failed (exit $rc); removing $BUILD"; fi
    remove_tree "$BUILD"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Leftovers of runs that were killed (we hold the lock, so nobody is using them).
for d in "$CACHE"/sid-root.build.* "$CACHE"/sid-root.old.*; do
  [[ -e "$d" ]] || continue
  log "removing stale $d"
  remove_tree "$d"
done

# ---------------------------------------------------------------- top-up
if [[ $FORCE == 0 && $state == stale-packages ]]; then
  log "package list changed; topping up $ROOT in place"
  rm -f "$ROOT/$STAMP_NAME"   # not ready until done; a failed top-up => full rebuild next time
  apt_install "$ROOT" "${PACKAGES[@]}"
  write_stamp "$ROOT"
  log "done: $ROOT"
  exit 0
fi

# ---------------------------------------------------------------- full build
BUILD=$(mktemp -d "$CACHE/sid-root.build.XXXXXX")
chmod 755 "$BUILD"   # mktemp makes 0700; it becomes / of the chroot (apt's _apt user reads it)
log "debootstrap --variant=minbase sid $BUILD $MIRROR"
unshare --mount --propagation private -- \
  debootstrap --variant=minbase sid "$BUILD" "$MIRROR" >"$BUILD.debootstrap.log" 2>&1 || {
    tail -n 30 "$BUILD.debootstrap.log" >&2; rm -f "$BUILD.debootstrap.log"; die "debootstrap failed"; }
rm -f "$BUILD.debootstrap.log"
log "debootstrap done"

# apt/dpkg settings for a fast, quiet, non-interactive build.
cat >"$BUILD/etc/apt/apt.conf.d/90seatbox" <<'EOF'
// SeatBox sid root (scripts/sid-root.sh)
Acquire::Check-Valid-Until "false";
Acquire::Languages "none";
Acquire::Retries "3";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "false";
EOF
# No fsync per file: the root is disposable and renamed into place only when complete.
echo 'force-unsafe-io' >"$BUILD/etc/dpkg/dpkg.cfg.d/90seatbox-unsafe-io"
# Docs, man pages and translations are never used in this root (copyright files kept).
cat >"$BUILD/etc/dpkg/dpkg.cfg.d/90seatbox-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
EOF
# Maintainer scripts must not start services in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$BUILD/usr/sbin/policy-rc.d"
chmod 755 "$BUILD/usr/sbin/policy-rc.d"

# --- keep DKMS out --------------------------------------------------------------
# asterisk-dahdi -> dahdi -> dahdi-linux -> (dahdi-dkms | dahdi-source); dahdi-dkms
# pre-depends on dkms, gcc and linux-headers and compiles kernel modules in its postinst:
# ~100 MB of downloads and minutes of CPU for modules that can never load here (the
# chroot shares the host kernel). chan_dahdi.so itself only needs the userspace libs.
#
# Chosen fix: a tiny local package "seatbox-no-dahdi-dkms" that Provides dahdi-dkms and
# dahdi-source, installed with dpkg before apt resolves anything. dahdi-linux's
# alternative is then already satisfied, so apt never selects the real dahdi-dkms.
# Built with dpkg-deb (part of dpkg, already in minbase), so no equivs and nothing extra
# to download. An apt pin (priority -1) on dkms/dahdi-dkms/dahdi-source/linux-headers-*
# makes any *future* path to them fail loudly at install time instead of silently
# building modules.
# Why not divert /usr/sbin/dkms or a policy hook: dkms would still drag in gcc,
# binutils, libc6-dev and the kernel headers (the slow, large part), and the postinst
# would still run; the dummy avoids all of it and survives upgrades (apt keeps a
# satisfied virtual dependency as is).
mkdir -p "$BUILD/tmp/seatbox-no-dkms/DEBIAN"
cat >"$BUILD/tmp/seatbox-no-dkms/DEBIAN/control" <<'EOF'
Package: seatbox-no-dahdi-dkms
Version: 1.0
Architecture: all
Maintainer: SeatBox <root@localhost>
Priority: optional
Section: misc
Provides: dahdi-dkms, dahdi-source
Description: SeatBox placeholder for the DAHDI kernel module sources
 Satisfies dahdi-linux's dependency on dahdi-dkms | dahdi-source so that no DKMS,
 compiler or kernel headers are installed into the SeatBox sid root. DAHDI kernel
 modules cannot be loaded there anyway.
EOF
cat >"$BUILD/etc/apt/preferences.d/90seatbox-no-dkms" <<'EOF'
# SeatBox: never build kernel modules in this root (see scripts/sid-root.sh).
Package: dkms dahdi-dkms dahdi-source linux-headers-*
Pin: version *
Pin-Priority: -1
EOF
in_chroot "$BUILD" dpkg-deb --build --root-owner-group /tmp/seatbox-no-dkms /tmp/seatbox-no-dahdi-dkms.deb >/dev/null
in_chroot "$BUILD" dpkg -i /tmp/seatbox-no-dahdi-dkms.deb >/dev/null
rm -rf "$BUILD/tmp/seatbox-no-dkms" "$BUILD/tmp/seatbox-no-dahdi-dkms.deb"

apt_install "$BUILD" "${PACKAGES[@]}"
if in_chroot "$BUILD" dpkg-query -W -f='${Status}\n' dkms 2>/dev/null | grep -q 'ok installed'; then
  die "dkms got installed despite the placeholder package"
fi
rm -rf "$BUILD/var/lib/apt/lists/"*   # ~60 MB; a top-up runs apt-get update anyway

# Mount point for the per-instance directory (ChrootAsterisk binds it there).
mkdir -p "$BUILD/seatbox"
# Device nodes Asterisk and the media tools open (debootstrap mknods them when run as
# root; make sure, since ChrootAsterisk does not bind the host's /dev). /dev/shm and
# /tmp get a private tmpfs / bind per instance at run time.
for spec in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
  read -r name major minor <<<"$spec"
  if [[ ! -c "$BUILD/dev/$name" ]]; then
    rm -f "$BUILD/dev/$name"
    mknod -m 666 "$BUILD/dev/$name" c "$major" "$minor"
  fi
done
mkdir -p "$BUILD/dev/shm"
# debootstrap leaves no /etc/hosts; without one res_resolver_unbound declines to load
# and "localhost" does not resolve inside the root.
if [[ ! -s "$BUILD/etc/hosts" ]]; then
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$BUILD/etc/hosts"
fi

kill_procs_in "$BUILD"
umount_under "$BUILD"
write_stamp "$BUILD"

# ---------------------------------------------------------------- into place
if [[ -e "$ROOT" ]]; then
  OLD="$CACHE/sid-root.old.$$"
  mv "$ROOT" "$OLD"
  mv "$BUILD" "$ROOT"
  BUILD=""
  remove_tree "$OLD"
else
  mv "$BUILD" "$ROOT"
  BUILD=""
fi
log "done: $ROOT ($(du -sh --one-file-system "$ROOT" | cut -f1))"
