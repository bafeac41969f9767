/*
 * sha256.c - the firmware digest of hypsim's trace headers, computed by GNU Nettle (Debian
 * nettle-dev) rather than by hand: hypsim does not re-implement what a well-kept library
 * already does.
 */
#include "machine/sha256.h"

#include <nettle/sha2.h>
#include <stdio.h>

void sha256_hex(const void *data, size_t len, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}
