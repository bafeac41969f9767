#!/bin/sh
# e2e-inject-unicorn.sh SIM ELF SPEC... - each injection under --check-unicorn: the dropped
# instruction reaches neither Unicorn nor the model, a flipped word is walked again, so
# Unicorn keeps agreeing with the model's coherent outcome (no exit 4); each is a hazard
# (exit 1), as the campaign says, or (a flip that makes a fault certain) a guest hang
# naming the exception, exit 3 (DESIGN §3 "Exceptions are events, not hazards").
set -u
sim=$1 elf=$2
shift 2
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
fails=0
for spec in "$@"; do
	err=$("$sim" run "$elf" --uart /dev/null --check-unicorn --inject "$spec" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 1 ] && { [ "$rc" -ne 3 ] || [ "${spec#flip}" = "$spec" ]; }; then
		echo "FAIL: --inject $spec --check-unicorn: exit $rc, expected 1 (3 for a flip)"
		printf '%s\n' "$err" | grep -E "^sim" | head -3
		fails=1
	else
		echo "ok: --inject $spec: $(printf '%s\n' "$err" | grep -m1 '^hazard')"
	fi
done
exit "$fails"
