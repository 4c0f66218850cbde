/*
 * ingest_cpu.c - the benchmark's in-process measure: what one webhook costs
 * deskpilot's front with no nginx, no client and no other thread, so the
 * wrk figures can be read against it.
 *
 *   ingest_cpu BODY_FILE DIR [N]
 *
 * Sends N (default 2000) signed Zammad webhooks, each a new article of the
 * payload in BODY_FILE, through front_handle into a fresh database in DIR,
 * then prints the CPU time per webhook of the whole path and of its parts
 * measured alone: the JSON parse (json_doc, and jansson's tree beside it
 * for comparison), the connector (signature, parse, HTML to text) and the
 * store (one committed insert). Only the front's own work is timed: the
 * payloads and their signatures (the client's work) are made beforehand,
 * and the WAL is checkpointed every CHECKPOINT_EVERY webhooks outside the
 * timing, as the service's checkpointer thread does, so the inserts write
 * into a WAL of the size the service keeps; that thread's CPU is printed
 * on its own.
 */
#include "common/event.h"
#include "common/hmac.h"
#include "common/json_doc.h"
#include "common/log.h"
#include "connectors/zammad.h"
#include "front/front.h"
#include "store/events.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECRET "bench-secret"
#define ARTICLE_KEY "\"id\":104,\"in_reply_to\""
#define CHECKPOINT_EVERY 100

struct body {
	const char *data;
	size_t len, pos;
};

static int body_read(void *ctx, char *p, int n)
{
	struct body *b = ctx;
	size_t take = b->len - b->pos < (size_t)n ? b->len - b->pos : (size_t)n;

	memcpy(p, b->data + b->pos, take);
	b->pos += take;
	return (int)take;
}

/* The whole file as a NUL-terminated string, or NULL. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = xmalloc((size_t)1 << 20);

	*len = f ? fread(s, 1, ((size_t)1 << 20) - 1, f) : 0;
	if (f)
		fclose(f);
	if (!*len) {
		free(s);
		return NULL;
	}
	s[*len] = '\0';
	return s;
}

static double cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The payload with article id `id` in place of the fixture's. */
static char *payload(const char *tmpl, long id, size_t *len)
{
	const char *at = strstr(tmpl, ARTICLE_KEY);
	char *s;

	if (!at) {
		fprintf(stderr, "ingest_cpu: payload has no %s\n", ARTICLE_KEY);
		exit(1);
	}
	s = xasprintf("%.*s\"id\":%ld,\"in_reply_to\"%s", (int)(at - tmpl), tmpl,
		      id, at + strlen(ARTICLE_KEY));
	*len = strlen(s);
	return s;
}

/* One signed webhook, ready to send. */
struct hook {
	char *data;
	size_t len;
	char sig[HMAC_HEX_MAX];
};

static struct hook *make_hooks(const char *tmpl, long first_id, long n)
{
	struct hook *h = xcalloc((size_t)n, sizeof(*h));

	for (long i = 0; i < n; i++) {
		h[i].data = payload(tmpl, first_id + i, &h[i].len);
		hmac_hex(HMAC_SHA1, SECRET, h[i].data, h[i].len, h[i].sig);
	}
	return h;
}

static void free_hooks(struct hook *h, long n)
{
	for (long i = 0; i < n; i++)
		free(h[i].data);
	free(h);
}

/* One webhook through front_handle; the response status. Adds the CPU the
 * front spent on it to *cpu. */
static int send_one(struct front_ctx *ctx, const struct hook *h, long id,
		    double *cpu)
{
	char cl[32], hsig[64 + HMAC_HEX_MAX], delivery[64];
	char method[] = "REQUEST_METHOD=POST", uri[] = "DOCUMENT_URI=/hooks/zammad";
	char type[] = "CONTENT_TYPE=application/json";
	struct body b = {h->data, h->len, 0};
	char *envp[] = {method, uri, type, cl, hsig, delivery, NULL};
	struct front_request req = {envp, body_read, &b};
	struct front_response resp;
	double t0;
	int status;

	snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", h->len);
	snprintf(hsig, sizeof(hsig), "HTTP_X_HUB_SIGNATURE=sha1=%s", h->sig);
	snprintf(delivery, sizeof(delivery), "HTTP_X_ZAMMAD_DELIVERY=cpu-%ld", id);
	t0 = cpu_us();
	front_response_init(&resp);
	front_handle(ctx, &req, &resp);
	status = resp.status;
	front_response_release(&resp);
	*cpu += cpu_us() - t0;
	return status;
}

