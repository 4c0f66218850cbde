/*
 * decision.c - outcome names and reasons of a struct decision.
 */
#include "common/decision.h"

#include "common/dp.h"
#include "common/utf8.h"

#include <math.h>
#include <string.h>

static const char *const names[] = {
	[OUTCOME_NONE] = "none",
	[OUTCOME_HUMAN_VIP] = "human_vip",
	[OUTCOME_HUMAN] = "human",
	[OUTCOME_AI_DRAFT] = "ai_draft",
	[OUTCOME_AI_REPLY] = "ai_reply",
};

void decision_init(struct decision *d)
{
	memset(d, 0, sizeof(*d));
	d->outcome = OUTCOME_HUMAN;
	d->would_be = OUTCOME_HUMAN;
}

const char *outcome_name(enum outcome o)
{
	return (size_t)o < DP_ARRAY_LEN(names) ? names[o] : "unknown";
}

int outcome_parse(const char *s, enum outcome *out)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum outcome)i;
			return 0;
		}
	}
	return DP_EINVAL;
}

bool outcome_is_human(enum outcome o)
{
	return o == OUTCOME_HUMAN || o == OUTCOME_HUMAN_VIP;
}

/* Copy at most cap-1 bytes of src, cut on a character boundary. */
static void copy_utf8(char *dst, size_t cap, const char *src)
{
	size_t n = utf8_cut(src, strlen(src), cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void decision_add_reason(struct decision *d, const char *code,
			 const char *evidence)
{
	struct reason *r;

	if (d->n_reasons >= DECISION_MAX_REASONS)
		return;
	r = &d->reasons[d->n_reasons++];
	copy_utf8(r->code, sizeof(r->code), code);
	copy_utf8(r->evidence, sizeof(r->evidence), evidence ? evidence : "");
}

bool decision_has_reason(const struct decision *d, const char *code)
{
	for (size_t i = 0; i < d->n_reasons; i++)
		if (strcmp(d->reasons[i].code, code) == 0)
			return true;
	return false;
}

json_t *decision_to_json(const struct decision *d)
{
	json_t *o = json_object();
	json_t *reasons = json_array();

	json_object_set_new(o, "outcome", json_string(outcome_name(d->outcome)));
	if (d->outcome == OUTCOME_NONE && d->would_be != OUTCOME_NONE)
		json_object_set_new(o, "would_be",
				    json_string(outcome_name(d->would_be)));
	json_object_set_new(o, "intent",
			    d->intent[0] ? json_string(d->intent) : json_null());
	/* Three decimals: stable output for scripts and diffs. */
	json_object_set_new(o, "confidence",
			    json_real(round(d->confidence * 1000.0) / 1000.0));
	for (size_t i = 0; i < d->n_reasons; i++)
		json_array_append_new(
			reasons, json_pack("{s:s, s:s}", "code",
					   d->reasons[i].code, "evidence",
					   d->reasons[i].evidence));
	json_object_set_new(o, "reasons", reasons);
	return o;
}
