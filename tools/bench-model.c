/*
 * bench-model - throughput of the hypsim checker on a synthetic event stream.
 *
 * Builds a 32 MiB RAM image with an identity map of 4K pages (EL2 regime, caches on),
 * enables the MMU through the model as firmware would, then feeds N events (default
 * 10 000 000): 40% fetches (straight-line code in a 64 KiB loop), 35% loads and 24% stores
 * over a 256 KiB data set, and 1% maintenance (DC CVAC + DSB, TLBI VAE2 + DSB, ISB),
 * replayed from a pre-generated ring of 64 Ki events. Prints events/s for the whole mix
 * and for a run of TLB-hit loads/stores/fetches only, per CPU second of this process (the
 * machine may be shared), with the wall time beside it.
 *
 * Usage: bench-model [EVENTS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch.h"
#include "model.h"

#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE (UINT64_C(32) << 20)
#define CODE     RAM_BASE
#define DATA     (RAM_BASE + (UINT64_C(4) << 20))
#define TABLES   (RAM_BASE + (UINT64_C(24) << 20))

struct ram {
	uint8_t *b;
	uint64_t next;
};

static bool ram_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct ram *r = ctx;
	if (pa < RAM_BASE || pa - RAM_BASE > RAM_SIZE || len > RAM_SIZE - (pa - RAM_BASE))
		return false;
	memcpy(buf, r->b + (pa - RAM_BASE), len);
	return true;
}

static uint64_t r64(struct ram *r, uint64_t pa)
{
	uint64_t v;
	memcpy(&v, r->b + (pa - RAM_BASE), 8);
	return v;
}

static void w64(struct ram *r, uint64_t pa, uint64_t v)
{
	memcpy(r->b + (pa - RAM_BASE), &v, 8);
}

static uint64_t table(struct ram *r)
{
	uint64_t pa = r->next;
	r->next += 4096;
	return pa;
}

/* 4K identity map, T0SZ = 25 (walks start at level 1). */
static uint64_t idmap(struct ram *r)
{
	uint64_t root = table(r);
	for (uint64_t va = RAM_BASE; va < RAM_BASE + RAM_SIZE; va += 4096) {
		uint64_t t = root;
		for (int l = 1; l < 3; l++) {
			uint64_t dpa = t + 8 * ((va >> (12 + 9 * (3 - l))) & 511);
			uint64_t d = r64(r, dpa);
			if (!(d & 1)) {
				d = table(r) | 3;
				w64(r, dpa, d);
			}
			t = d & DESC_OA_MASK_48;
		}
		w64(r, t + 8 * ((va >> 12) & 511),
		    va | DESC_AF | (UINT64_C(3) << DESC_SH_SHIFT) | 3);
	}
	return root;
}

static unsigned long hazards;

static void on_hazard(void *arg, const struct hazard *hz)
{
	(void)arg;
	(void)hz;
	hazards++;
}

/* CPU time of this process: the machine may be shared, and waiting is not the model's. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void step(struct model *m, struct model_event *ev)
{
	struct model_step_result res;
	model_step(m, ev, &res);
}

static void ev_simple(struct model *m, enum ev_kind k)
{
	struct model_event ev = {.kind = k, .pc = CODE};
	ev.u.barrier.dom = DOM_ISH;
	ev.u.barrier.type = BAR_ALL;
	step(m, &ev);
}

static void ev_msr(struct model *m, enum sysreg_id r, uint64_t v)
{
	struct model_event ev = {.kind = EV_SYSREG, .pc = CODE};
	ev.u.sysreg.reg = r;
	ev.u.sysreg.value = v;
	step(m, &ev);
}

#define RING (1u << 16)

/*
 * Pre-generate RING events of the mix (maint: with 1% maintenance; otherwise only
 * accesses that hit the TLB), so that the timed loop measures the model, not the
 * generator. Maintenance entries are expanded into their DC/TLBI + DSB pairs.
 */
