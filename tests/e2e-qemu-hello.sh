#!/bin/sh
# e2e-qemu-hello.sh SIM HELLO_ELF - hypsim's machine is compatible with its real peer:
# the unmodified hello.elf boots in qemu-system-aarch64 -M virt,virtualization=on, powers
# off, and prints the same UART text as `sim run`.
set -u
sim=$1 elf=$2
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
command -v qemu-system-aarch64 >/dev/null || { echo "no qemu-system-aarch64: skipped"; exit 77; }
q=$(mktemp) s=$(mktemp)
trap 'rm -f "$q" "$s"' EXIT
timeout 30 qemu-system-aarch64 -M virt,virtualization=on -cpu cortex-a72 -nic none -nographic \
	-monitor none -kernel "$elf" </dev/null | tr -d '\r' >"$q"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: qemu exit $rc (no SYSTEM_OFF within 30 s?)"; cat "$q"; exit 1; }
"$sim" run "$elf" >"$s" || { echo "FAIL: sim run"; exit 1; }
if ! cmp -s "$q" "$s"; then
	echo "FAIL: UART text differs (qemu, then sim):"; cat "$q"; echo ---; cat "$s"
	exit 1
fi
cat "$s"
echo "ok: identical UART text in qemu-system-aarch64 and sim"
