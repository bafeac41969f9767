/*
 * test_linux_image.c - the arm64 Image header and boot placement, against
 * Linux Documentation/arm64/booting.rst ("Call the kernel image" / "Setup the device tree" /
 * "Setup the initrd"). Images are synthesised here so each test sets one header field.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "linux_image.h"

#define RAM_BASE 0x40000000ull
#define MiB      (1ull << 20)

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* A modern Image: text_offset 0, image_size = len + 1 MiB of bss, 4K pages, flags bit 3 set. */
static uint8_t *fake_image(size_t len, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	uint8_t *b = calloc(1, len);

	ck_assert_ptr_nonnull(b);
	put32(b + 0, 0x91005a4d); /* code0: "MZ" + add x13, x18, #0x16 (EFI stub) */
	put32(b + 4, 0x14000000); /* code1: b stext */
	put64(b + 8, text_offset);
	put64(b + 16, image_size);
	put64(b + 24, flags);
	put32(b + 0x38, LIMG_MAGIC);
	for (size_t i = LIMG_HEADER_SIZE; i < len; i++)
		b[i] = (uint8_t)(i * 7);
	return b;
}

static uint8_t *gzip(const uint8_t *in, size_t len, size_t *outlen)
{
	z_stream zs;
	size_t cap = len + len / 100 + 1024;
	uint8_t *out = malloc(cap);

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

START_TEST(header_fields)
{
	/* booting.rst header: flags bits 1-2 = 1 is 4K pages, bit 3 = anywhere. */
	uint64_t flags = (1ull << LIMG_FLAG_PAGE_SHIFT) | LIMG_FLAG_PHYS_ANYWHERE;
	uint8_t *b = fake_image(4096, 0, 4096 + MiB, flags);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	ck_assert_int_eq(linux_image_parse(b, 4096, 256 * MiB, &img, err), 0);
	ck_assert(!img.gzipped);
	ck_assert(!img.hdr.legacy);
	ck_assert_uint_eq(img.hdr.code0, 0x91005a4d);
	ck_assert_uint_eq(img.hdr.code1, 0x14000000);
	ck_assert_uint_eq(img.hdr.text_offset, 0);
	ck_assert_uint_eq(img.hdr.image_size, 4096 + MiB);
	ck_assert_uint_eq(img.hdr.page_size, 4096);
	ck_assert_uint_eq(img.size, 4096);
	ck_assert_mem_eq(img.data, b, 4096);
	linux_image_free(&img);
	ck_assert_ptr_null(img.data);
	free(b);
}
END_TEST

START_TEST(page_sizes)
{
	/* booting.rst: 0 unspecified, 1 4K, 2 16K, 3 64K. */
	static const uint32_t want[4] = {0, 4096, 16384, 65536};
	char err[LIMG_ERR_LEN];

	for (uint64_t f = 0; f < 4; f++) {
		uint8_t *b = fake_image(256, 0, 4096, f << LIMG_FLAG_PAGE_SHIFT);
		struct linux_image img;

		ck_assert_int_eq(linux_image_parse(b, 256, 256 * MiB, &img, err), 0);
		ck_assert_uint_eq(img.hdr.page_size, want[f]);
		linux_image_free(&img);
		free(b);
	}
}
END_TEST

START_TEST(legacy_image_size_zero)
{
	/* booting.rst: before v3.17 image_size is zero and text_offset is 0x80000 regardless. */
	uint8_t *b = fake_image(8192, 0x1234, 0, 0);
	struct linux_image img;
	char err[LIMG_ERR_LEN];

	ck_assert_int_eq(linux_image_parse(b, 8192, 256 * MiB, &img, err), 0);
	ck_assert(img.hdr.legacy);
	ck_assert_uint_eq(img.hdr.text_offset, 0x80000);
	ck_assert_uint_eq(img.hdr.image_size, 8192);
	linux_image_free(&img);
	free(b);
}
END_TEST

START_TEST(bad_magic)
{
	uint8_t *b = fake_image(256, 0, 4096, 0);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	b[0x38] = 'X';
	ck_assert_int_eq(linux_image_parse(b, 256, 256 * MiB, &img, err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err, "not an arm64 Image"));
	ck_assert_ptr_null(img.data);
	free(b);
}
END_TEST

START_TEST(big_endian_rejected)
{
	/* flags bit 0 = 1: big-endian kernel. */
	uint8_t *b = fake_image(256, 0, 4096, LIMG_FLAG_BE);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	ck_assert_int_eq(linux_image_parse(b, 256, 256 * MiB, &img, err), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err, "big-endian"));
	free(b);
}
END_TEST

