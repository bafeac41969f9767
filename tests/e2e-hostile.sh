#!/bin/sh
# e2e-hostile.sh SIM CASE HELLO RUNAWAY - input from a careless user or an attacker (issue
# #15): bad input gets one line `sim: FILE: problem` and exit 2, never a crash; a run that
# is cut short still leaves a complete trace. CASE picks one defect of the issue:
#   replay-before-reset  a trace whose events precede its `reset`: exit 2, not SIGSEGV
#   replay-bad-end       the `end` event is input: status 0-4, a known reason, else exit 2;
#                        so is the header's model.pa_bits (a PA size the model has, or
#                        absent: the Cortex-A72's 44 bits)
#   quote-input          newlines and escapes of specs, scenarios, traces and file names
#                        are shown escaped, never as a line or a terminal sequence
#   signals              SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE end the run as SIGINT
#                        does (end event, exit 3); a closed stdout is a message
#   input-size           a firmware larger than RAM (/dev/zero): exit 2 at once
#   trace-limit          --trace-limit: exit 3, the trace complete with its `end`
#   disk-full            the first write error of the trace stops the run (exit 2)
set -u
sim=$1 case=$2 elf=$3 runaway=$4
[ -f "$elf" ] && [ -f "$runaway" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { printf "FAIL: %s\n" "$*"; fails=$((fails + 1)); }
# one_line RC WANT_RC WORDS ERRFILE: exit WANT_RC and exactly one stderr line with WORDS
one_line() {
	n=$(wc -l <"$4")
	if [ "$1" -ne "$2" ] || [ "$n" -ne 1 ] || ! grep -qF -- "$3" "$4"; then
		fail "exit $1 (want $2), $n line(s), want one with '$3':"
		head -5 "$4"
	else
		printf "ok: exit %s: %s\n" "$1" "$(cat "$4")"
	fi
}
# A real trace of hello, and its header alone.
"$sim" run "$elf" --trace "$dir/hello.jsonl" --uart /dev/null 2>/dev/null
head -n 1 "$dir/hello.jsonl" >"$dir/header"

case $case in
replay-before-reset)
	# AFL's variants: an insn, a mem, a sysreg, a tlbi, an exc-entry, a cpu-on, a hang,
	# an eret, a dc, an abandon before any reset.
	for ev in '"type":"insn","cpu":0,"pc":"0x40101000","el":2,"enc":"0xd503201f"' \
		'"type":"mem","cpu":0,"access":"store","va":"0x40100000","size":8,"value":"0x1"' \
		'"type":"sysreg","cpu":0,"name":"TTBR0_EL2","new":"0x40200000"' \
		'"type":"tlbi","cpu":0,"op":"alle2","arg":"0x0"' \
		'"type":"exc-entry","cpu":0,"pc":"0x40101000","from_el":2,"to_el":2,"esr":"0x0"' \
		'"type":"cpu-on","cpu":0,"by":0,"pc":"0x0","entry":"0x40101000"' \
		'"type":"hang","cpu":0,"pc":"0x40101000","what":"x"' \
		'"type":"eret","cpu":0,"pc":"0x40101000","from_el":2,"to_el":1,"target":"0x0"' \
		'"type":"dc","cpu":0,"op":"zva","arg":"0x40100000"' \
		'"type":"cpu-off","cpu":0,"pc":"0x0"'; do
		{ cat "$dir/header"; printf "%s\n" "{$ev,\"seq\":1}"; } >"$dir/t.jsonl"
		"$sim" replay "$dir/t.jsonl" --firmware "$elf" >/dev/null 2>"$dir/err"
		one_line $? 2 "before the first \`reset\` event" "$dir/err"
	done
	;;
