/*
 * text.h - the words of a message, as triage sees them.
 *
 * Tokenizing is shared by the cue matcher, the language guess and the
 * intent classifier so they agree on what a word is: letters and digits,
 * lowercased, with common Latin accents folded to ASCII ("Müller" ->
 * "muller", "ß" -> "ss", "œ" -> "oe"); apostrophes split words ("don't" ->
 * "don", "t"), and an English "n't" written without one is split the same
 * way ("didnt" -> "didn", "t"). Letters outside Latin-1/Latin Extended-A stay as UTF-8
 * bytes inside the word. Each token remembers where it came from in the
 * input (for evidence) and whether a sentence or clause boundary (". ! ?
 * ; : newline" or ",") came before it.
 *
 * Caps: input beyond TEXT_MAX_BYTES is ignored, at most TEXT_MAX_TOKENS
 * tokens are kept, a token is cut at TEXT_MAX_WORD bytes.
 */
#ifndef DP_TEXT_H
#define DP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_MAX_BYTES (16u * 1024)
#define TEXT_MAX_TOKENS 2048
#define TEXT_MAX_WORD 48

struct token {
	const char *word; /* normalized, NUL-terminated, inside text_tokens */
	uint32_t len;     /* strlen(word) */
	uint32_t start;   /* byte range in the input */
	uint32_t end;
	bool sentence; /* a sentence boundary comes before this token */
	bool clause;   /* a clause boundary (or sentence) comes before */
	bool foreign;  /* holds letters that were not folded to ASCII */
};

struct text_tokens {
	size_t n;
	struct token tok[TEXT_MAX_TOKENS];
	char words[TEXT_MAX_BYTES + TEXT_MAX_TOKENS];
};

/* The ASCII letters a Latin letter folds to ("ü" -> "u", "ß" -> "ss"),
 * static text; NULL for code points that are not folded. */
const char *text_fold(uint32_t cp);
/* Whether cp is a letter kept as it is (outside the folded Latin ranges,
 * not punctuation or spaces). */
bool text_other_letter(uint32_t cp);

/* Tokenize text (may be NULL: no tokens) into *out, overwriting it. The
 * struct is large: allocate it on the heap. Pure and deterministic. */
void text_tokenize(const char *text, struct text_tokens *out);

#endif
