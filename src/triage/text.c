/*
 * text.c - tokenizing for triage (see text.h).
 *
 * Design: one pass over the UTF-8 input. ASCII letters and digits are
 * lowercased; Latin-1 and common Latin Extended-A letters are folded to
 * ASCII through tables; other multi-byte letters are kept as raw bytes
 * (the token is marked foreign); apostrophes end a word; everything else
 * is a separator, and ". ! ? ; : newline ," set the boundary flags of the
 * next token. Malformed UTF-8 bytes are separators. An English negative
 * contraction written without its apostrophe ("didnt") is split as if it
 * had one ("didn", "t").
 *
 * Invariant: words[] never overflows: each input byte produces at most
 * one output byte ("ß" is two bytes in, "ss" two out; "æ" likewise) and
 * every token adds one NUL, which the array size accounts for (a split
 * contraction's second token pays for its own).
 */
#include "triage/text.h"

#include "common/utf8.h"

#include <string.h>

/* ASCII folding of U+00C0..U+00FF (upper and lower case); NULL for the
 * two signs in the block (multiplication and division). */
/* clang-format off */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "y",
};
/* clang-format on */

/* Latin Extended-A (U+0100..U+017F): the base letter of each code point,
 * upper and lower case alike; œ/Œ is handled separately. */
static const char ext_a[129] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii__jjkkklllllll"
	"lllnnnnnnnnnoooooo__rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

const char *text_fold(uint32_t cp)
{
	static const char letters[] =
		"a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0n\0o\0p\0q\0r\0s\0t\0"
		"u\0v\0w\0x\0y\0z";

	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0];
	if (cp == 0x152 || cp == 0x153)
		return "oe";
	if (cp >= 0x100 && cp <= 0x17F && ext_a[cp - 0x100] >= 'a' &&
	    ext_a[cp - 0x100] <= 'z')
		return &letters[2 * (ext_a[cp - 0x100] - 'a')];
	return NULL;
}

/* Unicode letters outside what we fold: treat as word characters if they
 * are not punctuation or spaces (general punctuation, CJK punctuation). */
bool text_other_letter(uint32_t cp)
{
	if (cp < 0xC0)
		return false; /* Latin-1 punctuation and signs */
	if (cp >= 0x2000 && cp <= 0x206F)
		return false; /* general punctuation, zero-width, bidi */
	if (cp >= 0x3000 && cp <= 0x303F)
		return false; /* CJK punctuation */
	if (cp == 0xFEFF || (cp >= 0xFE00 && cp <= 0xFE0F))
		return false;
	return cp != 0xD7 && cp != 0xF7;
}

struct state {
	const unsigned char *in;
	struct text_tokens *out;
	size_t w; /* write position in words[] */
	bool in_word;
	bool sentence, clause;
};

/* Whether word is an English "n't" contraction written without its
 * apostrophe. "cant" and "wont" are left alone: they are words too. */
static bool bare_contraction(const char *word, size_t len)
{
	static const char *const bare[] = {
		"dont", "didnt", "doesnt", "isnt", "wasnt", "werent", "arent",
		"havent", "hasnt", "hadnt", "couldnt", "wouldnt", "shouldnt"};

	if (len < 4 || word[len - 1] != 't' || word[len - 2] != 'n')
		return false;
	for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++)
		if (strcmp(word, bare[i]) == 0)
			return true;
	return false;
}

static void word_end(struct state *st, size_t end)
{
	struct token *t;

	if (!st->in_word)
		return;
	t = &st->out->tok[st->out->n];
	st->out->words[st->w++] = '\0';
	t->len = (uint32_t)strlen(t->word);
	t->end = (uint32_t)end;
	st->out->n++;
	st->in_word = false;
	st->sentence = st->clause = false;
	/* "didnt" -> "didn" "t": one more NUL, which the extra token's share
	 * of words[] pays for. */
	if (bare_contraction(t->word, t->len) && st->out->n < TEXT_MAX_TOKENS &&
	    (st->in[end - 1] | 0x20) == 't') {
		struct token *u = &st->out->tok[st->out->n++];

		st->out->words[st->w - 2] = '\0';
		st->out->words[st->w - 1] = 't';
		st->out->words[st->w++] = '\0';
		t->len--;
		t->end--;
		*u = (struct token){0};
		u->word = &st->out->words[st->w - 2];
		u->len = 1;
		u->start = t->end;
		u->end = (uint32_t)end;
	}
}

/* Append the bytes of one word character starting at input offset pos. */
static void word_put(struct state *st, size_t pos, const char *bytes,
		     size_t n, bool foreign)
{
	struct token *t;

	if (!st->in_word) {
		if (st->out->n >= TEXT_MAX_TOKENS)
			return;
		t = &st->out->tok[st->out->n];
		t->word = &st->out->words[st->w];
		t->start = (uint32_t)pos;
		t->sentence = st->sentence;
		t->clause = st->clause || st->sentence;
		t->foreign = false;
		st->in_word = true;
	}
	t = &st->out->tok[st->out->n];
	if (foreign)
		t->foreign = true;
	/* Cut over-long words rather than splitting them. */
	if ((size_t)(&st->out->words[st->w] - t->word) + n > TEXT_MAX_WORD)
		return;
	memcpy(&st->out->words[st->w], bytes, n);
	st->w += n;
}

void text_tokenize(const char *text, struct text_tokens *out)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	struct state st = {.in = s, .out = out};
	size_t n = strlen((const char *)s), i = 0;

	if (n > TEXT_MAX_BYTES)
		n = TEXT_MAX_BYTES;
	out->n = 0;
	while (i < n && out->n < TEXT_MAX_TOKENS) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		const char *f;

		if (len == 0) {
			word_end(&st, i);
			i++;
			continue;
		}
		if (cp < 0x80 && ((cp >= 'a' && cp <= 'z') ||
				  (cp >= '0' && cp <= '9'))) {
			word_put(&st, i, (const char *)&s[i], 1, false);
		} else if (cp >= 'A' && cp <= 'Z') {
			char lower = (char)(cp - 'A' + 'a');

			word_put(&st, i, &lower, 1, false);
		} else if ((f = text_fold(cp)) != NULL) {
			word_put(&st, i, f, strlen(f), false);
		} else if (text_other_letter(cp)) {
			word_put(&st, i, (const char *)&s[i], len, true);
		} else {
			word_end(&st, i);
			if (cp == '.' || cp == '!' || cp == '?' || cp == ';' ||
			    cp == ':' || cp == '\n' || cp == 0x3002)
				st.sentence = true;
			else if (cp == ',' || cp == '(' || cp == ')' ||
				 cp == 0x2014 || cp == 0x2013)
				st.clause = true;
		}
		i += len;
	}
	word_end(&st, i);
}
