/*
 * linux_image.h - the Linux arm64 boot image ("Image", Documentation/arm64/booting.rst) and
 * where hypsim puts it, its device tree and its initrd in RAM.
 *
 * Models: the 64-byte Image header (code0/code1, text_offset, image_size, flags, magic
 * "ARM\x64" at 0x38), a gzip-compressed Image (Debian's vmlinuz) inflated with zlib, and the
 * placement rules of booting.rst §4-5: the Image at a 2 MiB-aligned base + text_offset with
 * image_size bytes reserved from there (its bss), the DTB 8-byte aligned, at most 2 MiB and
 * alone in its 2 MiB block, the initrd within the 1 GiB-aligned 32 GiB window holding the Image.
 * Does not model: the EFI stub (PE header at 0x3c is ignored: hypsim enters the Image directly,
 * as a boot loader does), big-endian kernels (rejected), pre-3.17 kernels whose image_size
 * is 0 (accepted as booting.rst says: text_offset 0x80000, size unknown, so the file length).
 *
 * Errors are a negative errno and one line in err without the file name (the caller prints
 * "sim: FILE: problem").
 */
#ifndef HYPSIM_MACHINE_LINUX_IMAGE_H
#define HYPSIM_MACHINE_LINUX_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIMG_ERR_LEN     256
#define LIMG_HEADER_SIZE 64
#define LIMG_MAGIC       0x644d5241u /* "ARM\x64", little-endian, at offset 0x38 */
#define LIMG_SZ_2M       (2ull << 20)

/* flags (booting.rst "Header notes") */
#define LIMG_FLAG_BE            (1ull << 0) /* Kernel endianness: 1 = big-endian */
#define LIMG_FLAG_PAGE_SHIFT    1           /* bits 1-2: kernel page size */
#define LIMG_FLAG_PAGE_MASK     (3ull << 1) /* 0 unspecified, 1 4K, 2 16K, 3 64K */
#define LIMG_FLAG_PHYS_ANYWHERE (1ull << 3) /* 0: base as close as possible to DRAM start */

struct linux_image_header {
	uint32_t code0, code1;
	uint64_t text_offset; /* effective: 0x80000 when image_size is 0 (pre-3.17) */
	uint64_t image_size;  /* effective: the file length when the header says 0 */
	uint64_t flags;
	uint32_t magic;
	bool legacy;        /* image_size was 0: pre-v3.17 header */
	uint32_t page_size; /* 0 (unspecified), 4096, 16384 or 65536 */
};

struct linux_image {
	uint8_t *data; /* the (inflated) Image, malloc'd */
	size_t size;
	bool gzipped; /* the input was gzip (vmlinuz) */
	struct linux_image_header hdr;
};

/*
 * Parse an Image already in memory. A gzip stream (1f 8b) is inflated first; its output is
 * bounded by max_size (the RAM size: a kernel bigger than RAM cannot boot), and so is a
 * plain input. On success out->data is a fresh copy the caller frees with linux_image_free.
 * Errors: -EFBIG (bigger than max_size), -EBADMSG (corrupt gzip), -EINVAL (truncated
 * header), -ENOEXEC (no "ARM\x64" magic), -ENOTSUP (big-endian kernel), -ENOMEM.
 */
int linux_image_parse(const uint8_t *buf, size_t len, uint64_t max_size, struct linux_image *out,
                      char err[LIMG_ERR_LEN]);

/* Read path and parse it; a file bigger than max_size is rejected before it is read. */
int linux_image_load(const char *path, uint64_t max_size, struct linux_image *out,
                     char err[LIMG_ERR_LEN]);

void linux_image_free(struct linux_image *img);

/*
 * Where everything goes. The Image: at the lowest 2 MiB-aligned address of RAM (booting.rst:
 * "as close as possible to the base of DRAM" when flags bit 3 is 0; hypsim uses the same base
 * when it is 1) + text_offset, image_size bytes reserved. The DTB: in the last 2 MiB block of
 * RAM, alone in it as booting.rst asks (the kernel maps it with 2 MiB blocks). The initrd:
 * page-aligned just below that block. Top of RAM rather than just after the Image (QEMU's
 * choice): the DTB and initrd then never depend on image_size being right, and the kernel's
 * own early allocations start right after its bss in one contiguous free range.
 */
struct linux_boot_plan {
	uint64_t base;       /* 2 MiB-aligned */
	uint64_t kernel_pa;  /* base + text_offset: the entry point, x0 = dtb_pa */
	uint64_t kernel_end; /* kernel_pa + image_size (exclusive) */
	uint64_t dtb_pa;     /* 2 MiB-aligned */
	uint64_t dtb_max;    /* bytes available to the DTB there (<= 2 MiB) */
	uint64_t initrd_pa;  /* 0 when there is no initrd */
	uint64_t initrd_end; /* exclusive; linux,initrd-end in /chosen */
};

/*
 * Errors: -ENOSPC (the Image, the DTB or the initrd does not fit; the initrd outside the
 * Image's 32 GiB window), -EINVAL (RAM not 2 MiB-aligned, DTB over 2 MiB).
 */
int linux_boot_plan(const struct linux_image_header *hdr, uint64_t ram_base, uint64_t ram_size,
                    uint64_t dtb_size, uint64_t initrd_size, struct linux_boot_plan *plan,
                    char err[LIMG_ERR_LEN]);

#endif /* HYPSIM_MACHINE_LINUX_IMAGE_H */
