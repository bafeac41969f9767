/*
 * scenario.c - fuzz target: scenario files (scenario.c, and the --inject specs they hold)
 * loaded and their injections resolved against $HYPSIM_FUZZ_ELF, which the corpus names
 * as "hello.elf" (found through $HYPSIM_FIRMWARE_DIR, set here to its directory).
 */
#include <libgen.h>
#include <string.h>

#include "fuzz.h"
#include "machine/image.h"
#include "campaign/inject.h"
#include "machine/machine.h"
#include "campaign/scenario.h"
#include "engine/sim.h"

static struct image img;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char *dir = strdup(fuzz_elf());
	setenv("HYPSIM_FIRMWARE_DIR", dirname(dir), 1);
	free(dir);
	char err[IMG_ERR_LEN];
	if (img_load(fuzz_elf(), &img, MACH_RAM_DEFAULT, err)) {
		fprintf(stderr, "%s: %s\n", fuzz_elf(), err);
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_options opt = {.ram_size = MACH_RAM_DEFAULT, .ram_base = MACH_RAM_BASE};
	struct inject *inj = NULL;
	char err[300];
	struct scenario *sc = scenario_load(fuzz_file(data, size), &opt, &inj, err, sizeof(err));
	if (sc && inj)
		inject_resolve(inj, &img, opt.ram_base, opt.ram_size, err, sizeof(err));
	scenario_free(sc);
	inject_free(inj);
	return 0;
}
