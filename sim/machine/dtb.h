/*
 * dtb.h - the flattened device tree hypsim hands a Linux kernel in x0 (booting.rst §2).
 *
 * dtb_build writes the tree of the machine hypsim really has (DESIGN §2), with QEMU virt's
 * node names and properties (compared with `qemu-system-aarch64 -M virt,virtualization=on,
 * gic-version=2,dumpdtb=...`) so a kernel sees the same devices at the same places:
 * /psci (arm,psci-1.0/0.2/psci, method smc, the 0.1 cpu_on/cpu_off IDs), /memory@<base>,
 * /cpus with one cpu@N per CPU (arm,cortex-a72, reg = MPIDR Aff0, enable-method psci),
 * /intc@8000000 (arm,cortex-a15-gic: GICD, GICC, GICH, GICV; maintenance PPI 9),
 * /timer (arm,armv8-timer, PPIs 13, 14, 11, 10 with the CPU mask as QEMU writes it for a
 * GICv2), /pl011@9000000 (SPI 1, clocks -> /apb-pclk, a 24 MHz fixed-clock), /chosen
 * (bootargs, stdout-path, linux,initrd-start/end).
 * Not advertised, because hypsim has none of them: QEMU's virtio-mmio, PCIe, fw-cfg, flash,
 * PL031 RTC, PL061 GPIO and gpio-keys, GICv2m, PMU; nor /chosen's kaslr-seed and rng-seed
 * (random in QEMU: without them every run of a kernel is the same run).
 * Secure physical timer PPI 13 is listed because the arm,armv8-timer binding's order needs
 * the slot; hypsim never asserts it (no EL3).
 */
#ifndef HYPSIM_MACHINE_DTB_H
#define HYPSIM_MACHINE_DTB_H

#include <stddef.h>
#include <stdint.h>

#define DTB_ERR_LEN  256
#define DTB_MAX_SIZE (2u << 20) /* booting.rst: the dtb must not exceed 2 megabytes */

struct dtb_chosen {
	const char *bootargs; /* NULL: no bootargs property (a user DTB keeps its own) */
	uint64_t initrd_start, initrd_end; /* both 0: no initrd */
};

struct dtb_machine {
	uint64_t ram_base, ram_size;
	unsigned ncpus; /* 1..8 (GICv2's limit) */
	struct dtb_chosen chosen;
};

/*
 * Build the tree into a fresh buffer (*out, malloc'd, *out_size bytes, packed). Returns 0 or
 * a negative errno with one line in err (-EINVAL for a bad machine, -ENOMEM, -EFBIG).
 */
int dtb_build(const struct dtb_machine *m, void **out, size_t *out_size, char err[DTB_ERR_LEN]);

/*
 * A user's DTB (--dtb FILE): check it (fdt_check_header, then the whole structure with
 * fdt_check_full, and at most DTB_MAX_SIZE), copy it into a fresh buffer with room and set
 * /chosen's bootargs and initrd properties (creating /chosen if needed). -EINVAL with the
 * libfdt reason when the blob is not a valid tree, -EFBIG when it is over 2 MiB.
 */
int dtb_patch(const void *blob, size_t len, const struct dtb_chosen *chosen, void **out,
              size_t *out_size, char err[DTB_ERR_LEN]);

/* Read path and dtb_patch it. */
int dtb_load(const char *path, const struct dtb_chosen *chosen, void **out, size_t *out_size,
             char err[DTB_ERR_LEN]);

#endif /* HYPSIM_MACHINE_DTB_H */
