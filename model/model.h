/*
 * model.h - the hypsim checker: one entry point for every architectural event.
 *
 * Contract (DESIGN §3): for every instruction fetch, data access, translation table walk
 * and maintenance-by-VA, compute the set of outcomes the Armv8-A architecture allows at
 * that point. When the set has more than one member, report a hazard naming each member
 * and the earlier event that created it. Execution continues on the coherent outcome,
 * which is what the caller (Unicorn, or a trace being replayed) does; the model never
 * changes memory.
 *
 * Outcomes are compared by what the program can observe: fault or not (and which), the
 * PA, the permission check, and for reads the bytes obtained. Identity maps, trampoline
 * pages and MMU-off switches are therefore silent by construction.
 *
 * State per CPU: effective and pending system registers, current EL, a TLB with walk-cache
 * entries and provenance, TLBI/DC maintenance not yet completed by a DSB. Shared: the
 * per-64-byte-line data cache state (dirty: the PoC holds older bytes; stale-clean: a
 * cache may hold older bytes than the PoC), per-line instruction cache contents, and the
 * history of descriptors written while live (for break-before-make and stale walks).
 *
 * Event ordering contract: each event is delivered BEFORE its instruction takes effect.
 * For EV_STORE and DC ZVA, mem_ops still shows the old bytes and the event carries the new
 * ones. Events of one CPU arrive in program order; events of different CPUs interleave in
 * the order they were executed.
 *
 * Stage 2 (HCR_EL2.VM=1, s2.h / s2tlb.h): accesses at EL1/EL0 are translated through both
 * stages (their result says the fault's stage and the IPA), stage 2 descriptors, TLBIs and
 * the stage 2 registers are checked by s2tlb.c. The stage 1 TLB model (tlb.c) still takes
 * stage 1 table addresses as PAs: exact when stage 2 maps the stage 1 tables flat.
 *
 * Does not model: VHE, AArch32, ASIDs beyond "nG entries are tagged with the ASID of
 * TTBR0_EL1 when made", memory ordering between CPUs beyond the completion rules of DSB,
 * hardware AF/dirty management.
 */
#ifndef HYPSIM_MODEL_MODEL_H
#define HYPSIM_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem_ops.h"
#include "pt.h"
#include "s2.h"

#define MODEL_MAX_CPUS 8

enum sysreg_id {
	SR_SCTLR_EL1,
	SR_SCTLR_EL2,
	SR_TTBR0_EL1,
	SR_TTBR1_EL1,
	SR_TTBR0_EL2,
	SR_TCR_EL1,
	SR_TCR_EL2,
	SR_MAIR_EL1,
	SR_MAIR_EL2,
	SR_VBAR_EL1,
	SR_VBAR_EL2,
	SR_HCR_EL2,
	SR_VTCR_EL2,	/* stage 2 of EL1&0 (s2.h): sim/machine/decode.c delivers them */
	SR_VTTBR_EL2,
	SR_COUNT
};

enum ev_kind {
	EV_FETCH,     /* instruction fetch of mem.size bytes (4, or a straight-line run in one page) */
	EV_LOAD,      /* data read of mem.size bytes (1..16) */
	EV_STORE,     /* data write; mem.value holds the new bytes for size <= 8 */
	EV_SYSREG,    /* MSR to one of enum sysreg_id */
	EV_TLBI,
	EV_DC,
	EV_IC,
	EV_AT,	      /* AT S1E2R/W, S1E1R/W: translation check like a DC (no data) */
	EV_DSB,
	EV_DMB,
	EV_ISB,
	EV_EXC_ENTRY, /* exception taken (context synchronisation when SCTLR.EIS) */
	EV_ERET,      /* exception return (context synchronisation when SCTLR.EOS) */
	EV_COUNT
};

enum tlbi_op {
	TLBI_ALLE2, TLBI_ALLE2IS, TLBI_VAE2, TLBI_VAE2IS, TLBI_VALE2, TLBI_VALE2IS,
	TLBI_ALLE1, TLBI_ALLE1IS, TLBI_VMALLE1, TLBI_VMALLE1IS, TLBI_VMALLS12E1,
	TLBI_VMALLS12E1IS, TLBI_VAE1, TLBI_VAE1IS, TLBI_VALE1, TLBI_VALE1IS, TLBI_VAAE1,
	TLBI_VAAE1IS, TLBI_VAALE1, TLBI_VAALE1IS, TLBI_ASIDE1, TLBI_ASIDE1IS,
	TLBI_IPAS2E1, TLBI_IPAS2E1IS, TLBI_IPAS2LE1, TLBI_IPAS2LE1IS,
	TLBI_OP_COUNT
};

