/*
 * lang.h - a cheap guess of the language a message is written in.
 *
 * Counts very common function words of English, German, French, Spanish,
 * Swedish, Dutch, Italian and Portuguese (lists of words that are rare in
 * the other languages). A message in a non-Latin script is "other". The
 * guess is given only when the evidence is clear: at least two function
 * words, and more than twice as many as for any other language; short or
 * mixed messages give NULL (unknown), so typos and product names never
 * make an English message "foreign".
 */
#ifndef DP_LANG_H
#define DP_LANG_H

#include "triage/text.h"

/* ISO 639-1 code ("en", "de", ...), "other", or NULL when unsure. Static
 * text. Pure. */
const char *lang_guess(const struct text_tokens *toks);

#endif
