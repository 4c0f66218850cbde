/*
 * decisions.c - the decisions table (see decisions.h).
 */
#include "store/decisions.h"

#include "store/store_internal.h"

#include <jansson.h>
#include <stdlib.h>

static char *reasons_json(const struct decision *d)
{
	json_t *j = decision_to_json(d);
	char *s = json_dumps(json_object_get(j, "reasons"), JSON_COMPACT);

	json_decref(j);
	return s;
}

int store_decision_insert(store *s, const struct decision_record *r,
			  int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO decisions (event_id, source, ticket_id, decided_at,"
		" outcome, would_be, intent, confidence, reasons, drafter, draft,"
		" latency_us, model_ms, tokens_in, tokens_out)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"
		" ON CONFLICT (event_id) DO NOTHING";
	sqlite3_stmt *st = store_stmt(s, sql);
	char *reasons;
	int rc;

	if (!st)
		return DP_ESTORE;
	reasons = reasons_json(r->d);
	sqlite3_bind_int64(st, 1, r->event_id);
	store_bind_text(st, 2, r->source);
	sqlite3_bind_int64(st, 3, r->ticket_id);
	sqlite3_bind_int64(st, 4, r->decided_at);
	store_bind_text(st, 5, outcome_name(r->d->outcome));
	store_bind_text(st, 6, outcome_name(r->d->would_be));
	store_bind_text(st, 7, r->d->intent[0] ? r->d->intent : NULL);
	sqlite3_bind_double(st, 8, r->d->confidence);
	store_bind_text(st, 9, reasons);
	store_bind_text(st, 10, r->drafter);
	store_bind_text(st, 11, r->draft);
	sqlite3_bind_int64(st, 12, r->latency_us);
	sqlite3_bind_int64(st, 13, r->model_ms);
	sqlite3_bind_int(st, 14, r->tokens_in);
	sqlite3_bind_int(st, 15, r->tokens_out);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = DP_EDUP;
	else if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(s->db);
	store_done(st);
	free(reasons);
	return rc;
}

int store_event_mark_done(store *s, int64_t event_id)
{
	static const char sql[] =
		"UPDATE events SET state = 'done', lease_until = NULL WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, event_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	store_done(st);
	return rc;
}

bool store_decision_prior_ai(store *s, const char *source, int64_t ticket_id,
			     int64_t before_event_id)
{
	static const char sql[] =
		"SELECT 1 FROM decisions WHERE source = ?1 AND ticket_id = ?2"
		" AND event_id < ?3 AND (outcome IN ('ai_draft','ai_reply')"
		" OR would_be IN ('ai_draft','ai_reply')) LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql);
	bool found;

	if (!st)
		return false;
	store_bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, ticket_id);
	sqlite3_bind_int64(st, 3, before_event_id);
	found = sqlite3_step(st) == SQLITE_ROW;
	store_done(st);
	return found;
}

int store_decision_counts(store *s,
			  void (*fn)(void *ctx, const char *outcome, int64_t n),
			  void *ctx)
{
	static const char sql[] =
		"SELECT outcome, count(*) FROM decisions GROUP BY outcome ORDER BY outcome";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (!st)
		return DP_ESTORE;
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		   sqlite3_column_int64(st, 1));
	store_done(st);
	return 0;
}
