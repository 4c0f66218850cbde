/*
 * config.h - deskpilot's configuration: an INI file read with inih.
 *
 * Every key is declared once with its type, bounds and default in a
 * section's table (common/settings.h): deskpilot's own sections in
 * config.c, each helpdesk's section in its connector (connectors/). The
 * tables drive defaults, parsing, validation and `deskpilot check-config`
 * printing. Secrets may be given inline (`token`) or as a file
 * (`token_file`); files are read at load time, must be readable and must
 * not be world-readable.
 *
 * A helpdesk whose section is absent has its hook switched off (404). The
 * struct is read-only once loaded and shared by all threads.
 */
#ifndef DP_CONFIG_H
#define DP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/dp.h"
#include "triage/policy.h"

/* Default config path, $(sysconfdir)/deskpilot/deskpilot.conf. */
#define CONFIG_DEFAULT_PATH SYSCONFDIR "/deskpilot/deskpilot.conf"

/* Most helpdesks one build can have (connectors/connectors.c). */
#define CONFIG_MAX_HELPDESKS 8

/* A helpdesk's section, one per connector in the connector table's
 * order; the settings struct is the connector's own (its header declares
 * it). */
struct config_helpdesk {
	bool enabled;   /* the file has the section: the hook answers */
	void *settings; /* from the section, or the defaults when it is absent */
};

struct config {
	char *path; /* file it was read from, "(defaults)" when none */

	/* [server] */
	char *listen;      /* "unix:/path", "host:port" or "fd:0" */
	char *listen_mode; /* octal mode of a unix socket */
	char *database;
	int threads;
	size_t max_body;
	char *log_level;

	/* [workers] */
	int worker_threads;
	int lease_s;
	int poll_ms;
	int worker_nice; /* added to the workers' nice value */

	/* [outbox] */
	int outbox_in_flight; /* helpdesk calls at once (max_in_flight) */
	int retry_base_ms;
	int retry_max_ms;
	int max_age_s;

	/* [policy] */
	struct policy policy;

	/* [drafter] */
	char *drafter_backend; /* "kb" or "llm" */
	double kb_min_score;
	char *human_footer;

	/* [llm] */
	char *llm_endpoint;
	char *llm_model;
	char *llm_api_key;
	double llm_temperature;
	int llm_max_tokens;
	int llm_connect_timeout_ms;
	int llm_timeout_ms;
	int llm_max_in_flight;
	int llm_retries;

	/* [privacy] */
	int retention_days;

	/* [sla]: the VIP watchdog (src/ops/watchdog.h) */
	double vip_sla_minutes; /* 0: no watchdog */
	char *business_hours;   /* "" or e.g. "Mon-Fri 09:00-17:00" */
	int utc_offset_minutes; /* time zone of business_hours */

	/* [quality]: draft acceptance and auto-demotion (src/ops/acceptance.h) */
	int acceptance_window; /* last N measured drafts per intent */
	double acceptance_min; /* mean below this demotes; 0: never */

	/* [stats]: the agent-minutes-saved estimate */
	double minutes_per_human_ticket;
	double minutes_per_ai_draft;

	struct config_helpdesk helpdesks[CONFIG_MAX_HELPDESKS];
};

struct connector;

/* Fill cfg with the embedded defaults (a working service on 127.0.0.1). */
void config_init(struct config *cfg);
void config_release(struct config *cfg);

/* Read path over the defaults. Errors name the file, line and key, e.g.
 * "deskpilot.conf:12: unknown key 'thraeds' in [server]". On error cfg is
 * left initialised but partially filled: release it. */
int config_load(struct config *cfg, const char *path, struct dp_error *err);

/* Print the effective config as INI with secrets masked. */
void config_print(const struct config *cfg, FILE *out);

/* conn's settings (its connector's struct): from its section, or the
 * defaults when the file has none. Borrowed, valid while cfg is. */
const void *config_helpdesk(const struct config *cfg,
			    const struct connector *conn);

/* Whether the file has conn's section: only then does its hook answer. */
bool config_helpdesk_enabled(const struct config *cfg,
			     const struct connector *conn);

/* conn's entry, to change (tests, and commands that override settings
 * from their options). */
struct config_helpdesk *config_helpdesk_slot(struct config *cfg,
					     const struct connector *conn);

#endif
