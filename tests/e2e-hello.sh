#!/bin/sh
# e2e-hello.sh SIM HELLO_ELF - `sim run hello.elf` exits 0 (PSCI SYSTEM_OFF) and prints
# exactly the firmware's four UART lines on stdout.
set -u
sim=$1 elf=$2
[ -f "$elf" ] || { echo "no $elf (cross toolchain missing): skipped"; exit 77; }
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$sim" run "$elf" >"$out" 2>"$err"
rc=$?
cat "$out" "$err"
[ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc, expected 0"; exit 1; }
grep -q "PSCI SYSTEM_OFF after [0-9]* instructions" "$err" || { echo "FAIL: no SYSTEM_OFF report"; exit 1; }
[ "$(wc -l <"$out")" -eq 4 ] || { echo "FAIL: expected 4 UART lines"; exit 1; }
[ "$(sed -n 1p "$out")" = "hello: EL2, MMU off" ] || { echo "FAIL: line 1"; exit 1; }
sed -n 2p "$out" | grep -Eq '^hello: EL2 MMU on, running at VA 0x00000040[0-9a-f]{8}$' || { echo "FAIL: line 2"; exit 1; }
[ "$(sed -n 3p "$out")" = "hello: EL1" ] || { echo "FAIL: line 3"; exit 1; }
[ "$(sed -n 4p "$out")" = "hello: back at EL2 via HVC" ] || { echo "FAIL: line 4"; exit 1; }
# --uart FILE moves the guest text off stdout.
uart=$(mktemp)
"$sim" run "$elf" --uart "$uart" >"$out" 2>"$err" || { echo "FAIL: --uart run"; rm -f "$uart"; exit 1; }
[ ! -s "$out" ] && [ "$(wc -l <"$uart")" -eq 4 ] || { echo "FAIL: --uart"; rm -f "$uart"; exit 1; }
rm -f "$uart"
echo "ok"
