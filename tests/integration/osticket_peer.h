/*
 * osticket_peer.h - osTicket as an integration test sees it: events sent
 * the way deskpilot's osTicket plugin sends them, and the fake plugin
 * route's state read back (tests/fakes/fake_osticket.py).
 *
 * Functions that talk HTTP assert with Check (they are test code): a call
 * that cannot reach its peer fails the test. Returned JSON and strings are
 * new (caller frees/decrefs).
 */
#ifndef DP_OSTICKET_PEER_H
#define DP_OSTICKET_PEER_H

#include <jansson.h>
#include <stddef.h>

#include "harness.h"

/* Start tests/fakes/fake_osticket.py on 127.0.0.1:port for h. Returns the
 * pid. */
pid_t osticket_fake_start(struct harness *h, int port);

/* An event fixture's exact bytes (from $DP_SRCDIR/tests/data/osticket). */
char *osticket_fixture(const char *name, size_t *len);

/* The JSON fixture `name` with timestamp ts, the given delivery id and
 * fields replaced (set: a NULL-terminated list of key, JSON value text). */
char *osticket_event(const char *name, long long ts, const char *delivery,
		     const char *const *set);

/* POST body to h's /hooks/osticket as ctype, signed with key and stamped
 * ts as the plugin does; returns the HTTP status. */
long osticket_deliver(struct harness *h, const char *ctype, const char *body,
		      const char *key, long long ts,
		      struct harness_response *resp);

/* Ticket id of a state (borrowed from state), or NULL. */
json_t *osticket_fake_ticket(json_t *state, int id);
/* How many internal notes the fake holds on ticket id (0 for a ticket it
 * does not know). */
size_t osticket_fake_notes(json_t *state, int id);

#endif
