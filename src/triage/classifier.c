/*
 * classifier.c - logistic regression intent classifier with an
 * out-of-scope signal (see classifier.h).
 *
 * Design:
 * - Features are 32-bit FNV-1a hashes of "kind + text": word unigrams and
 *   bigrams ("words" group; every all-digit word is one feature "#"), character 3/4-grams of "<word>" ("chars"
 *   group). Each group is weighted 1 + log(count), L2-normalised and
 *   scaled by 1/sqrt(2), so both groups weigh the same whatever the
 *   number of n-grams.
 * - The vocabulary is every feature seen in training; a hash table maps a
 *   feature hash to its row of weights (one float per intent). Features
 *   not in the vocabulary are ignored by the regression.
 * - Training: softmax regression by SGD over a deterministic shuffle, a
 *   decaying step, and no regularisation beyond early stopping; the
 *   temperature that minimises the log loss on every fifth row (held out
 *   from a first fit) is kept for calibration.
 * - Similarity: words weighted by TF-IDF (bigrams and character grams
 *   would make unrelated messages look alike); each training
 *   example is stored normalised in an inverted index (feature ->
 *   examples). A word unknown to the vocabulary counts with the largest
 *   IDF in the message's norm, so unknown topics score low.
 *
 * Invariants: n_features < 2^31; table size is a power of two above
 * 2 * n_features; post_start[F] == n_post; every posting's example id is
 * below n_examples.
 */
#include "triage/classifier.h"

#include "triage/decision.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC 0x43495044u /* "DPIC" little-endian */
#define FORMAT_VERSION 1u
#define EPOCHS 12
#define STEP0 0.8
#define SEED 0x9E3779B9u
#define GROUP_SCALE 0.70710678118654752

enum feature_kind { F_WORD = 1, F_BIGRAM = 2, F_CHAR = 3 };

struct classifier {
	size_t n_intents;
	char **intents;
	double temperature;
	uint32_t n_examples;  /* training examples in the similarity index */
	uint32_t n_features;
	uint32_t *hashes;     /* [F] */
	float *idf;           /* [F]; 0 for char features */
	float *weights;       /* [F * n_intents] */
	float *bias;          /* [n_intents] */
	uint32_t *table;      /* hash -> index + 1, 0 empty */
	size_t table_mask;
	uint32_t *post_start; /* [F + 1] */
	uint32_t *post_ex;    /* [n_post] */
	float *post_w;        /* [n_post] */
	uint32_t n_post;
	float idf_max;
};

/* ---------- features ---------- */

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

/* A bag of features with counts, as an open-addressing table sized for
 * the message. */
struct bag {
	uint32_t *key;
	float *val;
	unsigned char *kind;
	size_t mask, n;
};

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

static void bag_release(struct bag *b)
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

static bool is_number(const struct token *t)
{
	for (uint32_t i = 0; i < t->len; i++)
		if (t->word[i] < '0' || t->word[i] > '9')
			return false;
	return true;
}

static void extract(const struct text_tokens *tk, struct bag *b)
{
	size_t expect = 0;
	uint32_t word0 = fnv_kind(F_WORD), big0 = fnv_kind(F_BIGRAM),
		 char0 = fnv_kind(F_CHAR);

	for (size_t i = 0; i < tk->n; i++)
		expect += 2 + 2 * (tk->tok[i].len + 2);
	bag_init(b, expect);
	for (size_t i = 0; i < tk->n; i++) {
		const struct token *t = &tk->tok[i];
		char w[TEXT_MAX_WORD + 3];
		size_t n = t->len + 2;

		if (is_number(t)) { /* order numbers: one feature for all */
			bag_add(b, fnv(word0, "#", 1), F_WORD);
			continue;
		}
		bag_add(b, fnv(word0, t->word, t->len), F_WORD);
		if (i + 1 < tk->n) {
			uint32_t h = fnv(big0, t->word, t->len);

			h = fnv(h, " ", 1);
			h = fnv(h, tk->tok[i + 1].word, tk->tok[i + 1].len);
			bag_add(b, h, F_BIGRAM);
		}
		w[0] = '<';
		memcpy(w + 1, t->word, t->len);
		w[n - 1] = '>';
		for (size_t g = 3; g <= 4; g++)
			for (size_t s = 0; s + g <= n; s++)
				bag_add(b, fnv(char0, w + s, g), F_CHAR);
	}
}

