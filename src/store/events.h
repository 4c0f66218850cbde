/*
 * events.h - the events table: every webhook deskpilot acknowledged.
 *
 * Life of a row: inserted by the front as 'pending' (customer messages) or
 * 'recorded' (everything that needs no decision) in the same transaction
 * that makes it durable; claimed by a worker under a lease; 'done' once
 * its decision is committed. A lease that runs out (the worker died) makes
 * the row claimable again, so nothing is lost and the UNIQUE event_id on
 * decisions keeps anything from being decided twice.
 */
#ifndef DP_STORE_EVENTS_H
#define DP_STORE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/event.h"
#include "store/store.h"

/* Store ev with its raw body. Returns 0 and the new id, or DP_EDUP and the
 * id of the row that already holds the same (source, delivery_id) or
 * (source, ticket_id, article_id): the caller answers 2xx either way. */
int store_event_insert(store *s, const struct ticket_event *ev,
		       const char *raw, size_t raw_len, int64_t now_ms,
		       int64_t *id_out);

/* Claim the oldest pending event, or one whose lease ran out, for
 * lease_ms. An event waits while an earlier event of the same ticket is
 * still pending or claimed, so a ticket's messages are decided in order
 * (a follow-up sees the decision on the message before it). Fills ev
 * (initialised by the caller) and *id. Returns 0, DP_ENOTFOUND when the
 * queue is empty, or DP_ESTORE. A row that does not read back as an event
 * is logged and set aside (state 'recorded'), never handed out. */
int store_event_claim(store *s, int64_t now_ms, int64_t lease_ms,
		      int64_t *id, struct ticket_event *ev);

/* Mark an event decided (state 'done', lease cleared); inside the
 * transaction that commits its decision. 0 or DP_ESTORE. */
int store_event_mark_done(store *s, int64_t event_id);

/* Load one stored event by id into ev (initialised by the caller): 0,
 * DP_ENOTFOUND, DP_EPARSE when the row does not read back as an event, or
 * DP_ESTORE. */
int store_event_get(store *s, int64_t id, struct ticket_event *ev);

/* Events waiting for a decision (pending or claimed). -1 on error. */
int64_t store_event_queue_depth(store *s);
/* All events ever stored. -1 on error. */
int64_t store_event_count(store *s);

/* Customer messages stored for a ticket up to and including event id
 * (the thread length triage sees); automatic replies sent from the
 * customer's address (out of office, bounces) are not counted. */
int store_event_customer_messages(store *s, const char *source,
				  int64_t ticket_id, int64_t up_to_id);

#endif
