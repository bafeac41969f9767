#!/bin/sh
# qemu-firmware.sh NAME ELF EXPECTED_TEXT_FILE
#
# Boots a hypsim firmware ELF in qemu-system-aarch64 (-M virt,virtualization=on, Cortex-A72,
# the machine hypsim's "virt" profile copies, DESIGN §2) and checks that it powers off
# (PSCI SYSTEM_OFF makes QEMU exit 0) with exactly the expected UART text. QEMU hides cache
# and TLB hazards, so this checks the flow's logic, not its maintenance.
# Exit: 0 pass, 1 fail, 77 skipped (no QEMU), 99 bad usage.
set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 NAME ELF EXPECTED_TEXT_FILE" >&2
	exit 99
fi
name=$1 elf=$2 expected=$3
qemu=${QEMU:-qemu-system-aarch64}
if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "$name: $qemu not found, skipped"
	exit 77
fi
for f in "$elf" "$expected"; do
	if [ ! -r "$f" ]; then
		echo "$name: $f: cannot read" >&2
		exit 99
	fi
done
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
timeout "${QEMU_TIMEOUT:-20}" "$qemu" -M virt,virtualization=on -cpu cortex-a72 -m 256M -nic none \
	-nographic -monitor none -serial stdio -kernel "$elf" </dev/null >"$out" 2>&1
rc=$?
# -nographic may turn \n into \r\n on the serial console.
tr -d '\r' <"$out" >"$out.txt"
mv "$out.txt" "$out"
if [ $rc -eq 124 ]; then
	echo "$name: FAIL: no SYSTEM_OFF within ${QEMU_TIMEOUT:-20}s; UART so far:"
	cat "$out"
	exit 1
fi
if [ $rc -ne 0 ]; then
	echo "$name: FAIL: $qemu exited $rc; output:"
	cat "$out"
	exit 1
fi
if ! diff -u "$expected" "$out"; then
	echo "$name: FAIL: UART text differs from $expected"
	exit 1
fi
echo "$name: ok"
exit 0
