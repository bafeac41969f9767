/*
 * inject.c - fuzz target: --inject specs (inj_parse), added to an injection set and
 * resolved against $HYPSIM_FUZZ_ELF's symbols and RAM, as `sim run` does with each one.
 */
#include <string.h>

#include "fuzz.h"
#include "machine/image.h"
#include "campaign/inject.h"
#include "machine/machine.h"

static struct image img;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char err[IMG_ERR_LEN];
	if (img_load(fuzz_elf(), &img, MACH_RAM_DEFAULT, err)) {
		fprintf(stderr, "%s: %s\n", fuzz_elf(), err);
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The command line's string: up to its first NUL. */
	char *spec = strndup((const char *)data, size);
	if (!spec)
		return 0;
	struct inj_spec sp;
	char err[300];
	struct inject *inj = calloc(1, sizeof(*inj));
	err[0] = '\0';
	if (inj && !inj_parse(spec, &sp, err, sizeof(err)) && !inject_add(inj, &sp))
		inject_resolve(inj, &img, MACH_RAM_BASE, MACH_RAM_DEFAULT, err, sizeof(err));
	if (strchr(err, '\n') || strchr(err, '\x1b'))
		abort(); /* input echoed raw: the message is no longer one line (msg.h) */
	inject_free(inj);
	free(spec);
	return 0;
}
