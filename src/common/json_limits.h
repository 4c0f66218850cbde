/*
 * json_limits.h - cheap checks on raw JSON bytes before a parser sees them.
 */
#ifndef DP_JSON_LIMITS_H
#define DP_JSON_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the len bytes at s never nest objects and arrays deeper than max.
 * Brackets inside strings (escapes included) do not count. A scan, not a
 * parse: malformed JSON is the parser's to refuse. */
bool json_nesting_within(const char *s, size_t len, int max);

#endif
