/*
 * events.c - the events table (see events.h).
 */
#include "store/events.h"

#include "common/log.h"
#include "store/store_internal.h"

#include <stdlib.h>

/* Customer messages wait for a decision; everything else is only kept. */
static const char *initial_state(enum event_kind k)
{
	return k == EVENT_CUSTOMER_MESSAGE ? "pending" : "recorded";
}

/* The oldest row with ev's delivery id or ev's (ticket, article): a lookup
 * in the delivery index and a walk of the ticket's events, NULL matching
 * nothing (one query with OR built a temporary b-tree for every
 * webhook). Runs inside the insert's write transaction, which is what
 * keeps (ticket, article) unique. */
static int find_duplicate(store *s, const struct ticket_event *ev,
			  int64_t *id_out)
{
	static const char sql[] =
		"SELECT min(id) FROM ("
		" SELECT id FROM events WHERE source = ?1 AND delivery_id = ?2"
		" UNION ALL"
		" SELECT id FROM events INDEXED BY events_ticket"
		"  WHERE source = ?1 AND ticket_id = ?3 AND article_id = ?4)";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc = DP_ESTORE;

	if (!st)
		return DP_ESTORE;
	store_bind_text(st, 1, ev->source);
	store_bind_text(st, 2, ev->delivery_id);
	sqlite3_bind_int64(st, 3, ev->ticket_id);
	if (ev->article_id)
		sqlite3_bind_int64(st, 4, ev->article_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rc = sqlite3_column_type(st, 0) == SQLITE_NULL ? DP_ENOTFOUND : 0;
		if (rc == 0)
			*id_out = sqlite3_column_int64(st, 0);
	}
	store_done(st);
	return rc;
}

