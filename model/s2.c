/*
 * s2.c - stage 2 of the EL1&0 regime and the combined stage 1 + stage 2 translation (Arm
 * ARM D8.2-D8.5, the AArch64.S2Walk / AArch64.FullTranslate pseudocode). Contract in s2.h.
 *
 * Choices hypsim makes where the architecture leaves one:
 * - VTCR_EL2.T0SZ outside [16, 39] behaves as the nearest valid value (as pt.c's TxSZ).
 * - SL0 values that are reserved without FEAT_TTST/LPA2 (4K 0b11, 16K 0b11, 64K 0b11), and
 *   SL0 inconsistent with T0SZ (the start level resolves no IPA bit, or would need more than
 *   16 concatenated tables: AArch64.S2InconsistentSL), give a stage 2 Translation fault at
 *   level 1 for every IPA, as the pseudocode does.
 * - An IPA at or above 2^(64 - T0SZ) is a stage 2 Translation fault at level 0.
 * - A reserved VTCR_EL2.TG0 behaves as 4K; VTCR_EL2.PS above 48 bits as 48.
 * - MemAttr 0bxx00 with xx != 00 (Normal, inner "Device") is reserved: hypsim treats it as
 *   inner Non-cacheable.
 */
#include "s2.h"

#include <assert.h>
#include <string.h>

#include "arch.h"

#define S2_MIN_TSZ 16
#define S2_MAX_TSZ 39

static unsigned level_shift(int level, unsigned g)
{
	return g + (unsigned)(3 - level) * (g - 3);
}

static struct fault mkfault(enum fault_type t, int level)
{
	struct fault f = {t, (int8_t)level};
	return f;
}

static unsigned vtcr_granule(uint64_t vtcr)
{
	switch (FIELD_GET(vtcr, VTCR_TG0_SHIFT, 2)) {
	case TCR_TG0_64K:
		return 16;
	case TCR_TG0_16K:
		return 14;
	default:
		return 12;
	}
}

uint16_t s2_vmid(uint64_t vtcr, uint64_t vttbr, struct s2_features feat)
{
	/* VTTBR_EL2.VMID[15:8] is RES0 unless FEAT_VMID16 and VTCR_EL2.VS=1 (D8.13). */
	if (feat.vmid16 && (vtcr & VTCR_VS))
		return (uint16_t)(vttbr >> VTTBR_VMID_SHIFT);
	return (uint16_t)((vttbr >> VTTBR_VMID_SHIFT) & 0xff);
}

/* Start level from SL0 (D17.2 VTCR_EL2.SL0, without FEAT_TTST/LPA2); -1: reserved. */
static int sl0_level(unsigned sl0, unsigned g)
{
	if (g == 12)
		return sl0 == 3 ? -1 : 2 - (int)sl0;
	return sl0 == 3 ? -1 : 3 - (int)sl0;
}

void s2_cfg_from_regs(uint64_t vtcr, uint64_t vttbr, struct s2_features feat, struct s2_cfg *cfg)
{
	static const unsigned ps_bits[8] = {32, 36, 40, 42, 44, 48, 48, 48};
	unsigned tsz = (unsigned)FIELD_GET(vtcr, VTCR_T0SZ_SHIFT, 6);

	memset(cfg, 0, sizeof(*cfg));
	cfg->tsz = tsz < S2_MIN_TSZ ? S2_MIN_TSZ : tsz > S2_MAX_TSZ ? S2_MAX_TSZ : tsz;
	cfg->ia_bits = 64 - cfg->tsz;
	cfg->granule_shift = vtcr_granule(vtcr);
	cfg->oa_bits = ps_bits[FIELD_GET(vtcr, VTCR_PS_SHIFT, 3)];
	if (cfg->oa_bits > feat.pa_bits)
		cfg->oa_bits = feat.pa_bits;
	cfg->irgn = (uint8_t)FIELD_GET(vtcr, VTCR_IRGN0_SHIFT, 2);
	cfg->orgn = (uint8_t)FIELD_GET(vtcr, VTCR_ORGN0_SHIFT, 2);
	cfg->sh = (uint8_t)FIELD_GET(vtcr, VTCR_SH0_SHIFT, 2);
	cfg->walk_cacheable = cfg->irgn != 0;
	cfg->xnx = feat.xnx;
	cfg->vmid = s2_vmid(vtcr, vttbr, feat);

	int sl = sl0_level((unsigned)FIELD_GET(vtcr, VTCR_SL0_SHIFT, 2), cfg->granule_shift);
	cfg->start_level = sl < 0 ? 0 : sl;
	unsigned stride = cfg->granule_shift - 3;
	unsigned shift = level_shift(cfg->start_level, cfg->granule_shift);
	/*
	 * AArch64.S2InconsistentSL: the start level must resolve at least one IPA bit and at
	 * most one stride plus 4 bits of concatenation (D8.2.x "Concatenated translation
	 * tables for the initial stage 2 lookup": up to 16 tables).
	 */
	cfg->sl_ok = sl >= 0 && cfg->ia_bits > shift && cfg->ia_bits <= shift + stride + 4;
	unsigned bits = cfg->sl_ok ? cfg->ia_bits - shift : 1;
	cfg->nconcat = bits > stride ? 1u << (bits - stride) : 1;
	/* The initial table (all concatenated tables) is aligned to its size, at least 64. */
	unsigned align = bits + 3 < 6 ? 6 : bits + 3;
	cfg->root = vttbr & TTBR_BADDR_MASK & ~(BIT64(align) - 1);
}

