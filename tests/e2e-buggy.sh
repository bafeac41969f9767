#!/bin/sh
# e2e-buggy.sh SIM ELF HAZARD_CHECK CLASS SYMBOL [CLASS@SYMBOL[@EVENT]]... - a buggy variant
# (docs/firmware.md "Buggy variants"): exit 1, the first report of class CLASS at SYMBOL,
# and every further report named. HYPSIM_SIM_ARGS adds options (--check-unicorn).
# HYPSIM_BUGGY_RC: the exit status expected (default 1; 3 for a variant whose only report
# is the guest hang after a certain exception, DESIGN §3). The text report is shown, as a
# kernel engineer reads it.
set -u
sim=$1 elf=$2 check=$3
shift 3
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck disable=SC2086
"$sim" run "$elf" --json --uart "$dir/uart" ${HYPSIM_SIM_ARGS:-} >"$dir/json" 2>"$dir/err"
rc=$?
head -c 20000 "$dir/err"
fails=0
want=${HYPSIM_BUGGY_RC:-1}
[ "$rc" -eq "$want" ] || { echo "FAIL: exit status $rc, expected $want"; fails=1; }
"$check" "$@" <"$dir/json" || fails=1
exit "$fails"
