/*
 * acceptance.c - ROUGE-L recall of a draft against the agent's reply, and
 * auto-demotion of intents (see acceptance.h).
 *
 * Design: words are (offset, length) spans into a lower-cased copy of the
 * text, so no per-word allocation; the longest common subsequence uses two
 * rows of the classic dynamic programme, O(n*m) time and O(m) memory, with
 * both n and m capped at ACCEPTANCE_MAX_WORDS.
 */
#include "ops/acceptance.h"

#include "common/clean.h"
#include "common/log.h"
#include "store/decisions.h"
#include "store/demotions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decisions measured per pass; the next pass takes the rest. */
#define STEP_BATCH 64

struct words {
	char *text; /* lower-cased copy the spans point into */
	struct {
		size_t off, len;
	} * w;
	size_t n;
};

static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static void words_split(const char *s, struct words *out)
{
	size_t len = strlen(s), i = 0;

	out->text = xmalloc(len + 1);
	for (size_t k = 0; k <= len; k++) {
		unsigned char c = (unsigned char)s[k];

		out->text[k] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out->w = NULL;
	out->n = 0;
	while (i < len && out->n < ACCEPTANCE_MAX_WORDS) {
		size_t start;

		while (i < len && !is_word_byte((unsigned char)out->text[i]))
			i++;
		start = i;
		while (i < len && is_word_byte((unsigned char)out->text[i]))
			i++;
		if (i == start)
			break;
		if ((out->n & (out->n - 1)) == 0) /* grow at powers of two */
			out->w = xrealloc(out->w, (out->n ? out->n * 2 : 1) *
							  sizeof(*out->w));
		out->w[out->n].off = start;
		out->w[out->n].len = i - start;
		out->n++;
	}
}

static void words_release(struct words *ws)
{
	free(ws->text);
	free(ws->w);
}

static bool word_eq(const struct words *a, size_t i, const struct words *b,
		    size_t j)
{
	return a->w[i].len == b->w[j].len &&
	       memcmp(a->text + a->w[i].off, b->text + b->w[j].off,
		      a->w[i].len) == 0;
}

/* Length of the longest common subsequence of a's and b's words. */
static size_t lcs(const struct words *a, const struct words *b)
{
	size_t *prev = xcalloc(b->n + 1, sizeof(size_t));
	size_t *cur = xcalloc(b->n + 1, sizeof(size_t));
	size_t result;

	for (size_t i = 0; i < a->n; i++) {
		size_t *t;

		for (size_t j = 0; j < b->n; j++) {
			if (word_eq(a, i, b, j))
				cur[j + 1] = prev[j] + 1;
			else
				cur[j + 1] = prev[j + 1] > cur[j] ? prev[j + 1]
								  : cur[j];
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	result = prev[b->n];
	free(prev);
	free(cur);
	return result;
}

double acceptance_measure(const char *draft, const char *reply)
{
	struct words d, r;
	double v = 0;

	words_split(draft ? draft : "", &d);
	words_split(reply ? reply : "", &r);
	if (d.n > 0)
		v = (double)lcs(&d, &r) / (double)d.n;
	words_release(&d);
	words_release(&r);
	return v;
}

/* Demote intent if its last window of measured drafts falls short. */
static void check_intent(store *s, const struct config *cfg,
			 const char *intent, int64_t now_ms)
{
	struct demotion dm;
	double mean;
	int n;

	if (cfg->acceptance_min <= 0 || !*intent)
		return;
	if (store_demotion_get(s, intent, &dm) < 0 || dm.demoted)
		return;
	if (store_acceptance_window(s, intent, dm.restored_at,
				    cfg->acceptance_window, &mean, &n) < 0)
		return;
	if (n < cfg->acceptance_window || mean >= cfg->acceptance_min)
		return;
	if (store_demotion_set(s, intent, mean, n, now_ms) < 0) {
		log_error("msg=\"cannot record intent demotion\" intent=%s", intent);
		return;
	}
	log_warn("msg=\"intent taken off the auto-reply list\" intent=%s mean_acceptance=%.3f drafts=%d threshold=%.3f",
		 intent, mean, n, cfg->acceptance_min);
}

void acceptance_step(store *s, const struct config *cfg, int64_t now_ms)
{
	struct acceptance_item *items;
	int64_t since = now_ms - (int64_t)cfg->retention_days * 86400000;
	int n = store_acceptance_pending(s, since, STEP_BATCH, &items);

	if (n < 0) {
		log_error("msg=\"cannot read drafts awaiting acceptance\"");
		return;
	}
	for (int i = 0; i < n; i++) {
		char *draft = clean_text(items[i].draft);
		char *reply = clean_text(items[i].reply);
		double a = acceptance_measure(draft, reply);

		free(draft);
		free(reply);
		if (store_acceptance_set(s, items[i].decision_id, a) < 0) {
			log_error("msg=\"cannot store draft acceptance\" decision=%lld",
				  (long long)items[i].decision_id);
			continue;
		}
		log_info("msg=\"draft acceptance\" decision=%lld intent=%s acceptance=%.3f",
			 (long long)items[i].decision_id,
			 items[i].intent[0] ? items[i].intent : "-", a);
	}
	/* Each intent once, after all of its new figures are in. */
	for (int i = 0; i < n; i++) {
		bool seen = false;

		for (int j = 0; j < i && !seen; j++)
			seen = strcmp(items[j].intent, items[i].intent) == 0;
		if (!seen)
			check_intent(s, cfg, items[i].intent, now_ms);
	}
	acceptance_items_free(items, n);
}

bool acceptance_apply_demotion(store *s, struct decision *d)
{
	enum outcome *o = d->outcome == OUTCOME_NONE ? &d->would_be : &d->outcome;
	struct demotion dm;
	char evidence[REASON_EVIDENCE_MAX];

	if (*o != OUTCOME_AI_REPLY || !d->intent[0] ||
	    store_demotion_get(s, d->intent, &dm) < 0 || !dm.demoted)
		return false;
	*o = OUTCOME_AI_DRAFT;
	snprintf(evidence, sizeof(evidence),
		 "mean draft acceptance %.2f over the last %d drafts", dm.mean,
		 dm.drafts);
	decision_add_reason(d, "intent_demoted", evidence);
	return true;
}
