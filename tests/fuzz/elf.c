/*
 * elf.c - fuzz target: the firmware loader (image.c) on any file, then what every run
 * does with a loaded image: the layout check against RAM and symbolizing addresses.
 */
#include <string.h>

#include "fuzz.h"
#include "machine/image.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image img;
	char err[IMG_ERR_LEN];
	if (img_load(fuzz_file(data, size), &img, MACH_RAM_DEFAULT, err)) {
		if (!err[0] || strchr(err, '\n'))
			abort(); /* the contract: one line that says what is wrong */
		return 0;
	}
	img_check_layout(&img, MACH_RAM_BASE, MACH_RAM_DEFAULT, err);
	char buf[128];
	for (size_t i = 0; i < img.nsegs; i++) {
		img_symbolize(&img, img.segs[i].paddr, buf, sizeof(buf));
		img_symbolize(&img, img.segs[i].paddr + img.segs[i].memsz - 1, buf, sizeof(buf));
	}
	img_symbolize(&img, img.entry, buf, sizeof(buf));
	img_free(&img);
	return 0;
}
