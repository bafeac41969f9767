/*
 * image.h - firmware images for hypsim: an AArch64 ELF executable, loaded as the boot loader
 * of QEMU's virt would load it (PT_LOAD segments at their physical addresses, p_paddr), and
 * its symbol table, so that every PC hypsim prints reads "symbol+0xoff".
 *
 * Every problem with the file is reported as one line of text (err), never a crash:
 * not an ELF, not ELFCLASS64/little-endian/EM_AARCH64/ET_EXEC, truncated, a segment whose
 * file size exceeds its memory size, a segment outside RAM or on top of a device.
 */
#ifndef HYPSIM_SIM_IMAGE_H
#define HYPSIM_SIM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/machine.h"

struct img_segment {
	uint64_t paddr;
	uint64_t filesz, memsz;
	uint64_t offset; /* in the file */
	uint32_t flags;  /* PF_R | PF_W | PF_X */
};

struct img_symbol {
	uint64_t addr, size;
	bool func; /* STT_FUNC: preferred over a label at the same address */
	char *name;
};

struct image {
	char *path;
	uint8_t *file; /* the whole file */
	size_t file_size;
	uint64_t entry;
	uint64_t entry_x0; /* x0 at entry: 0, or a Linux Image's DTB PA (kernel_boot.h) */
	struct img_segment *segs;
	size_t nsegs;
	struct img_symbol *syms; /* sorted by address */
	size_t nsyms;
	char sha256[65];
	char build_id[41]; /* hex of NT_GNU_BUILD_ID, "" when absent */
	/* The lowest EL whose instructions the symbols can name: 0 for a firmware ELF (its EL0
	 * code is part of the file), 1 for a Linux kernel, whose System.map says nothing of the
	 * user programs that later run from its freed init pages. */
	unsigned sym_min_el;
};

#define IMG_ERR_LEN 256

/*
 * Read and check path, a file of at most max_size bytes (the RAM it is to be loaded into).
 * On failure returns -1 with one line in err (without the file name: the caller prefixes
 * it) and leaves img empty; on success returns 0.
 */
int img_load(const char *path, struct image *img, uint64_t max_size, char err[IMG_ERR_LEN]);

/*
 * Check the segments against the machine's physical map (RAM of ram_size bytes at
 * ram_base, the UART) and the entry point against the loaded segments.
 */
int img_check_layout(const struct image *img, uint64_t ram_base, uint64_t ram_size,
                     char err[IMG_ERR_LEN]);

void img_free(struct image *img);

/* The symbol covering addr (the nearest one at or below it inside the image), or NULL. */
const struct img_symbol *img_symbol_at(const struct image *img, uint64_t addr);

/* "name+0xoff", or "" when no symbol covers addr. Returns buf. */
char *img_symbolize(const struct image *img, uint64_t addr, char *buf, size_t len);

/* The same for an instruction at PA addr executed at el: "" below the image's sym_min_el. */
char *img_symbolize_pc(const struct image *img, uint64_t addr, unsigned el, char *buf, size_t len);

#endif /* HYPSIM_SIM_IMAGE_H */
