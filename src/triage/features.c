/*
 * features.c - what the classifier sees of a message (see
 * classifier_internal.h).
 *
 * Placeholders: helpdesk text is full of things that name no topic but
 * differ in every message: order numbers, amounts, dates, e-mail
 * addresses, links. Each becomes one feature ("#", "emailaddress",
 * "weblink"), so "order 55123" and "order #A-20931" look alike and an
 * address does not add a dozen unknown words.
 */
#include "triage/classifier_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Weight of each feature group in the unit-length vector. */
#define WORD_SHARE 0.8
#define CHAR_SHARE 0.6

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t fnv_kind(enum feature_kind k)
{
	unsigned char b = (unsigned char)k;

	return fnv(2166136261u, &b, 1);
}

uint32_t feature_word_hash(const char *w, size_t n)
{
	return fnv(fnv_kind(F_WORD), w, n);
}

uint32_t feature_pair_hash(const char *a, size_t na, const char *b, size_t nb)
{
	uint32_t h = fnv(fnv_kind(F_BIGRAM), a, na);

	h = fnv(h, " ", 1);
	return fnv(h, b, nb);
}

uint32_t feature_vocab_hash(uint32_t h, unsigned char kind)
{
	return fnv(h, &kind, 1);
}

/* ---- placeholders ---------------------------------------------------- */

static bool email_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
	       c == '-';
}

/* Length of an e-mail address whose '@' is at s[at] (local part starting
 * at s[start]), 0 when it is not one. */
static size_t email_end(const char *s, size_t n, size_t at)
{
	size_t i = at + 1, dot = 0;

	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.')) {
		if (s[i] == '.')
			dot = i;
		i++;
	}
	/* a dot inside the domain, with a letter after it */
	if (dot == 0 || dot + 1 >= i || !isalpha((unsigned char)s[dot + 1]))
		return 0;
	while (i > at && s[i - 1] == '.')
		i--;
	return i;
}

static bool link_start(const char *s, size_t n, size_t i)
{
	static const char *const starts[] = {"http://", "https://", "www."};
	char c = (char)tolower((unsigned char)s[i]);

	if ((c != 'h' && c != 'w') ||
	    (i > 0 && !isspace((unsigned char)s[i - 1]) && s[i - 1] != '(' &&
	     s[i - 1] != '<'))
		return false;
	for (size_t k = 0; k < DP_ARRAY_LEN(starts); k++) {
		size_t l = strlen(starts[k]);

		if (n - i >= l && strncasecmp(s + i, starts[k], l) == 0)
			return true;
	}
	return false;
}

static void put(char *out, size_t *o, const char *s)
{
	size_t l = strlen(s);

	memcpy(out + *o, s, l);
	*o += l;
}

void features_tokenize(const char *text, struct text_tokens *out)
{
	size_t n = text ? strnlen(text, TEXT_MAX_BYTES) : 0, o = 0;
	/* A placeholder is never longer than what it replaces plus two
	 * spaces: an address is at least "a@b.cd" (6 bytes) for 14, so make
	 * room for the worst case. */
	char *buf = xmalloc(3 * n + 16);

	for (size_t i = 0; i < n;) {
		if (text[i] == '@' && i > 0 && email_char((unsigned char)text[i - 1])) {
			size_t end = email_end(text, n, i);

			if (end) {
				/* Take back the local part already copied. */
				while (o > 0 && email_char((unsigned char)buf[o - 1]))
					o--;
				put(buf, &o, " emailaddress ");
				i = end;
				continue;
			}
		}
		if (link_start(text, n, i)) {
			while (i < n && !isspace((unsigned char)text[i]) &&
			       text[i] != '>' && text[i] != ')')
				i++;
			put(buf, &o, " weblink ");
			continue;
		}
		buf[o++] = text[i++];
	}
	buf[o] = '\0';
	text_tokenize(buf, out);
	/* Tokens keep offsets into buf, which goes away: nothing reads them. */
	free(buf);
}

/* ---- bags ------------------------------------------------------------ */