replay-bad-end)
	sed '$d' "$dir/hello.jsonl" >"$dir/body"
	end='"type":"end","seq":9999,"insns":1,"pc":"0x0","sym":""'
	for bad in '"reason":"system-off","status":139,"exit":139,"message":"m"' \
		'"reason":"system-off","status":256,"exit":0,"message":"m"' \
		'"reason":"system-off","status":-1,"exit":0,"message":"m"' \
		'"reason":"internal-error","status":0,"exit":0,"message":"m"' \
		'"reason":"system-off","status":3,"exit":3,"message":"m"' \
		'"reason":"pwned","status":3,"exit":3,"message":"m"' \
		'"status":0,"exit":0,"message":"m"' \
		'"reason":"system-off","exit":0,"message":"m"' \
		'"reason":"system-off","status":"0","exit":0,"message":"m"'; do
		{ cat "$dir/body"; printf "%s\n" "{$end,$bad}"; } >"$dir/t.jsonl"
		"$sim" replay "$dir/t.jsonl" --firmware "$elf" >/dev/null 2>"$dir/err"
		one_line $? 2 "the \`end\` event" "$dir/err"
	done
	# The real ones still replay with the run's status, and the message is quoted.
	"$sim" replay "$dir/hello.jsonl" --firmware "$elf" >/dev/null 2>"$dir/err"
	rc=$?
	[ "$rc" -eq 0 ] || { fail "the real trace replays with exit $rc, want 0"; cat "$dir/err"; }
	{ cat "$dir/body"; printf "%s\n" "{$end,\"reason\":\"budget\",\"status\":3,\"exit\":3,\"message\":\"x\\nsim: forged\\u001b[2J\"}"; } >"$dir/t.jsonl"
	"$sim" replay "$dir/t.jsonl" --firmware "$elf" >/dev/null 2>"$dir/err"
	one_line $? 3 'x\nsim: forged\x1b[2J' "$dir/err"
	grep -q '"pa_bits":44,' "$dir/header" || fail "the header has no \"pa_bits\":44"
	for bad in '"pa_bits":52,' '"pa_bits":-1,' '"pa_bits":"44",' '"pa_bits":4294967340,'; do
		sed "1s/\"pa_bits\":44,/$bad/" "$dir/hello.jsonl" >"$dir/t.jsonl"
		"$sim" replay "$dir/t.jsonl" --firmware "$elf" >/dev/null 2>"$dir/err"
		one_line $? 2 "model.pa_bits is not 32, 36, 40, 42, 44 or 48" "$dir/err"
	done
	sed '1s/"pa_bits":44,//' "$dir/hello.jsonl" >"$dir/t.jsonl"
	"$sim" replay "$dir/t.jsonl" --firmware "$elf" >/dev/null 2>"$dir/err"
	rc=$?
	[ "$rc" -eq 0 ] || { fail "a header without pa_bits replays with exit $rc, want 0"; cat "$dir/err"; }
	;;
quote-input)
	esc=$(printf '\033')
	nl='