static int insert_raw(store *s, int64_t id, const char *raw, size_t raw_len)
{
	sqlite3_stmt *st = store_stmt(
		s, "INSERT INTO event_raw (event_id, raw) VALUES (?1, ?2)");
	int rc;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob64(st, 2, raw, raw_len, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	store_done(st);
	return rc;
}

int store_event_insert(store *s, const struct ticket_event *ev,
		       const char *raw, size_t raw_len, int64_t now_ms,
		       int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO events (source, delivery_id, ticket_id, article_id,"
		" kind, received_at, content_type, normalized, state)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	char *normalized = NULL;
	sqlite3_stmt *st;
	int rc;

	if (store_begin(s) < 0)
		return DP_ESTORE;
	rc = find_duplicate(s, ev, id_out);
	if (rc == 0) {
		rc = DP_EDUP;
		goto out;
	}
	if (rc != DP_ENOTFOUND)
		goto out;
	st = store_stmt(s, sql);
	if (!st) {
		rc = DP_ESTORE;
		goto out;
	}
	normalized = ticket_event_to_text(ev);
	store_bind_text(st, 1, ev->source);
	store_bind_text(st, 2, ev->delivery_id);
	sqlite3_bind_int64(st, 3, ev->ticket_id);
	if (ev->article_id)
		sqlite3_bind_int64(st, 4, ev->article_id);
	store_bind_text(st, 5, event_kind_name(ev->kind));
	sqlite3_bind_int64(st, 6, now_ms);
	store_bind_text(st, 7, ev->content_type);
	store_bind_text(st, 8, normalized);
	store_bind_text(st, 9, initial_state(ev->kind));
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
	store_done(st);
	if (rc == 0) {
		*id_out = sqlite3_last_insert_rowid(s->db);
		rc = insert_raw(s, *id_out, raw, raw_len);
	}
	if (rc == 0 && ev->kind == EVENT_CUSTOMER_MESSAGE)
		store_adds_work(s, STORE_QUEUE_EVENTS);
out:
	if (rc == 0 && store_commit(s) < 0)
		rc = DP_ESTORE;
	if (rc != 0)
		store_rollback(s);
	free(normalized);
	return rc;
}

/* 0, or DP_EPARSE when the stored text is not an event. */
static int load_normalized(const char *text, struct ticket_event *ev)
{
	json_error_t jerr;
	json_t *j = text ? json_loads(text, 0, &jerr) : NULL;
	int rc;

	if (!j)
		return DP_EPARSE;
	rc = ticket_event_from_json(j, ev, NULL) < 0 ? DP_EPARSE : 0;
	json_decref(j);
	return rc;
}

/* The event store_event_claim takes, filled from the row it picks. */
struct claimed {
	int64_t *id;
	struct ticket_event *ev;
};

static int read_claimed(sqlite3_stmt *row, void *arg)
{
	struct claimed *c = arg;

	*c->id = sqlite3_column_int64(row, 0);
	return load_normalized((const char *)sqlite3_column_text(row, 1), c->ev);
}

int store_event_claim(store *s, int64_t now_ms, int64_t lease_ms,
		      int64_t *id, struct ticket_event *ev)
{
	/* The oldest open event that is pending or whose claim expired and
	 * whose ticket has nothing older open: one walk of the open events
	 * in id order (events_waiting, small however long the history), which
	 * stops at the first such row; the ticket check walks the same index
	 * up to the row and stops at the first event of the ticket, so a
	 * backlog costs nothing. */
	static const char pick[] =
		"SELECT id, normalized FROM events e INDEXED BY events_waiting"
		" WHERE e.state IN ('pending','claimed')"
		" AND (e.state = 'pending' OR e.lease_until < ?1)"
		" AND NOT EXISTS (SELECT 1 FROM events p INDEXED BY events_waiting"
		"   WHERE p.state IN ('pending','claimed') AND p.id < e.id"
		"   AND p.ticket_id = e.ticket_id AND p.source = e.source)"
		" ORDER BY e.id LIMIT 1";
	static const char take[] =
		"UPDATE events SET state = 'claimed', lease_until = ?2,"
		" attempts = attempts + 1 WHERE id = ?1";
	static const char aside[] =
		"UPDATE events SET state = 'recorded', lease_until = NULL WHERE id = ?1";
	struct claimed c = {id, ev};
	int rc;

	/* A row that does not read back as an event would be picked first
	 * forever and hold up every event after it: it is set aside
	 * undecided, and the helpdesk's people see its ticket as it is. */
	while ((rc = store_claim(s, pick, take, now_ms, lease_ms, read_claimed,
				 &c)) == DP_EPARSE) {
		sqlite3_stmt *st = store_stmt(s, aside);

		log_error("msg=\"stored event unreadable; set aside undecided\" event=%lld",
			  (long long)*id);
		ticket_event_release(ev);
		ticket_event_init(ev);
		if (!st)
			return DP_ESTORE;
		sqlite3_bind_int64(st, 1, *id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : DP_ESTORE;
		store_done(st);
		if (rc < 0)
			return rc;
	}
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

int store_event_get(store *s, int64_t id, struct ticket_event *ev)
{
	static const char sql[] = "SELECT normalized FROM events WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc = DP_ENOTFOUND;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = load_normalized((const char *)sqlite3_column_text(st, 0), ev);
	store_done(st);
	return rc;
}

static int64_t count(store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t n = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	store_done(st);
	return n;
}

int64_t store_event_queue_depth(store *s)
{
	static const char sql[] =
		"SELECT count(*) FROM events WHERE state IN ('pending','claimed')";

	return count(s, sql);
}

int64_t store_event_count(store *s)
{
	static const char sql[] = "SELECT count(*) FROM events";

	return count(s, sql);
}

int store_event_customer_messages(store *s, const char *source,
				  int64_t ticket_id, int64_t up_to_id)
{
	static const char sql[] =
		"SELECT count(*) FROM events WHERE source = ?1 AND ticket_id = ?2"
		" AND id <= ?3 AND kind = 'customer_message'"
		" AND json_extract(normalized, '$.auto_response') IS NOT 1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int n = 0;

	if (!st)
		return 0;
	store_bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, ticket_id);
	sqlite3_bind_int64(st, 3, up_to_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	store_done(st);
	return n;
}
