#!/bin/sh
# trace-regress.sh MODE SIM ELF GOLDEN [ARGS...] - the regression suite 'trace' (issue #6).
#   run       sim run ELF ARGS again and `sim diff` the new trace against GOLDEN (exit 0)
#   replay    sim replay GOLDEN: its stderr is GOLDEN's .stderr (the run's report) byte for
#             byte and its exit status the one the trace's `end` event recorded
#   patched   ARGS = PATCH-INSN ADDR SYMBOL: ELF with the instruction at ADDR made a NOP
#             runs; `sim diff` must exit 1 naming that instruction (PC, symbol, `nop`)
#   truncated GOLDEN cut in the middle of a line (plain and gzip): replay warns and reports
#             up to the last complete event, never exit 2
#   not-trace sim replay / sim diff of a file that is no trace (the ELF): exit 2, one line
#             naming the file
#   bad-schema --trace-schema 3, --trace-schema without --trace, and replay / diff of a trace
#             whose header says schema 3: exit 2, one line each
#   schema1   ARGS = TRACE-CHECK TRACE-SUMMARY [RUN ARGS...]: the run written as schema 1
#             (--trace-schema 1: asm and sym on every insn) and as schema 2 (the default):
#             trace-check accepts each as its schema; sim diff finds schema 1 equal to
#             GOLDEN (schema 2) and to the schema 2 run; replay of schema 1 gives GOLDEN's
#             report and exit status; trace-summary says the same of both but the schema;
#             schema 2 is the smaller file
# Exits 77 (skipped) when the firmware could not be built (no cross toolchain).
set -u
mode=$1 sim=$2 elf=$3 golden=$4
shift 4
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
[ -f "$golden" ] || { echo "FAIL: no golden trace $golden (tools/regen-traces)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expected_exit() { # the exit status the recorded run ended with
	gzip -dc "$1" | tail -n 1 | sed -n 's/.*"type":"end".*"exit":\([0-9]*\).*/\1/p'
}
case $mode in
run)
	"$sim" run "$elf" "$@" --trace "$tmp/new.jsonl.gz" --uart /dev/null 2>"$tmp/err"
	"$sim" diff "$golden" "$tmp/new.jsonl.gz" >"$tmp/diff" 2>&1
	rc=$?
	cat "$tmp/diff"
	[ "$rc" -eq 0 ] || fail "sim diff exited $rc: the run no longer matches $golden" \
		"(a deliberate change? tools/regen-traces)"
	;;
replay)
	want=$(expected_exit "$golden")
	[ -n "$want" ] || fail "$golden has no end event"
	"$sim" replay "$golden" --firmware "$elf" 2>"$tmp/err"
	rc=$?
	diff -u "${golden%.jsonl.gz}.stderr" "$tmp/err" || fail "replay's report differs from the run's"
	[ "$rc" -eq "$want" ] || fail "replay exited $rc, the run $want"
	;;
patched)
	patch=$1 addr=$2 sym=$3
	"$patch" "$elf" "$tmp/patched.elf" "$addr" 0xd503201f || fail "cannot patch $elf"
	"$sim" run "$tmp/patched.elf" --trace "$tmp/new.jsonl.gz" --uart /dev/null 2>/dev/null
	"$sim" diff "$golden" "$tmp/new.jsonl.gz" >"$tmp/diff" 2>&1
	rc=$?
	cat "$tmp/diff"
	[ "$rc" -eq 1 ] || fail "sim diff exited $rc, expected 1"
	line=$(grep '^  B: ' "$tmp/diff" | head -n 1)
	pc=$(printf '0x%x' "$addr")
	case $line in *"PC $pc $sym \`nop\`"*) ;; *) fail "the divergence does not name $pc $sym nop" ;; esac
	grep -q "^  enc: " "$tmp/diff" || fail "no enc field named"
	grep -q "further event" "$tmp/diff" || fail "no count of further differences"
	;;
truncated)
	gzip -dc "$golden" >"$tmp/full.jsonl"
	size=$(wc -c <"$tmp/full.jsonl")
	head -c $((size / 2)) "$tmp/full.jsonl" >"$tmp/cut.jsonl"
	tail -c 1 "$tmp/cut.jsonl" | od -c | grep -q '\\n' && fail "cut at a line end: pick another size"
	head -c $(($(wc -c <"$golden") / 2)) "$golden" >"$tmp/cut.jsonl.gz"
	for t in "$tmp/cut.jsonl" "$tmp/cut.jsonl.gz"; do
		"$sim" replay "$t" --firmware "$elf" >/dev/null 2>"$tmp/err"
		rc=$?
		cat "$tmp/err"
		[ "$rc" -eq 1 ] || [ "$rc" -eq 3 ] || fail "replay of $t exited $rc"
		grep -q "^sim: $t: warning: the trace ends without its .end. event" "$tmp/err" ||
			fail "no warning for $t"
	done
	grep -q "cut off mid-line" "$tmp/err" || true
	;;
