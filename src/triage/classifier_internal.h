/*
 * classifier_internal.h - what the classifier's model (classifier.c) and
 * its learner (learn.c) share: features, the vocabulary, the model layout.
 * Not for other modules: they use classifier.h.
 *
 * Features are 32-bit FNV-1a hashes of "kind + text". A feature's
 * vocabulary hash folds the kind in once more, so a word and a character
 * gram with the same text hash apart. A message's features are counted in
 * a bag (open addressing, sized for the message) and turned into a sparse
 * vector of known features: each group (words and word pairs; character
 * grams) weighted by (1 + log count) * idf, normalised over all of its
 * features, known or not, and scaled by the group's share.
 */
#ifndef DP_CLASSIFIER_INTERNAL_H
#define DP_CLASSIFIER_INTERNAL_H

#include "triage/classifier.h"

enum feature_kind { F_WORD = 1,
		    F_BIGRAM = 2,
		    F_CHAR = 3 };

struct bag {
	uint32_t *key;
	float *val;
	unsigned char *kind; /* 0: empty slot */
	size_t mask, n;
};

struct sparse {
	uint32_t *idx; /* feature index in the model */
	float *val;
	size_t n;
};

struct classifier {
	size_t n_classes;
	char **names;
	unsigned char *kinds; /* enum class_kind per class */
	char *meta;
	double temperature;
	float idf_max; /* idf of a word never seen in training */
	uint32_t n_features;
	uint32_t *hashes; /* [F] vocabulary hashes */
	float *idf;       /* [F] */
	float *scale;     /* [F] weight of one step of weights[] */
	int8_t *weights;  /* [F * n_classes] */
	float *bias;      /* [n_classes] */
	uint32_t *table;  /* vocabulary hash -> feature index + 1, 0 empty */
	size_t table_mask;
};

/* Tokenize text for the classifier: e-mail addresses and links become one
 * placeholder word each, then text_tokenize. */
void features_tokenize(const char *text, struct text_tokens *out);

/* The bag of features of tokens (features_tokenize); bag_release it. */
void bag_from_tokens(const struct text_tokens *tk, struct bag *b);
void bag_release(struct bag *b);

/* The word a token stands for in features: "#" for anything with a digit
 * (order numbers, amounts, dates), the token itself otherwise. */
const char *feature_word(const struct token *t, uint32_t *len);

/* Feature hashes, as bag_from_tokens makes them, of one word and of a pair
 * of words; and the vocabulary hash of a bag entry. */
uint32_t feature_word_hash(const char *w, size_t n);
uint32_t feature_pair_hash(const char *a, size_t na, const char *b, size_t nb);
uint32_t feature_vocab_hash(uint32_t h, unsigned char kind);

/* Index of a vocabulary hash in m, -1 when unknown. */
long classifier_lookup(const struct classifier *m, uint32_t vh);
/* (Re)build m->table from m->hashes. */
void classifier_build_table(struct classifier *m);

/* The regression vector of a bag under m's vocabulary (sparse_release it). */
void classifier_vector(const struct classifier *m, const struct bag *b,
		       struct sparse *out);
void sparse_release(struct sparse *v);

/* Turn logits z into probabilities, in place: a softmax at temperature t
 * over the intent and background classes, and each sensitive topic's own
 * sigmoid (a message can be about a topic whatever it asks). */
void classifier_probabilities(const struct classifier *m, double *z, double t);

/* Index of class name in m, -1 when absent. */
long classifier_class_index(const struct classifier *m, const char *name);

#endif
