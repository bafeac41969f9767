/*
 * machine.h - a tiny machine for hypsim's checker tests: RAM as a byte array behind
 * mem_ops, 4K translation tables built in that RAM, and helpers that feed model events the
 * way the simulator does (each event before its instruction takes effect; stores are then
 * applied to RAM at the coherent PA the model returned).
 *
 * EL2 regime set-up used throughout: TCR_EL2.T0SZ = 25 (39-bit VAs, walks start at level
 * 1), 4K granule, IRGN0/ORGN0 = write-back, PS = 40 bits. MAIR_EL2: Attr0 = 0xff (Normal
 * WB), Attr1 = 0x00 (Device-nGnRnE), Attr2 = 0x44 (Normal NC).
 */
#ifndef HYPSIM_MODEL_TESTS_MACHINE_H
#define HYPSIM_MODEL_TESTS_MACHINE_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "model.h"

#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE (UINT64_C(16) << 20)

#define MT_TCR_EL2                                                                                 \
	((UINT64_C(25) << TCR_EL2_T0SZ_SHIFT) | (UINT64_C(1) << TCR_EL2_IRGN0_SHIFT) |             \
	 (UINT64_C(1) << TCR_EL2_ORGN0_SHIFT) | (UINT64_C(3) << TCR_EL2_SH0_SHIFT) |               \
	 (UINT64_C(2) << TCR_EL2_PS_SHIFT))
/* The implemented PA size (model_cfg.pa_bits): the Cortex-A72's 44 bits, as sim's machine. */
#define MT_PA_BITS     44
#define MT_MAIR        UINT64_C(0x4400ff)
#define ATTR_WB        ((UINT64_C(0) << DESC_ATTRINDX_SHIFT) | (UINT64_C(3) << DESC_SH_SHIFT))
#define ATTR_DEV       (UINT64_C(1) << DESC_ATTRINDX_SHIFT)
#define ATTR_NC        ((UINT64_C(2) << DESC_ATTRINDX_SHIFT) | (UINT64_C(3) << DESC_SH_SHIFT))
#define PAGE(pa, attr) ((pa) | (attr) | DESC_AF | DESC_VALID | DESC_TABLE)
#define SCTLR_ON       (SCTLR_EL2_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I)

#define MAX_HZ 64

struct machine {
	uint8_t *ram;
	struct mem_ops ops;
	struct model *m;
	uint64_t next_table;
	struct hazard hz[MAX_HZ];
	unsigned nhz;
	unsigned count[HZ_CLASS_COUNT];
	uint64_t pc[MODEL_MAX_CPUS];
};

static inline bool mt_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct machine *mt = ctx;
	if (pa < RAM_BASE || pa - RAM_BASE > RAM_SIZE || len > RAM_SIZE - (pa - RAM_BASE))
		return false;
	memcpy(buf, mt->ram + (pa - RAM_BASE), len);
	return true;
}

static inline void mt_on_hazard(void *arg, const struct hazard *hz)
{
	struct machine *mt = arg;
	if (mt->nhz < MAX_HZ)
		mt->hz[mt->nhz++] = *hz;
	mt->count[hz->cls]++;
}

/* full: model_cfg.full_check (no fast path), for the differential tests. */
static inline void mt_init_full(struct machine *mt, unsigned ncpus, enum tlb_policy pol, bool idc,
                                bool dic, bool full)
{
	memset(mt, 0, sizeof(*mt));
	mt->ram = calloc(1, RAM_SIZE);
	assert(mt->ram);
	mt->ops.read = mt_read;
	mt->ops.ctx = mt;
	mt->next_table = RAM_BASE + (UINT64_C(8) << 20); /* tables in the upper 8 MiB */
	struct model_cfg cfg = {.ncpus = ncpus,
	                        .tlb_policy = pol,
	                        .ctr_idc = idc,
	                        .ctr_dic = dic,
	                        .pa_bits = MT_PA_BITS,
	                        .full_check = full,
	                        .on_hazard = mt_on_hazard,
	                        .hazard_arg = mt};
	mt->m = model_new(&cfg, &mt->ops);
	for (unsigned i = 0; i < ncpus; i++)
		mt->pc[i] = RAM_BASE;
}

static inline void mt_init_cfg(struct machine *mt, unsigned ncpus, enum tlb_policy pol, bool idc,
                               bool dic)
{
	mt_init_full(mt, ncpus, pol, idc, dic, false);
}

static inline void mt_init(struct machine *mt)
{
	mt_init_cfg(mt, 1, TLB_POLICY_SPECULATIVE, false, false);
}

static inline void mt_fini(struct machine *mt)
{
	model_free(mt->m);
	free(mt->ram);
}