struct mem_attrs s2_decode_memattr(uint8_t memattr, uint8_t sh)
{
	struct mem_attrs m = {.mair_attr = memattr, .sh = sh};
	static const enum mem_type nib[4] = {MT_NORMAL_NC, MT_NORMAL_NC, MT_NORMAL_WT,
	                                     MT_NORMAL_WB};
	unsigned outer = (memattr >> 2) & 3, inner = memattr & 3;

	if (outer == 0) { /* Device-nGnRnE .. GRE by MemAttr[1:0] */
		m.inner = m.outer = MT_DEVICE;
		return m;
	}
	m.outer = nib[outer];
	m.inner = nib[inner]; /* inner 0b00 is reserved: Non-cacheable (file comment) */
	return m;
}

/* Less cacheable first: Device < NC < WT < WB (the enum's order). */
static enum mem_type weaker(enum mem_type a, enum mem_type b)
{
	return a < b ? a : b;
}

struct mem_attrs s2_combine_attrs(struct mem_attrs s1, struct mem_attrs s2)
{
	struct mem_attrs m = s1;

	/* D8.5.x: Device at either stage gives Device; otherwise each of the inner and outer
	 * cacheabilities is the less cacheable of the two stages'. */
	if (s1.inner == MT_DEVICE || s2.inner == MT_DEVICE) {
		m.inner = m.outer = MT_DEVICE;
	} else {
		m.inner = weaker(s1.inner, s2.inner);
		m.outer = weaker(s1.outer, s2.outer);
	}
	/* Shareability: the more shareable (Outer 0b10 > Inner 0b11 > Non 0b00). */
	unsigned r1 = s1.sh == 2 ? 3 : s1.sh == 3 ? 2 : 0, r2 = s2.sh == 2 ? 3 : s2.sh == 3 ? 2 : 0;
	unsigned r = r1 > r2 ? r1 : r2;
	m.sh = (uint8_t)(r == 3 ? 2 : r == 2 ? 3 : 0);
	return m;
}

static void fill_leaf(const struct s2_cfg *cfg, struct s2_walk *w, int level, uint64_t desc)
{
	uint64_t size = BIT64(level_shift(level, cfg->granule_shift));
	unsigned xn = (unsigned)FIELD_GET(desc, S2_XN_SHIFT, 2);

	w->level = (int8_t)level;
	w->block_size = size;
	w->leaf_desc = desc;
	w->pa = (pt_desc_oa(desc, cfg->granule_shift) & ~(size - 1)) | (w->ipa & (size - 1));
	w->attrs = s2_decode_memattr((uint8_t)FIELD_GET(desc, S2_MEMATTR_SHIFT, 4),
	                             (uint8_t)FIELD_GET(desc, DESC_SH_SHIFT, 2));
	w->r = (desc >> S2_S2AP_SHIFT) & 1;
	w->w = (desc >> (S2_S2AP_SHIFT + 1)) & 1;
	if (cfg->xnx) {
		/* FEAT_XNX, XN[1:0]: 00 both execute, 01 EL0 only, 10 neither, 11 EL1 only. */
		w->xn_el1 = xn == 1 || xn == 2;
		w->xn_el0 = xn == 2 || xn == 3;
	} else {
		w->xn_el1 = w->xn_el0 = (xn & 2) != 0; /* XN is bit 54; bit 53 is RES0 */
	}
	w->af = (desc & DESC_AF) != 0;
	w->contiguous = (desc & DESC_CONTIG) != 0;
	/* AArch64.S2Walk: Address size of the OA, then the Access flag (no FEAT_HAFDBS). */
	if ((w->pa & ~(size - 1)) >> cfg->oa_bits)
		w->fault = mkfault(FAULT_ADDRESS_SIZE, level);
	else if (!w->af)
		w->fault = mkfault(FAULT_ACCESS_FLAG, level);
	else
		w->fault = mkfault(FAULT_NONE, level);
}

