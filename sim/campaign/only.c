/*
 * only.c - `sim campaign --only` (see only.h).
 */
#include "campaign/only.h"

#include <stdlib.h>
#include <string.h>

#include "engine/mmu.h"
#include "engine/sim.h"
#include "machine/msg.h"

/* Linux prefixes the symbols of its nVHE hypervisor objects (arch/arm64/kvm/hyp/nvhe:
 * __kvm_hyp_init is __kvm_nvhe___kvm_hyp_init in System.map and vmlinux). */
#define KVM_NVHE_PREFIX "__kvm_nvhe_"

bool only_add(struct only_set *o, const char *list)
{
	for (const char *p = list;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!n) {
			char q[256];
			fprintf(stderr, "sim: --only %s: expected SYMBOL[,SYMBOL]...\n",
			        msg_quote(list, q, sizeof(q)));
			return false;
		}
		char **nl = realloc(o->names, (o->nnames + 1) * sizeof(*nl));
		if (nl)
			o->names = nl;
		if (!nl || !(nl[o->nnames] = strndup(p, n))) {
			fprintf(stderr, "sim: out of memory\n");
			return false;
		}
		o->nnames++;
		if (!e)
			break;
		p = e + 1;
	}
	return true;
}

static bool add_range(struct only_set *o, uint64_t lo, uint64_t hi)
{
	struct only_range *n = realloc(o->ranges, (o->nranges + 1) * sizeof(*n));
	if (!n)
		return false;
	o->ranges = n;
	o->ranges[o->nranges++] = (struct only_range){lo, hi};
	return true;
}

/* The ranges of one name: every symbol so called, from its address to its end (ELF
 * st_size) or, without a size, to the next symbol's address (as reports attribute a PC to
 * the symbol before it), or its segment's end. Returns how many symbols have the name. */
static size_t name_ranges(struct only_set *o, const struct image *img, const char *name,
                          bool *oom)
{
	size_t found = 0;
	for (size_t i = 0; i < img->nsyms; i++) {
		const struct img_symbol *y = &img->syms[i];
		if (strcmp(y->name, name))
			continue;
		uint64_t hi = y->addr + y->size;
		if (!y->size) {
			hi = y->addr;
			for (size_t j = i + 1; j < img->nsyms && hi == y->addr; j++)
				hi = img->syms[j].addr;
			for (size_t k = 0; k < img->nsegs && hi == y->addr; k++) {
				const struct img_segment *g = &img->segs[k];
				if (y->addr >= g->paddr && y->addr - g->paddr < g->memsz)
					hi = g->paddr + g->memsz;
			}
		}
		found++;
		if (hi > y->addr && !add_range(o, y->addr, hi))
			*oom = true;
	}
	return found;
}

bool only_resolve(struct only_set *o, const struct image *img, bool kernel, const char *file,
                  FILE *err)
{
	for (size_t i = 0; i < o->nnames; i++) {
		const char *name = o->names[i];
		bool oom = false;
		size_t n = name_ranges(o, img, name, &oom);
		if (!n && kernel) {
			char pre[256];
			snprintf(pre, sizeof(pre), "%s%s", KVM_NVHE_PREFIX, name);
			n = name_ranges(o, img, pre, &oom);
		}
		if (oom) {
			fprintf(err, "sim: out of memory\n");
			return false;
		}
		if (!n) {
			char q[256], fq[512];
			fprintf(err, "sim: %s: no such symbol in %s\n", msg_quote(name, q, sizeof(q)),
			        msg_quote(file, fq, sizeof(fq)));
			return false;
		}
	}
	return true;
}

bool only_has(const struct only_set *o, struct sim *s, uint64_t pc)
{
	if (!o->nnames)
		return true;
	uint64_t a;
	if (!mmu_symbol_addr(s, pc, &a))
		return false;
	for (size_t i = 0; i < o->nranges; i++)
		if (a >= o->ranges[i].lo && a < o->ranges[i].hi)
			return true;
	return false;
}

void only_free(struct only_set *o)
{
	for (size_t i = 0; i < o->nnames; i++)
		free(o->names[i]);
	free(o->names);
	free(o->ranges);
	*o = (struct only_set){0};
}
