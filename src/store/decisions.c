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

/* ---- decisions as values ------------------------------------------------ */

/* Fill d from a row's outcome, would_be, intent, confidence and reasons
 * columns, starting at column `col`. */
static int decision_from_row(sqlite3_stmt *st, int col, struct decision *d)
{
	json_error_t jerr;
	json_t *reasons, *r;
	size_t i;

	decision_init(d);
	if (outcome_parse(store_column_text(st, col), &d->outcome) < 0)
		return DP_ESTORE;
	if (outcome_parse(store_column_text(st, col + 1), &d->would_be) < 0)
		d->would_be = OUTCOME_NONE;
	snprintf(d->intent, sizeof(d->intent), "%s", store_column_text(st, col + 2));
	d->confidence = sqlite3_column_double(st, col + 3);
	reasons = json_loads(store_column_text(st, col + 4), 0, &jerr);
	json_array_foreach(reasons, i, r) {
		const char *code = json_string_value(json_object_get(r, "code"));

		decision_add_reason(
			d, code ? code : "unknown",
			json_string_value(json_object_get(r, "evidence")));
	}
	json_decref(reasons);
	return 0;
}

static int load_one(sqlite3_stmt *st, int64_t key, struct decision *d,
		    int64_t *decision_id)
{
	int rc = DP_ENOTFOUND;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (decision_id)
			*decision_id = sqlite3_column_int64(st, 0);
		rc = decision_from_row(st, 1, d);
	}
	store_done(st);
	return rc;
}

int store_decision_load(store *s, int64_t decision_id, struct decision *d)
{
	static const char sql[] =
		"SELECT id, outcome, would_be, intent, confidence, reasons"
		" FROM decisions WHERE id = ?1";

	return load_one(store_stmt(s, sql), decision_id, d, NULL);
}

int store_decision_of_event(store *s, int64_t event_id, struct decision *d,
			    int64_t *decision_id)
{
	static const char sql[] =
		"SELECT id, outcome, would_be, intent, confidence, reasons"
		" FROM decisions WHERE event_id = ?1";

	return load_one(store_stmt(s, sql), event_id, d, decision_id);
}

/* ---- draft acceptance --------------------------------------------------- */

int store_acceptance_pending(store *s, int64_t since_ms, int max,
			     struct acceptance_item **out)
{
	static const char sql[] =
		"SELECT id, intent, draft, reply FROM ("
		" SELECT d.id, coalesce(d.intent, '') AS intent, d.draft,"
		"  (SELECT json_extract(e.normalized, '$.body') FROM events e"
		"   WHERE e.source = d.source AND e.ticket_id = d.ticket_id"
		"   AND e.kind = 'agent_reply' AND e.id > d.event_id"
		"   ORDER BY e.id LIMIT 1) AS reply"
		" FROM decisions d"
		" WHERE d.outcome = 'ai_draft' AND d.decided_at >= ?1"
		" AND d.acceptance IS NULL AND d.draft IS NOT NULL)"
		" WHERE reply IS NOT NULL ORDER BY id LIMIT ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct acceptance_item *items;
	int n = 0;

	*out = NULL;
	if (!st)
		return DP_ESTORE;
	items = xcalloc((size_t)max, sizeof(*items));
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int(st, 2, max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		items[n].decision_id = sqlite3_column_int64(st, 0);
		items[n].intent = xstrdup(store_column_text(st, 1));
		items[n].draft = xstrdup(store_column_text(st, 2));
		items[n].reply = xstrdup(store_column_text(st, 3));
		n++;
	}
	store_done(st);
	if (n == 0) {
		free(items);
		return 0;
	}
	*out = items;
	return n;
}

void acceptance_items_free(struct acceptance_item *items, int n)
{
	for (int i = 0; i < n; i++) {
		free(items[i].intent);
		free(items[i].draft);
		free(items[i].reply);
	}
	free(items);
}

int store_acceptance_set(store *s, int64_t decision_id, double acceptance)
{
	static const char sql[] =
		"UPDATE decisions SET acceptance = ?2 WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, decision_id);
	sqlite3_bind_double(st, 2, acceptance);
	return store_run_changes(st) < 0 ? DP_ESTORE : 0;
}

int store_acceptance_window(store *s, const char *intent, int64_t after_ms,
			    int window, double *mean, int *count)
{
	static const char sql[] =
		"SELECT coalesce(avg(a), 0), count(a) FROM ("
		" SELECT acceptance AS a FROM decisions"
		" WHERE intent = ?1 AND outcome = 'ai_draft'"
		" AND acceptance IS NOT NULL AND decided_at > ?2"
		" ORDER BY decided_at DESC, id DESC LIMIT ?3)";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc = DP_ESTORE;

	if (!st)
		return DP_ESTORE;
	store_bind_text(st, 1, intent);
	sqlite3_bind_int64(st, 2, after_ms);
	sqlite3_bind_int(st, 3, window);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*mean = sqlite3_column_double(st, 0);
		*count = sqlite3_column_int(st, 1);
		rc = 0;
	}
	store_done(st);
	return rc;
}
