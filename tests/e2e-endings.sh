#!/bin/sh
# e2e-endings.sh SIM HELLO SPIN BAD_OUTSIDE_RAM BAD_UART - how runs end (DESIGN §5):
# a guest `b .` exits 3 naming the PC, its symbol and the last exception; an exhausted
# budget exits 3; every bad input exits 2 with one line naming the file and the problem.
set -u
sim=$1 hello=$2 spin=$3 outside=$4 uart=$5
[ -f "$hello" ] || { echo "no $hello (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0

# expect STATUS PATTERN ARGS...: exit status and a stderr of exactly one matching line.
expect() {
	want=$1 pattern=$2
	shift 2
	"$sim" "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	if [ "$rc" -ne "$want" ] || [ "$(wc -l <"$dir/err")" -ne 1 ] || ! grep -Eq "$pattern" "$dir/err"; then
		echo "FAIL: sim $* -> exit $rc (want $want), stderr:"; cat "$dir/err"
		fails=$((fails + 1))
	else
		echo "ok: sim $* -> $rc: $(cat "$dir/err")"
	fi
}

# A hang is also a guest-hang hazard report (stderr after the first line, --json on
# stdout); on its own it still exits 3.
"$sim" run "$spin" --json >"$dir/out" 2>"$dir/err"
rc=$?
if [ "$rc" -ne 3 ] || ! grep -Eq "guest hang: branch to self at 0x[0-9a-f]+ \(spin_forever\+0x0\) at EL2; last exception: none" "$dir/err" ||
	! grep -q '"class":"guest-hang"' "$dir/out" || ! grep -q "^hazard guest-hang on cpu0 at EL2, 0x[0-9a-f]* spin_forever+0x0: b " "$dir/err"; then
	echo "FAIL: spin -> exit $rc (want 3), stderr:"; cat "$dir/err" "$dir/out"
	fails=$((fails + 1))
else
	echo "ok: spin -> 3, guest-hang report"
fi
expect 3 "instruction budget of 10 exhausted at 0x[0-9a-f]+ \([a-z_]+\+0x[0-9a-f]+\)" run "$hello" --max-insns 10

printf 'this is not firmware\n' >"$dir/text.elf"
expect 2 "^sim: $dir/text.elf: not an ELF file$" run "$dir/text.elf"
# The host's own /bin/true: an x86-64 ELF on the usual CI machines.
if [ "$(od -An -tu2 -j18 -N2 /bin/true | tr -d ' ')" = 62 ]; then
	expect 2 "^sim: /bin/true: not an AArch64 ELF: machine 62 \(x86-64\)$" run /bin/true
fi
head -c 1000 "$hello" >"$dir/trunc.elf"
expect 2 "^sim: $dir/trunc.elf: truncated" run "$dir/trunc.elf"
expect 2 "^sim: $outside: segment \[0x20000000, 0x[0-9a-f]+\) lies outside RAM" run "$outside"
expect 2 "^sim: $uart: segment \[0x9000000, 0x[0-9a-f]+\) overlaps the UART" run "$uart"
expect 2 "^sim: $dir/missing.elf: cannot open: No such file or directory$" run "$dir/missing.elf"
expect 2 "lies outside RAM" run "$hello" --ram 1M
expect 2 "^sim: --ram 3X: " run "$hello" --ram 3X
expect 2 "^sim: --ram-base 0x40001000: not a multiple of 2 MiB" run "$hello" --ram-base 0x40001000
expect 2 "^sim: --ram-base xyz: expected an address such as 0x40000000$" run "$hello" --ram-base xyz
expect 2 "^sim: --ram-base 0x0 --ram 0x10000000: RAM would overlap the UART" run "$hello" --ram-base 0
expect 2 "^sim: --tlb eager: expected speculative or accessed" run "$hello" --tlb eager
expect 2 "^sim: run: missing FIRMWARE.elf" run
expect 2 "^sim: unknown command 'frobnicate'" frobnicate x
expect 2 "^sim: x: cannot open: No such file or directory" replay x
[ "$fails" -eq 0 ] || exit 1