START_TEST(truncated)
{
	uint8_t *b = fake_image(256, 0, 4096, 0);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	ck_assert_int_eq(linux_image_parse(b, 63, 256 * MiB, &img, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	ck_assert_int_eq(linux_image_parse(b, 0, 256 * MiB, &img, err), -EINVAL);
	free(b);
}
END_TEST

START_TEST(image_size_smaller_than_file)
{
	/* image_size is the whole kernel incl. bss: it cannot be below the file length. */
	uint8_t *b = fake_image(8192, 0, 4096, 0);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	ck_assert_int_eq(linux_image_parse(b, 8192, 256 * MiB, &img, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "image_size"));
	free(b);
}
END_TEST

START_TEST(bigger_than_ram)
{
	uint8_t *b = fake_image(8192, 0, 8192, 0);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	ck_assert_int_eq(linux_image_parse(b, 8192, 4096, &img, err), -EFBIG);
	ck_assert_ptr_nonnull(strstr(err, "bigger than RAM"));
	free(b);
}
END_TEST

START_TEST(gzip_accepted)
{
	/* Debian ships vmlinuz as a gzip'd Image: same header once inflated. */
	size_t len = 3 * 65536 + 123, glen;
	uint8_t *b = fake_image(len, 0, len + MiB, 0);
	uint8_t *gz = gzip(b, len, &glen);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	ck_assert_int_eq(linux_image_parse(gz, glen, 256 * MiB, &img, err), 0);
	ck_assert(img.gzipped);
	ck_assert_uint_eq(img.size, len);
	ck_assert_mem_eq(img.data, b, len);
	ck_assert_uint_eq(img.hdr.image_size, len + MiB);
	linux_image_free(&img);
	free(gz);
	free(b);
}
END_TEST

START_TEST(gzip_corrupt)
{
	size_t len = 65536, glen;
	uint8_t *b = fake_image(len, 0, len, 0);
	uint8_t *gz = gzip(b, len, &glen);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	/* Damage the deflate data after the 10-byte gzip header: a bad block type or code. */
	for (size_t i = 10; i < 40 && i < glen; i++)
		gz[i] ^= 0xff;
	ck_assert_int_eq(linux_image_parse(gz, glen, 256 * MiB, &img, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "gzip"));
	ck_assert_ptr_null(img.data);
	free(gz);
	free(b);
}
END_TEST

START_TEST(gzip_truncated)
{
	size_t len = 65536, glen;
	uint8_t *b = fake_image(len, 0, len, 0);
	uint8_t *gz = gzip(b, len, &glen);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	ck_assert_int_eq(linux_image_parse(gz, glen / 2, 256 * MiB, &img, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	free(gz);
	free(b);
}
END_TEST

START_TEST(gzip_bomb_bounded)
{
	/* 16 MiB of zeroes compresses to ~16 KiB; with 1 MiB of "RAM" inflating must stop. */
	size_t len = 16 * MiB, glen;
	uint8_t *b = fake_image(len, 0, len, 0);
	uint8_t *gz;
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	memset(b + LIMG_HEADER_SIZE, 0, len - LIMG_HEADER_SIZE);
	gz = gzip(b, len, &glen);
	ck_assert_uint_lt(glen, MiB);
	ck_assert_int_eq(linux_image_parse(gz, glen, MiB, &img, err), -EFBIG);
	ck_assert_ptr_nonnull(strstr(err, "inflated"));
	free(gz);
	free(b);
}
END_TEST

START_TEST(load_file_errors)
{
	char path[] = "/tmp/hypsim-test-limg-XXXXXX";
	int fd = mkstemp(path);
	uint8_t *b = fake_image(8192, 0, 8192, 0);
	struct linux_image img;
	char err[LIMG_ERR_LEN] = "";

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, b, 8192), 8192);
	close(fd);
	ck_assert_int_eq(linux_image_load(path, 256 * MiB, &img, err), 0);
	ck_assert_uint_eq(img.size, 8192);
	linux_image_free(&img);
	/* A file bigger than RAM is refused from its size, before it is read. */
	ck_assert_int_eq(linux_image_load(path, 4096, &img, err), -EFBIG);
	unlink(path);
	ck_assert_int_eq(linux_image_load(path, 256 * MiB, &img, err), -ENOENT);
	ck_assert_int_eq(linux_image_load("/tmp", 256 * MiB, &img, err), -EINVAL);
	free(b);
}
END_TEST

static struct linux_image_header hdr(uint64_t text_offset, uint64_t image_size)
{
	struct linux_image_header h;

	memset(&h, 0, sizeof(h));
	h.text_offset = text_offset;
	h.image_size = image_size;
	h.magic = LIMG_MAGIC;
	return h;
}

START_TEST(plan_modern)
{
	/*
	 * booting.rst: the Image at a 2 MiB-aligned base + text_offset; the DTB 8-byte aligned
	 * and not sharing a 2 MiB block (hypsim: the last block of RAM); initrd below it.
	 */
	struct linux_image_header h = hdr(0, 30 * MiB + 4096);
	struct linux_boot_plan p;
	char err[LIMG_ERR_LEN];

	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 256 * MiB, 0x2000, 5000, &p, err), 0);
	ck_assert_uint_eq(p.base, RAM_BASE);
	ck_assert_uint_eq(p.base % LIMG_SZ_2M, 0);
	ck_assert_uint_eq(p.kernel_pa, RAM_BASE);
	ck_assert_uint_eq(p.kernel_end, RAM_BASE + 30 * MiB + 4096);
	ck_assert_uint_eq(p.dtb_pa, RAM_BASE + 254 * MiB);
	ck_assert_uint_eq(p.dtb_pa % LIMG_SZ_2M, 0);
	ck_assert_uint_eq(p.dtb_max, LIMG_SZ_2M);
	ck_assert_uint_eq(p.initrd_pa, RAM_BASE + 254 * MiB - 8192);
	ck_assert_uint_eq(p.initrd_pa % 4096, 0);
	ck_assert_uint_eq(p.initrd_end, p.initrd_pa + 5000);
	ck_assert_uint_le(p.initrd_end, p.dtb_pa);
	ck_assert_uint_ge(p.initrd_pa, p.kernel_end);
}
END_TEST

