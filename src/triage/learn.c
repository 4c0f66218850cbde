/*
 * learn.c - training and cross-validating the intent classifier (see
 * classifier.h; the model itself is in classifier.c).
 *
 * Design:
 * - Classes are interned in first-seen order; a class's kind is the kind
 *   of its first row, and a later row that says otherwise is an error.
 * - The vocabulary is every feature of the training rows; idf is
 *   log((n + 1) / (df + 1)) + 1, and a word never seen counts with the
 *   largest idf in a message's norm, so unknown words dilute the rest.
 * - Softmax regression by stochastic gradient descent over a
 *   deterministic shuffle, with a step that decays per epoch. Each row's
 *   gradient is weighted by sqrt(n / (classes * rows of its class)), so a
 *   background group with thousands of rows does not drown an intent with
 *   forty, nor does the balancing overrule what the rows say.
 * - Calibration: a first fit leaves out every fifth row; the temperature
 *   that minimises their log loss is kept, then the weights are fitted
 *   again on every row.
 * - The float weights are then stored as 8-bit integers: per feature, the
 *   largest magnitude over the classes maps to 127.
 *
 * Training is deterministic: the same rows give the same model bytes.
 */
#include "triage/classifier_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPOCHS 30
#define STEP0 4.0
#define SEED 0x9E3779B9u

struct row {
	uint32_t label;
	float weight; /* class balancing */
	struct bag bag;
};

struct learner {
	struct classifier *m;
	float *w;    /* [F * C] */
	float *bias; /* [C] */
};

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void logits(const struct learner *l, const struct sparse *x, double *z)
{
	size_t c = l->m->n_classes;

	for (size_t k = 0; k < c; k++)
		z[k] = l->bias[k];
	for (size_t i = 0; i < x->n; i++) {
		const float *w = &l->w[(size_t)x->idx[i] * c];
		double v = x->val[i];

		for (size_t k = 0; k < c; k++)
			z[k] += v * w[k];
	}
}

/* Fit the weights on the rows whose index has use[i] set. A row of an
 * intent or background class trains the softmax over those classes; every
 * row trains each sensitive topic's own logistic regression, as a
 * positive (weighted by pos_weight) or a negative. */
