/*
 * ops.h - the queries behind operations and insight: the VIP SLA watchdog
 * (sla_escalations), draft acceptance and intent demotions
 * (decisions.acceptance, intent_demotions), and the read-only reports
 * behind `deskpilot stats`, `deskpilot decisions` and /metrics.
 *
 * Report functions return jansson values so the CLI can print them as a
 * table or as JSON from the same data. Times are ms since the epoch.
 * "Effective outcome" below is the outcome, or in shadow mode (outcome
 * none) what would have happened.
 */
#ifndef DP_STORE_OPS_H
#define DP_STORE_OPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/decision.h"
#include "store/store.h"

/* ---- VIP SLA ---------------------------------------------------------- */

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

/* ---- decisions as values ------------------------------------------------ */

/* Load decision `decision_id` into d (outcome, would_be, intent,
 * confidence, reasons). 0, DP_ENOTFOUND or DP_ESTORE. */
int store_decision_load(store *s, int64_t decision_id, struct decision *d);

/* The decision stored for event_id: fills d and *decision_id. 0,
 * DP_ENOTFOUND (never decided) or DP_ESTORE. */
int store_decision_of_event(store *s, int64_t event_id, struct decision *d,
			    int64_t *decision_id);

/* ---- draft acceptance ------------------------------------------------- */

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

/* ---- intent demotions --------------------------------------------------- */

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

/* ---- reports ------------------------------------------------------------ */

/* Returns a new JSON object of the raw figures for decisions decided at or
 * after since_ms, or NULL on a database error:
 *   "decisions": n, "tickets": distinct tickets,
 *   "outcomes": {outcome: n}            (as stored)
 *   "effective": {outcome: n}           (shadow counted as would_be)
 *   "human_reasons": [{"code", "n"}]    (reasons of effective human and
 *                                        human_vip outcomes, most first)
 *   "intents": [{"intent","n","ai","acceptance_n","acceptance_mean"}]
 *   "vip": {"tickets","answered","breaches"}
 *   "latency_us": {"n","mean","p50","p95"}
 *   "model": {"calls","failures","ms_sum","ms_mean","ms_p95",
 *              "tokens_in","tokens_out"}
 */
json_t *store_report_figures(store *s, int64_t since_ms);

/* Filter for store_report_decisions; zero/NULL fields do not filter. */
struct decision_filter {
	int64_t ticket_id;
	const char *source;
	int64_t since_ms;
	int limit; /* newest first; 0 means 100 */
};

/* Returns a new JSON array, newest first, of
 * {"id","event_id","source","ticket_id","decided_at","outcome","would_be",
 *  "intent","confidence","reasons":[{code,evidence}],"drafter",
 *  "latency_us","model_ms","tokens_in","tokens_out","acceptance",
 *  "sla_escalated_at","calls":[{"id","action","state","attempts",
 *  "last_error","result","done_at"}]}
 * with absent values as null, or NULL on a database error. */
json_t *store_report_decisions(store *s, const struct decision_filter *f);

/* Reason codes over all decisions, for /metrics: fn(ctx, code, n) for each
 * code in code order. */
int store_report_reason_counts(store *s,
			       void (*fn)(void *ctx, const char *code, int64_t n),
			       void *ctx);

#endif
