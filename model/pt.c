/*
 * pt.c - hypsim's VMSAv8-64 stage 1 translation table walker (Arm ARM D8.1-D8.4).
 *
 * The contract is in pt.h. Choices hypsim makes where the architecture leaves one:
 *
 * - TxSZ outside [16, 39] (no FEAT_LVA, no FEAT_TTST) is CONSTRAINED UNPREDICTABLE; of the
 *   permitted behaviours (fault, or behave as the nearest valid value) hypsim takes the
 *   second: the effective TxSZ is clamped, and cfg->tsz holds the clamped value.
 * - A reserved TGx encoding behaves as an IMPLEMENTATION DEFINED implemented granule size:
 *   hypsim uses 4K. TCR.PS/IPS values above the implemented PA size (and the reserved 0b111)
 *   behave as the implemented size, the one the caller's CPU reports in PARange.
 * - TTBR BADDR bits below the alignment of the start-level table (at least 64 bytes) are
 *   RES0; when set, hypsim treats them as zero (one of the permitted behaviours).
 * - Output address bits [n-1:granule] of a block descriptor are RES0; hypsim ignores them.
 * - In the EL2 regime AP[1], APTable[0], PXN, PXNTable and nG are RES1/RES0 and ignored: a
 *   walk_result of that regime always has el0 = pxn = ng = false.
 *
 * Fault levels follow the AArch64.S1Walk pseudocode: an out-of-range VA, disabled walks
 * (EPDn) and an out-of-range TTBR are level 0 whatever the start level; an Address size
 * fault from a table descriptor is reported at the level of that table descriptor; an
 * External abort on a walk at the level of the descriptor that could not be read.
 *
 * One walk core (walk_table) serves pt_translate() and pt_visit(): translation is a visit
 * of the single-VA range [va, va] with an internal visitor.
 */
#include "pt.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "arch.h"

#define PT_MIN_TSZ       16 /* 48-bit VAs at most: no FEAT_LVA */
#define PT_MAX_TSZ       39 /* no FEAT_TTST */
#define PT_OA_FIELD_MASK (BIT64(48) - 1)
#define PT_TOP_BYTE      (UINT64_C(0xff) << 56)

/* Internal visit flag: report a refused descriptor read as a faulting entry (translation). */
#define PT_VISIT_EXT_ABORT (1u << 8)
#define PT_VISIT_PUBLIC    (PT_VISIT_LEAF | PT_VISIT_TABLE_PRE | PT_VISIT_INVALID)

static bool granule_ok(unsigned granule_shift)
{
	return granule_shift == 12 || granule_shift == 14 || granule_shift == 16;
}

/* Bit position of the lowest VA bit resolved at level (D8.2: stride = granule_shift - 3). */
static unsigned level_shift(int level, unsigned granule_shift)
{
	return granule_shift + (unsigned)(3 - level) * (granule_shift - 3);
}

uint64_t pt_level_size(int level, unsigned granule_shift)
{
	assert(level >= 0 && level <= 3);
	assert(granule_ok(granule_shift));
	return BIT64(level_shift(level, granule_shift));
}

/*
 * Start level (D8.2.6): the level whose entries resolve the top VA bit. Each level resolves
 * (granule_shift - 3) bits above the granule offset, so the walk needs
 * ceil((va_bits - granule_shift) / stride) levels ending at level 3.
 */
static int start_level_of(unsigned va_bits, unsigned granule_shift)
{
	unsigned stride = granule_shift - 3;
	unsigned levels = (va_bits - granule_shift + stride - 1) / stride;
	return 4 - (int)levels;
}

static unsigned clamp_tsz(unsigned tsz)
{
	if (tsz < PT_MIN_TSZ)
		return PT_MIN_TSZ;
	if (tsz > PT_MAX_TSZ)
		return PT_MAX_TSZ;
	return tsz;
}

unsigned pt_parange_bits(unsigned parange)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48};
	return parange < sizeof(bits) / sizeof(bits[0]) ? bits[parange] : 0;
}

