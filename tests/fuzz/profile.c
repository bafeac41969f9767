/*
 * profile.c - fuzz target: CPU profiles of --timing (--cpu-profile FILE), parsed by the
 * model's tm_profile_parse.
 */
#include <string.h>

#include "fuzz.h"
#include "timing.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tm_profile p;
	char err[256];
	if (tm_profile_parse((const char *)data, size, &p, err, sizeof(err)) && !err[0])
		abort(); /* a refusal must say why */
	return 0;
}
