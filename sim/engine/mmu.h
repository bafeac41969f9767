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

/* The address mmu_symbolize names va by: va itself when a symbol covers it (code running
 * at its PA, an idmap), else the PA the current regime translates it to. False when
 * neither: no symbol can name it. */
bool mmu_symbol_addr(struct sim *s, uint64_t va, uint64_t *addr);

/* Drop every placeholder of the current regime whose VA no longer translates to backed
 * memory. */
void mmu_sweep(struct sim *s);
/* A TLBI the guest ran (its Xt when by_va), covering the regimes of mask regimes (bit
 * PH_EL10, PH_EL2): what the next mmu_sweep in each re-checks. */
void mmu_note_tlbi(struct sim *s, unsigned regimes, bool by_va, uint64_t arg);

/* Whether va lies in a 2 MiB frame that holds a placeholder of the regime the CPU is not
 * in (checked against that regime's walk, not the current one's) or a holey one of the
 * current regime (struct placeholder): an access there is checked before Unicorn runs it. */
bool mmu_ph_guarded(struct sim *s, uint64_t va);
static inline bool mmu_ph_any_guarded(const struct sim *s)
{
	unsigned cur = PH_REGIME(s->el);
	return s->ph_count[cur == PH_EL2 ? PH_EL10 : PH_EL2] || s->ph_holey[cur];
}
/* The block hook's check of the block [va, va + size) when it lies in such a frame: true
 * (the VA in s->ph_evict_va) when one of its pages translates, in the current regime, to a
 * PA with nothing behind it: the block must not run; mmu_evict drops that placeholder and
 * the block's fetch then misses, and aborts, as with no placeholder there. */
bool mmu_block_guarded(struct sim *s, uint64_t va, uint32_t size);
void mmu_evict(struct sim *s, uint64_t va);

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
