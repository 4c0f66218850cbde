/*
 * config.h - deskpilot's configuration: an INI file read with inih.
 *
 * Every key is declared once in config.c's table with its type, bounds and
 * default; the table drives defaults, parsing, validation and
 * `deskpilot check-config` printing. Secrets may be given inline (`token`)
 * or as a file (`token_file`); files are read at load time, must be
 * readable and must not be world-readable.
 *
 * A [zammad] or [osticket] section that is absent disables that helpdesk's
 * hook. The struct is read-only once loaded and shared by all threads.
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

struct config_zammad {
	bool enabled;
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

struct config_osticket {
	bool enabled;
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

	struct config_zammad zammad;
	struct config_osticket osticket;
};

/* Fill cfg with the embedded defaults (a working service on 127.0.0.1). */
void config_init(struct config *cfg);
void config_release(struct config *cfg);

/* Read path over the defaults. Errors name the file, line and key, e.g.
 * "deskpilot.conf:12: unknown key 'thraeds' in [server]". On error cfg is
 * left initialised but partially filled: release it. */
int config_load(struct config *cfg, const char *path, struct dp_error *err);

/* Print the effective config as INI with secrets masked. */
void config_print(const struct config *cfg, FILE *out);

#endif
