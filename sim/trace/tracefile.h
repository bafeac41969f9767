/*
 * tracefile.h - reading hypsim traces (docs/trace-format.md) for `sim replay` and
 * `sim diff`: plain or gzip JSON Lines, line by line, a trace cut off mid-line being read up
 * to its last complete event; and a flat scanner of one event line that finds its
 * top-level fields without building a JSON tree (replay reads millions of lines).
 */
#ifndef HYPSIM_SIM_TRACEFILE_H
#define HYPSIM_SIM_TRACEFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct tf_reader;

/*
 * Open path (gzip or plain) and check its first line: a hypsim trace header of a schema
 * this sim reads. On failure returns NULL with a one-line reason in err (the caller
 * prints "sim: PATH: reason", exit status 2). *header receives the parsed header.
 */
struct tf_reader *tf_open(const char *path, json_t **header, char *err, size_t errlen);
void tf_close(struct tf_reader *r);

/*
 * The next complete line (NUL-terminated, without its '\n'): 1; 0 at the end. A last line
 * without '\n', or a compressed stream that ends early, ends the trace too: 0 with
 * tf_truncated() true.
 */
int tf_next(struct tf_reader *r, char **line, size_t *len);
bool tf_truncated(const struct tf_reader *r);
uint64_t tf_lineno(const struct tf_reader *r); /* of the last line returned (header = 1) */

/* One top-level field of an event line: a string (without its quotes, escapes left as
 * they are), or the raw text of a number, literal, object or array. */
struct tf_field {
	const char *key, *val;
	unsigned klen, vlen;
	bool str;
};

#define TF_MAX_FIELDS 32

/* Scan a flat JSON object; returns the number of fields, or -1 when line is not one. */
int tf_scan(const char *line, size_t len, struct tf_field *f, int max);
uint64_t tf_u64(const struct tf_field *f); /* "0x..." or a number; 0 if absent */
bool tf_bool(const struct tf_field *f);

/*
 * The field named key, NULL if absent; and whether a field is a string equal to s. Inline,
 * so that the length of a literal key folds to a constant and the comparison to a few
 * instructions: replay asks for four or five fields of every line of a trace.
 */
static inline const struct tf_field *tf_get(const struct tf_field *f, int n, const char *key)
{
	size_t kl = strlen(key);
	for (int i = 0; i < n; i++)
		if (f[i].klen == kl && !memcmp(f[i].key, key, kl))
			return &f[i];
	return NULL;
}

static inline bool tf_is(const struct tf_field *f, const char *s)
{
	size_t sl = strlen(s);
	return f && f->str && sl == f->vlen && !memcmp(f->val, s, sl);
}

#endif /* HYPSIM_SIM_TRACEFILE_H */
