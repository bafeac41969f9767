/*
 * dtb.c - fuzz target: a user's device tree (--dtb FILE): checked and patched with /chosen
 * (dtb_patch, libfdt), with and without an initrd.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "machine/dtb.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dtb_chosen chosen[2] = {
	    {.bootargs = "console=ttyAMA0 earlycon"},
	    {.bootargs = NULL, .initrd_start = 0x48000000, .initrd_end = 0x48100000},
	};
	for (unsigned i = 0; i < 2; i++) {
		void *out = NULL;
		size_t out_size;
		char err[DTB_ERR_LEN];
		if (!dtb_patch(data, size, &chosen[i], &out, &out_size, err))
			free(out);
	}
	return 0;
}
