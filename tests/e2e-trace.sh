#!/bin/sh
# e2e-trace.sh SIM HELLO_ELF TRACE_CHECK - `sim run --trace` on hello: every line is JSON
# (checked with jansson by trace-check), the header names the ELF's sha256, the MMU-enable
# sysreg write and the exception/eret/psci/uart events are there; with --max-insns N the
# trace holds exactly N instructions and the run exits 3.
set -u
sim=$1 elf=$2 check=$3
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
t=$(mktemp)
trap 'rm -f "$t"' EXIT
"$sim" run "$elf" --trace "$t" >/dev/null || { echo "FAIL: sim run exit $?"; exit 1; }
sha=$(sha256sum "$elf" | cut -d' ' -f1)
"$check" "$t" --sha256 "$sha" --mmu-enable --type exception --type eret --type psci \
	--type uart --type insn || exit 1
for n in 1 7 100 999; do
	"$sim" run "$elf" --trace "$t" --max-insns "$n" >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 3 ] || { echo "FAIL: --max-insns $n exited $rc, expected 3"; exit 1; }
	"$check" "$t" --insns "$n" || { echo "FAIL: --max-insns $n is not exact"; exit 1; }
done
echo "ok"
