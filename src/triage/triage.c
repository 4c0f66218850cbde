/*
 * triage.c - the decision for one customer message (see triage.h).
 *
 * Design: collect every reason that puts a human in charge, in a fixed
 * order (premium, cues, thread history, language, then what the
 * classifier says), and derive the outcome from them: premium wins, any
 * other reason means human, and only a message with no reason at all is
 * automated. Recording every reason (not just the first) lets admins see
 * all that fired. The classifier always runs when a model is given, so
 * even human decisions carry the intent for the agent.
 *
 * Invariant: pure; the only allocation is scratch memory freed before
 * returning.
 */
#include "triage/triage.h"

#include "triage/cues.h"
#include "triage/lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Probability of a sensitive topic from which a person answers. */
#define SENSITIVE_MIN 0.5

/* The classifier's view of an intent that itself means "a human", e.g.
 * intent contact_human_agent -> explicit_request. */
static void intent_reasons(const struct policy *p,
			   const struct classifier_prediction *pr,
			   struct decision *d)
{
	char ev[REASON_EVIDENCE_MAX];

	snprintf(ev, sizeof(ev), "intent %s (%.2f)", pr->intent,
		 pr->intent_confidence);
	if (policy_list_has(p->explicit_request_intents, pr->intent) &&
	    !decision_has_reason(d, "explicit_request"))
		decision_add_reason(d, "explicit_request", ev);
	if (policy_list_has(p->complaint_intents, pr->intent) &&
	    !decision_has_reason(d, "complaint"))
		decision_add_reason(d, "complaint", ev);
	if (policy_list_has(p->money_sensitive_intents, pr->intent))
		decision_add_reason(d, "money_sensitive", ev);
	if (!policy_list_has(p->draft_intents, pr->intent))
		decision_add_reason(d, "not_allowed", ev);
}

static void classify(const struct triage_input *in, const char *text,
		     struct decision *d)
{
	const struct policy *p = in->policy;
	struct classifier_prediction pr;
	char ev[REASON_EVIDENCE_MAX];
	double in_scope;

	if (!in->model) {
		decision_add_reason(d, "no_model", "no intent model trained");
		return;
	}
	classifier_predict(in->model, text, &pr);
	/* A sensitive topic goes to a person whatever else it asks; the
	 * agent still sees the intent it reads as. */
	if (pr.sensitive && pr.sensitive_score >= SENSITIVE_MIN) {
		if (pr.kind == CLASS_INTENT) {
			snprintf(d->intent, sizeof(d->intent), "%s", pr.intent);
			d->confidence = pr.intent_confidence;
		}
		snprintf(ev, sizeof(ev), "reads as %s (%.2f)", pr.sensitive,
			 pr.sensitive_score);
		decision_add_reason(d, "sensitive", ev);
		return;
	}
	in_scope = 1.0 - pr.background_mass;
	if (!pr.intent || in_scope < p->min_in_scope) {
		if (pr.kind == CLASS_BACKGROUND)
			snprintf(ev, sizeof(ev), "reads as %s (%.2f), not as a known intent",
				 pr.name, pr.confidence);
		else
			snprintf(ev, sizeof(ev), "in scope %.2f < %.2f (nearest intent %s)",
				 in_scope, p->min_in_scope, pr.intent);
		decision_add_reason(d, "out_of_scope", ev);
		return;
	}
	snprintf(d->intent, sizeof(d->intent), "%s", pr.intent);
	d->confidence = pr.intent_confidence;
	if (pr.intent_confidence < p->min_confidence) {
		snprintf(ev, sizeof(ev), "confidence %.2f < %.2f for %s",
			 pr.intent_confidence, p->min_confidence, pr.intent);
		decision_add_reason(d, "low_confidence", ev);
		return;
	}
	if (!pr.term[0]) {
		snprintf(ev, sizeof(ev), "no word of the message speaks for %s (%.2f)",
			 pr.intent, pr.intent_confidence);
		decision_add_reason(d, "out_of_scope", ev);
		return;
	}
	intent_reasons(p, &pr, d);
}

static void add_cues(const char *text, const struct text_tokens *tk,
		     struct decision *d)
{
	struct cue_result cr;

	cues_find(text, tk, &cr);
	for (int c = 0; c < CUE_COUNT; c++)
		if (cr.fired[c] && !decision_has_reason(d, cue_code(c)))
			decision_add_reason(d, cue_code(c), cr.evidence[c]);
}

static void add_history(const struct triage_input *in, struct decision *d)
{
	const struct ticket_history *h = in->history;
	char ev[REASON_EVIDENCE_MAX];

	if (!h)
		return;
	if (h->prior_ai)
		decision_add_reason(d, "repeat_contact",
				    "customer wrote again after an AI answer");
	if (h->customer_messages > in->policy->max_customer_messages) {
		snprintf(ev, sizeof(ev), "%d customer messages (limit %d)",
			 h->customer_messages, in->policy->max_customer_messages);
		decision_add_reason(d, "long_thread", ev);
	}
}

