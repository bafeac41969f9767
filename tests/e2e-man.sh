#!/bin/sh
# e2e-man.sh MANPAGE - the manual page renders with man-db (`man -l`, as the README says to
# read it) without a single troff warning, with the sections a manual page has.
# Exit 77 (skipped) without man.
set -u
page=$1
command -v man >/dev/null || { echo "no man (Debian package man-db): skipped"; exit 77; }
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
MANWIDTH=80 man --warnings -l "$page" >"$out" 2>"$err" </dev/null
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: man -l $page: exit $rc"; cat "$err"; exit 1; }
[ ! -s "$err" ] || { echo "FAIL: man --warnings -l $page warns:"; cat "$err"; exit 1; }
for section in NAME SYNOPSIS DESCRIPTION COMMANDS "RUN OPTIONS" "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	grep -q "^$section\$" "$out" || { echo "FAIL: no section $section in the rendered page"; exit 1; }
done
grep -q '^ *sim run FIRMWARE.elf \[OPTION\]' "$out" || { echo "FAIL: no 'sim run' synopsis"; exit 1; }
echo "ok: man -l $page renders, $(wc -l <"$out") lines, no warning"