/* ---------- vocabulary ---------- */

static long lookup(const struct classifier *m, uint32_t h)
{
	size_t i = h & m->table_mask;

	while (m->table[i]) {
		uint32_t idx = m->table[i] - 1;

		if (m->hashes[idx] == h)
			return idx;
		i = (i + 1) & m->table_mask;
	}
	return -1;
}

static void build_table(struct classifier *m)
{
	size_t size = 64;

	while (size < 2 * (size_t)m->n_features + 2)
		size <<= 1;
	m->table = xcalloc(size, sizeof(*m->table));
	m->table_mask = size - 1;
	for (uint32_t f = 0; f < m->n_features; f++) {
		size_t i = m->hashes[f] & m->table_mask;

		while (m->table[i])
			i = (i + 1) & m->table_mask;
		m->table[i] = f + 1;
	}
}

/* The vocabulary hash of a feature: the kind is folded in so that a word
 * and a character gram with equal text hash apart. */
static uint32_t vocab_hash(uint32_t h, unsigned char kind)
{
	return fnv(h, &kind, 1);
}

/* ---------- sparse vectors ---------- */

struct sparse {
	uint32_t *idx;
	float *val;
	size_t n;
};

static void sparse_release(struct sparse *v)
{
	free(v->idx);
	free(v->val);
}

/* The regression vector of a bag: known features only, each group
 * normalised over all its features (known or not). */
static void classify_vector(const struct classifier *m, const struct bag *b,
			    struct sparse *out)
{
	double norm[2] = {0, 0};

	out->idx = xmalloc((b->n + 1) * sizeof(*out->idx));
	out->val = xmalloc((b->n + 1) * sizeof(*out->val));
	out->n = 0;
	for (size_t i = 0; i <= b->mask; i++) {
		double v;

		if (!b->kind[i])
			continue;
		v = 1.0 + log(b->val[i]);
		norm[b->kind[i] == F_CHAR] += v * v;
	}
	for (size_t i = 0; i <= b->mask; i++) {
		long f;
		double v;
		int g;

		if (!b->kind[i])
			continue;
		f = lookup(m, vocab_hash(b->key[i], b->kind[i]));
		if (f < 0)
			continue;
		g = b->kind[i] == F_CHAR;
		v = (1.0 + log(b->val[i])) * GROUP_SCALE / sqrt(norm[g]);
		out->idx[out->n] = (uint32_t)f;
		out->val[out->n] = (float)v;
		out->n++;
	}
}

/* The similarity vector of a bag: words and bigrams by TF-IDF, normalised
 * including unknown words; only known features are kept. */
static void similarity_vector(const struct classifier *m, const struct bag *b,
			      struct sparse *out)
{
	double norm = 0;

	out->idx = xmalloc((b->n + 1) * sizeof(*out->idx));
	out->val = xmalloc((b->n + 1) * sizeof(*out->val));
	out->n = 0;
	for (size_t i = 0; i <= b->mask; i++) {
		long f;
		double v, idf;

		if (!b->kind[i] || b->kind[i] != F_WORD)
			continue;
		f = lookup(m, vocab_hash(b->key[i], b->kind[i]));
		idf = f < 0 ? m->idf_max : m->idf[f];
		v = (1.0 + log(b->val[i])) * idf;
		norm += v * v;
		if (f >= 0) {
			out->idx[out->n] = (uint32_t)f;
			out->val[out->n] = (float)v;
			out->n++;
		}
	}
	if (norm > 0)
		for (size_t i = 0; i < out->n; i++)
			out->val[i] = (float)(out->val[i] / sqrt(norm));
}

/* ---------- model lifecycle ---------- */

