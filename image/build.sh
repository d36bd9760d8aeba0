#!/usr/bin/env bash
# image/build.sh — build the bootable SeatBox appliance disk image (x86-64, Debian sid).
#
#   dist/image/seatbox.img            GPT disk: 1 BIOS boot | 2 boot (GRUB, grubenv) |
#                                     3 root A | 4 root B | 5 data (/data: SQLite, recordings, config)
#   dist/image/rootfs.ext4            the root filesystem written to slot A (update payload)
#   dist/image/seatbox-VERSION.bundle signed update bundle of that root (dev key)
#   dist/image/packages.manifest      exact Debian package versions of this build
#   dist/image/update-key.pub         the public key baked into the image
#
# Stages, cached under ${SEATBOX_CACHE:-/var/cache/seatbox}/image:
#   base/          debootstrap minbase sid + every Debian package (kernel, systemd, Asterisk,
#                  DAHDI tools, nodejs, chrony, nftables, GRUB); rebuilt when RECIPE or the
#                  package list changes, or with --refresh
#   node-modules/  production npm deps, native modules (better-sqlite3, argon2) compiled in a
#                  throwaway copy of base with gcc + Debian's node headers, for the image's node
#   keys/          dev update signing key (ed25519), generated once; never in git
#
# Reproducibility: snapshot.debian.org is not reachable from here, so the build cannot be
# pinned to a snapshot date. Instead every build records the exact version of every
# installed package in packages.manifest, and `--from-manifest FILE` installs exactly those
# versions (apt `pkg=version`). That works as long as deb.debian.org still carries those
# versions — for sid that is days, not months; a vanished version fails the build loudly
# rather than silently drifting. npm deps are pinned by package-lock.json.
#
# Usage: image/build.sh [--refresh] [--from-manifest FILE] [--no-bundle]
# Env: SEATBOX_CACHE, SEATBOX_DEBIAN_MIRROR, SEATBOX_IMAGE_OUT (default dist/image),
#      SEATBOX_UPDATE_KEY (private key PEM; default the dev key in the cache)
# Needs root (debootstrap, chroot, loop devices). Run heavy builds under nice/ionice.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RECIPE=3
BASE_PACKAGES=(
  linux-image-amd64 initramfs-tools zstd kmod udev
  systemd systemd-sysv systemd-resolved dbus-broker
  grub-pc-bin grub2-common
  iproute2 iputils-ping netbase procps less nano-tiny
  e2fsprogs util-linux
  chrony nftables
  asterisk asterisk-modules asterisk-dahdi asterisk-core-sounds-en-gsm asterisk-moh-opsound-gsm dahdi
  nodejs
)
# Only in the throwaway stage that compiles the native npm modules.
BUILD_PACKAGES=(gcc g++ make python3 libnode-dev)

REFRESH=0
FROM_MANIFEST=""
BUNDLE=1
while (($#)); do
  case "$1" in
    --refresh) REFRESH=1 ;;
    --from-manifest) FROM_MANIFEST=$(realpath "$2"); shift ;;
    --no-bundle) BUNDLE=0 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
[[ $(id -u) == 0 ]] || die "must run as root (debootstrap, chroot, loop devices)"

for tool in debootstrap sfdisk mke2fs unshare flock node; do
  command -v "$tool" >/dev/null || die "host tool missing: $tool (apt-get install debootstrap fdisk e2fsprogs util-linux)"
done

mkdir -p "$IMG_CACHE" "$OUT_DIR"
exec 9>"$IMG_CACHE/build.lock"
flock -n 9 || { log "another image build holds $IMG_CACHE/build.lock; waiting"; flock 9; }

TMPS=()

