/*
 * test_flows.c - hypsim's hypervisor init flows (firmware/, docs/firmware.md) replayed at
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

static bool fm_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct fm *f = ctx;
	if (pa < f->base || pa - f->base > f->size || len > f->size - (pa - f->base))
		return false;
	memcpy(buf, f->ram + (pa - f->base), len);
	return true;
}

static void fm_on_hazard(void *arg, const struct hazard *hz)
{
	struct fm *f = arg;
	if (f->nhz < FM_MAX_HZ)
		f->hz[f->nhz] = *hz;
	f->nhz++;
}

static void fm_init(struct fm *f, uint64_t base, uint64_t size, unsigned parange)
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
	                        .on_hazard = fm_on_hazard,
	                        .hazard_arg = f};
	f->m = model_new(&cfg, &f->ops);
	f->el = 2;
	f->parange = parange;
}

static void fm_fini(struct fm *f)
{
	model_free(f->m);
	free(f->ram);
}

static void ram_w64(struct fm *f, uint64_t pa, uint64_t v)
{
	ck_assert(pa >= f->base && pa + 8 <= f->base + f->size);
	for (unsigned i = 0; i < 8; i++)
		f->ram[pa - f->base + i] = (uint8_t)(v >> (8 * i));
}

/* The loader: [lo, hi) holds code, every word distinct and non-zero (as instructions are),
 * so that any two PAs give different bytes. */
static void load_code(struct fm *f, uint64_t lo, uint64_t hi)
{
	for (uint64_t pa = lo; pa < hi; pa += 4) {
		uint32_t w = UINT32_C(0x14000000) | (uint32_t)((pa >> 2) & 0x03ffffff);
		memcpy(f->ram + (pa - f->base), &w, 4);
	}
}

static void fm_dump(const struct fm *f)
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

static struct model_step_result step(struct fm *f, struct model_event *ev)
{
	struct model_step_result r;
	ev->cpu = 0;
	ev->pc = f->pc;
	model_step(f->m, ev, &r);
	return r;
}

/* The fetch of the instruction at pc; the events that follow are that instruction's. */
static struct model_step_result fetch(struct fm *f, uint64_t pc)
{
	struct model_event ev = {.kind = EV_FETCH};
	f->pc = pc;
	ev.u.mem.va = pc;
	ev.u.mem.size = 4;
	return step(f, &ev);
}

/* n instructions with no event of their own (ALU, branches) from pc on. */
static void run(struct fm *f, uint64_t pc, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fetch(f, pc + 4 * i);
}

static void msr(struct fm *f, uint64_t pc, enum sysreg_id r, uint64_t v)
{
	struct model_event ev = {.kind = EV_SYSREG};
	fetch(f, pc);
	ev.u.sysreg.reg = r;
	ev.u.sysreg.value = v;
	step(f, &ev);
	if (r == SR_VBAR_EL2)
		f->vbar_el2 = v;
}

static void isb(struct fm *f, uint64_t pc)
{
	struct model_event ev = {.kind = EV_ISB};
	fetch(f, pc);
	step(f, &ev);
}

static void dsb(struct fm *f, uint64_t pc, enum barrier_domain d, enum barrier_type t)
{
	struct model_event ev = {.kind = EV_DSB};
	fetch(f, pc);
	ev.u.barrier.dom = d;
	ev.u.barrier.type = t;
	step(f, &ev);
}

static void tlbi(struct fm *f, uint64_t pc, enum tlbi_op op, uint64_t xt)
{
	struct model_event ev = {.kind = EV_TLBI};
	fetch(f, pc);
	ev.u.tlbi.op = op;
	ev.u.tlbi.arg = xt;
	step(f, &ev);
}

static void dc(struct fm *f, uint64_t pc, enum dc_op op, uint64_t va)
{
	struct model_event ev = {.kind = EV_DC};
	fetch(f, pc);
	ev.u.dc.op = op;
	ev.u.dc.arg = va;
	step(f, &ev);
}

static void ic(struct fm *f, uint64_t pc, enum ic_op op)
{
	struct model_event ev = {.kind = EV_IC};
	fetch(f, pc);
	ev.u.ic.op = op;
	step(f, &ev);
}

static struct model_step_result load(struct fm *f, uint64_t va, unsigned size)
{
	struct model_event ev = {.kind = EV_LOAD};
	ev.u.mem.va = va;
	ev.u.mem.size = size;
	return step(f, &ev);
}

/* An 8-byte store: the event first, then the bytes land at the coherent PA (DESIGN §3,
 * model.h ordering contract). */
static void store(struct fm *f, uint64_t va, uint64_t v)
{
	struct model_event ev = {.kind = EV_STORE};
	ev.u.mem.va = va;
	ev.u.mem.size = 8;
	ev.u.mem.value = v;
	struct model_step_result r = step(f, &ev);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	ram_w64(f, r.tr.oa, v);
}

static struct model_step_result ldr(struct fm *f, uint64_t pc, uint64_t va)
{
	fetch(f, pc);
	return load(f, va, 8);
}

static void str(struct fm *f, uint64_t pc, uint64_t va, uint64_t v)
{
	fetch(f, pc);
	store(f, va, v);
}

/* stp/ldp of two X registers: two 8-byte accesses, as Unicorn reports them. */
static void stp(struct fm *f, uint64_t pc, uint64_t va, uint64_t a, uint64_t b)
{
	fetch(f, pc);
	store(f, va, a);
	store(f, va + 8, b);
}

static void ldp(struct fm *f, uint64_t pc, uint64_t va)
{
	fetch(f, pc);
	load(f, va, 8);
	load(f, va + 8, 8);
}

/* hvc #0 at EL1: taken to EL2 at VBAR_EL2 + 0x400 (lower EL, AArch64, synchronous). The
 * caller continues with the fetch at the vector. */
static uint64_t hvc(struct fm *f, uint64_t pc)
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
static uint64_t abort_el2(struct fm *f, uint64_t pc, uint64_t esr)
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

static void eret(struct fm *f, uint64_t pc, unsigned to_el, uint64_t target)
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
static uint64_t kds_tcr(const struct fm *f)
{
	return FW_TCR_EL2_RES1 | 25 | FW_TCR_SH_INNER | ((uint64_t)f->parange << TCR_EL2_PS_SHIFT);
}