static void bag_init(struct bag *b, size_t expect)
{
	size_t size = 64;

	while (size < 2 * expect)
		size <<= 1;
	b->key = xmalloc(size * sizeof(*b->key));
	b->val = xcalloc(size, sizeof(*b->val));
	b->kind = xcalloc(size, 1);
	b->mask = size - 1;
	b->n = 0;
}

void bag_release(struct bag *b)
{
	free(b->key);
	free(b->val);
	free(b->kind);
}

static void bag_add(struct bag *b, uint32_t h, enum feature_kind k)
{
	size_t i = h & b->mask;

	while (b->kind[i]) {
		if (b->key[i] == h && b->kind[i] == k) {
			b->val[i] += 1.0f;
			return;
		}
		i = (i + 1) & b->mask;
	}
	b->key[i] = h;
	b->kind[i] = (unsigned char)k;
	b->val[i] = 1.0f;
	b->n++;
}

const char *feature_word(const struct token *t, uint32_t *len)
{
	for (uint32_t i = 0; i < t->len; i++) {
		if (t->word[i] >= '0' && t->word[i] <= '9') {
			*len = 1;
			return "#";
		}
	}
	*len = t->len;
	return t->word;
}

void bag_from_tokens(const struct text_tokens *tk, struct bag *b)
{
	size_t expect = 0;
	uint32_t char0 = fnv_kind(F_CHAR);

	for (size_t i = 0; i < tk->n; i++)
		expect += 2 + 2 * (tk->tok[i].len + 2);
	bag_init(b, expect);
	for (size_t i = 0; i < tk->n; i++) {
		uint32_t len, len2;
		const char *w = feature_word(&tk->tok[i], &len);
		char g[TEXT_MAX_WORD + 3];
		size_t n = len + 2;

		bag_add(b, feature_word_hash(w, len), F_WORD);
		if (i + 1 < tk->n) {
			const char *w2 = feature_word(&tk->tok[i + 1], &len2);

			bag_add(b, feature_pair_hash(w, len, w2, len2), F_BIGRAM);
		}
		if (len == 1 && w[0] == '#')
			continue;
		g[0] = '<';
		memcpy(g + 1, w, len);
		g[n - 1] = '>';
		for (size_t k = 3; k <= 4; k++)
			for (size_t s = 0; s + k <= n; s++)
				bag_add(b, fnv(char0, g + s, k), F_CHAR);
	}
}

/* ---- vectors --------------------------------------------------------- */

void sparse_release(struct sparse *v)
{
	free(v->idx);
	free(v->val);
}

void classifier_vector(const struct classifier *m, const struct bag *b,
		       struct sparse *out)
{
	double norm[2] = {0, 0};
	size_t n = 0;
	/* The bag's entries, packed: feature index and TF-IDF weight. */
	long *f = xmalloc((b->n + 1) * sizeof(*f));
	double *w = xmalloc((b->n + 1) * sizeof(*w));
	unsigned char *g = xmalloc(b->n + 1);

	for (size_t i = 0; i <= b->mask; i++) {
		if (!b->kind[i])
			continue;
		f[n] = classifier_lookup(m, feature_vocab_hash(b->key[i], b->kind[i]));
		/* 1 + log(count), and count is mostly 1. */
		w[n] = (b->val[i] == 1.0f ? 1.0 : 1.0 + log(b->val[i])) *
		       (f[n] < 0 ? m->idf_max : m->idf[f[n]]);
		g[n] = b->kind[i] == F_CHAR;
		norm[g[n]] += w[n] * w[n];
		n++;
	}
	out->idx = xmalloc((n + 1) * sizeof(*out->idx));
	out->val = xmalloc((n + 1) * sizeof(*out->val));
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (f[i] < 0)
			continue;
		out->idx[out->n] = (uint32_t)f[i];
		out->val[out->n] = (float)(w[i] * (g[i] ? CHAR_SHARE : WORD_SHARE) /
					   sqrt(norm[g[i]]));
		out->n++;
	}
	free(w);
	free(g);
	free(f);
}
