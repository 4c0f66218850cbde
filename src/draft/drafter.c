/*
 * drafter.c - the drafter interface over the kb and llm backends (see
 * drafter.h).
 *
 * Design: both backends start from the same knowledge-base candidates.
 * Each candidate gets a confidence in [0, 1] from its BM25 score, s =
 * -bm25, squashed as s / (s + KB_SCORE_HALF), and from its intent: an
 * entry written for the decided intent scores 0.5 + 0.5 * that, an entry
 * for another intent half of it, a general entry (no intent) the plain
 * value; an entry in another language than the ticket's counts half. The
 * kb backend answers with the best candidate when it reaches
 * [drafter] kb_min_score; the llm backend gives the model the top
 * candidates as its only facts and falls back to the kb answer when the
 * model fails or its answer does not validate.
 */
#include "draft/drafter.h"

#include "common/log.h"
#include "draft/llm.h"
#include "draft/reply.h"
#include "store/kb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BM25 score (negated) at which a text match alone gives confidence 0.5. */
#define KB_SCORE_HALF 4.0
/* Candidates fetched per draft. */
#define KB_CANDIDATES 8
/* Query text: the subject plus the start of the body. */
#define QUERY_MAX 2048

struct drafter {
	const struct config *cfg;
	struct llm *llm; /* NULL for the kb backend */
};

struct candidate {
	struct kb_hit hit;
	double confidence;
};

struct drafter *drafter_new(const struct config *cfg)
{
	struct drafter *d = xcalloc(1, sizeof(*d));

	d->cfg = cfg;
	if (strcmp(cfg->drafter_backend, "llm") == 0)
		d->llm = llm_new(cfg);
	return d;
}

void drafter_free(struct drafter *d)
{
	if (!d)
		return;
	llm_free(d->llm);
	free(d);
}

void draft_result_init(struct draft_result *r)
{
	memset(r, 0, sizeof(*r));
}

void draft_result_release(struct draft_result *r)
{
	free(r->text);
	draft_result_init(r);
}

static int fail(struct draft_result *r, int rc, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct draft_result *r, int rc, const char *code,
		const char *fmt, ...)
{
	va_list ap;

	free(r->text);
	r->text = NULL;
	snprintf(r->failure, sizeof(r->failure), "%s", code);
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	return rc;
}

static double confidence(const struct kb_hit *h, const char *intent,
			 const char *language)
{
	double s = h->bm25 < 0 ? -h->bm25 : 0;
	double text = s / (s + KB_SCORE_HALF);
	double c = text;

	if (intent && *intent && h->e.intent) {
		if (strcmp(h->e.intent, intent) == 0)
			c = 0.5 + 0.5 * text;
		else
			c = 0.5 * text;
	}
	if (h->e.language && strcmp(h->e.language, language) != 0)
		c *= 0.5;
	return c;
}

static int by_confidence(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->confidence != y->confidence)
		return x->confidence < y->confidence ? 1 : -1;
	return x->hit.e.id < y->hit.e.id ? -1 : x->hit.e.id > y->hit.e.id;
}

/* Fetch and rank the candidates for ev; *n of them in c, best first. */
static int candidates(store *st, const struct ticket_event *ev,
		      const struct decision *dec, const char *language,
		      struct candidate *c, size_t *n)
{
	struct kb_hit hits[KB_CANDIDATES];
	char *query = xasprintf("%.200s\n%.*s", ev->subject ? ev->subject : ev->title ? ev->title
										      : "",
				QUERY_MAX, ev->body ? ev->body : "");
	int rc = store_kb_search(st, query, dec->intent, hits, KB_CANDIDATES, n);

	free(query);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < *n; i++) {
		c[i].hit = hits[i];
		c[i].confidence = confidence(&hits[i], dec->intent, language);
	}
	qsort(c, *n, sizeof(*c), by_confidence);
	return 0;
}

/* Fill placeholders and, for a customer, append how to reach a person.
 * Returns 0 with r->text set, or fails r. */
static int finish(struct drafter *d, const struct ticket_event *ev,
		  const char *text, const char *language, bool customer_facing,
		  int64_t kb_id, struct draft_result *r)
{
	char missing[PLACEHOLDER_NAME_MAX] = "";
	char *filled;
	int rc = reply_fill(text, ev, customer_facing, DRAFT_MAX, &filled, missing);

	if (rc == DP_ETOOBIG)
		return fail(r, rc, DRAFT_MODEL_FAILED, "draft longer than %u bytes",
			    DRAFT_MAX);
	if (rc < 0)
		return fail(r, rc, DRAFT_UNFILLED,
			    "kb entry %lld needs {{%s}}, which this ticket does not give",
			    (long long)kb_id, missing);
	if (customer_facing) {
		const char *footer = *d->cfg->human_footer
					     ? d->cfg->human_footer
					     : reply_default_footer(language);
		char *with = xasprintf("%s\n\n%s", filled, footer);

		free(filled);
		filled = with;
	}
	r->text = filled;
	return 0;
}

