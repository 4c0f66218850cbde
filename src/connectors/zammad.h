/*
 * zammad.h - the Zammad connector (signed webhooks in, REST API out).
 *
 * The connector itself is the table zammad_connector (see connector.h for
 * the contract of each function). What is declared here is what other
 * modules and the tests need to know about Zammad's side of it.
 */
#ifndef DP_ZAMMAD_H
#define DP_ZAMMAD_H

#include "connectors/connector.h"

/* Every article deskpilot writes carries this text followed by the
 * decision id ("deskpilot-decision:42"; the SLA escalation note of the same
 * decision "deskpilot-decision:42-sla"): apply looks for it before posting
 * again, and accept records non-customer articles holding it as
 * deskpilot's own. Planned note and reply actions hold it as "marker". */
#define ZAMMAD_MARKER "deskpilot-decision:"

/* Caps on what a webhook may carry. */
#define ZAMMAD_MAX_DEPTH 64          /* JSON nesting */
#define ZAMMAD_MAX_TEXT (64u * 1024) /* article body, after HTML to text */
#define ZAMMAD_MAX_FIELD 1024u       /* any other string field */
#define ZAMMAD_MAX_DELIVERY 128u     /* X-Zammad-Delivery */
#define ZAMMAD_MAX_ORGS 32           /* other organizations looked up */

/* [zammad]: the connector's settings (zammad.c's key table gives each
 * key's default and bounds; deskpilot.conf(5) documents them). */
struct zammad_settings {
	char *url;
	char *token;
	char *webhook_secret;
	bool allow_unsigned;
	char *auth_bearer;     /* optional: require this bearer token */
	char *auth_basic_user; /* optional: require this basic auth */
	char *auth_basic_password;
	bool verify_tls;
	int connect_timeout_ms;
	int timeout_ms;
	char *vip_group;
	char *vip_priority;
	char *urgent_priority;
	char *tag_vip;
	char *tag_human_only;
	char *tag_needs_human;
	char *tag_ai_draft;
	char *tag_ai_replied;
	char *tag_opt_out;
	char *api_user; /* login of the API token's user, if known */
};

extern const struct connector zammad_connector;

struct http_client;

/* One call to Zammad's REST API: method on z->url + path (e.g.
 * "/api/v1/tags/add") with "Authorization: Token token=<z->token>", z's
 * timeouts and TLS setting. body (borrowed, may be NULL) is sent as JSON.
 * Returns 0 on a 2xx, and then, when out is not NULL, *out is the parsed
 * response (a new reference); DP_EBUSY when worth retrying (no connection,
 * timeout, 408, 429, 5xx); DP_EREMOTE for any other answer, with Zammad's
 * {"error","error_human"} text and the status in err. */
int zammad_request(const struct zammad_settings *z, struct http_client *http,
		   const char *method, const char *path, const json_t *body,
		   json_t **out, struct dp_error *err);

/* `deskpilot zammad-setup` (zammad_setup.c): create or update, by name, the
 * Zammad webhook and triggers that send customer articles to deskpilot.
 * The connector_command run function over the [zammad] settings. */
int zammad_setup_run(const void *settings, int argc, char **argv);

#endif
