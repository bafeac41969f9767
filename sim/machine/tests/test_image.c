/*
 * test_image.c - hypsim's firmware loader: every bad input gives one line naming the
 * problem (DESIGN §5 exit status 2), and good images load at their physical addresses.
 * ELF files are synthesised here, byte by byte, so each test controls exactly one field.
 */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/image.h"

static char dir[] = "/tmp/hypsim-test-image-XXXXXX";

struct fake {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t code[8];
};

/* A minimal valid image: one PT_LOAD of 8 bytes at 0x4010_0000, entry at its start. */
static struct fake good(void)
{
	struct fake f;
	memset(&f, 0, sizeof(f));
	memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
	f.eh.e_ident[EI_CLASS] = ELFCLASS64;
	f.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f.eh.e_ident[EI_VERSION] = EV_CURRENT;
	f.eh.e_type = ET_EXEC;
	f.eh.e_machine = EM_AARCH64;
	f.eh.e_version = EV_CURRENT;
	f.eh.e_entry = 0x40100000;
	f.eh.e_phoff = offsetof(struct fake, ph);
	f.eh.e_ehsize = sizeof(Elf64_Ehdr);
	f.eh.e_phentsize = sizeof(Elf64_Phdr);
	f.eh.e_phnum = 1;
	f.ph.p_type = PT_LOAD;
	f.ph.p_flags = PF_R | PF_X;
	f.ph.p_offset = offsetof(struct fake, code);
	f.ph.p_vaddr = f.ph.p_paddr = 0x40100000;
	f.ph.p_filesz = 8;
	f.ph.p_memsz = 0x1000;
	memcpy(f.code, "\x1f\x20\x03\xd5\x00\x00\x00\x14", 8); /* nop; b . */
	return f;
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* Load (and check the layout of) data; returns the error text, "" on success. */
static const char *load(const char *name, const void *data, size_t len)
{
	static char err[IMG_ERR_LEN];
	struct image img;
	err[0] = '\0';
	const char *path = write_tmp(name, data, len);
	if (img_load(path, &img, MACH_RAM_DEFAULT, err) == 0) {
		if (img_check_layout(&img, MACH_RAM_BASE, MACH_RAM_DEFAULT, err) != 0)
			ck_assert_str_ne(err, "");
		img_free(&img);
	}
	ck_assert_ptr_null(strchr(err, '\n')); /* one line */
	return err;
}

START_TEST(test_good_image_loads_at_paddr)
{
	struct fake f = good();
	f.ph.p_vaddr = 0xffff000000100000; /* a link VA: p_paddr decides where it loads */
	const char *path = write_tmp("good.elf", &f, sizeof(f));
	struct image img;
	char err[IMG_ERR_LEN];
	ck_assert_int_eq(img_load(path, &img, MACH_RAM_DEFAULT, err), 0);
	ck_assert_int_eq(img_check_layout(&img, MACH_RAM_BASE, MACH_RAM_DEFAULT, err), 0);
	ck_assert_uint_eq(img.nsegs, 1);
	ck_assert_uint_eq(img.segs[0].paddr, 0x40100000);
	ck_assert_uint_eq(img.segs[0].filesz, 8);
	ck_assert_uint_eq(img.segs[0].memsz, 0x1000);
	ck_assert_uint_eq(img.entry, 0x40100000);
	ck_assert_uint_eq(strlen(img.sha256), 64);
	img_free(&img);
}
END_TEST

START_TEST(test_missing_file)
{
	struct image img;
	char err[IMG_ERR_LEN];
	ck_assert_int_eq(img_load("/nonexistent/hypsim.elf", &img, MACH_RAM_DEFAULT, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

START_TEST(test_not_an_elf)
{
	ck_assert_str_eq(load("text.elf", "hello, world\n", 13), "not an ELF file");
	ck_assert_str_eq(load("empty.elf", "", 0), "not an ELF file");
}
END_TEST

START_TEST(test_elfclass32_rejected)
{
	struct fake f = good();
	f.eh.e_ident[EI_CLASS] = ELFCLASS32;
	ck_assert_ptr_nonnull(strstr(load("c32.elf", &f, sizeof(f)), "32-bit"));
}
END_TEST

START_TEST(test_x86_64_rejected)
{
	struct fake f = good();
	f.eh.e_machine = EM_X86_64;
	ck_assert_str_eq(load("x86.elf", &f, sizeof(f)), "not an AArch64 ELF: machine 62 (x86-64)");
}
END_TEST

START_TEST(test_big_endian_rejected)
{
	struct fake f = good();
	f.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	ck_assert_ptr_nonnull(strstr(load("be.elf", &f, sizeof(f)), "little-endian"));
}
END_TEST

START_TEST(test_truncated_header)
{
	struct fake f = good();
	ck_assert_ptr_nonnull(strstr(load("trunc1.elf", &f, 40), "truncated"));
}
END_TEST

START_TEST(test_truncated_segment)
{
	struct fake f = good();
	/* The whole header and program header, but only 4 of the segment's 8 bytes. */
	ck_assert_ptr_nonnull(
	    strstr(load("trunc2.elf", &f, sizeof(f) - 4), "truncated: segment 0"));
}
END_TEST

START_TEST(test_filesz_above_memsz)
{
	struct fake f = good();
	f.ph.p_memsz = 4;
	ck_assert_ptr_nonnull(strstr(load("fsz.elf", &f, sizeof(f)), "exceeds memory size"));
}
END_TEST

START_TEST(test_segment_outside_ram)
{
	struct fake f = good();
	f.ph.p_paddr = 0x20000000;
	f.eh.e_entry = 0x20000000;
	ck_assert_ptr_nonnull(strstr(load("low.elf", &f, sizeof(f)), "lies outside RAM"));
	/* Straddling the end of the default 256 MiB. */
	f = good();
	f.ph.p_paddr = 0x4ffff800;
	ck_assert_ptr_nonnull(strstr(load("end.elf", &f, sizeof(f)), "lies outside RAM"));
}
END_TEST

START_TEST(test_segment_overlaps_uart)
{
	struct fake f = good();
	f.ph.p_paddr = 0x08fff800; /* ends inside the PL011's page */
	ck_assert_ptr_nonnull(strstr(load("uart.elf", &f, sizeof(f)), "overlaps the UART"));
}
END_TEST

START_TEST(test_entry_outside_segments)
{
	struct fake f = good();
	f.eh.e_entry = 0x40200000;
	ck_assert_ptr_nonnull(strstr(load("entry.elf", &f, sizeof(f)), "entry point 0x40200000"));
}
END_TEST

START_TEST(test_no_load_segment)
{
	struct fake f = good();
	f.ph.p_type = PT_NOTE;
	ck_assert_ptr_nonnull(strstr(load("noload.elf", &f, sizeof(f)), "no loadable segment"));
}
END_TEST

/* The good image with a symbol table (section headers: null, .symtab, .strtab). */
struct fake_syms {
	struct fake f;
	Elf64_Sym sym[2];
	char str[8];
	Elf64_Shdr sh[3];
};

static struct fake_syms good_syms(void)
{
	struct fake_syms g;
	memset(&g, 0, sizeof(g));
	g.f = good();
	g.f.eh.e_shoff = offsetof(struct fake_syms, sh);
	g.f.eh.e_shentsize = sizeof(Elf64_Shdr);
	g.f.eh.e_shnum = 3;
	g.sym[1].st_name = 1;
	g.sym[1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
	g.sym[1].st_shndx = 1;
	g.sym[1].st_value = 0x40100000;
	memcpy(g.str, "\0_start", 8);
	g.sh[1].sh_type = SHT_SYMTAB;
	g.sh[1].sh_offset = offsetof(struct fake_syms, sym);
	g.sh[1].sh_size = sizeof(g.sym);
	g.sh[1].sh_entsize = sizeof(Elf64_Sym);
	g.sh[1].sh_link = 2;
	g.sh[1].sh_addralign = 8;
	g.sh[2].sh_type = SHT_STRTAB;
	g.sh[2].sh_offset = offsetof(struct fake_syms, str);
	g.sh[2].sh_size = sizeof(g.str);
	g.sh[2].sh_addralign = 1;
	return g;
}

START_TEST(test_symbols_load)
{
	struct fake_syms g = good_syms();
	const char *path = write_tmp("syms.elf", &g, sizeof(g));
	struct image img;
	char err[IMG_ERR_LEN];
	ck_assert_int_eq(img_load(path, &img, MACH_RAM_DEFAULT, err), 0);
	ck_assert_uint_eq(img.nsyms, 1);
	ck_assert_str_eq(img.syms[0].name, "_start");
	img_free(&img);
}
END_TEST

/* Issue #15 defect 7: each message says what is wrong (it said "corrupt symbol table: no
 * error", "no loadable segment", "needs bytes up to 256"). */
START_TEST(test_symtab_entsize_zero_says_so)
{
	struct fake_syms g = good_syms();
	g.sh[1].sh_entsize = 0;
	ck_assert_str_eq(load("ent0.elf", &g, sizeof(g)),
	                 "corrupt symbol table: its entry size (sh_entsize) is 0, not 24");
}
END_TEST

START_TEST(test_misaligned_phoff_says_so)
{
	uint8_t buf[sizeof(struct fake) + 8];
	struct fake f = good();
	f.eh.e_phoff += 1;
	f.ph.p_offset += 1;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &f.eh, sizeof(f.eh));
	memcpy(buf + f.eh.e_phoff, &f.ph, sizeof(f.ph));
	memcpy(buf + f.ph.p_offset, f.code, sizeof(f.code));
	ck_assert_str_eq(load("phoff.elf", buf, sizeof(buf)),
	                 "corrupt ELF header: the program headers (e_phoff 0x41) are not "
	                 "8-byte aligned");
}
END_TEST

START_TEST(test_overflowing_p_offset_says_so)
{
	struct fake f = good();
	f.ph.p_offset = UINT64_MAX - 3;
	ck_assert_str_eq(load("poff.elf", &f, sizeof(f)),
	                 "corrupt program header 0: p_offset 0xfffffffffffffffc + p_filesz 0x8 "
	                 "overflows");
	f = good();
	f.ph.p_offset = 0x1000;
	ck_assert_str_eq(load("poff2.elf", &f, sizeof(f)),
	                 "truncated: segment 0 needs file bytes [0x1000, 0x1008), the file has "
	                 "128");
}
END_TEST

START_TEST(test_symbolize_nearest_symbol_in_image)
{
	struct img_segment seg = {.paddr = 0x40100000, .memsz = 0x2000};
	struct img_symbol syms[] = {
	    {.addr = 0x40100000, .name = "label"},
	    {.addr = 0x40100000, .func = true, .name = "_start"},
	    {.addr = 0x40100100, .name = "at_alias"},
	};
	struct image img = {.segs = &seg, .nsegs = 1, .syms = syms, .nsyms = 3};
	char b[64];
	ck_assert_str_eq(img_symbolize(&img, 0x40100000, b, sizeof(b)), "_start+0x0");
	ck_assert_str_eq(img_symbolize(&img, 0x401000fc, b, sizeof(b)), "_start+0xfc");
	ck_assert_str_eq(img_symbolize(&img, 0x40100110, b, sizeof(b)), "at_alias+0x10");
	ck_assert_str_eq(img_symbolize(&img, 0x40000000, b, sizeof(b)), "");
	ck_assert_str_eq(img_symbolize(&img, 0x40102000, b, sizeof(b)), ""); /* past the image */
}
END_TEST

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("load");
	tcase_add_test(tc, test_good_image_loads_at_paddr);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_not_an_elf);
	tcase_add_test(tc, test_elfclass32_rejected);
	tcase_add_test(tc, test_x86_64_rejected);
	tcase_add_test(tc, test_big_endian_rejected);
	tcase_add_test(tc, test_truncated_header);
	tcase_add_test(tc, test_truncated_segment);
	tcase_add_test(tc, test_filesz_above_memsz);
	tcase_add_test(tc, test_segment_outside_ram);
	tcase_add_test(tc, test_segment_overlaps_uart);
	tcase_add_test(tc, test_entry_outside_segments);
	tcase_add_test(tc, test_no_load_segment);
	tcase_add_test(tc, test_symbolize_nearest_symbol_in_image);
	tcase_add_test(tc, test_symbols_load);
	tcase_add_test(tc, test_symtab_entsize_zero_says_so);
	tcase_add_test(tc, test_misaligned_phoff_says_so);
	tcase_add_test(tc, test_overflowing_p_offset_says_so);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