void classifier_free(struct classifier *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_intents; i++)
		free(m->intents[i]);
	free(m->intents);
	free(m->hashes);
	free(m->idf);
	free(m->weights);
	free(m->bias);
	free(m->table);
	free(m->post_start);
	free(m->post_ex);
	free(m->post_w);
	free(m);
}

size_t classifier_intents(const struct classifier *m)
{
	return m->n_intents;
}

const char *classifier_intent(const struct classifier *m, size_t i)
{
	return i < m->n_intents ? m->intents[i] : NULL;
}

/* ---------- prediction ---------- */

static void logits(const struct classifier *m, const struct sparse *x,
		   double *z)
{
	size_t c = m->n_intents;

	for (size_t k = 0; k < c; k++)
		z[k] = m->bias[k];
	for (size_t i = 0; i < x->n; i++) {
		const float *w = &m->weights[(size_t)x->idx[i] * c];
		double v = x->val[i];

		for (size_t k = 0; k < c; k++)
			z[k] += v * w[k];
	}
}

/* In-place softmax of z / t; returns the index of the largest. */
static size_t softmax(double *z, size_t n, double t)
{
	size_t best = 0;
	double max, sum = 0;

	for (size_t k = 1; k < n; k++)
		if (z[k] > z[best])
			best = k;
	max = z[best];
	for (size_t k = 0; k < n; k++) {
		z[k] = exp((z[k] - max) / t);
		sum += z[k];
	}
	for (size_t k = 0; k < n; k++)
		z[k] /= sum;
	return best;
}

static double nearest(const struct classifier *m, const struct sparse *q)
{
	float *score;
	double best = 0;

	if (q->n == 0 || m->n_examples == 0)
		return 0;
	score = xcalloc(m->n_examples, sizeof(*score));
	for (size_t i = 0; i < q->n; i++) {
		uint32_t f = q->idx[i];

		for (uint32_t p = m->post_start[f]; p < m->post_start[f + 1]; p++)
			score[m->post_ex[p]] += q->val[i] * m->post_w[p];
	}
	for (uint32_t e = 0; e < m->n_examples; e++)
		if (score[e] > best)
			best = score[e];
	free(score);
	return best > 1.0 ? 1.0 : best;
}

void classifier_predict_tokens(const struct classifier *m,
			       const struct text_tokens *toks,
			       struct classifier_prediction *out)
{
	struct bag b;
	struct sparse x, q;
	double *z = xmalloc(m->n_intents * sizeof(*z));
	size_t best;

	extract(toks, &b);
	classify_vector(m, &b, &x);
	similarity_vector(m, &b, &q);
	logits(m, &x, z);
	best = softmax(z, m->n_intents, m->temperature);
	out->intent = m->intents[best];
	out->confidence = z[best];
	out->similarity = nearest(m, &q);
	free(z);
	sparse_release(&x);
	sparse_release(&q);
	bag_release(&b);
}

void classifier_predict(const struct classifier *m, const char *text,
			struct classifier_prediction *out)
{
	struct text_tokens *tk = xmalloc(sizeof(*tk));

	text_tokenize(text, tk);
	classifier_predict_tokens(m, tk, out);
	free(tk);
}

/* ---------- training ---------- */

bool classifier_intent_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= INTENT_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		      ch == '-'))
			return false;
	}
	return true;
}