static inline void mt_clear(struct machine *mt)
{
	mt->nhz = 0;
	memset(mt->count, 0, sizeof(mt->count));
}

/* The twin-model tests (test_fastpath.c, test_s2_checker.c): both machines counted the same
 * events and made the same reports in the same order; then both are cleared. Uses Check's
 * ck_assert_* (check.h before the use). */
#define MT_EXPECT_SAME_REPORTS(a, b)                                                               \
	do {                                                                                       \
		ck_assert_uint_eq(model_seq((a)->m), model_seq((b)->m));                           \
		ck_assert_uint_eq((a)->nhz, (b)->nhz);                                             \
		for (unsigned h_ = 0; h_ < (a)->nhz; h_++) {                                       \
			ck_assert_int_eq((a)->hz[h_].cls, (b)->hz[h_].cls);                        \
			ck_assert_uint_eq((a)->hz[h_].seq, (b)->hz[h_].seq);                       \
			ck_assert_uint_eq((a)->hz[h_].fold_key, (b)->hz[h_].fold_key);             \
			ck_assert_str_eq((a)->hz[h_].summary, (b)->hz[h_].summary);                \
		}                                                                                  \
		mt_clear(a);                                                                       \
		mt_clear(b);                                                                       \
	} while (0)

static inline unsigned mt_total(const struct machine *mt)
{
	unsigned n = 0;
	for (unsigned i = 0; i < HZ_CLASS_COUNT; i++)
		n += mt->count[i];
	return n;
}

static inline void ram_w64(struct machine *mt, uint64_t pa, uint64_t v)
{
	assert(pa >= RAM_BASE && pa + 8 <= RAM_BASE + RAM_SIZE);
	memcpy(mt->ram + (pa - RAM_BASE), &v, 8);
}

static inline uint64_t ram_r64(struct machine *mt, uint64_t pa)
{
	uint64_t v;
	memcpy(&v, mt->ram + (pa - RAM_BASE), 8);
	return v;
}

/* ---- tables (written directly, as a loader would, unless noted) ---- */

static inline uint64_t mt_table(struct machine *mt)
{
	uint64_t pa = mt->next_table;
	mt->next_table += 4096;
	memset(mt->ram + (pa - RAM_BASE), 0, 4096);
	return pa;
}

/* PA of the level-`level` descriptor for va under root (tables created as needed). */
static inline uint64_t mt_desc_pa(struct machine *mt, uint64_t root, uint64_t va, int level)
{
	uint64_t table = root;
	for (int l = 1; l < level; l++) {
		unsigned shift = 12 + 9 * (unsigned)(3 - l);
		uint64_t dpa = table + 8 * ((va >> shift) & 511);
		uint64_t d = ram_r64(mt, dpa);
		if ((d & 3) != 3) {
			d = mt_table(mt) | DESC_VALID | DESC_TABLE;
			ram_w64(mt, dpa, d);
		}
		table = d & DESC_OA_MASK_48;
	}
	unsigned shift = 12 + 9 * (unsigned)(3 - level);
	return table + 8 * ((va >> shift) & 511);
}

static inline uint64_t mt_map(struct machine *mt, uint64_t root, uint64_t va, uint64_t pa,
                              uint64_t attr)
{
	uint64_t dpa = mt_desc_pa(mt, root, va, 3);
	ram_w64(mt, dpa, PAGE(pa, attr));
	return dpa;
}

/* 2 MiB block at level 2. */
static inline uint64_t mt_map_block(struct machine *mt, uint64_t root, uint64_t va, uint64_t pa,
                                    uint64_t attr)
{
	uint64_t dpa = mt_desc_pa(mt, root, va, 2);
	ram_w64(mt, dpa, pa | attr | DESC_AF | DESC_VALID);
	return dpa;
}

/* Identity map of [RAM_BASE, RAM_BASE + RAM_SIZE) with 4K pages (code, data, tables). */
static inline uint64_t mt_idmap(struct machine *mt)
{
	uint64_t root = mt_table(mt);
	for (uint64_t pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += 4096)
		mt_map(mt, root, pa, pa, ATTR_WB);
	return root;
}

/* ---- events ---- */

static inline struct model_step_result mt_step(struct machine *mt, struct model_event *ev)
{
	struct model_step_result r;
	if (!ev->pc)
		ev->pc = mt->pc[ev->cpu];
	model_step(mt->m, ev, &r);
	return r;
}

static inline struct model_step_result ev_fetch(struct machine *mt, unsigned cpu, uint64_t pc)
{
	struct model_event ev = {.kind = EV_FETCH, .cpu = cpu, .pc = pc};
	ev.u.mem.va = pc;
	ev.u.mem.size = 4;
	mt->pc[cpu] = pc;
	return mt_step(mt, &ev);
}

