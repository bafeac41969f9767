/*
 * tlb.h - the TLBs of hypsim's CPUs, with walk-cache entries, and the history of
 * translation table descriptors they may have cached.
 *
 * Models (Arm ARM D8.13 "Translation Lookaside Buffers", D8.13.x TLB maintenance, D8.14
 * "Using break-before-make", D8.2 walks): while a regime's MMU is on, a CPU's TLB may hold
 * any translation reachable from the live tables, with any descriptor value that was live
 * during that time (policy `speculative`), or only translations an access used (policy
 * `accessed`). Entries made from a walk that faults (translation, address size, access flag)
 * are never cached. Leaf entries and walk-cache (table) entries are removed only by a
 * covering TLBI that a DSB has completed; VALE*, VAALE1 spare walk-cache entries; *IS forms
 * reach every CPU. A descriptor store becomes visible to the walker only at the storing
 * CPU's next DSB, so a TLBI issued before that DSB may be followed by a re-fill of the old
 * value. An access is performed at one instant (DESIGN §3 "One instant per access"): without
 * FEAT_ETS2 any instant after the CPU's last context synchronisation event, so a completed
 * TLBI is honoured for sure only after the next one; a lookup is made for a given instant.
 *
 * Representation (lazy, exact for the outcome sets): per CPU a list of contexts - the
 * register values (TTBR, TCR, MAIR, SCTLR.WXN, ASID) under which the MMU was on, with the
 * time interval and the TLBIs that reached them - plus, for every 8-byte descriptor in a
 * page reachable as a table, the versions it had (value, first event, event at which the
 * next value became visible). A lookup enumerates every version path through the walk of
 * one VA that was live inside the windows left by completed TLBIs, and translates each with
 * the one walker (pt_translate) through an overlay of those versions.
 *
 * Does not model: TLB capacity or replacement (entries stay until invalidated), VMIDs and
 * stage 2 (IPAS2* TLBIs act on nothing), range TLBIs, FEAT_TTL hints, the exact time of
 * accesses under the `accessed` policy (the first and last access to a range since the
 * context opened bound when an entry could have been made).
 */
#ifndef HYPSIM_MODEL_TLB_H
#define HYPSIM_MODEL_TLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "mem_ops.h"
#include "model.h"
#include "pt.h"

/* The registers that select a regime's translation: what a TLB entry is made under. */
struct tlb_regs {
	enum regime regime;
	uint64_t sctlr, tcr, ttbr0, ttbr1, mair;
	/* EL1&0 with HCR_EL2.VM=1: its entries are combined ones. HCR_EL2.VM may be cached in
	 * TLB entries (Linux's __pkvm_prot_finalize: "Invalidate stale HCR bits that may be
	 * cached in TLBs", TLBI VMALLS12E1 after setting it), so a change makes another
	 * context, whose entries a TLBI of the regime removes. */
	bool s2;
};

/* One translation a CPU may use for a VA besides (or instead of) a fresh walk. */
struct tlb_cand {
	struct walk_result r;       /* the translation (fault only for a fresh leaf read now) */
	struct pt_cfg cfg;          /* the context it was made under */
	bool needs_pending;         /* possible only because a TLBI is not yet completed by a DSB */
	bool stale_leaf;            /* the leaf descriptor value is not the latest */
	bool stale_table;           /* some table descriptor value is not the latest */
	bool old_ctx;               /* made under a context other than the coherent one */
	bool coherent;              /* the coherent context's entry of the current descriptors:
	                               r is the coherent walk (tlb_lookup's coherent_tr) */
	struct hz_cause cause;      /* the event that made it possible (what[] not filled) */
	uint64_t old_desc, desc_pa; /* the stale descriptor value and where it lives */
	enum regime ctx_regime;     /* the context it was made under */
	uint64_t ctx_ttbr, ctx_open;
	bool ctx_s2;                /* made with HCR_EL2.VM=1: its output is an IPA */
	const char *ctx_note;       /* tlb_ctx_note's text for that context, or NULL */
};

