/*
 * kernel_boot.c - a Linux arm64 Image, its DTB and initrd as the image `sim run` loads
 * (kernel_boot.h).
 */
#include "machine/kernel_boot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/dtb.h"
#include "machine/file.h"
#include "machine/sha256.h"

static int fail(char err[IMG_ERR_LEN], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, IMG_ERR_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* The whole of path, NUL-terminated, refusing one over max bytes before reading it. */
static int slurp(const char *path, uint64_t max, const char *what, char **out, size_t *len,
                 char err[IMG_ERR_LEN])
{
	uint8_t *buf = NULL;
	*out = NULL;
	int rc = file_read_all(path, max, &buf, len, err, IMG_ERR_LEN);
	if (rc == -EFBIG)
		return fail(err, "%s of %zu bytes does not fit in %" PRIu64 " bytes of RAM", what,
		            *len, max);
	if (rc)
		return -1;
	*out = (char *)buf;
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct img_symbol *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->func != y->func) /* the function sorts last: img_symbol_at picks it */
		return x->func ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int add_sym(struct image *img, size_t *cap, uint64_t addr, bool func, const char *name,
                   size_t namelen)
{
	if (img->nsyms == *cap) {
		size_t nc = *cap ? 2 * *cap : 4096;
		struct img_symbol *n = realloc(img->syms, nc * sizeof(*n));
		if (!n)
			return -1;
		img->syms = n;
		*cap = nc;
	}
	char *copy = strndup(name, namelen);
	if (!copy)
		return -1;
	img->syms[img->nsyms++] = (struct img_symbol){.addr = addr, .func = func, .name = copy};
	return 0;
}

/* Move the symbols in [text_va, text_va + size) to their PAs; drop the others; sort. */
static void relocate_syms(struct image *img, uint64_t text_va, uint64_t pa, uint64_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < img->nsyms; i++) {
		struct img_symbol *y = &img->syms[i];
		if (y->addr >= text_va && y->addr - text_va < size) {
			y->addr = y->addr - text_va + pa;
			img->syms[n++] = *y;
		} else {
			free(y->name);
		}
	}
	img->nsyms = n;
	qsort(img->syms, img->nsyms, sizeof(*img->syms), cmp_sym);
}

int kboot_parse_system_map(const char *buf, size_t len, uint64_t pa, uint64_t size,
                           struct image *img, uint64_t *text_va, char err[IMG_ERR_LEN])
{
	size_t cap = 0;
	unsigned line = 0;
	bool have_text = false;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		line++;
		const char *q = p;
		uint64_t addr = 0;
		int digits = 0;
		while (q < eol && isxdigit((unsigned char)*q) && digits < 17) {
			addr = addr << 4 | (uint64_t)(isdigit((unsigned char)*q)
			                                  ? *q - '0'
			                                  : tolower((unsigned char)*q) - 'a' + 10);
			q++;
			digits++;
		}
		/* "ADDR T NAME": nm's format, addresses of 8 or 16 hex digits. */
		if ((digits != 16 && digits != 8) || q + 3 > eol || q[0] != ' ' ||
		    !isalpha((unsigned char)q[1]) || q[2] != ' ' || q + 3 == eol ||
		    memchr(q + 3, ' ', (size_t)(eol - q - 3)))
			return fail(err, "line %u: not a System.map line (\"ADDR TYPE NAME\")",
			            line);
		char type = q[1];
		const char *name = q + 3;
		size_t nlen = (size_t)(eol - name);
		if (nlen && name[nlen - 1] == '\r')
			nlen--;
		if (nlen == 5 && !memcmp(name, "_text", 5)) {
			*text_va = addr;
			have_text = true;
		}
		/* System.map has no sizes nor symbol types: a global text symbol is taken as
		 * the function (it names a PC before a local label at the same address, such
		 * as __irqentry_text_start before __do_softirq). */
		if (strchr("TtWwDdBbRrVv", type) &&
		    add_sym(img, &cap, addr, type == 'T' || type == 'W', name, nlen))
			return fail(err, "out of memory");
		p = eol + 1;
	}
	if (!have_text)
		return fail(err, "no _text symbol: not the System.map of a Linux kernel");
	relocate_syms(img, *text_va, pa, size);
	return 0;
}

