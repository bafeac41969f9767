#!/bin/sh
# e2e-help.sh SIM MANPAGE VERSION - the command line's conventions: `sim --version` and
# `sim version` print "sim (hypsim) VERSION" (the project's version); `sim --help`, `-h` and
# `sim help` print one overview naming every command; `sim help COMMAND` is `sim COMMAND
# --help` for each command; an unknown command or stray argument is one line, exit 2; the
# manual page (docs/sim.1) carries the same version and names every option a --help names.
set -u
sim=$1 man=$2 version=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

# out NAME WANT CMD...: run sim with CMD, stdout in $dir/NAME, stderr in $dir/NAME.err;
# fail unless the exit status is WANT.
out() {
	name=$1 want=$2
	shift 2
	"$sim" "$@" >"$dir/$name" 2>"$dir/$name.err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "sim $*: exit $rc, expected $want"
}

out v1 0 --version
out v2 0 version
[ "$(head -n 1 "$dir/v1")" = "sim (hypsim) $version" ] ||
	fail "sim --version: first line '$(head -n 1 "$dir/v1")', expected 'sim (hypsim) $version'"
grep -q '^built with Unicorn Engine [0-9]*\.[0-9]*\.[0-9]* and Capstone ' "$dir/v1" ||
	fail "sim --version names no Unicorn version"
cmp -s "$dir/v1" "$dir/v2" || fail "sim version differs from sim --version"
[ ! -s "$dir/v1.err" ] || fail "sim --version wrote on stderr"
out v3 2 version extra
if [ "$(wc -l <"$dir/v3.err")" -ne 1 ] || ! grep -q '^sim: ' "$dir/v3.err"; then
	fail "sim version extra: not one 'sim: ' line on stderr"
fi

out h1 0 --help
out h2 0 -h
out h3 0 help
if ! cmp -s "$dir/h1" "$dir/h2" || ! cmp -s "$dir/h1" "$dir/h3"; then
	fail "sim --help, -h, help differ"
fi
for cmd in run campaign replay diff help version; do
	grep -q "^  $cmd " "$dir/h1" || fail "sim --help does not list '$cmd'"
done

for cmd in run campaign replay diff; do
	out "help-$cmd" 0 help "$cmd"
	out "opt-$cmd" 0 "$cmd" --help
	cmp -s "$dir/help-$cmd" "$dir/opt-$cmd" || fail "sim help $cmd differs from sim $cmd --help"
	head -n 1 "$dir/help-$cmd" | grep -q "^usage: sim $cmd " ||
		fail "sim help $cmd: first line is not 'usage: sim $cmd ...'"
	# Every option the text names is in the manual, written as troff writes it (\-\-opt).
	grep -o -- '--[a-z][a-z-]*' "$dir/help-$cmd" | sort -u >"$dir/opts-$cmd"
	while read -r opt; do
		troff=$(echo "$opt" | sed 's/-/\\-/g')
		grep -qF -- "$troff" "$man" || fail "$man does not name $opt of sim $cmd"
	done <"$dir/opts-$cmd"
done
# run's text is about run: the other commands' options are not in it.
! grep -q -- '--drop-each\|--firmware' "$dir/help-run" || fail "sim run --help lists other commands' options"

out bad 2 help nosuch
[ "$(cat "$dir/bad.err")" = "sim: help: unknown command 'nosuch' (try 'sim --help')" ] ||
	fail "sim help nosuch: '$(cat "$dir/bad.err")'"
out bad2 2 nosuch
[ "$(cat "$dir/bad2.err")" = "sim: unknown command 'nosuch' (try 'sim --help')" ] ||
	fail "sim nosuch: '$(cat "$dir/bad2.err")'"

grep -q "^\.TH SIM 1 \"[0-9-]*\" \"hypsim $version\"" "$man" || fail "$man: .TH does not say hypsim $version"
echo "ok: --version, help for every command, the manual names every option"
