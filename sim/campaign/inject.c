/*
 * inject.c - hypsim's fault injection (see inject.h).
 */
#include "campaign/inject.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/hazards.h"
#include "engine/mmu.h"
#include "engine/sim.h"
#include "machine/decode.h"
#include "machine/machine.h"
#include "machine/msg.h"

static const char *const class_names[INJ_CLS_COUNT] = {
    [INJ_CLS_TLBI] = "tlbi", [INJ_CLS_DC] = "dc",   [INJ_CLS_IC] = "ic",   [INJ_CLS_DSB] = "dsb",
    [INJ_CLS_DMB] = "dmb",   [INJ_CLS_ISB] = "isb", [INJ_CLS_MSR] = "msr",
};

const char *inj_class_name(enum inj_class c)
{
	return c < INJ_CLS_COUNT ? class_names[c] : "?";
}

enum inj_class inj_class_from_name(const char *name, size_t len)
{
	for (int c = 0; c < INJ_CLS_COUNT; c++)
		if (strlen(class_names[c]) == len && !strncmp(class_names[c], name, len))
			return (enum inj_class)c;
	return INJ_CLS_COUNT;
}

enum inj_class inj_classify(uint32_t enc)
{
	struct model_event ev;
	if (dec_barrier(enc, &ev))
		return ev.kind == EV_DSB   ? INJ_CLS_DSB
		       : ev.kind == EV_DMB ? INJ_CLS_DMB
		                           : INJ_CLS_ISB;
	bool is_msr;
	if (dec_is_sys_reg(enc, &is_msr))
		return is_msr ? INJ_CLS_MSR : INJ_CLS_NONE;
	if (!dec_is_sys(enc) || (enc & (1u << 21))) /* SYSL is not maintenance */
		return INJ_CLS_NONE;
	unsigned op0, op1, crn, crm, op2;
	dec_sys_fields(enc, &op0, &op1, &crn, &crm, &op2);
	if (!dec_sys(op1, crn, crm, op2, 0, &ev))
		return INJ_CLS_NONE;
	switch (ev.kind) {
	case EV_TLBI:
		return INJ_CLS_TLBI;
	case EV_DC:
		return INJ_CLS_DC;
	case EV_IC:
		return INJ_CLS_IC;
	default:
		return INJ_CLS_NONE; /* AT */
	}
}

/* C6.2 DSB/DMB option field (CRm). */
static const struct {
	const char *name;
	unsigned crm;
} options[] = {
    {"oshld", 1}, {"oshst", 2},  {"osh", 3},  {"nshld", 5}, {"nshst", 6}, {"nsh", 7},
    {"ishld", 9}, {"ishst", 10}, {"ish", 11}, {"ld", 13},   {"st", 14},   {"sy", 15},
};

bool inj_barrier_option(const char *name, unsigned *crm)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (!strcmp(options[i].name, name)) {
			*crm = options[i].crm;
			return true;
		}
	return false;
}

static int fail(char *err, size_t len, const char *spec, const char *why)
{
	char q[160];
	snprintf(err, len, "--inject %s: %s", msg_quote(spec, q, sizeof(q)), why);
	return -1;
}

