/*
 * timing.h - hypsim's cost model: an honest, table-driven estimate of what each step of an
 * init sequence costs on a given CPU ("cycle-accurate-ish", issue #9).
 *
 * What it models: a CPU profile (a data file, docs/timing.md) gives cycles for instruction
 * classes, TLB hits, each level of a table walk (served by the walk cache, by a cacheable
 * walk that hits the L1 data cache or misses it, or by a walk to the PoC), L1 data and
 * instruction cache hits and misses, Non-cacheable and Device (MMU off) accesses, DC by VA,
 * IC IALLU/IVAU, TLBI by VA / all (local and broadcast), DSB (plus the maintenance it waits
 * for), DMB, ISB (pipeline refill), exception entry and return. The model keeps the state
 * this needs, per CPU: micro TLBs (instruction and data, fully associative), a main TLB
 * and a walk cache (set-associative), L1 data and instruction cache occupancy
 * (set-associative), all with LRU replacement, and a queue of maintenance in flight.
 *
 * It is fed the same struct model_event stream as the checker (model.h), after the
 * checker has stepped, with the checker's coherent result; it reads the checker's state
 * only through model.h's const queries (model_regime_cfg, model_sysreg, model_cpu_el) and
 * walks the tables itself (pt.h) when its own TLB misses. It is a separate object: the
 * checker never calls it, so timing never changes a hazard verdict.
 *
 * What it does not model: superscalar issue and dependencies beyond a per-class average
 * cost, branch prediction, L2 and beyond (a L1 miss costs the profile's L2 latency; walks
 * and accesses that must reach the PoC cost its DRAM latency), prefetchers, write-back
 * traffic, other CPUs' traffic, stage 2. TLBI by VA at EL1 ignores the ASID (it removes
 * every entry of that VA). Costs are in hundredths of a cycle internally, so that a
 * profile can say an ALU instruction costs 0.5 cycles on a dual-issue core.
 */
#ifndef HYPSIM_MODEL_TIMING_H
#define HYPSIM_MODEL_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem_ops.h"
#include "model.h"

/* Instruction classes, decoded from the A64 encoding (Arm ARM C4.1 top-level groups). */
enum tm_class {
	TM_ALU,     /* data processing, immediate and register */
	TM_MUL,     /* MADD/MSUB/SMULH/UMULH... */
	TM_DIV,     /* UDIV/SDIV */
	TM_BRANCH,  /* B, BL, B.cond, CBZ, TBZ, BR, BLR, RET */
	TM_LOAD,    /* loads (incl. pairs, literal, exclusive) */
	TM_STORE,   /* stores (incl. pairs, exclusive) */
	TM_FP,      /* FP and Advanced SIMD data processing */
	TM_SYSREG,  /* MRS, MSR (register and immediate) */
	TM_SYS,     /* SYS: TLBI, DC, IC, AT (issue; their latency is in the queue) */
	TM_HINT,    /* NOP, YIELD, WFE, WFI, SEV, ... */
	TM_BARRIER, /* DSB, DMB, ISB, CLREX (issue; the barrier's own cost is its event) */
	TM_EXC,     /* SVC, HVC, SMC, BRK, ERET (the entry/return cost is the event's) */
	TM_CLASS_COUNT
};