/* One training row, tokenized into feature ids. */
struct row {
	uint32_t label;
	struct bag bag;
};

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Fit weights and bias of m on the rows whose index has use[i] set. */
static void fit(struct classifier *m, const struct row *rows,
		const struct sparse *xs, size_t n, const bool *use)
{
	size_t c = m->n_intents, n_use = 0;
	size_t *order = xmalloc(n * sizeof(*order));
	double *z = xmalloc(c * sizeof(*z));
	uint32_t seed = SEED;

	memset(m->weights, 0, (size_t)m->n_features * c * sizeof(float));
	memset(m->bias, 0, c * sizeof(float));
	for (size_t i = 0; i < n; i++)
		if (use[i])
			order[n_use++] = i;
	for (int epoch = 0; epoch < EPOCHS; epoch++) {
		double step = STEP0 / (1.0 + epoch);

		for (size_t i = n_use; i > 1; i--) {
			size_t j = xorshift(&seed) % i;
			size_t t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		for (size_t r = 0; r < n_use; r++) {
			const struct sparse *x = &xs[order[r]];
			uint32_t y = rows[order[r]].label;

			logits(m, x, z);
			softmax(z, c, 1.0);
			z[y] -= 1.0; /* gradient of the log loss */
			for (size_t k = 0; k < c; k++)
				m->bias[k] -= (float)(step * z[k]);
			for (size_t i = 0; i < x->n; i++) {
				float *w = &m->weights[(size_t)x->idx[i] * c];
				double g = step * x->val[i];

				for (size_t k = 0; k < c; k++)
					w[k] -= (float)(g * z[k]);
			}
		}
	}
	free(z);
	free(order);
}

/* Mean log loss of the rows with use[i] unset at temperature t. */
static double held_out_loss(const struct classifier *m, const struct row *rows,
			    const struct sparse *xs, size_t n, const bool *use,
			    double t)
{
	double *z = xmalloc(m->n_intents * sizeof(*z)), loss = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (use[i])
			continue;
		logits(m, &xs[i], z);
		softmax(z, m->n_intents, t);
		loss -= log(z[rows[i].label] + 1e-12);
		k++;
	}
	free(z);
	return k ? loss / (double)k : 0;
}

/* Golden-section search of the temperature in [0.05, 20] (log scale). */
static double fit_temperature(const struct classifier *m,
			      const struct row *rows, const struct sparse *xs,
			      size_t n, const bool *use)
{
	const double phi = 0.6180339887498949;
	double a = log(0.05), b = log(20.0);
	double x1 = b - phi * (b - a), x2 = a + phi * (b - a);
	double f1 = held_out_loss(m, rows, xs, n, use, exp(x1));
	double f2 = held_out_loss(m, rows, xs, n, use, exp(x2));

	for (int it = 0; it < 30; it++) {
		if (f1 < f2) {
			b = x2, x2 = x1, f2 = f1;
			x1 = b - phi * (b - a);
			f1 = held_out_loss(m, rows, xs, n, use, exp(x1));
		} else {
			a = x1, x1 = x2, f1 = f2;
			x2 = a + phi * (b - a);
			f2 = held_out_loss(m, rows, xs, n, use, exp(x2));
		}
	}
	return exp((a + b) / 2);
}

/* Index of intent name s in m, adding it when new; -1 when full. */
static long intern_intent(struct classifier *m, const char *s)
{
	for (size_t i = 0; i < m->n_intents; i++)
		if (strcmp(m->intents[i], s) == 0)
			return (long)i;
	if (m->n_intents >= CLASSIFIER_MAX_INTENTS)
		return -1;
	m->intents = xrealloc(m->intents, (m->n_intents + 1) * sizeof(char *));
	m->intents[m->n_intents] = xstrdup(s);
	return (long)m->n_intents++;
}

/* Collect the vocabulary of all rows and the document frequency of its
 * word features; fills hashes, idf, the table and idf_max. */
static void build_vocabulary(struct classifier *m, const struct row *rows,
			     size_t n)
{
	size_t cap = 1024;
	uint32_t *df;

	m->hashes = xmalloc(cap * sizeof(*m->hashes));
	df = xmalloc(cap * sizeof(*df));
	m->n_features = 0;
	m->table = xcalloc(64, sizeof(*m->table));
	m->table_mask = 63;
	for (size_t r = 0; r < n; r++) {
		const struct bag *b = &rows[r].bag;

		for (size_t i = 0; i <= b->mask; i++) {
			uint32_t h;
			long f;

			if (!b->kind[i])
				continue;
			h = vocab_hash(b->key[i], b->kind[i]);
			f = lookup(m, h);
			if (f >= 0) {
				df[f]++;
				continue;
			}
			if (m->n_features == cap) {
				cap *= 2;
				m->hashes = xrealloc(m->hashes, cap * sizeof(*m->hashes));
				df = xrealloc(df, cap * sizeof(*df));
			}
			m->hashes[m->n_features] = h;
			df[m->n_features++] = 1;
			if (2 * (size_t)m->n_features + 2 > m->table_mask) {
				free(m->table);
				build_table(m);
			} else {
				size_t j = h & m->table_mask;

				while (m->table[j])
					j = (j + 1) & m->table_mask;
				m->table[j] = m->n_features;
			}
		}
	}
	m->idf = xmalloc((m->n_features + 1) * sizeof(*m->idf));
	m->idf_max = (float)(log((double)(n + 1)) + 1.0);
	for (uint32_t f = 0; f < m->n_features; f++)
		m->idf[f] = (float)(log((double)(n + 1) / (df[f] + 1)) + 1.0);
	free(df);
}

