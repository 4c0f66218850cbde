/*
 * store_internal.h - what the store files share and nobody else sees.
 */
#ifndef DP_STORE_INTERNAL_H
#define DP_STORE_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "store/store.h"

/* Number of cached prepared statements a connection may hold. */
#define STORE_MAX_STMTS 128

struct store {
	sqlite3 *db;
	char *path;
	bool writing; /* inside store_begin, holding the process's writer lock */
	/* Queues (1 << enum store_queue) the open transaction adds work to:
	 * raised when it commits. */
	unsigned adds_work;
	/* Statements prepared once per connection, keyed by their SQL text's
	 * address (each call site passes a static string). */
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} stmts[STORE_MAX_STMTS];
	int n_stmts;
};

/* The cached statement for this static SQL text, reset and with bindings
 * cleared; NULL (and logged) if it does not prepare. Borrowed: valid until
 * store_close. Callers must sqlite3_reset it when done (store_done). */
sqlite3_stmt *store_stmt(store *s, const char *sql);

/* Take one row under a lease, the way workers take events and the
 * dispatcher takes actions. A look without the write lock first (an idle
 * poller costs no lock); then in one write transaction: step `pick` with
 * ?1 = now_ms, hand its row to `read` (0 or DP_ESTORE), and run `lease`
 * with ?1 = the row's column 0 (its id) and ?2 = now_ms + lease_ms. On any
 * failure nothing is leased. 0, DP_ENOTFOUND or DP_ESTORE. */
int store_claim(store *s, const char *pick, const char *lease, int64_t now_ms,
		int64_t lease_ms, int (*read)(sqlite3_stmt *row, void *arg),
		void *arg);

/* Note that the open transaction (or, outside one, the statement just
 * run) adds work to q: its waiters wake when it commits. */
void store_adds_work(store *s, enum store_queue q);

/* Reset a statement after use so it holds no read transaction. */
void store_done(sqlite3_stmt *st);

/* Bind helpers that accept NULL strings (bound as SQL NULL). */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);

/* A column as a new heap string, or NULL when SQL NULL. */
char *store_column_dup(sqlite3_stmt *st, int i);

/* A column as borrowed text ("" for SQL NULL), valid until the next step
 * or reset. */
const char *store_column_text(sqlite3_stmt *st, int i);

/* A column as a new JSON value of its own type (null for SQL NULL, and
 * for text that is not valid UTF-8). */
json_t *store_column_json(sqlite3_stmt *st, int i);

/* Step a statement that returns no rows, then reset it: the number of
 * rows it changed, or DP_ESTORE (also for st NULL). */
int store_run_changes(sqlite3_stmt *st);

/* Run one statement without results; 0 or DP_ESTORE. */
int store_exec(store *s, const char *sql);

#endif
