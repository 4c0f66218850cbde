/*
 * store.c - opening, configuring and migrating the SQLite file, and the
 * per-connection statement cache every store file uses.
 */
#include "store/store_internal.h"

#include "common/log.h"
#include "store/schema.sql.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long a connection waits for another process's lock. */
static const int busy_timeout_ms = 5000;

int store_schema_version(void)
{
	return (int)DP_ARRAY_LEN(migrations);
}

int store_exec(store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("msg=\"sql failed\" db=\"%s\" error=\"%s\"", s->path,
			  msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return DP_ESTORE;
	}
	return 0;
}

int store_user_version(store *s)
{
	sqlite3_stmt *st = store_stmt(s, "PRAGMA user_version");
	int v = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	store_done(st);
	return v;
}

/* Writers of this process queue on one mutex before asking SQLite for the
 * write lock. SQLite's own wait is a sleep-and-retry loop that favours
 * whoever happens to retry first, so with many threads writing small
 * transactions a front thread could starve for seconds; a mutex hands the
 * lock over as soon as it is free. Other processes (the CLI) still meet
 * the busy handler below. */
static pthread_mutex_t writer = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

/* Step a cached statement that returns no rows: the transaction verbs run
 * for every event, so they are not parsed again each time. */
static int run_cached(store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc = DP_ESTORE;

	if (!st)
		return rc;
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	else
		log_error("msg=\"sql failed\" db=\"%s\" sql=\"%s\" error=\"%s\"",
			  s->path, sql, sqlite3_errmsg(s->db));
	store_done(st);
	return rc;
}

int store_begin(store *s)
{
	/* Error-checking: a nested store_begin is a bug, not a deadlock. */
	if (pthread_mutex_lock(&writer) != 0) {
		log_error("msg=\"nested write transaction\" db=\"%s\"", s->path);
		return DP_ESTORE;
	}
	if (run_cached(s, sql_begin) < 0) {
		pthread_mutex_unlock(&writer);
		return DP_ESTORE;
	}
	s->writing = true;
	return 0;
}

static void end_write(store *s)
{
	if (s->writing && sqlite3_get_autocommit(s->db)) {
		s->writing = false;
		pthread_mutex_unlock(&writer);
	}
}

/* The queues' counts, under one process-wide mutex. */
static pthread_mutex_t queue_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cv = PTHREAD_COND_INITIALIZER;
static uint64_t queue_count[2];

static void raise_queues(unsigned mask)
{
	pthread_mutex_lock(&queue_mu);
	for (size_t q = 0; q < DP_ARRAY_LEN(queue_count); q++)
		if (mask & 1u << q)
			queue_count[q]++;
	pthread_cond_broadcast(&queue_cv);
	pthread_mutex_unlock(&queue_mu);
}

uint64_t store_queue_seen(enum store_queue q)
{
	uint64_t n;

	pthread_mutex_lock(&queue_mu);
	n = queue_count[q];
	pthread_mutex_unlock(&queue_mu);
	return n;
}

void store_queue_wait(enum store_queue q, uint64_t seen, int timeout_ms)
{
	struct timespec ts = dp_deadline_ms(timeout_ms);

	pthread_mutex_lock(&queue_mu);
	while (queue_count[q] == seen &&
	       pthread_cond_timedwait(&queue_cv, &queue_mu, &ts) == 0)
		;
	pthread_mutex_unlock(&queue_mu);
}

void store_queue_wake_all(void)
{
	raise_queues(~0u);
}

void store_adds_work(store *s, enum store_queue q)
{
	if (s->writing)
		s->adds_work |= 1u << q;
	else
		raise_queues(1u << q);
}

int store_commit(store *s)
{
	int rc = run_cached(s, sql_commit);
	unsigned work = s->adds_work;

	s->adds_work = 0;
	end_write(s);
	/* After the lock is let go: the woken thread's first step takes it. */
	if (rc == 0 && work)
		raise_queues(work);
	return rc;
}

void store_rollback(store *s)
{
	s->adds_work = 0;
	if (!sqlite3_get_autocommit(s->db))
		run_cached(s, sql_rollback);
	end_write(s);
}

/* Waiting for another process's lock: short naps, so the lock is taken
 * soon after it is released, up to *arg milliseconds in all. */
static int busy_wait(void *arg, int count)
{
	if (count >= *(const int *)arg * 2)
		return 0;
	usleep(500);
	return 1;
}

/* Commits tell the checkpointer when the WAL has grown: a flag under a
 * process-wide mutex, like the writer lock. */
static pthread_mutex_t ckpt_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ckpt_cv = PTHREAD_COND_INITIALIZER;
static bool ckpt_wanted;

void store_checkpoint_wake(void)
{
	pthread_mutex_lock(&ckpt_mu);
	ckpt_wanted = true;
	pthread_cond_broadcast(&ckpt_cv);
	pthread_mutex_unlock(&ckpt_mu);
}

