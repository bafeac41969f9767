#!/bin/sh
# e2e-install.sh MESON BUILD_ROOT BINDIR MANDIR VERSION - `meson install` puts exactly the
# `sim` program in BINDIR and its manual page in MANDIR/man1, and nothing else; the
# installed program runs. Installs into a temporary --destdir, not the real prefix.
set -u
meson=$1 build=$2 bindir=$3 mandir=$4 version=$5
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$dest.log" 2>&1 ||
	{ cat "$dest.log"; rm -f "$dest.log"; fail "meson install --destdir exited non-zero"; }
rm -f "$dest.log"
[ -x "$dest$bindir/sim" ] || fail "no executable $bindir/sim under the destdir"
[ -f "$dest$mandir/man1/sim.1" ] || fail "no $mandir/man1/sim.1 under the destdir"
(cd "$dest" && find . -type f | sort) >"$dest.files"
printf './%s\n' "${bindir#/}/sim" "${mandir#/}/man1/sim.1" | sort >"$dest.want"
cmp -s "$dest.files" "$dest.want" || { diff "$dest.want" "$dest.files"; rm -f "$dest.files" "$dest.want"; fail "installed files differ"; }
rm -f "$dest.files" "$dest.want"
[ "$("$dest$bindir/sim" --version | head -n 1)" = "sim (hypsim) $version" ] ||
	fail "the installed sim --version does not say $version"
grep -q '^\.TH SIM 1 ' "$dest$mandir/man1/sim.1" || fail "the installed sim.1 is no manual page"
echo "ok: meson install --destdir: $bindir/sim and $mandir/man1/sim.1"