cleanup() {
  local rc=$? d
  set +e
  for d in "${TMPS[@]}"; do remove_tree "$d"; done
  [[ $rc != 0 ]] && log "build failed (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ stage 1: base
BASE="$IMG_CACHE/base"
APTLOG="$IMG_CACHE/apt.log"
want_base() {
  { echo "recipe=$RECIPE"; printf '%s\n' "${BASE_PACKAGES[@]}" | sort -u | tr '\n' ' '; echo;
    if [[ -n $FROM_MANIFEST ]]; then sha256sum <"$FROM_MANIFEST" | cut -d' ' -f1; fi; } | sha256sum | cut -c1-16
}
if [[ $REFRESH == 1 || ! -f "$BASE/.seatbox-base" || "$(cat "$BASE/.seatbox-base")" != "$(want_base)" ]]; then
  new="$IMG_CACHE/base.build.$$"; TMPS+=("$new")
  rm -rf --one-file-system "$IMG_CACHE"/base.build.* 2>/dev/null || true
  mkdir -p "$new"; chmod 755 "$new"
  log "debootstrap --variant=minbase sid ($MIRROR)"
  unshare --mount --propagation private -- debootstrap --variant=minbase sid "$new" "$MIRROR" >"$IMG_CACHE/debootstrap.log" 2>&1 ||
    { tail -n 30 "$IMG_CACHE/debootstrap.log" >&2; die "debootstrap failed"; }
  cat >"$new/etc/apt/apt.conf.d/90seatbox" <<'EOF'
// SeatBox appliance image (image/build.sh)
// The build host clock may be off (and the mirror may lag): do not refuse the Release file.
Acquire::Check-Valid-Until "false";
Acquire::Languages "none";
Acquire::Retries "3";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "false";
EOF
  echo 'force-unsafe-io' >"$new/etc/dpkg/dpkg.cfg.d/90seatbox-unsafe-io"
  cat >"$new/etc/dpkg/dpkg.cfg.d/90seatbox-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/lintian/*
EOF
  printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"; chmod 755 "$new/usr/sbin/policy-rc.d"
  # initramfs: generic (the box's disk controller is not known at build time), zstd.
  mkdir -p "$new/etc/initramfs-tools/conf.d"
  printf 'MODULES=most\nCOMPRESS=zstd\n' >"$new/etc/initramfs-tools/conf.d/seatbox.conf"
  # Kernel image symlinks /vmlinuz and /initrd.img at the root of each slot (grub.cfg uses them).
  printf 'do_symlinks = yes\nlink_in_boot = no\n' >"$new/etc/kernel-img.conf"
  block_dkms "$new"
  : >"$APTLOG"
  log "apt-get update"
  in_chroot "$new" apt-get update -q >>"$APTLOG" 2>&1 || { tail -n 20 "$APTLOG" >&2; die "apt-get update failed"; }
  if [[ -n $FROM_MANIFEST ]]; then
    # Exact versions of a previous build (name=version per line; the placeholder is local).
    mapfile -t pins < <(grep -v -e '^#' -e '^seatbox-' "$FROM_MANIFEST" | awk -F'\t' 'NF==2 {print $1"="$2}')
    log "installing ${#pins[@]} packages at the versions of $FROM_MANIFEST"
    apt_install "$new" "$APTLOG" "${pins[@]}"
  else
    log "installing ${#BASE_PACKAGES[@]} packages (+ dependencies)"
    apt_install "$new" "$APTLOG" "${BASE_PACKAGES[@]}"
  fi
  if in_chroot "$new" dpkg-query -W -f='${Status}\n' dkms 2>/dev/null | grep -q 'ok installed'; then die "dkms got installed"; fi
  in_chroot "$new" apt-get clean
  rm -rf "$new/var/lib/apt/lists/"*
  kill_procs_in "$new"; umount_under "$new"
  want_base >"$new/.seatbox-base"
  rm -rf --one-file-system "$BASE"; mv "$new" "$BASE"
  log "base ready ($(du -sh --one-file-system "$BASE" | cut -f1))"
else
  log "base up to date ($BASE)"
fi
NODE_VERSION=$(in_chroot "$BASE" node --version)
{
  echo "# SeatBox image package manifest: name<TAB>version (image/build.sh --from-manifest)"
  echo "# node $NODE_VERSION; mirror $MIRROR; suite sid; built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  in_chroot "$BASE" dpkg-query -W -f='${Package}\t${Version}\n' | sort
} >"$OUT_DIR/packages.manifest"

# ------------------------------------------------------------------ stage 2: npm deps
NM="$IMG_CACHE/node-modules"
nm_key=$( { cat "$REPO/package-lock.json"; echo "$NODE_VERSION"; echo "$RECIPE"; } | sha256sum | cut -c1-16)
if [[ ! -f "$NM/.seatbox-nm" || "$(cat "$NM/.seatbox-nm")" != "$nm_key" ]]; then
  stage="$IMG_CACHE/npm-stage.$$"; TMPS+=("$stage")
  log "npm stage: copy of base + ${BUILD_PACKAGES[*]}"
  cp -a --reflink=auto "$BASE" "$stage"
  : >"$APTLOG.npm"
  cp /etc/resolv.conf "$stage/etc/resolv.conf"
  in_chroot "$stage" apt-get update -q >>"$APTLOG.npm" 2>&1 || die "apt-get update (npm stage) failed"
  apt_install "$stage" "$APTLOG.npm" "${BUILD_PACKAGES[@]}"
  # 1. Fetch (host): production deps exactly as package-lock.json pins them, no scripts. The
  #    host's npm has the registry's CA and cache; nothing here is platform specific except
  #    the two native modules, which are compiled next.
  src="$IMG_CACHE/npm-src"
  rm -rf "$src"; mkdir -p "$src"
  cp "$REPO/package.json" "$REPO/package-lock.json" "$src/"
  log "npm install --omit=dev --ignore-scripts (host: fetch only)"
  (cd "$src" && nice -n 19 npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >"$IMG_CACHE/npm.log" 2>&1) ||
    { tail -n 30 "$IMG_CACHE/npm.log" >&2; die "npm install (fetch) failed (log: $IMG_CACHE/npm.log)"; }
  mkdir -p "$stage/build"
  mv "$src/node_modules" "$stage/build/node_modules"
  cp "$REPO/package.json" "$stage/build/"
  # 2. Compile (chroot): node-gyp (the host npm's copy, pure JS) run by the image's own node
  #    against that node's headers (libnode-dev, --nodedir=/usr); no network needed.
  npm_dir=$(dirname "$(dirname "$(realpath "$(command -v npm)")")")
  cp -a "$npm_dir" "$stage/tmp/npm"
  log "compiling better-sqlite3 and argon2 for the image's node $NODE_VERSION"
  in_chroot "$stage" /bin/sh -c '
    set -e
    for m in better-sqlite3 argon2; do
      cd /build/node_modules/$m
      rm -rf build prebuilds
      nice -n 19 node /tmp/npm/node_modules/node-gyp/bin/node-gyp.js rebuild --release --nodedir=/usr -j 2
    done' >>"$IMG_CACHE/npm.log" 2>&1 ||
    { tail -n 40 "$IMG_CACHE/npm.log" >&2; die "native module build in the chroot failed (log: $IMG_CACHE/npm.log)"; }
  # Prove the modules load with the image's node before keeping them.
  in_chroot "$stage" /bin/sh -c 'cd /build && node -e "
    const D = require(\"better-sqlite3\"); new D(\":memory:\").prepare(\"select 1\").get();
    require(\"argon2\");"' || die "native modules do not load in the image's node"
  rm -rf "$NM.new"; mkdir -p "$NM.new"
  mv "$stage/build/node_modules" "$NM.new/node_modules"
  # Build leftovers that are not needed at run time.
  find "$NM.new/node_modules/better-sqlite3" "$NM.new/node_modules/argon2" \
    \( -path '*/build/Release/obj*' -o -name '*.o' -o -name '*.a' -o -path '*/deps/sqlite3' -o -path '*/prebuilds' \) -prune -exec rm -rf {} + 2>/dev/null || true
  echo "$nm_key" >"$NM.new/.seatbox-nm"
  rm -rf "$NM"; mv "$NM.new" "$NM"
  log "node modules ready ($(du -sh "$NM" | cut -f1))"
else
  log "node modules up to date"
fi

# ------------------------------------------------------------------ keys
KEYS="$IMG_CACHE/keys"
PRIV="${SEATBOX_UPDATE_KEY:-$KEYS/update.key}"
if [[ ! -f "$PRIV" ]]; then
  mkdir -p "$KEYS"; chmod 700 "$KEYS"
  log "generating the dev update signing key $PRIV"
  (umask 077; node -e '
    const c = require("node:crypto");
    const k = c.generateKeyPairSync("ed25519");
    process.stdout.write(k.privateKey.export({ type: "pkcs8", format: "pem" }));' >"$PRIV")
fi
node -e '
  const c = require("node:crypto"); const fs = require("node:fs");
  process.stdout.write(c.createPublicKey(fs.readFileSync(process.argv[1])).export({ type: "spki", format: "pem" }));' "$PRIV" >"$OUT_DIR/update-key.pub"

# ------------------------------------------------------------------ stage 3: root
if [[ ! -f "$REPO/dist/.build-stamp" || -n "$(find "$REPO/firmware-agent/src" "$REPO/web-ui" "$REPO/package.json" -newer "$REPO/dist/.build-stamp" -type f -print -quit)" ]]; then
  log "npm run build (agent + web UI)"
  (cd "$REPO" && nice -n 19 npm run --silent build >/dev/null) && touch "$REPO/dist/.build-stamp"
fi
PKG_VERSION=$(node -p 'require(process.argv[1]).version' "$REPO/package.json")
BUILD_ID="$(date -u +%Y%m%d.%H%M%S)"
VERSION="${SEATBOX_IMAGE_VERSION:-$PKG_VERSION+$BUILD_ID}"

ROOT="$IMG_CACHE/root.$$"; TMPS+=("$ROOT")
log "root: base + SeatBox $VERSION"
cp -a --reflink=auto "$BASE" "$ROOT"
APP="$ROOT/opt/seatbox"
mkdir -p "$APP/firmware-agent" "$APP/dist"
cp "$REPO/package.json" "$APP/"
cp -a "$REPO/firmware-agent/bin" "$REPO/firmware-agent/migrations" "$APP/firmware-agent/"
cp -a "$REPO/dist/firmware-agent" "$REPO/dist/web-ui" "$APP/dist/"
cp -a "$REPO/asterisk-conf" "$APP/"
cp -a "$NM/node_modules" "$APP/"
find "$APP/dist" -name '*.map' -delete
# Overlay: systemd units, first boot, health check, fstab, networking ...
cp -a "$REPO/image/rootfs/." "$ROOT/"
chmod 755 "$ROOT"/usr/lib/seatbox/*
mkdir -p "$ROOT/usr/share/seatbox" "$ROOT/data" "$ROOT/bootpart"
cp "$OUT_DIR/update-key.pub" "$ROOT/usr/share/seatbox/update-key.pub"
printf 'SEATBOX_VERSION=%s\nSEATBOX_BUILD=%s\n' "$VERSION" "$BUILD_ID" >"$ROOT/etc/seatbox-release"
# /seatbox: where the generated asterisk.conf points Asterisk (same paths as in the demo's
# chroot); on the appliance it is the agent's instance dir on the data partition.
ln -sfn /data/seatbox/asterisk "$ROOT/seatbox"
echo seatbox >"$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tseatbox\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
: >"$ROOT/etc/machine-id"   # first boot generates it
rm -f "$ROOT/usr/sbin/policy-rc.d" "$ROOT/etc/dpkg/dpkg.cfg.d/90seatbox-unsafe-io" "$ROOT/etc/resolv.conf"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$ROOT/etc/resolv.conf"
in_chroot "$ROOT" /bin/sh -c '
  set -e
  systemctl enable seatbox-firstboot.service seatbox-agent.service seatbox-health.service systemd-networkd.service systemd-resolved.service chrony.service nftables.service >/dev/null 2>&1
  systemctl disable asterisk.service >/dev/null 2>&1 || true   # the agent starts it once its config is written
  systemctl disable grub2-common.service >/dev/null 2>&1 || true   # Debian boot-success recorder for /boot/grub; ours is seatbox-health
  systemctl mask systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true
  passwd -l root >/dev/null
' || die "systemd set-up in the root failed"
# Size trimming: no apt caches/lists, no docs, no python byte code.
rm -rf "$ROOT/var/cache/apt/"*.bin "$ROOT/var/lib/apt/lists/"* "$ROOT/usr/share/doc-base" \
  "$ROOT/var/log/"*.log "$ROOT/var/cache/debconf/"*-old "$ROOT/.seatbox-base"
# Translations (debootstrap's, before the dpkg excludes applied), and kernel drivers for
# hardware an appliance box does not have: Wi-Fi, Bluetooth, sound cards, TV/cameras,
# InfiniBand, staging, industrial I/O (about 70 MiB). The initramfs keeps its own copies.
rm -rf "$ROOT/usr/share/locale/"*
for kdir in "$ROOT"/usr/lib/modules/*/; do
  kver=$(basename "$kdir")
  for d in drivers/net/wireless drivers/bluetooth net/bluetooth net/wireless net/mac80211 sound drivers/media drivers/infiniband drivers/staging drivers/iio; do
    rm -rf "${kdir}kernel/$d"
  done
  in_chroot "$ROOT" depmod -a "$kver"
done
kill_procs_in "$ROOT"; umount_under "$ROOT"

used_mb=$(( $(du -sm --one-file-system "$ROOT" | cut -f1) ))
ROOT_FS_MB=$(( (used_mb * 125 / 100 + 128 + 63) / 64 * 64 ))
ROOT_PART_MB=${SEATBOX_ROOT_PART_MB:-$(( ROOT_FS_MB < 1024 ? 1536 : (ROOT_FS_MB * 3 / 2 + 63) / 64 * 64 ))}
log "root uses ${used_mb} MiB; root fs ${ROOT_FS_MB} MiB; slot ${ROOT_PART_MB} MiB"
rm -f "$OUT_DIR/rootfs.ext4"
# ext4 straight from the directory (no mount); features GRUB 2.12 reads.
mke2fs -q -t ext4 -L seatbox-root -O ^metadata_csum_seed,^orphan_file -E root_owner=0:0 \
  -d "$ROOT" "$OUT_DIR/rootfs.ext4" "${ROOT_FS_MB}M" || die "mke2fs -d failed"
e2fsck -fn "$OUT_DIR/rootfs.ext4" >/dev/null || die "the root filesystem does not check clean"
echo "$VERSION" >"$OUT_DIR/rootfs.version"

# ------------------------------------------------------------------ stage 4: disk
BOOT_MB=64; DATA_MB=${SEATBOX_DATA_PART_MB:-1024}
DISK_MB=$(( 1 + 1 + BOOT_MB + 2 * ROOT_PART_MB + DATA_MB + 1 ))
IMG="$OUT_DIR/seatbox.img"
rm -f "$IMG" "$IMG.tmp"
truncate -s "${DISK_MB}M" "$IMG.tmp"
sfdisk -q "$IMG.tmp" <<EOF
label: gpt
start=2048, size=1MiB, type=21686148-6449-6E6F-744E-656564454649, name=bios-boot
size=${BOOT_MB}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=seatbox-boot
size=${ROOT_PART_MB}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=seatbox-root-a
size=${ROOT_PART_MB}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=seatbox-root-b
type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=seatbox-data
EOF
# No loop devices or mounts: build containers often cannot scan loop partitions. Every
# filesystem is made as a file (mke2fs -d) and copied to its partition's offset; GRUB's
# core.img and boot sector are made with grub-mkimage and placed by hand (what
# grub-bios-setup does for a GPT disk with a BIOS boot partition).
part() { sfdisk -d "$IMG.tmp" | awk -v n="$IMG.tmp$1" '$1 == n { gsub(/[=,]/, " "); for (i = 1; i <= NF; i++) { if ($i == "start") s = $(i+1); if ($i == "size") z = $(i+1) } print s, z }'; }
put() { # file partition-number
  local start size; read -r start size < <(part "$2")
  (( $(stat -c %s "$1") <= size * 512 )) || die "$1 does not fit partition $2"
  dd if="$1" of="$IMG.tmp" bs=1M seek=$(( start * 512 )) oflag=seek_bytes conv=notrunc,sparse status=none
}
read -r BIOS_START _ < <(part 1)
[[ -n $BIOS_START ]] || die "cannot read the partition table back"
W="$IMG_CACHE/disk.$$"; TMPS+=("$W")
mkdir -p "$W/boot/grub"
log "GRUB (i386-pc, the image's $(in_chroot "$ROOT" dpkg-query -W -f='${Version}' grub-pc-bin)): core.img, modules, grub.cfg, grubenv"
cp -a "$ROOT/usr/lib/grub/i386-pc" "$W/boot/grub/i386-pc"
rm -f "$W/boot/grub/i386-pc/"*.image "$W/boot/grub/i386-pc/"*.module "$W/boot/grub/i386-pc/"*.exec 2>/dev/null || true
cp "$REPO/image/grub/grub.cfg" "$W/boot/grub/grub.cfg"
mkdir -p "$ROOT/tmp/disk"
in_chroot "$ROOT" /bin/sh -c '
  set -e
  grub-mkimage -O i386-pc -o /tmp/disk/core.img -p "(hd0,gpt2)/grub" biosdisk part_gpt ext2
  grub-editenv /tmp/disk/grubenv create
  grub-editenv /tmp/disk/grubenv set boot_slot=a prev_slot=a boot_success=1 boot_tries=0
' || die "grub-mkimage failed"
mv "$ROOT/tmp/disk/grubenv" "$W/boot/grub/grubenv"
core="$ROOT/tmp/disk/core.img"
core_bytes=$(stat -c %s "$core")
(( core_bytes <= 1024 * 1024 )) || die "core.img ($core_bytes bytes) does not fit the BIOS boot partition"
# The boot partition: ext2 (GRUB's save_env rewrites grubenv's blocks in place).
mke2fs -q -t ext2 -L seatbox-boot -E root_owner=0:0 -d "$W/boot" "$W/boot.ext2" "${BOOT_MB}M"
put "$W/boot.ext2" 2
# core.img into the BIOS boot partition; its first sector (diskboot) loads the rest from
# the blocklist at its end: start LBA (u64 at 0x1f4), length already set by grub-mkimage.
node -e '
  const fs = require("fs"); const [core, lba] = [process.argv[1], BigInt(process.argv[2])];
  const b = fs.readFileSync(core); b.writeBigUInt64LE(lba + 1n, 0x200 - 12); fs.writeFileSync(core, b);' "$core" "$BIOS_START"
dd if="$core" of="$IMG.tmp" bs=512 seek="$BIOS_START" conv=notrunc status=none
# boot.img into the MBR's first 440 bytes (the protective MBR's partition table stays):
# LBA of core.img at 0x5c, "use the BIOS boot drive" (0xff) at 0x64, hard-disk NOPs at 0x66.
node -e '
  const fs = require("fs"); const [bootImg, lba] = [process.argv[1], BigInt(process.argv[2])];
  const b = fs.readFileSync(bootImg); b.writeBigUInt64LE(lba, 0x5c); b[0x64] = 0xff; b[0x66] = 0x90; b[0x67] = 0x90;
  fs.writeFileSync(bootImg + ".patched", b.subarray(0, 440));' "$ROOT/usr/lib/grub/i386-pc/boot.img" "$BIOS_START"
dd if="$ROOT/usr/lib/grub/i386-pc/boot.img.patched" of="$IMG.tmp" bs=440 count=1 conv=notrunc status=none
rm -f "$ROOT/usr/lib/grub/i386-pc/boot.img.patched"
put "$OUT_DIR/rootfs.ext4" 3
# Data partition: an empty ext4 sized to the partition (first boot lays it out).
read -r _ data_sectors < <(part 5)
mke2fs -q -t ext4 -L seatbox-data -O ^metadata_csum_seed,^orphan_file "$W/data.ext4" "$(( data_sectors / 2 ))k"
put "$W/data.ext4" 5
rm -f "$W/data.ext4" "$W/boot.ext2"
sync
mv "$IMG.tmp" "$IMG"
echo "$VERSION" >"$OUT_DIR/seatbox.version"

# ------------------------------------------------------------------ stage 5: bundle
if [[ $BUNDLE == 1 ]]; then
  rm -f "$OUT_DIR"/seatbox-*.bundle
  SEATBOX_UPDATE_KEY="$PRIV" bash "$REPO/image/make-bundle.sh" --root "$OUT_DIR/rootfs.ext4" --version "$VERSION" \
    --out "$OUT_DIR/seatbox-$VERSION.bundle" >/dev/null
fi

log "done: $IMG (${DISK_MB} MiB apparent, $(du -m "$IMG" | cut -f1) MiB allocated; root fs ${ROOT_FS_MB} MiB, $used_mb MiB used) version $VERSION"
