#!/bin/sh
# e2e-campaign-only.sh SIM ELF TINY_IMAGE TINY_MAP - `sim campaign --only SYMBOL...`: the
# table of kvm-dual-step restricted to kvm_bounce_page has exactly the rows of the full
# table whose instruction lies in kvm_bounce_page, with the same verdicts (the occurrence
# numbers are the run's, so drop=CLASS#N still names them), and exactly the rows listed
# below; --only repeated and comma-separated add up; bad --only input is one line, exit 2.
set -u
sim=$1 elf=$2 img=$3 map=$4
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=1; }

# rows FILE: the table's rows without their number (dropped, instruction, disassembly,
# verdict), the summary line left out.
rows() { awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[a-z]+#[0-9]+$/ { $1 = ""; sub(/^ /, ""); print }' "$1"; }

campaign() {
	out=$1
	shift
	"$sim" campaign "$elf" --drop-each tlbi,dsb,isb "$@" >"$dir/$out" 2>"$dir/$out.err"
	rc=$?
	[ "$rc" -eq 0 ] || fail "sim campaign $*: exit $rc ($(tail -n 1 "$dir/$out.err"))"
}

campaign full
campaign only --only kvm_bounce_page
rows "$dir/full" | awk '$2 ~ /^kvm_bounce_page\+/' >"$dir/want"
rows "$dir/only" >"$dir/got"
[ -s "$dir/want" ] || fail "the full table has no row in kvm_bounce_page"
diff "$dir/want" "$dir/got" >"$dir/diff" ||
	fail "--only kvm_bounce_page is not the full table's kvm_bounce_page rows: $(cat "$dir/diff")"
# The row set pinned: the MMU-on sequence (ISB after TTBR0, TLBI ALLE2, DSB, ISB after
# SCTLR) and the switch to the runtime table (ISB, TLBI ALLE2, DSB ISH, ISB before ERET).
awk '{ v = $NF; for (i = 4; i <= NF; i++) if ($i == "at" || $i == "hazard:") { v = $(i - 1); break }
       print $1, $2, v }' "$dir/got" >"$dir/set"
cat >"$dir/set.want" <<'ROWS'
isb#5 kvm_bounce_page+0x444 missing-isb
tlbi#2 kvm_bounce_page+0x448 no
dsb#13 kvm_bounce_page+0x44c no
isb#6 kvm_bounce_page+0x464 missing-isb
isb#7 kvm_bounce_page+0x824 stale-tlb
tlbi#3 kvm_bounce_page+0x828 stale-tlb
dsb#14 kvm_bounce_page+0x82c missing-dsb
isb#8 kvm_bounce_page+0x830 no
ROWS
diff "$dir/set.want" "$dir/set" >"$dir/diff" || fail "--only kvm_bounce_page rows: $(cat "$dir/diff")"
# Repeated and comma-separated names add up to the union.
campaign two --only kvm_bounce_page --only fw_el1_mmu_on
campaign comma --only fw_el1_mmu_on,kvm_bounce_page
rows "$dir/full" | awk '$2 ~ /^(kvm_bounce_page|fw_el1_mmu_on)\+/' >"$dir/want2"
rows "$dir/two" >"$dir/got2"
[ "$(wc -l <"$dir/want2")" -gt "$(wc -l <"$dir/want")" ] || fail "fw_el1_mmu_on has no row"
diff "$dir/want2" "$dir/got2" >/dev/null || fail "--only A --only B is not the rows of A and B"
rows "$dir/comma" | diff "$dir/got2" - >/dev/null || fail "--only B,A differs from --only A --only B"

# expect STATUS PATTERN ARGS...: exit STATUS and stderr's last line matches PATTERN.
expect() {
	want=$1 pat=$2
	shift 2
	"$sim" campaign "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	last=$(tail -n 1 "$dir/err")
	[ "$rc" -eq "$want" ] || fail "sim campaign $*: exit $rc, expected $want ($last)"
	[ "$(wc -l <"$dir/err")" -eq 1 ] || fail "sim campaign $*: not one line: $(cat "$dir/err")"
	printf '%s\n' "$last" | grep -Eq "$pat" || fail "sim campaign $*: '$last' does not match '$pat'"
}
expect 2 "^sim: no_such_symbol: no such symbol in $elf\$" "$elf" --drop-each isb \
	--only kvm_bounce_page,no_such_symbol
expect 2 '^sim: --only kvm_bounce_page,: expected SYMBOL' "$elf" --drop-each isb --only kvm_bounce_page,
expect 2 '^sim: --only : expected SYMBOL' "$elf" --drop-each isb --only ''
# A kernel: --only needs its symbols, and names one of them.
if [ -f "$img" ]; then
	expect 2 "^sim: campaign: --only SYMBOL needs the kernel's symbols" --kernel "$img" \
		--drop-each isb --only tiny_start
	expect 2 "^sim: no_such_symbol: no such symbol in $map\$" --kernel "$img" --symbols "$map" \
		--drop-each isb --only no_such_symbol
	expect 2 '^sim: campaign: --kernel Image takes no FIRMWARE.elf' --kernel "$img" "$elf" \
		--drop-each isb
fi
expect 2 '^sim: campaign: --dtb, --append, --initrd and --symbols go with --kernel Image' \
	"$elf" --symbols "$elf" --drop-each isb
[ "$fails" -eq 0 ] && echo "ok: --only keeps exactly the named symbols' rows; bad input exit 2"
exit "$fails"
