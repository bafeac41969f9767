/*
 * test_flows.h - what the flow tests share: test_flows_kds.c (kvm-dual-step),
 * test_flows_nvhe.c (arm64-nvhe-init, stub-teardown) and test_flows_pkvm.c (pkvm-switch).
 * The machine, the events, the firmware's constants, its boot and its lib/pgtable.S, and the
 * nVHE host steps that pkvm-switch shares with arm64-nvhe-init; the functions are static
 * inline so that a file may leave some unused.
 *
 * hypsim's hypervisor init flows (firmware/, docs/firmware.md) replayed at
 * model level: the hazard-relevant part of each flow as the exact event sequence the CPU
 * produces, fed to the checker one event at a time, before the simulator is wired.
 *
 * A small machine: RAM as a byte array behind struct mem_ops at the firmware's RAM base,
 * loaded like the ELF (code as distinct non-zero words, .data with its initial values,
 * .bss zero), the CPU entering at EL2h with MMU and caches off (DESIGN §2). The flows are
 * written from the firmware's assembly with the link addresses of the ELFs that
 * firmware/meson.build builds (taken from `aarch64-linux-gnu-nm`); where a variant's define
 * moves code, the variant's own addresses are used.
 *
 * What is replayed, per instruction in program order: at EL2, every instruction fetch and
 * every event of the init code, the trampoline, the switch and the hypercall paths; at
 * EL1, the host's events that reach memory EL2 uses (the table builder of lib/pgtable.S
 * with its zeroing, descriptor stores and DC CVAC/IVAC, the bounce and vector copies, the
 * parameters, their cleaning, IC/DSB/ISB), each preceded by the fetch of its instruction,
 * and the drop to EL1 and the host's EL1 MMU-on of lib/el1-mmu.S. Omitted: host stack and
 * UART traffic and the host's pure ALU instructions (EL1 code is never modified and runs
 * from an identity map, so those fetches have one outcome and change no state EL2 sees).
 *
 * Each test names the Arm ARM rule it checks. "First hazard" means the first one the
 * checker reports in the whole flow, and its PC is the PC of the event tagged with the
 * symbol docs/firmware.md names (a VA: the HYP VA or trampoline VA the code runs at).
 */
#ifndef HYPSIM_MODEL_TESTS_TEST_FLOWS_H
#define HYPSIM_MODEL_TESTS_TEST_FLOWS_H

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "model.h"

/* ------------------------------------------------------------------ machine */

#define FM_MAX_HZ 32
#define PG        UINT64_C(0x1000)

struct fm {
	uint64_t base, size;
	uint8_t *ram;
	struct mem_ops ops;
	struct model *m;
	unsigned nhz; /* every hazard reported; the first FM_MAX_HZ are kept */
	struct hazard hz[FM_MAX_HZ];
	uint64_t pc;       /* PC of the instruction whose events are being delivered */
	unsigned el;       /* current EL, as the simulator tracks it */
	uint64_t vbar_el2; /* latest VBAR_EL2 (the vector of the next exception to EL2) */
	unsigned parange;  /* ID_AA64MMFR0_EL1.PARange the firmware reads (TCR PS/IPS) */
};

static inline bool fm_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct fm *f = ctx;
	if (pa < f->base || pa - f->base > f->size || len > f->size - (pa - f->base))
		return false;
	memcpy(buf, f->ram + (pa - f->base), len);
	return true;
}

static inline void fm_on_hazard(void *arg, const struct hazard *hz)
{
	struct fm *f = arg;
	if (f->nhz < FM_MAX_HZ)
		f->hz[f->nhz] = *hz;
	f->nhz++;
}

