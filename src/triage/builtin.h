/*
 * builtin.h - what deskpilot ships compiled into its binary, made at build
 * time by dp-mkmodel from the corpora in data/ (their licences are in
 * data/ and the README):
 * - the default intent model, used whenever the database holds no model
 *   of its own (deskpilot train replaces it for that database);
 * - the built-in training rows: off-domain background groups and the
 *   sensitive topics, which deskpilot train adds to the helpdesk's rows so
 *   that every model can say "none of these" and "a person, always".
 *
 * Both are parsed once, on first use, and then shared read-only by all
 * threads for the life of the process.
 */
#ifndef DP_BUILTIN_H
#define DP_BUILTIN_H

#include <stdbool.h>
#include <stddef.h>

#include "triage/classifier.h"

/* The default model (borrowed, never freed), or NULL when the embedded
 * blob does not load (a build defect, logged once). */
const struct classifier *builtin_model(void);

/* The model that decides for a database: when it holds a model of its
 * own (`in_db`), that one (`stored`, NULL when it failed to load: then no
 * model decides and people get every ticket); otherwise the built-in
 * model. Logs at info which model it is and what it was trained on, the
 * first time and whenever that changes. */
const struct classifier *builtin_pick(bool in_db, const struct classifier *stored);

/* The built-in training rows (borrowed, valid for the process), their
 * number in *n; NULL and *n = 0 when the embedded data does not parse. */
const struct classifier_example *builtin_rows(size_t *n);

#endif
