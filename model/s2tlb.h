/*
 * s2tlb.h - the stage 2 side of the EL1&0 TLBs: VMID-tagged stage-2-only entries (IPA ->
 * PA), combined entries (VA -> PA through both stages) and stage 2 walk-cache entries, the
 * TLBIs that remove them with their exact scope, and the hazards of stage 2 maintenance
 * (Arm ARM D8.13 "Translation Lookaside Buffers", D8.13.x TLB maintenance instructions,
 * D8.14.1 "Using break-before-make", D1.x context synchronisation; DESIGN §3).
 *
 * Rules, as the stage 1 TLB (tlb.h) applies them to stage 1 descriptors:
 *   - while stage 2 may be on (HCR_EL2.VM=1 in some value combination of a CPU), a TLB may
 *     hold any stage 2 translation reachable from the live stage 2 tables of its VMID, with
 *     any descriptor value live during that time; a value a store replaced stays possible
 *     until a TLBI that covers it, issued after the store was made visible to the walker by
 *     a DSB, is completed by a DSB (and, without FEAT_ETS2, followed by a context
 *     synchronisation event of the accessing CPU);
 *   - scope (D8.13.x): IPAS2E1(IS) removes stage 2 leaf and walk-cache entries for the IPA
 *     in the current VMID, IPAS2LE1(IS) only leaf ones, and neither removes combined
 *     entries (hence Linux's TLBI VMALLE1 after IPAS2E1); VMALLE1(IS) removes stage 1 and
 *     combined entries of the current VMID, not stage-2-only ones; VMALLS12E1(IS) both
 *     stages of the current VMID; ALLE1(IS) every VMID; VAE1/VALE1/VAAE1/VAALE1/ASIDE1
 *     remove combined entries of their VA/ASID in the current VMID;
 *   - an outcome other than the coherent one is stale-tlb when no TLBI covers it,
 *     missing-dsb when only a TLBI not yet completed would, or when the TLBI was issued
 *     before a DSB made the descriptor store visible (or a fresh walk may still read a
 *     store no DSB made visible), missing-isb when only a completed TLBI (or a visible
 *     store) not yet followed by a context synchronisation event would;
 *   - a valid -> valid change of a live stage 2 descriptor that needs break-before-make
 *     (s2_bbm_needed) is bbm at the store, held back while stage 2 is off on every CPU and
 *     reported when it is turned on again if no covering TLBI completed in between;
 *   - HCR_EL2, VTCR_EL2 and VTTBR_EL2 writes take effect only at a context synchronisation
 *     event: until then every combination of old and new values is possible (missing-isb
 *     when their translations differ).
 *
 * Representation: explicit. Contexts are the (VMID, VTCR, VTTBR) with which stage 2 may
 * have been on; the pages of their tables are tracked, and a store to a descriptor in one
 * records the old value (a version) with its VMID, level and IPA range. A lookup enumerates
 * the paths through the current stage 2 walk of an IPA with current and surviving old
 * values at each level (one stale value per stage 2 walk of the access), and the combined
 * translation is recomputed with each (s12 override) for the access's IPA and for the IPA
 * of every stage 1 table read.
 *
 * Does not model: stage 1 descriptor histories under stage 2 (model/tlb.c handles stage 1
 * with table addresses taken as PAs; exact when stage 2 maps the stage 1 tables flat, as
 * pKVM's host stage 2 does), descriptor stores that are not one aligned 8-byte write,
 * TLB capacity, FEAT_TTL hints, range TLBIs, the `accessed` TLB policy, walk cacheability
 * (walk-not-at-poc) of stage 2 walks.
 */
#ifndef HYPSIM_MODEL_S2TLB_H
#define HYPSIM_MODEL_S2TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "mem_ops.h"
#include "model.h"
#include "s2.h"

enum s2_reg { S2R_HCR_EL2, S2R_VTCR_EL2, S2R_VTTBR_EL2, S2R_COUNT };

