#!/usr/bin/env bash
# image/run-qemu.sh — boot the appliance image in qemu.
#   image/run-qemu.sh [--image FILE] [--snapshot] [--serial stdio|pty|file:PATH] [--port N] [--mem MB]
# KVM when /dev/kvm is usable, else TCG (a Debian kernel reaches its initramfs in ~11 s on TCG
# here; the web UI takes minutes). The web UI/API is forwarded to http://127.0.0.1:PORT
# (default 18080). Serial console ttyS0 at 115200 8N1: on this terminal (default, -nographic;
# Ctrl-A X quits), on a pty (path printed), or into a file (tests).
# --snapshot: writes go to a temporary overlay; the image file is left untouched.
# Env: SEATBOX_QEMU_ACCEL=kvm|tcg forces the accelerator; SEATBOX_QEMU_PIDFILE writes qemu's pid.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
IMG="$REPO/dist/image/seatbox.img"
SERIAL=stdio
PORT=18080
MEM=1536
SNAP=()
while (($#)); do
  case "$1" in
    --image) IMG=$2; shift ;;
    --serial) SERIAL=$2; shift ;;
    --port) PORT=$2; shift ;;
    --mem) MEM=$2; shift ;;
    --snapshot) SNAP=(-snapshot) ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run-qemu.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -f $IMG ]] || { echo "run-qemu.sh: no image $IMG (run image/build.sh)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "run-qemu.sh: apt-get install qemu-system-x86" >&2; exit 1; }

accel=${SEATBOX_QEMU_ACCEL:-}
if [[ -z $accel ]]; then
  accel=tcg
  # /dev/kvm may exist and still fail (no nested virtualisation): probe it. A working KVM
  # keeps the paused machine running until timeout kills it (124); a broken one fails at once.
  if [[ -w /dev/kvm ]]; then
    rc=$( { timeout 4 qemu-system-x86_64 -accel kvm -M q35 -cpu host -smp 2 -m 256 -nodefaults -display none -monitor none -S </dev/null >/dev/null 2>&1; echo $?; } 2>/dev/null )
    [[ $rc == 124 ]] && accel=kvm
  fi
fi
if [[ $accel == kvm ]]; then cpu=(-accel kvm -cpu host); else cpu=(-accel tcg,thread=multi,tb-size=256 -cpu max); fi

case "$SERIAL" in
  stdio) serial=(-nographic) ;;
  pty) serial=(-display none -serial pty -monitor none) ;;
  file:*) serial=(-display none -serial "$SERIAL" -monitor none) ;;
  *) echo "run-qemu.sh: --serial stdio|pty|file:PATH" >&2; exit 2 ;;
esac
echo "run-qemu.sh: $IMG, accel $accel, web UI http://127.0.0.1:$PORT, serial $SERIAL" >&2
[[ $SERIAL == pty ]] && echo "run-qemu.sh: the serial console is the 'char device redirected to /dev/pts/N' line below" >&2
args=(
  -machine q35 "${cpu[@]}" -smp 2 -m "$MEM"
  -drive "file=$IMG,format=raw,if=virtio,cache=unsafe"
  -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:8080" -device virtio-net-pci,netdev=n0
  -device i6300esb -action watchdog=reset
)
if [[ -n ${SEATBOX_QEMU_PIDFILE:-} ]]; then args+=(-pidfile "$SEATBOX_QEMU_PIDFILE"); fi
exec qemu-system-x86_64 "${args[@]}" "${SNAP[@]}" "${serial[@]}"
