#!/bin/sh
# e2e-campaign.sh SIM ELF CAMPAIGN_CHECK CLASSES [--min N] RULE... - `sim campaign` on an
# init flow: exit 0, its --json detection table checked by campaign-check (each needed
# instruction detected with its class, redundant ones explained, no miss, no failure).
# HYPSIM_CAMPAIGN_RC: the exit status expected (default 0; 3 when the unchanged run of a
# buggy variant is not clean). HYPSIM_CAMPAIGN_ARGS: more campaign options (--cpus 2).
set -u
sim=$1 elf=$2 check=$3 classes=$4
shift 4
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck disable=SC2086
"$sim" campaign "$elf" --drop-each "$classes" --json ${HYPSIM_CAMPAIGN_ARGS:-} >"$dir/json" 2>"$dir/err"
rc=$?
cat "$dir/err"
fails=0
want=${HYPSIM_CAMPAIGN_RC:-0}
[ "$rc" -eq "$want" ] || { echo "FAIL: exit status $rc, expected $want"; fails=1; }
"$check" "$@" <"$dir/json" || fails=1
exit "$fails"
