/*
 * disasm.h - Capstone disassembly for hypsim's traces and reports, decoded once per
 * (address, encoding) and cached: an init sequence's loops would otherwise decode the same
 * instruction on every iteration, which costs more than executing it.
 */
#ifndef HYPSIM_SIM_DISASM_H
#define HYPSIM_SIM_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disasm;

/* One decoded instruction as the cache keeps it. */
struct dis_insn {
	uint64_t va;
	uint32_t enc;
	bool valid;
	uint64_t id;         /* which decode filled the entry (1, 2, ...): same id, same text */
	char text[200];      /* "msr sctlr_el2, x0", or ".inst 0x..." when undecodable */
	char text_json[240]; /* the same, as a JSON string literal with its quotes */
	char sym[64];        /* "name+0xoff" or "" */
};

struct disasm *disasm_new(void);
void disasm_free(struct disasm *d);

/*
 * The cached decode of enc at va; sym_fn (may be NULL) fills the symbol on a miss.
 * The pointer stays valid until the next call.
 */
const struct dis_insn *disasm_get(struct disasm *d, uint64_t va, uint32_t enc,
                                  void (*sym_fn)(void *arg, uint64_t va, char *buf, size_t len),
                                  void *arg);

/* Number of decodes done (cache misses), for tests of the cache itself. */
uint64_t disasm_decodes(const struct disasm *d);
/* Where that number is kept: the trace reads it once per instruction, without a call. */
const uint64_t *disasm_decodes_counter(const struct disasm *d);

/*
 * What a memory-accessing instruction accesses, for the FAR and WnR of a data abort
 * that Unicorn reports without an address (UNICORN-2.0.1.md). reg reads a register by its
 * Unicorn id. Returns false when enc is not a memory access hypsim understands.
 */
struct dis_access {
	uint64_t va;
	bool write;       /* ESR ISS.WnR: stores, and every cache maintenance fault */
	bool perm_write;  /* needs write permission (stores, DC IVAC, DC ZVA) */
	bool cache_maint; /* DC/IC by VA except DC ZVA: ESR ISS.CM (D17.2.37) */
};
bool disasm_access(struct disasm *d, uint64_t pc, uint32_t enc,
                   uint64_t (*reg)(void *arg, int uc_reg), void *arg, struct dis_access *out);

#endif /* HYPSIM_SIM_DISASM_H */
