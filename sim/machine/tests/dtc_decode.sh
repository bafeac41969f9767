#!/bin/sh
# dtc_decode.sh DTB_DUMP - decode hypsim's generated device tree with dtc, the reference
# device tree compiler, independently of libfdt: it must decompile without warnings and
# carry the nodes of DESIGN §2 with QEMU virt's names. Skipped (77) without dtc.
set -eu
dump="$1"
command -v dtc >/dev/null 2>&1 || { echo "dtc not installed (device-tree-compiler): skip"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$dump" "$tmp/h.dtb" 2 256 "console=ttyAMA0 kvm-arm.mode=nvhe" 0x4fc00000 0x4fc01000
dtc -I dtb -O dts -o "$tmp/h.dts" "$tmp/h.dtb" 2>"$tmp/warn"
if [ -s "$tmp/warn" ]; then
	echo "dtc warnings:"; cat "$tmp/warn"; exit 1
fi
fail=0
want() {
	grep -qF -- "$1" "$tmp/h.dts" || { echo "missing in dts: $1"; fail=1; }
}
want 'memory@40000000 {'
want 'reg = <0x00 0x40000000 0x00 0x10000000>;'
want 'intc@8000000 {'
want 'compatible = "arm,cortex-a15-gic";'
want 'reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000 0x00 0x8030000 0x00 0x10000 0x00 0x8040000 0x00 0x10000>;'
want 'interrupts = <0x01 0x0d 0x304 0x01 0x0e 0x304 0x01 0x0b 0x304 0x01 0x0a 0x304>;'
want 'compatible = "arm,armv8-timer\0arm,armv7-timer";'
want 'pl011@9000000 {'
want 'compatible = "arm,pl011\0arm,primecell";'
want 'interrupts = <0x00 0x01 0x04>;'
want 'clock-frequency = <0x16e3600>;'
want 'compatible = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";'
want 'method = "smc";'
want 'cpu@0 {'
want 'cpu@1 {'
want 'enable-method = "psci";'
want 'bootargs = "console=ttyAMA0 kvm-arm.mode=nvhe";'
want 'stdout-path = "/pl011@9000000";'
want 'linux,initrd-start = <0x00 0x4fc00000>;'
want 'linux,initrd-end = <0x00 0x4fc01000>;'
for absent in virtio_mmio v2m pcie pl031 pl061 fw-cfg flash pmu kaslr-seed rng-seed; do
	if grep -q "$absent" "$tmp/h.dts"; then echo "unexpected in dts: $absent"; fail=1; fi
done
# Round trip: dtc compiles its own output back to the same tree.
dtc -I dts -O dtb -o "$tmp/r.dtb" "$tmp/h.dts" 2>/dev/null
dtc -I dtb -O dts "$tmp/r.dtb" 2>/dev/null | cmp -s - "$tmp/h.dts" || { echo "dtc round trip differs"; fail=1; }
[ "$fail" -eq 0 ] && echo "dtc decodes hypsim's DTB: all nodes present, nothing extra"
exit "$fail"