void s2_leaf_walk(const struct s2_cfg *cfg, uint64_t ipa, int level, uint64_t desc,
                  struct s2_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->ipa = ipa;
	fill_leaf(cfg, w, level, desc);
}

void s2_translate(const struct s2_cfg *cfg, const struct mem_ops *ops, uint64_t ipa,
                  struct s2_walk *w)
{
	unsigned g = cfg->granule_shift, stride = g - 3;

	memset(w, 0, sizeof(*w));
	w->ipa = ipa;
	w->level = 0;
	if (!cfg->sl_ok) {
		w->fault = mkfault(FAULT_TRANSLATION, 1);
		w->level = 1;
		return;
	}
	if (ipa >> cfg->ia_bits) {
		w->fault = mkfault(FAULT_TRANSLATION, 0);
		return;
	}
	if (cfg->root >> cfg->oa_bits) {
		w->fault = mkfault(FAULT_ADDRESS_SIZE, 0);
		return;
	}
	uint64_t table = cfg->root;
	for (int level = cfg->start_level; level <= 3; level++) {
		unsigned shift = level_shift(level, g);
		unsigned bits = level == cfg->start_level ? cfg->ia_bits - shift : stride;
		uint64_t desc_pa = table + ((ipa >> shift) & (BIT64(bits) - 1)) * 8;
		uint64_t desc;

		w->level = (int8_t)level;
		if (!mem_read64(ops, desc_pa, &desc)) {
			w->fault = mkfault(FAULT_EXTERNAL_WALK, level);
			return;
		}
		assert(w->nsteps < PT_MAX_STEPS);
		w->steps[w->nsteps].desc_pa = desc_pa;
		w->steps[w->nsteps].desc = desc;
		w->steps[w->nsteps].level = (int8_t)level;
		w->nsteps++;
		switch (pt_desc_classify(desc, level, g)) {
		case DESC_IS_TABLE:
			table = pt_desc_oa(desc, g);
			if (table >> cfg->oa_bits) {
				w->fault = mkfault(FAULT_ADDRESS_SIZE, level);
				return;
			}
			continue;
		case DESC_IS_BLOCK:
		case DESC_IS_PAGE:
			fill_leaf(cfg, w, level, desc);
			return;
		case DESC_INVALID:
		case DESC_RESERVED:
			w->fault = mkfault(FAULT_TRANSLATION, level);
			return;
		}
	}
	assert(0 && "stage 2 walk without a leaf at level 3");
}

struct fault s2_check_perm(const struct s2_walk *w, enum access_type acc, unsigned el, bool s1ptw)
{
	bool ok;

	assert(w->fault.type == FAULT_NONE);
	if (s1ptw) {
		ok = w->r; /* a stage 1 walk is checked as a read, whatever the access */
	} else {
		switch (acc) {
		case ACC_FETCH:
			ok = el == 0 ? !w->xn_el0 : !w->xn_el1;
			break;
		case ACC_WRITE:
		case ACC_DC_WRITE: /* DC IVAC, DC ZVA: a write at stage 2 */
			ok = w->w;
			break;
		case ACC_DC_READ:
			/* AArch64.S2CheckPermission: DC by VA at EL1 (other than DC IVAC) never
			 * takes a stage 2 Permission fault; at EL0 it needs read permission. */
			ok = el != 0 || w->r;
			break;
		default:
			ok = w->r;
			break;
		}
	}
	return ok ? mkfault(FAULT_NONE, w->level) : mkfault(FAULT_PERMISSION, w->level);
}

bool s2_bbm_needed(uint64_t old_desc, uint64_t new_desc, int level, unsigned granule_shift)
{
	enum desc_class co = pt_desc_classify(old_desc, level, granule_shift);
	enum desc_class cn = pt_desc_classify(new_desc, level, granule_shift);
	bool ov = co == DESC_IS_TABLE || co == DESC_IS_BLOCK || co == DESC_IS_PAGE;
	bool nv = cn == DESC_IS_TABLE || cn == DESC_IS_BLOCK || cn == DESC_IS_PAGE;
	/* Output address, MemAttr[3:0], SH[1:0] and Contiguous. S2AP, XN, AF, software bits
	 * may change without a break (D8.14.1). */
	uint64_t mask = (BIT64(48) - 1) & ~(BIT64(granule_shift) - 1);
	mask |= UINT64_C(0xf) << S2_MEMATTR_SHIFT | UINT64_C(3) << DESC_SH_SHIFT | DESC_CONTIG;

	if (!ov || !nv)
		return false; /* invalid <-> valid needs no break */
	if (co != cn)
		return true; /* table <-> block: a change of block size */
	if (co == DESC_IS_TABLE)
		return pt_desc_oa(old_desc, granule_shift) != pt_desc_oa(new_desc, granule_shift);
	return (old_desc & mask) != (new_desc & mask);
}

