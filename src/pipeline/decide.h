/*
 * decide.h - one stored customer message, decided: the one path the
 * pipeline's workers and `deskpilot replay` both take, up to the drafter.
 *
 * The steps, in order: clean the text; load the VIP rules and the
 * ticket's history as it was when the message arrived; let the
 * connector's enrich step complete the event from the helpdesk (workers
 * only: a replay decides offline); triage with the database's model, or
 * the built-in one when it has none (triage/builtin.h); take intents
 * agents keep rewriting off the auto-reply list (ops/acceptance.h); and
 * hold for a person what could not be checked.
 *
 * Failure is closed toward people: VIP rules that do not load, or a
 * helpdesk that could not say whether the customer is premium, add the
 * reason vip_unknown and turn an AI outcome into `human`; a model that
 * does not load leaves no model to decide, so people get every ticket.
 */
#ifndef DP_DECIDE_H
#define DP_DECIDE_H

#include <stdint.h>

#include "common/decision.h"
#include "common/event.h"
#include "config/config.h"
#include "store/store.h"
#include "triage/classifier.h"

struct http_client;

/* The database's intent model, kept between events and reloaded when a
 * newer one is trained. A model that does not load (one an older version
 * trained, say) is read again only when another is trained or 10 minutes
 * have passed: people decide meanwhile, and the error is not logged for
 * every event. */
struct decide_model {
	struct classifier *stored; /* NULL: the database has none, or it did not load */
	int64_t stamp;             /* its trained_at; 0 when the database has none */
	int64_t retry_at;          /* ms: when a model that did not load is read again */
};

void decide_model_init(struct decide_model *m);
void decide_model_release(struct decide_model *m);

/* The model that decides now: the database's (NULL when it did not load)
 * or, when the database has none, the built-in one. Borrowed, valid until
 * the next decide_event with m or decide_model_release. */
const struct classifier *decide_model_current(const struct decide_model *m);

/* What deciding needs; all borrowed. */
struct decide_env {
	store *st; /* the calling thread's */
	const struct config *cfg;
	struct decide_model *model;
	struct http_client *http; /* for the connector's enrich step; NULL skips it */
};

/* Decide the customer message ev, stored as event_id (its body is
 * replaced by the cleaned text). d is overwritten. */
void decide_event(const struct decide_env *env, int64_t event_id,
		  struct ticket_event *ev, struct decision *d);

#endif