/* Build the inverted index of the rows' similarity vectors. */
static void build_index(struct classifier *m, const struct row *rows, size_t n)
{
	struct sparse *q = xcalloc(n ? n : 1, sizeof(*q));
	uint32_t *fill;

	m->post_start = xcalloc((size_t)m->n_features + 1, sizeof(uint32_t));
	m->n_post = 0;
	for (size_t r = 0; r < n; r++) {
		similarity_vector(m, &rows[r].bag, &q[r]);
		for (size_t i = 0; i < q[r].n; i++)
			m->post_start[q[r].idx[i] + 1]++;
		m->n_post += (uint32_t)q[r].n;
	}
	for (uint32_t f = 0; f < m->n_features; f++)
		m->post_start[f + 1] += m->post_start[f];
	m->post_ex = xmalloc((m->n_post + 1) * sizeof(*m->post_ex));
	m->post_w = xmalloc((m->n_post + 1) * sizeof(*m->post_w));
	fill = xmalloc(((size_t)m->n_features + 1) * sizeof(*fill));
	memcpy(fill, m->post_start, ((size_t)m->n_features + 1) * sizeof(*fill));
	for (size_t r = 0; r < n; r++) {
		for (size_t i = 0; i < q[r].n; i++) {
			uint32_t p = fill[q[r].idx[i]]++;

			m->post_ex[p] = (uint32_t)r;
			m->post_w[p] = q[r].val[i];
		}
		sparse_release(&q[r]);
	}
	m->n_examples = (uint32_t)n;
	free(fill);
	free(q);
}

struct classifier *classifier_train(const struct classifier_example *ex,
				    size_t n, struct dp_error *err)
{
	struct classifier *m = xcalloc(1, sizeof(*m));
	struct row *rows = NULL;
	struct sparse *xs = NULL;
	bool *use = NULL;
	struct text_tokens *tk = NULL;
	size_t k = 0;

	if (n > CLASSIFIER_MAX_ROWS) {
		dp_fail(err, DP_ETOOBIG, "more than %d training rows",
			CLASSIFIER_MAX_ROWS);
		goto fail;
	}
	rows = xcalloc(n ? n : 1, sizeof(*rows));
	tk = xmalloc(sizeof(*tk));
	for (size_t i = 0; i < n; i++) {
		long label;

		if (!ex[i].intent || !classifier_intent_ok(ex[i].intent)) {
			dp_fail(err, DP_EINVAL,
				"row %zu: invalid intent '%.60s' (use letters, digits, _ . -; at most %d bytes)",
				i + 1, ex[i].intent ? ex[i].intent : "",
				INTENT_MAX - 1);
			goto fail;
		}
		text_tokenize(ex[i].text, tk);
		if (tk->n == 0)
			continue;
		label = intern_intent(m, ex[i].intent);
		if (label < 0) {
			dp_fail(err, DP_ETOOBIG, "row %zu: more than %d intents",
				i + 1, CLASSIFIER_MAX_INTENTS);
			goto fail;
		}
		rows[k].label = (uint32_t)label;
		extract(tk, &rows[k].bag);
		k++;
	}
	if (k == 0) {
		dp_fail(err, DP_EINVAL, "no training rows with text");
		goto fail;
	}
	build_vocabulary(m, rows, k);
	m->weights = xcalloc((size_t)m->n_features * m->n_intents, sizeof(float));
	m->bias = xcalloc(m->n_intents, sizeof(float));
	xs = xcalloc(k, sizeof(*xs));
	for (size_t i = 0; i < k; i++)
		classify_vector(m, &rows[i].bag, &xs[i]);
	/* Calibrate on every fifth row, then fit on everything. */
	use = xmalloc(k * sizeof(*use));
	for (size_t i = 0; i < k; i++)
		use[i] = k < 50 || i % 5 != 4;
	m->temperature = 1.0;
	if (k >= 50) {
		fit(m, rows, xs, k, use);
		m->temperature = fit_temperature(m, rows, xs, k, use);
		for (size_t i = 0; i < k; i++)
			use[i] = true;
	}
	fit(m, rows, xs, k, use);
	build_index(m, rows, k);
	for (size_t i = 0; i < k; i++) {
		sparse_release(&xs[i]);
		bag_release(&rows[i].bag);
	}
	free(xs);
	free(use);
	free(rows);
	free(tk);
	return m;
fail:
	for (size_t i = 0; i < k; i++)
		bag_release(&rows[i].bag);
	free(rows);
	free(tk);
	classifier_free(m);
	return NULL;
}