static unsigned gen_ring(struct model_event *ring, bool maint)
{
	uint64_t pc = CODE;
	unsigned n = 0;
	while (n < RING - 2) {
		struct model_event ev = {.pc = pc};
		unsigned k = (unsigned)(xorshift() % 100);
		uint64_t va = DATA + ((xorshift() % (256 * 1024)) & ~UINT64_C(7));
		if (k < 40 || (!maint && k >= 99)) {
			ev.kind = EV_FETCH;
			ev.u.mem.va = pc;
			ev.u.mem.size = 4;
			pc = CODE + ((pc + 4 - CODE) & 0xffff);
		} else if (k < 75) {
			ev.kind = EV_LOAD;
			ev.u.mem.va = va;
			ev.u.mem.size = 8;
		} else if (k < 99) {
			ev.kind = EV_STORE;
			ev.u.mem.va = va;
			ev.u.mem.size = 8;
			ev.u.mem.value = xorshift();
		} else {
			unsigned which = (unsigned)(xorshift() % 3);
			if (which == 0) {
				ev.kind = EV_DC;
				ev.u.dc.op = DC_CVAC;
				ev.u.dc.arg = va;
			} else if (which == 1) {
				ev.kind = EV_TLBI;
				ev.u.tlbi.op = TLBI_VAE2;
				ev.u.tlbi.arg = va >> 12;
			} else {
				ev.kind = EV_ISB;
			}
			ring[n++] = ev;
			if (which == 2)
				continue;
			ev.kind = EV_DSB;
			ev.u.barrier.dom = DOM_ISH;
			ev.u.barrier.type = BAR_ALL;
		}
		ring[n++] = ev;
	}
	return n;
}

/* Feed n events from the ring; stores land in RAM after their event (PA = VA here). */
static void run(struct model *m, struct ram *r, const struct model_event *ring, unsigned len,
                unsigned long n)
{
	struct model_step_result res;
	unsigned i = 0;
	for (unsigned long k = 0; k < n; k++) {
		const struct model_event *ev = &ring[i];
		model_step(m, ev, &res);
		if (ev->kind == EV_STORE)
			w64(r, ev->u.mem.va, ev->u.mem.value);
		if (++i == len)
			i = 0;
	}
}

int main(int argc, char **argv)
{
	unsigned long n = 10000000;
	if (argc > 1) {
		char *end;
		n = strtoul(argv[1], &end, 0);
		if (*end || !n) {
			fprintf(stderr, "bench-model: bad event count '%s'\n", argv[1]);
			return 2;
		}
	}
	struct ram r = {calloc(1, RAM_SIZE), TABLES};
	if (!r.b) {
		fprintf(stderr, "bench-model: out of memory\n");
		return 1;
	}
	uint64_t root = idmap(&r);
	struct mem_ops ops = {ram_read, &r};
	struct model_cfg cfg = {
	    .ncpus = 1, .tlb_policy = TLB_POLICY_SPECULATIVE, .pa_bits = 44, .on_hazard = on_hazard};
	struct model *m = model_new(&cfg, &ops);
	ev_msr(m, SR_MAIR_EL2, 0xff);
	ev_msr(m, SR_TCR_EL2, 25 | (1u << 8) | (1u << 10) | (3u << 12) | (2u << 16));
	ev_msr(m, SR_TTBR0_EL2, root);
	ev_simple(m, EV_ISB);
	struct model_event t = {.kind = EV_TLBI, .pc = CODE};
	t.u.tlbi.op = TLBI_ALLE2;
	step(m, &t);
	ev_simple(m, EV_DSB);
	ev_msr(m, SR_SCTLR_EL2, SCTLR_EL2_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I);
	ev_simple(m, EV_ISB);

	struct model_event *mix = calloc(RING, sizeof(*mix));
	struct model_event *hit = calloc(RING, sizeof(*hit));
	if (!mix || !hit) {
		fprintf(stderr, "bench-model: out of memory\n");
		return 1;
	}
	unsigned nmix = gen_ring(mix, true), nhit = gen_ring(hit, false);
	/* Warm up: every page and line of the working set once. */
	run(m, &r, hit, nhit, nhit);

	uint64_t s0 = model_seq(m);
	double w0 = wall_s(), t0 = now_s();
	run(m, &r, mix, nmix, n);
	double t1 = now_s(), w1 = wall_s();
	uint64_t mix_events = model_seq(m) - s0;

	run(m, &r, hit, nhit, nhit);
	s0 = model_seq(m);
	double w2 = wall_s(), t2 = now_s();
	run(m, &r, hit, nhit, n);
	double t3 = now_s(), w3 = wall_s();
	uint64_t hit_events = model_seq(m) - s0;

	printf("mix:     %llu events in %.3f s CPU (%.3f s wall): %.2f M events/s\n",
	       (unsigned long long)mix_events, t1 - t0, w1 - w0,
	       (double)mix_events / (t1 - t0) / 1e6);
	printf("tlb-hit: %llu events in %.3f s CPU (%.3f s wall): %.2f M events/s\n",
	       (unsigned long long)hit_events, t3 - t2, w3 - w2,
	       (double)hit_events / (t3 - t2) / 1e6);
	printf("hazards: %lu\n", hazards);
	model_free(m);
	free(mix);
	free(hit);
	free(r.b);
	return 0;
}