/* ---------- the combined translation ---------- */

/* Stage 2 translation of ipa: ovr's entry when it covers ipa, else a walk. */
static void s2_translate_o(const struct s2_cfg *cfg, const struct mem_ops *ops, uint64_t ipa,
                           const struct s2_override *ovr, struct s2_walk *w)
{
	if (!ovr || ipa < ovr->ipa || ipa - ovr->ipa >= ovr->size) {
		s2_translate(cfg, ops, ipa, w);
		return;
	}
	*w = ovr->w;
	w->ipa = ipa;
	if (w->fault.type == FAULT_NONE)
		w->pa = ovr->w.pa + (ipa - ovr->ipa);
}

/* mem_ops whose addresses are IPAs: every read is translated by stage 2 first. */
struct ptw_ctx {
	const struct s2_cfg *cfg;
	const struct s2_override *ovr;
	const struct mem_ops *pa_ops;
	struct s12_result *res;
	bool faulted;
	struct s12_fault fault;
	bool ext; /* the PA behind the IPA has nothing (External abort on the walk) */
};

static bool ptw_read(void *ctx, uint64_t ipa, void *buf, size_t len)
{
	struct ptw_ctx *p = ctx;
	struct s2_walk w;

	if (p->faulted)
		return false;
	s2_translate_o(p->cfg, p->pa_ops, ipa, p->ovr, &w);
	struct fault f = w.fault;
	if (f.type == FAULT_NONE)
		f = s2_check_perm(&w, ACC_READ, 1, true);
	if (p->res->nptw < PT_MAX_STEPS)
		p->res->ptw[p->res->nptw++] = w;
	if (f.type != FAULT_NONE) {
		/* A stage 2 fault on a stage 1 table read: S1PTW=1, HPFAR the descriptor's IPA. */
		p->faulted = true;
		p->fault.f = f;
		p->fault.stage = 2;
		p->fault.s1ptw = true;
		p->fault.ipa = ipa;
		p->fault.target_el = 2;
		return false;
	}
	if (!p->pa_ops->read(p->pa_ops->ctx, w.pa, buf, len)) {
		p->ext = true;
		return false;
	}
	return true;
}

static void set_fault(struct s12_result *res, struct fault f, unsigned stage, uint64_t ipa)
{
	res->fault.f = f;
	res->fault.stage = (uint8_t)stage;
	res->fault.s1ptw = false;
	res->fault.ipa = ipa;
	res->fault.target_el = stage == 2 ? 2 : 1;
}

void s12_translate(const struct s12_regs *regs, struct s2_features feat, const struct mem_ops *ops,
                   uint64_t va, enum access_type acc, unsigned el, struct s12_result *res)
{
	s12_translate_ovr(regs, feat, ops, va, acc, el, NULL, res);
}

