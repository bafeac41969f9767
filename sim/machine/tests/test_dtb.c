/*
 * test_dtb.c - hypsim's device tree, read back with libfdt: the nodes of DESIGN §2's
 * machine with QEMU virt's names and the bindings Linux reads (Documentation/devicetree/
 * bindings: arm/psci, interrupt-controller/arm,gic, timer/arm,arch_timer, serial/pl011,
 * clock/fixed-clock; /chosen per booting.rst), nothing hypsim lacks, and --dtb patching.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dtb.h"
#include "gic.h"

static struct dtb_machine machine(unsigned ncpus)
{
	struct dtb_machine m = {
	    .ram_base = 0x40000000,
	    .ram_size = 256u << 20,
	    .ncpus = ncpus,
	    .chosen = {"console=ttyAMA0 kvm-arm.mode=nvhe", 0x4fc00000, 0x4fc01234},
	};

	return m;
}

static void *built(const struct dtb_machine *m)
{
	void *fdt;
	size_t size;
	char err[DTB_ERR_LEN] = "";

	ck_assert_msg(dtb_build(m, &fdt, &size, err) == 0, "%s", err);
	ck_assert_int_eq(fdt_check_full(fdt, size), 0);
	ck_assert_uint_eq(size, fdt_totalsize(fdt));
	ck_assert_uint_le(size, DTB_MAX_SIZE);
	return fdt;
}

static int node(const void *fdt, const char *path)
{
	int n = fdt_path_offset(fdt, path);

	ck_assert_msg(n >= 0, "%s: %s", path, fdt_strerror(n));
	return n;
}

static uint32_t cell(const void *fdt, int n, const char *prop, int i)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, n, prop, &len);

	ck_assert_msg(p != NULL, "no %s", prop);
	ck_assert_int_gt(len, (int)(i * 4));
	return fdt32_to_cpu(p[i]);
}

static int ncells(const void *fdt, int n, const char *prop)
{
	int len;

	ck_assert_ptr_nonnull(fdt_getprop(fdt, n, prop, &len));
	return len / 4;
}

static uint64_t cell64(const void *fdt, int n, const char *prop, int i)
{
	return (uint64_t)cell(fdt, n, prop, 2 * i) << 32 | cell(fdt, n, prop, 2 * i + 1);
}

START_TEST(root_and_memory)
{
	struct dtb_machine m = machine(1);
	void *fdt = built(&m);
	int mem;

	ck_assert_int_eq(cell(fdt, 0, "#address-cells", 0), 2);
	ck_assert_int_eq(cell(fdt, 0, "#size-cells", 0), 2);
	ck_assert_int_eq(fdt_node_check_compatible(fdt, 0, "linux,dummy-virt"), 0);
	mem = node(fdt, "/memory@40000000");
	ck_assert_str_eq(fdt_getprop(fdt, mem, "device_type", NULL), "memory");
	ck_assert_int_eq(ncells(fdt, mem, "reg"), 4);
	ck_assert_uint_eq(cell64(fdt, mem, "reg", 0), 0x40000000);
	ck_assert_uint_eq(cell64(fdt, mem, "reg", 1), 256u << 20);
	free(fdt);
}
END_TEST

START_TEST(cpus_and_psci)
{
	struct dtb_machine m = machine(4);
	void *fdt = built(&m);
	int cpus = node(fdt, "/cpus"), c, n = 0, psci;

	/* arm/cpus.yaml: #address-cells 1 (reg = MPIDR Aff0), #size-cells 0. */
	ck_assert_int_eq(cell(fdt, cpus, "#address-cells", 0), 1);
	ck_assert_int_eq(cell(fdt, cpus, "#size-cells", 0), 0);
	fdt_for_each_subnode(c, fdt, cpus)
	{
		char want[16];

		snprintf(want, sizeof(want), "cpu@%d", n);
		ck_assert_str_eq(fdt_get_name(fdt, c, NULL), want);
		ck_assert_uint_eq(cell(fdt, c, "reg", 0), (uint32_t)n);
		ck_assert_str_eq(fdt_getprop(fdt, c, "device_type", NULL), "cpu");
		ck_assert_str_eq(fdt_getprop(fdt, c, "enable-method", NULL), "psci");
		ck_assert_int_eq(fdt_node_check_compatible(fdt, c, "arm,cortex-a72"), 0);
		n++;
	}
	ck_assert_int_eq(n, 4);
	/* arm/psci.yaml: 1.0 and 0.2 compatibles, conduit smc; 0.1 IDs only for what exists. */
	psci = node(fdt, "/psci");
	ck_assert_int_eq(fdt_node_check_compatible(fdt, psci, "arm,psci-1.0"), 0);
	ck_assert_int_eq(fdt_node_check_compatible(fdt, psci, "arm,psci-0.2"), 0);
	ck_assert_int_eq(fdt_node_check_compatible(fdt, psci, "arm,psci"), 0);
	ck_assert_str_eq(fdt_getprop(fdt, psci, "method", NULL), "smc");
	ck_assert_uint_eq(cell(fdt, psci, "cpu_on", 0), 0xc4000003);
	ck_assert_uint_eq(cell(fdt, psci, "cpu_off", 0), 0x84000002);
	ck_assert_ptr_null(fdt_getprop(fdt, psci, "cpu_suspend", NULL));
	ck_assert_ptr_null(fdt_getprop(fdt, psci, "migrate", NULL));
	free(fdt);
}
END_TEST

