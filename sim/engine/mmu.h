/*
 * mmu.h - VAs under the guest's MMU in Unicorn 2.0.1: translation through the model's
 * walker, placeholder regions, and the classification of aborts. The design is described
 * at the top of mmu.c.
 */
#ifndef HYPSIM_SIM_MMU_H
#define HYPSIM_SIM_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "engine/sim.h"
#include "pt.h"

/* The translation of va for an access by the current EL (its regime, its registers). */
struct mmu_xlate {
	bool mmu_on;             /* stage 1 or (EL1/EL0, HCR_EL2.VM) stage 2 on */
	struct walk_result walk; /* when mmu_on: stage 1's (oa and block_size: of both stages) */
	struct fault fault;      /* FAULT_NONE, a walk/permission fault, or FAULT_EXTERNAL */
	uint64_t pa;
	/* EL1/EL0 with HCR_EL2.VM=1 (s2.h): a fault of stage 2 (taken to EL2), on a stage 1
	 * table read (s1ptw), at IPA ipa. */
	bool s2_on, stage2, s1ptw;
	uint64_t ipa;
};
void mmu_translate(struct sim *s, uint64_t va, enum access_type acc, unsigned len,
                   struct mmu_xlate *x);

/* Read guest memory at a VA of the current regime (for decoding). 0, or -1 on a fault. */
int mmu_read_va(struct sim *s, uint64_t va, void *buf, unsigned len, enum access_type acc);

/* The host bytes of [va, va + len) when they lie in the page of the last fetch mmu_read_va
 * translated (struct sim: fetch_*), or of one of the instruction pages it translated
 * earlier in the stretch (fetch_cache), else NULL: for instructions, a load without a walk. */
static inline const uint8_t *mmu_fetch_cached(const struct sim *s, uint64_t va, unsigned len)
{
	uint64_t off = va & UINT64_C(0xfff);
	if (!s->fetch_valid || off + len > UINT64_C(0x1000))
		return NULL;
	if (s->fetch_el == s->el && va - off == s->fetch_va_page)
		return s->fetch_host + off;
	const struct fetch_entry *e = &s->fetch_cache[(va >> 12) % 32];
	if (e->gen == s->fetch_gen + 1 && e->el == s->el && e->va_page == va - off)
		return e->host + off;
	return NULL;
}

/* Forget every cached instruction page (the regime or its tables may have changed, or
 * Unicorn stopped). */
static inline void mmu_fetch_forget(struct sim *s)
{
	s->fetch_valid = false;
	s->fetch_gen++;
}

/* UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, in checked and --no-check runs: an access through a
 * VA over the PA window of RAM or a device (Unicorn maps it, so no unmapped hook) to a PA with
 * nothing behind it saves the CPU and stops for an External abort (STOP_ABORT). Its mere
 * presence makes Unicorn's translator write the PC back before every load and store. */
void mmu_hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                  void *user);

/* Forget mmu_hook_mem's view of the regime (the regime, or its tables, may have changed). */
static inline void mmu_window_forget(struct sim *s)
{
	s->win_mmu = 0;
	s->win_gen++;
}

/* UC_HOOK_MEM_UNMAPPED: record the access (s->abort) and stop; the run loop decides. */
bool mmu_hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                       void *user);

/* Map a placeholder for the access recorded by the hook, translated at the EL the CPU is in;
 * false: take s->abort (its translation fault, or External) instead. */
bool mmu_map_placeholder(struct sim *s);

/* "name+0xoff" for a VA of the current regime (translated to the PA the symbols use). */
char *mmu_symbolize(struct sim *s, uint64_t va, char *buf, size_t len);

/* Drop every placeholder whose VA no longer translates to backed memory. */
void mmu_sweep(struct sim *s);
/* A TLBI the guest ran (its Xt when by_va): what the next mmu_sweep re-checks. */
void mmu_note_tlbi(struct sim *s, bool by_va, uint64_t arg);

/* Remove all placeholders (machine reset). */
void mmu_clear(struct sim *s);

/*
 * An abort that Unicorn raised after its own walk (UC_HOOK_INTR 3/4, VA mapped): find the
 * VA (the PC for a fetch, the decoded effective address for data) and the fault the
 * architecture gives there. Returns false when it cannot be classified (reason in
 * s->fatal).
 */
bool mmu_classify_abort(struct sim *s, bool fetch, uint64_t pc);

#endif /* HYPSIM_SIM_MMU_H */
