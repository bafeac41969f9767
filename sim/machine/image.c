/*
 * image.c - hypsim's firmware loader (libelf). The file is read whole first so that a
 * truncated image is diagnosed by comparing offsets with the real size, before libelf
 * parses anything.
 */
#include "machine/image.h"

#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "machine/msg.h"
#include "machine/sha256.h"

static int fail(char err[IMG_ERR_LEN], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, IMG_ERR_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* "256M": a size as --ram takes it. */
static const char *size_text(uint64_t v, char *buf, size_t len)
{
	static const char suffix[] = "GMK";
	for (unsigned i = 0; i < 3; i++)
		if (v && !(v & ((UINT64_C(1) << (30 - 10 * i)) - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c", v >> (30 - 10 * i), suffix[i]);
			return buf;
		}
	snprintf(buf, len, "%" PRIu64 " bytes", v);
	return buf;
}

/* The whole file, at most max bytes: more cannot fit in the RAM it is loaded into, and a
 * stream such as /dev/zero would otherwise be read until memory runs out. */
static int read_file(const char *path, struct image *img, uint64_t max, char err[IMG_ERR_LEN])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, "cannot open: %s", strerror(errno));
	char sz[32];
	struct stat st;
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		fclose(f);
		return fail(err, "larger than the %s of RAM it must fit in (%" PRIu64 " bytes)",
		            size_text(max, sz, sizeof(sz)), (uint64_t)st.st_size);
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			return fail(err, "out of memory reading the file");
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (n > max) {
			free(buf);
			fclose(f);
			return fail(err, "larger than the %s of RAM it must fit in",
			            size_text(max, sz, sizeof(sz)));
		}
		cap *= 2;
		uint8_t *nb = realloc(buf, cap);
		if (!nb)
			free(buf);
		buf = nb;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return fail(err, "read error");
	}
	img->file = buf;
	img->file_size = n;
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

/* Symbols worth printing: named code/data/labels, not sections, files or $x/$d mapping
 * symbols (AAELF64 §5.5.4). */
static bool wanted_symbol(const GElf_Sym *s, const char *name)
{
	int t = GELF_ST_TYPE(s->st_info);
	if (!name || !*name || name[0] == '$' || s->st_shndx == SHN_UNDEF)
		return false;
	return t == STT_FUNC || t == STT_OBJECT || t == STT_NOTYPE;
}

static int read_symbols(Elf *e, struct image *img, char err[IMG_ERR_LEN])
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return fail(err, "corrupt section header: %s", elf_errmsg(-1));
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		if (sh.sh_offset > img->file_size || sh.sh_size > img->file_size - sh.sh_offset)
			return fail(err,
			            "truncated: the symbol table ends at byte %" PRIu64
			            ", the file has %zu",
			            sh.sh_offset + sh.sh_size, img->file_size);
		if (sh.sh_entsize != sizeof(Elf64_Sym))
			return fail(err,
			            "corrupt symbol table: its entry size (sh_entsize) is %" PRIu64
			            ", not %zu",
			            sh.sh_entsize, sizeof(Elf64_Sym));
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			return fail(err, "corrupt symbol table: %s", elf_errmsg(-1));
		size_t n = sh.sh_size / sh.sh_entsize;
		img->syms = calloc(n ? n : 1, sizeof(*img->syms));
		if (!img->syms)
			return fail(err, "out of memory");
		for (size_t i = 0; i < n; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!wanted_symbol(&s, name))
				continue;
			struct img_symbol *o = &img->syms[img->nsyms++];
			o->addr = s.st_value;
			o->size = s.st_size;
			o->func = GELF_ST_TYPE(s.st_info) == STT_FUNC;
			char q[512]; /* names are printed in every report (msg.h) */
			o->name = strdup(msg_quote(name, q, sizeof(q)));
			if (!o->name)
				return fail(err, "out of memory");
		}
		qsort(img->syms, img->nsyms, sizeof(*img->syms), cmp_sym);
		return 0;
	}
	return 0; /* stripped: PCs are printed without symbols */
}