bool pt_pa_bits_ok(unsigned pa_bits)
{
	for (unsigned p = 0; pt_parange_bits(p); p++)
		if (pt_parange_bits(p) == pa_bits)
			return true;
	return false;
}

/*
 * The effective PA size of a regime: TCR.PS / TCR.IPS (D17.2.131/132), capped at the
 * implemented size. The field descriptions: a value larger than the implemented PA size
 * behaves as the implemented size (the pseudocode's AArch64.PAMax() cap), the reserved
 * 0b111 as the largest. So on a 44-bit CPU PS = 0b101 (48 bits) walks as 44 bits, and an
 * output address at or above 2^44 is an Address size fault (AArch64.OAOutOfRange).
 */
static unsigned pa_bits_of(unsigned ps, unsigned impl_pa_bits)
{
	static const unsigned bits[8] = {32, 36, 40, 42, 44, 48, 52, 52};
	unsigned b = bits[ps & 7];
	return b > impl_pa_bits ? impl_pa_bits : b;
}

static unsigned tg0_shift(unsigned tg0)
{
	switch (tg0) {
	case TCR_TG0_64K:
		return 16;
	case TCR_TG0_16K:
		return 14;
	default: /* TCR_TG0_4K, and the reserved 0b11 (see file comment) */
		return 12;
	}
}

static unsigned tg1_shift(unsigned tg1)
{
	switch (tg1) {
	case TCR_TG1_64K:
		return 16;
	case TCR_TG1_16K:
		return 14;
	default: /* TCR_TG1_4K, and the reserved 0b00 */
		return 12;
	}
}

/*
 * Top Byte Ignore (D8.8): when it applies, VA[63:56] take no part in translation. hypsim
 * replaces them by copies of VA[55], which selects the half in the EL1&0 regime, so the
 * result is the canonical VA that the tables map.
 */
static uint64_t apply_tbi(uint64_t va, bool tbi)
{
	if (!tbi)
		return va;
	return (va & BIT64(55)) ? (va | PT_TOP_BYTE) : (va & ~PT_TOP_BYTE);
}

/* Input address range check (D8.2.x): VA[63:va_bits] all equal to the half's selector. */
static bool va_in_half(uint64_t va, unsigned va_bits, bool upper)
{
	uint64_t top = va >> va_bits;
	return top == (upper ? (UINT64_MAX >> va_bits) : 0);
}

static struct fault mkfault(enum fault_type t, int level)
{
	struct fault f = {t, (int8_t)level};
	return f;
}

bool pt_cfg_from_regs(enum regime r, unsigned impl_pa_bits, uint64_t sctlr, uint64_t tcr,
                      uint64_t ttbr0, uint64_t ttbr1, uint64_t mair, uint64_t va,
                      struct pt_cfg *cfg, struct fault *f)
{
	unsigned tsz, irgn;

