#!/bin/sh
# e2e-bad-inject.sh SIM ELF BAD_SCENARIO_DIR FIRMWARE_DIR - bad --inject specs, campaign
# options and scenario files (tests/scenarios-bad/): exit status 2 and exactly one line on
# stderr naming the problem.
set -u
sim=$1 elf=$2 bad=$3
HYPSIM_FIRMWARE_DIR=$4
export HYPSIM_FIRMWARE_DIR
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
fails=0
# expect2 WORDS -- ARGS...: exit 2, one stderr line containing WORDS
expect2() {
	words=$1
	shift 2
	err=$("$sim" "$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$err" | wc -l)
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -qF -- "$words"; then
		echo "FAIL: sim $*: exit $rc, $lines line(s), expected 2 and one line with '$words':"
		printf '%s\n' "$err" | head -5
		fails=1
	else
		echo "ok: sim $* -> $err"
	fi
}
expect2 "unknown injection" -- run "$elf" --inject bogus
expect2 "unknown class" -- run "$elf" --inject drop=foo#1
expect2 "expected #N" -- run "$elf" --inject drop=dsb#0
expect2 "expected CLASS#N" -- run "$elf" --inject drop=dsb
expect2 "only a dsb or dmb" -- run "$elf" --inject weaken=isb#1:nsh
expect2 "OPTION" -- run "$elf" --inject weaken=dsb#1:bogus
expect2 "8-byte aligned" -- run "$elf" --inject flip@0x40100004:3#10
expect2 "BIT must be 0..63" -- run "$elf" --inject flip@0x40100000:64#10
expect2 "PA is not in RAM" -- run "$elf" --inject flip@0x1000:0#10
expect2 "no symbol 'no_such_symbol'" -- run "$elf" --inject drop@no_such_symbol+0x4
expect2 "not 4-byte aligned" -- run "$elf" --inject drop@0x40100002
expect2 "tlb=speculative or tlb=accessed" -- run "$elf" --inject tlb=maybe
expect2 "--inject writeback=sometimes: expected writeback=any" -- run "$elf" --inject writeback=sometimes
expect2 "--inject writeback=random:: expected" -- run "$elf" --inject writeback=random:
expect2 "--inject writeback=random:xyz: expected" -- run "$elf" --inject writeback=random:xyz
expect2 "--inject writeback=random:xyz: expected" -- campaign "$elf" --drop-each dsb --inject writeback=random:xyz
# Known only once the run has ended: its ending line, then the spec's (exit 2).
err=$("$sim" run "$elf" --uart /dev/null --inject drop=tlbi#999 2>&1 >/dev/null)
rc=$?
if [ "$rc" -ne 2 ] || ! printf '%s\n' "$err" | tail -n 1 | grep -q "drop=tlbi#999: never took effect"; then
	echo "FAIL: drop=tlbi#999: exit $rc, expected 2 and a last line naming the spec:"
	printf '%s\n' "$err"
	fails=1
else
	echo "ok: drop=tlbi#999 -> exit 2: $(printf '%s\n' "$err" | tail -n 1)"
fi
expect2 "not with --check-unicorn" -- run "$elf" --check-unicorn --inject weaken=dsb#1:nsh
expect2 "takes no FIRMWARE.elf" -- run "$elf" --scenario "$bad/not-json.json"
expect2 "--drop-each" -- campaign "$elf" --drop-each tlbi,nope
expect2 "--jobs" -- campaign "$elf" --drop-each dsb --jobs 0
expect2 "is required" -- campaign "$elf"
expect2 "not valid JSON" -- run --scenario "$bad/not-json.json"
expect2 'missing "firmware"' -- run --scenario "$bad/no-firmware.json"
expect2 "unknown key: colour" -- run --scenario "$bad/unknown-key.json"
expect2 "unknown option: speed" -- run --scenario "$bad/unknown-option.json"
expect2 "unknown hazard class: stale-cache" -- run --scenario "$bad/bad-class.json"
expect2 "unknown class" -- run --scenario "$bad/bad-inject.json"
expect2 "writeback=random:xyz: expected" -- run --scenario "$bad/bad-writeback.json"
expect2 "options.ram_base" -- run --scenario "$bad/bad-ram-base.json"
expect2 "firmware not found" -- run --scenario "$bad/firmware-missing.json"
expect2 '"firmware" and "kernel" exclude each other' -- run --scenario "$bad/kernel-and-firmware.json"
expect2 '"kernel" needs "image"' -- run --scenario "$bad/kernel-no-image.json"
expect2 'unknown key in "kernel": cmdline' -- run --scenario "$bad/kernel-unknown-key.json"
HYPSIM_KERNEL_DIR=/nonexistent expect2 "kernel image not found" -- run --scenario "$bad/kernel-image-missing.json"
expect2 '"expect.only" must be' -- run --scenario "$bad/bad-only.json"
expect2 '"cause_at" must be a PC string' -- run --scenario "$bad/bad-cause-at.json"
expect2 '"expect" must be' -- run --scenario "$bad/bad-expect.json"
expect2 "cannot read" -- run --scenario "$bad/does-not-exist.json"
# A scenario whose expectation does not hold: exit 1 and the difference explained.
err=$("$sim" run --scenario "$bad/wrong-expectation.json" --uart /dev/null 2>&1 >/dev/null)
rc=$?
if [ "$rc" -ne 1 ] || ! printf '%s\n' "$err" | grep -q "expected no hazard, got stale-tlb at __kvm_hyp_vector+0x400"; then
	echo "FAIL: wrong-expectation.json: exit $rc, expected 1 and the difference explained:"
	printf '%s\n' "$err" | grep scenario
	fails=1
else
	echo "ok: wrong-expectation.json -> exit 1:"
	printf '%s\n' "$err" | grep scenario
fi
# "cause_at" is matched: no stale-tlb report of that cause, exit 1.
err=$("$sim" run --scenario "$bad/wrong-cause.json" --uart /dev/null 2>&1 >/dev/null)
rc=$?
if [ "$rc" -ne 1 ] || ! printf '%s\n' "$err" | grep -q "expected stale-tlb"; then
	echo "FAIL: wrong-cause.json: exit $rc, expected 1 and the difference explained:"
	printf '%s\n' "$err" | grep scenario
	fails=1
else
	echo "ok: wrong-cause.json -> exit 1:"
	printf '%s\n' "$err" | grep scenario
fi
exit "$fails"
