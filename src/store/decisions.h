/*
 * decisions.h - the decisions table: one row per decided event, the audit
 * log of what deskpilot decided, why, and with what.
 *
 * The UNIQUE event_id is what makes deciding exactly-once: a worker that
 * re-claims an event after a crash finds the row and does not decide again.
 */
#ifndef DP_STORE_DECISIONS_H
#define DP_STORE_DECISIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/decision.h"
#include "store/store.h"

struct decision_record {
	int64_t event_id;
	const char *source;
	int64_t ticket_id;
	int64_t decided_at; /* ms since epoch */
	const struct decision *d;
	const char *drafter; /* "kb", "llm" or NULL */
	const char *draft;   /* NULL when none */
	int64_t latency_us;  /* claim to commit */
	int64_t model_ms;
	int tokens_in;
	int tokens_out;
};

/* Insert a decision; call inside store_begin/store_commit together with
 * the outbox rows and store_event_mark_done. Returns 0 and the new id, or
 * DP_EDUP when the event already has a decision. */
int store_decision_insert(store *s, const struct decision_record *r,
			  int64_t *id_out);

/* Mark an event decided (state 'done', lease cleared). */
int store_event_mark_done(store *s, int64_t event_id);

/* Whether an earlier event of this ticket got an AI answer (ai_draft or
 * ai_reply, also as shadow mode's would_be). */
bool store_decision_prior_ai(store *s, const char *source, int64_t ticket_id,
			     int64_t before_event_id);

/* Decisions by outcome for /metrics: calls fn for each (outcome, count). */
int store_decision_counts(store *s,
			  void (*fn)(void *ctx, const char *outcome, int64_t n),
			  void *ctx);

#endif
