/*
 * retention.c - purging raw bodies, ticket text and drafts (see
 * retention.h).
 */
#include "store/retention.h"

#include "store/store_internal.h"

/* Events keep their routing facts (ids, kind, state) but lose the body,
 * subject and addresses, and their exact body; only finished events are
 * touched. */
static const char purge_events[] =
	"UPDATE events SET"
	" normalized = json_remove(normalized, '$.body', '$.subject', '$.title',"
	"   '$.from', '$.to', '$.customer_name', '$.customer_email')"
	" WHERE received_at < ?1 AND state IN ('done','recorded')"
	" AND (json_extract(normalized, '$.body') IS NOT NULL"
	"   OR EXISTS (SELECT 1 FROM event_raw r WHERE r.event_id = events.id))";
static const char purge_raw[] =
	"DELETE FROM event_raw WHERE event_id IN (SELECT id FROM events"
	" WHERE received_at < ?1 AND state IN ('done','recorded'))";
static const char purge_drafts[] =
	"UPDATE decisions SET draft = NULL WHERE decided_at < ?1 AND draft IS NOT NULL";

static int run(store *s, const char *sql, int64_t before_ms)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, before_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(s->db) : DP_ESTORE;
	store_done(st);
	return rc;
}

int store_purge(store *s, int64_t before_ms)
{
	int a, b;

	if (store_begin(s) < 0)
		return DP_ESTORE;
	/* Count each event once: the text first, then the body it came in. */
	a = run(s, purge_events, before_ms);
	b = a < 0 ? a : run(s, purge_raw, before_ms);
	b = b < 0 ? b : run(s, purge_drafts, before_ms);
	if (b < 0 || store_commit(s) < 0) {
		store_rollback(s);
		return DP_ESTORE;
	}
	return a + b;
}
