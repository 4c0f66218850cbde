/*
 * sla.c - the sla_escalations table (see sla.h).
 */
#include "store/sla.h"

#include "store/store_internal.h"

#include <stdio.h>

/* An event after event id X on d's ticket that ends the SLA clock. */
#define ANSWERED(x)                                                    \
	"EXISTS (SELECT 1 FROM events e WHERE e.source = d.source"     \
	" AND e.ticket_id = d.ticket_id AND e.id > " x                 \
	" AND (e.kind = 'agent_reply' OR lower(coalesce(json_extract(" \
	"e.normalized, '$.state'), '')) IN ('closed','resolved','merged')))"

int store_sla_candidates(store *s, int64_t after_ms, int64_t before_ms,
			 struct sla_candidate *out, int max)
{
	/* The first unanswered VIP decision of each stretch: no earlier VIP
	 * decision of the ticket is unanswered too. */
	/* clang-format off */
	static const char sql[] =
		"SELECT d.id, d.event_id, d.source, d.ticket_id, d.decided_at"
		" FROM decisions d"
		" WHERE d.outcome = 'human_vip' AND d.decided_at BETWEEN ?1 AND ?2"
		" AND NOT EXISTS (SELECT 1 FROM sla_escalations x"
		"                 WHERE x.decision_id = d.id)"
		" AND NOT " ANSWERED("d.event_id")
		" AND NOT EXISTS (SELECT 1 FROM decisions p"
		"   WHERE p.source = d.source AND p.ticket_id = d.ticket_id"
		"   AND p.outcome = 'human_vip' AND p.event_id < d.event_id"
		"   AND NOT " ANSWERED("p.event_id") ")"
		" ORDER BY d.decided_at, d.id LIMIT ?3";
	/* clang-format on */
	sqlite3_stmt *st = store_stmt(s, sql);
	int n = 0;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, after_ms);
	sqlite3_bind_int64(st, 2, before_ms);
	sqlite3_bind_int(st, 3, max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		struct sla_candidate *c = &out[n++];

		c->decision_id = sqlite3_column_int64(st, 0);
		c->event_id = sqlite3_column_int64(st, 1);
		snprintf(c->source, sizeof(c->source), "%s", store_column_text(st, 2));
		c->ticket_id = sqlite3_column_int64(st, 3);
		c->decided_at = sqlite3_column_int64(st, 4);
	}
	store_done(st);
	return n;
}

int store_sla_escalate(store *s, const struct sla_candidate *c,
		       int64_t due_ms, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO sla_escalations (decision_id, source, ticket_id,"
		" due_at, escalated_at) VALUES (?1, ?2, ?3, ?4, ?5)"
		" ON CONFLICT (decision_id) DO NOTHING";
	sqlite3_stmt *st = store_stmt(s, sql);
	int n;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, c->decision_id);
	store_bind_text(st, 2, c->source);
	sqlite3_bind_int64(st, 3, c->ticket_id);
	sqlite3_bind_int64(st, 4, due_ms);
	sqlite3_bind_int64(st, 5, now_ms);
	n = store_run_changes(st);
	if (n < 0)
		return n;
	return n == 0 ? DP_EDUP : 0;
}

int64_t store_sla_breaches(store *s, int64_t since_ms)
{
	static const char sql[] =
		"SELECT count(*) FROM sla_escalations WHERE escalated_at >= ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t n = -1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	store_done(st);
	return n;
}
