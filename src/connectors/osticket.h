/*
 * osticket.h - the osTicket connector: events from deskpilot's osTicket
 * plugin in, decisions out to the plugin's API route.
 *
 * osTicket has no webhooks and no API for notes or updates, so both
 * directions go through plugin/osticket (PHP). The plugin POSTs one event
 * per thread entry to /hooks/osticket as JSON or XML; deskpilot POSTs each
 * decision to {url}/api/deskpilot/decision.json, named by the database's
 * installation id and the decision id, which the plugin applies once.
 *
 * Both directions are signed the same way: HMAC-SHA256 of the exact body
 * under the shared webhook_secret, as "X-Deskpilot-Signature: sha256=<hex>",
 * with "X-Deskpilot-Timestamp: <unix seconds>" equal to the body's own
 * "timestamp" field; a timestamp outside timestamp_window_seconds is
 * refused as stale or replayed. Each event carries a delivery id, which
 * the store deduplicates on.
 *
 * The wire fields (same names as JSON keys, as XML attributes or child
 * elements of <ticket>): delivery_id, timestamp, event, entry_type (M, R,
 * N), entry_id, ticket_id, number, subject, dept, topic, priority, status,
 * source, user_id, name, email, user_vip, org, org_vip, poster, own,
 * created, and message (JSON: a string, or {"type","body"}; XML:
 * <message type="text/plain|text/html">). README "osTicket" documents them.
 */
#ifndef DP_OSTICKET_H
#define DP_OSTICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/event.h"
#include "connectors/connector.h"

/* Caps on what the plugin may send. */
#define OSTICKET_MAX_BODY (1024u * 1024)   /* whole event document */
#define OSTICKET_MAX_MESSAGE (512u * 1024) /* message before conversion */
#define OSTICKET_MAX_FIELD 1024            /* any other string field */
#define OSTICKET_MAX_DEPTH 8               /* XML elements, JSON nesting */

/* Signature and timestamp headers, as FastCGI parameters and as sent. */
#define OSTICKET_SIG_PARAM "HTTP_X_DESKPILOT_SIGNATURE"
#define OSTICKET_TS_PARAM "HTTP_X_DESKPILOT_TIMESTAMP"
#define OSTICKET_SIG_HEADER "X-Deskpilot-Signature"
#define OSTICKET_TS_HEADER "X-Deskpilot-Timestamp"

/* The plugin's route below [osticket] url. */
#define OSTICKET_DECISION_PATH "/api/deskpilot/decision.json"

/* [osticket]: the connector's settings (osticket.c's key table gives each
 * key's default and bounds; deskpilot.conf(5) documents them). */
struct osticket_settings {
	char *url;
	char *api_key;
	char *webhook_secret;
	bool allow_unsigned;
	int timestamp_window_s;
	bool verify_tls;
	int connect_timeout_ms;
	int timeout_ms;
	char *vip_team;
	char *vip_dept; /* "" leaves the department alone */
	char *vip_priority;
	char *urgent_priority;
};

extern const struct connector osticket_connector;

/* Parse one event body without any signature or time check: content_type
 * is the request's Content-Type (parameters allowed). Fills ev
 * (initialised by the caller) and *timestamp (the body's "timestamp").
 * Returns 0; DP_EMEDIA for a content type other than JSON or XML;
 * DP_ETOOBIG past a cap; DP_EPARSE or DP_EINVAL with the reason in err.
 * On error ev may hold some fields: release it. */
int osticket_parse(const char *content_type, const char *body, size_t len,
		   struct ticket_event *ev, int64_t *timestamp,
		   struct dp_error *err);

/* The connector's accept with the clock passed in (now_s: unix seconds). */
int osticket_accept_at(const struct osticket_settings *oc,
		       const struct hook_request *req, int64_t now_s,
		       struct ticket_event *ev, struct dp_error *err);

#endif
