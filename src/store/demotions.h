/*
 * demotions.h - the intent_demotions table: intents taken off the
 * auto-reply list because agents rewrite their drafts (ops/acceptance.h),
 * and the admin putting them back. Times are ms since the epoch.
 */
#ifndef DP_STORE_DEMOTIONS_H
#define DP_STORE_DEMOTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct demotion {
	bool demoted;        /* currently off the auto-reply list */
	int64_t demoted_at;  /* 0 when never demoted */
	int64_t restored_at; /* 0 when never restored by the admin */
	double mean;         /* mean acceptance that demoted it */
	int drafts;          /* over this many drafts */
};

/* The demotion state of intent (all zero when never demoted). 0 or
 * DP_ESTORE. */
int store_demotion_get(store *s, const char *intent, struct demotion *out);

/* Take intent off the auto-reply list (again). 0 or DP_ESTORE. */
int store_demotion_set(store *s, const char *intent, double mean, int drafts,
		       int64_t now_ms);

/* The admin puts intent back: it stays demoted-eligible but only drafts
 * measured after now count from here on. 0, DP_ENOTFOUND when it is not
 * demoted, or DP_ESTORE. */
int store_demotion_restore(store *s, const char *intent, int64_t now_ms);

/* Returns a new JSON array of every intent ever demoted:
 * [{"intent","demoted","demoted_at","restored_at","mean_acceptance",
 *   "drafts"}], or NULL on a database error. */
json_t *store_demotion_list(store *s);

#endif
