/*
 * decide.c - the steps from a stored message to a decision (see decide.h).
 */
#include "pipeline/decide.h"

#include "common/clean.h"
#include "common/log.h"
#include "common/vip_rules.h"
#include "connectors/connector.h"
#include "ops/acceptance.h"
#include "store/decisions.h"
#include "store/events.h"
#include "store/model.h"
#include "store/vip.h"
#include "triage/builtin.h"
#include "triage/triage.h"

#include <stdlib.h>

void decide_model_init(struct decide_model *m)
{
	m->stored = NULL;
	m->stamp = 0;
	m->retry_at = 0;
}

void decide_model_release(struct decide_model *m)
{
	classifier_free(m->stored);
	decide_model_init(m);
}

/* How long a model that did not load is left before it is read again. */
#define MODEL_RETRY_MS (10 * 60 * 1000)

/* Reload the database's model when another one was trained, or when it
 * did not load and it is time to try again. */
static void refresh(struct decide_model *m, store *st)
{
	int64_t stamp = store_model_stamp(st), now = dp_now_ms();
	struct dp_error err;

	if (stamp == m->stamp && (stamp == 0 || m->stored || now < m->retry_at))
		return;
	classifier_free(m->stored);
	m->stored = stamp ? store_model_load(st, &err) : NULL;
	m->stamp = stamp;
	m->retry_at = now + MODEL_RETRY_MS;
	if (stamp && !m->stored)
		log_error("msg=\"cannot load the intent model; people decide every ticket until it is retrained\" error=\"%s\"",
			  err.msg);
}

const struct classifier *decide_model_current(const struct decide_model *m)
{
	return builtin_pick(m->stamp != 0, m->stored);
}

/* Whether the customer is premium could not be checked: no AI text may go
 * out, so an AI outcome goes to a person, and the reason is recorded on
 * any outcome that writes to the ticket. In shadow mode the same holds
 * for what would have happened. */
static void hold_for_person(struct decision *d, const char *why)
{
	enum outcome *o = d->outcome == OUTCOME_NONE ? &d->would_be : &d->outcome;

	if (*o == OUTCOME_NONE || *o == OUTCOME_HUMAN_VIP)
		return;
	if (*o == OUTCOME_AI_DRAFT || *o == OUTCOME_AI_REPLY)
		*o = OUTCOME_HUMAN;
	decision_add_reason(d, "vip_unknown", why);
}

void decide_event(const struct decide_env *env, int64_t event_id,
		  struct ticket_event *ev, struct decision *d)
{
	const struct connector *conn = connector_find(ev->source);
	struct ticket_history hist;
	struct vip_rules vip;
	struct dp_error err = {{0}};
	const char *unchecked = NULL;
	char *cleaned = clean_text(ev->body ? ev->body : "");

	free(ev->body);
	ev->body = cleaned;
	vip_rules_init(&vip);
	refresh(env->model, env->st);
	if (store_vip_load(env->st, &vip) < 0) {
		log_error("msg=\"cannot load vip rules; a person decides\" event=%lld",
			  (long long)event_id);
		unchecked = "deskpilot's VIP rules could not be read";
	}
	hist.customer_messages = store_event_customer_messages(
		env->st, ev->source, ev->ticket_id, event_id);
	hist.prior_ai = store_decision_prior_ai(env->st, ev->source,
						ev->ticket_id, event_id);
	if (env->http && conn && conn->enrich &&
	    conn->enrich(config_helpdesk(env->cfg, conn), env->http, ev, &err) < 0) {
		log_warn("msg=\"cannot complete the event from the helpdesk; no AI text\" event=%lld ticket=%lld source=%s error=\"%s\"",
			 (long long)event_id, (long long)ev->ticket_id, ev->source,
			 err.msg);
		unchecked = err.msg;
	}
	triage_decide(&(struct triage_input){ev, &vip, &hist, &env->cfg->policy,
					     decide_model_current(env->model)},
		      d);
	/* An intent agents keep rewriting drafts for gets no auto-reply. */
	acceptance_apply_demotion(env->st, d);
	if (unchecked)
		hold_for_person(d, unchecked);
	vip_rules_release(&vip);
}
