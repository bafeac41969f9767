/*
 * fuzz.h - what hypsim's fuzz targets share (docs/reliability.md). Each target is one
 * LLVMFuzzerTestOneInput: built with clang's libFuzzer by tools/fuzz, and with the normal
 * compiler and driver.c as the 'fuzz-regress' tests, which feed it every file of its
 * corpus and of its crashes directory.
 *
 * The loaders take file names: the input is written to a memfd and named by its
 * /proc/self/fd path. Targets that need a firmware (replay, scenarios, --inject) load the
 * ELF named by $HYPSIM_FUZZ_ELF once.
 */
#ifndef HYPSIM_FUZZ_H
#define HYPSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The path of a file that holds data[0..size) and nothing else (one memfd, rewritten). */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("hypsim-fuzz", 0);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz input");
		abort();
	}
	return path;
}

/* $HYPSIM_FUZZ_ELF, the firmware of the targets that need one; the driver skips (exit 77)
 * a target that needs it when it is unset. */
static inline const char *fuzz_elf(void)
{
	const char *p = getenv("HYPSIM_FUZZ_ELF");
	if (!p || !*p || access(p, R_OK)) {
		fprintf(stderr,
		        "HYPSIM_FUZZ_ELF must name a firmware ELF (firmware/hello/hello.elf)\n");
		exit(77);
	}
	return p;
}

#endif /* HYPSIM_FUZZ_H */
