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

/* Whether an earlier event of this ticket got an AI answer (ai_draft or
 * ai_reply, also as shadow mode's would_be). */
bool store_decision_prior_ai(store *s, const char *source, int64_t ticket_id,
			     int64_t before_event_id);

/* Decisions by outcome for /metrics: calls fn for each (outcome, count). */
int store_decision_counts(store *s,
			  void (*fn)(void *ctx, const char *outcome, int64_t n),
			  void *ctx);

/* ---- decisions as values ------------------------------------------------ */

/* Load decision `decision_id` into d (outcome, would_be, intent,
 * confidence, reasons). 0, DP_ENOTFOUND or DP_ESTORE. */
int store_decision_load(store *s, int64_t decision_id, struct decision *d);

/* The decision stored for event_id: fills d and *decision_id. 0,
 * DP_ENOTFOUND (never decided) or DP_ESTORE. */
int store_decision_of_event(store *s, int64_t event_id, struct decision *d,
			    int64_t *decision_id);

/* ---- draft acceptance (the acceptance column) ---------------------------- */

/* An ai_draft decision with the first public agent reply that followed it
 * on the same ticket. Strings are new (acceptance_items_free frees). */
struct acceptance_item {
	int64_t decision_id;
	char *intent; /* "" when none */
	char *draft;
	char *reply; /* the agent's reply body */
};

/* Up to max ai_draft decisions decided at or after since_ms that have a
 * draft, no acceptance yet and a later agent reply with a body (so drafts
 * and replies purged by retention are skipped). Returns the number found,
 * out set to a new array (NULL when 0), or DP_ESTORE. */
int store_acceptance_pending(store *s, int64_t since_ms, int max,
			     struct acceptance_item **out);
void acceptance_items_free(struct acceptance_item *items, int n);

/* Store the measured acceptance (0..1) of a decision. 0 or DP_ESTORE. */
int store_acceptance_set(store *s, int64_t decision_id, double acceptance);

/* Mean acceptance of the last `window` measured ai_draft decisions of
 * intent decided after after_ms: *mean and *count (count 0: mean 0). */
int store_acceptance_window(store *s, const char *intent, int64_t after_ms,
			    int window, double *mean, int *count);

#endif
