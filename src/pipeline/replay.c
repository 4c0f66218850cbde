/*
 * replay.c - decide a stored event again and compare (see replay.h).
 *
 * Design: the event is decided by decide_event, the workers' own path, so
 * a replay shows what a worker would do now. The comparison works on
 * struct decision values (the stored one is loaded back from its row), so
 * "what changed" is computed from the same fields triage fills, and both
 * sides print through decision_to_json.
 */
#include "pipeline/replay.h"

#include "pipeline/decide.h"
#include "store/decisions.h"
#include "store/events.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void add_change(json_t *changes, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_change(json_t *changes, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	json_array_append_new(changes, json_string(s));
	free(s);
}

/* Reasons of a missing from b, each as "<sign>reason code: evidence". */
static void reason_changes(const struct decision *a, const struct decision *b,
			   char sign, json_t *changes)
{
	for (size_t i = 0; i < a->n_reasons; i++) {
		const struct reason *r = &a->reasons[i];

		if (decision_has_reason(b, r->code))
			continue;
		if (r->evidence[0])
			add_change(changes, "%creason %s: \"%s\"", sign, r->code,
				   r->evidence);
		else
			add_change(changes, "%creason %s", sign, r->code);
	}
}

static json_t *compare(const struct decision *old, const struct decision *now)
{
	json_t *changes = json_array();

	if (old->outcome != now->outcome)
		add_change(changes, "outcome %s -> %s", outcome_name(old->outcome),
			   outcome_name(now->outcome));
	if (now->outcome == OUTCOME_NONE && old->would_be != now->would_be)
		add_change(changes, "would_be %s -> %s",
			   outcome_name(old->would_be), outcome_name(now->would_be));
	if (strcmp(old->intent, now->intent) != 0)
		add_change(changes, "intent %s -> %s",
			   old->intent[0] ? old->intent : "none",
			   now->intent[0] ? now->intent : "none");
	else if (fabs(old->confidence - now->confidence) >= 0.0005)
		add_change(changes, "confidence %.3f -> %.3f", old->confidence,
			   now->confidence);
	reason_changes(now, old, '+', changes);
	reason_changes(old, now, '-', changes);
	return changes;
}

json_t *replay_event(store *s, const struct config *cfg, int64_t event_id,
		     struct dp_error *err)
{
	struct ticket_event ev;
	struct decision old, now;
	struct decide_model model;
	int64_t decision_id;
	json_t *out = NULL;
	bool purged;
	int rc;

	ticket_event_init(&ev);
	rc = store_event_get(s, event_id, &ev);
	if (rc < 0) {
		dp_fail(err, rc, rc == DP_ENOTFOUND ? "no event %lld" : "cannot read event %lld",
			(long long)event_id);
		goto out;
	}
	if (ev.kind != EVENT_CUSTOMER_MESSAGE) {
		dp_fail(err, DP_EINVAL,
			"event %lld is a %s: only customer messages are decided",
			(long long)event_id, event_kind_name(ev.kind));
		goto out;
	}
	purged = !ev.body && !ev.subject;
	rc = store_decision_of_event(s, event_id, &old, &decision_id);
	if (rc < 0 && rc != DP_ENOTFOUND) {
		dp_fail(err, rc, "cannot read the decision of event %lld",
			(long long)event_id);
		goto out;
	}
	/* What a worker would decide now, up to the drafter. */
	decide_model_init(&model);
	decide_event(&(struct decide_env){s, cfg, &model, NULL}, event_id, &ev,
		     &now);
	decide_model_release(&model);
	out = json_pack("{s:{s:I, s:s, s:I, s:s, s:b}, s:o, s:o, s:o}", "event",
			"id", (json_int_t)event_id, "source", ev.source, "ticket_id",
			(json_int_t)ev.ticket_id, "kind", event_kind_name(ev.kind),
			"text_purged", purged, "stored",
			rc == 0 ? decision_to_json(&old) : json_null(), "replayed",
			decision_to_json(&now), "changed",
			rc == 0 ? compare(&old, &now) : json_array());
out:
	ticket_event_release(&ev);
	return out;
}

static void print_decision(FILE *out, const char *label, const json_t *d)
{
	const json_t *reasons = json_object_get(d, "reasons");
	const char *intent = json_string_value(json_object_get(d, "intent"));
	size_t i;
	json_t *r;

	if (json_is_null(d)) {
		fprintf(out, "%-9s never decided\n", label);
		return;
	}
	fprintf(out, "%-9s %s", label,
		json_string_value(json_object_get(d, "outcome")));
	if (json_is_string(json_object_get(d, "would_be")))
		fprintf(out, " (would be %s)",
			json_string_value(json_object_get(d, "would_be")));
	if (intent)
		fprintf(out, ", intent %s (%.2f)", intent,
			json_number_value(json_object_get(d, "confidence")));
	fputc('\n', out);
	json_array_foreach(reasons, i, r) {
		const char *ev = json_string_value(json_object_get(r, "evidence"));

		fprintf(out, "          %s", json_string_value(json_object_get(r, "code")));
		if (ev && *ev)
			fprintf(out, ": \"%s\"", ev);
		fputc('\n', out);
	}
}

void replay_print(const json_t *r, FILE *out)
{
	const json_t *ev = json_object_get(r, "event");
	const json_t *changes = json_object_get(r, "changed");
	size_t i;
	json_t *c;

	fprintf(out, "event %lld: %s ticket %lld\n",
		(long long)json_integer_value(json_object_get(ev, "id")),
		json_string_value(json_object_get(ev, "source")),
		(long long)json_integer_value(json_object_get(ev, "ticket_id")));
	if (json_is_true(json_object_get(ev, "text_purged")))
		fprintf(out, "note: the message text was purged (retention_days); the replay decides on no text\n");
	print_decision(out, "stored", json_object_get(r, "stored"));
	print_decision(out, "now", json_object_get(r, "replayed"));
	if (json_is_null(json_object_get(r, "stored")))
		return;
	if (json_array_size(changes) == 0) {
		fprintf(out, "no change\n");
		return;
	}
	fprintf(out, "changes:\n");
	json_array_foreach(changes, i, c)
		fprintf(out, "  %s\n", json_string_value(c));
}