static inline void fm_init(struct fm *f, uint64_t base, uint64_t size, unsigned parange)
{
	memset(f, 0, sizeof(*f));
	f->base = base;
	f->size = size;
	f->ram = calloc(1, size);
	ck_assert_ptr_nonnull(f->ram);
	f->ops.read = fm_read;
	f->ops.ctx = f;
	struct model_cfg cfg = {.ncpus = 1,
	                        .tlb_policy = TLB_POLICY_SPECULATIVE,
	                        /* the CPU whose PARange the firmware reads */
	                        .pa_bits = pt_parange_bits(parange),
	                        .on_hazard = fm_on_hazard,
	                        .hazard_arg = f};
	f->m = model_new(&cfg, &f->ops);
	f->el = 2;
	f->parange = parange;
}

static inline void fm_fini(struct fm *f)
{
	model_free(f->m);
	free(f->ram);
}

static inline void ram_w64(struct fm *f, uint64_t pa, uint64_t v)
{
	ck_assert(pa >= f->base && pa + 8 <= f->base + f->size);
	for (unsigned i = 0; i < 8; i++)
		f->ram[pa - f->base + i] = (uint8_t)(v >> (8 * i));
}

/* The loader: [lo, hi) holds code, every word distinct and non-zero (as instructions are),
 * so that any two PAs give different bytes. */
static inline void load_code(struct fm *f, uint64_t lo, uint64_t hi)
{
	for (uint64_t pa = lo; pa < hi; pa += 4) {
		uint32_t w = UINT32_C(0x14000000) | (uint32_t)((pa >> 2) & 0x03ffffff);
		memcpy(f->ram + (pa - f->base), &w, 4);
	}
}

static inline void fm_dump(const struct fm *f)
{
	fprintf(stderr, "%u hazard(s):\n", f->nhz);
	for (unsigned i = 0; i < f->nhz && i < FM_MAX_HZ; i++) {
		const struct hazard *h = &f->hz[i];
		fprintf(stderr, "  %s seq %" PRIu64 " pc 0x%" PRIx64 " va 0x%" PRIx64 ": %s\n",
		        hz_class_name(h->cls), h->seq, h->pc, h->va, h->summary);
		for (unsigned k = 0; k < h->n_outcomes; k++)
			fprintf(stderr, "    - %s [%s, pc 0x%" PRIx64 "]\n", h->outcomes[k].text,
			        h->outcomes[k].cause.what, h->outcomes[k].cause.pc);
	}
}

#define EXPECT_CLEAN(f)                                                                            \
	do {                                                                                       \
		if ((f)->nhz)                                                                      \
			fm_dump(f);                                                                \
		ck_assert_uint_eq((f)->nhz, 0);                                                    \
	} while (0)

#define EXPECT_FIRST(f, cls_, pc_)                                                                 \
	do {                                                                                       \
		if (!(f)->nhz || (f)->hz[0].cls != (cls_) || (f)->hz[0].pc != (pc_))               \
			fm_dump(f);                                                                \
		ck_assert_uint_ge((f)->nhz, 1);                                                    \
		ck_assert_str_eq(hz_class_name((f)->hz[0].cls), hz_class_name(cls_));              \
		ck_assert_uint_eq((f)->hz[0].pc, (pc_));                                           \
		ck_assert_ptr_nonnull((f)->hz[0].rule);                                            \
	} while (0)

/* ------------------------------------------------------------------ events */

static inline struct model_step_result step(struct fm *f, struct model_event *ev)
{
	struct model_step_result r;
	ev->cpu = 0;
	ev->pc = f->pc;
	model_step(f->m, ev, &r);
	return r;
}

/* The fetch of the instruction at pc; the events that follow are that instruction's. */
static inline struct model_step_result fetch(struct fm *f, uint64_t pc)
{
	struct model_event ev = {.kind = EV_FETCH};
	f->pc = pc;
	ev.u.mem.va = pc;
	ev.u.mem.size = 4;
	return step(f, &ev);
}

/* n instructions with no event of their own (ALU, branches) from pc on. */
static inline void run(struct fm *f, uint64_t pc, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fetch(f, pc + 4 * i);
}