static inline struct model_step_result ev_load(struct machine *mt, unsigned cpu, uint64_t va,
                                               unsigned size)
{
	struct model_event ev = {.kind = EV_LOAD, .cpu = cpu};
	ev.u.mem.va = va;
	ev.u.mem.size = size;
	return mt_step(mt, &ev);
}

/* A store: the event first, then the bytes land at the coherent PA (as Unicorn does). */
static inline struct model_step_result ev_store(struct machine *mt, unsigned cpu, uint64_t va,
                                                unsigned size, uint64_t value)
{
	struct model_event ev = {.kind = EV_STORE, .cpu = cpu};
	ev.u.mem.va = va;
	ev.u.mem.size = size;
	ev.u.mem.value = value;
	struct model_step_result r = mt_step(mt, &ev);
	if (r.fault.type == FAULT_NONE) {
		uint64_t pa = r.tr.oa;
		assert(pa >= RAM_BASE && pa + size <= RAM_BASE + RAM_SIZE);
		memcpy(mt->ram + (pa - RAM_BASE), &value, size);
	}
	return r;
}

static inline void ev_msr(struct machine *mt, unsigned cpu, enum sysreg_id reg, uint64_t v)
{
	struct model_event ev = {.kind = EV_SYSREG, .cpu = cpu};
	ev.u.sysreg.reg = reg;
	ev.u.sysreg.value = v;
	mt_step(mt, &ev);
}

static inline void ev_isb(struct machine *mt, unsigned cpu)
{
	struct model_event ev = {.kind = EV_ISB, .cpu = cpu};
	mt_step(mt, &ev);
}

static inline void ev_dsb(struct machine *mt, unsigned cpu, enum barrier_domain d,
                          enum barrier_type t)
{
	struct model_event ev = {.kind = EV_DSB, .cpu = cpu};
	ev.u.barrier.dom = d;
	ev.u.barrier.type = t;
	mt_step(mt, &ev);
}

static inline void ev_tlbi(struct machine *mt, unsigned cpu, enum tlbi_op op, uint64_t va)
{
	struct model_event ev = {.kind = EV_TLBI, .cpu = cpu};
	ev.u.tlbi.op = op;
	ev.u.tlbi.arg = (va >> 12) & ((UINT64_C(1) << 44) - 1);
	mt_step(mt, &ev);
}

static inline struct model_step_result ev_dc(struct machine *mt, unsigned cpu, enum dc_op op,
                                             uint64_t va)
{
	struct model_event ev = {.kind = EV_DC, .cpu = cpu};
	ev.u.dc.op = op;
	ev.u.dc.arg = va;
	struct model_step_result r = mt_step(mt, &ev);
	if (op == DC_ZVA && r.fault.type == FAULT_NONE)
		memset(mt->ram + ((r.tr.oa & CACHE_LINE_MASK) - RAM_BASE), 0, CACHE_LINE_SIZE);
	return r;
}

static inline void ev_ic(struct machine *mt, unsigned cpu, enum ic_op op, uint64_t va)
{
	struct model_event ev = {.kind = EV_IC, .cpu = cpu};
	ev.u.ic.op = op;
	ev.u.ic.va = va;
	mt_step(mt, &ev);
}

static inline void ev_exc(struct machine *mt, unsigned cpu, bool requested, uint64_t esr)
{
	struct model_event ev = {.kind = EV_EXC_ENTRY, .cpu = cpu};
	ev.u.exc.from_el = 2;
	ev.u.exc.to_el = 2;
	ev.u.exc.requested = requested;
	ev.u.exc.esr = esr;
	ev.u.exc.elr = mt->pc[cpu];
	ev.u.exc.vector = 0x200;
	mt_step(mt, &ev);
}

/* msr mair_el2; msr tcr_el2; msr ttbr0_el2; isb; tlbi alle2; dsb sy; msr sctlr_el2; isb */
static inline void mt_mmu_on(struct machine *mt, unsigned cpu, uint64_t root, uint64_t sctlr)
{
	ev_msr(mt, cpu, SR_MAIR_EL2, MT_MAIR);
	ev_msr(mt, cpu, SR_TCR_EL2, MT_TCR_EL2);
	ev_msr(mt, cpu, SR_TTBR0_EL2, root);
	ev_isb(mt, cpu);
	ev_tlbi(mt, cpu, TLBI_ALLE2, 0);
	ev_dsb(mt, cpu, DOM_SY, BAR_ALL);
	ev_msr(mt, cpu, SR_SCTLR_EL2, sctlr);
	ev_isb(mt, cpu);
}

#endif /* HYPSIM_MODEL_TESTS_MACHINE_H */