/* A decimal or 0x number that fills [s, end). */
static bool number(const char *s, const char *end, uint64_t *out)
{
	if (s == end || *s < '0' || *s > '9')
		return false;
	char buf[32];
	if ((size_t)(end - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = 0;
	char *e;
	errno = 0;
	unsigned long long v = strtoull(buf, &e, 0);
	if (*e || errno)
		return false;
	*out = v;
	return true;
}

/* "#N" at [s, end): N >= 1. */
static bool nth_of(const char *s, const char *end, uint64_t *n)
{
	return s < end && *s == '#' && number(s + 1, end, n) && *n > 0;
}

/* WHERE[#N] in [s, end): SYMBOL[+OFF] or 0xADDR. */
static int parse_where(const char *s, const char *end, struct inj_spec *o, char *err, size_t len)
{
	const char *hash = memchr(s, '#', (size_t)(end - s));
	o->nth = 0;
	if (hash) {
		if (!nth_of(hash, end, &o->nth))
			return fail(err, len, o->text, "expected #N with N >= 1 after the address");
		end = hash;
	}
	if (s == end)
		return fail(err, len, o->text, "missing SYMBOL[+OFF] or 0xADDR after '@'");
	if (*s >= '0' && *s <= '9') {
		if (!number(s, end, &o->addr))
			return fail(err, len, o->text, "bad address (expected 0x...)");
		if (o->addr & 3)
			return fail(err, len, o->text, "address is not 4-byte aligned");
		return 0;
	}
	const char *plus = NULL;
	for (const char *p = s; p < end; p++)
		if (*p == '+')
			plus = p;
	const char *name_end = plus ? plus : end;
	if ((size_t)(name_end - s) >= sizeof(o->sym) || name_end == s)
		return fail(err, len, o->text, "bad symbol name");
	memcpy(o->sym, s, (size_t)(name_end - s));
	o->sym[name_end - s] = 0;
	if (plus && !number(plus + 1, end, &o->sym_off))
		return fail(err, len, o->text, "bad offset after '+' (expected a number)");
	if (o->sym_off & 3)
		return fail(err, len, o->text, "offset is not a multiple of 4");
	return 0;
}

/* CLASS#N in [s, end). */
static int parse_class(const char *s, const char *end, struct inj_spec *o, char *err, size_t len)
{
	const char *hash = memchr(s, '#', (size_t)(end - s));
	if (!hash)
		return fail(err, len, o->text, "expected CLASS#N (e.g. dsb#3)");
	o->cls = inj_class_from_name(s, (size_t)(hash - s));
	if (o->cls == INJ_CLS_COUNT)
		return fail(err, len, o->text,
		            "unknown class (expected tlbi, dc, ic, dsb, dmb, isb or msr)");
	if (!nth_of(hash, end, &o->nth))
		return fail(err, len, o->text, "expected #N with N >= 1 after the class");
	return 0;
}

int inj_parse(const char *spec, struct inj_spec *o, char *err, size_t len)
{
	memset(o, 0, sizeof(*o));
	o->cls = INJ_CLS_NONE;
	char q[sizeof(o->text)];
	snprintf(o->text, sizeof(o->text), "%s", msg_quote(spec, q, sizeof(q))); /* for messages */
	if (strlen(spec) >= sizeof(o->text))
		return fail(err, len, o->text, "too long");
	const char *end = spec + strlen(spec);
	if (!strncmp(spec, "writeback=", 10)) {
		o->kind = INJ_WRITEBACK;
		if (!wb_policy_parse(spec + 10, &o->wb, &o->wb_seed))
			return fail(
			    err, len, spec,
			    "expected writeback=any, writeback=never or writeback=random:SEED "
			    "(SEED a number)");
		return 0;
	}
	if (!strncmp(spec, "tlb=", 4)) {
		o->kind = INJ_TLB;
		if (strcmp(spec + 4, "speculative") && strcmp(spec + 4, "accessed"))
			return fail(err, len, spec, "expected tlb=speculative or tlb=accessed");
		o->tlb_accessed = !strcmp(spec + 4, "accessed");
		return 0;
	}
	if (!strncmp(spec, "flip@", 5)) {
		o->kind = INJ_FLIP;
		const char *colon = strchr(spec, ':'), *hash = strchr(spec, '#');
		uint64_t bit;
		if (!colon || !hash || hash < colon)
			return fail(err, len, spec, "expected flip@PA:BIT#N");
		if (!number(spec + 5, colon, &o->pa))
			return fail(err, len, spec, "bad PA (expected 0x...)");
		if (o->pa & 7)
			return fail(err, len, spec, "PA is not 8-byte aligned (the word flipped)");
		if (!number(colon + 1, hash, &bit) || bit > 63)
			return fail(err, len, spec, "BIT must be 0..63");
		o->bit = (unsigned)bit;
		if (!nth_of(hash, end, &o->nth))
			return fail(err, len, spec,
			            "expected #N with N >= 1 (before instruction N)");
		return 0;
	}
	bool drop = !strncmp(spec, "drop", 4);
	bool weaken = !strncmp(spec, "weaken", 6);
	if (!drop && !weaken)
		return fail(err, len, spec,
		            "unknown injection (expected drop@, drop=, weaken@, weaken=, flip@, "
		            "tlb= or writeback=)");
	o->kind = drop ? INJ_DROP : INJ_WEAKEN;
	const char *p = spec + (drop ? 4 : 6);
	if (weaken) {
		const char *colon = strrchr(p, ':');
		if (!colon || !inj_barrier_option(colon + 1, &o->option))
			return fail(
			    err, len, spec,
			    "expected :OPTION at the end (sy, st, ld, ish, ishst, ishld, nsh, "
			    "nshst, nshld, osh, oshst, oshld)");
		end = colon;
	}
	if (*p == '@')
		return parse_where(p + 1, end, o, err, len);
	if (*p == '=') {
		if (parse_class(p + 1, end, o, err, len))
			return -1;
		if (weaken && o->cls != INJ_CLS_DSB && o->cls != INJ_CLS_DMB)
			return fail(err, len, spec, "only a dsb or dmb can be weakened");
		return 0;
	}
	return fail(err, len, spec,
	            drop ? "expected drop@WHERE or drop=CLASS#N"
	                 : "expected weaken@WHERE:OPT or weaken=CLASS#N:OPT");
}

int inject_add(struct inject *inj, const struct inj_spec *spec)
{
	if (inj->nspecs == inj->cap) {
		size_t cap = inj->cap ? 2 * inj->cap : 8;
		struct inj_spec *n = realloc(inj->specs, cap * sizeof(*n));
		if (!n)
			return -1;
		inj->specs = n;
		inj->cap = cap;
	}
	inj->specs[inj->nspecs++] = *spec;
	return 0;
}

int inject_resolve(struct inject *inj, const struct image *img, uint64_t ram_base,
                   uint64_t ram_size, char *err, size_t len)
{
	inj->any_addr = false;
	for (size_t i = 0; i < inj->nspecs; i++) {
		struct inj_spec *o = &inj->specs[i];
		if (o->kind == INJ_FLIP && !mach_pa_in_ram(ram_base, ram_size, o->pa, 8))
			return fail(err, len, o->text, "PA is not in RAM");
		if ((o->kind != INJ_DROP && o->kind != INJ_WEAKEN) || o->cls != INJ_CLS_NONE)
			continue;
		inj->any_addr = true;
		if (!o->sym[0])
			continue;
		const struct img_symbol *sym = NULL;
		for (size_t k = 0; k < img->nsyms; k++)
			if (!strcmp(img->syms[k].name, o->sym)) {
				/* A function symbol wins over a label at the same name. */
				if (!sym || (img->syms[k].func && !sym->func))
					sym = &img->syms[k];
			}
		if (!sym) {
			char qs[160], qp[256];
			snprintf(err, len, "--inject %s: no symbol '%s' in %s", o->text,
			         msg_quote(o->sym, qs, sizeof(qs)),
			         msg_quote(img->path ? img->path : "the firmware", qp, sizeof(qp)));
			return -1;
		}
		o->addr = sym->addr + o->sym_off;
	}
	return 0;
}

/*
 * Skip the instruction at pc: Unicorn continues at pc + 4 in a new block, which the block
 * hook counts again, so take back what it counted of this block from pc on (the dropped
 * instruction did not execute). The block it abandons can no longer end with an ERET or be
 * a hang candidate.
 */
static void skip(struct sim *s, uint64_t pc)
{
	if (pc >= s->blk_va && pc < s->blk_va + s->blk_size)
		s->insns -= (s->blk_va + s->blk_size - pc) / 4;
	s->blk_size = pc > s->blk_va ? (uint32_t)(pc - s->blk_va) : 0;
	s->prev_block_eret = false;
	s->prev_block_va = UINT64_MAX;
	uint64_t npc = pc + 4;
	uc_reg_write(s->uc, UC_ARM64_REG_PC, &npc);
}

static void flip(struct sim *s, struct inj_spec *o)
{
	uint8_t *b = s->ram + (o->pa - s->opt.ram_base) + o->bit / 8;
	*b ^= (uint8_t)(1u << (o->bit % 8));
	o->applied++;
	/* The word may be a descriptor: Unicorn must walk again (a host TLBI, as
	 * hazards.c does after a store to a live table). */
	cpu_flush_tlb(s);
	check_tables_dirty(s);
}

/* Does the spec's address name the instruction at pc (its VA, or the PA it runs from)? */
static bool at_addr(struct sim *s, const struct inj_spec *o, uint64_t pc, uint64_t *pa,
                    bool *pa_known)
{
	if (o->addr == pc)
		return true;
	if (!*pa_known) {
		struct mmu_xlate x;
		mmu_translate(s, pc, ACC_FETCH, 4, &x);
		*pa = x.mmu_on && x.fault.type == FAULT_NONE ? x.pa : pc;
		*pa_known = true;
	}
	return o->addr == *pa;
}

bool inject_code(struct sim *s, uint64_t pc, uint32_t *enc)
{
	struct inject *inj = s->inj;
	inj->insns++;
	if (inj->tick && inj->insns == inj->next_tick)
		inj->tick(inj->tick_arg, s);
	enum inj_class cls = inj_classify(*enc);
	uint64_t nth = 0;
	if (cls != INJ_CLS_NONE)
		nth = ++inj->count[cls];
	bool drop = false;
	uint64_t pa = pc;
	bool pa_known = false;
	for (size_t i = 0; i < inj->nspecs; i++) {
		struct inj_spec *o = &inj->specs[i];
		switch (o->kind) {
		case INJ_FLIP:
			if (inj->insns == o->nth)
				flip(s, o);
			continue;
		case INJ_TLB:
		case INJ_WRITEBACK:
			continue;
		case INJ_DROP:
		case INJ_WEAKEN:
			break;
		}
		bool hit;
		if (o->cls != INJ_CLS_NONE)
			hit = cls == o->cls && nth == o->nth;
		else if ((hit = at_addr(s, o, pc, &pa, &pa_known)))
			hit = ++o->seen == o->nth || o->nth == 0;
		if (!hit)
			continue;
		if (o->kind == INJ_DROP) {
			drop = true;
			o->applied++;
		} else if (cls == INJ_CLS_DSB || cls == INJ_CLS_DMB) {
			*enc = (*enc & ~UINT32_C(0xf00)) | (o->option << 8);
			o->applied++;
		}
	}
	if (cls != INJ_CLS_NONE && (inj->occ_mask & (1u << cls)) &&
	    inj->occ(inj->occ_arg, s, cls, nth, pc, *enc))
		drop = true;
	if (drop)
		skip(s, pc);
	return drop;
}

void inject_on_report(struct sim *s, const struct rep_entry *e, bool is_new)
{
	struct inject *inj = s->inj;
	if (!is_new) {
		if (inj->on_report)
			inj->on_report(inj->report_arg, s, e, false);
		return;
	}
	if (inj->nreports == inj->cap_reports) {
		size_t cap = inj->cap_reports ? 2 * inj->cap_reports : 16;
		struct inj_report *n = realloc(inj->reports, cap * sizeof(*n));
		if (!n)
			return;
		inj->reports = n;
		inj->cap_reports = cap;
	}
	struct inj_report *r = &inj->reports[inj->nreports++];
	memset(r, 0, sizeof(*r));
	r->cls = e->hz.cls;
	r->cpu = e->hz.cpu;
	r->ev = e->hz.ev;
	r->va = e->hz.pc;
	snprintf(r->sym, sizeof(r->sym), "%s", e->an.pc.known ? e->an.pc.sym : "");
	snprintf(r->text, sizeof(r->text), "%.95s", e->an.pc.known ? e->an.pc.text : "");
	snprintf(r->summary, sizeof(r->summary), "%s", e->hz.summary);
	for (unsigned k = 1; k < e->hz.n_outcomes && r->ncause < 4; k++)
		r->cause_pc[r->ncause++] = e->hz.outcomes[k].cause.pc;
	if (inj->on_report)
		inj->on_report(inj->report_arg, s, e, true);
}

size_t inject_unapplied(const struct inject *inj, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < inj->nspecs; i++) {
		const struct inj_spec *o = &inj->specs[i];
		if (o->kind == INJ_TLB || o->kind == INJ_WRITEBACK || o->applied)
			continue;
		fprintf(stderr, "sim: %s: --inject %s: never took effect (%s)\n", name, o->text,
		        o->kind == INJ_FLIP ? "the run ended before that instruction"
		        : o->kind == INJ_WEAKEN && o->seen
		            ? "the instruction there is not a DSB/DMB"
		            : "no such instruction was executed");
		n++;
	}
	return n;
}

void inject_options(const struct inj_spec *spec, struct sim_options *o)
{
	if (spec->kind == INJ_TLB)
		o->tlb_accessed = spec->tlb_accessed;
	if (spec->kind == INJ_WRITEBACK) {
		o->wb_policy = spec->wb;
		o->wb_seed = spec->wb_seed;
	}
}

void inject_free(struct inject *inj)
{
	if (!inj)
		return;
	free(inj->specs);
	free(inj->reports);
	free(inj);
}

const struct sim_inject_hooks inject_hooks = {
	.code = inject_code,
	.report = inject_on_report,
};