/* TCR_EL2 of the nVHE flows (lib/nvhe-host.S): write-back walks. */
static uint64_t nvhe_tcr(const struct fm *f, unsigned va_bits)
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
static void boot_to_el1_mmu_on(struct fm *f, const struct lib *l, uint64_t image)
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
static uint64_t pt_alloc(struct fm *f, struct fwpt *p, uint64_t ldp_pc, enum pt_bug bug)
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
static void fw_pt_init(struct fm *f, const struct lib *l, struct fwpt *p, uint64_t ctx,
                       uint64_t pool, uint64_t bytes, uint64_t va_off, int start, enum pt_bug bug)
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
static void pt_set_desc(struct fm *f, const struct lib *l, uint64_t va, uint64_t desc,
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
static uint64_t fw_pt_map(struct fm *f, const struct lib *l, struct fwpt *p, uint64_t va,
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
static void clean_poc(struct fm *f, const struct lib *l, uint64_t va, uint64_t size)
{
	for (uint64_t a = va & CACHE_LINE_MASK; a < va + size; a += CACHE_LINE_SIZE)
		dc(f, l->clean_poc + 0x1c, DC_CVAC, a);
	dsb(f, l->clean_poc + 0x2c, DOM_ISH, BAR_ALL);
}

/* The stub (lib/stub.S) answering HVC_SET_VECTORS(x1): msr vbar_el2, x1; eret. */
static void stub_set_vectors(struct fm *f, const struct lib *l, uint64_t hvc_pc, uint64_t vbar)
{
	uint64_t v = hvc(f, hvc_pc);
	ck_assert_uint_eq(v, l->stub_vectors + 0x400);
	run(f, v, 1); /* b __hyp_stub_sync */
	run(f, l->stub_sync, 2);
	msr(f, l->stub_sync + 0x8, SR_VBAR_EL2, vbar);
	run(f, l->stub_sync + 0xc, 1);
	eret(f, l->stub_sync + 0x10, 1, hvc_pc + 4);
}

/* ================================================================== kvm-dual-step */

/* firmware/kvm-dual-step, linked at 0x4010_0000, VA_BITS 39 (start level 1). */
#define KDS_IMAGE       UINT64_C(0x40100000)
#define KDS_HOST_MAIN   UINT64_C(0x4010103c)
#define KDS_INIT        UINT64_C(0x40102800) /* __kvm_hyp_init */
#define KDS_INIT_PAGE   UINT64_C(0x40102000)
#define KDS_INIT_END    UINT64_C(0x40103040) /* 0x4010303c without one insn (no-tlbi/dsb) */
#define KDS_HYP_TEXT    UINT64_C(0x40104000) /* __hyp_text_start = __kvm_hyp_vector */
#define KDS_HOST_HVC    UINT64_C(0x40104800) /* __kvm_hyp_host_hvc */
#define KDS_READ_ANSWER UINT64_C(0x40104820) /* __hyp_read_answer */
#define KDS_RODATA_END  UINT64_C(0x40108000)
#define KDS_BOUNCE      UINT64_C(0x40108000) /* kvm_bounce_page */
#define KDS_DATA        UINT64_C(0x40109000) /* hyp_data_page */
#define KDS_STACK       UINT64_C(0x4010a000) /* hyp_stack_page */
#define KDS_BOOT_POOL   UINT64_C(0x4010b000)
#define KDS_RT_POOL     UINT64_C(0x40113000)
#define KDS_BOOT_PT     UINT64_C(0x4011f000)
#define KDS_RT_PT       UINT64_C(0x4011f040)
#define KDS_SKEW        PG                     /* HYP VA = PA - 4 KiB */
#define KDS_TRAMP       UINT64_C(0x7ffffff000) /* (1 << 39) - 4 KiB */
#define KDS_DATA_VALUE  UINT64_C(0x4b564d0000000000)

static const struct lib kds_lib = {
    .el2_to_el1 = UINT64_C(0x40106028),
    .el1_mmu_on = UINT64_C(0x4010605c),
    .el1_pgd = UINT64_C(0x40120000),
    .stub_vectors = UINT64_C(0x40105800),
    .stub_sync = UINT64_C(0x40106000),
    .pt_init = UINT64_C(0x40106144),
    .pt_map = UINT64_C(0x401061c0),
    .pt_set_desc = UINT64_C(0x40106260),
    .clean_poc = UINT64_C(0x401062a8),
};

/* FW_BUG_PT_NO_CLEAN drops the DC loops from lib/pgtable.S: the routines move. */
static const struct lib kds_lib_no_clean = {
    .el2_to_el1 = UINT64_C(0x40106028),
    .el1_mmu_on = UINT64_C(0x4010605c),
    .el1_pgd = UINT64_C(0x40120000),
    .stub_vectors = UINT64_C(0x40105800),
    .stub_sync = UINT64_C(0x40106000),
    .pt_init = UINT64_C(0x40106144),
    .pt_map = UINT64_C(0x401061ac),
    .pt_set_desc = UINT64_C(0x40106238),
    .clean_poc = UINT64_C(0x4010627c),
};

enum kds_bug {
	KDS_OK,
	KDS_NO_TLBI,
	KDS_NO_DSB,
	KDS_TRAMP_PA,
	KDS_NO_TABLE_CLEAN,
	KDS_TABLE_IVAC,
	KDS_NO_BOUNCE_CLEAN,
	KDS_NO_BOUNCE,
};

/* The VA __kvm_hyp_init + off runs at before the MMU is on (bounce page, or in place). */
static uint64_t kds_init_base(enum kds_bug bug)
{
	return bug == KDS_NO_BOUNCE ? KDS_INIT : KDS_BOUNCE;
}

/* Tagged PCs the tests assert. */
#define KDS_PC_MMU_ON_4(bug) (kds_init_base(bug) + 0x464)      /* __kvm_hyp_init_mmu_on+4 */
#define KDS_PC_SWITCH_4      (KDS_TRAMP + 0x824)               /* __kvm_hyp_init_switch+4 */
#define KDS_PC_READ_ANSWER   (KDS_READ_ANSWER - KDS_SKEW)      /* HYP VA of __hyp_read_answer */
#define KDS_PC_HYP_VECTOR    (KDS_HYP_TEXT - KDS_SKEW + 0x400) /* HYP VA, lower-EL sync */

/*
 * The whole flow (firmware/kvm-dual-step/main.S host_main + the init code). Returns false
 * when the guest stops (an abort into `b .`), as the simulator's run would.
 */
static bool kds_flow(struct fm *f, enum kds_bug bug)
{
	const struct lib *l = bug == KDS_NO_TABLE_CLEAN ? &kds_lib_no_clean : &kds_lib;
	enum pt_bug ptb = bug == KDS_NO_TABLE_CLEAN ? PT_NO_CLEAN
	                  : bug == KDS_TABLE_IVAC   ? PT_IVAC
	                                            : PT_OK;
	bool short_switch = bug == KDS_NO_TLBI || bug == KDS_NO_DSB;
	uint64_t init_end = short_switch ? KDS_INIT_END - 4 : KDS_INIT_END;
	uint64_t h = KDS_HOST_MAIN;

	fm_init(f, UINT64_C(0x40000000), UINT64_C(4) << 20, 4 /* 44-bit PAs, Cortex-A72 */);
	load_code(f, KDS_IMAGE, KDS_RODATA_END);
	boot_to_el1_mmu_on(f, l, KDS_IMAGE);

	/* 1. Copy __kvm_hyp_init..__kvm_hyp_init_end to the bounce page through the cache
	 *    (EL1: MMU and caches on), DC CVAC + DSB ISH over the page, IC IALLU, DSB, ISB. */
	uint64_t x19 = KDS_INIT;
	if (bug != KDS_NO_BOUNCE) {
		for (uint64_t o = 0; KDS_INIT + o < init_end; o += 16) {
			ldp(f, h + 0x18, KDS_INIT + o);
			uint64_t a = 0, b = 0;
			fm_read(f, KDS_INIT + o, &a, 8);
			fm_read(f, KDS_INIT + o + 8, &b, 8);
			stp(f, h + 0x1c, KDS_BOUNCE + o, a, b);
		}
		if (bug != KDS_NO_BOUNCE_CLEAN) {
			clean_poc(f, l, KDS_BOUNCE, PG);
			ic(f, h + 0x34, IC_IALLU);
			dsb(f, h + 0x38, DOM_ISH, BAR_ALL);
			isb(f, h + 0x3c);
		}
		x19 = KDS_BOUNCE;
	}
	uint64_t init_page = x19 & ~(PG - 1);

	/* 2. Boot table: the init page at VA == PA and at the trampoline VA. */
	struct fwpt boot, rt;
	fw_pt_init(f, l, &boot, KDS_BOOT_PT, KDS_BOOT_POOL, 8 * PG, 0, 1, ptb);
	fw_pt_map(f, l, &boot, init_page, init_page, PG, HYP_PAGE_ATTRS, ptb);
	fw_pt_map(f, l, &boot, KDS_TRAMP, init_page, PG, HYP_PAGE_ATTRS, ptb);

	/* 3. Runtime table: trampoline -> the same page (tramp-pa: the unbounced one), and the
	 *    HYP VAs (PA - 4 KiB) of the hyp text, data and stack. */
	fw_pt_init(f, l, &rt, KDS_RT_PT, KDS_RT_POOL, 8 * PG, 0, 1, ptb);
	fw_pt_map(f, l, &rt, KDS_TRAMP, bug == KDS_TRAMP_PA ? KDS_INIT_PAGE : init_page, PG,
	          HYP_PAGE_ATTRS, ptb);
	fw_pt_map(f, l, &rt, KDS_HYP_TEXT - KDS_SKEW, KDS_HYP_TEXT, PG, HYP_PAGE_ATTRS, ptb);
	fw_pt_map(f, l, &rt, KDS_DATA - KDS_SKEW, KDS_DATA, PG, HYP_PAGE_ATTRS, ptb);
	fw_pt_map(f, l, &rt, KDS_STACK - KDS_SKEW, KDS_STACK, PG, HYP_PAGE_ATTRS, ptb);

	/* 4. Hyp data through the cache, cleaned to PoC. */
	str(f, h + 0x158, KDS_DATA, KDS_DATA_VALUE);
	clean_poc(f, l, KDS_DATA, 64);

	/* 5. Stub HVC: VBAR_EL2 = the init vectors. */
	stub_set_vectors(f, l, h + 0x16c, x19);

	/* 6. HVC init: __do_hyp_init at the vector (EL2, MMU off, SCTLR_EL2.I = 0). */
	uint64_t B = kds_init_base(bug);
	ck_assert_uint_eq(hvc(f, h + 0x190), B + 0x400);
	msr(f, B + 0x400, SR_TTBR0_EL2, boot.root);
	run(f, B + 0x404, 10);
	msr(f, B + 0x42c, SR_TCR_EL2, kds_tcr(f));
	run(f, B + 0x430, 4);
	msr(f, B + 0x440, SR_MAIR_EL2, FW_MAIR);
	isb(f, B + 0x444);
	tlbi(f, B + 0x448, TLBI_ALLE2, 0);
	dsb(f, B + 0x44c, DOM_ISH, BAR_ALL);
	run(f, B + 0x450, 4);
	msr(f, B + 0x460, SR_SCTLR_EL2, FW_SCTLR_EL2_ON); /* __kvm_hyp_init_mmu_on */
	isb(f, B + 0x464);
	run(f, B + 0x468, 1); /* b __kvm_hyp_init_page2 */
	struct model_step_result r = fetch(f, B + 0x800);
	if (r.fault.type != FAULT_NONE) {
		/* Prefetch abort to __kvm_hyp_init+0x200 (current EL, SPx): `b .` */
		uint64_t v = abort_el2(f, B + 0x800,
		                       ((uint64_t)EC_IABT_CUR << ESR_EC_SHIFT) | ESR_IL |
		                           FSC_TRANSLATION(3));
		run(f, v, 1);
		return false;
	}
	run(f, B + 0x804, 7); /* adr, and, mov64, orr, br x4 */

	/* At the trampoline VA: switch to the runtime table. */
	uint64_t t = KDS_TRAMP + 0x820;
	msr(f, t, SR_TTBR0_EL2, rt.root);
	isb(f, t + 4);
	t += 8;
	if (bug != KDS_NO_TLBI) {
		tlbi(f, t, TLBI_ALLE2, 0);
		t += 4;
	}
	if (bug != KDS_NO_DSB) {
		dsb(f, t, DOM_ISH, BAR_ALL);
		t += 4;
	}
	isb(f, t);
	run(f, t + 4, 1); /* mov sp, x2 */
	msr(f, t + 8, SR_VBAR_EL2, KDS_HYP_TEXT - KDS_SKEW);
	eret(f, t + 12, 1, h + 0x194);

	/* 7. HYP_FN_ANSWER: at HYP VAs, reads hyp_data_page at VA 0x4010_8000. */
	uint64_t v = hvc(f, h + 0x1b0);
	ck_assert_uint_eq(v, KDS_PC_HYP_VECTOR);
	run(f, v, 1); /* b __kvm_hyp_host_hvc */
	uint64_t hh = KDS_HOST_HVC - KDS_SKEW;
	run(f, hh, 6);
	stp(f, hh + 0x18, KDS_STACK + PG - KDS_SKEW - 16, 0, 0);
	run(f, hh + 0x1c, 1);
	r = ldr(f, KDS_PC_READ_ANSWER, KDS_DATA - KDS_SKEW);
	run(f, hh + 0x24, 2);
	ldp(f, hh + 0x2c, KDS_STACK + PG - KDS_SKEW - 16);
	eret(f, hh + 0x30, 1, h + 0x1b4);
	/* The coherent outcome is the runtime table's: the hyp data page. */
	ck_assert_uint_eq(r.tr.oa, KDS_DATA);
	return true;
}

/* D8.13 (TLB maintenance requirements), D8.2 (walks at the PoC), B2.4 (MMU-off fetches),
 * D17.1 (synchronization): the dual-step init as ARM KVM does it reports nothing. */
START_TEST(kds_correct_is_clean_D8_13_D8_2_D17_1)
{
	struct fm f;
	ck_assert(kds_flow(&f, KDS_OK));
	EXPECT_CLEAN(&f);
	fm_fini(&f);
}
END_TEST

/* A report of cls at the runtime vector fetch with a Translation fault among its outcomes:
 * the walk through the boot table's cached L1[1]/L2[0] entries. */
static bool vector_fault_reported(const struct fm *f, enum hz_class cls)
{
	for (unsigned i = 0; i < f->nhz && i < FM_MAX_HZ; i++) {
		const struct hazard *h = &f->hz[i];
		if (h->pc != KDS_PC_HYP_VECTOR || h->cls != cls)
			continue;
		for (unsigned k = 1; k < h->n_outcomes; k++)
			if (h->outcomes[k].fault && h->outcomes[k].f.type == FAULT_TRANSLATION)
				return true;
	}
	return false;
}

/*
 * D8.13 "TLB maintenance requirements": changing TTBR0_EL2 removes nothing; the boot
 * table's entries for VA 0x4010_8000 (identity, the bounce page) stay valid, and that VA
 * is hyp_data_page's HYP VA in the runtime table, so the load at __hyp_read_answer may
 * return the bounce page's bytes (what QEMU prints).
 *
 * It is not the first access with two outcomes, though: the first access at a HYP VA is the
 * fetch of the runtime vector (HYP VA 0x4010_3400, PA __kvm_hyp_vector+0x400). The boot
 * table's walk-cache entries for 0x4000_0000-0x401f_ffff (L1[1] -> boot L2, L2[0] -> boot
 * L3, used by every fetch of the bounce page) survive the TTBR write (the EL2 regime has
 * no ASID); a walk that starts from them reads the boot L3 table, where 0x4010_3000 is
 * invalid, so a Translation fault is a permitted outcome of that fetch (D8.13: table
 * entries may be cached and only a TLBI removes them; a fault is not cached, but a walk
 * from cached table entries can fault). This test asserts both reports.
 */
START_TEST(kds_no_tlbi_stale_tlb_D8_13)
{
	struct fm f;
	ck_assert(kds_flow(&f, KDS_NO_TLBI));
	bool at_read = false;
	for (unsigned i = 0; i < f.nhz && i < FM_MAX_HZ; i++)
		if (f.hz[i].pc == KDS_PC_READ_ANSWER && f.hz[i].ev == EV_LOAD &&
		    f.hz[i].cls == HZ_STALE_TLB) {
			at_read = true;
			/* Outcomes: hyp_data_page (coherent) and the bounce page's bytes. */
			bool bounce = false;
			for (unsigned k = 1; k < f.hz[i].n_outcomes; k++)
				bounce |= f.hz[i].outcomes[k].has_pa &&
				          f.hz[i].outcomes[k].pa == KDS_BOUNCE;
			ck_assert(bounce);
			ck_assert_uint_eq(f.hz[i].outcomes[0].pa, KDS_DATA);
		}
	if (!at_read)
		fm_dump(&f);
	ck_assert(at_read);
	/* The first report is at the runtime vector fetch (see above). */
	EXPECT_FIRST(&f, HZ_STALE_TLB, KDS_PC_HYP_VECTOR);
	ck_assert(vector_fault_reported(&f, HZ_STALE_TLB));
	fm_fini(&f);
}
END_TEST

/*
 * D8.13 / B2.3.12 "Ordering and completion of TLB maintenance instructions": TLBI ALLE2
 * with no DSB; the ISB does not wait for it and no DSB follows before the hypercall.
 * As for no-tlbi, the first access that depends on the incomplete TLBI is the runtime
 * vector fetch.
 */
START_TEST(kds_no_dsb_missing_dsb_D8_13_B2_3_12)
{
	struct fm f;
	ck_assert(kds_flow(&f, KDS_NO_DSB));
	bool at_read = false;
	for (unsigned i = 0; i < f.nhz && i < FM_MAX_HZ; i++)
		at_read |= f.hz[i].pc == KDS_PC_READ_ANSWER && f.hz[i].ev == EV_LOAD &&
		           f.hz[i].cls == HZ_MISSING_DSB;
	if (!at_read)
		fm_dump(&f);
	ck_assert(at_read);
	/* The first report is at the runtime vector fetch (see no-tlbi). */
	EXPECT_FIRST(&f, HZ_MISSING_DSB, KDS_PC_HYP_VECTOR);
	ck_assert(vector_fault_reported(&f, HZ_MISSING_DSB));
	fm_fini(&f);
}
END_TEST

/*
 * D17.1 "Synchronization requirements for AArch64 System registers" and D8.13: with the
 * trampoline mapped to different pages, the fetch after MSR TTBR0_EL2 (the ISB at
 * trampoline+0x824) may use the old TTBR (bounce page) or the new (original page).
 * docs/firmware.md allows stale-tlb or missing-isb; both explain the same outcome, and
 * the checker attributes it to the first possible cause, the unsynchronised TTBR.
 */
START_TEST(kds_tramp_pa_missing_isb_D17_1_D8_13)
{
	struct fm f;
	kds_flow(&f, KDS_TRAMP_PA);
	EXPECT_FIRST(&f, HZ_MISSING_ISB, KDS_PC_SWITCH_4);
	const struct hazard *h = &f.hz[0];
	/* Coherent: the new table's page (the original __kvm_hyp_init page, whose PA
	 * symbolizes as __kvm_hyp_init+0x24); the other outcome: the bounce page. */
	ck_assert_uint_eq(h->outcomes[0].pa, KDS_INIT_PAGE + 0x824);
	ck_assert_uint_ge(h->n_outcomes, 2);
	ck_assert_uint_eq(h->outcomes[1].pa, KDS_BOUNCE + 0x824);
	fm_fini(&f);
}
END_TEST

/* D8.2 "Translation table walks" (walks use TCR_EL2.IRGN0/ORGN0 = Non-cacheable: they
 * read the PoC), D7.5 (DC CVAC): tables written through the cache, never cleaned. */
START_TEST(kds_no_table_clean_walk_not_at_poc_D8_2_D7_5)
{
	struct fm f;
	kds_flow(&f, KDS_NO_TABLE_CLEAN);
	EXPECT_FIRST(&f, HZ_WALK_NOT_AT_POC, KDS_PC_MMU_ON_4(KDS_NO_TABLE_CLEAN));
	/* The PoC has zeros where the boot table should be: a Translation fault. */
	ck_assert(f.hz[0].outcomes[1].fault);
	ck_assert_int_eq(f.hz[0].outcomes[1].f.type, FAULT_TRANSLATION);
	fm_fini(&f);
}
END_TEST

/* D7.5 "Data cache maintenance instructions" (DC IVAC may discard a dirty line): the
 * first descriptor store is followed by DC IVAC at fw_pt_set_desc+4. */
START_TEST(kds_table_ivac_lost_write_D7_5)
{
	struct fm f;
	kds_flow(&f, KDS_TABLE_IVAC);
	EXPECT_FIRST(&f, HZ_LOST_WRITE, kds_lib.pt_set_desc + 4);
	/* The line is the boot root table's (its first table descriptor, L1[1]). */
	ck_assert_uint_eq(f.hz[0].outcomes[0].pa, KDS_BOOT_POOL);
	fm_fini(&f);
}
END_TEST

/* B2.4 / D8.2 "Behavior of instruction fetches when all associated stages of translation
 * are disabled": EL2 fetches Non-cacheable (SCTLR_EL2.I = 0) from the PoC, but the bounce
 * copy is only in the D-cache. */
START_TEST(kds_no_bounce_clean_fetch_not_at_poc_B2_4)
{
	struct fm f;
	kds_flow(&f, KDS_NO_BOUNCE_CLEAN);
	EXPECT_FIRST(&f, HZ_FETCH_NOT_AT_POC, KDS_BOUNCE + 0x400);
	fm_fini(&f);
}
END_TEST

/* D1.10 exception entry, DESIGN §3 "Exceptions are events, not hazards": used in place,
 * the init code's second page is not mapped by the boot table: a certain Translation
 * fault at __kvm_hyp_init_page2, taken to the init vectors' `b .` at __kvm_hyp_init+0x200.
 * The fault is the program's behaviour, not a hazard; the hang there is the simulator's
 * to detect and report, naming the exception. */
START_TEST(kds_no_bounce_certain_exception_is_an_event_D1_10)
{
	struct fm f;
	ck_assert(!kds_flow(&f, KDS_NO_BOUNCE));
	ck_assert_uint_eq(f.nhz, 0); /* the fetch of the `b .` itself is identity-mapped */
	ck_assert_uint_eq(f.pc, KDS_INIT + 0x200);
	fm_fini(&f);
}
END_TEST

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

static const struct nvhe nvhe_va48_low = {
    .image = UINT64_C(0x40100000),
    .image_end = UINT64_C(0x4011f000),
    .data_start = UINT64_C(0x40106000),
    .va_bits = 48,
    .start = UINT64_C(0x40101000),
    .hyp_handle_call = UINT64_C(0x4010110c),
    .hyp_vector = UINT64_C(0x40101800),
    .host_hvc = UINT64_C(0x40102000),
    .host_init = UINT64_C(0x40102030),
    .install = UINT64_C(0x401021a4),
    .idmap = UINT64_C(0x40104000),
    .idmap_end = UINT64_C(0x40105000),
    .kvm_hyp_init = UINT64_C(0x40104000),
    .do_hyp_init = UINT64_C(0x40104800),
    .mmu_on = UINT64_C(0x40104848),
    .kvm_hyp_reset = UINT64_C(0x40104888),
    .seed = UINT64_C(0x40106000),
    .va_offset_var = UINT64_C(0x40106040),
    .params = UINT64_C(0x40106080),
    .nvhe_pt = UINT64_C(0x401060c0),
    .hyp_stack_end = UINT64_C(0x4010c000),
    .pool = UINT64_C(0x4010c000),
    .lib = {.el2_to_el1 = UINT64_C(0x40103028),
            .el1_mmu_on = UINT64_C(0x4010305c),
            .el1_pgd = UINT64_C(0x4011c000),
            .stub_vectors = UINT64_C(0x40102800),
            .stub_sync = UINT64_C(0x40103000),
            .pt_init = UINT64_C(0x40103144),
            .pt_map = UINT64_C(0x401031c0),
            .pt_set_desc = UINT64_C(0x40103260),
            .clean_poc = UINT64_C(0x401032a8)},
};

/* The same image linked elsewhere (the "high" builds: code identical, all symbols moved). */
static struct nvhe nvhe_moved(const struct nvhe *n, uint64_t link, unsigned va_bits)
{
	struct nvhe r = *n;
	uint64_t d = link - n->image;
	uint64_t *fields[] = {&r.image,
	                      &r.image_end,
	                      &r.data_start,
	                      &r.start,
	                      &r.hyp_handle_call,
	                      &r.hyp_vector,
	                      &r.host_hvc,
	                      &r.host_init,
	                      &r.install,
	                      &r.idmap,
	                      &r.idmap_end,
	                      &r.kvm_hyp_init,
	                      &r.do_hyp_init,
	                      &r.mmu_on,
	                      &r.kvm_hyp_reset,
	                      &r.seed,
	                      &r.va_offset_var,
	                      &r.params,
	                      &r.nvhe_pt,
	                      &r.hyp_stack_end,
	                      &r.pool,
	                      &r.lib.el2_to_el1,
	                      &r.lib.el1_mmu_on,
	                      &r.lib.el1_pgd,
	                      &r.lib.stub_vectors,
	                      &r.lib.stub_sync,
	                      &r.lib.pt_init,
	                      &r.lib.pt_map,
	                      &r.lib.pt_set_desc,
	                      &r.lib.clean_poc};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		*fields[i] += d;
	r.va_bits = va_bits;
	return r;
}

/* kvm_compute_layout as lib/nvhe-host.S does it: the half opposite the idmap's. */
static uint64_t nvhe_offset(const struct nvhe *n)
{
	uint64_t msb = UINT64_C(1) << (n->va_bits - 1);
	uint64_t hyp_msb = (n->idmap & msb) ^ msb;
	uint64_t hyp_image = (n->image & (msb - 1)) | hyp_msb;
	return hyp_image - n->image;
}

#define HYP(n, pa) ((pa) + (n)->off)

/* fw_nvhe_host_init: HYP VA choice, the hyp table (idmap page + image at HYP VAs),
 * struct hyp_init_params through the cache and cleaned to PoC. */
static void nvhe_host_prepare(struct fm *f, struct nvhe *n, struct fwpt *pt)
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
static bool nvhe_install(struct fm *f, const struct nvhe *n)
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
static void nvhe_hypercall_enter(struct fm *f, const struct nvhe *n, uint64_t hvc_pc)
{
	uint64_t v = hvc(f, hvc_pc);
	ck_assert_uint_eq(v, HYP(n, n->hyp_vector) + 0x400);
	run(f, v, 1); /* b __kvm_hyp_host_hvc */
	uint64_t hh = HYP(n, n->host_hvc);
	run(f, hh, 2);
	stp(f, hh + 0x8, HYP(n, n->hyp_stack_end) - 16, 0, 0);
	run(f, hh + 0xc, 1); /* bl hyp_handle_call */
}

static void nvhe_hypercall_leave(struct fm *f, const struct nvhe *n, uint64_t hvc_pc)
{
	uint64_t hh = HYP(n, n->host_hvc);
	ldp(f, hh + 0x10, HYP(n, n->hyp_stack_end) - 16);
	eret(f, hh + 0x14, 1, hvc_pc + 4);
}

/* arm64-nvhe-init's HYP_FN_ANSWER: reads hyp_seed at its HYP VA. */
static struct model_step_result nvhe_answer(struct fm *f, const struct nvhe *n, uint64_t hvc_pc)
{
	nvhe_hypercall_enter(f, n, hvc_pc);
	uint64_t c = HYP(n, n->hyp_handle_call);
	run(f, c, 8); /* mov64, cmp, b.ne, adrp, add */
	struct model_step_result r = ldr(f, c + 0x20, HYP(n, n->seed));
	run(f, c + 0x24, 3);
	nvhe_hypercall_leave(f, n, hvc_pc);
	return r;
}

/* The whole arm64-nvhe-init flow. Returns false if the guest stops in an abort. */
static bool nvhe_flow(struct fm *f, struct nvhe *n)
{
	uint64_t ram = n->image - UINT64_C(0x100000);
	unsigned parange = n->image >= (UINT64_C(1) << 44) ? 5 : 4;
	fm_init(f, ram, UINT64_C(4) << 20, parange);
	load_code(f, n->image, n->data_start);
	boot_to_el1_mmu_on(f, &n->lib, n->image);
	/* _start: the host writes hyp_seed through the cache (never cleaned: EL2 reads it
	 * with its MMU and caches on). */
	str(f, n->start + 0x2c, n->seed, UINT64_C(0x6e76686500000000));
	struct fwpt pt;
	nvhe_host_prepare(f, n, &pt);
	if (!nvhe_install(f, n))
		return false;
	struct model_step_result r = nvhe_answer(f, n, n->start + 0x98);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	ck_assert_uint_eq(r.tr.oa, n->seed);
	return true;
}

/* D8.13, D8.2, D17.1 and "Enabling stage 1 translation" (from a flat-mapped page): the
 * single-step nVHE init is clean for VA_BITS 48/39 with RAM below and above
 * 2^(VA_BITS-1) (both choices of kvm_compute_layout's HYP half, start levels 0 and 1). */
START_TEST(nvhe_init_clean_D8_13_D17_1)
{
	static const struct {
		uint64_t link;
		unsigned va_bits;
		uint64_t hyp_image; /* expected HYP VA of the image */
	} cases[] = {
	    {UINT64_C(0x40100000), 48, UINT64_C(0x800040100000)}, /* va48-low */
	    {UINT64_C(0x800040100000), 48, UINT64_C(0x40100000)}, /* va48-high */
	    {UINT64_C(0x40100000), 39, UINT64_C(0x4040100000)},   /* va39-low */
	    {UINT64_C(0x4040100000), 39, UINT64_C(0x40100000)},   /* va39-high */
	};
	struct nvhe n = nvhe_moved(&nvhe_va48_low, cases[_i].link, cases[_i].va_bits);
	struct fm f;
	ck_assert(nvhe_flow(&f, &n));
	ck_assert_uint_eq(HYP(&n, n.image), cases[_i].hyp_image);
	EXPECT_CLEAN(&f);
	fm_fini(&f);
}
END_TEST

/* B2.4 / D7.5 (PoC) and "Behavior of ... when all stages of translation are disabled":
 * EL2's MMU-off reads are Device-nGnRnE and read the PoC; the parameters are dirty. */
START_TEST(nvhe_no_params_clean_data_not_at_poc_B2_4_D7_5)
{
	struct nvhe n = nvhe_va48_low;
	n.no_params_clean = true;
	n.install = UINT64_C(0x40102198); /* fw_nvhe_install moves up by the missing call */
	struct fm f;
	nvhe_flow(&f, &n);
	EXPECT_FIRST(&f, HZ_DATA_NOT_AT_POC, n.do_hyp_init + 0x18); /* _load_params */
	fm_fini(&f);
}
END_TEST

/* D17.1 "Synchronization requirements for AArch64 System registers", "Enabling stage 1
 * translation": MSR SCTLR_EL2 (M=1) in a page that is not idmapped and no ISB: the next
 * fetch may be translated (Translation fault) or not. */
START_TEST(nvhe_mmu_on_not_idmap_missing_isb_D17_1)
{
	struct nvhe n = nvhe_va48_low;
	n.mmu_on_not_idmap = true;
	/* NVHE_BUG_MMU_ON_NOT_IDMAP moves __kvm_hyp_init_mmu_on into .text. */
	n.mmu_on = UINT64_C(0x40101800);
	n.hyp_vector = UINT64_C(0x40102000);
	n.host_hvc = UINT64_C(0x40102800);
	n.host_init = UINT64_C(0x40102830);
	n.install = UINT64_C(0x401029a4);
	n.kvm_hyp_reset = UINT64_C(0x40104874);
	n.lib.stub_vectors = UINT64_C(0x40103000);
	n.lib.stub_sync = UINT64_C(0x40103800);
	n.lib.el2_to_el1 = UINT64_C(0x40103828);
	n.lib.el1_mmu_on = UINT64_C(0x4010385c);
	n.lib.pt_init = UINT64_C(0x40103944);
	n.lib.pt_map = UINT64_C(0x401039c0);
	n.lib.pt_set_desc = UINT64_C(0x40103a60);
	n.lib.clean_poc = UINT64_C(0x40103aa8);
	struct fm f;
	ck_assert(!nvhe_flow(&f, &n));
	EXPECT_FIRST(&f, HZ_MISSING_ISB, n.mmu_on + 4);
	/* Coherent (MMU on): Translation fault; the other outcome: MMU off, PA == VA. */
	ck_assert(f.hz[0].outcomes[0].fault);
	ck_assert(!f.hz[0].outcomes[1].fault && f.hz[0].outcomes[1].pa == n.mmu_on + 4);
	/* Then the fault, taken to the init vectors: an event, not a report (DESIGN §3). */
	for (unsigned i = 0; i < f.nhz; i++)
		ck_assert_int_ne(f.hz[i].cls, HZ_UNEXPECTED_EXCEPTION);
	fm_fini(&f);
}
END_TEST

/* ================================================================== stub-teardown */

static const struct nvhe nvhe_teardown = {
    .image = UINT64_C(0x40100000),
    .image_end = UINT64_C(0x4011f000),
    .data_start = UINT64_C(0x40106000),
    .va_bits = 48,
    .start = UINT64_C(0x40101000),
    .hyp_handle_call = UINT64_C(0x40101114),
    .hyp_vector = UINT64_C(0x40101800),
    .host_hvc = UINT64_C(0x40102000),
    .host_init = UINT64_C(0x40102030),
    .install = UINT64_C(0x401021a4),
    .idmap = UINT64_C(0x40104000),
    .idmap_end = UINT64_C(0x40105000),
    .kvm_hyp_init = UINT64_C(0x40104000),
    .do_hyp_init = UINT64_C(0x40104800),
    .mmu_on = UINT64_C(0x40104848),
    .kvm_hyp_reset = UINT64_C(0x40104888),
    .seed = UINT64_C(0x40106000), /* hyp_calls */
    .va_offset_var = UINT64_C(0x40106040),
    .params = UINT64_C(0x40106080),
    .nvhe_pt = UINT64_C(0x401060c0),
    .hyp_stack_end = UINT64_C(0x4010c000),
    .pool = UINT64_C(0x4010c000),
    .lib = {.el2_to_el1 = UINT64_C(0x40103028),
            .el1_mmu_on = UINT64_C(0x4010305c),
            .el1_pgd = UINT64_C(0x4011c000),
            .stub_vectors = UINT64_C(0x40102800),
            .stub_sync = UINT64_C(0x40103000),
            .pt_init = UINT64_C(0x40103144),
            .pt_map = UINT64_C(0x401031c0),
            .pt_set_desc = UINT64_C(0x40103260),
            .clean_poc = UINT64_C(0x401032a8)},
};

/* stub-teardown's hyp_handle_call: hyp_calls++ (a cacheable store at EL2). */
static void teardown_answer(struct fm *f, const struct nvhe *n, uint64_t hvc_pc)
{
	nvhe_hypercall_enter(f, n, hvc_pc);
	uint64_t c = HYP(n, n->hyp_handle_call), calls = 0;
	run(f, c, 8);
	struct model_step_result r = ldr(f, c + 0x20, HYP(n, n->seed));
	ck_assert_uint_eq(r.tr.oa, n->seed);
	fm_read(f, n->seed, &calls, 8);
	run(f, c + 0x24, 1);
	str(f, c + 0x28, HYP(n, n->seed), calls + 1);
	run(f, c + 0x2c, 7);
	nvhe_hypercall_leave(f, n, hvc_pc);
}

/*
 * D8.13 (the reload's TLBI ALLE2 + DSB before the MMU goes on), D17.1 and "Enabling stage
 * 1 translation" / disabling it from the idmap page (__kvm_hyp_reset: MSR SCTLR_EL2 with
 * M/C/I clear + ISB at VA == PA), B2.4 (the MMU-off reload reads parameters cleaned to
 * PoC and not written since): init, hypercall, HVC_RESET_VECTORS, stub call, reload,
 * hypercall is clean.
 */
START_TEST(teardown_reload_clean_D8_13_D17_1)
{
	struct nvhe n = nvhe_teardown;
	struct fm f;
	fm_init(&f, UINT64_C(0x40000000), UINT64_C(4) << 20, 4);
	load_code(&f, n.image, n.data_start);
	boot_to_el1_mmu_on(&f, &n.lib, n.image);
	struct fwpt pt;
	nvhe_host_prepare(&f, &n, &pt);
	ck_assert(nvhe_install(&f, &n));
	teardown_answer(&f, &n, n.start + 0x3c);

	/* HVC_RESET_VECTORS: runtime vectors -> __kvm_hyp_reset at its PA (idmap page). */
	uint64_t hvc_pc = n.start + 0x60;
	uint64_t v = hvc(&f, hvc_pc);
	run(&f, v, 1);
	uint64_t hh = HYP(&n, n.host_hvc);
	run(&f, hh, 2); /* cmp, b.eq 1f */
	run(&f, hh + 0x18, 1);
	ldr(&f, hh + 0x1c, HYP(&n, n.va_offset_var));
	run(&f, hh + 0x20, 4); /* adrp, add, sub, br x6 */
	uint64_t rs = n.kvm_hyp_reset;
	run(&f, rs, 4);
	msr(&f, rs + 0x10, SR_SCTLR_EL2, FW_SCTLR_EL2_RES1);
	isb(&f, rs + 0x14);
	run(&f, rs + 0x18, 1);
	msr(&f, rs + 0x1c, SR_VBAR_EL2, n.lib.stub_vectors);
	run(&f, rs + 0x20, 1);
	eret(&f, rs + 0x24, 1, hvc_pc + 4);

	/* The stub answers an unknown call with HVC_STUB_ERR. */
	hvc_pc = n.start + 0x6c;
	v = hvc(&f, hvc_pc);
	ck_assert_uint_eq(v, n.lib.stub_vectors + 0x400);
	run(&f, v, 1);
	run(&f, n.lib.stub_sync, 2);
	run(&f, n.lib.stub_sync + 0x14, 4);
	eret(&f, n.lib.stub_sync + 0x24, 1, hvc_pc + 4);

	/* Reload on the same tables and parameters, and the hypercall again. */
	ck_assert(nvhe_install(&f, &n));
	teardown_answer(&f, &n, n.start + 0xb4);
	EXPECT_CLEAN(&f);
	uint64_t calls = 0;
	fm_read(&f, n.seed, &calls, 8);
	ck_assert_uint_eq(calls, 2); /* the counter survived the reload */
	fm_fini(&f);
}
END_TEST

/* ================================================================== pkvm-switch */

enum pkvm_bug { PKVM_OK, PKVM_NO_ICACHE_MAINT, PKVM_POSTED_ORDER, PKVM_FIXMAP_NO_BBM };

static const struct nvhe nvhe_pkvm = {
    .image = UINT64_C(0x40100000),
    .image_end = UINT64_C(0x40135000),
    .data_start = UINT64_C(0x40108000),
    .va_bits = 48,
    .start = UINT64_C(0x40101000),
    .hyp_handle_call = UINT64_C(0x40101800),
    .hyp_vector = UINT64_C(0x40102800),
    .host_hvc = UINT64_C(0x40103000),
    .host_init = UINT64_C(0x40103030),
    .install = UINT64_C(0x401031a4),
    .idmap = UINT64_C(0x40105000),
    .idmap_end = UINT64_C(0x40107000),
    .kvm_hyp_init = UINT64_C(0x40105800),
    .do_hyp_init = UINT64_C(0x40106000),
    .mmu_on = UINT64_C(0x40106048),
    .kvm_hyp_reset = UINT64_C(0x40106088),
    .seed = 0,
    .va_offset_var = UINT64_C(0x4010b000),
    .params = UINT64_C(0x4010b040),
    .nvhe_pt = UINT64_C(0x4010b080),
    .hyp_stack_end = UINT64_C(0x40122000),
    .pool = UINT64_C(0x40122000),
    .lib = {.el2_to_el1 = UINT64_C(0x40104028),
            .el1_mmu_on = UINT64_C(0x4010405c),
            .el1_pgd = UINT64_C(0x40132000),
            .stub_vectors = UINT64_C(0x40103800),
            .stub_sync = UINT64_C(0x40104000),
            .pt_init = UINT64_C(0x40104144),
            .pt_map = UINT64_C(0x401041c0),
            .pt_set_desc = UINT64_C(0x40104260),
            .clean_poc = UINT64_C(0x401042a8)},
};

#define PKVM_INIT          UINT64_C(0x40101878) /* __pkvm_init */
#define PKVM_VEC_TMPL      UINT64_C(0x40102000)
#define PKVM_STATE         UINT64_C(0x40108000)
#define PKVM_PT            UINT64_C(0x40108040)
#define PKVM_PAGE_A        UINT64_C(0x40109000)
#define PKVM_PAGE_B        UINT64_C(0x4010a000)
#define PKVM_POOL          UINT64_C(0x4010c000)
#define PKVM_VEC_PAGE      UINT64_C(0x4011b000) /* pkvm_vector_page: last pool page */
#define PKVM_STACK_END     UINT64_C(0x4011d000)
#define PKVM_SWITCH        UINT64_C(0x40105000) /* __pkvm_init_switch_pgd */
#define PKVM_SWITCH_MMU_ON UINT64_C(0x40105024)
#define PKVM_FIXMAP_VA_PA  (UINT64_C(0x40135000) + 16 * PG) /* __image_end + 16 pages */

struct pkvm {
	struct nvhe n;
	enum pkvm_bug bug;
	uint64_t finalise, fixmap_read, fixmap_set; /* move with the variant's code */
	uint64_t fixmap_leaf;                       /* HYP VA of the fixmap PTE */
	bool prefetched_vector_line;                /* see pkvm_posted_order_with_prefetched_line */
};

/* HYP_FN_PKVM_INIT at EL2: the hyp's own table, the relocated vectors, the switch. */
static void pkvm_init(struct fm *f, struct pkvm *k)
{
	struct nvhe *n = &k->n;
	const struct lib *l = &n->lib;
	uint64_t hvc_pc = n->start + 0x40;
	nvhe_hypercall_enter(f, n, hvc_pc);
	run(f, HYP(n, n->hyp_handle_call), 6); /* mov64, cmp, b.eq __pkvm_init */
	/* The variant without the DC CVAU loop is 6 instructions shorter after it. */
	uint64_t s = k->bug == PKVM_NO_ICACHE_MAINT ? 0x18 : 0;
	uint64_t p = HYP(n, PKVM_INIT), st = HYP(n, PKVM_STATE);
	run(f, p, 1);
	ldr(f, p + 0x4, HYP(n, n->va_offset_var));
	run(f, p + 0x8, 2);
	str(f, p + 0x10, st + 0, n->off);
	run(f, p + 0x14, 4);
	str(f, p + 0x24, st + 16, PKVM_VEC_PAGE);
	run(f, p + 0x28, 4); /* adrp, add, mov, bl fw_pt_init */

	/* The table builder runs at HYP VAs now (EL2, caches on): the lib's HYP VAs. */
	struct lib hl = *l;
	hl.pt_init = HYP(n, l->pt_init);
	hl.pt_map = HYP(n, l->pt_map);
	hl.pt_set_desc = HYP(n, l->pt_set_desc);
	struct fwpt pt;
	fw_pt_init(f, &hl, &pt, HYP(n, PKVM_PT), PKVM_POOL, 15 * PG, n->off, 0, PT_OK);
	run(f, p + 0x38, 4);
	str(f, p + 0x48, st + 8, pt.root);
	run(f, p + 0x4c, 2);
	ldr(f, p + 0x54, st + 0);
	run(f, p + 0x58, 5); /* ..., bl pkvm_map */
	/* pkvm_map: stp, ..., bl fw_pt_map, ldp, cbnz, ret */
	uint64_t pm = HYP(n, PKVM_INIT + 0x13c) - s;
	stp(f, pm, HYP(n, n->hyp_stack_end) - 32, 0, 0);
	fw_pt_map(f, &hl, &pt, n->idmap, n->idmap, PG, HYP_PAGE_ATTRS, PT_OK);
	ldp(f, pm + 0x20, HYP(n, n->hyp_stack_end) - 32);
	run(f, pm + 0x24, 2);
	run(f, p + 0x6c, 2);
	ldr(f, p + 0x74, st + 0);
	run(f, p + 0x78, 5);
	stp(f, pm, HYP(n, n->hyp_stack_end) - 32, 0, 0);
	fw_pt_map(f, &hl, &pt, HYP(n, n->image), n->image, n->image_end - n->image, HYP_PAGE_ATTRS,
	          PT_OK);
	ldp(f, pm + 0x20, HYP(n, n->hyp_stack_end) - 32);
	run(f, pm + 0x24, 2);
	run(f, p + 0x8c, 4);
	str(f, p + 0x9c, st + 32, HYP(n, PKVM_FIXMAP_VA_PA));
	run(f, p + 0xa0, 2);
	ldr(f, p + 0xa8, st + 16);
	run(f, p + 0xac, 2);
	stp(f, pm, HYP(n, n->hyp_stack_end) - 32, 0, 0);
	k->fixmap_leaf = fw_pt_map(f, &hl, &pt, HYP(n, PKVM_FIXMAP_VA_PA), PKVM_VEC_PAGE, PG,
	                           HYP_PAGE_ATTRS, PT_OK);
	ldp(f, pm + 0x20, HYP(n, n->hyp_stack_end) - 32);
	run(f, pm + 0x24, 2);
	run(f, p + 0xb4, 2);
	str(f, p + 0xbc, st + 24, k->fixmap_leaf);

	if (k->prefetched_vector_line)
		/* Not an instruction of the flow: the speculative instruction fetch the
		 * architecture permits from any executable Normal location (the pool page is
		 * mapped executable and EL2 runs with SCTLR_EL2.I = 1), filling the I-cache
		 * with the page's old bytes before the copy. */
		fetch(f, HYP(n, PKVM_VEC_PAGE) + 0x400);

	/* Copy __pkvm_vectors_tmpl into pkvm_vector_page (2 KiB), patch the literal. */
	run(f, p + 0xc0, 3);
	for (uint64_t o = 0; o < 2048; o += 16) {
		uint64_t a = 0, b = 0;
		ldp(f, p + 0xcc, HYP(n, PKVM_VEC_TMPL) + o);
		fm_read(f, PKVM_VEC_TMPL + o, &a, 8);
		fm_read(f, PKVM_VEC_TMPL + o + 8, &b, 8);
		stp(f, p + 0xd0, HYP(n, PKVM_VEC_PAGE) + o, a, b);
	}
	run(f, p + 0xdc, 3);
	str(f, p + 0xe8, HYP(n, PKVM_VEC_PAGE) + 0x408, HYP(n, n->host_hvc));
	if (k->bug != PKVM_NO_ICACHE_MAINT) {
		/* DC CVAU over the page, DSB ISH (the IC is in the switch). */
		run(f, p + 0xec, 1);
		for (uint64_t o = 0; o < 2048; o += 64)
			dc(f, p + 0xf0, DC_CVAU, HYP(n, PKVM_VEC_PAGE) + o);
		dsb(f, p + 0x100, DOM_ISH, BAR_ALL);
	}
	run(f, p + 0x104 - s, 2);
	ldr(f, p + 0x10c - s, st + 8);
	run(f, p + 0x110 - s, 2);
	run(f, p + 0x118 - s, 2);
	ldr(f, p + 0x120 - s, st + 0);
	run(f, p + 0x124 - s, 4); /* adrp, add, sub, br x4 */

	/* __pkvm_init_switch_pgd, at VA == PA (mapped so by both tables). */
	uint64_t w = PKVM_SWITCH;
	run(f, w, 2);
	msr(f, w + 0x8, SR_SCTLR_EL2, FW_SCTLR_EL2_ON & ~SCTLR_ELx_M);
	isb(f, w + 0xc);
	tlbi(f, w + 0x10, TLBI_ALLE2, 0);
	msr(f, w + 0x14, SR_TTBR0_EL2, pt.root);
	run(f, w + 0x18, 1);
	dsb(f, w + 0x1c, DOM_NSH, BAR_ALL);
	isb(f, w + 0x20);
	uint64_t t = PKVM_SWITCH_MMU_ON;
	msr(f, t, SR_SCTLR_EL2, FW_SCTLR_EL2_ON);
	switch (k->bug) {
	case PKVM_POSTED_ORDER: /* msr sctlr_el2; ic iallu; isb */
		ic(f, t + 4, IC_IALLU);
		isb(f, t + 8);
		t += 12;
		break;
	case PKVM_NO_ICACHE_MAINT: /* msr sctlr_el2; isb */
		isb(f, t + 4);
		t += 8;
		break;
	default: /* msr sctlr_el2; isb; ic iallu; dsb nsh; isb */
		isb(f, t + 4);
		ic(f, t + 8, IC_IALLU);
		dsb(f, t + 0xc, DOM_NSH, BAR_ALL);
		isb(f, t + 0x10);
		t += 0x14;
		break;
	}
	run(f, t, 1); /* br x2 */

	/* __pkvm_init_finalise at its HYP VA, on the new table. */
	uint64_t fin = HYP(n, k->finalise);
	run(f, fin, 1);
	msr(f, fin + 4, SR_VBAR_EL2, HYP(n, PKVM_VEC_PAGE));
	run(f, fin + 8, 1);
	eret(f, fin + 0xc, 1, hvc_pc + 4);
}

/* A hypercall through the relocated vectors: ldr x16, literal; br x16. */
static void pkvm_vector_enter(struct fm *f, const struct pkvm *k, uint64_t hvc_pc)
{
	const struct nvhe *n = &k->n;
	uint64_t v = hvc(f, hvc_pc);
	ck_assert_uint_eq(v, HYP(n, PKVM_VEC_PAGE) + 0x400);
	ldr(f, v, v + 8);
	run(f, v + 4, 1);
	uint64_t hh = HYP(n, n->host_hvc);
	run(f, hh, 2);
	stp(f, hh + 0x8, HYP(n, PKVM_STACK_END) - 16, 0, 0);
	run(f, hh + 0xc, 1);
}

static void pkvm_vector_leave(struct fm *f, const struct pkvm *k, uint64_t hvc_pc)
{
	const struct nvhe *n = &k->n;
	uint64_t hh = HYP(n, n->host_hvc);
	ldp(f, hh + 0x10, HYP(n, PKVM_STACK_END) - 16);
	eret(f, hh + 0x14, 1, hvc_pc + 4);
}

/* HYP_FN_FIXMAP_READ(pa): break-before-make of the fixmap PTE (unless the variant skips
 * it), the new PTE, and the read through the fixmap. Returns the load's result. */
static struct model_step_result pkvm_fixmap_read(struct fm *f, const struct pkvm *k,
                                                 uint64_t hvc_pc, uint64_t pa)
{
	const struct nvhe *n = &k->n;
	uint64_t st = HYP(n, PKVM_STATE), fva = HYP(n, PKVM_FIXMAP_VA_PA);
	pkvm_vector_enter(f, k, hvc_pc);
	uint64_t c = HYP(n, n->hyp_handle_call);
	run(f, c, 12); /* ... b.eq __pkvm_fixmap_read */
	uint64_t r = HYP(n, k->fixmap_read);
	run(f, r, 2);
	ldr(f, r + 0x8, st + 24);
	run(f, r + 0xc, 2);
	ldr(f, r + 0x14, st + 32);
	ldr(f, r + 0x18, k->fixmap_leaf);
	run(f, r + 0x1c, 1); /* tbz: valid */
	if (k->bug != PKVM_FIXMAP_NO_BBM) {
		str(f, r + 0x20, k->fixmap_leaf, 0);
		dsb(f, r + 0x24, DOM_ISH, BAR_ST);
		run(f, r + 0x28, 1);
		tlbi(f, r + 0x2c, TLBI_VALE2, fva >> 12);
		dsb(f, r + 0x30, DOM_ISH, BAR_ALL);
		isb(f, r + 0x34);
	}
	uint64_t fs = HYP(n, k->fixmap_set);
	run(f, fs - 0x18, 6); /* and, mov64, orr */
	str(f, fs, k->fixmap_leaf, pa | HYP_PAGE_ATTRS);
	dsb(f, fs + 4, DOM_ISH, BAR_ST);
	isb(f, fs + 8);
	run(f, fs + 0xc, 1);
	struct model_step_result res = ldr(f, fs + 0x10, fva);
	run(f, fs + 0x14, 2);
	pkvm_vector_leave(f, k, hvc_pc);
	return res;
}

static void pkvm_setup(struct pkvm *k, enum pkvm_bug bug)
{
	memset(k, 0, sizeof(*k));
	k->n = nvhe_pkvm;
	k->bug = bug;
	k->finalise = UINT64_C(0x401019e8);
	k->fixmap_read = UINT64_C(0x401019f8);
	k->fixmap_set = UINT64_C(0x40101a48);
	if (bug == PKVM_NO_ICACHE_MAINT) {
		k->finalise = UINT64_C(0x401019d0);
		k->fixmap_read = UINT64_C(0x401019e0);
		k->fixmap_set = UINT64_C(0x40101a30);
	} else if (bug == PKVM_FIXMAP_NO_BBM) {
		k->fixmap_set = UINT64_C(0x40101a30);
	}
}

/* The whole pkvm-switch flow: nVHE init, __pkvm_init and the switch, a hypercall through
 * the relocated vectors, two fixmap reads (pages A and B). */
static void pkvm_flow(struct fm *f, struct pkvm *k)
{
	struct nvhe *n = &k->n;
	fm_init(f, UINT64_C(0x40000000), UINT64_C(4) << 20, 4);
	load_code(f, n->image, n->data_start);
	ram_w64(f, PKVM_PAGE_A, UINT64_C(0xaaaa0000aaaa0001));
	ram_w64(f, PKVM_PAGE_B, UINT64_C(0xbbbb0000bbbb0002));
	boot_to_el1_mmu_on(f, &n->lib, n->image);
	struct fwpt pt;
	nvhe_host_prepare(f, n, &pt);
	ck_assert(nvhe_install(f, n));
	pkvm_init(f, k);

	/* HYP_FN_ANSWER through the relocated vectors. */
	uint64_t hvc_pc = n->start + 0x64;
	pkvm_vector_enter(f, k, hvc_pc);
	run(f, HYP(n, n->hyp_handle_call), 25);
	pkvm_vector_leave(f, k, hvc_pc);

	struct model_step_result a = pkvm_fixmap_read(f, k, n->start + 0xac, PKVM_PAGE_A);
	struct model_step_result b = pkvm_fixmap_read(f, k, n->start + 0xe0, PKVM_PAGE_B);
	ck_assert_uint_eq(a.tr.oa, PKVM_PAGE_A);
	ck_assert_uint_eq(b.tr.oa, PKVM_PAGE_B);
}

/* D8.13, D8.14.1 (fixmap break-before-make), D7.5 / B2.4.4 (DC CVAU, DSB ISH, IC IALLU,
 * DSB NSH, ISB for the relocated vectors), D17.1: the upstream pKVM switch is clean. */
START_TEST(pkvm_correct_is_clean_D8_13_D8_14_1_B2_4_4)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_OK);
	pkvm_flow(&f, &k);
	EXPECT_CLEAN(&f);
	fm_fini(&f);
}
END_TEST

