/*
 * stats.h - what deskpilot did and how well: the figures behind
 * `deskpilot stats` (a table for terminals, JSON for scripts) and the
 * store-backed part of GET /metrics.
 *
 * Definitions (also in deskpilot(8)):
 *   - Counts are decisions (one per customer message decided); "tickets"
 *     counts distinct tickets among them.
 *   - In shadow mode a decision's outcome is none; "effective" counts it
 *     as what would have happened.
 *   - AI share = effective ai_draft + ai_reply over effective decisions
 *     that are not none.
 *   - Agent minutes saved = ai_reply x minutes_per_human_ticket +
 *     ai_draft x (minutes_per_human_ticket - minutes_per_ai_draft), counting
 *     only outcomes that reached the helpdesk (not shadow mode), and never
 *     less than 0 per draft.
 */
#ifndef DP_STATS_H
#define DP_STATS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/dp.h"
#include "config/config.h"
#include "store/store.h"

/* Parse a --since value into ms since the epoch: "YYYY-MM-DD" (midnight
 * UTC), "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" (UTC, an optional
 * trailing Z), or a span before now_ms: "30m", "24h", "7d". 0 or DP_EINVAL
 * with the reason in err. */
int stats_parse_since(const char *s, int64_t now_ms, int64_t *out_ms,
		      struct dp_error *err);

/* Returns a new JSON object: every figure of store_report_figures (see
 * store/reports.h) for decisions at or after since_ms, plus "since" (ISO-8601
 * or null for 0), "ai_share" (0..1), "minutes_saved",
 * "minutes_per_human_ticket", "minutes_per_ai_draft", "demoted" (bool) on
 * each intent and "demotions" (store_demotion_list). NULL on a database
 * error. */
json_t *stats_collect(store *s, const struct config *cfg, int64_t since_ms);

/* Print stats_collect's object as an aligned table. */
void stats_print_table(const json_t *stats, FILE *out);

/* Append the store-backed metrics in Prometheus text format: decisions by
 * reason code, model calls/failures/latency/tokens, SLA breaches, draft
 * acceptance and demotions per intent. A database error leaves out the
 * affected lines. */
void stats_render_metrics(store *s, struct buf *out);

#endif
