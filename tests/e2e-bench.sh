#!/bin/sh
# e2e-bench.sh BENCH BUILD ELF - tools/bench (issue #8) runs one round on ELF and prints its
# table: the three sim rows with the same instruction count, the ratios line; and refuses a
# missing ELF (exit 2). Skipped (77) when the firmware was not built.
set -u
bench=$1 build=$2 elf=$3
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
out=$(HYPSIM_BENCH_NO_SETUP=1 HYPSIM_BUILD="$build" sh "$bench" "$elf" 1) || {
	echo "FAIL: tools/bench exit $?"; echo "$out"; exit 1; }
echo "$out"
fails=0
for row in '(a) sim run --no-check' '(b) sim run ' '(c) sim run --trace'; do
	echo "$out" | grep -F "$row" | grep -Eq ' [1-9][0-9]* +[0-9]+\.[0-9]{3} ' ||
		{ echo "FAIL: no row '$row' with instructions and a time"; fails=1; }
done
echo "$out" | grep -q '^ratios: b/a [0-9.]* (target <= 3), c/a [0-9.]*, c/b [0-9.]*' ||
	{ echo "FAIL: no ratios line"; fails=1; }
HYPSIM_BENCH_NO_SETUP=1 HYPSIM_BUILD="$build" sh "$bench" "$build/no-such.elf" 1 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: missing ELF: exit $rc, expected 2"; fails=1; }
[ "$fails" -eq 0 ] && echo "ok: tools/bench table"
exit "$fails"
