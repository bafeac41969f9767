/*
 * linux-image.c - fuzz target: an arm64 Linux Image or gzip'd vmlinuz (--kernel FILE):
 * linux_image_parse bounded by 64 MiB of RAM, then where it would be placed
 * (linux_boot_plan).
 */
#include "fuzz.h"
#include "machine/linux_image.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linux_image img;
	char err[LIMG_ERR_LEN];
	if (linux_image_parse(data, size, UINT64_C(64) << 20, &img, err))
		return 0;
	struct linux_boot_plan plan;
	linux_boot_plan(&img.hdr, 0x40000000, UINT64_C(64) << 20, 4096, 1 << 20, &plan, err);
	linux_image_free(&img);
	return 0;
}