static int kb_draft(struct drafter *d, const struct ticket_event *ev,
		    const struct decision *dec, const struct candidate *c,
		    size_t n, const char *language, bool customer_facing,
		    struct draft_result *r)
{
	if (n == 0)
		return fail(r, DP_ENOTFOUND, DRAFT_NO_KB_ANSWER,
			    "no kb entry matches intent '%s' or the ticket's words",
			    dec->intent);
	if (c[0].confidence < d->cfg->kb_min_score)
		return fail(r, DP_ENOTFOUND, DRAFT_NO_KB_ANSWER,
			    "best kb entry %lld '%.60s' scores %.2f, below %.2f",
			    (long long)c[0].hit.e.id, c[0].hit.e.title,
			    c[0].confidence, d->cfg->kb_min_score);
	r->drafter = "kb";
	snprintf(r->kb_ids, sizeof(r->kb_ids), "%lld", (long long)c[0].hit.e.id);
	return finish(d, ev, c[0].hit.e.body, language, customer_facing,
		      c[0].hit.e.id, r);
}

static int llm_draft_step(struct drafter *d, const struct ticket_event *ev,
			  const struct decision *dec, const struct candidate *c,
			  size_t n, const char *language, bool customer_facing,
			  struct draft_result *r)
{
	struct llm_passage p[LLM_PASSAGES_MAX];
	struct llm_answer a;
	size_t np = n < LLM_PASSAGES_MAX ? n : LLM_PASSAGES_MAX;
	int rc;

	if (n == 0)
		return kb_draft(d, ev, dec, c, n, language, customer_facing, r);
	for (size_t i = 0; i < np; i++)
		p[i] = (struct llm_passage){c[i].hit.e.id, c[i].hit.e.title,
					    c[i].hit.e.body};
	llm_answer_init(&a);
	rc = llm_draft(d->llm, ev, p, np, language, &a);
	r->model_ms = a.model_ms;
	r->tokens_in = a.tokens_in;
	r->tokens_out = a.tokens_out;
	if (rc == 0) {
		r->drafter = "llm";
		snprintf(r->kb_ids, sizeof(r->kb_ids), "%s", a.kb_ids);
		rc = finish(d, ev, a.reply, language, customer_facing, c[0].hit.e.id, r);
	} else if (c[0].confidence >= d->cfg->kb_min_score) {
		rc = kb_draft(d, ev, dec, c, n, language, customer_facing, r);
	} else {
		rc = fail(r, rc, DRAFT_MODEL_FAILED, "%s", a.error);
	}
	llm_answer_release(&a);
	return rc;
}

int drafter_run(struct drafter *d, store *st, const struct ticket_event *ev,
		const struct decision *dec, bool customer_facing,
		struct draft_result *r)
{
	struct candidate c[KB_CANDIDATES];
	size_t n = 0;
	const char *language = reply_language(ev->body);
	int rc;

	free(r->text);
	draft_result_init(r);
	r->drafter = d->llm ? "llm" : "kb";
	rc = candidates(st, ev, dec, language, c, &n);
	if (rc < 0)
		return fail(r, rc, DRAFT_NO_KB_ANSWER, "knowledge base search failed");
	if (d->llm)
		rc = llm_draft_step(d, ev, dec, c, n, language, customer_facing, r);
	else
		rc = kb_draft(d, ev, dec, c, n, language, customer_facing, r);
	for (size_t i = 0; i < n; i++)
		kb_entry_release(&c[i].hit.e);
	return rc;
}

int drafter_check(struct drafter *d, const struct ticket_event *ev,
		  const struct decision *dec, const char *const *c, size_t n,
		  struct draft_result *r)
{
	struct llm_verdict v;
	struct llm_answer a;
	int rc;

	if (!d->llm)
		return 0;
	llm_answer_init(&a);
	rc = llm_check(d->llm, ev, c, n, &v, &a);
	r->model_ms += a.model_ms;
	r->tokens_in += a.tokens_in;
	r->tokens_out += a.tokens_out;
	if (rc < 0)
		rc = fail(r, rc, DRAFT_MODEL_FAILED, "second opinion: %s", a.error);
	else if (strcmp(v.intent, dec->intent) != 0 || v.needs_person)
		rc = fail(r, DP_EINVAL, DRAFT_MODEL_DISAGREES,
			  "model reads intent %s%s: %s", v.intent,
			  v.needs_person ? " and wants a person" : "", v.why);
	llm_answer_release(&a);
	return rc;
}
