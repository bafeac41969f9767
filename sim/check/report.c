/*
 * report.c - folding and printing of hypsim's hazard reports (see report.h).
 */
#include "check/report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct report {
	struct rep_entry *e;
	size_t n, cap;
	/* fold_key -> index + 1, open addressing (a run reports few distinct causes). */
	uint64_t *keys;
	size_t *idx;
	size_t hcap;
};

struct report *report_new(void)
{
	return calloc(1, sizeof(struct report));
}

void report_free(struct report *r)
{
	if (!r)
		return;
	free(r->e);
	free(r->keys);
	free(r->idx);
	free(r);
}

static size_t slot_of(const struct report *r, uint64_t key)
{
	size_t i = (size_t)(key * UINT64_C(0x9e3779b97f4a7c15) >> 7) & (r->hcap - 1);
	while (r->idx[i] && r->keys[i] != key)
		i = (i + 1) & (r->hcap - 1);
	return i;
}

static bool grow_hash(struct report *r)
{
	size_t ncap = r->hcap ? 2 * r->hcap : 64;
	uint64_t *keys = calloc(ncap, sizeof(*keys));
	size_t *idx = calloc(ncap, sizeof(*idx));
	if (!keys || !idx) {
		free(keys);
		free(idx);
		return false;
	}
	uint64_t *ok = r->keys;
	size_t *oi = r->idx, ocap = r->hcap;
	r->keys = keys;
	r->idx = idx;
	r->hcap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (oi[i]) {
			size_t s = slot_of(r, ok[i]);
			r->keys[s] = ok[i];
			r->idx[s] = oi[i];
		}
	free(ok);
	free(oi);
	return true;
}

const struct rep_entry *report_add(struct report *r, const struct hazard *hz,
                                   const struct rep_annot *an, bool *is_new)
{
	*is_new = false;
	if (2 * (r->n + 1) > r->hcap && !grow_hash(r))
		return NULL;
	size_t s = slot_of(r, hz->fold_key);
	if (r->idx[s]) {
		struct rep_entry *e = &r->e[r->idx[s] - 1];
		e->count++;
		return e;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct rep_entry *ne = realloc(r->e, cap * sizeof(*ne));
		if (!ne)
			return NULL;
		r->e = ne;
		r->cap = cap;
	}
	struct rep_entry *e = &r->e[r->n++];
	e->hz = *hz;
	e->an = *an;
	e->count = 1;
	r->keys[s] = hz->fold_key;
	r->idx[s] = r->n;
	*is_new = true;
	return e;
}

size_t report_count(const struct report *r)
{
	return r->n;
}

const struct rep_entry *report_entry(const struct report *r, size_t i)
{
	return i < r->n ? &r->e[i] : NULL;
}

size_t report_count_except(const struct report *r, enum hz_class cls)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->e[i].hz.cls != cls;
	return n;
}

static const char *access_words(const struct hazard *hz)
{
	switch (hz->ev) {
	case EV_FETCH:
		return "fetch";
	case EV_LOAD:
		return "load";
	case EV_STORE:
		return "store";
	case EV_DC:
		return "DC";
	case EV_IC:
		return "IC";
	case EV_AT:
		return "AT";
	default:
		return ev_kind_name(hz->ev);
	}
}

/* "0x3fefe010 __hyp_read_answer+0x10 (PA 0x40100010)" */
static void site_where(const struct rep_site *s, char *buf, size_t len)
{
	int n = snprintf(buf, len, "0x%" PRIx64 " %s", s->va, s->sym[0] ? s->sym : "(no symbol)");
	if (n > 0 && (size_t)n < len && s->pa != s->va)
		snprintf(buf + n, len - (size_t)n, " (PA 0x%" PRIx64 ")", s->pa);
}

static void print_cause(const struct hz_cause *c, const struct rep_site *s, const struct hazard *hz,
                        FILE *f)
{
	uint64_t hz_seq = hz->seq;
	fprintf(f, "(cause: %s", c->what[0] ? c->what : ev_kind_name(c->kind));
	if (c->seq == hz_seq) { /* the reported instruction itself: already named above */
		fprintf(f, ")");
		return;
	}
	if (c->seq == 0) {
		fprintf(f, ", at machine reset)");
		return;
	}
	if (s->known) {
		char w[192];
		site_where(s, w, sizeof(w));
		fprintf(f, " by `%s` at %s", s->text, w);
	} else {
		fprintf(f, " at PC 0x%" PRIx64, c->pc);
	}
	if (c->cpu != hz->cpu) /* another CPU made this outcome possible */
		fprintf(f, " on cpu%u", c->cpu);
	fprintf(f, " (event #%" PRIu64 "))", c->seq);
}

