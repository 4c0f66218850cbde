/*
 * model.h - the models table: the trained intent classifier.
 *
 * One row named "intent" holds the current model as a classifier_serialize
 * blob, with the number of training rows and when it was trained. Saving
 * replaces it in one statement, so a reader sees the old or the new model,
 * never a mix. The pipeline polls store_model_stamp and reloads when it
 * changes.
 */
#ifndef DP_STORE_MODEL_H
#define DP_STORE_MODEL_H

#include <stdint.h>

#include "store/store.h"
#include "triage/classifier.h"

/* Returns a new model (classifier_free), or NULL with err: DP_ENOTFOUND
 * when none was trained, DP_EPARSE when the stored blob is unusable,
 * DP_ESTORE. */
struct classifier *store_model_load(store *s, struct dp_error *err);

/* Store m as the current model, trained from `rows` rows at now_ms.
 * 0 or DP_ESTORE. */
int store_model_save(store *s, const struct classifier *m, int rows,
		     int64_t now_ms);

/* trained_at of the current model, 0 when there is none (or on error). */
int64_t store_model_stamp(store *s);

#endif
