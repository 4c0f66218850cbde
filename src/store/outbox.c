/*
 * outbox.c - the outbox table (see outbox.h).
 */
#include "store/outbox.h"

#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

#define COLUMNS                                                       \
	"id, decision_id, source, ticket_id, action, payload, state," \
	" attempts, created_at, next_at, last_error"

void outbox_item_init(struct outbox_item *it)
{
	memset(it, 0, sizeof(*it));
}

void outbox_item_release(struct outbox_item *it)
{
	free(it->source);
	free(it->action);
	free(it->payload);
	free(it->state);
	free(it->last_error);
	outbox_item_init(it);
}

static void read_row(sqlite3_stmt *st, struct outbox_item *it)
{
	outbox_item_release(it);
	it->id = sqlite3_column_int64(st, 0);
	it->decision_id = sqlite3_column_int64(st, 1);
	it->source = store_column_dup(st, 2);
	it->ticket_id = sqlite3_column_int64(st, 3);
	it->action = store_column_dup(st, 4);
	it->payload = store_column_dup(st, 5);
	it->state = store_column_dup(st, 6);
	it->attempts = sqlite3_column_int(st, 7);
	it->created_at = sqlite3_column_int64(st, 8);
	it->next_at = sqlite3_column_int64(st, 9);
	it->last_error = store_column_dup(st, 10);
}

int store_outbox_add(store *s, int64_t decision_id, const char *source,
		     int64_t ticket_id, const char *action, const char *payload,
		     int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO outbox (decision_id, source, ticket_id, action,"
		" payload, created_at, next_at) VALUES (?1,?2,?3,?4,?5,?6,?6)";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, decision_id);
	store_bind_text(st, 2, source);
	sqlite3_bind_int64(st, 3, ticket_id);
	store_bind_text(st, 4, action);
	store_bind_text(st, 5, payload);
	sqlite3_bind_int64(st, 6, now_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	store_done(st);
	if (rc == 0)
		store_adds_work(s, STORE_QUEUE_OUTBOX);
	return rc;
}

static int read_claimed(sqlite3_stmt *row, void *it)
{
	read_row(row, it);
	return 0;
}

int store_outbox_claim(store *s, int64_t now_ms, int64_t lease_ms,
		       struct outbox_item *it)
{
	static const char pick[] =
		"SELECT " COLUMNS " FROM outbox o WHERE o.state = 'pending'"
		" AND o.next_at <= ?1"
		" AND (o.lease_until IS NULL OR o.lease_until < ?1)"
		" AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.source = o.source"
		"   AND p.ticket_id = o.ticket_id AND p.state = 'pending'"
		"   AND p.id < o.id)"
		" ORDER BY o.next_at, o.id LIMIT 1";
	static const char lease[] =
		"UPDATE outbox SET lease_until = ?2, attempts = attempts + 1"
		" WHERE id = ?1";
	int rc = store_claim(s, pick, lease, now_ms, lease_ms, read_claimed, it);

	if (rc == 0)
		it->attempts++;
	return rc;
}

/* Run one UPDATE with parameters ?1 id, ?2 a number, ?3 a text; a statement
 * may leave ?2 unused. */
static int update(store *s, const char *sql, int64_t id, int64_t n,
		  const char *text)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, n);
	store_bind_text(st, 3, text);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	store_done(st);
	return rc;
}

int store_outbox_done(store *s, int64_t id, const char *result, int64_t now_ms)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'done', done_at = ?2, result = ?3,"
		" lease_until = NULL, last_error = NULL WHERE id = ?1";

	return update(s, sql, id, now_ms, result);
}

int store_outbox_retry(store *s, int64_t id, int64_t next_at,
		       const char *error)
{
	static const char sql[] =
		"UPDATE outbox SET next_at = ?2, last_error = ?3,"
		" lease_until = NULL WHERE id = ?1";

	return update(s, sql, id, next_at, error);
}

int store_outbox_dead(store *s, int64_t id, const char *error)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'dead', last_error = ?3,"
		" lease_until = NULL WHERE id = ?1";

	return update(s, sql, id, 0, error);
}

int store_outbox_requeue(store *s, int64_t id, const char *installation,
			 int64_t now_ms)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'pending', next_at = ?2, attempts = 0,"
		" created_at = ?2, lease_until = NULL,"
		" payload = CASE WHEN ?3 IS NULL THEN payload"
		"  ELSE json_set(payload, '$.installation', ?3) END"
		" WHERE state = 'dead' AND (?1 = 0 OR id = ?1)"
		" AND (?3 IS NULL OR (substr(last_error, 1, length(?4)) = ?4"
		"  AND json_valid(payload)"
		"  AND json_type(payload, '$.installation') = 'text'))";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now_ms);
	store_bind_text(st, 3, installation);
	store_bind_text(st, 4, OUTBOX_CONFLICT);
	rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(s->db) : DP_ESTORE;
	store_done(st);
	if (rc > 0)
		store_adds_work(s, STORE_QUEUE_OUTBOX);
	return rc;
}

int64_t store_outbox_count(store *s, const char *state)
{
	static const char sql[] = "SELECT count(*) FROM outbox WHERE state = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t n = -1;

	if (!st)
		return -1;
	store_bind_text(st, 1, state);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	store_done(st);
	return n;
}

int store_outbox_each(store *s, const char *state, int limit,
		      void (*fn)(void *ctx, const struct outbox_item *it),
		      void *ctx)
{
	static const char sql[] =
		"SELECT " COLUMNS " FROM outbox WHERE (?1 IS NULL OR state = ?1)"
		" ORDER BY id DESC LIMIT ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct outbox_item it;

	if (!st)
		return DP_ESTORE;
	outbox_item_init(&it);
	store_bind_text(st, 1, state);
	sqlite3_bind_int(st, 2, limit);
	while (sqlite3_step(st) == SQLITE_ROW) {
		read_row(st, &it);
		fn(ctx, &it);
	}
	store_done(st);
	outbox_item_release(&it);
	return 0;
}
