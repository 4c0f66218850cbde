/*
 * connector.h - the seam between deskpilot and one helpdesk.
 *
 * A connector is one file (zammad.c, osticket.c) exporting one struct
 * connector. It alone knows its helpdesk: its config section (keys,
 * defaults, checks), its hook's route and metric label, how a webhook is
 * signed and shaped (accept), what the webhook left out (enrich), which
 * API calls carry out a decision (plan), and how to make one such call
 * (apply). Nothing outside connectors/ names a helpdesk: the front, the
 * config, the metrics, the pipeline and the commands go through the table
 * in connectors.c.
 *
 * Adding a helpdesk NAME (FreeScout, Chatwoot, Request Tracker, ...)
 * touches these files, and no other:
 *   1. src/connectors/NAME.c and NAME.h: `const struct connector
 *      NAME_connector`, its settings struct and key table, and the
 *      functions below. It includes nothing but common/ and connectors/.
 *   2. src/connectors/connectors.c: its #include and one line in the
 *      table.
 *   3. src/connectors/local.mk: its files.
 *   4. Its tests: tests/unit/check_NAME.c; end to end, a
 *      tests/integration/NAME_peer.c and .h (the helpdesk as the tests see
 *      it) and tests/integration/check_NAME_e2e.c against a fake in
 *      tests/fakes/fake_NAME.py, with fixtures in tests/data/NAME/; each
 *      listed in its folder's local.mk (tests/unit, tests/integration,
 *      tests for the fake and the fixtures).
 *   5. Its docs: its section in man/deskpilot.conf.5 and
 *      examples/deskpilot.conf (tests/unit/check_manual and check_config
 *      fail until every key is there), its subcommand, if any, in
 *      man/deskpilot.8 (check_manual again), and its setup in README.md.
 * Its config section (defaults, parsing, checks, check-config output), its
 * hook's route and 404 when the section is absent, its /metrics label,
 * the unsigned-webhook warning at start, the outbox lease and its
 * subcommand in `deskpilot help` then come from the generic code.
 *
 * Threading: accept runs on front threads, enrich and plan on worker
 * threads, apply on the outbox dispatcher; all of them only read the
 * settings.
 */
#ifndef DP_CONNECTOR_H
#define DP_CONNECTOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/decision.h"
#include "common/dp.h"
#include "common/event.h"
#include "common/settings.h"

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
	/* How the customer reaches a person ([drafter] human_footer, "" for
	 * none): a public AI reply ends with it. */
	const char *footer;
};

/* A subcommand a connector adds to deskpilot (`deskpilot NAME ...`). */
struct connector_command {
	const char *name;    /* "zammad-setup" */
	const char *summary; /* its line in `deskpilot help`: options, purpose */
	/* Run with the arguments after the name (argv[0] is the name; the
	 * config's -c FILE is already taken out and loaded) and the
	 * connector's settings from that config. Returns the exit status: 0,
	 * 1 for a failure, EXIT_USAGE for a usage error. */
	int (*run)(const void *settings, int argc, char **argv);
};

/* Every function takes `settings`, the connector's own settings struct
 * as its config section filled it (borrowed, read-only). */
struct connector {
	const char *name;         /* "zammad": events' source, outbox rows */
	const char *route;        /* "/hooks/zammad": where its webhooks arrive */
	const char *metric_label; /* the route label its requests count under */

	/* Its config section ([zammad]) over a settings struct of
	 * settings_size bytes: keys, defaults and cross-key checks. The
	 * section being present in the file switches the hook on. */
	struct settings_section section;
	size_t settings_size;

	/* The longest one apply may take, in ms: its most calls to the
	 * helpdesk times their timeout. The outbox lease outlasts it, so no
	 * other dispatcher takes an action while one is applying it. */
	int (*apply_timeout_ms)(const void *settings);

	/* Whether webhooks are taken without a signature (the service warns
	 * at start). */
	bool (*hooks_unsigned)(const void *settings);

	/* Verify and parse one webhook into ev (initialised by the caller).
	 * Returns 0; DP_EAUTH (401) when the signature or credentials are
	 * missing or wrong, checked before anything is parsed; DP_EINVAL or
	 * DP_EPARSE (400) for a body that is not a valid event, with the
	 * reason in err; DP_ETOOBIG (413) for a document past a cap. */
	int (*accept)(const void *settings, const struct hook_request *req,
		      struct ticket_event *ev, struct dp_error *err);

	/* Optional (NULL: nothing to add). Complete a stored event with what
	 * triage needs and the webhook did not carry, by asking the helpdesk
	 * (e.g. the VIP flags of the customer's other organizations); runs on
	 * a worker before triage, never on the front. Returns 0; <0 with the
	 * reason in err when something could not be read: the pipeline then
	 * lets no AI text out for this event. */
	int (*enrich)(const void *settings, struct http_client *http,
		      struct ticket_event *ev, struct dp_error *err);

	/* Append to `actions` (a JSON array) the helpdesk calls that carry out
	 * a decision, in the order they must happen. Each action is an object
	 * {"action": name, ...connector fields}; the outbox stores it as given
	 * and passes it back to apply. Shadow-mode and `none` decisions plan
	 * nothing. */
	void (*plan)(const void *settings, const struct plan_input *in,
		     json_t *actions);

	/* Perform one planned action. Must be idempotent: a retried action
	 * never leaves a second copy (notes carry the decision id and are
	 * looked for first). Returns 0 when done (and may set *result to a new
	 * JSON value describing what changed); DP_EBUSY for a failure worth
	 * retrying (network, 5xx, 429); DP_EREMOTE for a permanent refusal
	 * (4xx), with the helpdesk's error text in err; DP_ECONFLICT when the
	 * helpdesk applied this installation's decision to another ticket
	 * before (the database was restored or copied): permanent too, and
	 * kept apart so that `outbox retry --new-id` can send it again under
	 * a renewed installation id. */
	int (*apply)(const void *settings, struct http_client *http,
		     const json_t *action, json_t **result,
		     struct dp_error *err);

	/* Optional (NULL: none): its subcommand. */
	const struct connector_command *command;
};

/* ---- the table (connectors.c) ------------------------------------------- */

/* Connector i of the table (0, 1, ...), or NULL past the end. */
const struct connector *connector_at(size_t i);

/* conn's place in the table. */
size_t connector_index(const struct connector *conn);

/* The connector whose webhooks arrive at path ("/hooks/zammad"), or NULL. */
const struct connector *connector_for_route(const char *path);

/* The connector named `name` ("zammad", "osticket"), or NULL. */
const struct connector *connector_find(const char *name);

#endif
