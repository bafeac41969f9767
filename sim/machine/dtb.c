/*
 * dtb.c - the device tree of hypsim's machine, built and patched with libfdt.
 */
#include "dtb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libfdt.h>

#include "file.h"
#include "gic.h"
#include "pl011.h"
#include "timer.h"

#define PHANDLE_CLK  0x8000 /* QEMU virt's numbering, for easy comparison */
#define PHANDLE_GIC  0x8001
#define PHANDLE_CPU0 0x8100

/* "interrupts" cells of the GIC binding: type, number, flags. */
#define GIC_FDT_SPI         0
#define GIC_FDT_PPI         1
#define IRQ_TYPE_LEVEL_HIGH 4

#define PSCI_0_1_CPU_OFF 0x84000002u
#define PSCI_0_1_CPU_ON  0xc4000003u

static int fail(char err[DTB_ERR_LEN], int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, DTB_ERR_LEN, fmt, ap);
	va_end(ap);
	return rc;
}

/* Append the big-endian 32-bit cells of a 64-bit value pair (address, size). */
static int prop_reg(void *fdt, int node, const char *name, const uint64_t *v, int n)
{
	fdt64_t cells[8];

	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt64(v[i]);
	return fdt_setprop(fdt, node, name, cells, (int)(n * sizeof(cells[0])));
}

static int prop_cells(void *fdt, int node, const char *name, const uint32_t *v, int n)
{
	fdt32_t cells[16];

	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	return fdt_setprop(fdt, node, name, cells, (int)(n * sizeof(cells[0])));
}

/* A string list property: strings separated by NULs, given as one literal with \0s. */
#define STRLIST(fdt, node, name, lit) fdt_setprop(fdt, node, name, lit, sizeof(lit))

static int set_chosen(void *fdt, const struct dtb_chosen *c, const char *stdout_path)
{
	int node = fdt_path_offset(fdt, "/chosen"), r = 0;

	if (node == -FDT_ERR_NOTFOUND)
		node = fdt_add_subnode(fdt, 0, "chosen");
	if (node < 0)
		return node;
	if (c->bootargs)
		r = fdt_setprop_string(fdt, node, "bootargs", c->bootargs);
	if (!r && stdout_path)
		r = fdt_setprop_string(fdt, node, "stdout-path", stdout_path);
	if (!r && c->initrd_end > c->initrd_start) {
		/* 64-bit values: the root's #address-cells is 2 (QEMU writes them so too). */
		r = fdt_setprop_u64(fdt, node, "linux,initrd-start", c->initrd_start);
		if (!r)
			r = fdt_setprop_u64(fdt, node, "linux,initrd-end", c->initrd_end);
	}
	return r;
}