	assert(impl_pa_bits >= 32 && impl_pa_bits <= 48); /* pt_pa_bits_ok: model_new checks it */
	memset(cfg, 0, sizeof(*cfg));
	cfg->regime = r;
	cfg->mair = mair;
	cfg->wxn = (sctlr & SCTLR_ELx_WXN) != 0;
	if (r == REGIME_EL2) {
		tsz = FIELD_GET(tcr, TCR_EL2_T0SZ_SHIFT, 6);
		cfg->granule_shift = tg0_shift(FIELD_GET(tcr, TCR_EL2_TG0_SHIFT, 2));
		cfg->oa_bits = pa_bits_of(FIELD_GET(tcr, TCR_EL2_PS_SHIFT, 3), impl_pa_bits);
		irgn = FIELD_GET(tcr, TCR_EL2_IRGN0_SHIFT, 2);
		cfg->tbi = (tcr & TCR_EL2_TBI) != 0;
		cfg->upper = false;
		cfg->ttbr = ttbr0 & TTBR_BADDR_MASK;
	} else {
		/* Two VA ranges: VA[55] selects TTBR0_EL1 or TTBR1_EL1 (D8.2.x). */
		bool upper = (va & BIT64(55)) != 0;
		cfg->upper = upper;
		cfg->oa_bits = pa_bits_of(FIELD_GET(tcr, TCR_EL1_IPS_SHIFT, 3), impl_pa_bits);
		if (upper) {
			tsz = FIELD_GET(tcr, TCR_EL1_T1SZ_SHIFT, 6);
			cfg->granule_shift = tg1_shift(FIELD_GET(tcr, TCR_EL1_TG1_SHIFT, 2));
			irgn = FIELD_GET(tcr, TCR_EL1_IRGN1_SHIFT, 2);
			cfg->tbi = (tcr & TCR_EL1_TBI1) != 0;
			cfg->epd = (tcr & TCR_EL1_EPD1) != 0;
			cfg->ttbr = ttbr1 & TTBR_BADDR_MASK;
		} else {
			tsz = FIELD_GET(tcr, TCR_EL1_T0SZ_SHIFT, 6);
			cfg->granule_shift = tg0_shift(FIELD_GET(tcr, TCR_EL1_TG0_SHIFT, 2));
			irgn = FIELD_GET(tcr, TCR_EL1_IRGN0_SHIFT, 2);
			cfg->tbi = (tcr & TCR_EL1_TBI0) != 0;
			cfg->epd = (tcr & TCR_EL1_EPD0) != 0;
			cfg->ttbr = ttbr0 & TTBR_BADDR_MASK;
		}
	}
	cfg->tsz = clamp_tsz(tsz);
	cfg->start_level = start_level_of(64 - cfg->tsz, cfg->granule_shift);
	/* DESIGN §3 "Walks": IRGN 0b01 (WB) and 0b10 (WT) both look up this CPU's cache. */
	cfg->walk_cacheable = (sctlr & SCTLR_ELx_C) && irgn != 0;

	if (!va_in_half(apply_tbi(va, cfg->tbi), 64 - cfg->tsz, cfg->upper) || cfg->epd) {
		*f = mkfault(FAULT_TRANSLATION, 0);
		return false;
	}
	*f = mkfault(FAULT_NONE, 0);
	return true;
}

static bool block_allowed(int level, unsigned granule_shift)
{
	/* D8.3: 4K has level 1 and 2 blocks; 16K and 64K only level 2 without FEAT_LPA(2). */
	if (granule_shift == 12)
		return level == 1 || level == 2;
	return level == 2;
}

enum desc_class pt_desc_classify(uint64_t desc, int level, unsigned granule_shift)
{
	assert(level >= 0 && level <= 3);
	assert(granule_ok(granule_shift));
	if (!(desc & DESC_VALID))
		return DESC_INVALID;
	if (level == 3)
		return (desc & DESC_TABLE) ? DESC_IS_PAGE : DESC_RESERVED;
	if (desc & DESC_TABLE)
		return DESC_IS_TABLE;
	return block_allowed(level, granule_shift) ? DESC_IS_BLOCK : DESC_RESERVED;
}

uint64_t pt_desc_oa(uint64_t desc, unsigned granule_shift)
{
	assert(granule_ok(granule_shift));
	return desc & PT_OA_FIELD_MASK & ~(BIT64(granule_shift) - 1);
}

/* MAIR_ELx.Attr<n> nibble of Normal memory (D17.2.97); transient hints are dropped. */
static enum mem_type normal_nibble(unsigned nib)
{
	switch (nib >> 2) {
	case 0: /* 0b00RW, RW != 00: Write-Through Transient */
		return MT_NORMAL_WT;
	case 1: /* 0b0100: Non-cacheable; 0b01RW, RW != 00: Write-Back Transient */
		return nib == 4 ? MT_NORMAL_NC : MT_NORMAL_WB;
	case 2:
		return MT_NORMAL_WT;
	default:
		return MT_NORMAL_WB;
	}
}

