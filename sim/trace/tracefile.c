/*
 * tracefile.c - reading hypsim traces (see tracefile.h).
 */
#include "trace/tracefile.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "trace/trace.h"

#define CHUNK (1u << 20)

struct tf_reader {
	gzFile gz; /* zlib reads plain files through too */
	char *buf;
	size_t cap, start, end;
	bool eof, truncated;
	uint64_t lineno;
};

static void fill(struct tf_reader *r)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < CHUNK) {
		if (r->cap >= (64u << 20)) { /* no trace line is that long: not a trace */
			r->eof = r->truncated = true;
			return;
		}
		char *n = realloc(r->buf, r->cap * 2);
		if (!n) {
			r->eof = r->truncated = true;
			return;
		}
		r->buf = n;
		r->cap *= 2;
	}
	int got = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end - 1));
	if (got < 0) { /* a gzip stream cut short: what came before it stands */
		r->eof = r->truncated = true;
		return;
	}
	if (got == 0) {
		int e;
		gzerror(r->gz, &e);
		if (e != Z_OK)
			r->truncated = true;
		r->eof = true;
	}
	r->end += (size_t)got;
}

int tf_next(struct tf_reader *r, char **line, size_t *len)
{
	for (;;) {
		char *p = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (p) {
			*line = r->buf + r->start;
			*len = (size_t)(p - *line);
			*p = '\0';
			r->start += *len + 1;
			r->lineno++;
			return 1;
		}
		if (r->eof) {
			if (r->end > r->start) /* a last line without '\n': cut off mid-line */
				r->truncated = true;
			r->start = r->end;
			return 0;
		}
		fill(r);
	}
}

bool tf_truncated(const struct tf_reader *r)
{
	return r->truncated;
}

uint64_t tf_lineno(const struct tf_reader *r)
{
	return r->lineno;
}

void tf_close(struct tf_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	free(r->buf);
	free(r);
}

struct tf_reader *tf_open(const char *path, json_t **header, char *err, size_t errlen)
{
	*header = NULL;
	struct tf_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->buf = malloc(2 * CHUNK))) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->cap = 2 * CHUNK;
	errno = 0;
	r->gz = gzopen(path, "rb");
	if (!r->gz) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno ? errno : ENOMEM));
		tf_close(r);
		return NULL;
	}
	gzbuffer(r->gz, 1u << 18);
	char *line;
	size_t len;
	json_error_t je;
	json_t *h = NULL;
	const char *type, *tool;
	if (tf_next(r, &line, &len) != 1 || !(h = json_loadb(line, len, 0, &je)) ||
	    !json_is_object(h) || !(type = json_string_value(json_object_get(h, "type"))) ||
	    strcmp(type, "header") || !(tool = json_string_value(json_object_get(h, "tool"))) ||
	    strcmp(tool, "hypsim")) {
		snprintf(err, errlen, "not a hypsim trace (the first line is not a trace header)");
		json_decref(h);
		tf_close(r);
		return NULL;
	}
	json_int_t schema = json_integer_value(json_object_get(h, "schema"));
	if (schema < 1 || schema > TRACE_SCHEMA) {
		snprintf(err, errlen,
		         "trace schema %lld is not one this sim reads (schemas 1 to %d)",
		         (long long)schema, TRACE_SCHEMA);
		json_decref(h);
		tf_close(r);
		return NULL;
	}
	*header = h;
	return r;
}

/* ---- the flat scanner ---- */

static const char *skip_ws(const char *p, const char *e)
{
	/* hypsim writes no blanks between tokens: one test settles the common case. */
	while (p < e && (unsigned char)*p <= ' ' && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* The end of the string starting after its opening quote at p: the first '"' not escaped
 * by a backslash. Trace strings are short and rarely escaped, so a byte loop that steps
 * over each backslash and the character it escapes beats calling memchr per string. */
static const char *str_end(const char *p, const char *e)
{
	for (; p < e; p++) {
		if (*p == '"')
			return p;
		if (*p == '\\' && ++p == e)
			break;
	}
	return NULL;
}

/* The end of a nested object or array starting at p. */
static const char *nested_end(const char *p, const char *e)
{
	int depth = 0;
	while (p < e) {
		if (*p == '"') {
			if (!(p = str_end(p + 1, e)))
				return NULL;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1;
		}
		p++;
	}
	return NULL;
}

int tf_scan(const char *line, size_t len, struct tf_field *f, int max)
{
	const char *p = line, *e = line + len;
	p = skip_ws(p, e);
	if (p == e || *p++ != '{')
		return -1;
	int n = 0;
	for (;;) {
		p = skip_ws(p, e);
		if (p < e && *p == '}' && n == 0)
			return 0;
		if (p == e || *p != '"')
			return -1;
		const char *k = p + 1, *ke = str_end(k, e);
		if (!ke)
			return -1;
		p = skip_ws(ke + 1, e);
		if (p == e || *p++ != ':')
			return -1;
		p = skip_ws(p, e);
		if (p == e)
			return -1;
		struct tf_field fl = {.key = k, .klen = (unsigned)(ke - k)};
		if (*p == '"') {
			const char *ve = str_end(p + 1, e);
			if (!ve)
				return -1;
			fl.val = p + 1;
			fl.vlen = (unsigned)(ve - p - 1);
			fl.str = true;
			p = ve + 1;
		} else if (*p == '{' || *p == '[') {
			const char *ve = nested_end(p, e);
			if (!ve)
				return -1;
			fl.val = p;
			fl.vlen = (unsigned)(ve - p);
			p = ve;
		} else {
			const char *v = p;
			while (p < e && *p != ',' && *p != '}' && *p != ' ')
				p++;
			if (p == v)
				return -1;
			fl.val = v;
			fl.vlen = (unsigned)(p - v);
		}
		if (n < max)
			f[n++] = fl;
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p++;
			continue;
		}
		if (p < e && *p == '}')
			return n;
		return -1;
	}
}

/* Hex digit values plus one (0: not a hex digit). */
static const uint8_t hex1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

uint64_t tf_u64(const struct tf_field *f)
{
	if (!f || !f->vlen)
		return 0;
	const char *p = f->val;
	uint64_t v = 0;
	if (f->vlen > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		for (unsigned i = 2; i < f->vlen; i++) {
			unsigned d = hex1[(unsigned char)p[i]];
			if (!d)
				break;
			v = (v << 4) | (d - 1);
		}
		return v;
	}
	for (unsigned i = 0; i < f->vlen && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	return v;
}

bool tf_bool(const struct tf_field *f)
{
	return f && f->vlen == 4 && !memcmp(f->val, "true", 4);
}
