#!/bin/sh
# e2e-writeback.sh SIM FIRMWARE_DIR HAZARD_CHECK - the model's cache write-back policy
# (`--inject writeback=any|never|random:SEED`, docs/scenarios.md) on kvm-dual-step's
# variants:
#   - kvm-dual-step-no-bounce-clean (the bounce page is not cleaned to the PoC before the
#     MMU-off fetch and the I-cache fill, B2.4 / D7.5): under `any` four reports listing both
#     outcomes; under `never` the same four, each decided by the policy, the outcome being
#     the PoC copy (0x0); under `random:SEED` some seed writes the line back before the
#     fetch (no report there) and another does not (the report, decided by that seed);
#   - kvm-dual-step-table-ivac (DC IVAC instead of a clean, D7.5.x): a lost-write decided
#     by `never`;
#   - the correct flows (kvm-dual-step, pkvm-switch, stub-teardown, arm64-nvhe-init,
#     pkvm-host-s2): clean under every policy;
#   - the same seed twice gives byte-identical reports and traces, and `sim replay` of the
#     trace gives the run's report; `sim campaign --inject writeback=never` is accepted.
set -u
sim=$1 fwdir=$2 hc=$3
buggy=$fwdir/kvm-dual-step/kvm-dual-step-no-bounce-clean.elf
ivac=$fwdir/kvm-dual-step/kvm-dual-step-table-ivac.elf
[ -f "$buggy" ] || { echo "no $buggy (cross toolchain missing): skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=1
}
# run NAME ELF ARGS...: sim run --json, stdout in $tmp/NAME.json, stderr in $tmp/NAME.err
run() {
	name=$1 elf=$2
	shift 2
	"$sim" run "$elf" --uart /dev/null --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
	echo $?
}
four="fetch-not-at-poc kvm_bounce_page+0x400 fetch-not-at-poc@kvm_bounce_page+0x440
icache-stale@kvm_bounce_page+0x464 icache-stale@kvm_bounce_page+0x800"

# any: the default, both outcomes listed, nothing decided.
rc=$(run any "$buggy" --inject writeback=any)
[ "$rc" -eq 1 ] || fail "writeback=any: exit $rc, expected 1"
# shellcheck disable=SC2086
"$hc" $four <"$tmp/any.json" || fail "writeback=any: not the four reports"
grep -q decided_by "$tmp/any.json" && fail "writeback=any: a report says it was decided"
run default "$buggy" >/dev/null
cmp -s "$tmp/any.err" "$tmp/default.err" || fail "writeback=any differs from the default"
[ "$fails" -eq 0 ] && echo "ok: writeback=any: four reports, both outcomes, as the default"

# never: the same four, each decided, the outcome being the PoC (or PoU) copy 0x0.
rc=$(run never "$buggy" --inject writeback=never)
[ "$rc" -eq 1 ] || fail "writeback=never: exit $rc, expected 1"
# shellcheck disable=SC2086
"$hc" $four <"$tmp/never.json" || fail "writeback=never: not the four reports"
n=$(grep -c '"decided_by":"writeback=never"' "$tmp/never.json")
v=$(grep -c '"value":"0x0"' "$tmp/never.json")
[ "$n" -eq 4 ] && [ "$v" -eq 4 ] && [ "$(wc -l <"$tmp/never.json")" -eq 4 ] ||
	fail "writeback=never: $n of the reports decided, $v with the outcome 0x0"
grep -q "under writeback=never the fetch reads the PoC copy (0x0); the coherent outcome is 0xd51c2000" \
	"$tmp/never.err" || fail "writeback=never: the report does not say what the policy decided"
[ "$fails" -eq 0 ] && echo "ok: writeback=never: $(grep -m1 'under writeback' "$tmp/never.err")"

# never on DC IVAC of a dirty table line: the data is discarded, a lost-write decided.
rc=$(run ivac "$ivac" --inject writeback=never)
[ "$rc" -eq 1 ] || fail "table-ivac under writeback=never: exit $rc, expected 1"
"$hc" lost-write fw_pt_set_desc+0x4 <"$tmp/ivac.json" || fail "table-ivac: no lost-write"
grep -q "under writeback=never DC IVAC discards the dirty line: PA 0x[0-9a-f]* holds 0x" \
	"$tmp/ivac.err" || fail "table-ivac: the lost-write is not decided by writeback=never"