static void read_build_id(Elf *e, struct image *img)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		if (sh.sh_offset > img->file_size || sh.sh_size > img->file_size - sh.sh_offset)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		size_t off = 0, noff, doff;
		GElf_Nhdr nh;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)d->d_buf + noff, "GNU", 4) != 0)
				continue;
			size_t len = nh.n_descsz < 20 ? nh.n_descsz : 20;
			for (size_t i = 0; i < len; i++)
				snprintf(img->build_id + 2 * i, 3, "%02x",
				         ((uint8_t *)d->d_buf)[doff + i]);
			return;
		}
	}
}

int img_load(const char *path, struct image *img, uint64_t max_size, char err[IMG_ERR_LEN])
{
	memset(img, 0, sizeof(*img));
	if (read_file(path, img, max_size, err))
		return -1;
	int rc = -1;
	Elf *e = NULL;
	const uint8_t *b = img->file;
	if (img->file_size < 4 || memcmp(b, ELFMAG, SELFMAG) != 0) {
		fail(err, "not an ELF file");
		goto out;
	}
	if (img->file_size < EI_NIDENT) {
		fail(err, "truncated: %zu bytes, shorter than an ELF header", img->file_size);
		goto out;
	}
	if (b[EI_CLASS] != ELFCLASS64) {
		fail(err, "not an AArch64 ELF: %s",
		     b[EI_CLASS] == ELFCLASS32 ? "32-bit (ELFCLASS32)" : "unknown ELF class");
		goto out;
	}
	if (b[EI_DATA] != ELFDATA2LSB) {
		fail(err, "not a little-endian ELF (hypsim runs little-endian AArch64)");
		goto out;
	}
	if (img->file_size < sizeof(Elf64_Ehdr)) {
		fail(err, "truncated: %zu bytes, shorter than an ELF header", img->file_size);
		goto out;
	}
	elf_version(EV_CURRENT);
	e = elf_memory((char *)img->file, img->file_size);
	GElf_Ehdr eh;
	if (!e || !gelf_getehdr(e, &eh)) {
		fail(err, "corrupt ELF header: %s", elf_errmsg(-1));
		goto out;
	}
	if (eh.e_machine != EM_AARCH64) {
		fail(err, "not an AArch64 ELF: machine %u%s", eh.e_machine,
		     eh.e_machine == EM_X86_64 ? " (x86-64)" : "");
		goto out;
	}
	if (eh.e_type != ET_EXEC) {
		fail(err, "not an executable ELF (e_type %u): link the firmware statically",
		     eh.e_type);
		goto out;
	}
	size_t phnum;
	/* gABI: every structure of the file is naturally aligned (libelf may or may not cope
	 * with one that is not, depending on the host). */
	if (eh.e_phnum && eh.e_phoff % 8) {
		fail(err,
		     "corrupt ELF header: the program headers (e_phoff 0x%" PRIx64
		     ") are not 8-byte aligned",
		     eh.e_phoff);
		goto out;
	}
	if (eh.e_phnum && eh.e_phentsize != sizeof(Elf64_Phdr)) {
		fail(err, "corrupt ELF header: program header size (e_phentsize) %u, not %zu",
		     eh.e_phentsize, sizeof(Elf64_Phdr));
		goto out;
	}
	if (eh.e_phoff > img->file_size ||
	    (uint64_t)eh.e_phnum * eh.e_phentsize > img->file_size - eh.e_phoff) {
		fail(err, "truncated: the program headers end past the file's %zu bytes",
		     img->file_size);
		goto out;
	}
	if (elf_getphdrnum(e, &phnum) != 0) {
		fail(err, "corrupt program headers: %s", elf_errmsg(-1));
		goto out;
	}
	img->segs = calloc(phnum ? phnum : 1, sizeof(*img->segs));
	if (!img->segs) {
		fail(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph)) {
			fail(err, "corrupt program header %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz) {
			fail(err,
			     "segment %zu: file size 0x%" PRIx64 " exceeds memory size 0x%" PRIx64,
			     i, ph.p_filesz, ph.p_memsz);
			goto out;
		}
		if (ph.p_offset + ph.p_filesz < ph.p_offset) {
			fail(err,
			     "corrupt program header %zu: p_offset 0x%" PRIx64
			     " + p_filesz 0x%" PRIx64 " overflows",
			     i, ph.p_offset, ph.p_filesz);
			goto out;
		}
		if (ph.p_offset > img->file_size || ph.p_filesz > img->file_size - ph.p_offset) {
			fail(err,
			     "truncated: segment %zu needs file bytes [0x%" PRIx64 ", 0x%" PRIx64
			     "), the file has %zu",
			     i, ph.p_offset, ph.p_offset + ph.p_filesz, img->file_size);
			goto out;
		}
		if (ph.p_memsz == 0)
			continue;
		if (ph.p_paddr + ph.p_memsz < ph.p_paddr) {
			fail(err, "segment %zu wraps around the address space", i);
			goto out;
		}
		img->segs[img->nsegs++] = (struct img_segment){
		    .paddr = ph.p_paddr,
		    .filesz = ph.p_filesz,
		    .memsz = ph.p_memsz,
		    .offset = ph.p_offset,
		    .flags = ph.p_flags,
		};
	}
	if (img->nsegs == 0) {
		fail(err, "no loadable segment (PT_LOAD)");
		goto out;
	}
	img->entry = eh.e_entry;
	if (read_symbols(e, img, err))
		goto out;
	read_build_id(e, img);
	sha256_hex(img->file, img->file_size, img->sha256);
	img->path = strdup(path);
	if (!img->path) {
		fail(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	if (rc)
		img_free(img);
	return rc;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int img_check_layout(const struct image *img, uint64_t ram_base, uint64_t ram_size,
                     char err[IMG_ERR_LEN])
{
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct img_segment *s = &img->segs[i];
		if (overlaps(s->paddr, s->memsz, MACH_UART_BASE, MACH_UART_SIZE))
			return fail(err,
			            "segment [0x%" PRIx64 ", 0x%" PRIx64
			            ") overlaps the UART at [0x%" PRIx64 ", 0x%" PRIx64 ")",
			            s->paddr, s->paddr + s->memsz, MACH_UART_BASE,
			            MACH_UART_BASE + MACH_UART_SIZE);
		if (!mach_pa_in_ram(ram_base, ram_size, s->paddr, s->memsz))
			return fail(err,
			            "segment [0x%" PRIx64 ", 0x%" PRIx64
			            ") lies outside RAM [0x%" PRIx64 ", 0x%" PRIx64 ")",
			            s->paddr, s->paddr + s->memsz, ram_base, ram_base + ram_size);
	}
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct img_segment *s = &img->segs[i];
		if (img->entry >= s->paddr && img->entry - s->paddr < s->memsz)
			return 0;
	}
	return fail(err, "entry point 0x%" PRIx64 " is not inside any loaded segment", img->entry);
}

void img_free(struct image *img)
{
	for (size_t i = 0; i < img->nsyms; i++)
		free(img->syms[i].name);
	free(img->syms);
	free(img->segs);
	free(img->file);
	free(img->path);
	memset(img, 0, sizeof(*img));
}

const struct img_symbol *img_symbol_at(const struct image *img, uint64_t addr)
{
	size_t lo = 0, hi = img->nsyms;
	while (lo < hi) { /* first symbol with address > addr */
		size_t mid = lo + (hi - lo) / 2;
		if (img->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	/* Only inside the image: a symbol must not name an address past the last segment. */
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct img_segment *s = &img->segs[i];
		if (addr >= s->paddr && addr - s->paddr < s->memsz)
			return &img->syms[lo - 1];
	}
	return NULL;
}

char *img_symbolize_pc(const struct image *img, uint64_t addr, unsigned el, char *buf, size_t len)
{
	if (el < img->sym_min_el) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	return img_symbolize(img, addr, buf, len);
}

char *img_symbolize(const struct image *img, uint64_t addr, char *buf, size_t len)
{
	const struct img_symbol *s = img_symbol_at(img, addr);
	if (!s)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, addr - s->addr);
	return buf;
}