'
	# --inject specs.
	"$sim" run "$elf" --inject "drop@x${nl}sim: forged${esc}[2J" 2>"$dir/err" >/dev/null
	one_line $? 2 'drop@x\nsim: forged\x1b[2J' "$dir/err"
	"$sim" run "$elf" --inject "bogus${nl}sim: forged" 2>"$dir/err" >/dev/null
	one_line $? 2 'bogus\nsim: forged' "$dir/err"
	"$sim" run "$elf" --max-insns "1${nl}sim: forged" 2>"$dir/err" >/dev/null
	one_line $? 2 '1\nsim: forged' "$dir/err"
	# A file name.
	cp "$elf" "$dir/a${nl}sim: forged.elf"
	"$sim" run "$dir/a${nl}sim: forged.elf" --max-insns 5 2>"$dir/err" >/dev/null
	rc=$?
	[ "$rc" -eq 3 ] || fail "run of a file named with a newline: exit $rc, want 3"
	grep -q '^sim: forged' "$dir/err" && { fail "the file name forged a line:"; cat "$dir/err"; }
	grep -qF 'a\nsim: forged.elf' "$dir/err" || { fail "the file name is not shown escaped:"; cat "$dir/err"; }
	"$sim" replay "$dir/no${nl}such" 2>"$dir/err" >/dev/null
	one_line $? 2 'no\nsuch' "$dir/err"
	# A scenario: its description, its inject specs, its expectations, its firmware.
	printf '{"description": "d\\nsim: scenario x: expectation holds\\u001b[31m", "firmware": "%s", "expect": "clean"}\n' "$elf" >"$dir/s.json"
	"$sim" run --scenario "$dir/s.json" --uart /dev/null 2>"$dir/err"
	rc=$?
	[ "$rc" -eq 0 ] || { fail "clean scenario: exit $rc"; cat "$dir/err"; }
	grep -qF 'd\nsim: scenario x: expectation holds\x1b[31m' "$dir/err" &&
		! grep -q "$esc" "$dir/err" && [ "$(grep -c '^sim: ' "$dir/err")" -eq 2 ] ||
		{ fail "the description is not quoted:"; cat -v "$dir/err"; }
	printf '{"firmware": "%s", "inject": ["drop@x\\nsim: forged"], "expect": "clean"}\n' "$elf" >"$dir/s2.json"
	"$sim" run --scenario "$dir/s2.json" --uart /dev/null 2>"$dir/err"
	one_line $? 2 'drop@x\nsim: forged' "$dir/err"
	printf '{"firmware": "%s\\nsim: forged", "expect": "clean"}\n' "$elf" >"$dir/s3.json"
	"$sim" run --scenario "$dir/s3.json" 2>"$dir/err"
	one_line $? 2 'sim: forged' "$dir/err"
	printf '{"firmware": "%s", "expect": {"hazards": [{"class": "stale-tlb", "at": "f\\nsim: forged"}]}}\n' "$elf" >"$dir/s4.json"
	"$sim" run --scenario "$dir/s4.json" --uart /dev/null 2>"$dir/err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "unmet scenario: exit $rc, want 1"
	grep -q '^sim: forged' "$dir/err" && { fail "an expectation forged a line:"; cat "$dir/err"; }
	grep -qF 'f\nsim: forged' "$dir/err" || { fail "the expectation is not shown escaped:"; cat "$dir/err"; }
	# A trace's strings (the firmware path of its header).
	sed 's|"path":"[^"]*"|"path":"x\\nsim: forged"|' "$dir/hello.jsonl" >"$dir/t.jsonl"
	"$sim" replay "$dir/t.jsonl" --firmware "$elf" 2>"$dir/err" >/dev/null
	rc=$?
	[ "$rc" -eq 0 ] || fail "replay of a trace with a forged path: exit $rc, want 0"
	grep -q '^sim: forged' "$dir/err" && { fail "the trace's path forged a line:"; cat "$dir/err"; }
	;;