START_TEST(gic_node)
{
	/* arm,gic.yaml: reg = GICD, GICC, GICH, GICV; interrupts = the maintenance PPI. */
	struct dtb_machine m = machine(2);
	void *fdt = built(&m);
	int gic = node(fdt, "/intc@8000000");
	static const uint64_t reg[8] = {0x08000000, 0x10000, 0x08010000, 0x10000,
	                                0x08030000, 0x10000, 0x08040000, 0x10000};

	ck_assert_int_eq(fdt_node_check_compatible(fdt, gic, "arm,cortex-a15-gic"), 0);
	ck_assert_ptr_nonnull(fdt_getprop(fdt, gic, "interrupt-controller", NULL));
	ck_assert_int_eq(cell(fdt, gic, "#interrupt-cells", 0), 3);
	ck_assert_int_eq(ncells(fdt, gic, "reg"), 16);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(cell64(fdt, gic, "reg", i), reg[i]);
	ck_assert_int_eq(ncells(fdt, gic, "interrupts"), 3);
	ck_assert_uint_eq(cell(fdt, gic, "interrupts", 0), 1); /* PPI */
	ck_assert_uint_eq(cell(fdt, gic, "interrupts", 1), GIC_MAINT_INTID - 16);
	ck_assert_uint_eq(cell(fdt, gic, "interrupts", 2), 4); /* level high */
	/* The root's interrupt-parent is the GIC. */
	ck_assert_int_eq(fdt_node_offset_by_phandle(fdt, cell(fdt, 0, "interrupt-parent", 0)), gic);
	/* No GICv2m frame: hypsim has no MSI. */
	ck_assert_int_lt(fdt_first_subnode(fdt, gic), 0);
	free(fdt);
}
END_TEST

START_TEST(timer_node)
{
	/* arm,arch_timer.yaml: secure phys, non-secure phys, virt, hyp phys PPIs, in order. */
	static const uint32_t ppi[4] = {13, 14, 11, 10};
	struct dtb_machine m = machine(2);
	void *fdt = built(&m);
	int t = node(fdt, "/timer");

	ck_assert_int_eq(fdt_node_check_compatible(fdt, t, "arm,armv8-timer"), 0);
	ck_assert_ptr_nonnull(fdt_getprop(fdt, t, "always-on", NULL));
	ck_assert_int_eq(ncells(fdt, t, "interrupts"), 12);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(cell(fdt, t, "interrupts", 3 * i), 1);
		ck_assert_uint_eq(cell(fdt, t, "interrupts", 3 * i + 1), ppi[i]);
		/* GICv2 PPI flags: CPU mask in [15:8] (2 CPUs = 0x3), level high (as QEMU: 0x304).
		 */
		ck_assert_uint_eq(cell(fdt, t, "interrupts", 3 * i + 2), 0x304);
	}
	/* Physical = INTID 30, virtual = 27, hyp = 26: what timer.h drives. */
	ck_assert_uint_eq(cell(fdt, t, "interrupts", 4) + 16, 30);
	ck_assert_uint_eq(cell(fdt, t, "interrupts", 7) + 16, 27);
	ck_assert_uint_eq(cell(fdt, t, "interrupts", 10) + 16, 26);
	free(fdt);
}
END_TEST

