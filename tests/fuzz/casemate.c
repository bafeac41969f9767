/*
 * casemate.c - fuzz target: `sim replay --casemate` (sim/check/casemate.c: the reader of
 * Casemate's trace format, its translation into model events, and the model) on any input.
 * Every input either replays or is refused with one line and status 2; neither may crash,
 * hang or leak. No firmware is needed.
 */
#include "fuzz.h"
#include "check/replay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = {"replay", "--casemate", (char *)fuzz_file(data, size), NULL};
	/* Its report goes to stdout: keep the driver's output readable. */
	fflush(stdout);
	replay_main(3, argv);
	return 0;
}