/* B2.4.4 "Concurrent modification and execution of instructions", D7.5 "Instruction cache
 * maintenance instructions": vectors written as data, fetched cacheably with no DC CVAU /
 * IC: the I-side may fill from the PoU's old bytes. */
START_TEST(pkvm_no_icache_maint_icache_stale_B2_4_4_D7_5)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_NO_ICACHE_MAINT);
	pkvm_flow(&f, &k);
	EXPECT_FIRST(&f, HZ_ICACHE_STALE, HYP(&k.n, PKVM_VEC_PAGE) + 0x400);
	fm_fini(&f);
}
END_TEST

/* D8.14.1 "Using break-before-make when updating translation table entries": the live
 * fixmap PTE (valid since __pkvm_init, pointing at the vector page) rewritten in place. */
START_TEST(pkvm_fixmap_no_bbm_D8_14_1)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_FIXMAP_NO_BBM);
	pkvm_flow(&f, &k);
	EXPECT_FIRST(&f, HZ_BBM, HYP(&k.n, k.fixmap_set));
	fm_fini(&f);
}
END_TEST

/*
 * pKVM's "posted order" switch tail: `msr sctlr_el2; ic iallu; isb`, no DSB after the IC.
 *
 * D7.5 "Ordering and completion of data and instruction cache instructions": an IC IALLU
 * is guaranteed complete only after a DSB; an ISB does not wait for it. So what the tail
 * leaves in the I-cache is exactly what was there before the IC. Under DESIGN §3 ("an
 * I-cache line holds only what was fetched cacheably since it was last invalidated"), the
 * only code written as data here, pkvm_vector_page, was cleaned to the PoU (DC CVAU + DSB
 * ISH, completed before the switch) and never fetched, so the I-cache holds no line of it:
 * every cacheable fetch of it fills from the PoU, which has the new bytes. The IC IALLU
 * executing before the SCTLR write is synchronised does not matter either: it does not
 * translate. The model's conclusion, asserted here, is therefore "clean", as
 * docs/firmware.md predicts.
 *
 * That answer rests on DESIGN §3's I-cache rule. The architecture also lets the I-cache
 * fill speculatively from any executable Normal location (the pool page was mapped
 * executable at EL2, and in EL1's identity map, both with SCTLR.I = 1), which is why the
 * Arm ARM's sequence has an IC at all; the next test shows that with one such line the
 * posted order is unsafe and the upstream order is not.
 */