/* Cycle costs (hundredths of a cycle) and structure sizes of one CPU profile. */
struct tm_profile {
	char name[48];
	uint32_t cls[TM_CLASS_COUNT];
	/* [tlb] */
	unsigned utlb_entries;          /* per side, fully associative */
	unsigned tlb_entries, tlb_ways; /* main (L2) TLB */
	unsigned walk_cache_entries, walk_cache_ways;
	uint32_t tlb_hit; /* micro-TLB miss, main TLB hit */
	/* [walk]: per descriptor level */
	uint32_t walk_cache_hit; /* one walk-cache hit (skips every level above it) */
	uint32_t walk_cache_l1;  /* cacheable walk, descriptor in the L1 data cache */
	uint32_t walk_cache_l2;  /* cacheable walk, L1 miss (served by L2) */
	uint32_t walk_poc;       /* non-cacheable walk: the descriptor is read at the PoC */
	/* [cache] */
	unsigned line, l1d_kib, l1d_ways, l1i_kib, l1i_ways;
	uint32_t dcache_miss;        /* load L1 miss, served by L2 */
	uint32_t store_miss;         /* store L1 miss (mostly hidden by the store buffer) */
	uint32_t icache_miss;        /* fetch L1 miss, served by L2 */
	uint32_t noncacheable;       /* Normal Non-cacheable data access (to the PoC) */
	uint32_t device;             /* Device access, every data access with the MMU off */
	uint32_t fetch_noncacheable; /* fetch with SCTLR.I=0 (or NC code), per instruction */
	/* [maintenance]: latency until complete (a DSB waits for what remains) */
	uint32_t dc_hit, dc_miss, dc_zva, dc_sw, ic_iallu, ic_ivau;
	uint32_t tlbi_va, tlbi_va_is, tlbi_all, tlbi_all_is, at;
	/* [barrier] */
	uint32_t dsb, dmb, isb;
	/* [exception] */
	uint32_t exc_entry, exc_return;
};

/*
 * Parse a profile from text (docs/timing.md: "key = value" lines in [sections], '#'
 * comments, every key required once). Returns 0, or -1 with one line in err naming the
 * line and the problem ("line 12: [cache] l1d_ways: expected a whole number, got 'x'").
 */
int tm_profile_parse(const char *text, size_t len, struct tm_profile *p, char *err, size_t errlen);

/* Counters, cumulative since tm_new; a phase is the difference of two snapshots. */
struct tm_counters {
	uint64_t insns;       /* EV_FETCH events (instructions) */
	uint64_t centicycles; /* cycles x 100 */
	uint64_t utlb_misses; /* micro-TLB misses (I and D) */
	uint64_t tlb_misses;  /* main TLB misses: walks */
	uint64_t walk_reads;  /* descriptors read by walks (levels not served by the walk cache) */
	uint64_t walk_cache_hits;
	uint64_t walk_poc; /* of walk_reads, read at the PoC (non-cacheable walk) */
	uint64_t dcache_misses, icache_misses;
	uint64_t nc_accesses; /* Non-cacheable or Device data accesses, non-cacheable fetches */
	uint64_t tlbi, dc, ic, dsb, dmb, isb, exc, eret;
	uint64_t dsb_wait; /* centicycles DSBs spent waiting for maintenance */
};

/* What one event cost, for the trace and for per-instruction attribution. */
struct tm_step {
	uint32_t centicycles; /* charged now */
	uint32_t queued;      /* maintenance latency this event added to the queue */
	/* Reasons this event opens a new phase (the default splits of sim run --timing). */
	bool mmu_switch; /* the fetch's regime MMU state differs from the previous fetch */
	bool ttbr_write; /* MSR TTBR0_EL2 / TTBR0_EL1 / TTBR1_EL1 */
	bool exc_entry, exc_return;
};

struct tm;

/* ncpus as in struct model_cfg; mem reads descriptors for the model's own walks. */
struct tm *tm_new(const struct tm_profile *p, unsigned ncpus, const struct mem_ops *mem);
void tm_free(struct tm *t);

/* Invalidate every TLB, walk cache and cache of every CPU (reset, DESIGN §2). */
void tm_reset(struct tm *t);

/*
 * Account for ev, which the checker m has just processed with result res (res may be
 * NULL for events that are not accesses). Fills *out (may be NULL).
 */
void tm_event(struct tm *t, const struct model *m, const struct model_event *ev,
              const struct model_step_result *res, struct tm_step *out);

const struct tm_counters *tm_counters(const struct tm *t);
const struct tm_profile *tm_profile_of(const struct tm *t);

/* The class of an A64 instruction encoding. */
enum tm_class tm_classify(uint32_t enc);
const char *tm_class_name(enum tm_class c);

#endif /* HYPSIM_MODEL_TIMING_H */
