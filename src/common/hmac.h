/*
 * hmac.h - HMAC signatures over exact request bytes (OpenSSL libcrypto).
 *
 * Helpdesks sign webhooks with HMAC-SHA1 or HMAC-SHA256 (each connector
 * says which, and signs its own calls the same way). Verification
 * compares in constant time and never looks at the body otherwise.
 */
#ifndef DP_HMAC_H
#define DP_HMAC_H

#include <stdbool.h>
#include <stddef.h>

enum hmac_alg { HMAC_SHA1,
		HMAC_SHA256 };

/* Longest hex digest plus NUL. */
#define HMAC_HEX_MAX 65

/* Lowercase hex HMAC of data under key into out (HMAC_HEX_MAX bytes). */
void hmac_hex(enum hmac_alg alg, const char *key, const void *data, size_t len,
	      char out[HMAC_HEX_MAX]);

/* True when hex (case-insensitive, exact digest length) is the HMAC of data
 * under key. A NULL or malformed hex is simply false. */
bool hmac_verify_hex(enum hmac_alg alg, const char *key, const void *data,
		     size_t len, const char *hex);

#endif
