/*
 * kernel_boot.h - `sim run --kernel Image`: what a boot loader does for a Linux arm64 kernel
 * (Documentation/arm64/booting.rst), as the firmware image the engine loads.
 *
 * The Image is parsed and placed by linux_image.h (2 MiB-aligned base + text_offset), the
 * device tree is dtb_build's (the machine hypsim has) or the user's --dtb patched with
 * /chosen's bootargs and initrd, the initrd is copied where linux_boot_plan puts it. The
 * result is a struct image like an ELF's: one segment for the Image (its memory size is
 * image_size: the kernel's bss is zero RAM), one for the DTB, one for the initrd; entry =
 * the Image's first byte, entered at EL2h with x0 = the DTB's PA (img->entry_x0) and x1..x3
 * = 0 (booting.rst §4). Symbols: a System.map ("ffff800008000000 T _text") or a vmlinux ELF;
 * they are link-time VAs while hypsim names a PC by the PA it was fetched from, so every
 * symbol inside the Image ([_text, _text + image_size)) is moved to its load PA:
 * PA = VA - _text + kernel_pa (what tools/wrap-kernel does); the others are dropped.
 *
 * Errors: -1 with the file at fault in *bad_file and one line in err ("sim: FILE: problem").
 */
#ifndef HYPSIM_MACHINE_KERNEL_BOOT_H
#define HYPSIM_MACHINE_KERNEL_BOOT_H

#include <stdint.h>

#include "machine/image.h"
#include "machine/linux_image.h"

/* The command line of a kernel boot (QEMU's -kernel, -dtb, -append, -initrd). */
struct kboot_args {
	const char *kernel;  /* NULL: not a kernel boot */
	const char *dtb;     /* NULL: generate the DTB */
	const char *append;  /* NULL: no bootargs (a user DTB keeps its own) */
	const char *initrd;  /* NULL: none */
	const char *symbols; /* System.map or vmlinux; NULL: none */
};

/* What was loaded, for the trace header (replay rebuilds the same image from it). */
struct kboot_info {
	struct linux_boot_plan plan;
	char kernel_sha256[65], dtb_sha256[65], initrd_sha256[65], symbols_sha256[65];
	uint64_t text_va; /* _text of the symbols (0: no symbols) */
	size_t dtb_size, initrd_size;
	int gzipped;
};

/*
 * Build img (entry, entry_x0, segments, symbols, sha256 of everything loaded) for a machine
 * with RAM [ram_base, ram_base + ram_size) and ncpus CPUs.
 */
int kboot_load(const struct kboot_args *a, uint64_t ram_base, uint64_t ram_size, unsigned ncpus,
               struct image *img, struct kboot_info *info, const char **bad_file,
               char err[IMG_ERR_LEN]);

/*
 * Parse a System.map held in buf (NUL-terminated, len bytes): lines "ADDR TYPE NAME" with a
 * 16-hex-digit address and a one-letter type. Text, data and bss symbols (T t W w D d B b R
 * r V v) inside [text_va, text_va + size) are kept, moved to PA = VA - text_va + pa; text_va
 * is the `_text` symbol's address. -1 with a reason (and the line number) in err.
 */
int kboot_parse_system_map(const char *buf, size_t len, uint64_t pa, uint64_t size,
                           struct image *img, uint64_t *text_va, char err[IMG_ERR_LEN]);

#endif /* HYPSIM_MACHINE_KERNEL_BOOT_H */
