/*
 * bench_draft.c - `make bench-draft`: the drafting figures (not a test;
 * nothing here passes or fails).
 *
 *   1. prompt tokens per draft with clean_text vs a naive prompt holding
 *      the whole thread, over tests/data/clean/ threads with history;
 *   2. drafts per second through the llm drafter with the fake model at
 *      2 s latency, for 1, 8 and 32 calls in flight (one worker thread
 *      per slot, 4 drafts per worker);
 *   3. kb draft time per ticket over the sample knowledge base (median).
 *
 * Tokens are counted as the fake model counts them: runs of word
 * characters and single punctuation marks, a fair stand-in for BPE.
 */
#include "common/clean.h"
#include "config/config.h"
#include "draft/drafter.h"
#include "draft/llm.h"
#include "store/kb.h"

#include "integration/harness.h"

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KB_RUNS 2001
#define DRAFTS_PER_WORKER 4

static int tokens(const char *s)
{
	int n = 0;

	while (*s) {
		if (isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80 || *s == '_') {
			while (isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80 || *s == '_')
				s++;
			n++;
		} else if (!isspace((unsigned char)*s)) {
			s++;
			n++;
		} else {
			s++;
		}
	}
	return n;
}

/* Tokens of both messages of a request body. */
static int prompt_tokens(const char *body)
{
	json_t *req = json_loads(body, 0, NULL);
	json_t *msgs = json_object_get(req, "messages");
	int n = 0;

	for (size_t i = 0; i < json_array_size(msgs); i++)
		n += tokens(json_string_value(json_object_get(json_array_get(msgs, i),
							      "content")));
	json_decref(req);
	return n;
}

static void bench_tokens(const struct config *cfg, const struct llm_passage *p,
			 size_t np)
{
	/* clang-format off */
	static const char *const threads[] = {
		"gmail_en", "outlook_en", "outlook_de", "apple_fr", "thunderbird_es",
		"original_message_de", "bottom_post", "forward_gmail", "sv_signoff",
		"disclaimer_tracking", "outlook_chain",
	};
	/* clang-format on */
	long text_naive = 0, text_clean = 0, full_naive = 0, full_clean = 0;

	printf("1. prompt tokens, naive whole thread vs cleaned (customer text | whole prompt with %zu passages)\n",
	       np);
	for (size_t i = 0; i < DP_ARRAY_LEN(threads); i++) {
		char *rel = xasprintf("tests/data/clean/%s.txt", threads[i]);
		char *path = harness_srcdir_path(rel);
		char *raw = harness_slurp(path, NULL);
		char *clean = clean_text(raw);
		char *b_naive = llm_request_body(cfg, p, np, "Re: my order", raw, "en");
		char *b_clean = llm_request_body(cfg, p, np, "Re: my order", clean, "en");
		int tn = tokens(raw), tc = tokens(clean);
		int fn = prompt_tokens(b_naive), fc = prompt_tokens(b_clean);

		printf("   %-20s text %4d -> %4d (-%2.0f%%)   prompt %4d -> %4d (-%2.0f%%)\n",
		       threads[i], tn, tc, 100.0 * (tn - tc) / tn, fn, fc,
		       100.0 * (fn - fc) / fn);
		text_naive += tn;
		text_clean += tc;
		full_naive += fn;
		full_clean += fc;
		free(b_naive);
		free(b_clean);
		free(clean);
		free(raw);
		free(path);
		free(rel);
	}
	printf("   total                text %4ld -> %4ld (-%2.0f%%)   prompt %4ld -> %4ld (-%2.0f%%)\n\n",
	       text_naive, text_clean, 100.0 * (text_naive - text_clean) / text_naive,
	       full_naive, full_clean, 100.0 * (full_naive - full_clean) / full_naive);
}

