/*
 * llm.h - the OpenAI-compatible chat completions client behind the `llm`
 * drafter (Ollama, llama.cpp server, vLLM, LocalAI, OpenAI).
 *
 * The prompt: a system message with the policy and the knowledge-base
 * passages as the only allowed facts, and a user message holding the
 * customer's text - cleaned, redacted, and fenced as untrusted data. The
 * model must answer a JSON object {"reply": "...", "kb_ids": [...]}; the
 * answer is validated (llm_validate) before anyone sees it, and redacted
 * contact data is restored only in the validated reply.
 *
 * The same client gives the second opinion (llm_check): shown the
 * candidate intents, the model says which one the message is, if any, and
 * whether it needs a person; routing stays code, and the pipeline only
 * lets a draft out when the model agrees.
 *
 * Calls from all threads together are bounded by [llm] max_in_flight (a
 * process-wide counting semaphore); 429, 5xx and connection failures are
 * retried with exponential backoff, honouring Retry-After, all within
 * [llm] timeout_ms counted from the start of llm_draft.
 */
#ifndef DP_LLM_H
#define DP_LLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/decision.h"
#include "common/event.h"
#include "config/config.h"
#include "draft/redact.h"

/* Customer text beyond this many bytes is not sent. */
#define LLM_TEXT_MAX (8u * 1024)
/* Longest reply accepted from a model. */
#define LLM_REPLY_MAX (6u * 1024)
/* Passages given to the model. */
#define LLM_PASSAGES_MAX 3

/* One knowledge-base passage the model may use (strings borrowed). */
struct llm_passage {
	int64_t id;
	const char *title;
	const char *body;
};

struct llm_answer {
	char *reply;      /* new string: validated, contact data restored,
			   * KB placeholders ({{...}}) still unfilled */
	char kb_ids[64];  /* the cited passages, comma-separated */
	int64_t model_ms; /* time from the first try to the answer */
	int tokens_in;
	int tokens_out;
	char error[REASON_EVIDENCE_MAX]; /* why it failed */
};

struct llm;

/* Returns a new client for one thread; cfg is borrowed. */
struct llm *llm_new(const struct config *cfg);
/* llm_free(NULL) does nothing. */
void llm_free(struct llm *l);

void llm_answer_init(struct llm_answer *a);
void llm_answer_release(struct llm_answer *a);

/* Returns the request body as a new string: the model settings from cfg,
 * the system message with passages p[0..n), and text (already cleaned and
 * redacted) with its subject (may be NULL) as untrusted data; language is
 * the code the reply should be written in. NULL when a string is not
 * valid UTF-8. */
char *llm_request_body(const struct config *cfg, const struct llm_passage *p,
		       size_t n, const char *subject, const char *text,
		       const char *language);

/* Check a model's message content against the passages it was given and
 * the (redacted) customer text: a JSON object (code fences tolerated)
 * with a non-empty "reply" of at most LLM_REPLY_MAX bytes and "kb_ids"
 * citing at least one given passage and no other; no link, e-mail
 * address, number or promise word (refund, discount, free, guarantee,
 * deadline, ...) that neither a cited passage nor the customer's text
 * holds; no placeholder outside the redaction map (r may be NULL); no
 * piece of the system prompt. Returns 0 with *reply (new string) and
 * kb_ids set, or DP_EPARSE / DP_EINVAL with the reason in why. */
int llm_validate(const char *content, const struct llm_passage *p, size_t n,
		 const char *customer_text, const struct redaction *r,
		 char **reply, char kb_ids[64], char *why, size_t why_len);

/* Ask the model for a reply to ev (body already cleaned) grounded in
 * p[0..n) (n >= 1). Returns 0 with a->reply set, or DP_ETIMEOUT,
 * DP_EREMOTE (error status, retries used up), DP_EIO, DP_EPARSE
 * (malformed answer) or DP_EINVAL (answer failed validation), with
 * a->error saying which. Token counts and model_ms are set either way. */
int llm_draft(struct llm *l, const struct ticket_event *ev,
	      const struct llm_passage *p, size_t n, const char *language,
	      struct llm_answer *a);

/* ---- the second opinion --------------------------------------------- */

/* Candidate intents offered to the model. */
#define LLM_CANDIDATES_MAX 5

/* What the model says of a message it is shown with candidate intents. */
struct llm_verdict {
	char intent[INTENT_MAX];       /* one of the candidates, or "none" */
	bool needs_person;             /* the model sees a reason for a person */
	char why[REASON_EVIDENCE_MAX]; /* its short reason, as it gave it */
};

/* The request body for a second opinion: the candidates c[0..n) and the
 * customer's text (already cleaned and redacted) with its subject (may be
 * NULL) as untrusted data. NULL when a string is not valid UTF-8. */
char *llm_check_body(const struct config *cfg, const char *const *c, size_t n,
		     const char *subject, const char *text);

/* Read a model's verdict from its message content: one JSON object (code
 * fences tolerated) with "intent" one of c[0..n) or "none", "needs_person"
 * a boolean and "why" a string (cut to fit). 0, or DP_EPARSE with the
 * reason in why. */
int llm_parse_verdict(const char *content, const char *const *c, size_t n,
		      struct llm_verdict *v, char *why, size_t why_len);

/* Ask the model whether ev (body already cleaned) is one of the candidate
 * intents c[0..n) and whether it needs a person, within the same limits
 * and retries as llm_draft. Returns 0 with v set, or as llm_draft with
 * a->error saying why; a->model_ms and the token counts are set either
 * way. */
int llm_check(struct llm *l, const struct ticket_event *ev,
	      const char *const *c, size_t n, struct llm_verdict *v,
	      struct llm_answer *a);

#endif
