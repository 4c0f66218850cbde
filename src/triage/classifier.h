/*
 * classifier.h - the embedded intent classifier.
 *
 * A model knows a set of classes, each of one kind:
 * - intents: what the helpdesk's customers ask (track_order, "Billing"...);
 * - sensitive topics: what always needs a person whatever the policy
 *   says (fraud, a lost or stolen card or device, account takeover...);
 * - background: text that is not this helpdesk's business at all (a bank's
 *   customers, a voice assistant's commands, small talk), in a few groups.
 * Background classes are what makes "none of the known intents" a real
 * answer: a message that reads more like the background than like any
 * intent is out of scope, instead of being forced into its nearest intent.
 *
 * The learner is logistic regression over hashed features of the message
 * (word unigrams and bigrams, character 3- and 4-grams of each word;
 * numbers, e-mail addresses and links each map to one placeholder),
 * weighted by TF-IDF, trained by stochastic gradient descent: one softmax
 * over the intents and background groups (with class balancing), and for
 * each sensitive topic its own yes/no regression, so that a topic never
 * takes probability from the intent a message also asks about. Intent
 * confidence is the softmax probability after temperature scaling fitted
 * on a held-out fifth of the training rows, so a confidence of 0.8 means
 * about 80% of such predictions are right.
 * Weights are stored as 8-bit integers with a scale per feature.
 *
 * Class names are any UTF-8 text of 1..CLASS_NAME_MAX-1 bytes without
 * control characters (classifier_name_ok); classifier_tag gives the form
 * a helpdesk tag can carry.
 *
 * Training and prediction are deterministic (fixed shuffling seed); a
 * trained model is read-only and may be shared by threads.
 */
#ifndef DP_CLASSIFIER_H
#define DP_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/decision.h"
#include "common/dp.h"
#include "triage/text.h"

struct classifier;

/* Caps on training input. */
#define CLASSIFIER_MAX_ROWS 200000
#define CLASSIFIER_MAX_CLASSES 512
#define CLASSIFIER_MAX_BLOB (256u * 1024 * 1024)
#define CLASSIFIER_MAX_META 1024
#define CLASS_NAME_MAX INTENT_MAX

enum class_kind {
	CLASS_INTENT,     /* one of the helpdesk's intents */
	CLASS_SENSITIVE,  /* a topic that always needs a person */
	CLASS_BACKGROUND, /* not the helpdesk's business */
	CLASS_KINDS
};

/* "intent", "sensitive", "background". */
const char *class_kind_name(enum class_kind k);

struct classifier_example {
	const char *text;     /* borrowed */
	const char *name;     /* borrowed; the class (classifier_name_ok) */
	enum class_kind kind; /* every row of one class has the same kind */
};

struct classifier_prediction {
	const char *name;     /* best intent or background class (borrowed) */
	enum class_kind kind; /* its kind */
	double confidence;    /* its calibrated probability, 0..1 */
	const char *intent;   /* best intent class, NULL when none */
	double intent_confidence;
	double background_mass; /* summed probability of background classes */
	const char *sensitive;  /* likeliest sensitive topic, NULL when none */
	double sensitive_score; /* its probability, 0..1 */
	/* The message's word (or word pair) that most supports `intent`, as
	 * normalized by text_tokenize; "" when no word of the message speaks
	 * for it more than for the other classes. */
	char term[2 * TEXT_MAX_WORD + 2];
};

/* Whether s is a valid class name: 1..CLASS_NAME_MAX-1 bytes of valid
 * UTF-8, no control characters, not blank, no leading or trailing
 * space. */
bool classifier_name_ok(const char *s);

/* The tag form of a class name into out (cap >= CLASS_NAME_MAX): letters
 * lowercased and Latin accents folded as text_tokenize does, digits and
 * '_' kept, every other run of characters one '-' (none at either end):
 * "track_order" stays, "Rückerstattung / Geld zurück?" gives
 * "ruckerstattung-geld-zuruck". A name with no letter gives "". Pure. */
void classifier_tag(const char *name, char *out, size_t cap);

struct classifier_options {
	const char *meta; /* what the model was trained on, for people; may be NULL */
	int epochs;       /* passes over the rows; 0: the default */
};

/* Train on n rows. Rows whose text has no words are skipped. Returns a new
 * model (classifier_free), or NULL with err for no usable rows, fewer than
 * two classes, too many rows or classes, an invalid class name, or one
 * class given two kinds (naming the row, 1-based). */
struct classifier *classifier_train(const struct classifier_example *rows,
				    size_t n, const struct classifier_options *opt,
				    struct dp_error *err);

/* k-fold cross-validation (2 <= k): rows with scored[i] set are assigned to
 * fold (their rank among scored rows) % k and predicted by a model trained
 * on every row outside that fold; rows with scored[i] unset are always
 * trained on. For each scored row, pred[i] receives the predicted class's
 * name (borrowed from rows[].name) and conf[i] its confidence. 0, or the
 * classifier_train error. */
int classifier_cross_validate(const struct classifier_example *rows, size_t n,
			      const bool *scored, int k, const char **pred,
			      double *conf, struct dp_error *err);

/* classifier_free(NULL) does nothing. */
void classifier_free(struct classifier *m);

/* Predict from text (may be NULL or empty: the class of the largest
 * prior, no term). Pure. */
void classifier_predict(const struct classifier *m, const char *text,
			struct classifier_prediction *out);

/* The names of the (at most k) intent classes most probable for text,
 * best first, borrowed from the model; returns how many. Pure. */
size_t classifier_top_intents(const struct classifier *m, const char *text,
			      const char **out, size_t k);

/* Number of classes; class i's name (borrowed) and kind. */
size_t classifier_classes(const struct classifier *m);
const char *classifier_class_name(const struct classifier *m, size_t i);
enum class_kind classifier_class_kind(const struct classifier *m, size_t i);

/* What the model was trained on (borrowed; "" when not recorded). */
const char *classifier_meta(const struct classifier *m);

/* Returns a new byte blob (caller frees) holding the whole model, its
 * length in *len. The format is versioned and little-endian. */
unsigned char *classifier_serialize(const struct classifier *m, size_t *len);

/* Returns a new model from a blob made by classifier_serialize, or NULL
 * with err (DP_EPARSE) when the blob is truncated, of another version or
 * inconsistent. The blob is borrowed. */
struct classifier *classifier_load(const void *blob, size_t len,
				   struct dp_error *err);

#endif
