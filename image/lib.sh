# image/lib.sh — helpers shared by image/build.sh and friends (sourced, not run).
# Same approach as scripts/sid-root.sh: every chroot step runs in a private mount namespace
# (`unshare --mount --propagation private`), so /proc, /dev binds etc. vanish with it even
# if the build is killed; an EXIT trap removes what is left.

CACHE="${SEATBOX_CACHE:-/var/cache/seatbox}"
IMG_CACHE="$CACHE/image"
MIRROR="${SEATBOX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="${SEATBOX_IMAGE_OUT:-$REPO/dist/image}"

SECONDS=0
log() { printf '[image +%4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mounts_under() {
  local dir; dir=$(realpath -m "$1")
  awk '{print $5}' /proc/self/mountinfo | while read -r m; do
    m=$(printf '%b' "$m")
    if [[ "$m" == "$dir" || "$m" == "$dir"/* ]]; then echo "$m"; fi
  done | sort -r
  return 0
}
umount_under() {
  local m
  mounts_under "$1" | while IFS= read -r m; do umount -l "$m" 2>/dev/null || true; done
  return 0
}
kill_procs_in() {
  local dir p r; dir=$(realpath -m "$1")
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    if [[ "$r" == "$dir" || "$r" == "$dir"/* ]]; then kill -9 "${p#/proc/}" 2>/dev/null || true; fi
  done
  return 0
}
remove_tree() {
  [[ -e "$1" ]] || return 0
  kill_procs_in "$1"
  umount_under "$1"
  rm -rf --one-file-system "$1"
}

# in_chroot DIR CMD... — chrooted, private /proc (+ /dev bind when CHROOT_DEV=1), clean env.
in_chroot() {
  local dir=$1; shift
  unshare --mount --propagation private -- /bin/sh -c '
    dir=$1; dev=$2; shift 2
    mount -t proc proc "$dir/proc" || exit 1
    if [ "$dev" = 1 ]; then mount --rbind /dev "$dir/dev" || exit 1; mount -t sysfs sys "$dir/sys" || exit 1; fi
    exec chroot "$dir" /usr/bin/env -i \
      PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true $CHROOT_ENV "$@"
  ' sh "$dir" "${CHROOT_DEV:-0}" "$@"
}

# apt_install DIR LOG PKG... — quiet apt-get install with a summary line; full log in LOG.
apt_install() {
  local dir=$1 aptlog=$2; shift 2
  if ! in_chroot "$dir" apt-get install -y -q --no-install-recommends "$@" >>"$aptlog" 2>&1; then
    tail -n 30 "$aptlog" >&2; die "apt-get install failed (full log: $aptlog)"
  fi
  grep -E '^(Need to get|After this operation)' "$aptlog" | tail -n 2 | sed 's/^/    /' >&2 || true
}

# The dkms block of scripts/sid-root.sh: a placeholder that Provides dahdi-dkms/dahdi-source,
# and an apt pin that makes any path to dkms / kernel headers fail loudly.
block_dkms() {
  local dir=$1
  mkdir -p "$dir/tmp/seatbox-no-dkms/DEBIAN"
  cat >"$dir/tmp/seatbox-no-dkms/DEBIAN/control" <<'EOF'
Package: seatbox-no-dahdi-dkms
Version: 1.0
Architecture: all
Maintainer: SeatBox <root@localhost>
Priority: optional
Section: misc
Provides: dahdi-dkms, dahdi-source
Description: SeatBox placeholder for the DAHDI kernel module sources
 Satisfies dahdi-linux's dependency on dahdi-dkms | dahdi-source so that no DKMS,
 compiler or kernel headers are installed (see scripts/sid-root.sh). Kernel modules for
 DAHDI cards are a separate, prebuilt artefact (not part of this image yet).
EOF
  cat >"$dir/etc/apt/preferences.d/90seatbox-no-dkms" <<'EOF'
# SeatBox: never build kernel modules in the image (see scripts/sid-root.sh).
Package: dkms dahdi-dkms dahdi-source linux-headers-*
Pin: version *
Pin-Priority: -1
EOF
  in_chroot "$dir" dpkg-deb --build --root-owner-group /tmp/seatbox-no-dkms /tmp/seatbox-no-dahdi-dkms.deb >/dev/null
  in_chroot "$dir" dpkg -i /tmp/seatbox-no-dahdi-dkms.deb >/dev/null
  rm -rf "$dir/tmp/seatbox-no-dkms" "$dir/tmp/seatbox-no-dahdi-dkms.deb"
}

# Create /dev nodes for the partitions of loop device $1 (no udev in build containers).
loop_part_nodes() {
  local loop=$1 base p devnum
  base=$(basename "$loop")
  for p in /sys/block/"$base"/"$base"p*; do
    [[ -e "$p/dev" ]] || continue
    devnum=$(cat "$p/dev")
    [[ -b "/dev/$(basename "$p")" ]] || mknod "/dev/$(basename "$p")" b "${devnum%%:*}" "${devnum##*:}"
  done
}
