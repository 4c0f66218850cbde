/*
 * hmac.c - HMAC-SHA1/SHA256 with constant-time verification.
 */
#include "common/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const EVP_MD *md_of(enum hmac_alg alg)
{
	return alg == HMAC_SHA1 ? EVP_sha1() : EVP_sha256();
}

static size_t raw_hmac(enum hmac_alg alg, const char *key, const void *data,
		       size_t len, unsigned char *out)
{
	unsigned int n = 0;

	if (!HMAC(md_of(alg), key, (int)strlen(key), data, len, out, &n))
		abort();
	return n;
}

void hmac_hex(enum hmac_alg alg, const char *key, const void *data, size_t len,
	      char out[HMAC_HEX_MAX])
{
	static const char hexdig[] = "0123456789abcdef";
	unsigned char raw[EVP_MAX_MD_SIZE];
	size_t n = raw_hmac(alg, key, data, len, raw);

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[raw[i] >> 4];
		out[2 * i + 1] = hexdig[raw[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool hmac_verify_hex(enum hmac_alg alg, const char *key, const void *data,
		     size_t len, const char *hex)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	size_t n;

	if (!hex || !key)
		return false;
	n = raw_hmac(alg, key, data, len, want);
	if (strlen(hex) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	return CRYPTO_memcmp(want, got, n) == 0;
}
