/*
 * utf8.h - the one UTF-8 decoder, strict as RFC 3629 asks: no overlong
 * forms, no surrogates, nothing past U+10FFFF.
 */
#ifndef DP_UTF8_H
#define DP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode the sequence at s (n > 0 bytes left): returns its length (1..4)
 * and stores the code point in *cp, or returns 0 for an invalid or
 * truncated sequence. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Encode cp (a valid code point) into out (4 bytes of room); returns the
 * number of bytes written. */
size_t utf8_encode(uint32_t cp, char *out);

/* How many of the n bytes at s to keep so that at most max are kept and
 * the cut does not fall inside a character: n when n <= max, else max
 * moved back over continuation bytes. Valid UTF-8 stays valid. */
size_t utf8_cut(const char *s, size_t n, size_t max);

/* Whether the n bytes at s are valid UTF-8 (NUL bytes included). */
bool utf8_valid(const char *s, size_t n);

#endif
