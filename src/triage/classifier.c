/*
 * classifier.c - the intent classifier's model: names, prediction,
 * serialization (see classifier.h; training is in learn.c).
 *
 * Prediction: logits over every class from the message's sparse vector
 * and the 8-bit weights; a softmax at the calibrated temperature over the
 * intent and background classes and a sigmoid for each sensitive topic;
 * then the summaries triage reads (best class, best intent, the mass on
 * background classes, the likeliest topic) and the supporting term: the word or
 * word pair of the message whose weight for the best intent stands
 * furthest above its mean weight over all classes, if that contributes at
 * least TERM_MIN to the logit. A message can be confidently put in an
 * intent by character grams alone ("orderr" is close to "order"), but
 * one with no word that speaks for the intent is not recognisably that
 * intent.
 *
 * Format (version 2, little-endian): magic, version, classes (name, kind),
 * meta text, temperature, idf_max, features (hash, idf, scale), int8
 * weights feature-major, biases. Loading checks every count against the
 * bytes left before allocating, and every name and kind.
 *
 * Invariants: n_features < 2^31; the table size is a power of two above
 * 2 * n_features; class names are unique and classifier_name_ok.
 */
#include "triage/classifier_internal.h"

#include "common/utf8.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC 0x43495044u /* "DPIC" little-endian */
#define FORMAT_VERSION 2u
/* Smallest logit contribution that makes a word the intent's term. */
#define TERM_MIN 0.25

static const char *const kind_names[CLASS_KINDS] = {
	[CLASS_INTENT] = "intent",
	[CLASS_SENSITIVE] = "sensitive",
	[CLASS_BACKGROUND] = "background",
};

const char *class_kind_name(enum class_kind k)
{
	return (size_t)k < CLASS_KINDS ? kind_names[k] : "unknown";
}

/* ---- names ----------------------------------------------------------- */

bool classifier_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CLASS_NAME_MAX || !utf8_valid(s, n) || s[0] == ' ' ||
	    s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7F)
			return false;
	}
	return true;
}

void classifier_tag(const char *name, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), o = 0;
	bool sep = false;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		const char *f = NULL;
		char ascii[2] = {0};

		if (len == 0) {
			i++;
			sep = true;
			continue;
		}
		if (cp < 0x80 && (isalnum((int)cp) || cp == '_')) {
			ascii[0] = (char)tolower((int)cp);
			f = ascii;
		} else if (!(f = text_fold(cp)) && !text_other_letter(cp)) {
			sep = true;
		}
		if (f || text_other_letter(cp)) {
			const char *src = f ? f : (const char *)s + i;
			size_t l = f ? strlen(f) : len;

			if (o + (sep && o) + l + 1 > cap)
				break;
			if (sep && o)
				out[o++] = '-';
			memcpy(out + o, src, l);
			o += l;
			sep = false;
		}
		i += len;
	}
	if (cap)
		out[o] = '\0';
}

/* ---- model ----------------------------------------------------------- */

void classifier_free(struct classifier *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_classes; i++)
		free(m->names[i]);
	free(m->names);
	free(m->kinds);
	free(m->meta);
	free(m->hashes);
	free(m->idf);
	free(m->scale);
	free(m->weights);
	free(m->bias);
	free(m->table);
	free(m);
}

size_t classifier_classes(const struct classifier *m)
{
	return m->n_classes;
}

const char *classifier_class_name(const struct classifier *m, size_t i)
{
	return i < m->n_classes ? m->names[i] : NULL;
}

enum class_kind classifier_class_kind(const struct classifier *m, size_t i)
{
	return i < m->n_classes ? (enum class_kind)m->kinds[i] : CLASS_INTENT;
}

const char *classifier_meta(const struct classifier *m)
{
	return m->meta ? m->meta : "";
}

long classifier_class_index(const struct classifier *m, const char *name)
{
	for (size_t i = 0; i < m->n_classes; i++)
		if (strcmp(m->names[i], name) == 0)
			return (long)i;
	return -1;
}

long classifier_lookup(const struct classifier *m, uint32_t vh)
{
	size_t i = vh & m->table_mask;

	while (m->table[i]) {
		uint32_t idx = m->table[i] - 1;

		if (m->hashes[idx] == vh)
			return idx;
		i = (i + 1) & m->table_mask;
	}
	return -1;
}