/* One line saying where candidate c comes from, for reports. */
void tlb_cand_describe(const struct tlb_cand *c, char *buf, size_t len);

/* A break-before-make violation found when a descriptor store is finalised. */
struct tlb_bbm {
	uint64_t desc_pa, old_desc, new_desc;
	int8_t level;
	uint64_t va;            /* first VA the descriptor maps */
	struct hz_cause store;  /* the store */
	struct hz_cause cached; /* who made the old value live (store, or the MMU enable) */
	uint64_t cached_since;  /* first event at which it may have been cached */
};

struct tlb;

struct tlb *tlb_new(const struct model_cfg *cfg, const struct mem_ops *mem, struct cache *c);
void tlb_free(struct tlb *t);

/*
 * Generation: changes whenever the coherent translation of some VA may have changed or its
 * set of possible translations may have grown (a context opened, a table store). TLBIs,
 * DSBs and context closes only shrink the sets, so a translation known to have one outcome
 * keeps it (the caller must still not trust it while a TLBI is pending).
 */
uint64_t tlb_gen(const struct tlb *t);
/* The same counter, and the number of TLBIs not completed, for the caller's fast path. */
const uint64_t *tlb_gen_ptr(const struct tlb *t);
const unsigned *tlb_pending_ptr(const struct tlb *t);

/* The MMU of regs.regime is (possibly) on with regs on cpu: make sure a context is open. */
void tlb_ctx_open(struct tlb *t, unsigned cpu, const struct tlb_regs *regs, uint64_t seq,
                  const struct hz_cause *cause);
/* Say why cpu's open context with regs exists (a register at its old value, not yet
 * synchronised, at an MMU-on): the text tlb_cand_describe gives its entries. */
void tlb_ctx_note(struct tlb *t, unsigned cpu, const struct tlb_regs *regs, const char *note);
/* Close cpu's open contexts of regime rg except those equal to one of keep[0..nkeep). */
void tlb_ctx_close_others(struct tlb *t, unsigned cpu, enum regime rg, const struct tlb_regs *keep,
                          unsigned nkeep, uint64_t seq);
/* cpu powers up (reset, PSCI CPU_ON): its TLB is empty. */
void tlb_cpu_reset(struct tlb *t, unsigned cpu);

/* Any open context of any CPU (a live MMU exists somewhere). */
bool tlb_any_open(const struct tlb *t);

/*
 * A store (or DC ZVA) of size bytes at pa is about to happen: if it touches a tracked
 * table page, remember its old bytes; tlb_finalize() (called at the start of the next
 * event, when mem_ops shows the new bytes) records the versions, checks break-before-make
 * and tracks newly reachable tables. Returns true if pa's page is a tracked table page.
 */
bool tlb_note_store(struct tlb *t, unsigned cpu, uint64_t pa, unsigned size, uint64_t seq,
                    const struct hz_cause *cause);
/* Finalise pending stores; BBM violations are returned through fn. Returns true if some
 * store is not visible in memory yet (call again at the next event). */
bool tlb_finalize(struct tlb *t, uint64_t now, void (*fn)(void *arg, const struct tlb_bbm *b),
                  void *arg);

/*
 * Break-before-make violations found while every MMU of the descriptor's regime was off are
 * held back (D8.14.1: no lookup can then see both entries): once an MMU of that regime may
 * be on again (after tlb_ctx_open), report through fn those whose old value may still be
 * cached, a TLBI having not completed before, and forget the others. tlb_bbm_pending: some
 * are held back.
 */
void tlb_bbm_recheck(struct tlb *t, uint64_t now, void (*fn)(void *arg, const struct tlb_bbm *b),
                     void *arg);
bool tlb_bbm_pending(const struct tlb *t);

/* The value cpu's walker may still read at the descriptor desc_pa: the one before the
 * oldest store of cpu to it, while an MMU is on, that no DSB has made visible to the walker
 * yet (B2.3.12, D8.2), with that store's cause. false: the walker reads memory's value. */
bool tlb_walker_old_value(const struct tlb *t, unsigned cpu, uint64_t desc_pa, uint64_t *old,
                          struct hz_cause *cause);

