/*
 * eval.h - measuring triage on labelled tickets: the numbers behind
 * `deskpilot eval`.
 *
 * A ticket file is CSV (common/csv.h) with a header. Columns, by name:
 *   text (or instruction)  the customer's message; required
 *   subject                the message's subject line, if any
 *   content_type           text/html for an HTML body (converted to text
 *                          before cleaning); anything else is plain text
 *   language               the language the message is written in
 *                          (en, de, ...), if known
 *   intent                 the true intent, if known
 *   tags                   Bitext linguistic tags; "W" marks offensive text
 *   label                  what the ticket needs: explicit_request,
 *                          complaint, anger, money_sensitive, sensitive
 *                          (fraud, a lost card, a refund demand...),
 *                          routine, out_of_scope or premium (overrides
 *                          the mapping)
 *   email, organization    the customer, for VIP rules
 *   vip                    true/false: the helpdesk's VIP flag
 * Without a label column the label follows the Bitext mapping: intent in
 * policy.explicit_request_intents -> explicit_request, in
 * policy.complaint_intents -> complaint, tag W -> anger, intent in
 * policy.money_sensitive_intents -> money_sensitive, any other -> routine.
 *
 * Expected outcomes: premium -> human_vip; routine -> an AI outcome
 * (ai_draft or ai_reply), unless the row's language is not among
 * policy.languages (then a person); every other label -> human. In shadow
 * mode the would-be outcome is scored.
 */
#ifndef DP_EVAL_H
#define DP_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "triage/triage.h"

#define EVAL_MAX_ROWS 200000

enum eval_label {
	EVAL_EXPLICIT,
	EVAL_COMPLAINT,
	EVAL_ANGER,
	EVAL_MONEY,
	EVAL_SENSITIVE,
	EVAL_ROUTINE,
	EVAL_OUT_OF_SCOPE,
	EVAL_PREMIUM,
	EVAL_LABELS
};

/* Outcome classes scored: a human for a VIP, a human, the AI. */
enum eval_class { EVAL_CLASS_VIP,
		  EVAL_CLASS_HUMAN,
		  EVAL_CLASS_AI,
		  EVAL_CLASSES };

struct eval_row {
	char *text;     /* as in the file */
	char *subject;  /* or NULL */
	bool html;      /* content_type text/html */
	char *language; /* or NULL */
	char *intent;   /* true intent or NULL */
	enum eval_label label;
	bool labelled; /* label known (label column, or intent) */
	char *email;
	char *organization;
	bool vip;
	long line; /* where the record starts in the file */
};

struct eval_set {
	struct eval_row *rows;
	size_t n;
	bool has_intent; /* the file has an intent column */
};

const char *eval_label_name(enum eval_label l);

/* Load a ticket file ("-" reads stdin). p gives the lists for the label
 * mapping. Errors name the file, line and column. On error out is empty. */
int eval_set_load(const char *path, const struct policy *p,
		  struct eval_set *out, struct dp_error *err);
/* The same from an open stream (borrowed); name is used in messages. */
int eval_set_read(FILE *f, const char *name, const struct policy *p,
		  struct eval_set *out, struct dp_error *err);
void eval_set_release(struct eval_set *s);

/* Replace every row's text and subject by what fn makes of them: a new
 * string from the text and whether it is HTML (the subject never is). */
void eval_set_map_text(struct eval_set *s,
		       char *(*fn)(const char *text, bool html));

/* Fill ev (initialised by the caller) as a customer message of row r;
 * strings are borrowed from r: do not release ev, just drop it. */
void eval_row_event(const struct eval_row *r, struct ticket_event *ev);

/* The training rows of set: rows with an intent, as class of that name;
 * the label says the class's kind (out_of_scope: background, sensitive:
 * a sensitive topic, anything else: an intent), and out_of_scope rows
 * without an intent train the background class "other". For fold f of k
 * (k >= 2) only rows whose index % k != f. The n_extra rows of `extra`
 * (may be NULL) follow. Returns a new array (free it) of borrowed
 * strings, its length in *n. */
struct classifier_example *eval_training_rows(const struct eval_set *set,
					      int k, int f,
					      const struct classifier_example *extra,
					      size_t n_extra, size_t *n);

struct eval_report {
	size_t n;
	int folds; /* 0: the given model was used */
	size_t label_n[EVAL_LABELS];
	/* rows by label and decided outcome (the would-be one in shadow) */
	size_t matrix[EVAL_LABELS][OUTCOME_AI_REPLY + 1];
	size_t class_tp[EVAL_CLASSES], class_fp[EVAL_CLASSES],
		class_fn[EVAL_CLASSES];
	size_t intent_n, intent_ok; /* routine rows with a true intent */
	/* the same rows by the confidence of the decided intent, in tenths */
	size_t conf_n[10], conf_ok[10];
	double latency_median_us, latency_p99_us;
	/* derived */
	double human_recall;       /* explicit + complaint + anger -> human */
	double routine_automation; /* routine -> AI */
	double intent_accuracy;    /* routine rows */
	double out_of_scope_kept;  /* out_of_scope -> human */
	double premium_vip;        /* premium -> human_vip */
	double money_kept;         /* money_sensitive -> human */
	double sensitive_kept;     /* sensitive -> human */
};

/* Decide every labelled row and score it. With folds >= 2, k-fold
 * cross-validation: a model is trained on the other folds' training rows
 * plus the n_extra rows of `extra` and tests each fold (model is ignored).
 * Otherwise model (may be NULL: no model) decides every row. Rates with
 * no rows are -1. */
int eval_run(const struct eval_set *set, const struct policy *p,
	     const struct vip_rules *vip, const struct classifier *model,
	     int folds, const struct classifier_example *extra, size_t n_extra,
	     struct eval_report *out, struct dp_error *err);

/* Print a report for people: per-class precision and recall, the matrix,
 * the headline rates and latency. */
void eval_print(const struct eval_report *r, FILE *out);

#endif