START_TEST(uart_and_clock)
{
	struct dtb_machine m = machine(1);
	void *fdt = built(&m);
	int u = node(fdt, "/pl011@9000000"), clk;
	const char *names;
	int len;

	ck_assert_int_eq(fdt_node_check_compatible(fdt, u, "arm,pl011"), 0);
	ck_assert_int_eq(fdt_node_check_compatible(fdt, u, "arm,primecell"), 0);
	ck_assert_uint_eq(cell64(fdt, u, "reg", 0), 0x09000000);
	ck_assert_uint_eq(cell64(fdt, u, "reg", 1), 0x1000);
	ck_assert_uint_eq(cell(fdt, u, "interrupts", 0), 0); /* SPI */
	ck_assert_uint_eq(cell(fdt, u, "interrupts", 1), 1);
	ck_assert_uint_eq(cell(fdt, u, "interrupts", 2), 4);
	names = fdt_getprop(fdt, u, "clock-names", &len);
	ck_assert_int_eq(len, (int)sizeof("uartclk\0apb_pclk"));
	ck_assert_str_eq(names, "uartclk");
	ck_assert_str_eq(names + 8, "apb_pclk");
	/* Both clocks are the 24 MHz fixed clock. */
	clk = fdt_node_offset_by_phandle(fdt, cell(fdt, u, "clocks", 0));
	ck_assert_int_eq(clk, node(fdt, "/apb-pclk"));
	ck_assert_uint_eq(cell(fdt, u, "clocks", 1), cell(fdt, u, "clocks", 0));
	ck_assert_int_eq(fdt_node_check_compatible(fdt, clk, "fixed-clock"), 0);
	ck_assert_uint_eq(cell(fdt, clk, "clock-frequency", 0), 24000000);
	ck_assert_uint_eq(cell(fdt, clk, "#clock-cells", 0), 0);
	free(fdt);
}
END_TEST

START_TEST(chosen_node)
{
	struct dtb_machine m = machine(1);
	void *fdt = built(&m);
	int ch = node(fdt, "/chosen");
	const char *so;

	ck_assert_str_eq(fdt_getprop(fdt, ch, "bootargs", NULL),
	                 "console=ttyAMA0 kvm-arm.mode=nvhe");
	so = fdt_getprop(fdt, ch, "stdout-path", NULL);
	ck_assert_int_eq(fdt_path_offset(fdt, so), node(fdt, "/pl011@9000000"));
	ck_assert_uint_eq(cell64(fdt, ch, "linux,initrd-start", 0), 0x4fc00000);
	ck_assert_uint_eq(cell64(fdt, ch, "linux,initrd-end", 0), 0x4fc01234);
	/* Determinism: no random seeds. */
	ck_assert_ptr_null(fdt_getprop(fdt, ch, "kaslr-seed", NULL));
	ck_assert_ptr_null(fdt_getprop(fdt, ch, "rng-seed", NULL));
	free(fdt);
	/* Without bootargs and initrd: neither property. */
	m.chosen.bootargs = NULL;
	m.chosen.initrd_start = m.chosen.initrd_end = 0;
	fdt = built(&m);
	ch = node(fdt, "/chosen");
	ck_assert_ptr_null(fdt_getprop(fdt, ch, "bootargs", NULL));
	ck_assert_ptr_null(fdt_getprop(fdt, ch, "linux,initrd-start", NULL));
	ck_assert_ptr_nonnull(fdt_getprop(fdt, ch, "stdout-path", NULL));
	free(fdt);
}
END_TEST