/* A vmlinux's symbol table (libelf, the file mapped rather than read: it is ~300 MB). */
static int vmlinux_symbols(const char *path, uint64_t pa, uint64_t size, struct image *img,
                           uint64_t *text_va, char err[IMG_ERR_LEN])
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(err, "cannot open: %s", strerror(errno));
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	int rc = -1;
	size_t cap = 0;
	bool have_text = false, have_start = false, have_tab = false;
	uint64_t start_va = 0;
	if (!e || !gelf_getehdr(e, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_AARCH64) {
		fail(err, "not an AArch64 ELF vmlinux%s%s", e ? "" : ": ", e ? "" : elf_errmsg(-1));
		goto out;
	}
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d) {
			fail(err, "corrupt symbol table: %s", elf_errmsg(-1));
			goto out;
		}
		have_tab = true;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			int t = GELF_ST_TYPE(s.st_info);
			if (!name || !*name || name[0] == '$' || s.st_shndx == SHN_UNDEF ||
			    (t != STT_FUNC && t != STT_OBJECT && t != STT_NOTYPE))
				continue;
			if (!strcmp(name, "_text")) {
				*text_va = s.st_value;
				have_text = true;
			}
			/* Xen's xen-syms has no _text: its Image starts at _start
			 * (xen/arch/arm/xen.lds.S), the symbol its header's first
			 * instruction is at. */
			if (!strcmp(name, "_start") && s.st_shndx != SHN_ABS) {
				start_va = s.st_value;
				have_start = true;
			}
			if (add_sym(img, &cap, s.st_value, t == STT_FUNC, name, strlen(name))) {
				fail(err, "out of memory");
				goto out;
			}
		}
	}
	if (!have_tab)
		fail(err, "no symbol table");
	else if (!have_text && !have_start)
		fail(err, "no _text symbol: not a Linux vmlinux (nor _start: not a xen-syms)");
	else {
		if (!have_text)
			*text_va = start_va;
		relocate_syms(img, *text_va, pa, size);
		rc = 0;
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

static int load_symbols(const char *path, uint64_t pa, uint64_t size, struct image *img,
                        struct kboot_info *info, char err[IMG_ERR_LEN])
{
	char *buf;
	size_t len;
	char magic[4] = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, "cannot open: %s", strerror(errno));
	size_t got = fread(magic, 1, 4, f);
	fclose(f);
	if (got == 4 && !memcmp(magic, ELFMAG, SELFMAG)) {
		/* The digest of a 300 MB vmlinux would cost more than it is worth: its size
		 * and modification time would do as well; its path is what replay needs. */
		snprintf(info->symbols_sha256, sizeof(info->symbols_sha256), "%s", "");
		return vmlinux_symbols(path, pa, size, img, &info->text_va, err);
	}
	if (slurp(path, UINT64_C(1) << 30, "System.map", &buf, &len, err))
		return -1;
	sha256_hex(buf, len, info->symbols_sha256);
	int rc = kboot_parse_system_map(buf, len, pa, size, img, &info->text_va, err);
	free(buf);
	return rc;
}