void report_print_text(const struct rep_entry *e, FILE *f)
{
	const struct hazard *hz = &e->hz;
	char w[192];
	site_where(&e->an.pc, w, sizeof(w));
	fprintf(f, "hazard %s on cpu%u at EL%u, %s: %s\n", hz_class_name(hz->cls), hz->cpu,
	        e->an.pc.el, w, e->an.pc.known ? e->an.pc.text : "?");
	if (hz->summary[0])
		fprintf(f, "  %s\n", hz->summary);
	if (hz->has_va)
		fprintf(f, "  %s of VA 0x%" PRIx64 " ", access_words(hz), hz->va);
	else
		fprintf(f, "  %s ", ev_kind_name(hz->ev));
	if (hz->decided_by[0] && hz->n_outcomes >= 2)
		fprintf(
		    f, "has one outcome under %s, the second (the run continues with the first):\n",
		    hz->decided_by);
	else if (hz->n_outcomes >= 2)
		fprintf(f, "has %u possible outcomes:\n", hz->n_outcomes);
	else if (hz->decided_by[0])
		fprintf(f, "(event #%" PRIu64 ", decided by %s):\n", hz->seq, hz->decided_by);
	else
		fprintf(f, "(event #%" PRIu64 "):\n", hz->seq);
	for (unsigned i = 0; i < hz->n_outcomes && i < HZ_MAX_OUTCOMES; i++) {
		const struct hz_outcome *o = &hz->outcomes[i];
		fprintf(f, "    - %s ", o->text);
		print_cause(&o->cause, &e->an.cause[i], hz, f);
		fputc('\n', f);
	}
	fprintf(f, "  rule: %s\n", hz->rule ? hz->rule : "-");
	if (e->count > 1)
		fprintf(f, "  [folded: %" PRIu64 " more report%s of the same cause]\n",
		        e->count - 1, e->count == 2 ? "" : "s");
}

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_string(b);
}

static json_t *site_json(const struct rep_site *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "va", hex(s->va));
	json_object_set_new(o, "pa", hex(s->pa));
	json_object_set_new(o, "el", json_integer(s->el));
	json_object_set_new(o, "sym", json_string(s->sym));
	json_object_set_new(o, "insn", json_string(s->text));
	return o;
}

json_t *report_json(const struct rep_entry *e)
{
	const struct hazard *hz = &e->hz;
	json_t *o = json_object();
	json_object_set_new(o, "class", json_string(hz_class_name(hz->cls)));
	json_object_set_new(o, "cpu", json_integer(hz->cpu));
	json_object_set_new(o, "seq", json_integer((json_int_t)hz->seq));
	json_object_set_new(o, "pc", hex(hz->pc));
	if (e->an.pc.known) {
		json_object_set_new(o, "pc_pa", hex(e->an.pc.pa));
		json_object_set_new(o, "el", json_integer(e->an.pc.el));
		json_object_set_new(o, "sym", json_string(e->an.pc.sym));
		json_object_set_new(o, "insn", json_string(e->an.pc.text));
	}
	json_object_set_new(o, "encoding", hex(hz->insn));
	json_object_set_new(o, "event", json_string(ev_kind_name(hz->ev)));
	if (hz->has_va) {
		json_object_set_new(o, "va", hex(hz->va));
		json_object_set_new(o, "access", json_string(pt_access_name(hz->acc)));
	}
	json_object_set_new(o, "summary", json_string(hz->summary));
	if (hz->decided_by[0])
		json_object_set_new(o, "decided_by", json_string(hz->decided_by));
	json_t *outs = json_array();
	for (unsigned i = 0; i < hz->n_outcomes && i < HZ_MAX_OUTCOMES; i++) {
		const struct hz_outcome *ho = &hz->outcomes[i];
		json_t *jo = json_object();
		json_object_set_new(jo, "text", json_string(ho->text));
		json_object_set_new(
		    jo, "fault", ho->fault ? json_string(pt_fault_name(ho->f.type)) : json_null());
		if (ho->has_pa)
			json_object_set_new(jo, "pa", hex(ho->pa));
		if (ho->has_value)
			json_object_set_new(jo, "value", hex(ho->value));
		json_t *c = json_object();
		json_object_set_new(c, "what", json_string(ho->cause.what));
		json_object_set_new(c, "seq", json_integer((json_int_t)ho->cause.seq));
		json_object_set_new(c, "cpu", json_integer(ho->cause.cpu));
		json_object_set_new(c, "pc", hex(ho->cause.pc));
		if (e->an.cause[i].known)
			json_object_set_new(c, "site", site_json(&e->an.cause[i]));
		json_object_set_new(jo, "cause", c);
		json_array_append_new(outs, jo);
	}
	json_object_set_new(o, "outcomes", outs);
	json_object_set_new(o, "rule", json_string(hz->rule ? hz->rule : ""));
	json_object_set_new(o, "count", json_integer((json_int_t)e->count));
	json_object_set_new(o, "fold_key", hex(hz->fold_key));
	return o;
}