enum dc_op {
	DC_CVAC, DC_CIVAC, DC_CVAU, DC_CVAP, DC_IVAC, DC_ZVA, DC_ISW, DC_CSW, DC_CISW,
	DC_OP_COUNT
};

enum ic_op { IC_IALLU, IC_IALLUIS, IC_IVAU, IC_OP_COUNT };

enum at_op { AT_S1E2R, AT_S1E2W, AT_S1E1R, AT_S1E1W, AT_S1E0R, AT_S1E0W, AT_OP_COUNT };

enum barrier_domain { DOM_NSH, DOM_ISH, DOM_OSH, DOM_SY };
enum barrier_type { BAR_LD, BAR_ST, BAR_ALL };

struct model_event {
	enum ev_kind kind;
	unsigned cpu;
	uint64_t pc;	/* VA of the instruction */
	uint32_t insn;	/* its encoding (for reports; 0 if unknown) */
	union {
		struct {
			uint64_t va;
			unsigned size;
			uint64_t value; /* EV_STORE, little-endian, size <= 8 */
			/* EV_LOAD/EV_STORE: va is a PA and the access's own translation is not
			 * part of what is checked (a trace that records PAs only, such as
			 * Casemate's, sim/check/casemate.h): Normal Non-cacheable, to the PoC,
			 * one outcome. Its effects on live tables (break-before-make, stores a
			 * TLBI relies on) are checked as any store's. */
			bool pa;
		} mem;
		struct {
			enum sysreg_id reg;
			uint64_t value;
		} sysreg;
		struct {
			enum tlbi_op op;
			uint64_t arg;	/* Xt as written: VA[55:12] in bits [43:0], ASID in [63:48] */
		} tlbi;
		struct {
			enum dc_op op;
			uint64_t arg;	/* VA, or set/way/level for the SW forms */
		} dc;
		struct {
			enum ic_op op;
			uint64_t va;
		} ic;
		struct {
			enum at_op op;
			uint64_t va;
		} at;
		struct {
			enum barrier_domain dom;
			enum barrier_type type;
		} barrier;
		struct {
			unsigned from_el, to_el;
			bool requested; /* SVC/HVC/SMC/BRK: the guest asked for it */
			uint64_t esr, elr, vector;
		} exc;
		struct {
			unsigned from_el, to_el;
			uint64_t target;
		} eret;
	} u;
};

enum hz_class {
	HZ_STALE_TLB,
	HZ_BBM,
	HZ_WALK_NOT_AT_POC,
	HZ_FETCH_NOT_AT_POC,
	HZ_DATA_NOT_AT_POC,
	HZ_ICACHE_STALE,
	HZ_LOST_WRITE,
	HZ_MISSING_DSB,
	HZ_MISSING_ISB,
	HZ_UNEXPECTED_EXCEPTION, /* retired (DESIGN §3): kept for traces that name it */
	HZ_GUEST_HANG,
	HZ_CLASS_COUNT
};

/* The earlier event that made an outcome possible. */
struct hz_cause {
	uint64_t seq;	  /* event number (model_seq() at that event), 0 = machine reset */
	unsigned cpu;
	uint64_t pc;
	enum ev_kind kind;
	char what[96];	  /* "TLB entry filled by a speculative walk of TTBR0_EL2=0x..." */
};

#define HZ_MAX_OUTCOMES 4

struct hz_outcome {
	bool fault;	       /* the outcome is a fault ... */
	struct fault f;	       /* ... this one */
	bool has_pa;
	uint64_t pa;
	bool has_value;	       /* reads: the bytes obtained (first 8) */
	uint64_t value;
	char text[128];	       /* one line: "PA 0x40201000, Normal WB (stale TLB entry)" */
	struct hz_cause cause;
};

struct hazard {
	enum hz_class cls;
	unsigned cpu;
	uint64_t seq;	       /* event number at which it was detected */
	uint64_t pc;
	uint32_t insn;
	enum ev_kind ev;
	bool has_va;
	uint64_t va;
	enum access_type acc;
	char summary[160];     /* one line, without the class name */
	unsigned n_outcomes;   /* >= 2 for outcome-set hazards; 1 for bbm/lost-write/... */
	struct hz_outcome outcomes[HZ_MAX_OUTCOMES];
	const char *rule;      /* Arm ARM section / rule id it rests on (static string) */
	/* "writeback=never", "writeback=random:SEED": the write-back policy left one outcome,
	 * outcomes[1] (outcomes[0] is the coherent one the run continues with; lost-write: the
	 * one outcome). Empty when the architecture's outcomes are listed. */
	char decided_by[48];
	uint64_t fold_key;     /* equal for reports of the same cause, to fold duplicates */
};

