/*
 * classifier.h - the embedded intent classifier.
 *
 * Multinomial logistic regression over hashed word unigrams, word bigrams
 * and character 3- and 4-grams of each word (the character grams make it
 * robust to typos), trained by stochastic gradient descent. Confidence is
 * the softmax probability after temperature scaling fitted on a held-out
 * fifth of the training rows, so a confidence of 0.8 means about 80% of
 * such predictions are right.
 *
 * Out-of-scope signal: the cosine similarity (TF-IDF over words) between the message and its nearest training example. Words the
 * model never saw count fully against the similarity, so a question unlike
 * anything in the training data scores low and is not forced into the
 * nearest intent; triage compares it with policy.min_similarity.
 *
 * Training and prediction are deterministic (fixed shuffling seed); a
 * trained model is read-only and may be shared by threads.
 */
#ifndef DP_CLASSIFIER_H
#define DP_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dp.h"
#include "triage/text.h"

struct classifier;

/* Caps on training input. */
#define CLASSIFIER_MAX_ROWS 200000
#define CLASSIFIER_MAX_INTENTS 256
#define CLASSIFIER_MAX_BLOB (256u * 1024 * 1024)

struct classifier_example {
	const char *text;   /* borrowed */
	const char *intent; /* borrowed; [A-Za-z0-9_.-], 1..47 bytes */
};

struct classifier_prediction {
	const char *intent; /* borrowed from the model */
	double confidence;  /* calibrated probability of intent, 0..1 */
	double similarity;  /* to the nearest training example, 0..1 */
};

/* Whether s is a valid intent name: 1..INTENT_MAX-1 bytes of letters,
 * digits, '_', '.', '-'. */
bool classifier_intent_ok(const char *s);

/* Train on n rows. Rows whose text has no words are skipped. Returns a new
 * model (classifier_free), or NULL with err for no usable rows, too many
 * rows or intents, or an invalid intent name (naming the row, 1-based). */
struct classifier *classifier_train(const struct classifier_example *rows,
				    size_t n, struct dp_error *err);

/* classifier_free(NULL) does nothing. */
void classifier_free(struct classifier *m);

/* Predict from text (may be NULL or empty: intent of the largest prior,
 * similarity 0). Pure. */
void classifier_predict(const struct classifier *m, const char *text,
			struct classifier_prediction *out);
/* The same from tokens already made by text_tokenize. */
void classifier_predict_tokens(const struct classifier *m,
			       const struct text_tokens *toks,
			       struct classifier_prediction *out);

/* Number of intents, and intent i's name (borrowed). */
size_t classifier_intents(const struct classifier *m);
const char *classifier_intent(const struct classifier *m, size_t i);

/* Returns a new byte blob (caller frees) holding the whole model, its
 * length in *len. The format is versioned and little-endian. */
unsigned char *classifier_serialize(const struct classifier *m, size_t *len);

/* Returns a new model from a blob made by classifier_serialize, or NULL
 * with err (DP_EPARSE) when the blob is truncated, of another version or
 * inconsistent. The blob is borrowed. */
struct classifier *classifier_load(const void *blob, size_t len,
				   struct dp_error *err);

#endif
