#!/bin/sh
# e2e-smp.sh SIM PSCI_ELF HANG_ELF ALL_OFF_ELF EXPECTED_UART BAD_SCENARIO_DIR FIRMWARE_DIR - sim run
# --cpus (DESIGN §2 PSCI, run.c "Scheduling"), on firmware/psci-smp:
#  - PSCI as the guest sees it (exactly EXPECTED_UART): AFFINITY_INFO ON/OFF/INVALID, CPU_ON
#    of an online CPU (ALREADY_ON), of an invalid MPIDR (INVALID_PARAMETERS), at an entry
#    outside RAM (INVALID_ADDRESS), ON_PENDING before the new CPU's first turn, CPU 1's
#    reset state and x0 = context id, CPU_OFF then CPU_ON again, SYSTEM_OFF from CPU 1;
#  - the endings: SYSTEM_OFF names the CPU and each CPU's instructions; every CPU hanging
#    (exit 3, one guest-hang report per CPU); no CPU left on after CPU_OFF (exit 3); the
#    budget counts all CPUs' instructions;
#  - the same run twice gives the same trace (sim diff), which replays to the same report;
#  - bad --cpus values and scenario options: exit 2, one line.
set -u
sim=$1 elf=$2 hang=$3 alloff=$4 expected=$5 bad=$6
HYPSIM_FIRMWARE_DIR=$7
export HYPSIM_FIRMWARE_DIR
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=1
}

# PSCI calls and the SYSTEM_OFF ending.
"$sim" run "$elf" --cpus 2 --uart "$dir/uart" --trace "$dir/a.jsonl" 2>"$dir/err"
rc=$?
cat "$dir/err"
[ "$rc" -eq 0 ] || fail "psci-smp: exit $rc, expected 0"
cmp -s "$dir/uart" "$expected" || { fail "UART text differs from $expected:"; diff "$expected" "$dir/uart"; }
grep -Eq '^sim: .*: PSCI SYSTEM_OFF from CPU 1 after ([0-9]+) instructions \(cpu0 [0-9]+, cpu1 [0-9]+\)$' "$dir/err" ||
	fail "the end line does not name CPU 1 and each CPU's instructions"
total=$(sed -n 's/.* after \([0-9]*\) instructions (cpu0 \([0-9]*\), cpu1 \([0-9]*\))$/\1 \2 \3/p' "$dir/err")
set -- $total
[ $# -eq 3 ] && [ "$1" -eq $(($2 + $3)) ] || fail "instructions per CPU do not add up: $total"
n=$1
# The trace: both CPUs' events, CPU_ON and CPU_OFF as checker events; the same run again
# gives the same trace, and replay prints the run's report.
grep -q '"type":"cpu-on","seq":[0-9]*,"cpu":1,"by":0' "$dir/a.jsonl" || fail "no cpu-on event for CPU 1"
grep -q '"type":"cpu-off","seq":[0-9]*,"cpu":1' "$dir/a.jsonl" || fail "no cpu-off event for CPU 1"
grep -q '"type":"insn","seq":[0-9]*,"cpu":1,' "$dir/a.jsonl" || fail "no insn event of CPU 1"
grep -q '"cpus":2' "$dir/a.jsonl" || fail "the header does not say 2 CPUs"
"$sim" run "$elf" --cpus 2 --uart /dev/null --trace "$dir/b.jsonl" 2>/dev/null
"$sim" diff "$dir/a.jsonl" "$dir/b.jsonl" || fail "two runs of the same firmware differ"
"$sim" replay "$dir/a.jsonl" 2>"$dir/replay-err"
rc=$?
[ "$rc" -eq 0 ] || fail "replay: exit $rc"
cmp -s "$dir/err" "$dir/replay-err" || { fail "replay's report differs:"; diff "$dir/err" "$dir/replay-err"; }
# --check-unicorn: Unicorn agrees with the model on both CPUs.
"$sim" run "$elf" --cpus 2 --check-unicorn --uart /dev/null 2>/dev/null ||
	fail "psci-smp --check-unicorn: exit $?"

# The budget counts every CPU's instructions and stops exactly.
half=$((n / 2))
err=$("$sim" run "$elf" --cpus 2 --max-insns "$half" --uart /dev/null 2>&1)
rc=$?
echo "$err"
[ "$rc" -eq 3 ] || fail "budget: exit $rc, expected 3"
echo "$err" | grep -Eq "instruction budget of $half exhausted \(cpu0 [0-9]+, cpu1 [0-9]+\) at .* on CPU [01]" ||
	fail "budget: the end line names neither the CPUs' instructions nor the CPU"
b=$(echo "$err" | sed -n 's/.*exhausted (cpu0 \([0-9]*\), cpu1 \([0-9]*\)).*/\1 \2/p')
set -- $b
[ $# -eq 2 ] && [ $(($1 + $2)) -eq "$half" ] || fail "budget: $b does not add up to $half"

# Every CPU that is on hangs: exit 3, a guest-hang report for each CPU.
"$sim" run "$hang" --cpus 2 --json --uart /dev/null >"$dir/json" 2>"$dir/err"
rc=$?
cat "$dir/err"
[ "$rc" -eq 3 ] || fail "psci-smp-hang: exit $rc, expected 3"
grep -q "guest hang on every CPU that is on: \[CPU 0\] WFI with no interrupt source at .* \[CPU 1\] branch to self at " "$dir/err" ||
	fail "psci-smp-hang: the end line does not name both CPUs' hangs"
[ "$(grep -c '"class":"guest-hang"' "$dir/json")" -eq 2 ] || fail "psci-smp-hang: not one guest-hang report per CPU"
grep -q '"class":"guest-hang","cpu":1' "$dir/json" || fail "psci-smp-hang: no guest-hang report on cpu1"

# The last CPU that is on calls CPU_OFF: exit 3, the end line names it.
err=$("$sim" run "$alloff" --cpus 2 --uart /dev/null 2>&1)
rc=$?
echo "$err"
[ "$rc" -eq 3 ] || fail "psci-smp-all-off: exit $rc, expected 3"
echo "$err" | grep -q "CPU 0 called PSCI CPU_OFF at .* on CPU 0: no CPU is left running and SYSTEM_OFF never came" ||
	fail "psci-smp-all-off: the end line does not say that no CPU is left"

# Bad values: exit 2 and one line.
expect2() {
	words=$1
	shift
	err=$("$sim" "$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$err" | wc -l)
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -qF -- "$words"; then
		fail "sim $*: exit $rc, $lines line(s), expected 2 and one line with '$words': $err"
	else
		echo "ok: sim $* -> $err"
	fi
}
for v in 0 9 two "" -1 2x; do
	expect2 "--cpus $v: expected a number of CPUs from 1 to 8" run "$elf" --cpus "$v"
done
expect2 "--cpus 0: expected a number of CPUs from 1 to 8" campaign "$elf" --drop-each dsb --cpus 0
expect2 "--timing models one CPU" run "$elf" --cpus 2 --timing
expect2 "options.cpus must be a number of CPUs from 1 to 8" run --scenario "$bad/bad-cpus.json"
expect2 '"cpu" must be a CPU number' run --scenario "$bad/bad-hazard-cpu.json"
[ "$fails" -eq 0 ] && echo "ok: PSCI, endings, determinism, replay and bad values with --cpus"
exit "$fails"
