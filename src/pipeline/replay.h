/*
 * replay.h - decide a stored customer message again under the current
 * policy, VIP rules, model and intent demotions, and say what would
 * change against the decision stored for it (`deskpilot replay`).
 *
 * The replay takes the workers' own path up to the drafter (decide.h),
 * without the connector's enrich step: it reads nothing from the
 * helpdesk. It writes nothing and drafts nothing, so an outcome that a
 * failing drafter would have turned into `human` shows as the AI outcome
 * here.
 */
#ifndef DP_REPLAY_H
#define DP_REPLAY_H

#include <jansson.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

/* Replay event_id. Returns a new JSON object
 *   {"event": {"id","source","ticket_id","kind","text_purged"},
 *    "stored": decision or null (never decided),
 *    "replayed": decision,
 *    "changed": ["outcome ai_draft -> human", "+reason anger: \"...\"", ...]}
 * where a decision is decision_to_json's object; or NULL with err:
 * DP_ENOTFOUND (no such event), DP_EINVAL (not a customer message),
 * DP_ESTORE (the event or its decision could not be read). */
json_t *replay_event(store *s, const struct config *cfg, int64_t event_id,
		     struct dp_error *err);

/* Print replay_event's object for a terminal. */
void replay_print(const json_t *r, FILE *out);

#endif
