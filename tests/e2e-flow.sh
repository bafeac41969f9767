#!/bin/sh
# e2e-flow.sh SIM ELF EXPECTED_UART [SIM_ARGS...] - a correct hypervisor init flow under the
# checker: exit 0 (PSCI SYSTEM_OFF), no hazard report (empty --json output) and exactly the
# UART text of EXPECTED_UART. Skipped (77) when the firmware was not built.
# HYPSIM_SIM_ARGS adds options (the --check-unicorn copies of these tests).
set -u
sim=$1 elf=$2 expected=$3
shift 3
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck disable=SC2086
"$sim" run "$elf" --json --uart "$dir/uart" ${HYPSIM_SIM_ARGS:-} "$@" >"$dir/json" 2>"$dir/err"
rc=$?
cat "$dir/err"
fails=0
[ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc, expected 0"; fails=1; }
[ ! -s "$dir/json" ] || { echo "FAIL: hazards reported:"; cat "$dir/json"; fails=1; }
if ! cmp -s "$dir/uart" "$expected"; then
	echo "FAIL: UART text differs from $expected:"
	diff "$expected" "$dir/uart"
	fails=1
fi
[ "$fails" -eq 0 ] && echo "ok: exit 0, no hazard, UART text as $expected"
exit "$fails"
