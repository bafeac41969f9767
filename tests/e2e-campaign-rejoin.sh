#!/bin/sh
# e2e-campaign-rejoin.sh SIM ELF REJOIN_CHECK CLASSES MIN RULE... - `sim campaign --json`
# with variants stopping where they rejoin the unchanged run, and with --run-to-end: the
# same exit status and the same table (rejoin-check), at least MIN variants stopped early,
# and the RULEs (late effects still detected, rejoined variants).
set -u
sim=$1 elf=$2 check=$3 classes=$4 min=$5
shift 5
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$sim" campaign "$elf" --drop-each "$classes" --json >"$dir/early" 2>"$dir/err"
rc1=$?
"$sim" campaign "$elf" --drop-each "$classes" --json --run-to-end >"$dir/full" 2>>"$dir/err"
rc2=$?
cat "$dir/err"
fails=0
[ "$rc1" -eq "$rc2" ] || { echo "FAIL: exit status $rc1, $rc2 with --run-to-end"; fails=1; }
"$check" "$dir/early" "$dir/full" "$min" "$@" || fails=1
exit "$fails"
