/*
 * linux_image.c - the arm64 Image header and boot placement (Documentation/arm64/booting.rst).
 */
#include "linux_image.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "file.h"

#define SZ_1G (1ull << 30)
#define SZ_4K 4096ull

static int fail(char err[LIMG_ERR_LEN], int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, LIMG_ERR_LEN, fmt, ap);
	va_end(ap);
	return rc;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Inflate a gzip stream into a buffer of at most max bytes. */
static int gunzip(const uint8_t *in, size_t len, uint64_t max, uint8_t **outp, size_t *outlen,
                  char err[LIMG_ERR_LEN])
{
	z_stream zs;
	size_t cap = len * 4 < max ? len * 4 : (size_t)max;
	uint8_t *out;
	int zr;

	if (cap < 4096)
		cap = 4096;
	out = malloc(cap);
	if (!out)
		return fail(err, -ENOMEM, "out of memory inflating the gzip Image");
	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: gzip wrapper only (RFC 1952), not raw deflate or zlib. */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return fail(err, -ENOMEM, "cannot start zlib");
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len; /* len <= max <= RAM size, checked by the caller to fit uInt */
	for (;;) {
		if (zs.total_out == cap) {
			size_t ncap;
			uint8_t *n;

			if (cap >= max) {
				inflateEnd(&zs);
				free(out);
				return fail(err, -EFBIG,
				            "inflated Image is bigger than RAM (%llu bytes)",
				            (unsigned long long)max);
			}
			ncap = cap * 2 > max ? (size_t)max : cap * 2;
			n = realloc(out, ncap);
			if (!n) {
				inflateEnd(&zs);
				free(out);
				return fail(err, -ENOMEM, "out of memory inflating the gzip Image");
			}
			out = n;
			cap = ncap;
		}
		zs.next_out = out + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && zs.avail_out != 0) {
			/* No progress with room left: the input ended inside the stream. */
			inflateEnd(&zs);
			free(out);
			return fail(err, -EBADMSG, "gzip stream is truncated");
		}
		if (zr == Z_BUF_ERROR)
			continue;
		inflateEnd(&zs);
		free(out);
		return fail(err, -EBADMSG, "corrupt gzip stream (%s)",
		            zs.msg ? zs.msg : "zlib error");
	}
	*outlen = zs.total_out;
	inflateEnd(&zs);
	*outp = out;
	return 0;
}

int linux_image_parse(const uint8_t *buf, size_t len, uint64_t max_size, struct linux_image *out,
                      char err[LIMG_ERR_LEN])
{
	struct linux_image_header *h = &out->hdr;
	uint8_t *data = NULL;
	size_t size = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > max_size || len > UINT32_MAX)
		return fail(err, -EFBIG, "file is bigger than RAM (%zu > %llu bytes)", len,
		            (unsigned long long)max_size);
	if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
		rc = gunzip(buf, len, max_size, &data, &size, err);
		if (rc)
			return rc;
		out->gzipped = true;
	} else {
		data = malloc(len ? len : 1);
		if (!data)
			return fail(err, -ENOMEM, "out of memory");
		memcpy(data, buf, len);
		size = len;
	}
	if (size < LIMG_HEADER_SIZE) {
		rc = fail(err, -EINVAL, "truncated arm64 Image: %zu bytes, the header alone is %d",
		          size, LIMG_HEADER_SIZE);
		goto bad;
	}
	h->code0 = le32(data + 0);
	h->code1 = le32(data + 4);
	h->text_offset = le64(data + 8);
	h->image_size = le64(data + 16);
	h->flags = le64(data + 24);
	h->magic = le32(data + 0x38);
	if (h->magic != LIMG_MAGIC) {
		rc = fail(err, -ENOEXEC, "not an arm64 Image: no \"ARM\\x64\" magic at 0x38%s",
		          out->gzipped ? " (after gunzip)" : "");
		goto bad;
	}
	/* booting.rst: before v3.17 image_size is 0 and text_offset is 0x80000 regardless. */
	if (h->image_size == 0) {
		h->legacy = true;
		h->text_offset = 0x80000;
		h->image_size = size;
	}
	if (h->flags & LIMG_FLAG_BE) {
		rc = fail(err, -ENOTSUP,
		          "big-endian arm64 kernel (header flags bit 0): hypsim runs "
		          "little-endian only");
		goto bad;
	}
	if (h->image_size < size) {
		rc =
		    fail(err, -EINVAL, "header image_size 0x%llx is smaller than the Image (0x%zx)",
		         (unsigned long long)h->image_size, size);
		goto bad;
	}
	switch ((h->flags & LIMG_FLAG_PAGE_MASK) >> LIMG_FLAG_PAGE_SHIFT) {
	case 1:
		h->page_size = 4096;
		break;
	case 2:
		h->page_size = 16384;
		break;
	case 3:
		h->page_size = 65536;
		break;
	default:
		h->page_size = 0;
		break;
	}
	out->data = data;
	out->size = size;
	return 0;