static void fit(struct learner *l, const struct row *rows,
		const struct sparse *xs, size_t n, const bool *use, int epochs,
		const float *pos_weight)
{
	const struct classifier *m = l->m;
	size_t c = m->n_classes, n_use = 0;
	size_t *order = xmalloc((n + 1) * sizeof(*order));
	double *z = xmalloc(c * sizeof(*z));
	uint32_t seed = SEED;

	memset(l->w, 0, (size_t)m->n_features * c * sizeof(float));
	memset(l->bias, 0, c * sizeof(float));
	for (size_t i = 0; i < n; i++)
		if (use[i])
			order[n_use++] = i;
	for (int epoch = 0; epoch < epochs; epoch++) {
		double step = STEP0 / (1.0 + epoch);

		for (size_t i = n_use; i > 1; i--) {
			size_t j = xorshift(&seed) % i, t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		for (size_t r = 0; r < n_use; r++) {
			const struct sparse *x = &xs[order[r]];
			const struct row *row = &rows[order[r]];
			bool soft = m->kinds[row->label] != CLASS_SENSITIVE;

			logits(l, x, z);
			classifier_probabilities(m, z, 1.0);
			/* z becomes the gradient of the log loss, per class */
			for (size_t k = 0; k < c; k++) {
				double y = k == row->label;

				if (m->kinds[k] == CLASS_SENSITIVE)
					z[k] = (z[k] - y) * (y ? pos_weight[k] : 1.0);
				else
					z[k] = soft ? (z[k] - y) * row->weight : 0.0;
			}
			for (size_t k = 0; k < c; k++)
				l->bias[k] -= (float)(step * z[k]);
			for (size_t i = 0; i < x->n; i++) {
				float *w = &l->w[(size_t)x->idx[i] * c];
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
static double held_out_loss(const struct learner *l, const struct row *rows,
			    const struct sparse *xs, size_t n, const bool *use,
			    double t)
{
	double *z = xmalloc(l->m->n_classes * sizeof(*z)), loss = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (use[i] || l->m->kinds[rows[i].label] == CLASS_SENSITIVE)
			continue;
		logits(l, &xs[i], z);
		classifier_probabilities(l->m, z, t);
		loss -= log(z[rows[i].label] + 1e-12);
		k++;
	}
	free(z);
	return k ? loss / (double)k : 0;
}

/* Golden-section search of the temperature in [0.05, 20] (log scale). */
static double fit_temperature(const struct learner *l, const struct row *rows,
			      const struct sparse *xs, size_t n, const bool *use)
{
	const double phi = 0.6180339887498949;
	double a = log(0.05), b = log(20.0);
	double x1 = b - phi * (b - a), x2 = a + phi * (b - a);
	double f1 = held_out_loss(l, rows, xs, n, use, exp(x1));
	double f2 = held_out_loss(l, rows, xs, n, use, exp(x2));

	for (int it = 0; it < 30; it++) {
		if (f1 < f2) {
			b = x2, x2 = x1, f2 = f1;
			x1 = b - phi * (b - a);
			f1 = held_out_loss(l, rows, xs, n, use, exp(x1));
		} else {
			a = x1, x1 = x2, f1 = f2;
			x2 = a + phi * (b - a);
			f2 = held_out_loss(l, rows, xs, n, use, exp(x2));
		}
	}
	return exp((a + b) / 2);
}

/* Index of class name in m, adding it with kind k when new; -1 when
 * full, -2 when it exists with another kind. */
static long intern_class(struct classifier *m, const char *name,
			 enum class_kind k)
{
	long i = classifier_class_index(m, name);

	if (i >= 0)
		return m->kinds[i] == k ? i : -2;
	if (m->n_classes >= CLASSIFIER_MAX_CLASSES)
		return -1;
	m->names = xrealloc(m->names, (m->n_classes + 1) * sizeof(char *));
	m->kinds = xrealloc(m->kinds, m->n_classes + 1);
	m->names[m->n_classes] = xstrdup(name);
	m->kinds[m->n_classes] = (unsigned char)k;
	return (long)m->n_classes++;
}

/* Every feature of the rows, with idf. */
static void build_vocabulary(struct classifier *m, const struct row *rows,
			     size_t n)
{
	size_t cap = 1024;
	uint32_t *df = xmalloc(cap * sizeof(*df));

	m->hashes = xmalloc(cap * sizeof(*m->hashes));
	m->n_features = 0;
	classifier_build_table(m);
	for (size_t r = 0; r < n; r++) {
		const struct bag *b = &rows[r].bag;

		for (size_t i = 0; i <= b->mask; i++) {
			uint32_t h;
			long f;

			if (!b->kind[i])
				continue;
			h = feature_vocab_hash(b->key[i], b->kind[i]);
			if ((f = classifier_lookup(m, h)) >= 0) {
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
				classifier_build_table(m);
			} else {
				size_t j = h & m->table_mask;

				while (m->table[j])
					j = (j + 1) & m->table_mask;
				m->table[j] = m->n_features;
			}
		}
	}
	m->idf = xmalloc(((size_t)m->n_features + 1) * sizeof(*m->idf));
	m->idf_max = (float)(log((double)(n + 1)) + 1.0);
	for (uint32_t f = 0; f < m->n_features; f++)
		m->idf[f] = (float)(log((double)(n + 1) / (df[f] + 1)) + 1.0);
	free(df);
}

/* Store the learner's float weights in m as 8-bit integers. */
static void quantize(struct learner *l)
{
	struct classifier *m = l->m;
	size_t c = m->n_classes;

	m->scale = xmalloc(((size_t)m->n_features + 1) * sizeof(*m->scale));
	m->weights = xmalloc((size_t)m->n_features * c + 1);
	for (uint32_t f = 0; f < m->n_features; f++) {
		const float *w = &l->w[(size_t)f * c];
		float max = 0;

		for (size_t k = 0; k < c; k++)
			if (fabsf(w[k]) > max)
				max = fabsf(w[k]);
		m->scale[f] = max > 0 ? max / 127.0f : 1.0f;
		for (size_t k = 0; k < c; k++)
			m->weights[(size_t)f * c + k] =
				(int8_t)lrintf(w[k] / m->scale[f]);
	}
	m->bias = l->bias;
	l->bias = NULL;
}

/* Tokenize the rows and intern their classes; the count of rows kept
 * (rows without words are skipped), or -1 with err. */
static long read_rows(struct classifier *m, const struct classifier_example *ex,
		      size_t n, struct row *rows, struct dp_error *err)
{
	struct text_tokens *tk = xmalloc(sizeof(*tk));
	long k = 0;

	for (size_t i = 0; i < n; i++) {
		long label;

		if (!ex[i].name || !classifier_name_ok(ex[i].name) ||
		    (unsigned)ex[i].kind >= CLASS_KINDS) {
			dp_fail(err, DP_EINVAL,
				"row %zu: invalid class name '%.60s' (1 to %d bytes of UTF-8 text, no control characters)",
				i + 1, ex[i].name ? ex[i].name : "", CLASS_NAME_MAX - 1);
			goto fail;
		}
		features_tokenize(ex[i].text, tk);
		if (tk->n == 0)
			continue;
		label = intern_class(m, ex[i].name, ex[i].kind);
		if (label == -1) {
			dp_fail(err, DP_ETOOBIG, "row %zu: more than %d classes",
				i + 1, CLASSIFIER_MAX_CLASSES);
			goto fail;
		}
		if (label == -2) {
			dp_fail(err, DP_EINVAL,
				"row %zu: '%.60s' is labelled %s here but %s before",
				i + 1, ex[i].name, class_kind_name(ex[i].kind),
				class_kind_name(m->kinds[classifier_class_index(m, ex[i].name)]));
			goto fail;
		}
		rows[k].label = (uint32_t)label;
		bag_from_tokens(tk, &rows[k].bag);
		k++;
	}
	free(tk);
	return k;
fail:
	for (long i = 0; i < k; i++)
		bag_release(&rows[i].bag);
	free(tk);
	return -1;
}

struct classifier *classifier_train(const struct classifier_example *ex,
				    size_t n, const struct classifier_options *opt,
				    struct dp_error *err)
{
	struct classifier *m = xcalloc(1, sizeof(*m));
	struct learner l = {.m = m};
	struct row *rows = NULL;
	struct sparse *xs = NULL;
	size_t *count = NULL, n_soft = 0, n_soft_classes = 0;
	float *pos_weight = NULL;
	bool *use = NULL;
	int epochs = opt && opt->epochs > 0 ? opt->epochs : EPOCHS;
	long k = 0;

	if (n > CLASSIFIER_MAX_ROWS) {
		dp_fail(err, DP_ETOOBIG, "more than %d training rows",
			CLASSIFIER_MAX_ROWS);
		goto fail;
	}
	if (opt && opt->meta && strlen(opt->meta) >= CLASSIFIER_MAX_META) {
		dp_fail(err, DP_EINVAL, "model description longer than %d bytes",
			CLASSIFIER_MAX_META - 1);
		goto fail;
	}
	rows = xcalloc(n ? n : 1, sizeof(*rows));
	if ((k = read_rows(m, ex, n, rows, err)) < 0) {
		k = 0;
		goto fail;
	}
	if (k == 0 || m->n_classes < 2) {
		dp_fail(err, DP_EINVAL,
			k ? "only one class ('%.60s'): a model needs at least two"
			  : "no training rows with text%.0s",
			k ? m->names[0] : "");
		goto fail;
	}
	m->meta = xstrdup(opt && opt->meta ? opt->meta : "");
	count = xcalloc(m->n_classes, sizeof(*count));
	pos_weight = xcalloc(m->n_classes, sizeof(*pos_weight));
	for (long i = 0; i < k; i++) {
		count[rows[i].label]++;
		if (m->kinds[rows[i].label] != CLASS_SENSITIVE)
			n_soft++;
	}
	for (size_t c = 0; c < m->n_classes; c++) {
		if (m->kinds[c] == CLASS_SENSITIVE)
			pos_weight[c] = (float)sqrt((double)(k - (long)count[c]) /
						    (double)count[c]);
		else
			n_soft_classes++;
	}
	if (n_soft_classes < 2) {
		dp_fail(err, DP_EINVAL,
			"a model needs at least two intent or background classes besides the sensitive topics");
		goto fail;
	}
	for (long i = 0; i < k; i++)
		rows[i].weight = (float)sqrt((double)n_soft /
					     ((double)n_soft_classes *
					      (double)count[rows[i].label]));
	build_vocabulary(m, rows, (size_t)k);
	l.w = xcalloc((size_t)m->n_features * m->n_classes, sizeof(float));
	l.bias = xcalloc(m->n_classes, sizeof(float));
	xs = xcalloc((size_t)k, sizeof(*xs));
	for (long i = 0; i < k; i++)
		classifier_vector(m, &rows[i].bag, &xs[i]);
	/* Calibrate on every fifth row, then fit on everything. */
	use = xmalloc((size_t)k * sizeof(*use));
	for (long i = 0; i < k; i++)
		use[i] = k < 50 || i % 5 != 4;
	m->temperature = 1.0;
	if (k >= 50) {
		fit(&l, rows, xs, (size_t)k, use, epochs, pos_weight);
		m->temperature = fit_temperature(&l, rows, xs, (size_t)k, use);
		for (long i = 0; i < k; i++)
			use[i] = true;
	}
	fit(&l, rows, xs, (size_t)k, use, epochs, pos_weight);
	quantize(&l);
	for (long i = 0; i < k; i++) {
		sparse_release(&xs[i]);
		bag_release(&rows[i].bag);
	}
	free(xs);
	free(use);
	free(pos_weight);
	free(count);
	free(rows);
	free(l.w);
	return m;
fail:
	for (long i = 0; i < k; i++)
		bag_release(&rows[i].bag);
	free(rows);
	free(pos_weight);
	free(count);
	classifier_free(m);
	return NULL;
}

int classifier_cross_validate(const struct classifier_example *rows, size_t n,
			      const bool *scored, int k, const char **pred,
			      double *conf, struct dp_error *err)
{
	struct classifier_example *train = xmalloc((n + 1) * sizeof(*train));
	size_t *fold = xmalloc((n + 1) * sizeof(*fold)), rank = 0, n_names = 0;
	const char **names = xmalloc((n + 1) * sizeof(*names));
	int rc = 0;

	/* The caller's strings for each class name, to point pred[] at. */
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < n_names && strcmp(names[j], rows[i].name) != 0)
			j++;
		if (j == n_names)
			names[n_names++] = rows[i].name;
		fold[i] = scored[i] ? rank++ % (size_t)k : (size_t)-1;
	}
	for (int f = 0; f < k && rc == 0; f++) {
		struct classifier *m;
		size_t nt = 0;

		for (size_t i = 0; i < n; i++)
			if (fold[i] != (size_t)f)
				train[nt++] = rows[i];
		if (!(m = classifier_train(train, nt, NULL, err))) {
			rc = DP_EINVAL;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			struct classifier_prediction p;

			if (fold[i] != (size_t)f)
				continue;
			classifier_predict(m, rows[i].text, &p);
			pred[i] = NULL;
			for (size_t j = 0; j < n_names && !pred[i]; j++)
				if (strcmp(names[j], p.name) == 0)
					pred[i] = names[j];
			conf[i] = p.confidence;
		}
		classifier_free(m);
	}
	free(names);
	free(fold);
	free(train);
	return rc;
}