static inline void msr(struct fm *f, uint64_t pc, enum sysreg_id r, uint64_t v)
{
	struct model_event ev = {.kind = EV_SYSREG};
	fetch(f, pc);
	ev.u.sysreg.reg = r;
	ev.u.sysreg.value = v;
	step(f, &ev);
	if (r == SR_VBAR_EL2)
		f->vbar_el2 = v;
}

static inline void isb(struct fm *f, uint64_t pc)
{
	struct model_event ev = {.kind = EV_ISB};
	fetch(f, pc);
	step(f, &ev);
}

static inline void dsb(struct fm *f, uint64_t pc, enum barrier_domain d, enum barrier_type t)
{
	struct model_event ev = {.kind = EV_DSB};
	fetch(f, pc);
	ev.u.barrier.dom = d;
	ev.u.barrier.type = t;
	step(f, &ev);
}

static inline void tlbi(struct fm *f, uint64_t pc, enum tlbi_op op, uint64_t xt)
{
	struct model_event ev = {.kind = EV_TLBI};
	fetch(f, pc);
	ev.u.tlbi.op = op;
	ev.u.tlbi.arg = xt;
	step(f, &ev);
}

static inline void dc(struct fm *f, uint64_t pc, enum dc_op op, uint64_t va)
{
	struct model_event ev = {.kind = EV_DC};
	fetch(f, pc);
	ev.u.dc.op = op;
	ev.u.dc.arg = va;
	step(f, &ev);
}

static inline void ic(struct fm *f, uint64_t pc, enum ic_op op)
{
	struct model_event ev = {.kind = EV_IC};
	fetch(f, pc);
	ev.u.ic.op = op;
	step(f, &ev);
}

static inline struct model_step_result load(struct fm *f, uint64_t va, unsigned size)
{
	struct model_event ev = {.kind = EV_LOAD};
	ev.u.mem.va = va;
	ev.u.mem.size = size;
	return step(f, &ev);
}

/* An 8-byte store: the event first, then the bytes land at the coherent PA (DESIGN §3,
 * model.h ordering contract). */
static inline void store(struct fm *f, uint64_t va, uint64_t v)
{
	struct model_event ev = {.kind = EV_STORE};
	ev.u.mem.va = va;
	ev.u.mem.size = 8;
	ev.u.mem.value = v;
	struct model_step_result r = step(f, &ev);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	ram_w64(f, r.tr.oa, v);
}

static inline struct model_step_result ldr(struct fm *f, uint64_t pc, uint64_t va)
{
	fetch(f, pc);
	return load(f, va, 8);
}

static inline void str(struct fm *f, uint64_t pc, uint64_t va, uint64_t v)
{
	fetch(f, pc);
	store(f, va, v);
}

/* stp/ldp of two X registers: two 8-byte accesses, as Unicorn reports them. */
static inline void stp(struct fm *f, uint64_t pc, uint64_t va, uint64_t a, uint64_t b)
{
	fetch(f, pc);
	store(f, va, a);
	store(f, va + 8, b);
}

static inline void ldp(struct fm *f, uint64_t pc, uint64_t va)
{
	fetch(f, pc);
	load(f, va, 8);
	load(f, va + 8, 8);
}

/* hvc #0 at EL1: taken to EL2 at VBAR_EL2 + 0x400 (lower EL, AArch64, synchronous). The
 * caller continues with the fetch at the vector. */
static inline uint64_t hvc(struct fm *f, uint64_t pc)
{
	struct model_event ev = {.kind = EV_EXC_ENTRY};
	fetch(f, pc);
	ev.u.exc.from_el = 1;
	ev.u.exc.to_el = 2;
	ev.u.exc.requested = true;
	ev.u.exc.esr = ((uint64_t)EC_HVC64 << ESR_EC_SHIFT) | ESR_IL;
	ev.u.exc.elr = pc + 4;
	ev.u.exc.vector = f->vbar_el2 + 0x400;
	step(f, &ev);
	f->el = 2;
	return f->vbar_el2 + 0x400;
}

