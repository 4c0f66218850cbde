/*
 * check_store.c - opening and migrating the database, and the events
 * table: dedupe by delivery id and by (ticket, article), claim and lease.
 */
#include "store/events.h"
#include "store/schema.sql.h"
#include "store/store.h"
#include "test.h"

#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct test_db tdb;
static const char *db, *dir; /* tdb's file and directory */

static void setup(void)
{
	test_db_init(&tdb, "store");
	db = tdb.path;
	dir = tdb.dir;
}

static void teardown(void)
{
	test_db_remove(&tdb);
}

static int64_t scalar(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void exec_sql(const char *sql)
{
	sqlite3 *h;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

START_TEST(test_migrates_from_zero)
{
	struct dp_error err = {{0}};
	struct stat st;
	store *s;

	umask(022);
	s = store_open(db, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_gt(store_schema_version(), 0);
	ck_assert_int_eq(store_user_version(s), store_schema_version());
	ck_assert_int_eq(store_ping(s), 0);
	ck_assert_int_eq(store_event_count(s), 0);
	store_close(s);
	ck_assert_int_eq(stat(db, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(scalar("PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'events'"), 1);
}
END_TEST

START_TEST(test_reopen_is_idempotent)
{
	struct dp_error err = {{0}};
	struct ticket_event ev;
	int64_t id;
	store *s = store_open(db, &err);

	ck_assert_ptr_nonnull(s);
	ticket_event_init(&ev);
	ev.source = xstrdup("zammad");
	ev.ticket_id = 7;
	ck_assert_int_eq(store_event_insert(s, &ev, "{}", 2, 1000, &id), 0);
	store_close(s);
	for (int i = 0; i < 2; i++) {
		s = store_open(db, &err);
		ck_assert_msg(s != NULL, "%s", err.msg);
		ck_assert_int_eq(store_user_version(s), store_schema_version());
		ck_assert_int_eq(store_event_count(s), 1);
		store_close(s);
	}
	ticket_event_release(&ev);
}
END_TEST

/* A file written by version 3 keeps its bodies when 4 moves them out of
 * the events rows. */
START_TEST(test_migration_4_moves_bodies)
{
	struct dp_error err = {{0}};
	struct ticket_event ev;
	store *s;

	for (int i = 0; i < 3; i++)
		exec_sql(migrations[i]);
	exec_sql("INSERT INTO events (source, ticket_id, kind, received_at, raw,"
		 " normalized, state) VALUES ('zammad', 7, 'customer_message', 1000,"
		 " CAST('{\"exact\":1}' AS BLOB), '{\"source\":\"zammad\",\"ticket_id\":7,"
		 "\"kind\":\"customer_message\",\"body\":\"hello\"}', 'pending');"
		 "PRAGMA user_version = 3;");
	s = store_open(db, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(store_user_version(s), store_schema_version());
	ticket_event_init(&ev);
	ck_assert_int_eq(store_event_get(s, 1, &ev), 0);
	ck_assert_str_eq(ev.body, "hello");
	ticket_event_release(&ev);
	store_close(s);
	ck_assert_int_eq(scalar("SELECT count(*) FROM event_raw WHERE event_id = 1"
				" AND raw = CAST('{\"exact\":1}' AS BLOB)"),
			 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM pragma_table_info('events')"
				" WHERE name = 'raw'"),
			 0);
}
END_TEST

static char *text_of(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char *v = NULL;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* Migration 5 gives a file its installation id once; osTicket actions not
 * yet done carry it from then on, nothing else changes. Renewing the id
 * leaves the actions as they are. */
START_TEST(test_migration_5_installation)
{
	struct dp_error err = {{0}};
	char id[STORE_INSTALLATION_SIZE], again[STORE_INSTALLATION_SIZE];
	char *other_db, *uuid, *want;
	store *s;

	for (int i = 0; i < 4; i++)
		exec_sql(migrations[i]);
	exec_sql("INSERT INTO events (id, source, ticket_id, kind, received_at,"
		 " normalized, state) VALUES (1, 'osticket', 7, 'customer_message',"
		 " 1000, '{}', 'done');"
		 "INSERT INTO decisions (id, event_id, source, ticket_id, decided_at,"
		 " outcome, reasons) VALUES (1, 1, 'osticket', 7, 1000, 'human', '[]');"
		 "INSERT INTO outbox (id, decision_id, source, ticket_id, action,"
		 " payload, state, created_at, next_at) VALUES"
		 " (1, 1, 'osticket', 7, 'decision', '{\"decision_id\":1}', 'pending', 1000, 1000),"
		 " (2, 1, 'osticket', 7, 'decision', '{\"decision_id\":1}', 'dead', 1000, 1000),"
		 " (3, 1, 'osticket', 7, 'decision', '{\"decision_id\":1}', 'done', 1000, 1000),"
		 " (4, 1, 'zammad', 7, 'note', '{\"body\":\"x\"}', 'pending', 1000, 1000);"
		 "PRAGMA user_version = 4;");
	s = store_open(db, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(store_installation_id(s, id), 0);
	store_close(s);
	ck_assert_int_eq(strlen(id), 32);
	ck_assert_int_eq(strspn(id, "0123456789abcdef"), 32);
	uuid = text_of("SELECT uuid FROM installation");
	ck_assert_str_eq(uuid, id);
	want = xasprintf("{\"decision_id\":1,\"installation\":\"%s\"}", id);
	for (int row = 1; row <= 2; row++) {
		char *sql = xasprintf("SELECT payload FROM outbox WHERE id = %d", row);
		char *payload = text_of(sql);

		ck_assert_str_eq(payload, want);
		free(payload);
		free(sql);
	}
	ck_assert_int_eq(scalar("SELECT count(*) FROM outbox WHERE id = 3"
				" AND payload = '{\"decision_id\":1}'"),
			 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM outbox WHERE id = 4"
				" AND payload = '{\"body\":\"x\"}'"),
			 1);

	/* Reopening keeps it; another file gets its own. */
	s = store_open(db, &err);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_installation_id(s, again), 0);
	ck_assert_str_eq(again, id);
	store_close(s);
	other_db = xasprintf("%s/other.db", dir);
	s = store_open(other_db, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(store_installation_id(s, again), 0);
	ck_assert_str_ne(again, id);
	store_close(s); /* teardown removes other.db with the directory */

	/* A restored copy gets an id of its own; queued actions keep theirs. */
	s = store_open(db, &err);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_installation_renew(s, again), 0);
	ck_assert_int_eq(strlen(again), 32);
	ck_assert_int_eq(strspn(again, "0123456789abcdef"), 32);
	ck_assert_str_ne(again, id);
	store_close(s);
	free(uuid);
	uuid = text_of("SELECT uuid FROM installation");
	ck_assert_str_eq(uuid, again);
	ck_assert_int_eq(scalar("SELECT count(*) FROM outbox WHERE id IN (1, 2)"
				" AND payload LIKE '%' || (SELECT uuid FROM installation) || '%'"),
			 0);
	free(other_db);
	free(want);
	free(uuid);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	struct dp_error err = {{0}};
	store *s = store_open(db, &err);
	char *sql;

	ck_assert_ptr_nonnull(s);
	store_close(s);
	sql = xasprintf("PRAGMA user_version = %d", store_schema_version() + 1);
	exec_sql(sql);
	free(sql);
	ck_assert_ptr_null(store_open(db, &err));
	ck_assert_msg(strstr(err.msg, "newer") && strstr(err.msg, db), "%s", err.msg);
	/* Refusing changed nothing. */
	ck_assert_int_eq(scalar("PRAGMA user_version"), store_schema_version() + 1);
}
END_TEST

START_TEST(test_bad_paths)
{
	struct dp_error err = {{0}};
	char *missing = xasprintf("%s/no/such/dir.db", dir);
	FILE *f = fopen(db, "w");

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 512; i++)
		fputs("not a database ", f);
	fclose(f);
	ck_assert_ptr_null(store_open(db, &err));
	ck_assert_msg(strstr(err.msg, db) != NULL, "%s", err.msg);
	ck_assert_ptr_null(store_open(missing, &err));
	ck_assert_msg(strstr(err.msg, missing) != NULL, "%s", err.msg);
	free(missing);
}
END_TEST

static void event(struct ticket_event *ev, const char *delivery, int64_t ticket,
		  int64_t article, enum event_kind kind)
{
	ticket_event_init(ev);
	ev->source = xstrdup("zammad");
	ev->delivery_id = xstrdup(delivery);
	ev->ticket_id = ticket;
	ev->article_id = article;
	ev->kind = kind;
}

START_TEST(test_insert_dedupes)
{
	struct dp_error err = {{0}};
	struct ticket_event a, same_delivery, same_article, other, osticket;
	int64_t id1 = 0, id = 0;
	store *s = store_open(db, &err);

	ck_assert_ptr_nonnull(s);
	event(&a, "d-1", 5, 50, EVENT_CUSTOMER_MESSAGE);
	event(&same_delivery, "d-1", 5, 51, EVENT_CUSTOMER_MESSAGE);
	event(&same_article, "d-2", 5, 50, EVENT_CUSTOMER_MESSAGE);
	event(&other, "d-3", 5, 52, EVENT_CUSTOMER_MESSAGE);
	event(&osticket, "d-1", 5, 50, EVENT_CUSTOMER_MESSAGE);
	free(osticket.source);
	osticket.source = xstrdup("osticket");

	ck_assert_int_eq(store_event_insert(s, &a, "a", 1, 1000, &id1), 0);
	ck_assert_int_gt(id1, 0);
	ck_assert_int_eq(store_event_insert(s, &same_delivery, "b", 1, 1001, &id), DP_EDUP);
	ck_assert_int_eq(id, id1);
	id = 0;
	ck_assert_int_eq(store_event_insert(s, &same_article, "c", 1, 1002, &id), DP_EDUP);
	ck_assert_int_eq(id, id1);
	ck_assert_int_eq(store_event_insert(s, &other, "d", 1, 1003, &id), 0);
	ck_assert_int_ne(id, id1);
	/* Ids are per helpdesk. */
	ck_assert_int_eq(store_event_insert(s, &osticket, "e", 1, 1004, &id), 0);
	ck_assert_int_eq(store_event_count(s), 3);
	store_close(s);
	ck_assert_int_eq(scalar("SELECT count(*) FROM event_raw WHERE raw = CAST('a' AS BLOB)"), 1);
	ticket_event_release(&a);
	ticket_event_release(&same_delivery);
	ticket_event_release(&same_article);
	ticket_event_release(&other);
	ticket_event_release(&osticket);
}
END_TEST

/* ---- the WAL starts over under a steady stream of commits ---------- */

static void insert_events(store *s, int from, int n)
{
	static char body[6000]; /* a webhook's size: a few frames each */
	struct ticket_event ev;
	char delivery[32];
	int64_t id;

	memset(body, 'x', sizeof(body));
	for (int i = from; i < from + n; i++) {
		snprintf(delivery, sizeof(delivery), "w-%d", i);
		event(&ev, delivery, i, i, EVENT_CUSTOMER_MESSAGE);
		ck_assert_int_eq(store_event_insert(s, &ev, body, sizeof(body), 1000, &id), 0);
		ticket_event_release(&ev);
	}
}

static atomic_bool load_stop;

/* Events each writer commits, one after another as the front does under
 * load: together enough frames to fill the WAL many times over. */
#define LOAD_EVENTS 1500

static void *writer_thread(void *arg)
{
	struct dp_error err;
	store *s = store_open(db, &err);

	ck_assert_ptr_nonnull(s);
	insert_events(s, *(int *)arg, LOAD_EVENTS);
	store_close(s);
	return NULL;
}

/* Reads back to back, each holding its snapshot a moment, as the
 * workers' claims and /metrics do: at any instant some reader is on. */
static void *reader_thread(void *arg)
{
	sqlite3 *h;

	(void)arg;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	while (!atomic_load(&load_stop)) {
		struct timespec ts = {0, 1000000L};
		sqlite3_stmt *st;

		ck_assert_int_eq(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM events",
						    -1, &st, NULL),
				 SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		sqlite3_finalize(st);
		nanosleep(&ts, NULL);
		ck_assert_int_eq(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(h);
	return NULL;
}

/* The service's checkpointer thread. */
static void *checkpointer_thread(void *arg)
{
	struct dp_error err;
	store *s = store_open(db, &err);

	(void)arg;
	ck_assert_ptr_nonnull(s);
	while (!atomic_load(&load_stop)) {
		ck_assert_int_eq(store_checkpoint(s), 0);
		store_checkpoint_wait(1000);
	}
	store_close(s);
	return NULL;
}

static off_t wal_size(void)
{
	char *wal = xasprintf("%s-wal", db);
	struct stat sb;
	off_t size = stat(wal, &sb) == 0 ? sb.st_size : -1;

	free(wal);
	return size;
}

/* With commits and reads never pausing, SQLite itself never finds the
 * moment to start the WAL over: without the checkpoint that commits
 * trigger, or without its rewind, the file holds every frame written
 * (about 128 MB here). With both it stays near STORE_REWIND_FRAMES. */
START_TEST(test_checkpoint_bounds_wal)
{
	pthread_t writers[2], readers[4], ckpt;
	int from[2] = {0, 1000000};
	off_t bound = (off_t)STORE_REWIND_FRAMES * 8 * 4120;
	struct dp_error err;
	/* Open throughout: the schema exists before any reader, and the WAL
	 * is not removed by a last close before it is measured. */
	store *s = store_open(db, &err);
	off_t wal;

	ck_assert_ptr_nonnull(s);
	atomic_init(&load_stop, false);
	ck_assert_int_eq(pthread_create(&ckpt, NULL, checkpointer_thread, NULL), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&readers[i], NULL, reader_thread, NULL), 0);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&writers[i], NULL, writer_thread, &from[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(writers[i], NULL);
	atomic_store(&load_stop, true);
	store_checkpoint_wake();
	pthread_join(ckpt, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(readers[i], NULL);
	/* Each event writes several 4 KiB frames: 3000 of them are far more
	 * than the bound. */
	ck_assert_int_eq(store_event_count(s), 2 * LOAD_EVENTS);
	/* Its size is the most it ever held: a rewind does not shrink it. */
	wal = wal_size();
	store_close(s);
	ck_assert_msg(wal < bound, "WAL of %lld bytes, bound %lld",
		      (long long)wal, (long long)bound);
}
END_TEST

START_TEST(test_claim_and_lease)
{
	struct dp_error err = {{0}};
	struct ticket_event msg, note, got;
	int64_t id, claimed = 0, again = 0;
	store *s = store_open(db, &err);

	ck_assert_ptr_nonnull(s);
	event(&note, "n-1", 9, 90, EVENT_NOTE);
	event(&msg, "m-1", 9, 91, EVENT_CUSTOMER_MESSAGE);
	ck_assert_int_eq(store_event_insert(s, &note, "{}", 2, 1000, &id), 0);
	ck_assert_int_eq(store_event_insert(s, &msg, "{}", 2, 1000, &id), 0);
	ck_assert_int_eq(store_event_queue_depth(s), 1); /* the note is only kept */

	ticket_event_init(&got);
	ck_assert_int_eq(store_event_claim(s, 2000, 500, &claimed, &got), 0);
	ck_assert_int_eq(claimed, id);
	ck_assert_int_eq(got.ticket_id, 9);
	ck_assert_int_eq(got.article_id, 91);
	ck_assert_int_eq(got.kind, EVENT_CUSTOMER_MESSAGE);
	ticket_event_release(&got);

	/* Leased: nobody else gets it until the lease runs out. */
	ticket_event_init(&got);
	ck_assert_int_eq(store_event_claim(s, 2400, 500, &again, &got), DP_ENOTFOUND);
	ticket_event_release(&got);
	ck_assert_int_eq(store_event_queue_depth(s), 1);
	ticket_event_init(&got);
	ck_assert_int_eq(store_event_claim(s, 2600, 500, &again, &got), 0);
	ck_assert_int_eq(again, claimed);
	ticket_event_release(&got);
	store_close(s);
	ck_assert_int_eq(scalar("SELECT attempts FROM events WHERE delivery_id = 'm-1'"), 2);
	ticket_event_release(&msg);
	ticket_event_release(&note);
}
END_TEST

/* The thread length triage sees counts what the customer wrote: notes and
 * automatic replies from the customer's address are left out. */
START_TEST(test_thread_length_counts_customer_writing)
{
	struct dp_error err = {{0}};
	struct ticket_event ev[5];
	int64_t ids[5];
	store *s = store_open(db, &err);

	ck_assert_ptr_nonnull(s);
	event(&ev[0], "t-1", 7, 70, EVENT_CUSTOMER_MESSAGE);
	event(&ev[1], "t-2", 7, 71, EVENT_CUSTOMER_MESSAGE);
	ev[1].auto_response = true;
	event(&ev[2], "t-3", 7, 72, EVENT_NOTE);
	event(&ev[3], "t-4", 8, 80, EVENT_CUSTOMER_MESSAGE);
	event(&ev[4], "t-5", 7, 73, EVENT_CUSTOMER_MESSAGE);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(store_event_insert(s, &ev[i], "{}", 2, 1000, &ids[i]), 0);
	ck_assert_int_eq(store_event_customer_messages(s, "zammad", 7, ids[0]), 1);
	ck_assert_int_eq(store_event_customer_messages(s, "zammad", 7, ids[3]), 1);
	ck_assert_int_eq(store_event_customer_messages(s, "zammad", 7, ids[4]), 2);
	ck_assert_int_eq(store_event_customer_messages(s, "zammad", 8, ids[4]), 1);
	ck_assert_int_eq(store_event_customer_messages(s, "osticket", 7, ids[4]), 0);
	store_close(s);
	for (int i = 0; i < 5; i++)
		ticket_event_release(&ev[i]);
}
END_TEST

/* A row that does not read back as an event (written by a defect, or by
 * hand) is set aside, not handed out forever ahead of every later one. */
START_TEST(test_unreadable_event_is_set_aside)
{
	struct dp_error err = {{0}};
	struct ticket_event bad, good, got;
	int64_t bad_id, good_id, claimed = 0;
	store *s = store_open(db, &err);

	ck_assert_ptr_nonnull(s);
	event(&bad, "u-1", 11, 110, EVENT_CUSTOMER_MESSAGE);
	event(&good, "u-2", 12, 120, EVENT_CUSTOMER_MESSAGE);
	ck_assert_int_eq(store_event_insert(s, &bad, "{}", 2, 1000, &bad_id), 0);
	ck_assert_int_eq(store_event_insert(s, &good, "{}", 2, 1000, &good_id), 0);
	exec_sql("UPDATE events SET normalized = '{\"kind\":' WHERE delivery_id = 'u-1'");

	ticket_event_init(&got);
	ck_assert_int_eq(store_event_claim(s, 2000, 500, &claimed, &got), 0);
	ck_assert_int_eq(claimed, good_id);
	ck_assert_int_eq(got.ticket_id, 12);
	ticket_event_release(&got);
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE delivery_id = 'u-1'"
				" AND state = 'recorded'"),
			 1);
	ticket_event_init(&got);
	ck_assert_int_eq(store_event_claim(s, 2100, 500, &claimed, &got), DP_ENOTFOUND);
	ticket_event_release(&got);
	ticket_event_init(&got);
	ck_assert_int_eq(store_event_get(s, bad_id, &got), DP_EPARSE);
	ticket_event_release(&got);
	store_close(s);
	ticket_event_release(&bad);
	ticket_event_release(&good);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_migrates_from_zero);
	tcase_add_test(tc, test_migration_4_moves_bodies);
	tcase_add_test(tc, test_migration_5_installation);
	tcase_add_test(tc, test_checkpoint_bounds_wal);
	tcase_add_test(tc, test_reopen_is_idempotent);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_insert_dedupes);
	tcase_add_test(tc, test_claim_and_lease);
	tcase_add_test(tc, test_thread_length_counts_customer_writing);
	tcase_add_test(tc, test_unreadable_event_is_set_aside);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