enum tlb_policy { TLB_POLICY_SPECULATIVE, TLB_POLICY_ACCESSED };

/*
 * When lines leave the data cache, and so when a dirty line is written back to the PoC
 * (docs/scenarios.md "writeback="). The Arm ARM leaves evictions IMPLEMENTATION DEFINED
 * (D7.4: a line may be evicted at any time); a policy narrows that to one behaviour, so that
 * each reader of a line has one outcome. Execution still continues on the coherent outcome.
 *   WB_ANY:    any time: the PoC copy and the cached copy are both possible outcomes;
 *   WB_NEVER:  only maintenance (DC CVAC/CVAP/CIVAC, set/way clean; DC IVAC, DC ISW
 *              discard) moves a line out of the cache or writes it back;
 *   WB_RANDOM: as WB_NEVER, and each line that becomes dirty or gets a stale cached copy is
 *              evicted (written back if dirty) before the event 1 + (x mod
 *              MODEL_WB_RANDOM_SPAN) events later, x the next value of a splitmix64 stream
 *              seeded with wb_seed.
 */
enum wb_policy { WB_ANY, WB_NEVER, WB_RANDOM };
#define MODEL_WB_RANDOM_SPAN 32768u

struct model_cfg {
	unsigned ncpus;
	enum tlb_policy tlb_policy;
	bool ctr_idc;	 /* CTR_EL0.IDC: no DC CVAU needed for I/D coherence */
	bool ctr_dic;	 /* CTR_EL0.DIC: no IC needed */
	/* FEAT_ETS2 (FEAT_ETS in older Arm ARM releases), a CPU feature value: false for the
	 * Cortex-A72. Without it an access may be translated at any instant after the last
	 * context synchronisation event, so a completed TLBI or a visible table store needs
	 * an ISB before the accesses that rely on it (DESIGN §3 "One instant per access"). */
	bool feat_ets;
	/* The implemented PA size in bits, the CPU's ID_AA64MMFR0_EL1.PARange (pt_pa_bits_ok:
	 * 32..48; 44 for the Cortex-A72). Every translation caps TCR.PS/IPS at it, so an
	 * output address at or above 2^pa_bits is an Address size fault (pt.h). */
	unsigned pa_bits;
	enum wb_policy wb_policy;
	uint64_t wb_seed; /* WB_RANDOM */
	/* No shortcut: every access takes the full check and model_fetch_fast always
	 * declines. The results and reports are the same (the differential tests compare
	 * both); only slower. */
	bool full_check;
	/* Every hazard is reported through this callback, synchronously inside model_step. */
	void (*on_hazard)(void *arg, const struct hazard *hz);
	void *hazard_arg;
};

/* Per-CPU register state at reset/CPU_ON (DESIGN §2 boot convention). */
struct model_cpu_reset {
	unsigned el;
	uint64_t sysreg[SR_COUNT];
};

/* What model_step tells the caller about an access in the coherent outcome. */
struct model_step_result {
	bool is_access;	       /* fetch/load/store/DC/IC/AT by VA */
	bool mmu_on;
	struct walk_result tr; /* coherent translation (tr.fault, else tr.oa = PA) */
	struct fault fault;    /* coherent fault incl. permission and alignment */
	unsigned n_hazards;    /* hazards reported for this event */
	/* EL1/EL0 accesses with HCR_EL2.VM=1 (s2_on): tr.oa is the PA after stage 2, ipa the
	 * IPA, fault12 the coherent fault with its stage (stage 2: taken to EL2, ESR_EL2 and
	 * HPFAR_EL2 from s12_fault_syndrome). All zero when stage 2 is off. */
	bool s2_on;
	uint64_t ipa;
	struct s12_fault fault12;
};

struct model;

struct model *model_new(const struct model_cfg *cfg, const struct mem_ops *mem);
void model_free(struct model *m);

/*
 * How much the model keeps that is not one per page or per CPU: it must not grow with the
 * number of events a guest runs, only with what may still decide an outcome (tlb.c
 * prune_recs, ver_dead). For tests and tools/bench-model.
 */
struct model_footprint {
	size_t tlbi_records;  /* TLBIs pending or not yet settled for some TLB context */
	size_t desc_versions; /* older descriptor values some TLB may still hold */
	size_t desc_histories; /* descriptors with a recorded history */
	size_t tlb_contexts;  /* register sets under which an MMU was on (dropped included) */
	size_t pending_maint; /* DC/IC operations not completed by a DSB */
};
void model_footprint(const struct model *m, struct model_footprint *f);