bad:
	free(data);
	memset(out, 0, sizeof(*out));
	return rc;
}

int linux_image_load(const char *path, uint64_t max_size, struct linux_image *out,
                     char err[LIMG_ERR_LEN])
{
	uint8_t *buf;
	size_t len;

	memset(out, 0, sizeof(*out));
	/* Reject at once: never read a file that cannot fit, whatever its size. */
	int rc = file_read_all(path, max_size, &buf, &len, err, LIMG_ERR_LEN);
	if (rc == -EFBIG)
		return fail(err, rc, "file is bigger than RAM (%zu > %llu bytes)", len,
		            (unsigned long long)max_size);
	if (rc)
		return rc;
	rc = linux_image_parse(buf, len, max_size, out, err);
	free(buf);
	return rc;
}

void linux_image_free(struct linux_image *img)
{
	free(img->data);
	memset(img, 0, sizeof(*img));
}

int linux_boot_plan(const struct linux_image_header *hdr, uint64_t ram_base, uint64_t ram_size,
                    uint64_t dtb_size, uint64_t initrd_size, struct linux_boot_plan *plan,
                    char err[LIMG_ERR_LEN])
{
	uint64_t ram_end = ram_base + ram_size;
	uint64_t window;

	memset(plan, 0, sizeof(*plan));
	if (ram_base % LIMG_SZ_2M || ram_size % LIMG_SZ_2M || ram_end < ram_base)
		return fail(err, -EINVAL, "RAM 0x%llx+0x%llx is not 2 MiB-aligned",
		            (unsigned long long)ram_base, (unsigned long long)ram_size);
	/* booting.rst: the dtb must not exceed 2 megabytes. */
	if (dtb_size > LIMG_SZ_2M)
		return fail(err, -EINVAL,
		            "device tree of %llu bytes is over the 2 MiB booting.rst allows",
		            (unsigned long long)dtb_size);
	plan->base = ram_base;
	plan->kernel_pa = ram_base + hdr->text_offset;
	if (hdr->text_offset >= ram_size || hdr->image_size > ram_size - hdr->text_offset)
		return fail(
		    err, -ENOSPC,
		    "kernel (text_offset 0x%llx, image_size 0x%llx) does not fit in %llu MiB "
		    "of RAM",
		    (unsigned long long)hdr->text_offset, (unsigned long long)hdr->image_size,
		    (unsigned long long)(ram_size >> 20));
	plan->kernel_end = plan->kernel_pa + hdr->image_size;
	/* The DTB alone in the last 2 MiB block of RAM. */
	plan->dtb_pa = ram_end - LIMG_SZ_2M;
	plan->dtb_max = LIMG_SZ_2M;
	if (plan->dtb_pa < plan->kernel_end)
		return fail(err, -ENOSPC,
		            "no 2 MiB block left for the device tree above the kernel "
		            "(RAM is too small)");
	if (initrd_size) {
		uint64_t room = plan->dtb_pa - plan->kernel_end;
		uint64_t sz = (initrd_size + SZ_4K - 1) & ~(SZ_4K - 1);

		if (initrd_size > room || sz > room || plan->dtb_pa - sz < plan->kernel_end)
			return fail(err, -ENOSPC,
			            "initrd of %llu bytes does not fit between the kernel and the "
			            "device tree",
			            (unsigned long long)initrd_size);
		plan->initrd_pa = plan->dtb_pa - sz;
		plan->initrd_end = plan->initrd_pa + initrd_size;
		/*
		 * booting.rst: the initrd must lie in a 1 GB aligned window of up to 32 GB that
		 * fully covers the kernel Image.
		 */
		window = plan->base & ~(SZ_1G - 1);
		if (plan->initrd_end - window > 32 * SZ_1G)
			return fail(err, -ENOSPC,
			            "initrd would end 32 GiB or more above the kernel's 1 GiB "
			            "window (booting.rst)");
	}
	return 0;
}
