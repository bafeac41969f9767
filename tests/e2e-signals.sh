#!/bin/sh
# e2e-signals.sh SIM RUNAWAY - "never lose a trace" (issue #6): SIGTERM and SIGINT end a
# run of a guest that would never finish; sim exits 3 ("interrupted"), the trace (plain and
# gzip) is flushed up to an `end` event that says so, and `sim replay` accepts it.
set -u
sim=$1 elf=$2
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for sig in TERM INT; do
	for ext in jsonl jsonl.gz; do
		t="$dir/$sig.$ext"
		"$sim" run "$elf" --trace "$t" --uart /dev/null 2>"$dir/err" &
		pid=$!
		# Wait until the guest is well under way (the trace has grown), then signal.
		i=0
		while [ "$i" -lt 100 ] && [ "$(wc -c <"$t" 2>/dev/null || echo 0)" -lt 100000 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -s "$sig" "$pid"
		wait "$pid"
		rc=$?
		[ "$rc" -eq 3 ] || fail "SIG$sig: sim exited $rc, want 3"
		grep -q "interrupted after [0-9]* instructions" "$dir/err" ||
			{ fail "SIG$sig: no 'interrupted' line:"; cat "$dir/err"; }
		case $ext in
		*.gz) last=$(gzip -dc "$t" | tail -n 1) ;;
		*) last=$(tail -n 1 "$t") ;;
		esac
		echo "$last" | grep -q '"type":"end"' && echo "$last" | grep -q 'interrupted' ||
			fail "SIG$sig $ext: the trace does not end with the interrupted end event: $last"
		"$sim" replay "$t" --firmware "$elf" >/dev/null 2>"$dir/rerr"
		rrc=$?
		[ "$rrc" -eq 3 ] || { fail "SIG$sig $ext: replay exited $rrc, want 3:"; cat "$dir/rerr"; }
		grep -q "warning" "$dir/rerr" && { fail "SIG$sig $ext: replay warned:"; cat "$dir/rerr"; }
		[ "$fails" -eq 0 ] && echo "ok: SIG$sig, $ext trace: exit 3, end event, replay exit 3"
	done
done
[ "$fails" -eq 0 ]