START_TEST(pkvm_posted_order_clean_under_design_D7_5)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_POSTED_ORDER);
	pkvm_flow(&f, &k);
	EXPECT_CLEAN(&f);
	fm_fini(&f);
}
END_TEST

/*
 * D7.5 (IC completion by DSB), B2.4.4: the posted order vs the upstream order when the
 * I-cache holds a line of pkvm_vector_page from before the copy (a speculative fill the
 * architecture permits; modelled as one cacheable fetch of that line). The upstream tail
 * (`isb; ic iallu; dsb nsh; isb`) completes the IC and synchronises: clean. The posted
 * tail's IC is never completed before the first fetch through the relocated vectors (no
 * DSB between the switch and the hypercall): the stale line may be executed.
 */
START_TEST(pkvm_posted_order_with_prefetched_line_D7_5_B2_4_4)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_OK);
	k.prefetched_vector_line = true;
	pkvm_flow(&f, &k);
	EXPECT_CLEAN(&f);
	fm_fini(&f);

	pkvm_setup(&k, PKVM_POSTED_ORDER);
	k.prefetched_vector_line = true;
	pkvm_flow(&f, &k);
	EXPECT_FIRST(&f, HZ_ICACHE_STALE, HYP(&k.n, PKVM_VEC_PAGE) + 0x400);
	fm_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ suite */

