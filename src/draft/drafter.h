/*
 * drafter.h - one interface, two backends, for the reply text deskpilot
 * proposes to a customer.
 *
 * `kb` (default) searches the knowledge base (SQLite FTS5, BM25) for the
 * entry that answers the decided intent and fills its placeholders from
 * the ticket. `llm` asks an OpenAI-compatible chat completions endpoint to
 * word a reply grounded only in the top knowledge-base passages, with the
 * customer's text redacted and delimited as untrusted data; its answer is
 * validated, and an invalid or failed answer falls back to a confident kb
 * draft, else fails with "model_failed". With `llm`, the model is also
 * asked for a second opinion on the intent before anything is drafted
 * (drafter_check). The drafter never changes the routing decision: the
 * pipeline turns a failure or a disagreement into a human outcome.
 *
 * Threads: one drafter per worker thread (it owns that thread's HTTP
 * client); different drafters may run at the same time. Calls to the model
 * from all drafters together are bounded by [llm] max_in_flight.
 */
#ifndef DP_DRAFTER_H
#define DP_DRAFTER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/decision.h"
#include "common/event.h"
#include "config/config.h"
#include "store/store.h"

/* Failure codes (struct draft_result.failure), also decision reasons. */
#define DRAFT_NO_KB_ANSWER "no_kb_answer"
#define DRAFT_UNFILLED "unfilled_placeholder"
#define DRAFT_MODEL_FAILED "model_failed"
#define DRAFT_MODEL_DISAGREES "model_disagrees"

/* Longest draft deskpilot produces, in bytes. */
#define DRAFT_MAX (16u * 1024)

struct draft_result {
	char *text;                       /* new string: the draft, customer-ready; NULL on failure */
	const char *drafter;              /* "kb" or "llm" (static) */
	char failure[REASON_CODE_MAX];    /* on failure: one of DRAFT_* above */
	char detail[REASON_EVIDENCE_MAX]; /* human-readable detail */
	char kb_ids[64];                  /* comma-separated ids of the kb entries used */
	int64_t model_ms;                 /* time spent waiting for the model, 0 for kb */
	int tokens_in;                    /* prompt tokens the model reported */
	int tokens_out;                   /* completion tokens the model reported */
};

struct drafter;

/* Returns a new drafter for one thread (free with drafter_free). cfg is
 * borrowed and must outlive it. */
struct drafter *drafter_new(const struct config *cfg);
/* drafter_free(NULL) does nothing. */
void drafter_free(struct drafter *d);

/* An empty result; release it after drafter_run whatever that returned. */
void draft_result_init(struct draft_result *r);
void draft_result_release(struct draft_result *r);

/* Draft a reply to ev (body already cleaned) for decision dec (dec->intent
 * set; "" searches on the text alone). st is the calling thread's store.
 * customer_facing: the text may reach the customer (ai_reply); then an
 * unfillable placeholder is a failure, and the text ends with how to reach
 * a person (cfg->human_footer, else a default in the ticket's language).
 * An internal draft marks an unfillable placeholder "[agent: fill in X]".
 * Returns 0 with r->text set, or a negative dp_err with r->failure and
 * r->detail set. */
int drafter_run(struct drafter *d, store *st, const struct ticket_event *ev,
		const struct decision *dec, bool customer_facing,
		struct draft_result *r);

/* The second opinion, with the llm backend (the kb backend has none and
 * agrees): show the model the message and the candidate intents c[0..n)
 * (best first; dec->intent is the decided one) and let a draft out only
 * if the model names dec->intent and sees no reason for a person.
 * Returns 0 when it agrees; DP_EINVAL with r->failure DRAFT_MODEL_DISAGREES
 * and the model's reason in r->detail when it does not; another negative
 * dp_err with r->failure DRAFT_MODEL_FAILED when it could not be asked.
 * The model's time and tokens are added to r either way. */
int drafter_check(struct drafter *d, const struct ticket_event *ev,
		  const struct decision *dec, const char *const *c, size_t n,
		  struct draft_result *r);

#endif