echo "ok: table-ivac under writeback=never: $(grep -m1 'under writeback' "$tmp/ivac.err")"

# The correct flows stay clean under every policy.
for f in kvm-dual-step/kvm-dual-step pkvm-switch/pkvm-switch pkvm-switch/pkvm-switch-posted-order \
	stub-teardown/stub-teardown arm64-nvhe-init/arm64-nvhe-init-va48-low \
	arm64-nvhe-init/arm64-nvhe-init-va39-low pkvm-host-s2/pkvm-host-s2; do
	for p in never random:1 random:2 random:3; do
		rc=$(run clean "$fwdir/$f.elf" --inject "writeback=$p")
		[ "$rc" -eq 0 ] || fail "$f under writeback=$p: exit $rc, expected 0"
	done
done
echo "ok: the correct flows are clean under never, random:1..3"

# random: find a seed that writes the line at +0x400 back before the MMU-off fetch (no
# report there) and one that does not (the report, decided by that seed).
kept="" evicted=""
for seed in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	run "r$seed" "$buggy" --inject "writeback=random:$seed" >/dev/null
	if grep -q '"sym":"kvm_bounce_page+0x400"' "$tmp/r$seed.json"; then
		[ -n "$kept" ] || kept=$seed
		grep '"sym":"kvm_bounce_page+0x400"' "$tmp/r$seed.json" |
			grep -q "\"decided_by\":\"writeback=random:$seed\"" ||
			fail "random:$seed: the report is not decided by writeback=random:$seed"
	else
		[ -n "$evicted" ] || evicted=$seed
	fi
	[ -n "$kept" ] && [ -n "$evicted" ] && break
done
[ -n "$kept" ] && [ -n "$evicted" ] ||
	fail "20 seeds: reported by '$kept', written back first by '$evicted'"
echo "ok: writeback=random: seed $kept keeps the line dirty until the fetch, seed $evicted" \
	"writes it back first"

# Deterministic: the same seed twice, byte-identical reports and traces; replay agrees.
for seed in $kept $evicted; do
	for i in 1 2; do
		"$sim" run "$buggy" --uart /dev/null --inject "writeback=random:$seed" \
			--trace "$tmp/t.jsonl" 2>"$tmp/d$i.err"
		echo $? >"$tmp/d$i.rc"
		mv "$tmp/t.jsonl" "$tmp/t$i.jsonl"
	done
	cmp -s "$tmp/d1.err" "$tmp/d2.err" || fail "random:$seed: two runs report differently"
	cmp -s "$tmp/t1.jsonl" "$tmp/t2.jsonl" || fail "random:$seed: two runs trace differently"
	grep -q "\"writeback\":\"random:$seed\"" "$tmp/t1.jsonl" ||
		fail "random:$seed: the trace header does not record the policy"
	"$sim" replay "$tmp/t1.jsonl" 2>"$tmp/replay.err"
	rc=$?
	cmp -s "$tmp/d1.err" "$tmp/replay.err" || fail "random:$seed: replay reports differently"
	[ "$rc" -eq "$(cat "$tmp/d1.rc")" ] || fail "random:$seed: replay exits $rc"
	echo "ok: random:$seed: same reports and trace twice, replay agrees (exit $rc)"
done

# A trace header with a policy hypsim does not know: replay refuses it (exit 2, one line).
sed '1s/"writeback":"random:[0-9]*"/"writeback":"sometimes"/' "$tmp/t1.jsonl" >"$tmp/bad.jsonl"
err=$("$sim" replay "$tmp/bad.jsonl" 2>&1 >/dev/null)
rc=$?
if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	printf '%s' "$err" | grep -q "model.writeback"; then
	echo "ok: replay of a header with writeback \"sometimes\": $err"
else
	fail "replay of a bad model.writeback: exit $rc: $err"
fi

# A campaign under the policy: accepted (a policy never "fails to take effect").
"$sim" campaign "$buggy" --drop-each isb --inject writeback=never --json >"$tmp/c.json" \
	2>"$tmp/c.err"
rc=$?
if [ "$rc" -eq 3 ] && grep -q '"verdict": *"hazard"' "$tmp/c.json"; then
	echo "ok: campaign --inject writeback=never: exit 3 (the unchanged run has its reports)"
else
	fail "campaign --inject writeback=never: exit $rc: $(tail -n 2 "$tmp/c.err")"
fi
exit "$fails"