static void add_language(const struct policy *p, const struct text_tokens *tk,
			 struct decision *d)
{
	const char *lang;
	char ev[REASON_EVIDENCE_MAX];

	if (!p->languages || !p->languages[0])
		return;
	lang = lang_guess(tk);
	if (lang && !policy_list_has(p->languages, lang)) {
		snprintf(ev, sizeof(ev), "written in %s; covered: %s", lang,
			 p->languages);
		decision_add_reason(d, "language", ev);
	}
}

/* Whether a subject line is an earlier message's: a reply or a forward
 * ("Re:", "AW:", "SV:", "Fwd:", "WG:", "TR:", "RV:", "Re[2]:"...). Such a
 * subject names the thread's first topic, not what the customer writes
 * now, so it is neither searched for cues nor classified. */
static bool subject_is_earlier(const char *s)
{
	/* clang-format off */
	static const char *const prefixes[] = {
		"re", "aw", "antw", "sv", "vs", "fw", "fwd", "wg", "tr", "rv",
		"res", "ref", "odp",
	};
	/* clang-format on */

	while (*s == ' ' || *s == '\t')
		s++;
	for (size_t i = 0; i < DP_ARRAY_LEN(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		const char *p = s + n;

		if (strncasecmp(s, prefixes[i], n) != 0)
			continue;
		if (*p == '[' || *p == '(') { /* "Re[2]:" */
			while (*p && *p != ']' && *p != ')')
				p++;
			if (*p)
				p++;
		}
		while (*p == ' ')
			p++;
		if (*p == ':')
			return true;
	}
	return false;
}

/* The subject triage reads (NULL when none, or an earlier message's), and
 * the body (the subject when the body is empty). */
static const char *message_body(const struct ticket_event *ev)
{
	return ev->body && ev->body[0] ? ev->body : ev->subject;
}

static const char *fresh_subject(const struct ticket_event *ev)
{
	return ev->subject && ev->subject[0] && message_body(ev) != ev->subject &&
			       !subject_is_earlier(ev->subject)
		       ? ev->subject
		       : NULL;
}

/* What the classifier reads: a fresh subject often says in three words
 * what the body takes three paragraphs to. Returns a new string. */
static char *classified_text(const struct ticket_event *ev)
{
	const char *subject = fresh_subject(ev), *body = message_body(ev);

	return subject ? xasprintf("%s\n%s", subject, body ? body : "")
		       : xstrdup(body ? body : "");
}

size_t triage_candidates(const struct triage_input *in, const char **out,
			 size_t k)
{
	char *text;
	size_t n;

	if (!in->model)
		return 0;
	text = classified_text(in->ev);
	n = classifier_top_intents(in->model, text, out, k);
	free(text);
	return n;
}

void triage_decide(const struct triage_input *in, struct decision *out)
{
	const struct ticket_event *ev = in->ev;
	const struct policy *p = in->policy;
	struct text_tokens *tk;
	char vip[REASON_EVIDENCE_MAX];
	bool premium;
	const char *body = message_body(ev), *subject = fresh_subject(ev);
	char *text;

	decision_init(out);
	if (ev->kind != EVENT_CUSTOMER_MESSAGE) {
		out->outcome = out->would_be = OUTCOME_NONE;
		return;
	}
	if (ev->auto_response) { /* a machine wrote it: answering starts a loop */
		out->outcome = out->would_be = OUTCOME_NONE;
		decision_add_reason(out, "auto_response", "flagged as an automatic reply");
		return;
	}
	premium = tier_is_premium(ev, in->vip, vip, sizeof(vip));
	if (premium)
		decision_add_reason(out, "vip", vip);
	tk = xmalloc(sizeof(*tk));
	if (subject) {
		text_tokenize(subject, tk);
		add_cues(subject, tk, out);
	}
	text_tokenize(body, tk);
	add_cues(body, tk, out);
	add_history(in, out);
	add_language(p, tk, out);
	free(tk);
	text = classified_text(ev);
	classify(in, text, out);
	free(text);

	if (premium)
		out->outcome = OUTCOME_HUMAN_VIP;
	else if (out->n_reasons > 0)
		out->outcome = OUTCOME_HUMAN;
	else if (p->mode == POLICY_AUTO &&
		 policy_list_has(p->auto_reply_intents, out->intent))
		out->outcome = OUTCOME_AI_REPLY;
	else
		out->outcome = OUTCOME_AI_DRAFT;
	out->would_be = out->outcome;
	if (p->mode == POLICY_SHADOW)
		out->outcome = OUTCOME_NONE;
}
