/*
 * outbox.h - the outbox table: helpdesk calls waiting to be made.
 *
 * Rows are added in the transaction that commits their decision, so a
 * decision and its write-back are durable together. The dispatcher takes
 * one due row at a time, oldest first, and never a row while an earlier
 * row of the same ticket is still pending: actions reach a ticket in the
 * order they were planned. A row ends 'done', or 'dead' after a permanent
 * refusal or when retries pass the max age; `deskpilot outbox retry` puts
 * dead rows back to 'pending'.
 */
#ifndef DP_STORE_OUTBOX_H
#define DP_STORE_OUTBOX_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

struct outbox_item {
	int64_t id;
	int64_t decision_id;
	char *source;
	int64_t ticket_id;
	char *action;
	char *payload; /* JSON text */
	char *state;
	int attempts;
	int64_t created_at;
	int64_t next_at;
	char *last_error;
};

void outbox_item_init(struct outbox_item *it);
void outbox_item_release(struct outbox_item *it);

/* Queue one action (inside the decision's transaction). */
int store_outbox_add(store *s, int64_t decision_id, const char *source,
		     int64_t ticket_id, const char *action, const char *payload,
		     int64_t now_ms);

/* Claim the next due row (see above) for lease_ms. 0, DP_ENOTFOUND when
 * nothing is due, or DP_ESTORE. it must be initialised. */
int store_outbox_claim(store *s, int64_t now_ms, int64_t lease_ms,
		       struct outbox_item *it);

/* Outcomes of one attempt. result/error may be NULL. */
int store_outbox_done(store *s, int64_t id, const char *result, int64_t now_ms);
int store_outbox_retry(store *s, int64_t id, int64_t next_at,
		       const char *error);
int store_outbox_dead(store *s, int64_t id, const char *error);

/* How a dead letter's error starts when the helpdesk refused the action
 * as another database's decision (the connector's DP_ECONFLICT). */
#define OUTBOX_CONFLICT "conflict: "

/* Put dead rows back in the queue: one row (id > 0) or all (id == 0).
 * With installation (not NULL), only the conflicts (OUTBOX_CONFLICT), and
 * each under that installation id instead of the one it was planned
 * with: after store_installation_renew, they are this database's own.
 * Returns the number of rows requeued, or DP_ESTORE. */
int store_outbox_requeue(store *s, int64_t id, const char *installation,
			 int64_t now_ms);

/* Rows in a state ("pending", "done", "dead"); -1 on error. */
int64_t store_outbox_count(store *s, const char *state);

/* Call fn for each row in state (NULL: every state), newest first, at most
 * limit rows. */
int store_outbox_each(store *s, const char *state, int limit,
		      void (*fn)(void *ctx, const struct outbox_item *it),
		      void *ctx);

#endif