/* What the service's checkpointer does, timed apart. */
static void checkpoint(store *s, long i, double *cpu)
{
	double t0;

	if ((i + 1) % CHECKPOINT_EVERY)
		return;
	t0 = cpu_us();
	store_checkpoint(s);
	*cpu += cpu_us() - t0;
}

int main(int argc, char **argv)
{
	struct dp_error err = {{0}};
	struct config cfg;
	struct zammad_settings *z;
	struct front_ctx ctx;
	const struct connector *zammad = connector_find("zammad");
	size_t tlen;
	char *tmpl, *db;
	struct hook *hooks;
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 2000;
	double t0, whole = 0, ckpt = 0, parse = 0, jparse = 0, conn = 0, insert = 0;

	if (argc < 3 || n < 1) {
		fprintf(stderr, "usage: ingest_cpu BODY_FILE DIR [N]\n");
		return 2;
	}
	tmpl = read_all(argv[1], &tlen);
	if (!tmpl) {
		fprintf(stderr, "ingest_cpu: cannot read %s\n", argv[1]);
		return 1;
	}
	log_set_level(LOG_WARN); /* as the benchmark's service runs */
	config_init(&cfg);
	config_helpdesk_slot(&cfg, &zammad_connector)->enabled = true;
	z = config_helpdesk_slot(&cfg, &zammad_connector)->settings;
	free(z->webhook_secret);
	z->webhook_secret = xstrdup(SECRET);
	db = xasprintf("%s/ingest-cpu.db", argv[2]);
	ctx.cfg = &cfg;
	ctx.store = store_open(db, &err);
	if (!ctx.store) {
		fprintf(stderr, "ingest_cpu: %s\n", err.msg);
		return 1;
	}

	/* The whole path, as a front thread runs it. */
	hooks = make_hooks(tmpl, 1000000, n);
	for (long i = 0; i < n; i++) {
		if (send_one(&ctx, &hooks[i], i, &whole) != 202) {
			fprintf(stderr, "ingest_cpu: webhook %ld was not accepted\n", i);
			return 1;
		}
		checkpoint(ctx.store, i, &ckpt);
	}
	free_hooks(hooks, n);

	/* Its parts alone, on the same payloads. */
	hooks = make_hooks(tmpl, 2000000, n);
	for (long i = 0; i < n; i++) {
		char hsig[64 + HMAC_HEX_MAX];
		char type[] = "CONTENT_TYPE=application/json";
		char *envp[] = {type, hsig, NULL};
		struct hook_request hr = {envp, hooks[i].data, hooks[i].len};
		struct ticket_event ev;
		struct json_doc doc;
		json_error_t jerr;
		json_t *j;
		int64_t id;

		snprintf(hsig, sizeof(hsig), "HTTP_X_HUB_SIGNATURE=sha1=%s", hooks[i].sig);
		t0 = cpu_us();
		if (json_doc_parse(&doc, hr.body, hr.body_len, ZAMMAD_MAX_DEPTH, &err) < 0) {
			fprintf(stderr, "ingest_cpu: payload %s\n", err.msg);
			return 1;
		}
		json_doc_release(&doc);
		parse += cpu_us() - t0;

		t0 = cpu_us();
		j = json_loadb(hr.body, hr.body_len, JSON_REJECT_DUPLICATES, &jerr);
		jparse += cpu_us() - t0;
		json_decref(j);

		ticket_event_init(&ev);
		t0 = cpu_us();
		if (zammad->accept(z, &hr, &ev, &err) < 0) {
			fprintf(stderr, "ingest_cpu: %s\n", err.msg);
			return 1;
		}
		conn += cpu_us() - t0;

		t0 = cpu_us();
		if (store_event_insert(ctx.store, &ev, hr.body, hr.body_len, 1000, &id) < 0) {
			fprintf(stderr, "ingest_cpu: insert failed\n");
			return 1;
		}
		insert += cpu_us() - t0;
		checkpoint(ctx.store, i, &ckpt);
		ticket_event_release(&ev);
	}
	free_hooks(hooks, n);
	printf("in-process ingest, one thread, %ld webhooks of %zu bytes: %.0f us CPU each\n",
	       n, tlen, whole / (double)n);
	printf("  parts alone: JSON parse %.0f us (jansson's tree: %.0f us), connector"
	       " (signature, parse, HTML) %.0f us, store (one committed insert) %.0f us;"
	       " checkpointer (its own thread) %.0f us\n",
	       parse / (double)n, jparse / (double)n, conn / (double)n,
	       insert / (double)n, ckpt / (2 * (double)n));
	store_close(ctx.store);
	config_release(&cfg);
	free(db);
	free(tmpl);
	return 0;
}
