#!/bin/sh
# e2e-sim-kernel.sh SIM INIT_CPIO [SIM_ARGS...] - issue 17's boot: Debian's arm64 Image
# (tools/fetch-kernel: downloaded on first use, then cached; a failed download is a failure,
# not a skip) with hypsim's init under `sim run --kernel ... --append "console=ttyAMA0
# kvm-arm.mode=nvhe"`: exits 0 (the init's reboot(POWER_OFF) is PSCI SYSTEM_OFF), its UART
# text has the init's line and KVM's "Hyp mode initialized successfully", and its KVM lines
# are QEMU's (tools/qemu-kernel, the same boot; skipped part without QEMU).
# The hazards reported are listed (--json), not judged here: docs/real-kernels.md does.
set -u
sim=$1 cpio=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$cpio" ] || { echo "no $cpio (cross toolchain missing): skipped"; exit 77; }
env=$(sh "$here/tools/fetch-kernel" --no-dbg) || { echo "FAIL: tools/fetch-kernel"; exit 1; }
image=$(echo "$env" | sed -n 's/^KERNEL_IMAGE=//p')
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
append="console=ttyAMA0 kvm-arm.mode=nvhe"
json=--json
case " $* " in *" --no-check "*) json= ;; esac
start=$(date +%s)
# shellcheck disable=SC2086
"$sim" run --kernel "$image" --initrd "$cpio" --append "$append" --uart "$dir/uart" \
	$json "$@" >"$dir/json" 2>"$dir/err"
rc=$?
echo "sim run: exit $rc in $(( $(date +%s) - start )) s: $(tail -n 1 "$dir/err")"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "exit status $rc (0, or 1 with hazards, expected)"
grep -q '^hypsim-init: hello from userspace' "$dir/uart" || fail "no init line"
grep -q 'kvm \[[0-9]*\]: Hyp mode initialized successfully' "$dir/uart" ||
	fail "no 'Hyp mode initialized successfully'"
grep -q 'reboot: Power down' "$dir/uart" || fail "no 'reboot: Power down'"
echo "hazards reported: $(grep -c . "$dir/json")"
grep -o '"class":"[a-z-]*"' "$dir/json" | sort | uniq -c
if command -v qemu-system-aarch64 >/dev/null; then
	sh "$here/tools/qemu-kernel" --mode nvhe --kernel "$image" --initrd "$cpio" \
		--log "$dir/qemu" --timeout 120 >/dev/null 2>&1 || fail "tools/qemu-kernel"
	# The KVM lines without their timestamps.
	sed -n 's/^\[ *[0-9.]*\] \(kvm .*\)$/\1/p' "$dir/qemu" >"$dir/qemu.kvm"
	sed -n 's/^\[ *[0-9.]*\] \(kvm .*\)$/\1/p' "$dir/uart" >"$dir/sim.kvm"
	diff "$dir/qemu.kvm" "$dir/sim.kvm" || fail "KVM lines differ from QEMU's"
fi
[ "$fails" -ne 0 ] && tail -n 30 "$dir/uart"
[ "$fails" -eq 0 ] && echo "ok: the kernel boots to the init, KVM initialized, powers off"
exit "$fails"