/* A synchronous abort at EL2 the guest did not ask for (current EL, SPx: +0x200). The
 * event's PC is the faulting instruction's. */
static inline uint64_t abort_el2(struct fm *f, uint64_t pc, uint64_t esr)
{
	struct model_event ev = {.kind = EV_EXC_ENTRY};
	f->pc = pc;
	ev.u.exc.from_el = 2;
	ev.u.exc.to_el = 2;
	ev.u.exc.requested = false;
	ev.u.exc.esr = esr;
	ev.u.exc.elr = pc;
	ev.u.exc.vector = f->vbar_el2 + 0x200;
	step(f, &ev);
	return f->vbar_el2 + 0x200;
}

static inline void eret(struct fm *f, uint64_t pc, unsigned to_el, uint64_t target)
{
	struct model_event ev = {.kind = EV_ERET};
	fetch(f, pc);
	ev.u.eret.from_el = f->el;
	ev.u.eret.to_el = to_el;
	ev.u.eret.target = target;
	step(f, &ev);
	f->el = to_el;
}

/* ------------------------------------------------------------------ firmware constants */

/* firmware/include/hypsim-fw.h and hypsim-hyp.h */
#define FW_SCTLR_EL2_RES1 UINT64_C(0x30c50830)
#define FW_SCTLR_EL1_RES1 UINT64_C(0x30d00800)
#define FW_SCTLR_EL2_ON   (FW_SCTLR_EL2_RES1 | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I)
#define FW_SCTLR_EL1_ON   (FW_SCTLR_EL1_RES1 | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I)
#define FW_MAIR           UINT64_C(0x44ff00) /* Attr0 Device-nGnRnE, Attr1 WB, Attr2 NC */
#define FW_TCR_EL2_RES1   (BIT64(31) | BIT64(23))
#define FW_TCR_WBWA       ((UINT64_C(1) << 8) | (UINT64_C(1) << 10))
#define FW_TCR_SH_INNER   (UINT64_C(3) << 12)
#define HYP_PAGE_ATTRS    UINT64_C(0x747) /* page, AttrIdx 1 (WB), AP[1], SH inner, AF */
#define HYP_TABLE_DESC    UINT64_C(3)
#define HCR_RW            BIT64(31)
#define DESC_ADDR_MASK    UINT64_C(0x0000fffffffff000)

/* TCR_EL2 of kvm-dual-step: Normal Non-cacheable walks (IRGN0 = ORGN0 = 0b00). */
static inline uint64_t kds_tcr(const struct fm *f)
{
	return FW_TCR_EL2_RES1 | 25 | FW_TCR_SH_INNER | ((uint64_t)f->parange << TCR_EL2_PS_SHIFT);
}

/* TCR_EL2 of the nVHE flows (lib/nvhe-host.S): write-back walks. */
static inline uint64_t nvhe_tcr(const struct fm *f, unsigned va_bits)
{
	return FW_TCR_EL2_RES1 | (64 - va_bits) | FW_TCR_WBWA | FW_TCR_SH_INNER |
	       ((uint64_t)f->parange << TCR_EL2_PS_SHIFT);
}

/* Where the library routines every flow links ended up (firmware/lib/). */
struct lib {
	uint64_t el2_to_el1, el1_mmu_on, el1_pgd;
	uint64_t stub_vectors, stub_sync;
	uint64_t pt_init, pt_map, pt_set_desc, clean_poc;
};

enum pt_bug { PT_OK, PT_NO_CLEAN, PT_IVAC };

/* ------------------------------------------------------------------ boot: EL2 -> EL1 */

