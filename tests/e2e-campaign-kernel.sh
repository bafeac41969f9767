#!/bin/sh
# e2e-campaign-kernel.sh SIM INIT_CPIO ONLY MAX_INSNS ROW... - issue 17's campaign on Debian's
# kernel:
# `sim campaign --kernel Image --initrd INIT_CPIO --append "console=ttyAMA0 kvm-arm.mode=nvhe"
# --symbols System.map --drop-each tlbi,dsb,isb --only ONLY` (the hyp-init code, or the
# kernel's EL2 entry): exit 3 (the unchanged run has its own four reports, docs/
# real-kernels.md), and its rows are exactly ROW... (each "CLASS SYMBOL+OFF VERDICT": the
# class dropped, where, and the hazard class reported first or "no-hazard"), so that a
# change of verdict is seen. MAX_INSNS > 0 ends every run there (--max-insns: the boot's
# first MAX_INSNS instructions, enough for the hyp init at ~180-300 M; 0: to power-off).
# The table and the wall time are printed.
# Needs the kernel's System.map: tools/fetch-kernel (the -dbg package) on first use.
set -u
sim=$1 cpio=$2 only=$3 max=$4
shift 4
budget=
[ "$max" -gt 0 ] && budget="--max-insns $max"
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$cpio" ] || { echo "no $cpio (cross toolchain missing): skipped"; exit 77; }
env=$(sh "$here/tools/fetch-kernel") || { echo "FAIL: tools/fetch-kernel"; exit 1; }
image=$(echo "$env" | sed -n 's/^KERNEL_IMAGE=//p')
map=$(echo "$env" | sed -n 's/^KERNEL_SYSTEM_MAP=//p')
[ -f "$map" ] || { echo "FAIL: no System.map from tools/fetch-kernel"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=1; }
start=$(date +%s)
"$sim" campaign --kernel "$image" --initrd "$cpio" --append "console=ttyAMA0 kvm-arm.mode=nvhe" \
	--symbols "$map" --drop-each tlbi,dsb,isb --only "$only" --jobs 2 $budget \
	>"$dir/out" 2>"$dir/err"
rc=$?
cat "$dir/out" "$dir/err"
echo "sim campaign: exit $rc in $(( $(date +%s) - start )) s"
[ "$rc" -eq 3 ] || fail "exit status $rc, expected 3 (the unchanged run's own reports)"
if [ "$max" -gt 0 ]; then
	grep -q "the unchanged run is not clean (exit 1: instruction budget of $max exhausted" \
		"$dir/err" || fail "the unchanged run did not end at its budget of $max"
else
	grep -q 'the unchanged run is not clean (exit 1: PSCI SYSTEM_OFF' "$dir/err" ||
		fail "the unchanged run did not end at SYSTEM_OFF"
fi
# Each row as "CLASS SYMBOL+OFF VERDICT": the hazard class before " at ", or no-hazard.
awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[a-z]+#[0-9]+$/ {
	v = "?"
	for (i = 4; i <= NF; i++) {
		if ($i == "at") { v = $(i - 1); break }
		if ($i == "no" && $(i + 1) == "hazard:") { v = "no-hazard"; break }
		if ($i == "no" && $(i + 1) == "new" && $(i + 2) == "hazard:") { v = "no-hazard"; break }
		if ($i == "no" && $(i + 1) == "new" && $(i + 2) == "hazard") { v = "missed"; break }
		if ($i == "run" && $(i + 1) == "failed") { v = "failed"; break }
	}
	sub(/#.*/, "", $2)
	print $2, $3, v }' "$dir/out" >"$dir/got"
printf '%s\n' "$@" >"$dir/want"
diff "$dir/want" "$dir/got" >"$dir/diff" || fail "rows differ (-expected +got): $(cat "$dir/diff")"
[ "$fails" -eq 0 ] && echo "ok: $(wc -l <"$dir/got") rows, each with the verdict judged in docs/real-kernels.md"
exit "$fails"