START_TEST(only_what_hypsim_has)
{
	/* QEMU virt's other devices are absent: accessing them would be an External abort. */
	static const char *const absent[] = {
	    "virtio,mmio",     "arm,gic-v2m-frame", "arm,pl031", "arm,pl061",
	    "arm,armv8-pmuv3", "qemu,fw-cfg-mmio",  "cfi-flash", "pci-host-ecam-generic",
	    "gpio-keys",       "qemu,platform"};
	struct dtb_machine m = machine(2);
	void *fdt = built(&m);
	int n, count = 0;

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		ck_assert_msg(fdt_node_offset_by_compatible(fdt, -1, absent[i]) < 0, "%s present",
		              absent[i]);
	/* Exactly: psci, memory, intc, pl011, cpus, timer, apb-pclk, chosen. */
	fdt_for_each_subnode(n, fdt, 0) count++;
	ck_assert_int_eq(count, 8);
	free(fdt);
}
END_TEST

START_TEST(deterministic_and_bounds)
{
	struct dtb_machine m = machine(2);
	void *a = built(&m), *b = built(&m), *fdt;
	size_t size;
	char err[DTB_ERR_LEN] = "";
	char *args;

	ck_assert_uint_eq(fdt_totalsize(a), fdt_totalsize(b));
	ck_assert_mem_eq(a, b, fdt_totalsize(a));
	free(a);
	free(b);
	/* Long bootargs grow the buffer... */
	args = malloc(100000);
	memset(args, 'x', 99999);
	args[99999] = 0;
	m.chosen.bootargs = args;
	fdt = built(&m);
	ck_assert_uint_eq(strlen(fdt_getprop(fdt, node(fdt, "/chosen"), "bootargs", NULL)), 99999);
	free(fdt);
	free(args);
	/* ...up to booting.rst's 2 MiB. */
	args = malloc(3u << 20);
	memset(args, 'y', (3u << 20) - 1);
	args[(3u << 20) - 1] = 0;
	m.chosen.bootargs = args;
	ck_assert_int_eq(dtb_build(&m, &fdt, &size, err), -EFBIG);
	ck_assert_ptr_null(fdt);
	free(args);
	m = machine(0);
	ck_assert_int_eq(dtb_build(&m, &fdt, &size, err), -EINVAL);
	m = machine(9);
	ck_assert_int_eq(dtb_build(&m, &fdt, &size, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "GICv2"));
	m = machine(1);
	m.chosen.initrd_end = m.chosen.initrd_start - 1;
	ck_assert_int_eq(dtb_build(&m, &fdt, &size, err), -EINVAL);
}
END_TEST

START_TEST(patch_user_dtb)
{
	/* A user's tree keeps its nodes and gets /chosen set (created when missing). */
	uint8_t blob[512];
	struct dtb_chosen ch = {"root=/dev/vda", 0x48000000, 0x48100000};
	void *fdt;
	size_t size;
	char err[DTB_ERR_LEN] = "";
	int n;

	ck_assert_int_eq(fdt_create_empty_tree(blob, sizeof(blob)), 0);
	n = fdt_add_subnode(blob, 0, "mydev");
	ck_assert_int_ge(n, 0);
	ck_assert_int_eq(fdt_setprop_string(blob, n, "compatible", "acme,thing"), 0);
	ck_assert_int_eq(fdt_pack(blob), 0);
	ck_assert_int_eq(dtb_patch(blob, fdt_totalsize(blob), &ch, &fdt, &size, err), 0);
	ck_assert_int_eq(fdt_check_full(fdt, size), 0);
	ck_assert_int_ge(fdt_node_offset_by_compatible(fdt, -1, "acme,thing"), 0);
	n = node(fdt, "/chosen");
	ck_assert_str_eq(fdt_getprop(fdt, n, "bootargs", NULL), "root=/dev/vda");
	ck_assert_uint_eq(cell64(fdt, n, "linux,initrd-start", 0), 0x48000000);
	ck_assert_uint_eq(cell64(fdt, n, "linux,initrd-end", 0), 0x48100000);
	/* Patching again replaces the values (an existing /chosen). */
	{
		struct dtb_chosen ch2 = {"quiet", 0, 0};
		void *f2;
		size_t s2;

		ck_assert_int_eq(dtb_patch(fdt, size, &ch2, &f2, &s2, err), 0);
		ck_assert_str_eq(fdt_getprop(f2, node(f2, "/chosen"), "bootargs", NULL), "quiet");
		free(f2);
	}
	free(fdt);
	/* A generated tree patched keeps its stdout-path. */
	{
		struct dtb_machine m = machine(1);
		void *g = built(&m), *f3;
		size_t s3;

		ck_assert_int_eq(dtb_patch(g, fdt_totalsize(g), &ch, &f3, &s3, err), 0);
		ck_assert_ptr_nonnull(fdt_getprop(f3, node(f3, "/chosen"), "stdout-path", NULL));
		free(f3);
		free(g);
	}
}
END_TEST