signals)
	# A SIGHUP ignored by whoever started the suite (nohup) stays ignored in sim, as nohup
	# asks (main.c), and a shell cannot restore it: test HUP only when it is not ignored.
	sigs="HUP USR1 USR2 ALRM"
	ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status 2>/dev/null)
	if [ -n "$ign" ] && [ $((0x$ign & 1)) -ne 0 ]; then
		echo "note: SIGHUP is ignored in this process (nohup?): not tested"
		sigs="USR1 USR2 ALRM"
	fi
	for sig in $sigs; do
		t="$dir/$sig.jsonl"
		"$sim" run "$runaway" --trace "$t" --uart /dev/null 2>"$dir/err" &
		pid=$!
		i=0
		while [ "$i" -lt 100 ] && [ "$(wc -c 2>/dev/null <"$t" || echo 0)" -lt 100000 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -s "$sig" "$pid"
		wait "$pid"
		one_line $? 3 "interrupted after" "$dir/err"
		grep -q "(SIG$sig)" "$dir/err" || fail "SIG$sig is not named"
		tail -n 1 "$t" | grep -q '"type":"end".*"reason":"interrupted"' ||
			fail "SIG$sig: no end event: $(tail -c 200 "$t")"
	done
	# A broken pipe: the guest's UART output to a reader that has gone (true exits
	# before sim starts; the budget only keeps a very slow machine from hanging here).
	{ sleep 1; exec "$sim" run "$runaway" --trace "$dir/pipe.jsonl" --max-insns 50000000 \
		2>"$dir/err"; } | true
	tail -n 1 "$dir/pipe.jsonl" | grep -q '"type":"end".*"reason":"interrupted"' ||
		fail "SIGPIPE: no end event: $(tail -c 200 "$dir/pipe.jsonl")"
	grep -qF "(SIGPIPE)" "$dir/err" && grep -q "^sim: stdout: write error: Broken pipe" "$dir/err" ||
		{ fail "SIGPIPE: no message"; cat "$dir/err"; }
	# SIGPIPE ignored by the parent: the same, through EPIPE.
	(trap '' PIPE; { sleep 1; exec "$sim" run "$runaway" --max-insns 300000 2>"$dir/err"; } | true)
	grep -q "^sim: stdout: write error: Broken pipe" "$dir/err" || { fail "EPIPE: no message"; cat "$dir/err"; }
	# A full stdout.
	if [ -w /dev/full ]; then
		"$sim" run "$elf" >/dev/full 2>"$dir/err"
		rc=$?
		[ "$rc" -eq 2 ] && grep -q "^sim: stdout: write error: No space left on device" "$dir/err" ||
			{ fail "stdout on /dev/full: exit $rc"; cat "$dir/err"; }
	fi
	;;
input-size)
	start=$(date +%s)
	"$sim" run /dev/zero 2>"$dir/err"
	one_line $? 2 "/dev/zero: larger than the 256M of RAM" "$dir/err"
	head -c 2000000 /dev/zero >"$dir/big"
	"$sim" run "$dir/big" --ram 1M 2>"$dir/err"
	one_line $? 2 "larger than the 1M of RAM" "$dir/err"
	[ $(($(date +%s) - start)) -le 10 ] || fail "took more than 10 s"
	;;
trace-limit)
	for t in "$dir/lim.jsonl" "$dir/lim.jsonl.gz"; do
		"$sim" run "$runaway" --trace "$t" --trace-limit 2M --uart /dev/null 2>"$dir/err"
		one_line $? 3 "trace limit of 2M reached" "$dir/err"
		case $t in *.gz) gzip -dc "$t" >"$dir/plain" ;; *) cp "$t" "$dir/plain" ;; esac
		size=$(wc -c <"$t")
		[ "$size" -ge 2097152 ] && [ "$size" -le 20971520 ] || fail "$t: $size bytes"
		tail -n 1 "$dir/plain" | grep -q '"type":"end".*"reason":"trace-limit"' ||
			fail "$t: no end event: $(tail -c 200 "$dir/plain")"
		"$sim" replay "$t" --firmware "$runaway" >/dev/null 2>"$dir/rerr"
		one_line $? 3 "trace limit of 2M reached" "$dir/rerr"
	done
	"$sim" run "$elf" --trace-limit 12 2>"$dir/err"
	one_line $? 2 "--trace-limit 12" "$dir/err"
	;;
disk-full)
	# A 1 MiB tmpfs when we may mount one (root), else /dev/full.
	if [ "$(id -u)" -eq 0 ] && mkdir "$dir/mnt" && mount -t tmpfs -o size=1m hypsim-full "$dir/mnt" 2>/dev/null; then
		trap 'umount "$dir/mnt"; rm -rf "$dir"' EXIT
		trap 'exit 1' INT TERM
		t="$dir/mnt/t.jsonl"
	else
		echo "no tmpfs: /dev/full"
		t=/dev/full
	fi
	start=$(date +%s)
	"$sim" run "$runaway" --trace "$t" --uart /dev/null 2>"$dir/err"
	one_line $? 2 "write error: No space left on device" "$dir/err"
	grep -qF "$t: write error" "$dir/err" || fail "the message does not name the trace"
	[ $(($(date +%s) - start)) -le 10 ] || fail "the run went on after the disk was full"
	if [ "$t" != /dev/full ]; then
		size=$(wc -c <"$t")
		[ "$size" -ge 1000000 ] || fail "what was written was not kept: $size bytes"
		head -n 1 "$t" | grep -q '"type":"header"' || fail "no header kept"
	fi
	;;
*)
	fail "unknown case $case"
	;;
esac
[ "$fails" -eq 0 ]