/* Replaces SQLite's own auto-checkpoint, which would run in the committing
 * writer while it (and every writer queued behind it) waits. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)arg;
	(void)db;
	(void)name;
	if (frames >= STORE_REWIND_FRAMES)
		store_checkpoint_wake();
	return SQLITE_OK;
}

static int migrate(store *s, struct dp_error *err)
{
	int have, want = store_schema_version();
	char pragma[64];

	if (store_begin(s) < 0)
		return dp_fail(err, DP_ESTORE, "cannot lock database '%s': %s",
			       s->path, sqlite3_errmsg(s->db));
	have = store_user_version(s);
	if (have < 0 || have > want) {
		store_rollback(s);
		if (have < 0)
			return dp_fail(err, DP_ESTORE,
				       "cannot read database '%s': %s", s->path,
				       sqlite3_errmsg(s->db));
		return dp_fail(err, DP_ESTORE,
			       "database '%s' has schema %d, newer than this deskpilot (%d)",
			       s->path, have, want);
	}
	for (int v = have; v < want; v++) {
		if (store_exec(s, migrations[v]) < 0) {
			dp_fail(err, DP_ESTORE, "cannot migrate database '%s' to schema %d: %s",
				s->path, v + 1, sqlite3_errmsg(s->db));
			store_rollback(s);
			return DP_ESTORE;
		}
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", want);
	if (store_exec(s, pragma) < 0 || store_commit(s) < 0) {
		store_rollback(s);
		return dp_fail(err, DP_ESTORE, "cannot migrate database '%s': %s",
			       s->path, sqlite3_errmsg(s->db));
	}
	if (have != want)
		log_info("msg=\"database migrated\" db=\"%s\" from=%d to=%d",
			 s->path, have, want);
	return 0;
}

/* Create a new file ourselves so it starts as 0600 whatever the umask;
 * SQLite gives the -wal and -shm files the same mode. An existing file is
 * never opened here: closing any descriptor of a file drops every POSIX
 * lock this process holds on it, including the WAL locks of the other
 * connections, after which another process may reset the WAL under them
 * and they stop seeing new commits. */
static int precreate(const char *path, struct dp_error *err)
{
	int fd;

	if (strcmp(path, ":memory:") == 0)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return dp_fail(err, DP_EIO, "cannot open database '%s': %s", path,
			       strerror(errno));
	close(fd);
	return 0;
}

store *store_open(const char *path, struct dp_error *err)
{
	store *s;
	int rc;

	if (precreate(path, err) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		dp_fail(err, DP_ESTORE, "cannot open database '%s': %s", path,
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_handler(s->db, busy_wait, (void *)&busy_timeout_ms);
	sqlite3_wal_hook(s->db, on_wal_commit, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (store_exec(s, "PRAGMA journal_mode = WAL") < 0 ||
	    store_exec(s, "PRAGMA synchronous = NORMAL") < 0 ||
	    store_exec(s, "PRAGMA foreign_keys = ON") < 0) {
		dp_fail(err, DP_ESTORE, "cannot use database '%s': %s", path,
			sqlite3_errmsg(s->db));
		goto fail;
	}
	if (migrate(s, err) < 0)
		goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

void store_close(store *s)
{
	if (!s)
		return;
	store_rollback(s);
	for (int i = 0; i < s->n_stmts; i++)
		sqlite3_finalize(s->stmts[i].stmt);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_ping(store *s)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM sqlite_schema");
	int rc = st && sqlite3_step(st) == SQLITE_ROW ? 0 : DP_ESTORE;

	store_done(st);
	return rc;
}

int store_installation_id(store *s, char *out)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT uuid FROM installation WHERE id = 1");
	const unsigned char *v;
	int rc = DP_ESTORE;

	if (st && sqlite3_step(st) == SQLITE_ROW &&
	    (v = sqlite3_column_text(st, 0)) &&
	    strlen((const char *)v) < STORE_INSTALLATION_SIZE) {
		snprintf(out, STORE_INSTALLATION_SIZE, "%s", (const char *)v);
		rc = 0;
	}
	store_done(st);
	return rc;
}

int store_installation_renew(store *s, char *out)
{
	static const char renew[] =
		"UPDATE installation SET uuid = lower(hex(randomblob(16))),"
		" created_at = ?1 WHERE id = 1";
	sqlite3_stmt *st;
	int rc = DP_ESTORE;

	if (store_begin(s) < 0)
		return DP_ESTORE;
	st = store_stmt(s, renew);
	if (st) {
		sqlite3_bind_int64(st, 1, dp_now_ms());
		if (sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(s->db) == 1)
			rc = store_installation_id(s, out);
		store_done(st);
	}
	if (rc < 0 || store_commit(s) < 0) {
		store_rollback(s);
		return DP_ESTORE;
	}
	return 0;
}

void store_checkpoint_wait(int timeout_ms)
{
	struct timespec ts = dp_deadline_ms(timeout_ms);

	pthread_mutex_lock(&ckpt_mu);
	while (!ckpt_wanted &&
	       pthread_cond_timedwait(&ckpt_cv, &ckpt_mu, &ts) == 0)
		;
	ckpt_wanted = false;
	pthread_mutex_unlock(&ckpt_mu);
}

/* How long a rewind waits for readers of an old snapshot before it gives
 * up until the next call: this process's writers queue meanwhile. */
static const int rewind_wait_ms = 100;

int store_checkpoint(store *s)
{
	int frames = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
					   &frames, &copied);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return DP_ESTORE;
	if (frames < STORE_REWIND_FRAMES)
		return 0;
	/* SQLite starts the WAL over only when a writer begins with every
	 * frame copied back, which a steady stream of commits never allows:
	 * the file would grow without bound. So stop this process's writers,
	 * copy what the passive pass left and wait briefly for readers of
	 * older snapshots; the next commit then writes from the start. */
	if (pthread_mutex_lock(&writer) != 0)
		return DP_ESTORE;
	sqlite3_busy_handler(s->db, busy_wait, (void *)&rewind_wait_ms);
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_RESTART,
				       NULL, NULL);
	sqlite3_busy_handler(s->db, busy_wait, (void *)&busy_timeout_ms);
	pthread_mutex_unlock(&writer);

	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : DP_ESTORE;
}

int store_end_reads(store *s)
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	while ((st = sqlite3_next_stmt(s->db, st))) {
		if (!sqlite3_stmt_busy(st))
			continue;
		log_error("msg=\"statement left open\" db=\"%s\" sql=\"%.120s\"",
			  s->path, sqlite3_sql(st));
		sqlite3_reset(st);
		n++;
	}
	return n;
}