/* _start: bl fw_el2_to_el1 (stub vectors, HCR_EL2.RW, SCTLR_EL1, eret to EL1h), then the
 * host's MMU-on (lib/el1-mmu.S): identity map in 1 GiB blocks written with EL1's MMU off,
 * MAIR/TCR/TTBR0_EL1, ISB, TLBI VMALLE1, DSB NSH, ISB, SCTLR_EL1 = M|C|I, ISB. */
static inline void boot_to_el1_mmu_on(struct fm *f, const struct lib *l, uint64_t image)
{
	uint64_t e = l->el2_to_el1;
	fetch(f, image + 0x1000); /* _start: bl fw_el2_to_el1 */
	run(f, e, 1);
	msr(f, e + 0x4, SR_VBAR_EL2, l->stub_vectors);
	run(f, e + 0x8, 1);
	msr(f, e + 0xc, SR_HCR_EL2, HCR_RW);
	run(f, e + 0x10, 4);
	msr(f, e + 0x20, SR_SCTLR_EL1, FW_SCTLR_EL1_RES1);
	run(f, e + 0x24, 3); /* mov, msr spsr_el2, msr elr_el2 */
	eret(f, e + 0x30, 1, image + 0x1004);

	uint64_t m = l->el1_mmu_on, pgd = l->el1_pgd, pud_lo = pgd + PG, pud_hi = pgd + 2 * PG;
	fetch(f, image + 0x1004);
	for (uint64_t o = 0; o < 3 * PG; o += 16)
		stp(f, m + 0x8, pgd + o, 0, 0);
	str(f, m + 0x20, pgd, pud_lo | HYP_TABLE_DESC);
	str(f, m + 0x34, pud_lo, UINT64_C(0x0060000000000401)); /* GiB 0: Device, XN */
	uint64_t pud = pud_lo, l0 = (image >> 39) & 0x1ff;
	if (l0) {
		pud = pud_hi;
		str(f, m + 0x50, pgd + 8 * l0, pud_hi | HYP_TABLE_DESC);
	}
	uint64_t gib = image & ~((UINT64_C(1) << 30) - 1);
	str(f, m + 0x74, pud + 8 * ((image >> 30) & 0x1ff), gib | UINT64_C(0x705));
	msr(f, m + 0x88, SR_MAIR_EL1, FW_MAIR);
	run(f, m + 0x8c, 10);
	uint64_t tcr1 = 16 | FW_TCR_WBWA | FW_TCR_SH_INNER | TCR_EL1_EPD1 |
	                ((uint64_t)TCR_TG1_4K << TCR_EL1_TG1_SHIFT) |
	                ((uint64_t)f->parange << TCR_EL1_IPS_SHIFT);
	msr(f, m + 0xb4, SR_TCR_EL1, tcr1);
	msr(f, m + 0xb8, SR_TTBR0_EL1, pgd);
	isb(f, m + 0xbc);
	tlbi(f, m + 0xc0, TLBI_VMALLE1, 0);
	dsb(f, m + 0xc4, DOM_NSH, BAR_ALL);
	isb(f, m + 0xc8);
	run(f, m + 0xcc, 4);
	msr(f, m + 0xdc, SR_SCTLR_EL1, FW_SCTLR_EL1_ON);
	isb(f, m + 0xe0);
	run(f, m + 0xe4, 1);
}

/* ------------------------------------------------------------------ lib/pgtable.S */

struct fwpt {
	uint64_t ctx; /* VA of struct fw_pt */
	uint64_t root, next, end, va_off;
	int start;
};

/* The pt_alloc macro; ldp_pc is the PC of its first memory instruction. */
static inline uint64_t pt_alloc(struct fm *f, struct fwpt *p, uint64_t ldp_pc, enum pt_bug bug)
{
	ldp(f, ldp_pc, p->ctx + 8);
	uint64_t pa = p->next;
	ck_assert_uint_lt(pa, p->end);
	p->next += PG;
	str(f, ldp_pc + 0x10, p->ctx + 8, p->next);
	for (uint64_t o = 0; o < PG; o += 16)
		stp(f, ldp_pc + 0x1c, pa + p->va_off + o, 0, 0);
	if (bug != PT_NO_CLEAN)
		for (uint64_t o = 0; o < PG; o += CACHE_LINE_SIZE)
			dc(f, ldp_pc + 0x2c, DC_CVAC, pa + p->va_off + o);
	return pa;
}

