/*
 * msg.c - quoting of input text for one-line messages (msg.h).
 */
#include "msg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Bytes of the well-formed UTF-8 sequence at p (RFC 3629 §4), 0 when it is not one or
 * when it encodes a C1 control, which terminals act on like ESC [. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* beyond U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	if (c == 0xc2 && p[1] <= 0x9f)
		return 0; /* U+0080..U+009F */
	return n;
}

/* Bytes at p to copy as they are (0: p[0] must be escaped). */
static size_t plain_len(const unsigned char *p)
{
	if (p[0] < 0x20 || p[0] == 0x7f)
		return 0;
	return p[0] < 0x80 ? 1 : utf8_len(p);
}

const char *msg_quote(const char *s, char *buf, size_t len)
{
	if (!s)
		return "(null)";
	const unsigned char *p = (const unsigned char *)s;
	bool clean = true;
	for (size_t k; *p && clean; p += k)
		clean = (k = plain_len(p)) != 0;
	if (clean)
		return s;
	size_t o = 0;
	for (p = (const unsigned char *)s; *p;) {
		char esc[5];
		size_t k = plain_len(p), n = k;
		if (!k) {
			n = *p == '\n' || *p == '\r' || *p == '\t' ? 2 : 4;
			if (n == 2)
				snprintf(esc, sizeof(esc), "\\%c",
				         *p == '\n'   ? 'n'
				         : *p == '\r' ? 'r'
				                      : 't');
			else
				snprintf(esc, sizeof(esc), "\\x%02x", *p);
		}
		if (o + n + 4 > len) { /* room for "..." and the NUL */
			memcpy(buf + o, "...", 4);
			return buf;
		}
		memcpy(buf + o, k ? (const char *)p : esc, n);
		o += n;
		p += k ? k : 1;
	}
	buf[o] = '\0';
	return buf;
}
