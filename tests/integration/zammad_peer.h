/*
 * zammad_peer.h - Zammad as an integration test sees it: webhooks sent the
 * way Zammad sends them, and the fake Zammad's state read back.
 *
 * Functions that talk HTTP assert with Check (they are test code): a call
 * that cannot reach its peer fails the test. Returned JSON and strings are
 * new (caller frees/decrefs).
 */
#ifndef DP_ZAMMAD_PEER_H
#define DP_ZAMMAD_PEER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define ZAMMAD_SECRET "test-webhook-secret"
#define ZAMMAD_TOKEN "test-token"

/* Start tests/fakes/fake_zammad.py on 127.0.0.1:port for h, its state
 * kept in DIR/zammad-state.json across restarts. Returns the pid. */
pid_t zammad_fake_start(struct harness *h, int port);

/* A new harness (nothing started yet but the fake Zammad) whose config is
 * ini followed by a [zammad] section for a fake Zammad on a free port
 * (*port): url, token ZAMMAD_TOKEN, webhook_secret ZAMMAD_SECRET, then
 * the keys in zammad_keys (may be NULL). */
struct harness *zammad_harness(const char *ini, const char *zammad_keys,
			       int *port);

/* A webhook fixture's exact bytes (from $DP_SRCDIR/tests/data/zammad). */
char *zammad_fixture(const char *name, size_t *len);

/* The routine fixture turned into another customer article: ticket id,
 * article id and plain-text body replaced (compact JSON). */
char *zammad_event(long ticket_id, long article_id, const char *text,
		   size_t *len);

/* POST body to /hooks/zammad through nginx with Zammad's headers, signed
 * with key; returns the HTTP status (0 when nothing answered). */
long zammad_deliver(struct harness *h, const char *body, size_t len,
		    const char *delivery, const char *key,
		    struct harness_response *resp);
/* The same with another Content-Type (for refusal tests). */
long zammad_deliver_as(struct harness *h, const char *content_type,
		       const char *body, size_t len, const char *delivery,
		       const char *key, struct harness_response *resp);

/* Whether ticket has tag in a state. */
bool zammad_has_tag(json_t *state, long ticket, const char *tag);

/* Articles of ticket with that visibility whose body contains needle
 * (NULL: all). */
int zammad_articles(json_t *state, long ticket, bool internal,
		    const char *needle);

/* Articles anywhere whose body carries decision id's marker. */
int zammad_marked(json_t *state, long long decision_id);

#endif
