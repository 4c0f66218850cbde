/*
 * reports.h - the read-only reports behind `deskpilot stats`, `deskpilot
 * decisions` and /metrics, read across the decisions, events, outbox and
 * sla_escalations tables.
 *
 * Report functions return jansson values so the CLI can print them as a
 * table or as JSON from the same data. Times are ms since the epoch.
 * "Effective outcome" below is the outcome, or in shadow mode (outcome
 * none) what would have happened.
 */
#ifndef DP_STORE_REPORTS_H
#define DP_STORE_REPORTS_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

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
