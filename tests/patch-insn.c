/*
 * patch-insn IN OUT ADDR ENC - copy the AArch64 ELF IN to OUT with the 32-bit instruction
 * at physical address ADDR (inside a PT_LOAD segment) replaced by ENC. The regression
 * suite uses it to check that `sim diff` names a changed instruction (issue #6).
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: patch-insn IN OUT ADDR ENC\n");
		return 2;
	}
	uint64_t addr = strtoull(argv[3], NULL, 0);
	uint32_t enc = (uint32_t)strtoul(argv[4], NULL, 0);
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	static uint8_t buf[64 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	Elf64_Ehdr eh;
	if (n < sizeof(eh)) {
		fprintf(stderr, "%s: not an ELF\n", argv[1]);
		return 2;
	}
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64) {
		fprintf(stderr, "%s: not an ELF64 file\n", argv[1]);
		return 2;
	}
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		size_t off = eh.e_phoff + (size_t)i * eh.e_phentsize;
		if (off + sizeof(ph) > n)
			break;
		memcpy(&ph, buf + off, sizeof(ph));
		if (ph.p_type != PT_LOAD || addr < ph.p_paddr || addr + 4 > ph.p_paddr + ph.p_filesz)
			continue;
		size_t at = ph.p_offset + (addr - ph.p_paddr);
		for (int b = 0; b < 4; b++) /* little-endian, as A64 instructions are */
			buf[at + b] = (uint8_t)(enc >> (8 * b));
		FILE *o = fopen(argv[2], "wb");
		if (!o || fwrite(buf, 1, n, o) != n || fclose(o)) {
			perror(argv[2]);
			return 2;
		}
		return 0;
	}
	fprintf(stderr, "%s: 0x%llx is in no loaded segment\n", argv[1], (unsigned long long)addr);
	return 2;
}