static Suite *flows_suite(void)
{
	Suite *s = suite_create("flows");
	TCase *kds = tcase_create("kvm-dual-step");
	tcase_add_test(kds, kds_correct_is_clean_D8_13_D8_2_D17_1);
	tcase_add_test(kds, kds_no_tlbi_stale_tlb_D8_13);
	tcase_add_test(kds, kds_no_dsb_missing_dsb_D8_13_B2_3_12);
	tcase_add_test(kds, kds_tramp_pa_missing_isb_D17_1_D8_13);
	tcase_add_test(kds, kds_no_table_clean_walk_not_at_poc_D8_2_D7_5);
	tcase_add_test(kds, kds_table_ivac_lost_write_D7_5);
	tcase_add_test(kds, kds_no_bounce_clean_fetch_not_at_poc_B2_4);
	tcase_add_test(kds, kds_no_bounce_certain_exception_is_an_event_D1_10);
	suite_add_tcase(s, kds);
	TCase *nv = tcase_create("arm64-nvhe-init");
	tcase_add_loop_test(nv, nvhe_init_clean_D8_13_D17_1, 0, 4);
	tcase_add_test(nv, nvhe_no_params_clean_data_not_at_poc_B2_4_D7_5);
	tcase_add_test(nv, nvhe_mmu_on_not_idmap_missing_isb_D17_1);
	tcase_add_test(nv, teardown_reload_clean_D8_13_D17_1);
	suite_add_tcase(s, nv);
	TCase *pk = tcase_create("pkvm-switch");
	tcase_add_test(pk, pkvm_correct_is_clean_D8_13_D8_14_1_B2_4_4);
	tcase_add_test(pk, pkvm_no_icache_maint_icache_stale_B2_4_4_D7_5);
	tcase_add_test(pk, pkvm_fixmap_no_bbm_D8_14_1);
	tcase_add_test(pk, pkvm_posted_order_clean_under_design_D7_5);
	tcase_add_test(pk, pkvm_posted_order_with_prefetched_line_D7_5_B2_4_4);
	suite_add_tcase(s, pk);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(flows_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
