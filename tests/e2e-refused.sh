#!/bin/sh
# e2e-refused.sh SIM ELF SIM_ARGS... - sim refuses a machine it cannot build: exit 2 and one
# line naming the option and the 44-bit PA limit of Unicorn 2.0.1's CPUs.
set -u
sim=$1 elf=$2
shift 2
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$sim" run "$elf" "$@" >/dev/null 2>"$err"
rc=$?
cat "$err"
[ "$rc" -eq 2 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -q "^sim: --ram-base .*44-bit physical address range" "$err" ||
	{ echo "FAIL: exit $rc, want 2 and one line"; exit 1; }
echo ok
