#!/bin/sh
# e2e-qemu-kernel.sh MODE INIT_CPIO - the QEMU reference of issue 17's kernel boot: Debian's
# arm64 Image (tools/fetch-kernel: downloaded on first use, then cached) with hypsim's init,
# in qemu-system-aarch64 -M virt,virtualization=on,gic-version=2 (tools/qemu-kernel), reaches
# the init's line, powers off, and prints KVM's line for MODE (nvhe: "Hyp mode initialized
# successfully", protected: "Protected nVHE mode initialized successfully").
# A failed download is a failure, not a skip (issue 17: CI must see it).
set -u
mode=$1 cpio=$2
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$cpio" ] || { echo "no $cpio (cross toolchain missing): skipped"; exit 77; }
command -v qemu-system-aarch64 >/dev/null || { echo "no qemu-system-aarch64: skipped"; exit 77; }
env=$(sh "$here/tools/fetch-kernel" --no-dbg) || { echo "FAIL: tools/fetch-kernel"; exit 1; }
image=$(echo "$env" | sed -n 's/^KERNEL_IMAGE=//p')
case "$mode" in
nvhe) want='kvm \[[0-9]*\]: Hyp mode initialized successfully' ;;
protected) want='kvm \[[0-9]*\]: Protected nVHE mode initialized successfully' ;;
*) echo "usage: e2e-qemu-kernel.sh nvhe|protected INIT_CPIO"; exit 2 ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
sh "$here/tools/qemu-kernel" --mode "$mode" --kernel "$image" --initrd "$cpio" --log "$log" \
	--timeout 120
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: tools/qemu-kernel exit $rc"; tail -n 20 "$log"; exit 1; }
grep -q "$want" "$log" || { echo "FAIL: no '$want' line"; tail -n 20 "$log"; exit 1; }
grep -q 'reboot: Power down' "$log" || { echo "FAIL: no 'reboot: Power down'"; exit 1; }
echo "ok: $mode boot reaches the init and powers off, with KVM's line"