/* fw_pt_init(ctx, pool, bytes, va_off, start level). */
static inline void fw_pt_init(struct fm *f, const struct lib *l, struct fwpt *p, uint64_t ctx,
                              uint64_t pool, uint64_t bytes, uint64_t va_off, int start,
                              enum pt_bug bug)
{
	uint64_t b = l->pt_init;
	memset(p, 0, sizeof(*p));
	p->ctx = ctx;
	p->next = pool;
	p->end = pool + bytes;
	p->va_off = va_off;
	p->start = start;
	stp(f, b + 0x8, ctx + 8, pool, pool + bytes);
	str(f, b + 0xc, ctx + 24, va_off);
	str(f, b + 0x10, ctx + 32, (uint64_t)start);
	p->root = pt_alloc(f, p, b + 0x28, bug);
	str(f, b + 0x64, ctx, p->root);
	dsb(f, b + 0x68, DOM_ISH, BAR_ALL);
}

/* fw_pt_set_desc: str x13, [x12]; then DC CVAC (or the buggy DC IVAC / nothing). */
static inline void pt_set_desc(struct fm *f, const struct lib *l, uint64_t va, uint64_t desc,
                               enum pt_bug bug)
{
	str(f, l->pt_set_desc, va, desc);
	if (bug == PT_IVAC)
		dc(f, l->pt_set_desc + 4, DC_IVAC, va);
	else if (bug == PT_OK)
		dc(f, l->pt_set_desc + 4, DC_CVAC, va);
}

/* fw_pt_map(ctx, va, pa, size, attrs): 4K leaves, tables from the pool, DSB ISH at the end.
 * Returns the VA of the last leaf written. */
static inline uint64_t fw_pt_map(struct fm *f, const struct lib *l, struct fwpt *p, uint64_t va,
                                 uint64_t pa, uint64_t size, uint64_t attrs, enum pt_bug bug)
{
	uint64_t b = l->pt_map, leaf = 0;
	ldr(f, b + 0x4, p->ctx + 24);
	for (uint64_t end = va + size; va < end; va += PG, pa += PG) {
		ldr(f, b + 0x1c, p->ctx + 32);
		ldr(f, b + 0x20, p->ctx);
		uint64_t table = p->root;
		for (int level = p->start;; level++) {
			unsigned shift = 39 - 9 * (unsigned)level;
			uint64_t dva = table + p->va_off + 8 * ((va >> shift) & 0x1ff);
			if (level == 3) {
				pt_set_desc(f, l, dva, pa | attrs, bug);
				leaf = dva;
				break;
			}
			ldr(f, b + 0x4c, dva);
			uint64_t d = 0;
			ck_assert(fm_read(f, dva - p->va_off, &d, 8));
			if (!(d & 1)) {
				d = pt_alloc(f, p, b + 0x54, bug) | HYP_TABLE_DESC;
				pt_set_desc(f, l, dva, d, bug);
			}
			table = d & DESC_ADDR_MASK;
		}
	}
	dsb(f, l->pt_set_desc + 0x2c, DOM_ISH, BAR_ALL);
	return leaf;
}

/* fw_dcache_clean_poc(start, size): DC CVAC per 64-byte line (CTR_EL0.DminLine), DSB ISH. */
static inline void clean_poc(struct fm *f, const struct lib *l, uint64_t va, uint64_t size)
{
	for (uint64_t a = va & CACHE_LINE_MASK; a < va + size; a += CACHE_LINE_SIZE)
		dc(f, l->clean_poc + 0x1c, DC_CVAC, a);
	dsb(f, l->clean_poc + 0x2c, DOM_ISH, BAR_ALL);
}

