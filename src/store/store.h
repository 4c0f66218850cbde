/*
 * store.h - deskpilot's SQLite database: events, decisions, outbox, VIP
 * rules, knowledge base, classifier model.
 *
 * One `store` is one connection, used by one thread at a time (opened with
 * SQLITE_OPEN_NOMUTEX); every thread opens its own. The file is in WAL mode
 * with a busy timeout; every transaction that may write starts with
 * BEGIN IMMEDIATE. Opening migrates the schema forward by
 * PRAGMA user_version, in one transaction, so any binary can open an older
 * file. A new database file is created with mode 0600.
 *
 * The functions for each table live in their own file (store/events.c,
 * store/outbox.c, ...) and are declared in their own header.
 */
#ifndef DP_STORE_H
#define DP_STORE_H

#include <stdint.h>

#include "common/dp.h"

typedef struct store store;

/* Open (creating if needed) and migrate the database at path. A corrupt
 * file, an unwritable path or a newer schema than this binary knows is an
 * error naming the path. Returns a new handle (free with store_close). */
store *store_open(const char *path, struct dp_error *err);

/* Close the connection; store_close(NULL) does nothing. */
void store_close(store *s);

/* Schema version this binary writes. */
int store_schema_version(void);
/* Schema version of the open file. */
int store_user_version(store *s);

/* A cheap read that proves the file is usable (for /healthz); 0 or
 * DP_ESTORE. */
int store_ping(store *s);

/* Transactions for multi-statement writes. store_begin uses
 * BEGIN IMMEDIATE. */
int store_begin(store *s);
int store_commit(store *s);
void store_rollback(store *s);

#endif
