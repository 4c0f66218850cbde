/*
 * decision.h - struct decision: what triage decided for one customer
 * message, and why.
 *
 * A decision is a plain value (no heap members) so it can be copied, stored
 * and compared freely. Reasons carry a stable machine code (documented in
 * the README) and the evidence that fired it, e.g. the matched phrase.
 */
#ifndef DP_DECISION_H
#define DP_DECISION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum outcome {
	OUTCOME_NONE,      /* shadow mode or nothing to decide */
	OUTCOME_HUMAN_VIP, /* premium customer: a human, tagged and prioritised */
	OUTCOME_HUMAN,     /* a human, with the reason written down */
	OUTCOME_AI_DRAFT,  /* internal note holding a draft for an agent */
	OUTCOME_AI_REPLY,  /* public AI reply (mode auto, listed intent) */
};

#define DECISION_MAX_REASONS 8
#define REASON_CODE_MAX 32
#define REASON_EVIDENCE_MAX 160
#define INTENT_MAX 128

struct reason {
	char code[REASON_CODE_MAX];
	char evidence[REASON_EVIDENCE_MAX];
};

struct decision {
	enum outcome outcome;
	enum outcome would_be;   /* in shadow mode: what would have happened */
	char intent[INTENT_MAX]; /* "" when none */
	double confidence;       /* classifier confidence for intent, 0..1 */
	size_t n_reasons;
	struct reason reasons[DECISION_MAX_REASONS];
};

void decision_init(struct decision *d);

const char *outcome_name(enum outcome o);
/* 0 or DP_EINVAL. */
int outcome_parse(const char *s, enum outcome *out);

/* True for outcomes that put a human in charge. */
bool outcome_is_human(enum outcome o);

/* Append a reason; code and evidence are truncated to fit (evidence on a
 * UTF-8 boundary). Past DECISION_MAX_REASONS further reasons are dropped.
 * evidence may be NULL. */
void decision_add_reason(struct decision *d, const char *code,
			 const char *evidence);
/* Whether a reason with this code is present. */
bool decision_has_reason(const struct decision *d, const char *code);

/* Returns a new JSON object
 * {"outcome","intent","confidence","reasons":[{"code","evidence"}]}
 * (plus "would_be" in shadow mode); caller decrefs. */
json_t *decision_to_json(const struct decision *d);

#endif
