#!/bin/sh
# e2e-inject-replay.sh SIM ELF SPEC... - a run with an injection records what the model saw
# (no event of a dropped instruction, the weaker barrier's encoding), so `sim replay` of its
# trace reports the same hazards, in the same order, at the same places.
set -u
sim=$1 elf=$2
shift 2
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
for spec in "$@"; do
	"$sim" run "$elf" --uart /dev/null --json --trace "$dir/t.jsonl" --inject "$spec" \
		2>/dev/null | grep -o '"class":"[a-z-]*"\|"sym":"[^"]*"' >"$dir/run"
	"$sim" replay "$dir/t.jsonl" --json 2>/dev/null |
		grep -o '"class":"[a-z-]*"\|"sym":"[^"]*"' >"$dir/replay"
	if [ ! -s "$dir/run" ] || ! cmp -s "$dir/run" "$dir/replay"; then
		echo "FAIL: --inject $spec: run and replay differ:"
		diff "$dir/run" "$dir/replay" | head -10
		fails=1
	else
		echo "ok: --inject $spec: $(tr '\n' ' ' <"$dir/run" | cut -c1-160)"
	fi
done
exit "$fails"