sqlite3_stmt *store_stmt(store *s, const char *sql)
{
	sqlite3_stmt *st;

	for (int i = 0; i < s->n_stmts; i++) {
		if (s->stmts[i].sql == sql) {
			sqlite3_reset(s->stmts[i].stmt);
			sqlite3_clear_bindings(s->stmts[i].stmt);
			return s->stmts[i].stmt;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		log_error("msg=\"sql prepare failed\" db=\"%s\" error=\"%s\"",
			  s->path, sqlite3_errmsg(s->db));
		return NULL;
	}
	/* Cache it unless the cache is full (then it is finalized on done). */
	if (s->n_stmts < STORE_MAX_STMTS) {
		s->stmts[s->n_stmts].sql = sql;
		s->stmts[s->n_stmts].stmt = st;
		s->n_stmts++;
	} else {
		log_error("msg=\"statement cache full\" db=\"%s\"", s->path);
		abort();
	}
	return st;
}

/* Whether the cached statement for sql, with ?1 bound to now_ms, returns
 * a row. 0, DP_ENOTFOUND or DP_ESTORE. */
static int peek(store *s, const char *sql, int64_t now_ms)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return DP_ESTORE;
	sqlite3_bind_int64(st, 1, now_ms);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : DP_ENOTFOUND;
	store_done(st);
	return rc;
}

int store_claim(store *s, const char *pick, const char *lease, int64_t now_ms,
		int64_t lease_ms, int (*read)(sqlite3_stmt *row, void *arg),
		void *arg)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc = peek(s, pick, now_ms);

	if (rc < 0)
		return rc;
	if (store_begin(s) < 0)
		return DP_ESTORE;
	rc = DP_ESTORE;
	st = store_stmt(s, pick);
	if (st) {
		sqlite3_bind_int64(st, 1, now_ms);
		rc = DP_ENOTFOUND;
		if (sqlite3_step(st) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			rc = read(st, arg);
		}
		store_done(st);
	}
	if (rc == 0) {
		st = store_stmt(s, lease);
		rc = DP_ESTORE;
		if (st) {
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, now_ms + lease_ms);
			if (sqlite3_step(st) == SQLITE_DONE)
				rc = 0;
			store_done(st);
		}
	}
	if (rc == 0 && store_commit(s) < 0)
		rc = DP_ESTORE;
	if (rc != 0)
		store_rollback(s);
	return rc;
}

void store_done(sqlite3_stmt *st)
{
	if (st)
		sqlite3_reset(st);
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

char *store_column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

json_t *store_column_json(sqlite3_stmt *st, int i)
{
	json_t *j = NULL;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		j = json_integer(sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		j = json_real(sqlite3_column_double(st, i));
		break;
	case SQLITE_TEXT:
		j = json_stringn((const char *)sqlite3_column_text(st, i),
				 (size_t)sqlite3_column_bytes(st, i));
		break;
	default:
		break;
	}
	return j ? j : json_null();
}

const char *store_column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

int store_run_changes(sqlite3_stmt *st)
{
	int rc = DP_ESTORE;

	if (!st)
		return DP_ESTORE;
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = sqlite3_changes(sqlite3_db_handle(st));
	store_done(st);
	return rc;
}