void classifier_build_table(struct classifier *m)
{
	size_t size = 64;

	free(m->table);
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

/* ---- prediction ------------------------------------------------------ */

static void logits(const struct classifier *m, const struct sparse *x,
		   double *z)
{
	size_t c = m->n_classes;

	for (size_t k = 0; k < c; k++)
		z[k] = m->bias[k];
	for (size_t i = 0; i < x->n; i++) {
		const int8_t *w = &m->weights[(size_t)x->idx[i] * c];
		double v = x->val[i] * m->scale[x->idx[i]];

		for (size_t k = 0; k < c; k++)
			z[k] += v * w[k];
	}
}

/* How much feature f, at value v in the message, speaks for class c more
 * than for the average class. */
static double support(const struct classifier *m, long f, double v, size_t c)
{
	const int8_t *w = &m->weights[(size_t)f * m->n_classes];
	double mean = 0;

	for (size_t k = 0; k < m->n_classes; k++)
		mean += w[k];
	mean /= (double)m->n_classes;
	return v * m->scale[f] * (w[c] - mean);
}

/* The value feature vh has in x (0 when absent). */
static double value_of(const struct classifier *m, const struct sparse *x,
		       uint32_t vh, long *f)
{
	*f = classifier_lookup(m, vh);
	if (*f < 0)
		return 0;
	for (size_t i = 0; i < x->n; i++)
		if (x->idx[i] == (uint32_t)*f)
			return x->val[i];
	return 0;
}

/* Fill out->term with the message's best supporting word or word pair for
 * class c. */
static void find_term(const struct classifier *m, const struct text_tokens *tk,
		      const struct sparse *x, size_t c,
		      struct classifier_prediction *out)
{
	double best = TERM_MIN;

	out->term[0] = '\0';
	for (size_t i = 0; i < tk->n; i++) {
		uint32_t la, lb;
		const char *a = feature_word(&tk->tok[i], &la), *b = NULL;
		long f;
		double v, s;

		v = value_of(m, x, feature_vocab_hash(feature_word_hash(a, la), F_WORD), &f);
		if (f >= 0 && (s = support(m, f, v, c)) > best) {
			best = s;
			snprintf(out->term, sizeof(out->term), "%.*s", (int)la, a);
		}
		if (i + 1 == tk->n)
			continue;
		b = feature_word(&tk->tok[i + 1], &lb);
		v = value_of(m, x,
			     feature_vocab_hash(feature_pair_hash(a, la, b, lb), F_BIGRAM),
			     &f);
		if (f >= 0 && (s = support(m, f, v, c)) > best) {
			best = s;
			snprintf(out->term, sizeof(out->term), "%.*s %.*s", (int)la,
				 a, (int)lb, b);
		}
	}
}

void classifier_probabilities(const struct classifier *m, double *z, double t)
{
	double max = -HUGE_VAL, sum = 0;

	for (size_t k = 0; k < m->n_classes; k++)
		if (m->kinds[k] != CLASS_SENSITIVE && z[k] > max)
			max = z[k];
	for (size_t k = 0; k < m->n_classes; k++) {
		if (m->kinds[k] == CLASS_SENSITIVE) {
			z[k] = 1.0 / (1.0 + exp(-z[k]));
			continue;
		}
		z[k] = exp((z[k] - max) / t);
		sum += z[k];
	}
	for (size_t k = 0; k < m->n_classes; k++)
		if (m->kinds[k] != CLASS_SENSITIVE)
			z[k] /= sum;
}

void classifier_predict(const struct classifier *m, const char *text,
			struct classifier_prediction *out)
{
	struct text_tokens *tk = xmalloc(sizeof(*tk));
	double *z = xmalloc(m->n_classes * sizeof(*z));
	long best = -1, intent = -1, sens = -1;
	struct bag b;
	struct sparse x;

	features_tokenize(text, tk);
	bag_from_tokens(tk, &b);
	classifier_vector(m, &b, &x);
	logits(m, &x, z);
	classifier_probabilities(m, z, m->temperature);
	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < m->n_classes; k++) {
		switch (m->kinds[k]) {
		case CLASS_SENSITIVE:
			if (sens < 0 || z[k] > z[sens])
				sens = (long)k;
			continue;
		case CLASS_INTENT:
			if (intent < 0 || z[k] > z[intent])
				intent = (long)k;
			break;
		default:
			out->background_mass += z[k];
			break;
		}
		if (best < 0 || z[k] > z[best])
			best = (long)k;
	}
	out->name = m->names[best];
	out->kind = (enum class_kind)m->kinds[best];
	out->confidence = z[best];
	if (sens >= 0) {
		out->sensitive = m->names[sens];
		out->sensitive_score = z[sens];
	}
	if (intent >= 0) {
		out->intent = m->names[intent];
		out->intent_confidence = z[intent];
		find_term(m, tk, &x, (size_t)intent, out);
	}
	free(z);
	sparse_release(&x);
	bag_release(&b);
	free(tk);
}

size_t classifier_top_intents(const struct classifier *m, const char *text,
			      const char **out, size_t k)
{
	struct text_tokens *tk = xmalloc(sizeof(*tk));
	double *z = xmalloc(m->n_classes * sizeof(*z));
	bool *taken = xcalloc(m->n_classes, sizeof(*taken));
	struct bag b;
	struct sparse x;
	size_t n = 0;

	features_tokenize(text, tk);
	bag_from_tokens(tk, &b);
	classifier_vector(m, &b, &x);
	logits(m, &x, z);
	classifier_probabilities(m, z, m->temperature);
	while (n < k) {
		long best = -1;

		for (size_t c = 0; c < m->n_classes; c++)
			if (m->kinds[c] == CLASS_INTENT && !taken[c] &&
			    (best < 0 || z[c] > z[best]))
				best = (long)c;
		if (best < 0)
			break;
		taken[best] = true;
		out[n++] = m->names[best];
	}
	free(taken);
	free(z);
	sparse_release(&x);
	bag_release(&b);
	free(tk);
	return n;
}