not-trace)
	for cmd in "replay $elf" "diff $elf $golden"; do
		# shellcheck disable=SC2086
		"$sim" $cmd >/dev/null 2>"$tmp/err"
		rc=$?
		cat "$tmp/err"
		[ "$rc" -eq 2 ] || fail "sim $cmd exited $rc, expected 2"
		[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "sim $cmd: not one line"
		grep -q "^sim: $elf: not a hypsim trace" "$tmp/err" || fail "sim $cmd: does not name $elf"
	done
	;;
bad-schema)
	gzip -dc "$golden" | sed '1s/"schema":2,/"schema":3,/' >"$tmp/s3.jsonl"
	for cmd in "run $elf --trace $tmp/x.jsonl --trace-schema 3" "run $elf --trace-schema 1" \
		"replay $tmp/s3.jsonl --firmware $elf" "diff $golden $tmp/s3.jsonl"; do
		# shellcheck disable=SC2086
		"$sim" $cmd >/dev/null 2>"$tmp/err"
		rc=$?
		cat "$tmp/err"
		[ "$rc" -eq 2 ] || fail "sim $cmd exited $rc, expected 2"
		[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "sim $cmd: not one line"
	done
	grep -q "^sim: $tmp/s3.jsonl: trace schema 3 is not one this sim reads" "$tmp/err" ||
		fail "sim diff does not name the schema"
	;;
schema1)
	check=$1 summary=$2
	shift 2
	"$sim" run "$elf" "$@" --trace-schema 1 --trace "$tmp/s1.jsonl" --uart /dev/null 2>"$tmp/err1"
	rc1=$?
	"$sim" run "$elf" "$@" --trace "$tmp/s2.jsonl" --uart /dev/null 2>"$tmp/err2"
	rc2=$?
	[ "$rc1" -eq "$rc2" ] || fail "the schema 1 run exited $rc1, the schema 2 run $rc2"
	cmp -s "$tmp/err1" "$tmp/err2" || fail "the runs' reports differ with the schema"
	"$check" "$tmp/s1.jsonl" --schema 1 || fail "trace-check of the schema 1 trace"
	"$check" "$tmp/s2.jsonl" --schema 2 || fail "trace-check of the schema 2 trace"
	"$sim" diff "$golden" "$tmp/s1.jsonl" >"$tmp/diff" 2>&1
	rc=$?
	cat "$tmp/diff"
	[ "$rc" -eq 0 ] || fail "sim diff GOLDEN schema-1 exited $rc"
	grep -q "^note: trace schema 2 in A, 1 in B" "$tmp/diff" || fail "no note of the schemas"
	"$sim" diff "$tmp/s1.jsonl" "$tmp/s2.jsonl" >"$tmp/diff" 2>&1 ||
		{ cat "$tmp/diff"; fail "sim diff schema-1 schema-2 exited $?"; }
	want=$(expected_exit "$golden")
	"$sim" replay "$tmp/s1.jsonl" --firmware "$elf" 2>"$tmp/err"
	rc=$?
	diff -u "${golden%.jsonl.gz}.stderr" "$tmp/err" || fail "replay of schema 1: another report"
	[ "$rc" -eq "$want" ] || fail "replay of schema 1 exited $rc, the run $want"
	"$summary" "$tmp/s1.jsonl" | grep -v "schema [12]$" | sed "s|$tmp/s1|TRACE|" >"$tmp/sum1"
	"$summary" "$tmp/s2.jsonl" | grep -v "schema [12]$" | sed "s|$tmp/s2|TRACE|" >"$tmp/sum2"
	diff -u "$tmp/sum1" "$tmp/sum2" || fail "trace-summary differs with the schema"
	[ "$(wc -c <"$tmp/s2.jsonl")" -lt "$(wc -c <"$tmp/s1.jsonl")" ] ||
		fail "the schema 2 trace is not smaller"
	;;
*)
	fail "unknown mode $mode"
	;;
esac
echo "ok"
