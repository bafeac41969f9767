/*
 * casemate.c - `sim replay --casemate FILE` (casemate.h, docs/casemate.md): Casemate's trace
 * format read strictly, translated into model events, and hypsim's verdicts printed beside
 * Casemate's.
 *
 * The reader is casemate_read.c.
 *
 * Translation (docs/casemate.md has the reasons):
 *   - each distinct tid is one CPU of the model (at most MODEL_MAX_CPUS), at EL2;
 *   - mem-write: an aligned 8-byte store to the PA it names, whose own translation is
 *     not checked (model_event.u.mem.pa): Casemate records PAs, not the hypervisor's VAs;
 *   - mem-set: the same stores, 8 bytes at a time; mem-init: memory set to zero, no event
 *     (Casemate's "zero initialise", a ghost step); memory never named reads as zero;
 *   - barrier: DSB of its domain (ishst: DSB ST), ISB; tlbi: the TLBI with the value as
 *     its Xt operand (Casemate's TLBI_ADDR puts the page in [43:0] and TTL in [47:44]);
 *   - sysreg-write: ttbr0_el2, vttbr_el2, mair_el2 as written; hcr_el2 and sctlr_el2 by
 *     their bit 0 (VM, M: all Casemate reads), on top of the boot values; tcr_el2 and
 *     vtcr_el2 by T0SZ and TG0 (all Casemate reads), with the geometry Casemate assumes
 *     (4 KB granule, start level from T0SZ, stage 2 initial tables concatenated when 16 or
 *     fewer, 48-bit output, non-cacheable walks: the trace says nothing of caches);
 *   - a trace that writes vttbr_el2 (ttbr0_el2) but never hcr_el2 (sctlr_el2) runs with
 *     stage 2 (the EL2 MMU) on from the start: the Casemate that wrote such traces took a
 *     root as live at its vttbr_el2 (ttbr0_el2) write;
 *   - mem-read, mem-free, hint, lock, trylock, unlock: no event.
 */
#include "check/casemate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "machine/msg.h"
#include "s2.h"

enum { EXIT_OK = 0, EXIT_HAZARDS = 1, EXIT_USAGE = 2 };

#define CM_MAX_FILE    (64u << 20) /* bytes of trace read */
#define CM_MAX_SET     (1u << 20)  /* bytes of one mem-set (8-byte stores) */
#define CM_MAX_PAGES   16384u      /* 4 KiB pages of memory a trace may write (64 MiB) */
#define CM_PA_BITS     48

/* ---------- replay ---------- */

struct page {
	uint64_t pfn; /* page number + 1 (0: empty slot) */
	uint8_t *bytes;
};

struct found {
	struct hazard hz;
	size_t rec; /* index of the record it was reported at */
};

struct cm_run {
	struct page *pages;
	size_t cap, npages;
	struct found *hz;
	size_t nhz, caphz;
	size_t dropped;
	const struct cm_trace *t;
	bool oom;
};

static struct page *page_slot(struct cm_run *x, uint64_t pfn)
{
	size_t mask = x->cap - 1;
	for (size_t i = (size_t)(pfn * 0x9e3779b97f4a7c15u >> 20) & mask;; i = (i + 1) & mask)
		if (!x->pages[i].pfn || x->pages[i].pfn == pfn + 1)
			return &x->pages[i];
}

static uint8_t *page_get(struct cm_run *x, uint64_t pfn, bool create)
{
	if (!x->cap) {
		if (!create)
			return NULL;
		x->cap = 64;
		if (!(x->pages = calloc(x->cap, sizeof(*x->pages))))
			return NULL;
	}
	struct page *p = page_slot(x, pfn);
	if (p->pfn || !create)
		return p->pfn ? p->bytes : NULL;
	if (x->npages >= CM_MAX_PAGES)
		return NULL;
	if (2 * (x->npages + 1) > x->cap) {
		struct page *old = x->pages;
		size_t ocap = x->cap;
		x->cap *= 2;
		if (!(x->pages = calloc(x->cap, sizeof(*x->pages)))) {
			x->pages = old;
			x->cap = ocap;
			return NULL;
		}
		for (size_t i = 0; i < ocap; i++)
			if (old[i].pfn)
				*page_slot(x, old[i].pfn - 1) = old[i];
		free(old);
		p = page_slot(x, pfn);
	}
	if (!(p->bytes = calloc(1, 4096)))
		return NULL;
	p->pfn = pfn + 1;
	x->npages++;
	return p->bytes;
}