/* ---- serialization --------------------------------------------------- */

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

static void put_str(struct writer *w, const char *s)
{
	size_t n = strlen(s);

	put_u32(w, (uint32_t)n);
	put_bytes(w, s, n);
}

unsigned char *classifier_serialize(const struct classifier *m, size_t *len)
{
	struct writer w = {0};

	put_u32(&w, MAGIC);
	put_u32(&w, FORMAT_VERSION);
	put_u32(&w, (uint32_t)m->n_classes);
	for (size_t i = 0; i < m->n_classes; i++) {
		put_str(&w, m->names[i]);
		put_bytes(&w, &m->kinds[i], 1);
	}
	put_str(&w, classifier_meta(m));
	put_f64(&w, m->temperature);
	put_f32(&w, m->idf_max);
	put_u32(&w, m->n_features);
	for (uint32_t f = 0; f < m->n_features; f++) {
		put_u32(&w, m->hashes[f]);
		put_f32(&w, m->idf[f]);
		put_f32(&w, m->scale[f]);
	}
	put_bytes(&w, m->weights, (size_t)m->n_features * m->n_classes);
	for (size_t i = 0; i < m->n_classes; i++)
		put_f32(&w, m->bias[i]);
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

/* A string of at most max - 1 bytes as a new heap string, or NULL. */
static char *get_str(struct reader *r, size_t max)
{
	uint32_t n = get_u32(r);
	char *s;

	if (n >= max || !fits(r, n, 1)) {
		r->bad = true;
		return NULL;
	}
	s = xstrndup((const char *)r->p + r->off, n);
	r->off += n;
	if (strlen(s) != n) { /* a NUL inside */
		free(s);
		r->bad = true;
		return NULL;
	}
	return s;
}

static bool read_classes(struct reader *r, struct classifier *m)
{
	uint32_t n = get_u32(r);

	if (n < 2 || n > CLASSIFIER_MAX_CLASSES || !fits(r, n, 5))
		return false;
	m->names = xcalloc(n, sizeof(char *));
	m->kinds = xcalloc(n, 1);
	for (uint32_t i = 0; i < n; i++) {
		char *name = get_str(r, CLASS_NAME_MAX);

		if (!name)
			return false;
		m->names[i] = name;
		m->n_classes = i + 1;
		if (!fits(r, 1, 1) || !classifier_name_ok(name) ||
		    classifier_class_index(m, name) != (long)i)
			return false;
		m->kinds[i] = r->p[r->off++];
		if (m->kinds[i] >= CLASS_KINDS)
			return false;
	}
	return true;
}

struct classifier *classifier_load(const void *blob, size_t len,
				   struct dp_error *err)
{
	struct reader r = {.p = blob, .len = len};
	struct classifier *m = xcalloc(1, sizeof(*m));
	uint32_t nf;
	size_t nw;

	if (len > CLASSIFIER_MAX_BLOB || get_u32(&r) != MAGIC) {
		dp_fail(err, DP_EPARSE, "not a deskpilot intent model");
		goto fail;
	}
	if (get_u32(&r) != FORMAT_VERSION) {
		dp_fail(err, DP_EPARSE,
			"intent model of another format version; retrain it (deskpilot train)");
		goto fail;
	}
	if (!read_classes(&r, m) || !(m->meta = get_str(&r, CLASSIFIER_MAX_META)) ||
	    !utf8_valid(m->meta, strlen(m->meta)))
		goto bad;
	m->temperature = get_f64(&r);
	m->idf_max = get_f32(&r);
	nf = get_u32(&r);
	if (r.bad || m->temperature <= 0 || nf >= 0x7FFFFFFFu ||
	    !fits(&r, nf, 12 + (uint64_t)m->n_classes))
		goto bad;
	m->n_features = nf;
	m->hashes = xmalloc(((size_t)nf + 1) * sizeof(*m->hashes));
	m->idf = xmalloc(((size_t)nf + 1) * sizeof(*m->idf));
	m->scale = xmalloc(((size_t)nf + 1) * sizeof(*m->scale));
	for (uint32_t f = 0; f < nf; f++) {
		m->hashes[f] = get_u32(&r);
		m->idf[f] = get_f32(&r);
		m->scale[f] = get_f32(&r);
	}
	nw = (size_t)nf * m->n_classes;
	if (!fits(&r, nw, 1))
		goto bad;
	m->weights = xmalloc(nw + 1);
	memcpy(m->weights, r.p + r.off, nw);
	r.off += nw;
	m->bias = xmalloc(m->n_classes * sizeof(float));
	for (size_t i = 0; i < m->n_classes; i++)
		m->bias[i] = get_f32(&r);
	if (r.bad || r.off != r.len)
		goto bad;
	classifier_build_table(m);
	return m;
bad:
	dp_fail(err, DP_EPARSE, "intent model is truncated or corrupt; retrain it");
fail:
	classifier_free(m);
	return NULL;
}