/* Put cpu in its reset state (also used for PSCI CPU_ON). */
void model_reset_cpu(struct model *m, unsigned cpu, const struct model_cpu_reset *r);

/*
 * cpu powers down (PSCI CPU_OFF, DEN0022 §5.5): the firmware's power-down sequence
 * completes the CPU's outstanding TLB and cache maintenance (a DSB SY, PSCI §6.4) and takes
 * the core out of coherency, and the core's TLB loses every entry with its power. From
 * then on no translation of that CPU can be cached: the tables it used are no longer live
 * through it (break-before-make, stale TLB entries), until model_reset_cpu (CPU_ON).
 */
void model_cpu_off(struct model *m, unsigned cpu);

/*
 * The one entry point. Checks ev against the current state, reports hazards through
 * cfg->on_hazard, updates the state, and fills *res (may be NULL).
 */
void model_step(struct model *m, const struct model_event *ev, struct model_step_result *res);

/*
 * model_step for the fetch of the 4-byte instruction at va on cpu (EV_FETCH), when the
 * model already knows that fetch's one outcome: its translation is cached with one outcome
 * and nothing that could add another has happened since (a register write, context
 * synchronisation, exception entry or return, TLBI not completed, table store, new TLB
 * context: the fast path's generation counters), and the lines it reads can only give the
 * latest bytes. Then the fetch is counted as the next event, *pa gets its PA, *res (may be
 * NULL) is filled as model_step would fill it, and the event's number is returned
 * (model_seq() after it); no hazard is possible. Otherwise nothing changes and 0 is
 * returned: deliver the event with model_step.
 */
uint64_t model_fetch_fast(struct model *m, unsigned cpu, uint64_t va, uint64_t *pa,
                          struct model_step_result *res);

/*
 * Hazards found outside model_step's events (a guest hang is detected by the simulator):
 * stamped with the current event number and passed to on_hazard like the others.
 */
void model_report(struct model *m, struct hazard *hz);

/* Number of events processed so far (the next event gets model_seq() + 1). */
uint64_t model_seq(const struct model *m);

/* Effective (synchronised) value of a system register, and the current EL. */
uint64_t model_sysreg(const struct model *m, unsigned cpu, enum sysreg_id r);
unsigned model_cpu_el(const struct model *m, unsigned cpu);

/*
 * The data-cache state of the 64-byte line holding pa (DESIGN §3 "Caches and PoC"): clean
 * (the PoC holds what the program sees), dirty with the same bytes at the PoC (a store
 * wrote what was already there), or dirty with older bytes at the PoC. A question for
 * tools that explain a run (`sim campaign`: why dropping a DC changed nothing); it
 * reports nothing and changes nothing.
 */
enum model_line_state { MODEL_LINE_CLEAN, MODEL_LINE_DIRTY_SAME, MODEL_LINE_DIRTY_DIFFERS };
enum model_line_state model_line_state(struct model *m, uint64_t pa);

/*
 * The coherent translation configuration of cpu for va in its current regime (EL2 at
 * EL2, EL1&0 at EL1/EL0). Returns false if the MMU of that regime is off (then va is a
 * PA) or va is outside both halves (*f says why).
 */
bool model_regime_cfg(const struct model *m, unsigned cpu, uint64_t va, struct pt_cfg *cfg,
		      struct fault *f);

const char *hz_class_name(enum hz_class c);	/* "stale-tlb", "bbm", ... (DESIGN §3) */
bool hz_class_from_name(const char *name, enum hz_class *out);
const char *sysreg_name(enum sysreg_id r);	/* "SCTLR_EL2" ... */
const char *ev_kind_name(enum ev_kind k);	/* "fetch", "load", ... */
const char *tlbi_op_name(enum tlbi_op op);	/* "alle2", "vae2is", ... */
const char *dc_op_name(enum dc_op op);
const char *ic_op_name(enum ic_op op);
const char *at_op_name(enum at_op op);
const char *barrier_domain_name(enum barrier_domain d);
/* "any", "never", "random:SEED" (the spec's value) <-> policy and seed; parse returns false
 * for anything else (SEED: a decimal or 0x number that fits in 64 bits). */
void wb_policy_format(enum wb_policy p, uint64_t seed, char *buf, size_t len);
bool wb_policy_parse(const char *text, enum wb_policy *p, uint64_t *seed);

#endif /* HYPSIM_MODEL_MODEL_H */