void s12_translate_ovr(const struct s12_regs *regs, struct s2_features feat,
                       const struct mem_ops *ops, uint64_t va, enum access_type acc, unsigned el,
                       const struct s2_override *ovr, struct s12_result *res)
{
	struct mem_attrs s1a;

	memset(res, 0, sizeof(*res));
	res->va = va;
	res->s1_on = (regs->sctlr_el1 & SCTLR_ELx_M) != 0;
	res->s2_on = (regs->hcr_el2 & HCR_EL2_VM) != 0;
	if (res->s2_on)
		s2_cfg_from_regs(regs->vtcr_el2, regs->vttbr_el2, feat, &res->s2cfg);

	if (res->s1_on) {
		struct fault f;
		struct ptw_ctx p = {.cfg = &res->s2cfg, .ovr = ovr, .pa_ops = ops, .res = res};
		struct mem_ops ipa_ops = {ptw_read, &p};

		if (!pt_cfg_from_regs(REGIME_EL10, feat.pa_bits, regs->sctlr_el1, regs->tcr_el1, regs->ttbr0_el1,
		                      regs->ttbr1_el1, regs->mair_el1, va, &res->s1cfg, &f)) {
			set_fault(res, f, 1, 0);
			return;
		}
		pt_translate(&res->s1cfg, res->s2_on ? &ipa_ops : ops, va, &res->s1);
		if (p.faulted) {
			res->fault = p.fault;
			return;
		}
		f = res->s1.fault;
		if (f.type == FAULT_NONE)
			f = pt_check_perm(&res->s1cfg, &res->s1, acc, el);
		if (f.type != FAULT_NONE) {
			set_fault(res, f, 1, 0);
			return;
		}
		res->ipa = res->s1.oa;
		s1a = res->s1.attrs;
	} else {
		/* Stage 1 off: IPA = VA; data Device-nGnRnE, fetches Normal (WT with SCTLR.I). */
		res->ipa = va;
		memset(&s1a, 0, sizeof(s1a));
		if (acc == ACC_FETCH)
			s1a.inner = s1a.outer =
			    (regs->sctlr_el1 & SCTLR_ELx_I) ? MT_NORMAL_WT : MT_NORMAL_NC;
		else
			s1a.inner = s1a.outer = MT_DEVICE;
		s1a.sh = 2;
		if (va >> feat.pa_bits) {
			set_fault(res, mkfault(FAULT_ADDRESS_SIZE, 0), 1, 0);
			return;
		}
	}
	if (!res->s2_on) {
		res->pa = res->ipa;
		res->attrs = s1a;
		return;
	}
	s2_translate_o(&res->s2cfg, ops, res->ipa, ovr, &res->s2);
	struct fault f = res->s2.fault;
	if (f.type == FAULT_NONE)
		f = s2_check_perm(&res->s2, acc, el, false);
	if (f.type != FAULT_NONE) {
		set_fault(res, f, 2, res->ipa);
		return;
	}
	res->pa = res->s2.pa;
	res->attrs = s2_combine_attrs(s1a, res->s2.attrs);
}

unsigned s12_fsc(const struct fault *f)
{
	int l = f->level < 0 ? 0 : f->level;
	switch (f->type) {
	case FAULT_ADDRESS_SIZE:
		return FSC_ADDR_SIZE(l);
	case FAULT_TRANSLATION:
		return FSC_TRANSLATION(l);
	case FAULT_ACCESS_FLAG:
		return FSC_ACCESS_FLAG(l);
	case FAULT_PERMISSION:
		return FSC_PERMISSION(l);
	case FAULT_ALIGNMENT:
		return FSC_ALIGNMENT;
	case FAULT_EXTERNAL:
		return FSC_EXT_ABORT;
	case FAULT_EXTERNAL_WALK:
		return FSC_EXT_ABORT_WALK(l);
	case FAULT_TLB_CONFLICT:
		return FSC_TLB_CONFLICT;
	case FAULT_NONE:
		break;
	}
	return 0;
}

void s12_fault_syndrome(const struct s12_fault *f, enum access_type acc, unsigned from_el,
                        uint64_t va, struct s12_syndrome *out)
{
	bool fetch = acc == ACC_FETCH;
	bool write = acc == ACC_WRITE || acc == ACC_DC_WRITE;
	bool cm = acc == ACC_DC_READ || acc == ACC_DC_WRITE;
	uint64_t iss = s12_fsc(&f->f);
	unsigned ec;

	memset(out, 0, sizeof(*out));
	out->target_el = f->stage == 2 ? 2 : 1;
	out->far = va;
	if (out->target_el == 2 || from_el == 0)
		ec = fetch ? EC_IABT_LOW : EC_DABT_LOW; /* from a lower Exception level */
	else
		ec = fetch ? EC_IABT_CUR : EC_DABT_CUR;
	if (f->s1ptw)
		iss |= ISS_DABT_S1PTW; /* bit 7 in both the DFSC and the IFSC layouts */
	if (!fetch) {
		/* WnR: a stage 1 walk reads, so a fault on it has WnR = 0 (AArch64.S2Walk's
		 * iswrite = FALSE for s2fs1walk). */
		if (write && !f->s1ptw)
			iss |= ISS_DABT_WNR;
		if (cm)
			iss |= ISS_DABT_CM;
	}
	out->esr = (uint64_t)ec << ESR_EC_SHIFT | ESR_IL | iss;
	if (f->stage == 2 && (f->f.type == FAULT_TRANSLATION || f->f.type == FAULT_ADDRESS_SIZE ||
	                      f->f.type == FAULT_ACCESS_FLAG || f->f.type == FAULT_PERMISSION)) {
		/* HPFAR_EL2.FIPA[43:4] = IPA[51:12] (IPA[47:12] here: no FEAT_LPA). */
		out->hpfar = ((f->ipa & (BIT64(48) - 1)) >> 12) << 4;
		out->hpfar_valid = true;
	}
}