/* Memory as the program sees it: what the trace wrote, zero elsewhere (48-bit PAs). */
static bool cm_mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct cm_run *x = ctx;
	if (pa >> CM_PA_BITS || (len && (pa + len - 1) >> CM_PA_BITS))
		return false;
	uint8_t *out = buf;
	while (len) {
		size_t off = pa & 4095, n = 4096 - off;
		if (n > len)
			n = len;
		const uint8_t *p = page_get(x, pa >> 12, false);
		if (p)
			memcpy(out, p + off, n);
		else
			memset(out, 0, n);
		out += n;
		pa += n;
		len -= n;
	}
	return true;
}

static void on_hazard(void *arg, const struct hazard *hz)
{
	struct cm_run *x = arg;
	if (x->nhz == x->caphz) {
		size_t cap = x->caphz ? 2 * x->caphz : 16;
		if (cap > 4096) {
			x->dropped++;
			return;
		}
		void *p = realloc(x->hz, cap * sizeof(*x->hz));
		if (!p) {
			x->oom = true;
			return;
		}
		x->hz = p;
		x->caphz = cap;
	}
	/* ev.pc carries the record's index + 1 (casemate_run): a bbm found at a later event is
	 * stamped with its store's. */
	x->hz[x->nhz].hz = *hz;
	x->hz[x->nhz].rec = hz->pc ? (size_t)hz->pc - 1 : 0;
	x->nhz++;
}

/* Casemate's geometry (its pgtable.c reads T0SZ and TG0 only): 4 KB granule, start level
 * (48 - IA bits) / 9, stage 2 initial tables concatenated when 16 or fewer would do. */
static int geometry(const struct cm_record *e, uint64_t *out, char *err, size_t errlen)
{
	uint64_t v = e->value;
	unsigned t0sz = (unsigned)FIELD_GET(v, 0, 6), tg0 = (unsigned)FIELD_GET(v, 14, 2);
	bool s2 = e->reg == CM_VTCR_EL2;
	if (tg0 != TCR_TG0_4K) {
		snprintf(err, errlen, "%u: %s 0x%" PRIx64 ": TG0 is not the 4 KB granule (hypsim "
		                      "replays Casemate traces with 4 KB tables only)",
		         e->line, cm_sysreg_name(e->reg), v);
		return -1;
	}
	if (t0sz < 16 || t0sz > (s2 ? 33u : 39u)) {
		snprintf(err, errlen, "%u: %s 0x%" PRIx64 ": T0SZ %u outside 16..%u", e->line,
		         cm_sysreg_name(e->reg), v, t0sz, s2 ? 33u : 39u);
		return -1;
	}
	/* PS (TCR_EL2 [18:16], VTCR_EL2 [18:16]) = 0b101, 48 bits; IRGN/ORGN/SH 0. */
	uint64_t r = (uint64_t)t0sz | UINT64_C(5) << 16;
	if (!s2)
		return *out = r | BIT64(31) | BIT64(23), 0; /* TCR_EL2 RES1 bits */
	unsigned ia = 64 - t0sz, level = (48 - ia) / 9;
	unsigned entries_log2 = ia - (39 - 9 * level); /* entries of a level-`level` root */
	if (entries_log2 <= 4)
		level++; /* concatenated tables at the next level (R_RHRSBS) */
	/* SL0 for 4 KB: level 2 -> 0, 1 -> 1, 0 -> 2 (D17.2 VTCR_EL2.SL0). */
	*out = r | (uint64_t)(2 - level) << VTCR_SL0_SHIFT | BIT64(31); /* VTCR_EL2 bit 31 RES1 */
	return 0;
}

static void print_record(const struct cm_record *e, FILE *f)
{
	fprintf(f, "line %u (id %" PRIu64 ", tid %" PRIu64 ") %s", e->line, e->id, e->tid,
	        e->kind == CM_DSB ? "dsb" : cm_kind_name(e->kind));
	switch (e->kind) {
	case CM_MEM_WRITE:
		fprintf(f, " [0x%" PRIx64 "] = 0x%" PRIx64, e->addr, e->value);
		break;
	case CM_MEM_SET:
		fprintf(f, " [0x%" PRIx64 ", +0x%" PRIx64 ") = 0x%" PRIx64, e->addr, e->size,
		        e->value);
		break;
	case CM_MEM_INIT:
	case CM_MEM_FREE:
		fprintf(f, " [0x%" PRIx64 ", +0x%" PRIx64 ")", e->addr, e->size);
		break;
	case CM_TLBI:
		fprintf(f, " %s", tlbi_op_name(e->tlbi));
		if (e->has_value)
			fprintf(f, ", 0x%" PRIx64, e->value);
		break;
	case CM_SYSREG:
		fprintf(f, " %s = 0x%" PRIx64, cm_sysreg_name(e->reg), e->value);
		break;
	case CM_HINT:
		fprintf(f, " %s 0x%" PRIx64 " 0x%" PRIx64, cm_hint_name(e->hint), e->addr, e->value);
		break;
	case CM_LOCK:
	case CM_TRYLOCK:
	case CM_UNLOCK:
	case CM_MEM_READ:
		fprintf(f, " 0x%" PRIx64, e->addr);
		break;
	default:
		break;
	}
	fputc('\n', f);
}

