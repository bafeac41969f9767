/*
 * s2tlb_int.h - internals shared by the stage 2 TLB's files (s2tlb*.c): its state and the
 * helpers both use. Not part of s2tlb.h.
 *
 *   s2tlb.c         state, contexts and tracked tables, MSR/ISB, stores and bbm, TLBI, DSB
 *   s2tlb_lookup.c  what an access may use: TLBI scope, the states of old values, outcomes
 */
#ifndef HYPSIM_S2TLB_INT_H
#define HYPSIM_S2TLB_INT_H

#include "s2tlb.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "arch.h"

#define T_INF         UINT64_MAX
#define MAX_CTX       16
#define MAX_TABLES    16384 /* tracked stage 2 tables: 32 GiB mapped with 4K pages */
#define MAX_CANDS     16
#define IPA_PAGE_MASK ((UINT64_C(1) << 36) - 1) /* IPAS2*: IPA[47:12] in Xt[35:0] */
#define VA_PAGE_MASK  ((UINT64_C(1) << 44) - 1) /* VA[55:12] in Xt[43:0] */

#define RULE_S2_TLB                                                                                \
	"Arm ARM D8.13 (TLB maintenance: IPAS2E1, IPAS2LE1, VMALLS12E1, VMALLE1, ALLE1 scope), "   \
	"D8.13.x TLBI completion by DSB"
#define RULE_S2_BBM "Arm ARM D8.14.1 (break-before-make), stage 2 translation table entries"
#define RULE_S2_ISB "Arm ARM D1.x (context synchronization): HCR_EL2, VTCR_EL2, VTTBR_EL2 writes"

/* How an old value may still be used, weakest first (the class of its hazard). */
enum vstate {
	VS_DEAD = 0,   /* removed for sure */
	VS_UNSYNC = 1, /* only a completed TLBI / visible store not yet synchronised: missing-isb */
	VS_NODSB = 2, /* only a TLBI not completed, or issued before the store's DSB: missing-dsb */
	VS_LIVE = 3,  /* no TLBI covers it: stale-tlb */
	VS_CUR = 4,   /* the current value (no constraint) */
};

enum tk { TK_IPA, TK_S12_ALL, TK_S1_ALL, TK_ALL, TK_VA, TK_ASID };

struct tlbi {
	enum tk kind;
	unsigned issuer;
	bool is, leaf_only, all_asid;
	uint16_t vmid, asid;
	uint64_t page; /* IPA or VA page number */
	uint64_t issue, done;
	struct hz_cause cause;
};

struct s2ctx {
	uint16_t vmid;
	uint64_t vtcr, vttbr;
};

struct table {
	uint64_t pa;
	unsigned nentries;
	int level;
	uint64_t ipa_base;
	uint16_t vmid;
	unsigned g;
};

struct version {
	uint64_t desc_pa, value;
	int level;
	uint64_t ipa_base, size;
	uint16_t vmid;
	unsigned g;
	bool live; /* the value was current while stage 2 may have been on */
	unsigned storer;
	uint64_t end_store;    /* the store that replaced it */
	uint64_t end_vis;      /* the storer's DSB that made that store visible (T_INF: none) */
	struct hz_cause cause; /* the store */
};

struct since {
	uint64_t desc_pa, from;
};

struct held_bbm {
	struct hazard hz;
	unsigned version;
};

struct s2cpu {
	uint64_t eff[S2R_COUNT], latest[S2R_COUNT];
	unsigned pending; /* bit per enum s2_reg */
	struct hz_cause wcause[S2R_COUNT];
	uint64_t last_cse;
	uint64_t reset; /* its last reset (CPU_ON): its TLB was empty then */
};

struct s2tlb {
	struct s2tlb_cfg cfg;
	struct mem_ops mem;
	struct s2cpu cpu[MODEL_MAX_CPUS];
	struct s2ctx ctx[MAX_CTX];
	unsigned nctx;
	struct table *tab;
	unsigned ntab, captab;
	bool tab_dirty;
	struct version *ver;
	unsigned nver, capver;
	struct since *snc;
	unsigned nsnc, capsnc;
	struct tlbi *tl;
	unsigned ntl, captl;
	struct held_bbm *held;
	unsigned nheld, capheld;
	uint64_t last_on; /* latest event at which stage 2 may have been on on some CPU */
};

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 16;                                              \
			(arr) = realloc((arr), (cap) * sizeof(*(arr)));                            \
			assert(arr);                                                               \
		}                                                                                  \
	} while (0)

/* s2tlb.c */
void s2t_combo_regs(const struct s2cpu *c, unsigned k, uint64_t out[S2R_COUNT], unsigned *old_reg);
void s2t_report(struct s2tlb *t, struct hazard *hz);
bool s2t_any_on(const struct s2tlb *t);
uint64_t s2t_level_size(int level, unsigned g);

/* s2tlb_lookup.c */
/*
 * Whether cpu's TLB may still supply v through a stage-2-only or a combined entry.
 * at_enable: asked at the MSR that turns stage 2 on, which executes after the DSB that
 * completed earlier TLBIs (DESIGN §3): a completed TLBI then removes the entry for sure.
 */
enum vstate s2t_cached_state(const struct s2tlb *t, unsigned cpu, const struct version *v,
                             bool combined, uint64_t va, bool ng, uint16_t asid, bool at_enable);
/* Whether a fresh walk of cpu may read v (DESIGN §3 "One instant per access"). */
enum vstate s2t_fresh_state(const struct s2tlb *t, unsigned cpu, const struct version *v);

#endif
