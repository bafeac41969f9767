/*
 * dtb_dump.c - write hypsim's generated device tree to a file (a helper of the dtc e2e test,
 * dtc_decode.sh): dtb_dump OUT NCPUS RAM_MIB BOOTARGS [INITRD_START INITRD_END].
 */
#include <stdio.h>
#include <stdlib.h>

#include "dtb.h"

int main(int argc, char **argv)
{
	struct dtb_machine m = {.ram_base = 0x40000000};
	char err[DTB_ERR_LEN];
	void *fdt;
	size_t size;
	FILE *f;

	if (argc != 5 && argc != 7) {
		fprintf(stderr,
		        "usage: dtb_dump OUT NCPUS RAM_MIB BOOTARGS [INITRD_START INITRD_END]\n");
		return 2;
	}
	m.ncpus = (unsigned)strtoul(argv[2], NULL, 0);
	m.ram_size = strtoull(argv[3], NULL, 0) << 20;
	m.chosen.bootargs = argv[4];
	if (argc == 7) {
		m.chosen.initrd_start = strtoull(argv[5], NULL, 0);
		m.chosen.initrd_end = strtoull(argv[6], NULL, 0);
	}
	if (dtb_build(&m, &fdt, &size, err)) {
		fprintf(stderr, "dtb_dump: %s\n", err);
		return 2;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(fdt, 1, size, f) != size || fclose(f)) {
		perror(argv[1]);
		return 2;
	}
	free(fdt);
	return 0;
}
