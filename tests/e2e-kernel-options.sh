#!/bin/sh
# e2e-kernel-options.sh SIM TINY_IMAGE TINY_MAP TINY_RESET_IMAGE ELF TINY_XEN_SYMS -
# `sim run --kernel`:
# the boot registers of a Linux Image (x0 = the DTB, x1..x3 = 0, checked by the tiny Image
# itself), its symbols from a System.map moved to the load PA, --no-reboot, and each bad
# input as one line `sim: FILE: problem`, exit 2 (or a usage error, exit 2).
set -u
sim=$1 img=$2 map=$3 reset=$4 elf=$5 xsyms=$6
[ -f "$img" ] || { echo "no $img (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=1; }

# expect STATUS PATTERN ARGS...: exit STATUS and stderr's last line matches PATTERN.
expect() {
	want=$1 pat=$2
	shift 2
	"$sim" run "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	last=$(tail -n 1 "$dir/err")
	[ "$rc" -eq "$want" ] || fail "sim run $*: exit $rc, expected $want ($last)"
	printf '%s\n' "$last" | grep -Eq "$pat" || fail "sim run $*: '$last' does not match '$pat'"
}

expect 0 'PSCI SYSTEM_OFF after [0-9]+ instructions' --kernel "$img" --append "console=ttyAMA0"
[ "$(cat "$dir/out")" = "tiny: x0 = DTB, x1..x3 = 0" ] || fail "boot registers: $(cat "$dir/out")"
# The symbols: VA ffff800008000040 (tiny_start) runs at the Image's load PA.
expect 3 'budget of 5 exhausted at 0x[0-9a-f]+ \(tiny_start\+0x10\) at EL2' \
	--kernel "$img" --symbols "$map" --max-insns 5
# An ELF symbol file without _text but with _start (Xen's xen-syms: its Image starts at
# _start) is moved the same way.
expect 3 'budget of 5 exhausted at 0x[0-9a-f]+ \(tiny_start\+0x10\) at EL2' \
	--kernel "$img" --symbols "$xsyms" --max-insns 5
# --no-reboot: SYSTEM_RESET ends the run with status 0, as QEMU's -no-reboot; without it the
# machine restarts (and resets again until the budget).
expect 0 'PSCI SYSTEM_RESET after [0-9]+ instructions \(--no-reboot\)' --kernel "$reset" --no-reboot
expect 3 'budget of 1000 exhausted' --kernel "$reset" --max-insns 1000
[ "$(grep -c tiny: "$dir/out")" -gt 1 ] || fail "SYSTEM_RESET without --no-reboot did not restart"
# The other run options work as for an ELF.
expect 0 'SYSTEM_OFF' --kernel "$img" --cpus 2 --ram 64M --uart "$dir/uart"
[ "$(cat "$dir/uart")" = "tiny: x0 = DTB, x1..x3 = 0" ] || fail "--uart with --kernel"

# A trace names the Image, DTB and symbols: sim replay rebuilds the same boot from it.
expect 0 'SYSTEM_OFF' --kernel "$img" --symbols "$map" --append "a b" --trace "$dir/t.jsonl"
"$sim" replay "$dir/t.jsonl" >"$dir/out" 2>"$dir/err" || fail "replay: $(cat "$dir/err")"
grep -q '"kernel":{"image":' "$dir/t.jsonl" || fail "no kernel object in the trace header"

# Bad inputs: the file at fault named, exit 2.
expect 2 "^sim: $elf: not an arm64 Image" --kernel "$elf"
head -c 40 "$img" >"$dir/trunc"
expect 2 "^sim: $dir/trunc: truncated arm64 Image" --kernel "$dir/trunc"
expect 2 "^sim: $dir/none: " --kernel "$dir/none"
expect 2 "^sim: $map: not a valid device tree blob" --kernel "$img" --dtb "$map"
dd if=/dev/zero of="$dir/big" bs=1024 count=5120 2>/dev/null
expect 2 "^sim: $dir/big: initrd of 5242880 bytes does not fit" --kernel "$img" --ram 4M \
	--initrd "$dir/big"
printf 'ffff800008000000 T _text\nnot a symbol line\n' >"$dir/bad.map"
expect 2 "^sim: $dir/bad.map: line 2: not a System.map line" --kernel "$img" --symbols "$dir/bad.map"
printf 'ffff800008000040 T start\n' >"$dir/notext.map"
expect 2 "^sim: $dir/notext.map: no _text symbol" --kernel "$img" --symbols "$dir/notext.map"
# Usage errors.
expect 2 'go with --kernel Image' --dtb "$map" "$elf"
expect 2 'takes no FIRMWARE.elf' --kernel "$img" "$elf"
[ "$fails" -eq 0 ] && echo ok
exit "$fails"
