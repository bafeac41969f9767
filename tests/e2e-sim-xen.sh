#!/bin/sh
# e2e-sim-xen.sh SIM - Debian's Xen hypervisor (tools/fetch-xen: downloaded on first use, then
# cached; a failed download is a failure, not a skip) booted checked under `sim run --kernel`
# without a dom0, as docs/real-kernels.md "Xen 4.17" describes: Xen panics ("Could not set up
# DOM0 guest OS"), waits five seconds and resets (--no-reboot ends the run there); the only
# hazards are the missing-isb reports judged there (a store making a descriptor valid in
# write_pte, then a use of the VA with no ISB: pmap_map and xen_pt_update), no other class;
# and the UART text is QEMU's (same command line) but for the two differences that page
# explains: ID_AA64MMFR0_EL1.TGran16, the GICv2m lines and cpu@0's enable-method (skipped
# part without QEMU).
set -u
sim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
env=$(sh "$here/tools/fetch-xen") || { echo "FAIL: tools/fetch-xen"; exit 1; }
image=$(echo "$env" | sed -n 's/^XEN_IMAGE=//p')
syms=$(echo "$env" | sed -n 's/^XEN_SYMS=//p')
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
append="console=dtuart dtuart=/pl011@9000000"
fails=0
fail() { echo "FAIL: $*"; fails=1; }

start=$(date +%s)
"$sim" run --kernel "$image" --symbols "$syms" --ram 1G --no-reboot --append "$append" \
	--uart "$dir/uart" >"$dir/out" 2>"$dir/err"
rc=$?
echo "sim run: exit $rc in $(( $(date +%s) - start )) s: $(tail -n 1 "$dir/err")"
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1 (the judged hazards)"
grep -Eq 'PSCI SYSTEM_RESET after [0-9]+ instructions \(--no-reboot\)' "$dir/err" ||
	fail "the run did not end on Xen's SYSTEM_RESET"
for line in 'Panic on CPU 0:' 'Could not set up DOM0 guest OS' 'Reboot in five seconds...'; do
	grep -qF "(XEN) $line" "$dir/uart" || fail "no '$line' on the UART"
done
# Every report is a missing-isb in the functions judged, caused by pmap_map's or
# xen_pt_update's write_pte.
grep '^hazard ' "$dir/err" | grep -v '^hazard missing-isb ' | sed 's/^/  other hazard: /'
grep '^hazard ' "$dir/err" | grep -qv '^hazard missing-isb ' && fail "a hazard other than missing-isb"
grep -q '^hazard missing-isb ' "$dir/err" || fail "no missing-isb report (Xen 4.17 lacks the ISBs)"
grep -E '^ +- .*cause: store over descriptor' "$dir/err" |
	grep -Ev 'at 0x[0-9a-f]+ (pmap_map|xen_pt_update)\+0x[0-9a-f]+ ' | head -n 3 |
	sed 's/^/  other cause: /'
grep -E '^ +- .*cause: store over descriptor' "$dir/err" |
	grep -Eqv 'at 0x[0-9a-f]+ (pmap_map|xen_pt_update)\+0x[0-9a-f]+ ' &&
	fail "a missing-isb caused by a store outside pmap_map and xen_pt_update"

if command -v qemu-system-aarch64 >/dev/null 2>&1; then
	timeout 300 qemu-system-aarch64 -M virt,virtualization=on,gic-version=2,dtb-randomness=off \
		-cpu cortex-a72 -m 1G -nographic -nic none -no-reboot -kernel "$image" \
		-append "$append" </dev/null >"$dir/qemu" 2>&1
	# The differences docs/real-kernels.md explains: TGran16 (hypsim walks 16K granules), no
	# GICv2m in hypsim's machine, and cpu@0's enable-method (QEMU writes none for one CPU).
	sed -e 's/Memory Model Features: 0000000000001124/Memory Model Features: 0000000000101124/' \
		-e '/GICv2m extension register frame:/d' -e '/gic_v2m_/d' \
		-e '/CPU0 has no enable method/d' -e '/cpu0 init failed (hwid 0000000000000000): -22/d' \
		"$dir/qemu" >"$dir/qemu.norm"
	grep -q 'Reboot in five seconds' "$dir/qemu.norm" || fail "QEMU's boot did not reach the reset"
	# Xen writes CR LF; both machines pass the bytes through as they are.
	if ! cmp -s "$dir/qemu.norm" "$dir/uart"; then
		diff "$dir/qemu.norm" "$dir/uart" >"$dir/diff"
		fail "UART text differs from QEMU's:"
		cat "$dir/diff"
	fi
else
	echo "qemu-system-aarch64 not installed: UART not compared with QEMU's"
fi
[ "$fails" -eq 0 ] && echo "Xen $(echo "$env" | sed -n 's/^XEN_PACKAGE_VERSION=//p'): boots to its panic, $(grep -c '^hazard ' "$dir/err") missing-isb reports, UART as QEMU's"
exit "$fails"