int kboot_load(const struct kboot_args *a, uint64_t ram_base, uint64_t ram_size, unsigned ncpus,
               struct image *img, struct kboot_info *info, const char **bad_file,
               char err[IMG_ERR_LEN])
{
	struct linux_image li = {0};
	void *dtb = NULL;
	size_t dtb_size = 0;
	char *initrd = NULL;
	size_t initrd_size = 0;
	char lerr[LIMG_ERR_LEN];
	int rc = -1;
	memset(img, 0, sizeof(*img));
	memset(info, 0, sizeof(*info));

	*bad_file = a->kernel;
	if (linux_image_load(a->kernel, ram_size, &li, lerr)) {
		fail(err, "%s", lerr);
		goto out;
	}
	info->gzipped = li.gzipped;
	sha256_hex(li.data, li.size, info->kernel_sha256);
	if (a->initrd) {
		*bad_file = a->initrd;
		if (slurp(a->initrd, ram_size, "initrd", &initrd, &initrd_size, err))
			goto out;
		sha256_hex(initrd, initrd_size, info->initrd_sha256);
	}
	/* The initrd's addresses go into /chosen before the plan is known: build once with
	 * placeholders (the property sizes are the same) to learn the DTB's size, plan, then
	 * build again with the real addresses. */
	struct dtb_chosen ch = {.bootargs = a->append};
	if (initrd)
		ch.initrd_start = ch.initrd_end = 1;
	char derr[DTB_ERR_LEN];
	struct dtb_machine m = {.ram_base = ram_base, .ram_size = ram_size, .ncpus = ncpus};
	for (int pass = 0; pass < 2; pass++) {
		free(dtb);
		dtb = NULL;
		m.chosen = ch;
		*bad_file = a->dtb ? a->dtb : a->kernel;
		if (a->dtb ? dtb_load(a->dtb, &ch, &dtb, &dtb_size, derr)
		           : dtb_build(&m, &dtb, &dtb_size, derr)) {
			fail(err, "%s%s", a->dtb ? "" : "device tree: ", derr);
			goto out;
		}
		if (pass)
			break;
		*bad_file = a->kernel;
		if (linux_boot_plan(&li.hdr, ram_base, ram_size, dtb_size, initrd_size, &info->plan,
		                    lerr)) {
			if (initrd)
				*bad_file = a->initrd;
			fail(err, "%s", lerr);
			goto out;
		}
		if (initrd) {
			ch.initrd_start = info->plan.initrd_pa;
			ch.initrd_end = info->plan.initrd_end;
		}
	}
	sha256_hex(dtb, dtb_size, info->dtb_sha256);
	info->dtb_size = dtb_size;
	info->initrd_size = initrd_size;

	/* One buffer: the Image, then the DTB, then the initrd; a segment each. */
	const struct linux_boot_plan *pl = &info->plan;
	*bad_file = a->kernel;
	img->file_size = li.size + dtb_size + initrd_size;
	img->file = malloc(img->file_size ? img->file_size : 1);
	img->segs = calloc(3, sizeof(*img->segs));
	img->path = strdup(a->kernel);
	if (!img->file || !img->segs || !img->path) {
		fail(err, "out of memory");
		goto out;
	}
	memcpy(img->file, li.data, li.size);
	memcpy(img->file + li.size, dtb, dtb_size);
	if (initrd_size)
		memcpy(img->file + li.size + dtb_size, initrd, initrd_size);
	img->segs[img->nsegs++] = (struct img_segment){
	    .paddr = pl->kernel_pa,
	    .filesz = li.size,
	    .memsz =
	        pl->kernel_end - pl->kernel_pa > li.size ? pl->kernel_end - pl->kernel_pa : li.size,
	    .offset = 0,
	    .flags = 7,
	};
	img->segs[img->nsegs++] = (struct img_segment){.paddr = pl->dtb_pa,
	                                               .filesz = dtb_size,
	                                               .memsz = dtb_size,
	                                               .offset = li.size,
	                                               .flags = 4};
	if (initrd_size)
		img->segs[img->nsegs++] = (struct img_segment){.paddr = pl->initrd_pa,
		                                               .filesz = initrd_size,
		                                               .memsz = initrd_size,
		                                               .offset = li.size + dtb_size,
		                                               .flags = 4};
	img->entry = pl->kernel_pa;
	img->entry_x0 = pl->dtb_pa;
	img->sym_min_el = 1;
	sha256_hex(img->file, img->file_size, img->sha256);
	if (a->symbols) {
		*bad_file = a->symbols;
		if (load_symbols(a->symbols, pl->kernel_pa, pl->kernel_end - pl->kernel_pa, img,
		                 info, err))
			goto out;
	}
	rc = 0;
out:
	if (rc)
		img_free(img);
	linux_image_free(&li);
	free(dtb);
	free(initrd);
	return rc;
}