/* The whole tree into fdt (bufsize bytes); a libfdt error code on failure. */
static int build(void *fdt, int bufsize, const struct dtb_machine *m)
{
	char name[64];
	int root = 0, node, r;
	uint32_t ppi_flags = ((1u << m->ncpus) - 1) << 8 | IRQ_TYPE_LEVEL_HIGH;

#define TRY(x)                                                                                     \
	do {                                                                                       \
		r = (x);                                                                           \
		if (r < 0)                                                                         \
			return r;                                                                  \
	} while (0)
#define NODE(parent, n)                                                                            \
	do {                                                                                       \
		node = fdt_add_subnode(fdt, parent, n);                                            \
		if (node < 0)                                                                      \
			return node;                                                               \
	} while (0)

	TRY(fdt_create_empty_tree(fdt, bufsize));
	TRY(fdt_setprop_u32(fdt, root, "interrupt-parent", PHANDLE_GIC));
	TRY(fdt_setprop_string(fdt, root, "model", "hypsim (QEMU virt compatible)"));
	TRY(fdt_setprop_u32(fdt, root, "#size-cells", 2));
	TRY(fdt_setprop_u32(fdt, root, "#address-cells", 2));
	TRY(fdt_setprop_string(fdt, root, "compatible", "linux,dummy-virt"));

	/* PSCI over SMC, answered by hypsim as EL3 firmware (PSCI_VERSION reads 1.1). */
	NODE(root, "psci");
	TRY(STRLIST(fdt, node, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci"));
	TRY(fdt_setprop_string(fdt, node, "method", "smc"));
	/* The PSCI 0.1 binding's function IDs, for the calls hypsim implements only. */
	TRY(fdt_setprop_u32(fdt, node, "cpu_on", PSCI_0_1_CPU_ON));
	TRY(fdt_setprop_u32(fdt, node, "cpu_off", PSCI_0_1_CPU_OFF));

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)m->ram_base);
	NODE(root, name);
	TRY(fdt_setprop_string(fdt, node, "device_type", "memory"));
	{
		uint64_t reg[2] = {m->ram_base, m->ram_size};

		TRY(prop_reg(fdt, node, "reg", reg, 2));
	}

	/* The GICv2 with its virtualization extensions (QEMU's intc@8000000). */
	snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)GIC_DIST_BASE);
	NODE(root, name);
	TRY(fdt_setprop_u32(fdt, node, "phandle", PHANDLE_GIC));
	{
		uint32_t maint[3] = {GIC_FDT_PPI, GIC_MAINT_INTID - 16, IRQ_TYPE_LEVEL_HIGH};
		uint64_t reg[8] = {GIC_DIST_BASE, GIC_REGION_SIZE, GIC_CPU_BASE,  GIC_REGION_SIZE,
		                   GIC_HYP_BASE,  GIC_REGION_SIZE, GIC_VCPU_BASE, GIC_REGION_SIZE};

		TRY(prop_cells(fdt, node, "interrupts", maint, 3));
		TRY(prop_reg(fdt, node, "reg", reg, 8));
	}
	TRY(fdt_setprop_string(fdt, node, "compatible", "arm,cortex-a15-gic"));
	TRY(fdt_setprop_empty(fdt, node, "ranges"));
	TRY(fdt_setprop_u32(fdt, node, "#size-cells", 2));
	TRY(fdt_setprop_u32(fdt, node, "#address-cells", 2));
	TRY(fdt_setprop_empty(fdt, node, "interrupt-controller"));
	TRY(fdt_setprop_u32(fdt, node, "#interrupt-cells", 3));

	snprintf(name, sizeof(name), "pl011@%llx", (unsigned long long)PL011_BASE);
	NODE(root, name);
	TRY(STRLIST(fdt, node, "clock-names", "uartclk\0apb_pclk"));
	{
		uint32_t clocks[2] = {PHANDLE_CLK, PHANDLE_CLK};
		uint32_t irq[3] = {GIC_FDT_SPI, PL011_INTID - 32, IRQ_TYPE_LEVEL_HIGH};
		uint64_t reg[2] = {PL011_BASE, PL011_SIZE};

		TRY(prop_cells(fdt, node, "clocks", clocks, 2));
		TRY(prop_cells(fdt, node, "interrupts", irq, 3));
		TRY(prop_reg(fdt, node, "reg", reg, 2));
	}
	TRY(STRLIST(fdt, node, "compatible", "arm,pl011\0arm,primecell"));

	NODE(root, "cpus");
	TRY(fdt_setprop_u32(fdt, node, "#size-cells", 0));
	TRY(fdt_setprop_u32(fdt, node, "#address-cells", 1));
	{
		int cpus = node;

		/* Added in reverse: libfdt inserts a subnode first, so cpu@0 comes out first. */
		for (int c = (int)m->ncpus - 1; c >= 0; c--) {
			snprintf(name, sizeof(name), "cpu@%d", c);
			NODE(cpus, name);
			TRY(fdt_setprop_u32(fdt, node, "phandle", PHANDLE_CPU0 + (uint32_t)c));
			/* reg = MPIDR_EL1.Aff0 (hypsim's MPIDR: Aff0 = the CPU index). */
			TRY(fdt_setprop_u32(fdt, node, "reg", (uint32_t)c));
			TRY(fdt_setprop_string(fdt, node, "enable-method", "psci"));
			TRY(fdt_setprop_string(fdt, node, "compatible", "arm,cortex-a72"));
			TRY(fdt_setprop_string(fdt, node, "device_type", "cpu"));
		}
	}

	/*
	 * Secure physical, non-secure physical, virtual, hypervisor physical timer PPIs
	 * (INTIDs 29, 30, 27, 26); flags carry the CPU mask as QEMU writes it for a GICv2.
	 */
	NODE(root, "timer");
	{
		uint32_t irqs[12] = {
		    GIC_FDT_PPI,         13,          ppi_flags,          GIC_FDT_PPI,
		    TIMER_PPI_PHYS - 16, ppi_flags,   GIC_FDT_PPI,        TIMER_PPI_VIRT - 16,
		    ppi_flags,           GIC_FDT_PPI, TIMER_PPI_HYP - 16, ppi_flags};

		TRY(prop_cells(fdt, node, "interrupts", irqs, 12));
	}
	TRY(fdt_setprop_empty(fdt, node, "always-on"));
	TRY(STRLIST(fdt, node, "compatible", "arm,armv8-timer\0arm,armv7-timer"));

	NODE(root, "apb-pclk");
	TRY(fdt_setprop_u32(fdt, node, "phandle", PHANDLE_CLK));
	TRY(fdt_setprop_string(fdt, node, "clock-output-names", "clk24mhz"));
	TRY(fdt_setprop_u32(fdt, node, "clock-frequency", 24000000));
	TRY(fdt_setprop_u32(fdt, node, "#clock-cells", 0));
	TRY(fdt_setprop_string(fdt, node, "compatible", "fixed-clock"));

	snprintf(name, sizeof(name), "/pl011@%llx", (unsigned long long)PL011_BASE);
	TRY(set_chosen(fdt, &m->chosen, name));
	return fdt_pack(fdt);