struct mem_attrs pt_decode_mair_attr(uint8_t attr, uint8_t sh)
{
	struct mem_attrs m = {.mair_attr = attr, .sh = sh};
	unsigned outer = attr >> 4, inner = attr & 0xf;

	if (outer == 0) {
		/* 0b0000ddxx: Device-nGnRnE/nGnRE/nGRE/GRE (xx != 00 is UNPREDICTABLE). */
		m.inner = m.outer = MT_DEVICE;
		return m;
	}
	m.outer = normal_nibble(outer);
	if (inner != 0) {
		m.inner = normal_nibble(inner);
		return m;
	}
	/*
	 * 0bxxxx0000 is UNPREDICTABLE without FEAT_XS; with it 0x40 is Normal iNC/oNC and 0xa0
	 * Normal iWT/oWT (XS=0), and FEAT_MTE2 makes 0xf0 Tagged Normal iWB/oWB. hypsim gives
	 * those meanings, and treats the remaining encodings as inner Non-cacheable.
	 */
	if (attr == 0xa0)
		m.inner = MT_NORMAL_WT;
	else if (attr == 0xf0)
		m.inner = MT_NORMAL_WB;
	else
		m.inner = MT_NORMAL_NC;
	return m;
}

/* Hierarchical attributes collected from the table descriptors above (D8.4.x). */
struct tbl_attrs {
	bool ro;     /* APTable[1] */
	bool no_el0; /* APTable[0], EL1&0 only */
	bool xn;     /* XNTable (UXNTable in EL1&0) */
	bool pxn;    /* PXNTable, EL1&0 only */
};

struct walk {
	const struct pt_cfg *cfg;
	const struct mem_ops *ops;
	unsigned g, stride, va_bits;
	uint64_t lo, hi; /* canonical VAs, inclusive */
	unsigned flags;
	pt_visitor_fn fn;
	void *arg;
	/* Steps of the current descent; filled in place and handed to the visitor. */
	struct walk_result cur;
};

static void fill_leaf(struct walk *w, int level, uint64_t va, uint64_t desc, struct tbl_attrs ta)
{
	const struct pt_cfg *cfg = w->cfg;
	struct walk_result *r = &w->cur;
	uint64_t size = BIT64(level_shift(level, w->g));
	unsigned idx = FIELD_GET(desc, DESC_ATTRINDX_SHIFT, 3);

	r->va = va;
	r->level = (int8_t)level;
	r->block_size = size;
	r->leaf_desc = desc;
	r->oa = pt_desc_oa(desc, w->g) & ~(size - 1);
	r->attrs = pt_decode_mair_attr((uint8_t)(cfg->mair >> (8 * idx)),
	                               (uint8_t)FIELD_GET(desc, DESC_SH_SHIFT, 2));
	r->af = (desc & DESC_AF) != 0;
	r->contiguous = (desc & DESC_CONTIG) != 0;
	r->ro = (desc & DESC_AP2) || ta.ro;
	r->xn = (desc & DESC_XN) || ta.xn;
	if (cfg->regime == REGIME_EL2) {
		r->el0 = r->pxn = r->ng = false;
	} else {
		r->el0 = (desc & DESC_AP1) && !ta.no_el0;
		r->pxn = (desc & DESC_PXN) || ta.pxn;
		r->ng = (desc & DESC_NG) != 0;
	}
	/* AArch64.S1Walk: Address size of the OA first, then the Access flag (no FEAT_HAFDBS). */
	if (r->oa >> cfg->oa_bits)
		r->fault = mkfault(FAULT_ADDRESS_SIZE, level);
	else if (!r->af)
		r->fault = mkfault(FAULT_ACCESS_FLAG, level);
	else
		r->fault = mkfault(FAULT_NONE, level);
}