/* ---------- serialization ---------- */

struct writer {
	unsigned char *p;
	size_t len, cap;
};

static void put_bytes(struct writer *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		while (w->len + n > w->cap)
			w->cap = w->cap ? 2 * w->cap : 4096;
		w->p = xrealloc(w->p, w->cap);
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void put_u32(struct writer *w, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
			      (unsigned char)(v >> 16), (unsigned char)(v >> 24)};

	put_bytes(w, b, 4);
}

static void put_f32(struct writer *w, float f)
{
	uint32_t v;

	memcpy(&v, &f, 4);
	put_u32(w, v);
}

static void put_f64(struct writer *w, double d)
{
	uint64_t v;

	memcpy(&v, &d, 8);
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

unsigned char *classifier_serialize(const struct classifier *m, size_t *len)
{
	struct writer w = {0};
	size_t nw = (size_t)m->n_features * m->n_intents;

	put_u32(&w, MAGIC);
	put_u32(&w, FORMAT_VERSION);
	put_u32(&w, (uint32_t)m->n_intents);
	for (size_t i = 0; i < m->n_intents; i++) {
		size_t n = strlen(m->intents[i]);

		put_u32(&w, (uint32_t)n);
		put_bytes(&w, m->intents[i], n);
	}
	put_f64(&w, m->temperature);
	put_f32(&w, m->idf_max);
	put_u32(&w, m->n_examples);
	put_u32(&w, m->n_features);
	for (uint32_t f = 0; f < m->n_features; f++) {
		put_u32(&w, m->hashes[f]);
		put_f32(&w, m->idf[f]);
	}
	for (size_t i = 0; i < nw; i++)
		put_f32(&w, m->weights[i]);
	for (size_t i = 0; i < m->n_intents; i++)
		put_f32(&w, m->bias[i]);
	put_u32(&w, m->n_post);
	for (uint32_t f = 0; f <= m->n_features; f++)
		put_u32(&w, m->post_start[f]);
	for (uint32_t p = 0; p < m->n_post; p++) {
		put_u32(&w, m->post_ex[p]);
		put_f32(&w, m->post_w[p]);
	}
	*len = w.len;
	return w.p;
}

struct reader {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

static uint32_t get_u32(struct reader *r)
{
	const unsigned char *b;

	if (r->bad || r->len - r->off < 4) {
		r->bad = true;
		return 0;
	}
	b = r->p + r->off;
	r->off += 4;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static float get_f32(struct reader *r)
{
	uint32_t v = get_u32(r);
	float f;

	memcpy(&f, &v, 4);
	if (!isfinite(f))
		r->bad = true;
	return f;
}

static double get_f64(struct reader *r)
{
	uint64_t lo = get_u32(r), hi = get_u32(r), v = lo | hi << 32;
	double d;

	memcpy(&d, &v, 8);
	if (!isfinite(d))
		r->bad = true;
	return d;
}

/* Whether count items of size bytes each can still be in the blob. */
static bool fits(const struct reader *r, uint64_t count, uint64_t size)
{
	return !r->bad && count <= (r->len - r->off) / size;
}

struct classifier *classifier_load(const void *blob, size_t len,
				   struct dp_error *err)
{
	struct reader r = {.p = blob, .len = len};
	struct classifier *m = xcalloc(1, sizeof(*m));
	uint32_t n, nf;
	size_t nw;

	if (len > CLASSIFIER_MAX_BLOB || get_u32(&r) != MAGIC) {
		dp_fail(err, DP_EPARSE, "not a deskpilot intent model");
		goto fail;
	}
	if (get_u32(&r) != FORMAT_VERSION) {
		dp_fail(err, DP_EPARSE, "intent model of another format version; retrain it");
		goto fail;
	}
	n = get_u32(&r);
	if (n == 0 || n > CLASSIFIER_MAX_INTENTS || !fits(&r, n, 4))
		goto bad;
	m->intents = xcalloc(n, sizeof(char *));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t sl = get_u32(&r);
		char name[INTENT_MAX];

		if (sl == 0 || sl >= INTENT_MAX || !fits(&r, sl, 1))
			goto bad;
		memcpy(name, r.p + r.off, sl);
		name[sl] = '\0';
		r.off += sl;
		if (!classifier_intent_ok(name))
			goto bad;
		m->intents[i] = xstrdup(name);
		m->n_intents = i + 1;
	}
	m->temperature = get_f64(&r);
	m->idf_max = get_f32(&r);
	m->n_examples = get_u32(&r);
	nf = get_u32(&r);
	if (r.bad || m->temperature <= 0 || nf >= 0x7FFFFFFFu ||
	    !fits(&r, nf, 8 + 4ull * n))
		goto bad;
	m->n_features = nf;
	m->hashes = xmalloc(((size_t)nf + 1) * sizeof(*m->hashes));
	m->idf = xmalloc(((size_t)nf + 1) * sizeof(*m->idf));
	for (uint32_t f = 0; f < nf; f++) {
		m->hashes[f] = get_u32(&r);
		m->idf[f] = get_f32(&r);
	}
	nw = (size_t)nf * n;
	m->weights = xmalloc((nw + 1) * sizeof(float));
	for (size_t i = 0; i < nw; i++)
		m->weights[i] = get_f32(&r);
	m->bias = xmalloc(n * sizeof(float));
	for (uint32_t i = 0; i < n; i++)
		m->bias[i] = get_f32(&r);
	m->n_post = get_u32(&r);
	if (!fits(&r, (uint64_t)nf + 1, 4))
		goto bad;
	m->post_start = xmalloc(((size_t)nf + 1) * sizeof(uint32_t));
	for (uint32_t f = 0; f <= nf; f++) {
		m->post_start[f] = get_u32(&r);
		if (f == 0 ? m->post_start[0] != 0
			   : m->post_start[f] < m->post_start[f - 1])
			goto bad;
	}
	if (m->post_start[nf] != m->n_post || !fits(&r, m->n_post, 8))
		goto bad;
	m->post_ex = xmalloc(((size_t)m->n_post + 1) * sizeof(uint32_t));
	m->post_w = xmalloc(((size_t)m->n_post + 1) * sizeof(float));
	for (uint32_t p = 0; p < m->n_post; p++) {
		m->post_ex[p] = get_u32(&r);
		m->post_w[p] = get_f32(&r);
		if (m->post_ex[p] >= m->n_examples)
			goto bad;
	}
	if (r.bad || r.off != r.len)
		goto bad;
	build_table(m);
	return m;
bad:
	dp_fail(err, DP_EPARSE, "intent model is truncated or corrupt; retrain it");
fail:
	classifier_free(m);
	return NULL;
}
