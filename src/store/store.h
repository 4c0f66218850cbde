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

/* This database's installation id (migration 5): 32 lowercase hex digits
 * made once when the file was created or migrated, copied into out (at
 * least STORE_INSTALLATION_SIZE bytes). Decision ids restart at 1 in every
 * database; the pair (installation id, decision id) names one decision
 * across databases. A copy of the file (a restored backup, a staging
 * copy) has the same id. 0 or DP_ESTORE. */
#define STORE_INSTALLATION_SIZE 33
int store_installation_id(store *s, char *out);
/* Give this database a new installation id (and creation time), for a
 * restored backup or a copy of the file, so that its new decisions are
 * not taken for the original's; copied into out as store_installation_id. Actions already
 * queued keep the id they were planned with: the original may have
 * applied them, and under that id the helpdesk knows them. 0 or
 * DP_ESTORE. */
int store_installation_renew(store *s, char *out);

/* A cheap read that proves the file is usable (for /healthz); 0 or
 * DP_ESTORE. */
int store_ping(store *s);

/* Reset every statement of this connection that was left mid-step, so
 * the connection holds no read snapshot between units of work (a held
 * snapshot hides other connections' commits and stalls WAL checkpoints).
 * Each such statement is a bug and is logged with its SQL. Returns how
 * many were reset. */
int store_end_reads(store *s);

/* Copy committed pages from the WAL into the database file (a passive
 * checkpoint, which blocks no one). Connections never checkpoint on
 * commit, where it would stall the writer holding the lock (and every
 * writer queued behind it) for the fsync; the service runs this in a
 * thread of its own whenever store_checkpoint_wait returns, and the last
 * connection to close checkpoints as usual. When the WAL holds
 * STORE_REWIND_FRAMES or more, it then holds this process's writers back
 * for the few frames written meanwhile and up to 100 ms of readers
 * finishing, so that the next commit starts the WAL over: left to
 * itself, SQLite never finds the moment under a steady stream of commits
 * and the file grows for as long as they keep coming. 0 or DP_ESTORE. */
#define STORE_REWIND_FRAMES 1000
int store_checkpoint(store *s);

/* Block until a commit in this process leaves STORE_REWIND_FRAMES or more
 * in the WAL, store_checkpoint_wake is called, or timeout_ms passes. */
void store_checkpoint_wait(int timeout_ms);

/* Make a store_checkpoint_wait return now (to stop its thread). */
void store_checkpoint_wake(void);

/* Work committed by this process, for the threads that take it: each
 * queue has a count that a commit adding work to it (a pending event; an
 * outbox action) raises and broadcasts, so a worker or a dispatcher
 * sleeps until there is something to do instead of polling. Work that
 * another process commits (a CLI retry) or that comes due by the clock (a
 * retry's backoff, an expired lease) is still found by the poll. */
enum store_queue {
	STORE_QUEUE_EVENTS,
	STORE_QUEUE_OUTBOX,
};

/* The queue's count now: read it before looking for work, then wait on
 * it, so work committed in between is not missed. */
uint64_t store_queue_seen(enum store_queue q);

/* Block until q's count passes `seen`, store_queue_wake_all is called, or
 * timeout_ms passes. */
void store_queue_wait(enum store_queue q, uint64_t seen, int timeout_ms);

/* Raise every queue's count (to stop the threads waiting on them). */
void store_queue_wake_all(void);

/* Transactions for multi-statement writes. store_begin uses
 * BEGIN IMMEDIATE and queues behind the other writers of this process;
 * every successful store_begin must end in store_commit or store_rollback
 * (after a failed commit, call store_rollback). */
int store_begin(store *s);
int store_commit(store *s);
void store_rollback(store *s);

#endif
