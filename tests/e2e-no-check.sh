#!/bin/sh
# e2e-no-check.sh SIM ELF EXPECTED_UART - `sim run --no-check` (tools/bench's bare Unicorn
# run) boots the same machine: exit 0 (PSCI SYSTEM_OFF), the UART text of EXPECTED_UART and
# the same instruction count as the checked run; options that need the model are refused
# (exit 2, one line). Skipped (77) when the firmware was not built.
set -u
sim=$1 elf=$2 expected=$3
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
"$sim" run "$elf" --no-check --uart "$dir/uart" 2>"$dir/err"
rc=$?
cat "$dir/err"
[ "$rc" -eq 0 ] || { echo "FAIL: --no-check: exit status $rc, expected 0"; fails=1; }
cmp -s "$dir/uart" "$expected" || { echo "FAIL: --no-check: UART text differs"; fails=1; }
"$sim" run "$elf" --uart /dev/null 2>"$dir/err-checked"
n_fast=$(sed -n 's/.*SYSTEM_OFF after \([0-9]*\) instructions.*/\1/p' "$dir/err")
n_chk=$(sed -n 's/.*SYSTEM_OFF after \([0-9]*\) instructions.*/\1/p' "$dir/err-checked")
[ -n "$n_fast" ] && [ "$n_fast" = "$n_chk" ] ||
	{ echo "FAIL: instructions: '$n_fast' with --no-check, '$n_chk' checked"; fails=1; }
for opt in --json --check-unicorn "--trace $dir/t.jsonl" --timing; do
	# shellcheck disable=SC2086
	"$sim" run "$elf" --no-check $opt >/dev/null 2>"$dir/bad"
	rc=$?
	[ "$rc" -eq 2 ] || { echo "FAIL: --no-check $opt: exit $rc, expected 2"; fails=1; }
	[ "$(wc -l <"$dir/bad")" -ge 1 ] || { echo "FAIL: --no-check $opt: no message"; fails=1; }
done
[ "$fails" -eq 0 ] && echo "ok: --no-check: exit 0, same UART text, $n_fast instructions as checked"
exit "$fails"