struct s2tlb_cfg {
	unsigned ncpus;
	bool feat_ets; /* FEAT_ETS2 (false for the Cortex-A72), as model_cfg.feat_ets */
	struct s2_features feat;
	void (*on_hazard)(void *arg, const struct hazard *hz);
	void *hazard_arg;
};

struct s2tlb;

struct s2tlb *s2tlb_new(const struct s2tlb_cfg *cfg, const struct mem_ops *mem);
void s2tlb_free(struct s2tlb *t);

/* MSR to one of the stage 2 registers (pending until s2tlb_csync). */
void s2tlb_msr(struct s2tlb *t, unsigned cpu, enum s2_reg r, uint64_t value, uint64_t seq,
               uint64_t pc);
/* Context synchronisation event on cpu (ISB, exception entry/return with EIS/EOS). */
void s2tlb_csync(struct s2tlb *t, unsigned cpu, uint64_t seq);
/* The synchronised value of r on cpu. */
uint64_t s2tlb_reg(const struct s2tlb *t, unsigned cpu, enum s2_reg r);

/* An aligned 8-byte store of value at pa by cpu, delivered before memory changes (mem_ops
 * still shows the old value). Reports bbm through on_hazard. */
bool s2tlb_store(struct s2tlb *t, unsigned cpu, uint64_t pa, uint64_t value, uint64_t seq,
                 uint64_t pc);
/* TLBI by cpu (arg as written: IPA[47:12] in [35:0] for IPAS2*, VA[55:12] in [43:0] and
 * ASID in [63:48] for the VA forms). asid: the current ASID, for VAE1 without one. */
void s2tlb_tlbi(struct s2tlb *t, unsigned cpu, enum tlbi_op op, uint64_t arg, uint64_t seq,
                uint64_t pc);
/* DSB on cpu: makes its stores visible to walkers (not DSB LD) and completes its TLBIs of
 * enough shareability (not DSB LD). */
void s2tlb_dsb(struct s2tlb *t, unsigned cpu, enum barrier_domain dom, enum barrier_type type,
               uint64_t seq);

/*
 * An access acc by cpu at el (0 or 1) to va, with the EL1&0 stage 1 registers in s1 (its
 * hcr/vtcr/vttbr fields are ignored: the stage 2 registers are t's). Fills *coherent with
 * the coherent combined translation (latest register values, current tables), reports
 * every other outcome the architecture allows through on_hazard, and returns their number.
 * asid: the current ASID of the EL1&0 context (combined entries are tagged with it).
 */
unsigned s2tlb_access(struct s2tlb *t, unsigned cpu, const struct s12_regs *s1, uint64_t va,
                      enum access_type acc, unsigned el, uint16_t asid, uint64_t seq, uint64_t pc,
                      struct s12_result *coherent);

/* cpu is reset (or powered up) with these stage 2 register values: synchronised. */
void s2tlb_cpu_reset(struct s2tlb *t, unsigned cpu, uint64_t hcr, uint64_t vtcr, uint64_t vttbr,
                     uint64_t seq);

/* Stage 2 has been on (a context exists): stores and TLBIs may matter. */
bool s2tlb_active(const struct s2tlb *t);

/* Whether the 4 KiB page at pa may hold a descriptor of some context's stage 2 tables: a
 * store there must reach s2tlb_store. The set changes only at a store to such a page or
 * when a context opens (an MSR or a context synchronisation), so a caller may keep the
 * answer until then. True for every page from a table store until the next s2tlb_store
 * (the tables that store links are known only once it has landed in memory). */
bool s2tlb_table_page(struct s2tlb *t, uint64_t pa);

/* A hash of what may decide a later outcome (contexts, versions, TLBIs; event numbers
 * relative to now), 0 while no context exists; for model_digest. */
uint64_t s2tlb_digest(const struct s2tlb *t, uint64_t now);

/* Counts for tests: contexts, tracked table pages, recorded old values, TLBI records. */
struct s2tlb_counts {
	unsigned contexts, tables, versions, tlbis;
};
void s2tlb_counts(const struct s2tlb *t, struct s2tlb_counts *c);

#endif /* HYPSIM_MODEL_S2TLB_H */