/* A faulting entry: every VA it covers gives fault f (translate's answer for them). */
static void fill_fault(struct walk *w, int level, uint64_t va, enum fault_type t)
{
	struct walk_result *r = &w->cur;

	r->va = va;
	r->oa = 0;
	r->level = (int8_t)level;
	r->block_size = BIT64(level_shift(level, w->g));
	r->leaf_desc = 0;
	r->ro = r->el0 = r->xn = r->pxn = r->ng = r->contiguous = r->af = false;
	memset(&r->attrs, 0, sizeof(r->attrs));
	r->fault = mkfault(t, level);
}

static int call(struct walk *w, uint64_t va, int level, uint64_t desc_pa, uint64_t desc,
                enum desc_class cls, const struct walk_result *leaf)
{
	struct pt_visit_entry e = {
	    .va = va,
	    .size = BIT64(level_shift(level, w->g)),
	    .level = (int8_t)level,
	    .desc_pa = desc_pa,
	    .desc = desc,
	    .cls = cls,
	    .leaf = leaf,
	};
	return w->fn(&e, w->arg);
}

/*
 * Visit the entries of the table at table_pa (level, first VA table_va) that overlap
 * [w->lo, w->hi], in index (= VA) order, descending into tables.
 */
static int walk_table(struct walk *w, int level, uint64_t table_pa, uint64_t table_va,
                      struct tbl_attrs ta)
{
	const struct pt_cfg *cfg = w->cfg;
	unsigned shift = level_shift(level, w->g);
	unsigned nbits = level == cfg->start_level ? w->va_bits - shift : w->stride;
	uint64_t table_last = table_va + (BIT64(nbits + shift) - 1);
	uint64_t lo = w->lo > table_va ? w->lo : table_va;
	uint64_t hi = w->hi < table_last ? w->hi : table_last;
	uint64_t first = (lo - table_va) >> shift, last = (hi - table_va) >> shift;
	unsigned depth = (unsigned)(level - cfg->start_level);
	int rc;

	for (uint64_t i = first; i <= last; i++) {
		uint64_t va = table_va + (i << shift);
		uint64_t desc_pa = table_pa + i * 8;
		uint64_t desc;
		enum desc_class cls;

		w->cur.nsteps = depth;
		if (!mem_read64(w->ops, desc_pa, &desc)) {
			/* pt_visit: nothing is mapped behind an unreadable descriptor. */
			if (!(w->flags & PT_VISIT_EXT_ABORT))
				continue;
			fill_fault(w, level, va, FAULT_EXTERNAL_WALK);
			rc = call(w, va, level, desc_pa, 0, DESC_INVALID, &w->cur);
			if (rc)
				return rc;
			continue;
		}
		w->cur.steps[depth].desc_pa = desc_pa;
		w->cur.steps[depth].desc = desc;
		w->cur.steps[depth].level = (int8_t)level;
		w->cur.nsteps = depth + 1;

		cls = pt_desc_classify(desc, level, w->g);
		switch (cls) {
		case DESC_IS_TABLE: {
			uint64_t next = pt_desc_oa(desc, w->g);
			struct tbl_attrs nta = ta;

			if (next >> cfg->oa_bits) {
				/* Address size fault at the table descriptor's level. */
				if (!(w->flags & PT_VISIT_INVALID))
					break;
				fill_fault(w, level, va, FAULT_ADDRESS_SIZE);
				rc = call(w, va, level, desc_pa, desc, cls, &w->cur);
				if (rc)
					return rc;
				break;
			}
			if (w->flags & PT_VISIT_TABLE_PRE) {
				rc = call(w, va, level, desc_pa, desc, cls, NULL);
				if (rc)
					return rc;
			}
			/*
			 * A level 3 table holds only pages: a TABLE_PRE-only visit (e.g. "which
			 * pages hold live tables") has nothing to find there, and skipping it
			 * saves reading 512..8192 descriptors per table.
			 */
			if (level + 1 == 3 && !(w->flags & (PT_VISIT_LEAF | PT_VISIT_INVALID)))
				break;
			nta.ro |= (desc >> (DESC_APTABLE_SHIFT + 1)) & 1;
			nta.xn |= (desc & DESC_XNTABLE) != 0;
			if (cfg->regime == REGIME_EL10) {
				nta.no_el0 |= (desc >> DESC_APTABLE_SHIFT) & 1;
				nta.pxn |= (desc & DESC_PXNTABLE) != 0;
			}
			rc = walk_table(w, level + 1, next, va, nta);
			if (rc)
				return rc;
			break;
		}
		case DESC_IS_BLOCK:
		case DESC_IS_PAGE:
			if (!(w->flags & PT_VISIT_LEAF))
				break;
			fill_leaf(w, level, va, desc, ta);
			rc = call(w, va, level, desc_pa, desc, cls, &w->cur);
			if (rc)
				return rc;
			break;
		case DESC_INVALID:
		case DESC_RESERVED:
			if (!(w->flags & PT_VISIT_INVALID))
				break;
			fill_fault(w, level, va, FAULT_TRANSLATION);
			rc = call(w, va, level, desc_pa, desc, cls, &w->cur);
			if (rc)
				return rc;
			break;
		}
	}
	return 0;
}

