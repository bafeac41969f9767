/*
 * outhash.c - the UART text's hash (see outhash.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#include "campaign/outhash.h"

#include <string.h>
#include <sys/types.h>

static void hash_byte(struct out_hash *o, uint8_t b)
{
	o->h = (o->h ^ b) * UINT64_C(0x100000001b3);
}

static ssize_t hash_write(void *cookie, const char *buf, size_t n)
{
	struct out_hash *o = cookie;
	for (size_t i = 0; i < n; i++) {
		char ch = buf[i];
		if (o->at == OUT_STAMP && ch && strchr(" 0123456789.", ch))
			continue; /* a timestamp's digits (only with skip_stamps) */
		hash_byte(o, (uint8_t)ch);
		if (o->at == OUT_LINE_START && ch == '[' && o->skip_stamps)
			o->at = OUT_STAMP;
		else
			o->at = ch == '\n' ? OUT_LINE_START : OUT_TEXT;
	}
	o->len += n;
	return (ssize_t)n;
}

FILE *out_hash_file(struct out_hash *o, bool skip_stamps)
{
	*o = (struct out_hash){.h = UINT64_C(0xcbf29ce484222325), .skip_stamps = skip_stamps};
	return fopencookie(o, "w", (cookie_io_functions_t){.write = hash_write});
}
