#!/bin/sh
# e2e-scenario.sh SIM FIRMWARE_DIR SCENARIO - `sim run --scenario`: the expectation the
# file states holds (exit 0, "expectation holds").
set -u
sim=$1 fwdir=$2 sc=$3
[ -d "$fwdir" ] || { echo "no $fwdir (cross toolchain missing): skipped"; exit 77; }
out=$(HYPSIM_FIRMWARE_DIR=$fwdir "$sim" run --scenario "$sc" --uart /dev/null 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 30
[ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc, expected 0"; exit 1; }
printf '%s\n' "$out" | grep -q "expectation holds" || { echo "FAIL: no verdict line"; exit 1; }
