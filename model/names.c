/*
 * names.c - stable names of the model's enums (DESIGN §3 hazard ids, Arm ARM mnemonics),
 * used in reports, traces and the command line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define NAME(tab, i) ((unsigned)(i) < sizeof(tab) / sizeof(tab[0]) && tab[i] ? tab[i] : "?")

static const char *const hz_names[HZ_CLASS_COUNT] = {
    [HZ_STALE_TLB] = "stale-tlb",
    [HZ_BBM] = "bbm",
    [HZ_WALK_NOT_AT_POC] = "walk-not-at-poc",
    [HZ_FETCH_NOT_AT_POC] = "fetch-not-at-poc",
    [HZ_DATA_NOT_AT_POC] = "data-not-at-poc",
    [HZ_ICACHE_STALE] = "icache-stale",
    [HZ_LOST_WRITE] = "lost-write",
    [HZ_MISSING_DSB] = "missing-dsb",
    [HZ_MISSING_ISB] = "missing-isb",
    [HZ_UNEXPECTED_EXCEPTION] = "unexpected-exception",
    [HZ_GUEST_HANG] = "guest-hang",
};

const char *hz_class_name(enum hz_class c)
{
	return NAME(hz_names, c);
}

bool hz_class_from_name(const char *name, enum hz_class *out)
{
	for (unsigned i = 0; i < HZ_CLASS_COUNT; i++) {
		if (!strcmp(name, hz_names[i])) {
			*out = (enum hz_class)i;
			return true;
		}
	}
	return false;
}

static const char *const sr_names[SR_COUNT] = {
    [SR_SCTLR_EL1] = "SCTLR_EL1", [SR_SCTLR_EL2] = "SCTLR_EL2", [SR_TTBR0_EL1] = "TTBR0_EL1",
    [SR_TTBR1_EL1] = "TTBR1_EL1", [SR_TTBR0_EL2] = "TTBR0_EL2", [SR_TCR_EL1] = "TCR_EL1",
    [SR_TCR_EL2] = "TCR_EL2",     [SR_MAIR_EL1] = "MAIR_EL1",   [SR_MAIR_EL2] = "MAIR_EL2",
    [SR_VBAR_EL1] = "VBAR_EL1",   [SR_VBAR_EL2] = "VBAR_EL2",   [SR_HCR_EL2] = "HCR_EL2",
    [SR_VTCR_EL2] = "VTCR_EL2",   [SR_VTTBR_EL2] = "VTTBR_EL2",
};

const char *sysreg_name(enum sysreg_id r)
{
	return NAME(sr_names, r);
}

static const char *const ev_names[EV_COUNT] = {
    [EV_FETCH] = "fetch", [EV_LOAD] = "load", [EV_STORE] = "store", [EV_SYSREG] = "sysreg",
    [EV_TLBI] = "tlbi",   [EV_DC] = "dc",     [EV_IC] = "ic",       [EV_AT] = "at",
    [EV_DSB] = "dsb",     [EV_DMB] = "dmb",   [EV_ISB] = "isb",     [EV_EXC_ENTRY] = "exception",
    [EV_ERET] = "eret",
};

const char *ev_kind_name(enum ev_kind k)
{
	return NAME(ev_names, k);
}

static const char *const tlbi_names[TLBI_OP_COUNT] = {
    [TLBI_ALLE2] = "alle2",
    [TLBI_ALLE2IS] = "alle2is",
    [TLBI_VAE2] = "vae2",
    [TLBI_VAE2IS] = "vae2is",
    [TLBI_VALE2] = "vale2",
    [TLBI_VALE2IS] = "vale2is",
    [TLBI_ALLE1] = "alle1",
    [TLBI_ALLE1IS] = "alle1is",
    [TLBI_VMALLE1] = "vmalle1",
    [TLBI_VMALLE1IS] = "vmalle1is",
    [TLBI_VMALLS12E1] = "vmalls12e1",
    [TLBI_VMALLS12E1IS] = "vmalls12e1is",
    [TLBI_VAE1] = "vae1",
    [TLBI_VAE1IS] = "vae1is",
    [TLBI_VALE1] = "vale1",
    [TLBI_VALE1IS] = "vale1is",
    [TLBI_VAAE1] = "vaae1",
    [TLBI_VAAE1IS] = "vaae1is",
    [TLBI_VAALE1] = "vaale1",
    [TLBI_VAALE1IS] = "vaale1is",
    [TLBI_ASIDE1] = "aside1",
    [TLBI_ASIDE1IS] = "aside1is",
    [TLBI_IPAS2E1] = "ipas2e1",
    [TLBI_IPAS2E1IS] = "ipas2e1is",
    [TLBI_IPAS2LE1] = "ipas2le1",
    [TLBI_IPAS2LE1IS] = "ipas2le1is",
};

const char *tlbi_op_name(enum tlbi_op op)
{
	return NAME(tlbi_names, op);
}

static const char *const dc_names[DC_OP_COUNT] = {
    [DC_CVAC] = "cvac", [DC_CIVAC] = "civac", [DC_CVAU] = "cvau",
    [DC_CVAP] = "cvap", [DC_IVAC] = "ivac",   [DC_ZVA] = "zva",
    [DC_ISW] = "isw",   [DC_CSW] = "csw",     [DC_CISW] = "cisw",
};

const char *dc_op_name(enum dc_op op)
{
	return NAME(dc_names, op);
}

static const char *const ic_names[IC_OP_COUNT] = {
    [IC_IALLU] = "iallu", [IC_IALLUIS] = "ialluis", [IC_IVAU] = "ivau"};

const char *ic_op_name(enum ic_op op)
{
	return NAME(ic_names, op);
}

static const char *const at_names[AT_OP_COUNT] = {
    [AT_S1E2R] = "s1e2r", [AT_S1E2W] = "s1e2w", [AT_S1E1R] = "s1e1r",
    [AT_S1E1W] = "s1e1w", [AT_S1E0R] = "s1e0r", [AT_S1E0W] = "s1e0w",
};

const char *at_op_name(enum at_op op)
{
	return NAME(at_names, op);
}

static const char *const dom_names[] = {
    [DOM_NSH] = "nsh", [DOM_ISH] = "ish", [DOM_OSH] = "osh", [DOM_SY] = "sy"};

const char *barrier_domain_name(enum barrier_domain d)
{
	return NAME(dom_names, d);
}

void wb_policy_format(enum wb_policy p, uint64_t seed, char *buf, size_t len)
{
	if (p == WB_RANDOM)
		snprintf(buf, len, "random:%" PRIu64, seed);
	else
		snprintf(buf, len, "%s", p == WB_NEVER ? "never" : "any");
}

bool wb_policy_parse(const char *text, enum wb_policy *p, uint64_t *seed)
{
	*seed = 0;
	if (!strcmp(text, "any") || !strcmp(text, "never")) {
		*p = text[0] == 'a' ? WB_ANY : WB_NEVER;
		return true;
	}
	if (strncmp(text, "random:", 7))
		return false;
	const char *s = text + 7;
	if (*s < '0' || *s > '9')
		return false; /* strtoull would take a sign or spaces */
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || errno)
		return false;
	*p = WB_RANDOM;
	*seed = v;
	return true;
}