/* The stub (lib/stub.S) answering HVC_SET_VECTORS(x1): msr vbar_el2, x1; eret. */
static inline void stub_set_vectors(struct fm *f, const struct lib *l, uint64_t hvc_pc,
                                    uint64_t vbar)
{
	uint64_t v = hvc(f, hvc_pc);
	ck_assert_uint_eq(v, l->stub_vectors + 0x400);
	run(f, v, 1); /* b __hyp_stub_sync */
	run(f, l->stub_sync, 2);
	msr(f, l->stub_sync + 0x8, SR_VBAR_EL2, vbar);
	run(f, l->stub_sync + 0xc, 1);
	eret(f, l->stub_sync + 0x10, 1, hvc_pc + 4);
}

/* ================================================================== arm64 nVHE */

/* firmware/arm64-nvhe-init and the nVHE part of stub-teardown / pkvm-switch: the symbols
 * the flow uses, as link addresses (= PAs). */
struct nvhe {
	uint64_t image, image_end, data_start;
	unsigned va_bits;
	uint64_t start; /* _start */
	uint64_t hyp_handle_call, hyp_vector, host_hvc, host_init, install;
	uint64_t idmap, idmap_end; /* __hyp_idmap_text_start/end (= __kvm_hyp_init page) */
	uint64_t kvm_hyp_init, do_hyp_init, mmu_on, kvm_hyp_reset;
	uint64_t seed; /* hyp_seed / hyp_calls */
	uint64_t va_offset_var, params, nvhe_pt, hyp_stack_end, pool;
	struct lib lib;
	bool mmu_on_not_idmap, no_params_clean;
	/* computed */
	uint64_t off; /* HYP VA - PA */
};

/* kvm_compute_layout as lib/nvhe-host.S does it: the half opposite the idmap's. */
static inline uint64_t nvhe_offset(const struct nvhe *n)
{
	uint64_t msb = UINT64_C(1) << (n->va_bits - 1);
	uint64_t hyp_msb = (n->idmap & msb) ^ msb;
	uint64_t hyp_image = (n->image & (msb - 1)) | hyp_msb;
	return hyp_image - n->image;
}

#define HYP(n, pa) ((pa) + (n)->off)

/* fw_nvhe_host_init: HYP VA choice, the hyp table (idmap page + image at HYP VAs),
 * struct hyp_init_params through the cache and cleaned to PoC. */
static inline void nvhe_host_prepare(struct fm *f, struct nvhe *n, struct fwpt *pt)
{
	const struct lib *l = &n->lib;
	uint64_t h = n->host_init;
	n->off = nvhe_offset(n);
	str(f, h + 0x3c, n->va_offset_var, n->off);
	clean_poc(f, l, n->va_offset_var, 8);
	fw_pt_init(f, l, pt, n->nvhe_pt, n->pool, 16 * PG, 0, n->va_bits == 48 ? 0 : 1, PT_OK);
	fw_pt_map(f, l, pt, n->idmap, n->idmap, n->idmap_end - n->idmap, HYP_PAGE_ATTRS, PT_OK);
	fw_pt_map(f, l, pt, HYP(n, n->image), n->image, n->image_end - n->image, HYP_PAGE_ATTRS,
	          PT_OK);
	uint64_t p = n->params;
	str(f, h + 0x100, p + 0, nvhe_tcr(f, n->va_bits));
	str(f, h + 0x114, p + 8, FW_MAIR);
	str(f, h + 0x118, p + 16, pt->root);
	str(f, h + 0x124, p + 24, HYP(n, n->hyp_stack_end));
	str(f, h + 0x134, p + 32, HYP(n, n->hyp_vector));
	str(f, h + 0x148, p + 40, FW_SCTLR_EL2_ON);
	if (!n->no_params_clean)
		clean_poc(f, l, p, 48);
}

