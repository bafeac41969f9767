#!/bin/sh
# e2e-timing.sh SIM KVM_DUAL_STEP_ELF PKVM_SWITCH_ELF - `sim run --timing` (issue #9,
# docs/timing.md): the phase table's structure and sanity relations (not exact numbers):
# the phases add up to the total, a TTBR0_EL2 switch and an EL2 MMU-on phase are there,
# --phase adds a split, the same run twice prints the same table (determinism), both
# shipped profiles load, and bad profiles or symbols give exit 2 with one line naming the
# input and the problem. Skipped (77) when the firmware was not built.
set -u
sim=$1 kvm=$2 pkvm=$3
for f in "$kvm" "$pkvm"; do
	[ -f "$f" ] || { echo "no $f (cross toolchain missing): skipped"; exit 77; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=1; }

# table FILE: check the phase table in FILE (the stderr of a --timing run).
table() {
	grep -q '^sim: timing, CPU profile ' "$1" || fail "$1: no timing header"
	grep -q '^ *# start  *reason  *EL  *insns  *cycles  *tlbm  *walk  *wchit  *dmiss  *imiss  *nc  *tlbi  *dc  *ic  *dsb  *isb$' "$1" ||
		fail "$1: no column header"
	# Phase rows: an index, then 14 numbers at the end; the total row: 13 numbers.
	awk '
	$1 ~ /^[0-9]+$/ && NF >= 17 { n++; insns += $(NF-12); cyc += $(NF-11); next }
	$1 == "total" { ti = $(NF-12); tc = $(NF-11); tw = $(NF-9); tt = $(NF-4) }
	END {
		if (!n) { print "no phase rows"; exit 1 }
		if (insns != ti) { print "phase insns " insns " != total " ti; exit 1 }
		d = cyc - tc; if (d < 0) d = -d
		if (d > n) { print "phase cycles " cyc " != total " tc; exit 1 }
		if (tc * 4 < ti) { print "cycles " tc " below a quarter of insns " ti; exit 1 }
		if (tw < 1 || tt < 1) { print "no walk reads or no TLBI in the run"; exit 1 }
	}' "$1" || fail "$1: table does not add up"
}

for fw in "$kvm" "$pkvm"; do
	b=$(basename "$fw" .elf)
	"$sim" run "$fw" --timing --uart /dev/null 2>"$dir/$b.1"
	rc=$?
	[ "$rc" -eq 0 ] || fail "$b: exit status $rc"
	cat "$dir/$b.1"
	table "$dir/$b.1"
	grep -q ' TTBR0_EL2 ' "$dir/$b.1" || fail "$b: no TTBR0_EL2 phase"
	grep -Eq ' (MMU on|.*, MMU on) +2 ' "$dir/$b.1" || fail "$b: no EL2 MMU-on phase"
	"$sim" run "$fw" --timing --uart /dev/null 2>"$dir/$b.2"
	cmp -s "$dir/$b.1" "$dir/$b.2" || fail "$b: two identical runs print different tables"
	"$sim" run "$fw" --cpu-profile cortex-a53 --uart /dev/null 2>"$dir/$b.a53"
	grep -q '^sim: timing, CPU profile cortex-a53 ' "$dir/$b.a53" || fail "$b: cortex-a53"
	table "$dir/$b.a53"
done
"$sim" run "$kvm" --timing --phase host_main --uart /dev/null 2>"$dir/phase"
grep -q -- ' --phase host_main ' "$dir/phase" || fail "--phase host_main: no such phase row"

# Bad inputs: exit 2, one line naming the input and the problem.
bad() { # EXPECTED_TEXT ARGS...
	want=$1
	shift
	"$sim" run "$kvm" --uart /dev/null "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	[ "$rc" -eq 2 ] || fail "$*: exit status $rc, expected 2"
	[ "$(wc -l <"$dir/err")" -eq 1 ] || fail "$*: expected one line, got: $(cat "$dir/err")"
	grep -qF -- "$want" "$dir/err" || fail "$*: '$(cat "$dir/err")' lacks '$want'"
}
sed 's/^tlb_ways = 4 .*/tlb_ways = four/' "$(dirname "$0")/../profiles/cortex-a53.txt" >"$dir/bad.txt"
bad "$dir/bad.txt: line " --cpu-profile "$dir/bad.txt"
bad "[tlb] tlb_ways: expected a whole number" --cpu-profile "$dir/bad.txt"
grep -v '^isb' "$(dirname "$0")/../profiles/cortex-a72.txt" >"$dir/missing.txt"
bad "$dir/missing.txt: missing key [barrier] isb" --cpu-profile "$dir/missing.txt"
bad "$dir/none.txt: cannot open" --cpu-profile "$dir/none.txt"
bad "--cpu-profile cortex-a99: no such built-in profile" --cpu-profile cortex-a99
bad "--phase no_such_symbol: no such symbol in" --timing --phase no_such_symbol
[ "$fails" -eq 0 ] && echo "ok: phase tables add up, deterministic, both profiles, bad inputs exit 2"
exit "$fails"