START_TEST(plan_text_offset_and_no_initrd)
{
	struct linux_image_header h = hdr(0x80000, 8 * MiB);
	struct linux_boot_plan p;
	char err[LIMG_ERR_LEN];

	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 64 * MiB, 4096, 0, &p, err), 0);
	ck_assert_uint_eq(p.kernel_pa, RAM_BASE + 0x80000);
	ck_assert_uint_eq(p.kernel_end, RAM_BASE + 0x80000 + 8 * MiB);
	ck_assert_uint_eq(p.initrd_pa, 0);
	ck_assert_uint_eq(p.initrd_end, 0);
}
END_TEST

START_TEST(plan_errors)
{
	struct linux_image_header h = hdr(0, 60 * MiB);
	struct linux_boot_plan p;
	char err[LIMG_ERR_LEN] = "";

	/* Kernel (image_size incl. bss) bigger than RAM. */
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 32 * MiB, 4096, 0, &p, err), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err, "does not fit"));
	/* Kernel fits but leaves no 2 MiB block for the DTB. */
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 60 * MiB, 4096, 0, &p, err), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err, "device tree"));
	/* Exactly enough: 60 MiB kernel + 2 MiB DTB block. */
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 62 * MiB, 4096, 0, &p, err), 0);
	/* ... but then no room for an initrd. */
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 62 * MiB, 4096, 1, &p, err), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err, "initrd"));
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 64 * MiB, 4096, 2 * MiB, &p, err), 0);
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 64 * MiB, 4096, 2 * MiB + 1, &p, err),
	                 -ENOSPC);
	/* booting.rst: the DTB must not exceed 2 megabytes. */
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 256 * MiB, LIMG_SZ_2M + 8, 0, &p, err),
	                 -EINVAL);
	/* RAM base must allow a 2 MiB-aligned kernel base. */
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE + 4096, 256 * MiB, 4096, 0, &p, err),
	                 -EINVAL);
	/* text_offset beyond RAM. */
	h = hdr(512 * MiB, 4096);
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 256 * MiB, 4096, 0, &p, err), -ENOSPC);
}
END_TEST

START_TEST(plan_huge_initrd_window)
{
	/* booting.rst: initrd within a 1 GB-aligned window of up to 32 GB covering the kernel. */
	struct linux_image_header h = hdr(0, 8 * MiB);
	struct linux_boot_plan p;
	char err[LIMG_ERR_LEN] = "";
	uint64_t gib = 1ull << 30;

	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 40 * gib, 4096, 64 * MiB, &p, err), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err, "32 GiB"));
	ck_assert_int_eq(linux_boot_plan(&h, RAM_BASE, 16 * gib, 4096, 64 * MiB, &p, err), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("linux_image");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, header_fields);
	tcase_add_test(tc, page_sizes);
	tcase_add_test(tc, legacy_image_size_zero);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, big_endian_rejected);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, image_size_smaller_than_file);
	tcase_add_test(tc, bigger_than_ram);
	tcase_add_test(tc, gzip_accepted);
	tcase_add_test(tc, gzip_corrupt);
	tcase_add_test(tc, gzip_truncated);
	tcase_add_test(tc, gzip_bomb_bounded);
	tcase_add_test(tc, load_file_errors);
	tcase_add_test(tc, plan_modern);
	tcase_add_test(tc, plan_text_offset_and_no_initrd);
	tcase_add_test(tc, plan_errors);
	tcase_add_test(tc, plan_huge_initrd_window);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