START_TEST(patch_rejects_bad_blobs)
{
	uint8_t blob[512];
	struct dtb_chosen ch = {"x", 0, 0};
	void *fdt;
	size_t size;
	char err[DTB_ERR_LEN] = "";
	struct fdt_header *h = (struct fdt_header *)blob;
	int n;

	ck_assert_int_eq(fdt_create_empty_tree(blob, sizeof(blob)), 0);
	n = fdt_add_subnode(blob, 0, "a");
	ck_assert_int_eq(fdt_setprop_u32(blob, n, "v", 1), 0);
	ck_assert_int_eq(fdt_pack(blob), 0);
	/* Too short for a header. */
	ck_assert_int_eq(dtb_patch(blob, 10, &ch, &fdt, &size, err), -EINVAL);
	/* Truncated: fewer bytes than totalsize. */
	ck_assert_int_eq(dtb_patch(blob, fdt_totalsize(blob) - 1, &ch, &fdt, &size, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	/* Bad magic (fdt_check_header). */
	h->magic = cpu_to_fdt32(0x12345678);
	ck_assert_int_eq(dtb_patch(blob, sizeof(blob), &ch, &fdt, &size, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a valid device tree"));
	ck_assert_ptr_null(fdt);
	h->magic = cpu_to_fdt32(FDT_MAGIC);
	/* A corrupt structure block (fdt_check_full): an unknown tag after the root. */
	{
		uint8_t *st = blob + fdt_off_dt_struct(blob);
		fdt32_t bad = cpu_to_fdt32(0x7);

		memcpy(st + 8, &bad, 4);
		ck_assert_int_eq(dtb_patch(blob, fdt_totalsize(blob), &ch, &fdt, &size, err),
		                 -EINVAL);
		ck_assert_ptr_nonnull(strstr(err, "corrupt"));
	}
	/* Version 3 (a fuzzer's find, tests/fuzz/crashes/dtb): refused before fdt_check_full,
	 * which dereferences NULL on it in libfdt 1.6.1. */
	h->version = cpu_to_fdt32(3);
	h->last_comp_version = cpu_to_fdt32(2);
	ck_assert_int_eq(dtb_patch(blob, fdt_totalsize(blob), &ch, &fdt, &size, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "version 3"));
	h->version = cpu_to_fdt32(17);
	ck_assert_int_eq(dtb_load("/nonexistent/x.dtb", &ch, &fdt, &size, err), -ENOENT);
	ck_assert_int_eq(dtb_load("/tmp", &ch, &fdt, &size, err), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dtb");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, root_and_memory);
	tcase_add_test(tc, cpus_and_psci);
	tcase_add_test(tc, gic_node);
	tcase_add_test(tc, timer_node);
	tcase_add_test(tc, uart_and_clock);
	tcase_add_test(tc, chosen_node);
	tcase_add_test(tc, only_what_hypsim_has);
	tcase_add_test(tc, deterministic_and_bounds);
	tcase_add_test(tc, patch_user_dtb);
	tcase_add_test(tc, patch_rejects_bad_blobs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