static void walk_init(struct walk *w, const struct pt_cfg *cfg, const struct mem_ops *ops)
{
	assert(granule_ok(cfg->granule_shift));
	assert(cfg->tsz >= PT_MIN_TSZ && cfg->tsz <= PT_MAX_TSZ);
	assert(cfg->start_level == start_level_of(64 - cfg->tsz, cfg->granule_shift));
	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->ops = ops;
	w->g = cfg->granule_shift;
	w->stride = cfg->granule_shift - 3;
	w->va_bits = 64 - cfg->tsz;
}

/* Start-level table address: BADDR aligned to the table's size, at least 64 bytes. */
static uint64_t root_table(const struct walk *w)
{
	unsigned bits = w->va_bits - level_shift(w->cfg->start_level, w->g) + 3;
	uint64_t align = BIT64(bits < 6 ? 6 : bits);
	return w->cfg->ttbr & ~(align - 1);
}

static uint64_t half_first(const struct walk *w)
{
	return w->cfg->upper ? ~(BIT64(w->va_bits) - 1) : 0;
}

static int walk_root(struct walk *w)
{
	struct tbl_attrs ta = {false, false, false, false};
	return walk_table(w, w->cfg->start_level, root_table(w), half_first(w), ta);
}

struct translate_arg {
	uint64_t va;
	struct walk_result *result;
};

static int translate_visitor(const struct pt_visit_entry *e, void *arg)
{
	struct translate_arg *t = arg;

	*t->result = *e->leaf;
	t->result->va = t->va;
	if (t->result->fault.type == FAULT_NONE)
		t->result->oa = e->leaf->oa | (t->va - e->va);
	return 1;
}

void pt_translate(const struct pt_cfg *cfg, const struct mem_ops *ops, uint64_t va,
                  struct walk_result *result)
{
	struct walk w;
	struct translate_arg t;

	walk_init(&w, cfg, ops);
	memset(result, 0, sizeof(*result));
	va = apply_tbi(va, cfg->tbi);
	result->va = va;
	/* AArch64.S1Walk: out-of-range VA and EPDn give a level 0 Translation fault, ... */
	if (!va_in_half(va, w.va_bits, cfg->upper) || cfg->epd) {
		result->fault = mkfault(FAULT_TRANSLATION, 0);
		return;
	}
	/* ... a TTBR outside the OA size a level 0 Address size fault. */
	if (cfg->ttbr >> cfg->oa_bits) {
		result->fault = mkfault(FAULT_ADDRESS_SIZE, 0);
		return;
	}
	t.va = va;
	t.result = result;
	w.lo = w.hi = va;
	w.flags = PT_VISIT_LEAF | PT_VISIT_INVALID | PT_VISIT_EXT_ABORT;
	w.fn = translate_visitor;
	w.arg = &t;
	/* Exactly one entry per level overlaps [va, va]; the last one found ends the walk. */
	(void)walk_root(&w);
}

