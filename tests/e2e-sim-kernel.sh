#!/bin/sh
# e2e-sim-kernel.sh SIM INIT_CPIO [--mode nvhe|protected] [--no-check] [SIM OPTIONS] -
# issue 17's boot: Debian's arm64 Image (tools/fetch-kernel: downloaded on first use, then
# cached; a failed download is a failure, not a skip) with hypsim's init under `sim run --kernel ... --append "console=ttyAMA0
# kvm-arm.mode=nvhe"`: exits 0 (the init's reboot(POWER_OFF) is PSCI SYSTEM_OFF), its UART
# text has the init's line and KVM's "Hyp mode initialized successfully", and its KVM lines
# are QEMU's (tools/qemu-kernel, the same boot; skipped part without QEMU).
# Checked, the boot runs as tests/scenarios-kernel/nvhe-boot.json (with the System.map of
# the -dbg package): exactly the hazards judged in docs/real-kernels.md, no other.
# --mode protected (issue 19) boots with "kvm-arm.mode=protected" instead: pKVM's
# __pkvm_init, its EL2 page-table switch and the host's lazily built stage 2; KVM must say
# "Protected nVHE mode initialized successfully"; checked, it runs as
# tests/scenarios-kernel/protected-boot.json (the hazards judged in docs/real-kernels.md).
set -u
sim=$1 cpio=$2
shift 2
mode=nvhe
if [ "${1:-}" = --mode ]; then
	mode=${2:-}
	shift 2
fi
case "$mode" in
nvhe) kvm_ok='Hyp mode initialized successfully' ;;
protected) kvm_ok='Protected nVHE mode initialized successfully' ;;
*) echo "FAIL: --mode $mode: expected nvhe or protected"; exit 1 ;;
esac
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$cpio" ] || { echo "no $cpio (cross toolchain missing): skipped"; exit 77; }
check=1
case " $* " in *" --no-check "*) check=0 ;; esac
scenario="$here/tests/scenarios-kernel/$mode-boot.json"
if [ "$check" -eq 1 ]; then
	env=$(sh "$here/tools/fetch-kernel") || { echo "FAIL: tools/fetch-kernel"; exit 1; }
else
	env=$(sh "$here/tools/fetch-kernel" --no-dbg) || { echo "FAIL: tools/fetch-kernel"; exit 1; }
fi
image=$(echo "$env" | sed -n 's/^KERNEL_IMAGE=//p')
map=$(echo "$env" | sed -n 's/^KERNEL_SYSTEM_MAP=//p')
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
append="console=ttyAMA0 kvm-arm.mode=$mode"
start=$(date +%s)
if [ "$check" -eq 1 ]; then
	# The scenario names Image, System.map and init/init.cpio: links to this machine's.
	mkdir "$dir/k"
	ln -s "$image" "$dir/k/Image"
	ln -s "$map" "$dir/k/System.map"
	HYPSIM_KERNEL_DIR="$dir/k" HYPSIM_FIRMWARE_DIR=$(dirname "$(dirname "$cpio")") \
		"$sim" run --scenario "$scenario" \
		--uart "$dir/uart" "$@" >"$dir/out" 2>"$dir/err"
else
	"$sim" run --kernel "$image" --initrd "$cpio" --append "$append" --uart "$dir/uart" \
		"$@" >"$dir/out" 2>"$dir/err"
fi
rc=$?
echo "sim run: exit $rc in $(( $(date +%s) - start )) s: $(tail -n 1 "$dir/err")"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
[ "$rc" -eq 0 ] || { fail "exit status $rc, expected 0"; grep -v '^  ' "$dir/err"; }
grep -q '^hypsim-init: hello from userspace' "$dir/uart" || fail "no init line"
grep -q "kvm \[[0-9]*\]: $kvm_ok" "$dir/uart" || fail "no '$kvm_ok'"
grep -q 'reboot: Power down' "$dir/uart" || fail "no 'reboot: Power down'"
grep -v '^  ' "$dir/err" | grep '^hazard' || :
[ "$check" -eq 0 ] || grep -q 'expectation holds' "$dir/err" || fail "no 'expectation holds'"
if command -v qemu-system-aarch64 >/dev/null; then
	sh "$here/tools/qemu-kernel" --mode "$mode" --kernel "$image" --initrd "$cpio" \
		--log "$dir/qemu" --timeout 120 >/dev/null 2>&1 || fail "tools/qemu-kernel"
	# The KVM lines without their timestamps. Protected mode's "Reserved 6 MiB at PA" (the
	# hyp memory memblock takes 2 MiB-aligned from the top of RAM) names a PA 2 MiB lower
	# than QEMU's: hypsim's initrd sits in the 2 MiB block below its DTB, the last block of
	# RAM (linux_image.c, linux_boot_plan), so memblock skips one block more. The size must
	# agree; the PA is masked.
	kvm_lines() {
		sed -n 's/^\[ *[0-9.]*\] \(kvm .*\)$/\1/p' "$1" |
			sed 's/^\(kvm \[0\]: Reserved [0-9]* MiB at \)0x[0-9a-f]*/\1PA/'
	}
	kvm_lines "$dir/qemu" >"$dir/qemu.kvm"
	kvm_lines "$dir/uart" >"$dir/sim.kvm"
	diff "$dir/qemu.kvm" "$dir/sim.kvm" || fail "KVM lines differ from QEMU's"
fi
[ "$fails" -ne 0 ] && tail -n 30 "$dir/uart"
[ "$fails" -eq 0 ] && echo "ok: the kernel boots to the init, KVM initialized, powers off"
exit "$fails"