/* The values the descriptor at desc_pa had until a store made the next one visible to
 * walkers after the event `since` (newest first, at most max), each with the store that
 * replaced it. Without FEAT_ETS2 a walk for an access performed at an instant after `since`
 * (the CPU's last context synchronisation) may still read them (DESIGN §3 "Completion";
 * herd7 VMSA I2V-UP-DSB). Values a store has not yet made visible are tlb_walker_old_value's. */
unsigned tlb_recent_values(const struct tlb *t, uint64_t desc_pa, uint64_t since,
                           uint64_t *vals, struct hz_cause *causes, unsigned max);

/* A table store of cpu not yet made visible to the walker by a DSB, while an MMU is on. */
bool tlb_unsynced_store(const struct tlb *t, unsigned cpu, struct hz_cause *cause);

/* TLBI issued by cpu (pending until tlb_dsb). asid: current ASID for EL1 forms w/o one. */
void tlb_tlbi(struct tlb *t, unsigned cpu, enum tlbi_op op, uint64_t arg, uint64_t seq,
              const struct hz_cause *cause);
/* DSB on cpu: makes its table stores visible (unless a DSB LD) and, if a DSB for reads and
 * writes (B2.3.12), completes its TLBIs of enough shareability. Returns true if some TLBI
 * completed. */
bool tlb_dsb(struct tlb *t, unsigned cpu, enum barrier_domain dom, enum barrier_type type,
             uint64_t seq);
/* Context synchronisation on cpu: completed TLBIs now count at every later instant. */
void tlb_csync(struct tlb *t, unsigned cpu, uint64_t seq);
/* Some TLBI completed that cpu has not yet synchronised (no FEAT_ETS2: it counts only for
 * instants after its completion until cpu's next context synchronisation). */
bool tlb_done_unsynced(const struct tlb *t, unsigned cpu);
/* Some TLBI is issued but not completed (the fast path stays off). */
bool tlb_pending_any(const struct tlb *t);

/* Under the `accessed` policy, record that cpu translated va in regime rg (walk levels). */
void tlb_note_access(struct tlb *t, unsigned cpu, const struct pt_cfg *cfg, uint64_t va,
                     uint64_t seq);

/* The instants tlb_lookup takes: the earliest an access can have (only TLBIs completed and
 * followed by a context synchronisation, or any completed one with FEAT_ETS2, count), and
 * now (every completed TLBI counts). Any event number in between is an instant too. */
#define TLB_AT_FIRST UINT64_C(0)
#define TLB_AT_NOW   UINT64_MAX

/*
 * Every translation cpu's TLB may supply for va in regime rg to an access performed at the
 * instant `at` (TLB_AT_FIRST .. TLB_AT_NOW; event `now` is the current one), see the
 * contract above, including fresh walks that use stale walk-cache entries. cur_asid is the
 * ASID of the current EL1&0 context (ignored for EL2). Returns the number written to out.
 * coherent_tr (may be NULL): the walk of va under the coherent registers and the current
 * tables, which the caller has made; the entry the coherent context makes from the current
 * descriptors is that walk (the same configuration reads the same descriptors), so it is
 * taken instead of walking again, and marked `coherent`.
 */
unsigned tlb_lookup(struct tlb *t, unsigned cpu, enum regime rg, uint64_t va, uint64_t at,
                    uint16_t cur_asid, uint64_t now, const struct tlb_regs *coherent,
                    const struct walk_result *coherent_tr, struct tlb_cand *out, unsigned max);

/* The counts of model_footprint (model.h) that tlb.c owns. */
void tlb_footprint(const struct tlb *t, struct model_footprint *f);

/* True if break-before-make is needed to change desc old into new at level (D8.14.1). */
bool tlb_bbm_needed(uint64_t old_desc, uint64_t new_desc, int level, unsigned granule_shift);

/* ASID of the EL1&0 context given TCR_EL1 and the TTBRs (TCR_EL1.A1 selects). */
uint16_t tlb_el1_asid(uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1);

#endif /* HYPSIM_MODEL_TLB_H */
