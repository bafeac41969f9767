#!/bin/sh
# e2e-no-check-all.sh SIM FIRMWARE_BUILD_DIR [MAX_INSNS] - every firmware ELF built under
# FIRMWARE_BUILD_DIR runs the same instructions in `sim run --no-check` (tools/bench's bare
# Unicorn) as in the checked run (issue 14 defect 3): the same ending (its line names the
# instruction count, or the PC of a hang) and the same UART text, byte for byte. Each run
# has a budget (default 3,000,000 instructions) so that the big workloads stay short; the
# ELFs of two-CPU flows (psci-smp*, *hotplug*) run with --cpus 2. Skipped (77) when no
# firmware was built.
# A store to a live translation table makes Unicorn's TLB follow it in both modes (the
# checked run flushes from its code hook, --no-check restarts the store with the TLB
# flushed: sim/engine/hazards.c, hook_mem_bare), so firmware whose point is an access through
# a live descriptor rewritten with no TLBI (fidelity-spec-fill, herd-VIS7...) agree too.
set -u
sim=$1 fwdir=$2 budget=${3:-3000000}
elfs=$(find "$fwdir" -name '*.elf' | sort)
[ -n "$elfs" ] || { echo "no firmware under $fwdir (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0 n=0
for elf in $elfs; do
	name=$(basename "$elf" .elf)
	cpus=1
	case "$name" in psci-smp* | *hotplug*) cpus=2 ;; esac
	base=""
	for try in 1 2; do
		for mode in checked no-check; do
			opt=""
			[ "$mode" = no-check ] && opt=--no-check
			[ -n "$base" ] && opt="$opt --ram-base $base"
			# shellcheck disable=SC2086
			timeout 120 "$sim" run "$elf" $opt --cpus "$cpus" --max-insns "$budget" \
				--uart "$dir/$mode.uart" >/dev/null 2>"$dir/$mode.err"
			# The ending: the first "sim: ELF: ..." line (reports follow it).
			grep -m1 "^sim: " "$dir/$mode.err" | grep -v "hazard report" >"$dir/$mode.end"
		done
		# An image linked for RAM elsewhere (the "RAM above ..." builds): RAM at the
		# gigabyte of its first segment.
		seg=$(sed -n 's/.*segment \[\(0x[0-9a-f]*\),.*lies outside RAM.*/\1/p' "$dir/checked.end")
		[ -n "$seg" ] && [ -z "$base" ] || break
		base=$(printf '0x%x' $((seg & ~0x3fffffff)))
	done
	n=$((n + 1))
	if [ ! -s "$dir/checked.end" ]; then
		echo "FAIL: $name: no ending line in the checked run:"
		cat "$dir/checked.err"
		fails=$((fails + 1))
		continue
	fi
	if ! cmp -s "$dir/checked.end" "$dir/no-check.end"; then
		echo "FAIL: $name: the runs end differently:"
		echo "  checked:  $(cat "$dir/checked.end")"
		echo "  no-check: $(cat "$dir/no-check.end")"
		fails=$((fails + 1))
	elif ! cmp -s "$dir/checked.uart" "$dir/no-check.uart"; then
		echo "FAIL: $name: the UART text differs:"
		diff "$dir/checked.uart" "$dir/no-check.uart" | head -n 10
		fails=$((fails + 1))
	else
		echo "ok: $name: $(sed "s|^sim: [^:]*: ||" "$dir/checked.end")"
	fi
done
echo "$n firmware ELFs, $fails differing"
[ "$fails" -eq 0 ]