int pt_visit(const struct pt_cfg *cfg, const struct mem_ops *ops, uint64_t va_start,
             uint64_t va_end, unsigned flags, pt_visitor_fn fn, void *arg)
{
	struct walk w;
	uint64_t first, last;

	walk_init(&w, cfg, ops);
	if (cfg->epd || (cfg->ttbr >> cfg->oa_bits))
		return 0; /* nothing is reachable: every VA faults at level 0 */
	first = half_first(&w);
	last = first + (BIT64(w.va_bits) - 1);
	w.lo = va_start > first ? va_start : first;
	w.hi = va_end < last ? va_end : last;
	if (w.lo > w.hi)
		return 0;
	w.flags = flags & PT_VISIT_PUBLIC;
	w.fn = fn;
	w.arg = arg;
	return walk_root(&w);
}

struct fault pt_check_perm(const struct pt_cfg *cfg, const struct walk_result *r,
                           enum access_type acc, unsigned el)
{
	bool can_read, can_write, can_exec;

	assert(r->fault.type == FAULT_NONE);
	if (cfg->regime == REGIME_EL2) {
		/* D8.4: one privilege level; AP[2] read-only, XN; WXN makes writable XN. */
		assert(el == 2);
		can_read = true;
		can_write = !r->ro;
		can_exec = !r->xn && !(cfg->wxn && can_write);
	} else {
		/*
		 * D8.4 (AArch64.S1DirectBasePermissions): AP[2:1] gives EL1 RW/RO and EL0
		 * none/RW/RO; memory writable at EL0 is never executable at EL1; WXN makes
		 * memory writable at an EL execute-never at that EL. PAN is not modelled.
		 */
		bool user_w = r->el0 && !r->ro;

		assert(el <= 1);
		if (el == 0) {
			can_read = r->el0;
			can_write = user_w;
			can_exec = !r->xn && !(cfg->wxn && user_w);
		} else {
			can_read = true;
			can_write = !r->ro;
			can_exec = !r->pxn && !user_w && !(cfg->wxn && can_write);
		}
	}

	bool ok;
	switch (acc) {
	case ACC_FETCH:
		ok = can_exec;
		break;
	case ACC_READ:
	case ACC_DC_READ: /* DC CVAC/CIVAC/CVAU, IC IVAU, AT: read permission (D7.5.9) */
		ok = can_read;
		break;
	case ACC_WRITE:
	case ACC_DC_WRITE: /* DC IVAC and DC ZVA need write permission */
		ok = can_write;
		break;
	default:
		assert(0 && "unknown access type");
		ok = false;
		break;
	}
	return ok ? mkfault(FAULT_NONE, r->level) : mkfault(FAULT_PERMISSION, r->level);
}

const char *pt_fault_name(enum fault_type t)
{
	switch (t) {
	case FAULT_NONE:
		return "none";
	case FAULT_TRANSLATION:
		return "translation";
	case FAULT_ADDRESS_SIZE:
		return "address-size";
	case FAULT_ACCESS_FLAG:
		return "access-flag";
	case FAULT_PERMISSION:
		return "permission";
	case FAULT_ALIGNMENT:
		return "alignment";
	case FAULT_EXTERNAL:
		return "external-abort";
	case FAULT_EXTERNAL_WALK:
		return "external-abort-on-walk";
	case FAULT_TLB_CONFLICT:
		return "tlb-conflict";
	}
	return "unknown-fault";
}

const char *pt_access_name(enum access_type a)
{
	switch (a) {
	case ACC_FETCH:
		return "fetch";
	case ACC_READ:
		return "read";
	case ACC_WRITE:
		return "write";
	case ACC_DC_READ:
		return "cache-maintenance";
	case ACC_DC_WRITE:
		return "cache-invalidate-or-zero";
	}
	return "unknown-access";
}
