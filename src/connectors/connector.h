/*
 * connector.h - the seam between deskpilot and one helpdesk.
 *
 * A connector is one file (zammad.c, osticket.c) exporting one table of
 * functions. It alone knows its helpdesk's wire formats: how a webhook is
 * signed and shaped (accept), which API calls carry out a decision (plan),
 * and how to make one such call (apply). Adding a helpdesk means adding one
 * connector file and a line in connectors.c.
 *
 * Threading: accept runs on front threads, enrich and plan on worker
 * threads, apply on the outbox dispatcher; all four only read the config.
 */
#ifndef DP_CONNECTOR_H
#define DP_CONNECTOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/decision.h"
#include "common/dp.h"
#include "common/event.h"
#include "config/config.h"

struct http_client;

/* One inbound webhook as the front read it. envp is the FastCGI
 * environment ("NAME=value" strings, NULL-terminated): borrowed, valid for
 * the call. body is exactly body_len bytes (NUL-terminated for
 * convenience). */
struct hook_request {
	char **envp;
	const char *body;
	size_t body_len;
};

/* A FastCGI parameter such as "HTTP_X_HUB_SIGNATURE" or "CONTENT_TYPE";
 * borrowed, NULL when absent. */
const char *hook_param(const struct hook_request *req, const char *name);

/* What the pipeline hands plan(): the decision and everything needed to
 * word the helpdesk's side of it. */
struct plan_input {
	const struct ticket_event *ev;
	const struct decision *d;
	int64_t decision_id;
	const char *draft;     /* AI draft text, or NULL */
	const char *note_text; /* human-readable reasons for the internal note */
	/* Set by the VIP SLA watchdog (src/ops/watchdog.h) for a human_vip
	 * ticket nobody answered in time: plan the escalation instead of the
	 * decision's normal actions - the vip-sla-breach tag, the urgent
	 * priority and an internal note holding note_text. Its note must be
	 * told apart from the decision's first note (same decision_id) by the
	 * idempotency check. */
	bool sla_breach;
	/* The database's installation id (store_installation_id): with
	 * decision_id it names this decision across databases, for helpdesks
	 * that remember which decisions they applied. */
	const char *installation;
};

struct connector {
	const char *name; /* "zammad": also the hook path /hooks/<name> */

	/* Whether the config enables this helpdesk (else the hook is 404). */
	bool (*enabled)(const struct config *cfg);

	/* Verify and parse one webhook into ev (initialised by the caller).
	 * Returns 0; DP_EAUTH (401) when the signature or credentials are
	 * missing or wrong, checked before anything is parsed; DP_EINVAL or
	 * DP_EPARSE (400) for a body that is not a valid event, with the
	 * reason in err; DP_ETOOBIG (413) for a document past a cap. */
	int (*accept)(const struct config *cfg, const struct hook_request *req,
		      struct ticket_event *ev, struct dp_error *err);

	/* Optional (NULL: nothing to add). Complete a stored event with what
	 * triage needs and the webhook did not carry, by asking the helpdesk
	 * (e.g. the VIP flags of the customer's other organizations); runs on
	 * a worker before triage, never on the front. Returns 0; <0 with the
	 * reason in err when something could not be read: the pipeline then
	 * lets no AI text out for this event. */
	int (*enrich)(const struct config *cfg, struct http_client *http,
		      struct ticket_event *ev, struct dp_error *err);

	/* Append to `actions` (a JSON array) the helpdesk calls that carry out
	 * a decision, in the order they must happen. Each action is an object
	 * {"action": name, ...connector fields}; the outbox stores it as given
	 * and passes it back to apply. Shadow-mode and `none` decisions plan
	 * nothing. */
	void (*plan)(const struct config *cfg, const struct plan_input *in,
		     json_t *actions);

	/* Perform one planned action. Must be idempotent: a retried action
	 * never leaves a second copy (notes carry the decision id and are
	 * looked for first). Returns 0 when done (and may set *result to a new
	 * JSON value describing what changed); DP_EBUSY for a failure worth
	 * retrying (network, 5xx, 429); DP_EREMOTE for a permanent refusal
	 * (4xx), with the helpdesk's error text in err. */
	int (*apply)(const struct config *cfg, struct http_client *http,
		     const json_t *action, json_t **result,
		     struct dp_error *err);
};

/* The connector named `name` ("zammad", "osticket"), or NULL. */
const struct connector *connector_find(const char *name);

#endif