/*
 * Deliver the trace to a model. Returns 0, or -1 with err ("LINE: problem") when a record
 * asks for something the translation cannot give (a PA beyond 48 bits, an unaligned
 * store, a geometry other than Casemate's, more threads than CPUs).
 */
static int casemate_run(const struct cm_trace *t, struct cm_run *x, unsigned *ncpus_out,
                        uint64_t *tids, char *err, size_t errlen)
{
	unsigned ncpus = 0;
	bool writes_hcr = false, writes_sctlr = false, writes_vttbr = false, writes_ttbr = false;
	for (size_t i = 0; i < t->n; i++) {
		const struct cm_record *e = &t->rec[i];
		unsigned k = 0;
		while (k < ncpus && tids[k] != e->tid)
			k++;
		if (k == ncpus) {
			if (ncpus == MODEL_MAX_CPUS) {
				snprintf(err, errlen, "%u: tid %" PRIu64 ": more than %u threads",
				         e->line, e->tid, MODEL_MAX_CPUS);
				return -1;
			}
			tids[ncpus++] = e->tid;
		}
		if (e->kind == CM_SYSREG) {
			writes_hcr |= e->reg == CM_HCR_EL2;
			writes_sctlr |= e->reg == CM_SCTLR_EL2;
			writes_vttbr |= e->reg == CM_VTTBR_EL2;
			writes_ttbr |= e->reg == CM_TTBR0_EL2;
		}
	}
	if (!ncpus)
		ncpus = 1;
	*ncpus_out = ncpus;
	struct model_cfg cfg = {
	    .ncpus = ncpus,
	    .tlb_policy = TLB_POLICY_SPECULATIVE,
	    .pa_bits = CM_PA_BITS,
	    .wb_policy = WB_ANY,
	    .on_hazard = on_hazard,
	    .hazard_arg = x,
	};
	struct mem_ops ops = {.read = cm_mem_read, .ctx = x};
	struct model *m = model_new(&cfg, &ops);
	if (!m) {
		snprintf(err, errlen, "1: out of memory");
		return -1;
	}
	uint64_t geo0 = 0, vgeo0 = 0;
	struct cm_record dflt = {.reg = CM_TCR_EL2, .value = 16, .line = 1};
	geometry(&dflt, &geo0, err, errlen);
	dflt.reg = CM_VTCR_EL2;
	geometry(&dflt, &vgeo0, err, errlen);
	struct model_cpu_reset rs = {.el = 2};
	/* A regime whose root the trace sets but whose enable it never writes is on from the
	 * start (older Casemate logs); one whose root it never sets stays off, so that no
	 * table at PA 0 is taken as live. */
	rs.sysreg[SR_SCTLR_EL2] = SCTLR_EL2_BOOT | (writes_ttbr && !writes_sctlr ? SCTLR_ELx_M : 0);
	rs.sysreg[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
	rs.sysreg[SR_HCR_EL2] = HCR_EL2_RW | (writes_vttbr && !writes_hcr ? HCR_EL2_VM : 0);
	rs.sysreg[SR_TCR_EL2] = geo0;
	rs.sysreg[SR_VTCR_EL2] = vgeo0;
	for (unsigned k = 0; k < ncpus; k++)
		model_reset_cpu(m, k, &rs);
	uint64_t sctlr[MODEL_MAX_CPUS], hcr[MODEL_MAX_CPUS];
	for (unsigned k = 0; k < ncpus; k++) {
		sctlr[k] = rs.sysreg[SR_SCTLR_EL2];
		hcr[k] = rs.sysreg[SR_HCR_EL2];
	}
	int rc = 0;
	for (size_t i = 0; i < t->n && !rc; i++) {
		const struct cm_record *e = &t->rec[i];
		unsigned cpu = 0;
		while (tids[cpu] != e->tid)
			cpu++;
		struct model_event ev = {.cpu = cpu, .pc = (uint64_t)i + 1};
		switch (e->kind) {
		case CM_MEM_WRITE:
		case CM_MEM_SET: {
			uint64_t size = e->kind == CM_MEM_WRITE ? 8 : e->size;
			uint64_t val = e->value;
			if (e->kind == CM_MEM_SET) {
				val = (e->value & 0xff) * UINT64_C(0x0101010101010101);
				if (e->value > 0xff || size > CM_MAX_SET || (size & 7)) {
					snprintf(err, errlen,
					         "%u: mem-set of 0x%" PRIx64 " bytes of 0x%" PRIx64
					         ": a byte value, a multiple of 8 bytes up to 0x%x expected",
					         e->line, size, e->value, CM_MAX_SET);
					rc = -1;
					break;
				}
			}
			if ((e->addr & 7) || e->addr >> CM_PA_BITS ||
			    (size && (e->addr + size - 1) >> CM_PA_BITS)) {
				snprintf(err, errlen,
				         "%u: %s at 0x%" PRIx64 ": not an 8-byte aligned address below "
				         "2^48",
				         e->line, cm_kind_name(e->kind), e->addr);
				rc = -1;
				break;
			}
			for (uint64_t off = 0; off < size && !rc; off += 8) {
				uint64_t pa = e->addr + off;
				ev.kind = EV_STORE;
				ev.u.mem.va = pa;
				ev.u.mem.size = 8;
				ev.u.mem.value = val;
				ev.u.mem.pa = true;
				model_step(m, &ev, NULL);
				uint8_t *p = page_get(x, pa >> 12, true);
				if (!p) {
					snprintf(err, errlen,
					         "%u: the trace writes more than %u pages of memory", e->line,
					         CM_MAX_PAGES);
					rc = -1;
					break;
				}
				for (unsigned b = 0; b < 8; b++)
					p[(pa & 4095) + b] = (uint8_t)(val >> (8 * b));
			}
			break;
		}
		case CM_MEM_INIT: {
			if (e->addr >> CM_PA_BITS || e->size > (UINT64_C(1) << CM_PA_BITS) - e->addr) {
				snprintf(err, errlen, "%u: mem-init of [0x%" PRIx64 ", +0x%" PRIx64
				                      ") beyond 2^48",
				         e->line, e->addr, e->size);
				rc = -1;
				break;
			}
			/* Only pages already written hold anything but zeros. */
			for (size_t s = 0; s < x->cap; s++) {
				struct page *p = &x->pages[s];
				if (!p->pfn)
					continue;
				uint64_t base = (p->pfn - 1) << 12;
				uint64_t lo = base > e->addr ? base : e->addr;
				uint64_t hi = base + 4096 < e->addr + e->size ? base + 4096
				                                              : e->addr + e->size;
				if (lo < hi)
					memset(p->bytes + (lo - base), 0, (size_t)(hi - lo));
			}
			break;
		}
		case CM_DSB:
			ev.kind = EV_DSB;
			ev.u.barrier.dom = e->dom;
			ev.u.barrier.type = e->btype;
			model_step(m, &ev, NULL);
			break;
		case CM_ISB:
			ev.kind = EV_ISB;
			model_step(m, &ev, NULL);
			break;
		case CM_TLBI:
			ev.kind = EV_TLBI;
			ev.u.tlbi.op = e->tlbi;
			ev.u.tlbi.arg = e->value;
			model_step(m, &ev, NULL);
			break;
		case CM_SYSREG: {
			ev.kind = EV_SYSREG;
			uint64_t v = e->value;
			switch (e->reg) {
			case CM_VTTBR_EL2: ev.u.sysreg.reg = SR_VTTBR_EL2; break;
			case CM_TTBR0_EL2: ev.u.sysreg.reg = SR_TTBR0_EL2; break;
			case CM_MAIR_EL2: ev.u.sysreg.reg = SR_MAIR_EL2; break;
			case CM_HCR_EL2:
				ev.u.sysreg.reg = SR_HCR_EL2;
				v = hcr[cpu] = (hcr[cpu] & ~HCR_EL2_VM) | (v & HCR_EL2_VM);
				break;
			case CM_SCTLR_EL2:
				ev.u.sysreg.reg = SR_SCTLR_EL2;
				v = sctlr[cpu] = (sctlr[cpu] & ~SCTLR_ELx_M) | (v & SCTLR_ELx_M);
				break;
			case CM_TCR_EL2:
			case CM_VTCR_EL2:
				ev.u.sysreg.reg = e->reg == CM_TCR_EL2 ? SR_TCR_EL2 : SR_VTCR_EL2;
				if (geometry(e, &v, err, errlen))
					rc = -1;
				break;
			default:
				rc = -1;
				snprintf(err, errlen, "%u: internal: sysreg %d", e->line, (int)e->reg);
				break;
			}
			ev.u.sysreg.value = v;
			if (!rc)
				model_step(m, &ev, NULL);
			break;
		}
		default:
			/* mem-read, mem-free, hint, lock, trylock, unlock: not hypsim's to judge. */
			break;
		}
	}
	if (!rc && t->n) {
		/* Stores are settled (break-before-make) at the next event: one DMB, which
		 * changes nothing, settles the last ones; its hazards are the last record's. */
		struct model_event ev = {.kind = EV_DMB, .pc = t->n};
		ev.u.barrier.dom = DOM_SY;
		ev.u.barrier.type = BAR_ALL;
		model_step(m, &ev, NULL);
	}
	model_free(m);
	if (!rc && x->oom) {
		snprintf(err, errlen, "1: out of memory");
		rc = -1;
	}
	return rc;
}

static void free_run(struct cm_run *x)
{
	for (size_t i = 0; i < x->cap; i++)
		free(x->pages[i].bytes);
	free(x->pages);
	free(x->hz);
}

int casemate_main(const char *file)
{
	char qpath[512], err[256], q[400];
	const char *name = msg_quote(file, qpath, sizeof(qpath));
	FILE *f = fopen(file, "rb");
	if (!f) {
		fprintf(stderr, "sim: %s: %s\n", name, strerror(errno));
		return EXIT_USAGE;
	}
	/* Read it whole, growing the buffer (most traces are a few KiB). */
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	while (buf && len <= CM_MAX_FILE) {
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap || len > CM_MAX_FILE)
			break;
		char *nb = realloc(buf, cap *= 2);
		if (!nb)
			free(buf);
		buf = nb;
	}
	bool rerr = ferror(f);
	fclose(f);
	if (!buf || rerr || len > CM_MAX_FILE) {
		fprintf(stderr, "sim: %s: %s\n", name,
		        !buf ? "out of memory" : rerr ? "read error" : "larger than 64 MiB");
		free(buf);
		return EXIT_USAGE;
	}
	struct cm_trace t;
	struct cm_run x = {.t = &t};
	uint64_t tids[MODEL_MAX_CPUS];
	unsigned ncpus = 0;
	int status = EXIT_USAGE;
	if (cm_parse(buf, len, &t, err, sizeof(err)) ||
	    casemate_run(&t, &x, &ncpus, tids, err, sizeof(err))) {
		fprintf(stderr, "sim: %s:%s\n", name, err);
		goto out;
	}
	printf("casemate trace %s: %zu records, %u thread%s, %zu Casemate verdict%s\n", name,
	       t.n, ncpus, ncpus == 1 ? "" : "s", t.nver, t.nver == 1 ? "" : "s");
	/* Side by side, in file order: each hazard under the record it was found at, each
	 * Casemate verdict under the record it follows. */
	size_t judged = 0, notjudged = 0;
	for (size_t i = 0; i <= t.n; i++) {
		bool header = false;
		for (size_t h = 0; h < x.nhz && i < t.n; h++) {
			if (x.hz[h].rec != i)
				continue;
			if (!header)
				print_record(&t.rec[i], stdout), header = true;
			printf("  hypsim:   %s: %s\n", hz_class_name(x.hz[h].hz.cls),
			       x.hz[h].hz.summary);
		}
		/* Verdicts after record i (i == t.n: those before any record). */
		size_t after = i < t.n ? i + 1 : 0;
		for (size_t v = 0; v < t.nver; v++) {
			if (t.ver[v].after != after)
				continue;
			const char *why;
			bool j = cm_verdict_judged(t.ver[v].text, &why);
			if (!header && i < t.n)
				print_record(&t.rec[i], stdout), header = true;
			printf("  casemate: ! %s (line %u)\n", msg_quote(t.ver[v].text, q, sizeof(q)),
			       t.ver[v].line);
			printf("            %s: %s\n",
			       j ? "judged by hypsim too" : "not judged by hypsim", why);
			j ? judged++ : notjudged++;
		}
	}
	if (x.dropped)
		printf("(%zu more hazards not listed)\n", x.dropped);
	size_t nhz = x.nhz + x.dropped;
	printf("summary: casemate %s, hypsim %s (%zu hazard%s): ",
	       judged ? "bad" : notjudged ? "bad, not on what hypsim judges" : "clean",
	       nhz ? "bad" : "clean", nhz, nhz == 1 ? "" : "s");
	if (judged || !notjudged)
		printf("%s\n", (judged > 0) == (nhz > 0) ? "agree" : "differ");
	else
		printf("no comparison\n");
	status = nhz ? EXIT_HAZARDS : EXIT_OK;
out:
	free_run(&x);
	cm_trace_free(&t);
	free(buf);
	return status;
}