static store *kb_open(void)
{
	struct dp_error err;
	store *s = store_open(":memory:", &err);
	DIR *d;
	struct dirent *de;
	char *dir = harness_srcdir_path("examples/kb");

	if (!s || !(d = opendir(dir))) {
		fprintf(stderr, "bench: cannot open store or %s\n", dir);
		exit(1);
	}
	/* A direct insert of each example file's header and body. */
	while ((de = readdir(d)) != NULL) {
		char *path, *text, *body, *line, *next;
		struct kb_entry e;
		int64_t id;

		if (!strstr(de->d_name, ".md"))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		text = harness_slurp(path, NULL);
		kb_entry_init(&e);
		body = strstr(text, "\n\n");
		*body = '\0';
		for (line = text; line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (!strncmp(line, "intent: ", 8))
				e.intent = line + 8;
			else if (!strncmp(line, "title: ", 7))
				e.title = line + 7;
			else if (!strncmp(line, "language: ", 10))
				e.language = line + 10;
		}
		e.body = body + 2;
		if (store_kb_add(s, &e, 1, &id, &err) < 0) {
			fprintf(stderr, "bench: %s: %s\n", path, err.msg);
			exit(1);
		}
		free(text);
		free(path);
	}
	closedir(d);
	free(dir);
	store_kb_optimize(s); /* as `deskpilot kb import` does */
	return s;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void bench_kb(const struct config *cfg)
{
	static const char *const asks[][2] = {
		{"track_order", "Hi, where is my parcel? I ordered last week and nothing arrived."},
		{"recover_password", "I forgot my password and cannot log in, please help."},
		{"get_invoice", "Could you send me a copy of the invoice for my last order?"},
		{"payment_methods", "Which payment methods do you accept? Can I pay by bank transfer?"},
		{"", "How do I change the delivery address of an order that has not shipped?"},
	};
	store *s = kb_open();
	struct drafter *d = drafter_new(cfg);
	long long *us = xmalloc(KB_RUNS * sizeof(*us));
	int ok = 0;

	for (int i = 0; i < KB_RUNS; i++) {
		struct ticket_event ev;
		struct decision dec;
		struct draft_result r;
		int64_t t0;

		ticket_event_init(&ev);
		ev.subject = xstrdup("Question");
		ev.body = xstrdup(asks[i % 5][1]);
		ev.customer_name = xstrdup("Maria Lopez");
		decision_init(&dec);
		snprintf(dec.intent, sizeof(dec.intent), "%s", asks[i % 5][0]);
		draft_result_init(&r);
		t0 = dp_mono_us();
		ok += drafter_run(d, s, &ev, &dec, true, &r) == 0;
		us[i] = dp_mono_us() - t0;
		draft_result_release(&r);
		ticket_event_release(&ev);
	}
	qsort(us, KB_RUNS, sizeof(*us), cmp_ll);
	printf("3. kb draft per ticket (%d drafts, %d answered, %d kb entries): median %lld us, p90 %lld us, max %lld us\n",
	       KB_RUNS, ok, store_kb_count(s), us[KB_RUNS / 2], us[KB_RUNS * 9 / 10],
	       us[KB_RUNS - 1]);
	free(us);
	drafter_free(d);
	store_close(s);
}

struct worker {
	const struct config *cfg;
	int done;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	store *s = kb_open();
	struct drafter *d = drafter_new(w->cfg);

	for (int i = 0; i < DRAFTS_PER_WORKER; i++) {
		struct ticket_event ev;
		struct decision dec;
		struct draft_result r;

		ticket_event_init(&ev);
		ev.body = xstrdup("Where is my parcel? It has not arrived yet.");
		decision_init(&dec);
		snprintf(dec.intent, sizeof(dec.intent), "track_order");
		draft_result_init(&r);
		if (drafter_run(d, s, &ev, &dec, false, &r) == 0 &&
		    strcmp(r.drafter, "llm") == 0)
			w->done++;
		draft_result_release(&r);
		ticket_event_release(&ev);
	}
	drafter_free(d);
	store_close(s);
	return NULL;
}

static void bench_llm(struct config *cfg, struct harness *h)
{
	static const int in_flight[] = {1, 8, 32};
	const char *const args[] = {"--latency", "2", NULL};
	int port;

	if (harness_start_python(h, "tests/fakes/fake_llm.py", args, &port) < 0) {
		fprintf(stderr, "bench: %s\n", harness_error());
		exit(1);
	}
	free(cfg->drafter_backend);
	cfg->drafter_backend = xstrdup("llm");
	free(cfg->llm_endpoint);
	cfg->llm_endpoint = xasprintf("http://127.0.0.1:%d/v1/chat/completions", port);
	cfg->llm_timeout_ms = 60000;
	printf("2. llm drafts with the fake model at 2 s latency\n");
	for (size_t k = 0; k < DP_ARRAY_LEN(in_flight); k++) {
		int n = in_flight[k], done = 0;
		pthread_t *t = xcalloc((size_t)n, sizeof(*t));
		struct worker *w = xcalloc((size_t)n, sizeof(*w));
		int64_t t0 = dp_mono_us();
		double secs;

		cfg->llm_max_in_flight = n;
		for (int i = 0; i < n; i++) {
			w[i].cfg = cfg;
			pthread_create(&t[i], NULL, worker_main, &w[i]);
		}
		for (int i = 0; i < n; i++) {
			pthread_join(t[i], NULL);
			done += w[i].done;
		}
		secs = (double)(dp_mono_us() - t0) / 1e6;
		printf("   in flight %2d: %3d drafts in %5.1f s = %5.2f drafts/s (ideal %5.2f)\n",
		       n, done, secs, done / secs, n / 2.0);
		free(t);
		free(w);
	}
	printf("\n");
}

int main(void)
{
	struct config cfg;
	struct harness *h;
	store *s;
	struct kb_hit hits[LLM_PASSAGES_MAX];
	struct llm_passage p[LLM_PASSAGES_MAX];
	size_t n;

	harness_init();
	config_init(&cfg);
	s = kb_open();
	store_kb_search(s, "where is my order parcel", "track_order", hits,
			LLM_PASSAGES_MAX, &n);
	for (size_t i = 0; i < n; i++)
		p[i] = (struct llm_passage){hits[i].e.id, hits[i].e.title, hits[i].e.body};
	bench_tokens(&cfg, p, n);
	for (size_t i = 0; i < n; i++)
		kb_entry_release(&hits[i].e);
	store_close(s);

	h = harness_new(&(struct harness_opts){.no_nginx = true});
	bench_llm(&cfg, h);
	harness_free(h);

	free(cfg.drafter_backend);
	cfg.drafter_backend = xstrdup("kb");
	bench_kb(&cfg);
	config_release(&cfg);
	return 0;
}