#undef TRY
#undef NODE
}

int dtb_build(const struct dtb_machine *m, void **out, size_t *out_size, char err[DTB_ERR_LEN])
{
	int size = 4096, r;
	void *fdt = NULL;

	*out = NULL;
	*out_size = 0;
	if (m->ncpus < 1 || m->ncpus > GIC_MAX_CPUS)
		return fail(err, -EINVAL, "%u CPUs: a GICv2 serves 1 to %d", m->ncpus,
		            GIC_MAX_CPUS);
	if (!m->ram_size || m->ram_base + m->ram_size < m->ram_base)
		return fail(err, -EINVAL, "bad RAM range");
	if (m->chosen.initrd_end < m->chosen.initrd_start)
		return fail(err, -EINVAL, "initrd ends before it starts");
	/* Grow until the tree fits: bootargs can be long. */
	for (;;) {
		void *n = realloc(fdt, (size_t)size);

		if (!n) {
			free(fdt);
			return fail(err, -ENOMEM, "out of memory building the device tree");
		}
		fdt = n;
		r = build(fdt, size, m);
		if (r != -FDT_ERR_NOSPACE)
			break;
		if (size >= (int)DTB_MAX_SIZE) {
			free(fdt);
			return fail(err, -EFBIG,
			            "device tree would be over 2 MiB (bootargs too long?)");
		}
		size *= 2;
	}
	if (r < 0) {
		free(fdt);
		return fail(err, -EINVAL, "building the device tree: %s", fdt_strerror(r));
	}
	*out = fdt;
	*out_size = fdt_totalsize(fdt);
	return 0;
}

int dtb_patch(const void *blob, size_t len, const struct dtb_chosen *chosen, void **out,
              size_t *out_size, char err[DTB_ERR_LEN])
{
	size_t extra = 1024 + (chosen->bootargs ? strlen(chosen->bootargs) : 0);
	size_t size;
	void *fdt;
	int r;

	*out = NULL;
	*out_size = 0;
	if (len < sizeof(struct fdt_header))
		return fail(err, -EINVAL, "not a device tree blob: %zu bytes", len);
	r = fdt_check_header(blob);
	if (r)
		return fail(err, -EINVAL, "not a valid device tree blob (%s)", fdt_strerror(r));
	if (fdt_totalsize(blob) > len)
		return fail(err, -EINVAL,
		            "truncated device tree blob: header says %u bytes, file has %zu",
		            fdt_totalsize(blob), len);
	if (fdt_totalsize(blob) > DTB_MAX_SIZE)
		return fail(err, -EFBIG,
		            "device tree of %u bytes is over the 2 MiB booting.rst allows",
		            fdt_totalsize(blob));
	/* Versions before 16 (names as full paths; dtc has written 17 since 2007) make
	 * fdt_check_full of Debian 12's libfdt 1.6.1 dereference NULL (found by tests/fuzz). */
	if (fdt_version(blob) < 16)
		return fail(err, -EINVAL,
		            "device tree blob version %u: hypsim reads versions 16 and 17 (dtc "
		            "writes 17)",
		            fdt_version(blob));
	r = fdt_check_full(blob, fdt_totalsize(blob));
	if (r)
		return fail(err, -EINVAL, "corrupt device tree blob (%s)", fdt_strerror(r));
	size = fdt_totalsize(blob) + extra;
	if (size > DTB_MAX_SIZE)
		size = DTB_MAX_SIZE;
	fdt = malloc(size);
	if (!fdt)
		return fail(err, -ENOMEM, "out of memory");
	r = fdt_open_into(blob, fdt, (int)size);
	if (!r)
		r = set_chosen(fdt, chosen, NULL);
	if (!r)
		r = fdt_pack(fdt);
	if (r) {
		free(fdt);
		if (r == -FDT_ERR_NOSPACE)
			return fail(err, -EFBIG, "device tree with /chosen would be over 2 MiB");
		return fail(err, -EINVAL, "cannot set /chosen in the device tree (%s)",
		            fdt_strerror(r));
	}
	*out = fdt;
	*out_size = fdt_totalsize(fdt);
	return 0;
}

int dtb_load(const char *path, const struct dtb_chosen *chosen, void **out, size_t *out_size,
             char err[DTB_ERR_LEN])
{
	uint8_t *buf;
	size_t len;

	*out = NULL;
	*out_size = 0;
	int r = file_read_all(path, DTB_MAX_SIZE, &buf, &len, err, DTB_ERR_LEN);
	if (r == -EFBIG)
		return fail(err, r, "device tree of %zu bytes is over the 2 MiB booting.rst allows",
		            len);
	if (r)
		return r;
	r = dtb_patch(buf, len, chosen, out, out_size, err);
	free(buf);
	return r;
}
