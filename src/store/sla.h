/*
 * sla.h - the sla_escalations table: which VIP decisions the SLA watchdog
 * (ops/watchdog.h) escalated, and when. Times are ms since the epoch.
 */
#ifndef DP_STORE_SLA_H
#define DP_STORE_SLA_H

#include <stdint.h>

#include "store/store.h"

/* A VIP decision whose ticket has had no agent reply since. */
struct sla_candidate {
	int64_t decision_id;
	int64_t event_id;
	int64_t ticket_id;
	int64_t decided_at;
	char source[32];
};

/* Fill out[0..max) with unanswered, not yet escalated human_vip
 * decisions, the first of each unanswered stretch of a ticket, decided in
 * [after_ms, before_ms], oldest first. "Answered" means a later event on
 * the ticket of kind agent_reply, or one whose state is closed, resolved
 * or merged. Returns the number found (0..max) or DP_ESTORE. */
int store_sla_candidates(store *s, int64_t after_ms, int64_t before_ms,
			 struct sla_candidate *out, int max);

/* Record the escalation of a candidate (inside the transaction that queues
 * its outbox actions). 0, DP_EDUP when it was escalated already, or
 * DP_ESTORE. */
int store_sla_escalate(store *s, const struct sla_candidate *c,
		       int64_t due_ms, int64_t now_ms);

/* Escalations recorded at or after since_ms; -1 on error. */
int64_t store_sla_breaches(store *s, int64_t since_ms);

#endif
