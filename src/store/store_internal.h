/*
 * store_internal.h - what the store files share and nobody else sees.
 */
#ifndef DP_STORE_INTERNAL_H
#define DP_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "store/store.h"

/* Number of cached prepared statements a connection may hold. */
#define STORE_MAX_STMTS 128

struct store {
	sqlite3 *db;
	char *path;
	bool writing; /* inside store_begin, holding the process's writer lock */
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

/* Whether the cached statement for sql, with ?1 bound to now_ms, returns
 * a row: a cheap look before taking the write lock to claim it. 0,
 * DP_ENOTFOUND or DP_ESTORE. */
int store_peek(store *s, const char *sql, int64_t now_ms);

/* Reset a statement after use so it holds no read transaction. */
void store_done(sqlite3_stmt *st);

/* Bind helpers that accept NULL strings (bound as SQL NULL). */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);

/* A column as a new heap string, or NULL when SQL NULL. */
char *store_column_dup(sqlite3_stmt *st, int i);

/* Run one statement without results; 0 or DP_ESTORE. */
int store_exec(store *s, const char *sql);

#endif
