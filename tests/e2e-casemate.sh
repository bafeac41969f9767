#!/bin/sh
# e2e-casemate.sh SIM DIR - `sim replay --casemate` (docs/casemate.md) on the traces of
# tests/casemate/, written for hypsim in Casemate's format (their '!' line is what Casemate's
# own checker, casemate-check at rems-project/casemate fd6825d, prints on that trace): a
# correct break-before-make is clean (exit 0), also with positional fields; a remap without
# the break is bbm (Casemate accepts it: docs/casemate.md); the break without its TLBI at
# stage 2 (two threads, a record over several lines) is bbm beside Casemate's verdict; a
# TLBI before the DSB that makes the store visible is missing-dsb; every malformed input is
# one line "sim: FILE:LINE: problem" and exit 2.
set -u
sim=$1 dir=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

run() { # FILE EXPECTED_EXIT: stdout in $t/out, stderr in $t/err
	"$sim" replay --casemate "$1" >"$t/out" 2>"$t/err"
	rc=$?
	[ "$rc" -eq "$2" ] || { cat "$t/out" "$t/err"; fail "$1: exit $rc, expected $2"; }
}

for f in good-s1-remap good-s1-remap-positional; do
	run "$dir/$f.cm" 0
	grep -q '^casemate trace .*: 18 records, 1 thread, 0 Casemate verdicts$' "$t/out" || fail "$f: $(head -1 "$t/out")"
	grep -q '^summary: casemate clean, hypsim clean (0 hazards): agree$' "$t/out" || fail "$f: $(cat "$t/out")"
	[ -s "$t/err" ] && fail "$f: stderr $(cat "$t/err")"
done

run "$dir/remap-s1-no-break.cm" 1
grep -q '^line 12 (id 11, tid 0) mem-write \[0x81008\] = 0x80000401$' "$t/out" || fail "remap: no record line"
grep -q '^  hypsim:   bbm: live level 1 descriptor at PA 0x81008 changed 0x0000000040000401 -> 0x0000000080000401' "$t/out" || fail "remap: no hazard"
grep -q '^summary: casemate clean, hypsim bad (1 hazard): differ$' "$t/out" || fail "remap: $(cat "$t/out")"

run "$dir/break-without-tlbi-s2.cm" 1
grep -q '^casemate trace .*: 15 records, 2 threads, 1 Casemate verdict$' "$t/out" || fail "s2: $(head -1 "$t/out")"
grep -q '^line 21 (id 14, tid 1) mem-write \[0x92000\] = 0x500004c1$' "$t/out" || fail "s2: bbm not at the re-map"
grep -q '^  hypsim:   bbm: stage 2 descriptor of IPA 0x0 (VMID 0, level 2) changed from 0x400004c1 to 0x500004c1' "$t/out" || fail "s2: $(cat "$t/out")"
grep -q '^  casemate: ! BBM invalid unclean->valid (line 22)$' "$t/out" || fail "s2: no verdict"
grep -q '^summary: casemate bad, hypsim bad (1 hazard): agree$' "$t/out" || fail "s2: not agreed"

run "$dir/tlbi-before-dsb-s1.cm" 1
grep -q '^  hypsim:   missing-dsb: TLBI vae2is relies on a table store no DSB has made visible' "$t/out" || fail "tlbi-before-dsb: $(cat "$t/out")"
[ "$(grep -c 'hypsim:' "$t/out")" -eq 1 ] || fail "tlbi-before-dsb: more than one hazard"

# Malformed: each gives one line naming the file and the line, exit 2.
bad() { # LINE_EXPECTED MESSAGE_PART TEXT
	printf '%b' "$3" >"$t/bad.cm"
	run "$t/bad.cm" 2
	[ -s "$t/out" ] && fail "bad ($2): stdout $(cat "$t/out")"
	[ "$(wc -l <"$t/err")" -eq 1 ] || fail "bad ($2): $(cat "$t/err")"
	grep -q "^sim: $t/bad.cm:$1: " "$t/err" && grep -qF "$2" "$t/err" ||
		fail "bad: expected line $1 '$2', got $(cat "$t/err")"
}
bad 1 "mem-write record without its (value ...) field" '(mem-write (id 0) (tid 0) (mem-order plain) (address 0x1000))\n'
bad 2 'expected a decimal number, got "x"' '(barrier (id 0) (tid 0) isb)\n(barrier (id x) (tid 0) isb)\n'
bad 1 "record not closed before the end of the file" '(barrier (id 0) (tid 0)\n dsb (kind ish)\n'
bad 1 "expected a record" 'hello\n'
bad 1 'unknown record kind "mem-wrote"' '(mem-wrote (id 0) (tid 0) (mem-order plain) (address 0) (value 0))\n'
bad 1 "not an 8-byte aligned address" '(mem-write (id 0) (tid 0) (mem-order plain) (address 0x1004) (value 0))\n'
bad 1 "does not fit in 64 bits" '(mem-write (id 0) (tid 0) (mem-order plain) (address 0x10000000000000000) (value 0))\n'
bad 1 "a list inside a field" '(tlbi (id 0) (tid 0) vae2is (value (0)))\n'
bad 1 'unknown TLBI "vae3"' '(tlbi (id 0) (tid 0) vae3 (value 0))\n'
bad 1 'neither dsb nor isb' '(barrier (id 0) (tid 0) dmb (kind ish))\n'
bad 1 'unknown kind "osh"' '(barrier (id 0) (tid 0) dsb (kind osh))\n'
bad 1 'unknown sysreg "ttbr1_el2"' '(sysreg-write (id 0) (tid 0) (sysreg ttbr1_el2) (value 0))\n'
bad 1 "T0SZ 8 outside 16..33" '(sysreg-write (id 0) (tid 0) (sysreg vtcr_el2) (value 8))\n'
bad 1 "unexpected field after (src ...)" '(barrier (id 0) (tid 0) isb (src "a:1") (src "b:2"))\n'
bad 1 "string not closed on its line" '(barrier (id 0) (tid 0) isb (src "a:1\n"))\n'
bad 1 "NUL byte" '(barrier (id 0) (tid 0) isb)\0\n'
bad 9 "more than 8 threads" "$(i=0; while [ $i -lt 9 ]; do printf '(barrier (id %d) (tid %d) isb)\\n' $i $i; i=$((i+1)); done)"
"$sim" replay --casemate "$t/none.cm" >/dev/null 2>"$t/err"
[ $? -eq 2 ] && grep -q "^sim: $t/none.cm: No such file or directory$" "$t/err" || fail "missing file: $(cat "$t/err")"
"$sim" replay --casemate "$dir/good-s1-remap.cm" --json >/dev/null 2>"$t/err"
[ $? -eq 2 ] || fail "--casemate with --json accepted"
echo "ok"
