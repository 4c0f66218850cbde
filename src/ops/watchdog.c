/*
 * watchdog.c - SLA deadlines and VIP escalations (see watchdog.h).
 *
 * Design: the store finds the first unanswered VIP decision of each
 * ticket decided at least vip_sla_minutes of wall time ago (open time can
 * only be shorter than wall time, so nothing due is missed); the exact
 * deadline in business hours is computed here. Deadlines grow with the
 * start time, so once one candidate (oldest first) is not yet due, none
 * after it is. An escalation row and its outbox actions commit together:
 * the UNIQUE decision_id on sla_escalations keeps it to one.
 */
#include "ops/watchdog.h"

#include "common/buf.h"
#include "common/log.h"
#include "connectors/connector.h"
#include "store/decisions.h"
#include "store/events.h"
#include "store/outbox.h"
#include "store/sla.h"

#include <stdlib.h>
#include <string.h>

#define DAY_MS (86400LL * 1000)
#define MINUTE_MS (60LL * 1000)
/* How far back an unanswered VIP ticket is still escalated. */
#define LOOKBACK_MS (14 * DAY_MS)
/* Escalations per step; the next step takes the rest. */
#define STEP_BATCH 32

/* The internal note of an escalation. */
static char *breach_note(const struct config *cfg, const struct sla_candidate *c,
			 int64_t now_ms)
{
	struct buf b;

	buf_init(&b, 1024);
	buf_printf(&b,
		   "deskpilot: VIP SLA breached. This premium customer has had no reply from an agent for %lld minutes (SLA: %g minutes",
		   (long long)((now_ms - c->decided_at) / MINUTE_MS),
		   cfg->vip_sla_minutes);
	if (*cfg->business_hours)
		buf_printf(&b, " within business hours %s", cfg->business_hours);
	buf_puts(&b, "). The ticket was raised to urgent priority: please answer the customer now.");
	return buf_detach(&b);
}

/* Record one escalation and queue its helpdesk actions, together. */
static void escalate(store *s, const struct config *cfg,
		     const struct sla_candidate *c, int64_t due_ms,
		     int64_t now_ms)
{
	const struct connector *conn = connector_find(c->source);
	json_t *actions = json_array();
	struct ticket_event ev;
	struct decision d;
	char *note = breach_note(cfg, c, now_ms);
	char installation[STORE_INSTALLATION_SIZE];
	size_t i;
	json_t *a;
	int rc;

	ticket_event_init(&ev);
	if (store_event_get(s, c->event_id, &ev) < 0 ||
	    store_decision_load(s, c->decision_id, &d) < 0) {
		log_error("msg=\"cannot load vip decision to escalate\" decision=%lld",
			  (long long)c->decision_id);
		goto out;
	}
	if (store_installation_id(s, installation) < 0) {
		log_error("msg=\"cannot read the installation id\" decision=%lld",
			  (long long)c->decision_id);
		goto out;
	}
	if (conn)
		conn->plan(config_helpdesk(cfg, conn),
			   &(struct plan_input){
				   .ev = &ev,
				   .d = &d,
				   .decision_id = c->decision_id,
				   .note_text = note,
				   .sla_breach = true,
				   .installation = installation,
				   .footer = cfg->human_footer,
			   },
			   actions);
	if (store_begin(s) < 0)
		goto fail;
	rc = store_sla_escalate(s, c, due_ms, now_ms);
	if (rc == DP_EDUP) { /* another process escalated it first */
		store_rollback(s);
		goto out;
	}
	if (rc < 0)
		goto fail;
	json_array_foreach(actions, i, a) {
		char *payload = json_dumps(a, JSON_COMPACT);
		const char *name = json_string_value(json_object_get(a, "action"));

		rc = store_outbox_add(s, c->decision_id, c->source, c->ticket_id,
				      name ? name : "unknown", payload, now_ms);
		free(payload);
		if (rc < 0)
			goto fail;
	}
	if (store_commit(s) < 0)
		goto fail;
	log_warn("msg=\"vip sla breached\" decision=%lld event=%lld ticket=%lld source=%s waited_min=%lld sla_min=%g actions=%zu",
		 (long long)c->decision_id, (long long)c->event_id,
		 (long long)c->ticket_id, c->source,
		 (long long)((now_ms - c->decided_at) / MINUTE_MS),
		 cfg->vip_sla_minutes, json_array_size(actions));
	goto out;
fail:
	store_rollback(s);
	log_error("msg=\"vip escalation not committed; will retry\" decision=%lld",
		  (long long)c->decision_id);
out:
	ticket_event_release(&ev);
	json_decref(actions);
	free(note);
}

void watchdog_step(store *s, const struct config *cfg, int64_t now_ms)
{
	struct sla_candidate c[STEP_BATCH];
	struct business_hours h;
	struct dp_error err;
	int64_t sla_ms = (int64_t)(cfg->vip_sla_minutes * (double)MINUTE_MS);
	int n;

	if (cfg->vip_sla_minutes <= 0)
		return;
	if (hours_parse(cfg->business_hours, cfg->utc_offset_minutes,
			&h, &err) < 0) {
		log_error("msg=\"vip sla watchdog off\" error=\"business_hours %s\"",
			  err.msg);
		return;
	}
	n = store_sla_candidates(s, now_ms - LOOKBACK_MS, now_ms - sla_ms, c,
				 STEP_BATCH);
	if (n < 0) {
		log_error("msg=\"cannot read vip tickets for the sla watchdog\"");
		return;
	}
	for (int i = 0; i < n; i++) {
		int64_t due = hours_due_ms(c[i].decided_at, cfg->vip_sla_minutes, &h);

		if (due > now_ms)
			break;
		escalate(s, cfg, &c[i], due, now_ms);
	}
}