/* fw_nvhe_install: stub HVC_SET_VECTORS(__kvm_hyp_init), then the init HVC. Returns false
 * if the guest stops in an abort. */
static inline bool nvhe_install(struct fm *f, const struct nvhe *n)
{
	uint64_t ins = n->install, p = n->params;
	stub_set_vectors(f, &n->lib, ins + 0xc, n->kvm_hyp_init);
	uint64_t v = hvc(f, ins + 0x2c);
	ck_assert_uint_eq(v, n->kvm_hyp_init + 0x400);
	run(f, v, 1); /* b __do_hyp_init */
	uint64_t d = n->do_hyp_init;
	run(f, d, 6); /* mov64 x9, cmp, b.ne */
	/* __kvm_hyp_init_load_params: MMU off, Device-nGnRnE reads at the PoC. */
	ldr(f, d + 0x18, p + 0);
	msr(f, d + 0x1c, SR_TCR_EL2, nvhe_tcr(f, n->va_bits));
	ldr(f, d + 0x20, p + 8);
	msr(f, d + 0x24, SR_MAIR_EL2, FW_MAIR);
	uint64_t pgd = 0;
	fm_read(f, p + 16, &pgd, 8);
	ldr(f, d + 0x28, p + 16);
	msr(f, d + 0x2c, SR_TTBR0_EL2, pgd);
	isb(f, d + 0x30);
	tlbi(f, d + 0x34, TLBI_ALLE2, 0);
	dsb(f, d + 0x38, DOM_ISH, BAR_ALL);
	ldr(f, d + 0x3c, p + 40);
	ldr(f, d + 0x40, p + 24);
	ldr(f, d + 0x44, p + 32);
	uint64_t m = n->mmu_on;
	if (n->mmu_on_not_idmap)
		run(f, d + 0x48, 1); /* b __kvm_hyp_init_mmu_on (in .text) */
	msr(f, m, SR_SCTLR_EL2, FW_SCTLR_EL2_ON);
	if (!n->mmu_on_not_idmap) {
		isb(f, m + 4);
		m += 4;
	}
	struct model_step_result r = fetch(f, m + 4); /* mov sp, x4 */
	if (r.fault.type != FAULT_NONE) {
		uint64_t va = abort_el2(f, m + 4,
		                        ((uint64_t)EC_IABT_CUR << ESR_EC_SHIFT) | ESR_IL |
		                            FSC_TRANSLATION(r.tr.fault.level));
		run(f, va, 1);
		return false;
	}
	msr(f, m + 8, SR_VBAR_EL2, HYP(n, n->hyp_vector));
	run(f, m + 12, 1);
	eret(f, m + 16, 1, ins + 0x30);
	return true;
}

/* The runtime vectors' path to hyp_handle_call, at HYP VAs; body() is the call. */
static inline void nvhe_hypercall_enter(struct fm *f, const struct nvhe *n, uint64_t hvc_pc)
{
	uint64_t v = hvc(f, hvc_pc);
	ck_assert_uint_eq(v, HYP(n, n->hyp_vector) + 0x400);
	run(f, v, 1); /* b __kvm_hyp_host_hvc */
	uint64_t hh = HYP(n, n->host_hvc);
	run(f, hh, 2);
	stp(f, hh + 0x8, HYP(n, n->hyp_stack_end) - 16, 0, 0);
	run(f, hh + 0xc, 1); /* bl hyp_handle_call */
}

static inline void nvhe_hypercall_leave(struct fm *f, const struct nvhe *n, uint64_t hvc_pc)
{
	uint64_t hh = HYP(n, n->host_hvc);
	ldp(f, hh + 0x10, HYP(n, n->hyp_stack_end) - 16);
	eret(f, hh + 0x14, 1, hvc_pc + 4);
}

#endif
