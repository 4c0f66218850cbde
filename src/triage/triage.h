/*
 * triage.h - the decision: who answers this customer message, and why.
 *
 * triage_decide is a pure function of its inputs: no I/O, no clock, no
 * globals, deterministic. The pipeline loads the inputs (VIP rules and the
 * classifier model from the store, the ticket's history) and acts on the
 * result. Order of precedence: premium (human_vip) beats every human cue,
 * human cues beat the classifier, and only a confident, allowed, in-scope
 * intent gets ai_draft (or ai_reply in auto mode for listed intents).
 * Shadow mode decides the same way but returns outcome none with the real
 * outcome in would_be.
 */
#ifndef DP_TRIAGE_H
#define DP_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/decision.h"
#include "common/event.h"
#include "triage/classifier.h"
#include "triage/policy.h"
#include "triage/tier.h"

/* What deskpilot knows of the ticket before this message. */
struct ticket_history {
	int customer_messages; /* customer messages so far, this one included */
	bool prior_ai;         /* an earlier message got ai_draft or ai_reply */
};

struct triage_input {
	const struct ticket_event *ev;
	const struct vip_rules *vip;          /* may be NULL: no own rules */
	const struct ticket_history *history; /* may be NULL: first message */
	const struct policy *policy;
	const struct classifier *model; /* may be NULL: no model, human */
};

/* Decide for one customer message; out is overwritten. */
void triage_decide(const struct triage_input *in, struct decision *out);

/* The (at most k) intents the model finds likeliest for the message, best
 * first, read from the same words triage_decide classifies; names
 * borrowed from in->model. 0 without a model. Pure. */
size_t triage_candidates(const struct triage_input *in, const char **out,
			 size_t k);

#endif
