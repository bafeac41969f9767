/*
 * sha256.h - SHA-256 (FIPS 180-4) of a byte buffer, for the firmware digest that every
 * hypsim trace header carries (DESIGN §4): a trace names exactly the image it came from.
 */
#ifndef HYPSIM_SIM_SHA256_H
#define HYPSIM_SIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Digest of len bytes at data, as 64 lowercase hex digits and a NUL in hex[65]. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif /* HYPSIM_SIM_SHA256_H */
