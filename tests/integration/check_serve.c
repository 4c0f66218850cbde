/*
 * check_serve.c - the service as an admin runs it: `deskpilot serve`
 * behind the real nginx with the shipped locations snippet, spoken to over
 * HTTP on loopback.
 *
 * Covers health and metrics, routing and request limits as they arrive
 * through nginx (and, for what nginx never forwards, through raw FastCGI),
 * ingest with dedupe, orderly shutdown with a request in flight, inherited
 * and TCP sockets, check-config, and startup errors for a bad database.
 * Every refused request is also checked to have stored nothing.
 */
#include "harness.h"

#include "config.h" /* PACKAGE_VERSION */

#include "common/dp.h"
#include "common/hmac.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET "test-webhook-secret"
#define FIXTURE "tests/data/zammad/webhook-default-customer-email.body"

/* max_body sits between the fixture (7471 bytes) and the oversized body;
 * nginx's client_max_body_size (2m in the snippet) is far above both, so
 * deskpilot is the one answering 413. */
#define INI "[server]\nmax_body = 8k\n" \
	    "[policy]\nmode = shadow\n" \
	    "[zammad]\nurl = http://127.0.0.1:9\nwebhook_secret = " SECRET "\n"

static struct harness *h; /* the shared stack of the "http" case */

static void up(void)
{
	h = harness_up(&(struct harness_opts){.ini = INI});
	ck_assert_msg(h != NULL, "%s", harness_error());
}

static void down(void)
{
	harness_free(h);
	h = NULL;
}

/* ---- helpers --------------------------------------------------------- */

static json_t *body_json(const struct harness_response *r)
{
	json_error_t jerr;
	json_t *j = json_loads(r->body, 0, &jerr);

	ck_assert_msg(j != NULL, "body is not JSON (%s): %s", jerr.text, r->body);
	return j;
}

/* Assert the deskpilot error shape {"error": error, "detail": "..."}. */
static void assert_error(const struct harness_response *r, long status,
			 const char *error)
{
	json_t *j;
	char *ct = harness_response_header(r, "Content-Type");

	ck_assert_msg(r->status == status, "status %ld, want %ld: %s", r->status,
		      status, r->body);
	ck_assert_ptr_nonnull(ct);
	ck_assert_str_eq(ct, "application/json");
	j = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")), error);
	ck_assert_msg(json_string_length(json_object_get(j, "detail")) > 0,
		      "no detail: %s", r->body);
	json_decref(j);
	free(ct);
}

static char *fixture(size_t *len)
{
	char *path = harness_srcdir_path(FIXTURE);
	char *body = harness_slurp(path, len);

	ck_assert_msg(body != NULL, "cannot read %s", path);
	free(path);
	return body;
}

/* A signed Zammad webhook: the headers array and its storage. */
struct hook {
	char sig[32 + HMAC_HEX_MAX];
	char delivery[128];
	const char *headers[4];
};

static void hook_init(struct hook *k, const char *body, size_t len,
		      const char *delivery)
{
	char hex[HMAC_HEX_MAX];

	hmac_hex(HMAC_SHA1, SECRET, body, len, hex);
	snprintf(k->sig, sizeof(k->sig), "X-Hub-Signature: sha1=%s", hex);
	snprintf(k->delivery, sizeof(k->delivery), "X-Zammad-Delivery: %s", delivery);
	k->headers[0] = "Content-Type: application/json; charset=utf-8";
	k->headers[1] = k->sig;
	k->headers[2] = k->delivery;
	k->headers[3] = NULL;
}

static int64_t events_with_delivery(struct harness *hh, const char *delivery)
{
	char *sql = xasprintf("SELECT count(*) FROM events WHERE delivery_id = '%s'",
			      delivery);
	int64_t n = -1;

	ck_assert_int_eq(harness_sql_int(hh, sql, &n), 0);
	free(sql);
	return n;
}

static int64_t all_events(struct harness *hh)
{
	int64_t n = -1;

	ck_assert_int_eq(harness_sql_int(hh, "SELECT count(*) FROM events", &n), 0);
	return n;
}

/* The value of the sample line starting with `name` in a Prometheus text,
 * or -1 when there is none. */
static double sample(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static char *metrics(void)
{
	struct harness_response r;
	char *text;

	ck_assert_int_eq(harness_get(h, "/metrics", &r), 0);
	ck_assert_int_eq(r.status, 200);
	text = xstrdup(r.body);
	harness_response_release(&r);
	return text;
}

/* ---- threads ----------------------------------------------------------- */

/* Thread name and nice value of task tid of pid, from /proc. */
static bool task_info(pid_t pid, const char *tid, char *name, size_t cap,
		      int *nice_out)
{
	char path[96], stat[1024];
	const char *p;
	FILE *f;
	size_t n;
	int field = 3;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", (int)pid, tid);
	f = fopen(path, "r");
	if (!f || !fgets(name, (int)cap, f)) {
		if (f)
			fclose(f);
		return false;
	}
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	/* Fields after the parenthesised name; nice is the 19th. */
	p = strrchr(stat, ')');
	if (!p)
		return false;
	for (p += 2; *p && field < 19; p++)
		if (*p == ' ')
			field++;
	*nice_out = (int)strtol(p, NULL, 10);
	return true;
}

/* Workers run at a lower priority than the front ([workers] nice, 10 by
 * default), and every thread carries its role in its name. */
START_TEST(test_thread_priorities)
{
	char path[64], name[32];
	struct dirent *de;
	DIR *d;
	int base, nice, fronts = 0, workers = 0, dispatchers = 0, others = 0;

	errno = 0;
	base = getpriority(PRIO_PROCESS, 0); /* deskpilot inherited it */
	ck_assert_int_eq(errno, 0);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)h->deskpilot);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !task_info(h->deskpilot, de->d_name, name,
						       sizeof(name), &nice))
			continue;
		if (strncmp(name, "dp-front/", 9) == 0) {
			ck_assert_int_eq(nice, base);
			fronts++;
		} else if (strncmp(name, "dp-work/", 8) == 0) {
			ck_assert_int_eq(nice, base + 10 > 19 ? 19 : base + 10);
			workers++;
		} else if (strncmp(name, "dp-dispatch/", 12) == 0) {
			ck_assert_int_eq(nice, base);
			dispatchers++;
		} else if (strcmp(name, "dp-checkpoint") == 0) {
			ck_assert_int_eq(nice, base);
			others++;
		}
	}
	closedir(d);
	ck_assert_int_ge(fronts, 1);
	ck_assert_int_ge(workers, 1);
	ck_assert_int_eq(dispatchers, 4); /* [outbox] max_in_flight */
	ck_assert_int_eq(others, 1);
}
END_TEST

/* ---- health and metrics ----------------------------------------------- */

START_TEST(test_healthz)
{
	struct harness_response r;
	json_t *j;

	ck_assert_int_eq(harness_get(h, "/healthz", &r), 0);
	ck_assert_int_eq(r.status, 200);
	j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
	ck_assert_str_eq(json_string_value(json_object_get(j, "store")), "ok");
	ck_assert(json_is_integer(json_object_get(j, "queue_depth")));
	ck_assert_int_ge(json_integer_value(json_object_get(j, "queue_depth")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "version")),
			 PACKAGE_VERSION);
	json_decref(j);
	harness_response_release(&r);

	ck_assert_int_eq(harness_request(h, &(struct harness_request){
						    .method = "HEAD",
						    .path = "/healthz",
					    },
					 &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body_len, 0);
	harness_response_release(&r);
}
END_TEST

START_TEST(test_metrics)
{
	static const char healthz_ok[] =
		"deskpilot_http_requests_total{route=\"/healthz\",status=\"200\"}";
	static const char not_found[] =
		"deskpilot_http_requests_total{route=\"other\",status=\"404\"}";
	struct harness_response r;
	char *before, *after;
	double b_ok, b_nf, inf, count;

	before = metrics();
	ck_assert_ptr_nonnull(strstr(before, "# TYPE deskpilot_http_requests_total counter"));
	ck_assert_ptr_nonnull(strstr(before,
				     "# TYPE deskpilot_http_request_duration_seconds histogram"));
	ck_assert_ptr_nonnull(strstr(before, "# TYPE deskpilot_events_stored_total counter"));
	ck_assert_double_ge(sample(before, "deskpilot_events_stored_total"), 0);
	b_ok = sample(before, healthz_ok);
	b_nf = sample(before, not_found);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(harness_get(h, "/healthz", &r), 0);
		harness_response_release(&r);
	}
	ck_assert_int_eq(harness_get(h, "/hooks/no-such-helpdesk", &r), 0);
	harness_response_release(&r);

	after = metrics();
	ck_assert_double_eq(sample(after, healthz_ok), (b_ok < 0 ? 0 : b_ok) + 3);
	ck_assert_double_eq(sample(after, not_found), (b_nf < 0 ? 0 : b_nf) + 1);
	/* The histogram is cumulative and its +Inf bucket is its count. */
	inf = sample(after, "deskpilot_http_request_duration_seconds_bucket{le=\"+Inf\"}");
	count = sample(after, "deskpilot_http_request_duration_seconds_count");
	ck_assert_double_gt(count, sample(before, "deskpilot_http_request_duration_seconds_count"));
	ck_assert_double_eq(inf, count);
	ck_assert_double_le(sample(after, "deskpilot_http_request_duration_seconds_bucket{le=\"0.0005\"}"),
			    inf);
	free(before);
	free(after);
}
END_TEST

/* ---- routing ------------------------------------------------------------ */

START_TEST(test_not_found)
{
	struct harness_response r;

	const char *params[] = {"REQUEST_METHOD=GET", "DOCUMENT_URI=/nope",
				"CONTENT_LENGTH=", NULL};

	/* nginx forwards only /hooks/, /healthz and /metrics... */
	ck_assert_int_eq(harness_post(h, "/hooks/freshdesk", NULL, "{}", 2, &r), 0);
	assert_error(&r, 404, "not found");
	harness_response_release(&r);
	ck_assert_int_eq(harness_get(h, "/hooks/", &r), 0);
	assert_error(&r, 404, "not found");
	harness_response_release(&r);
	/* ...so any other path is asked of deskpilot directly. */
	ck_assert_int_eq(harness_fcgi_request(h, params, NULL, 0, &r), 0);
	assert_error(&r, 404, "not found");
	harness_response_release(&r);
}
END_TEST

START_TEST(test_unconfigured_helpdesk)
{
	struct harness_response r;
	size_t len;
	char *body = fixture(&len);
	int64_t n = -1;

	/* No [osticket] section: its hook does not exist. */
	ck_assert_int_eq(harness_post(h, "/hooks/osticket", NULL, body, len, &r), 0);
	assert_error(&r, 404, "not found");
	harness_response_release(&r);
	ck_assert_int_eq(harness_sql_int(h, "SELECT count(*) FROM events"
					    " WHERE source = 'osticket'",
					 &n),
			 0);
	ck_assert_int_eq(n, 0);
	free(body);
}
END_TEST

START_TEST(test_method_not_allowed)
{
	struct harness_response r;
	char *allow;

	ck_assert_int_eq(harness_post(h, "/healthz", NULL, "x", 1, &r), 0);
	assert_error(&r, 405, "method not allowed");
	allow = harness_response_header(&r, "Allow");
	ck_assert_ptr_nonnull(allow);
	ck_assert_str_eq(allow, "GET, HEAD");
	free(allow);
	harness_response_release(&r);

	ck_assert_int_eq(harness_get(h, "/hooks/zammad", &r), 0);
	assert_error(&r, 405, "method not allowed");
	allow = harness_response_header(&r, "Allow");
	ck_assert_ptr_nonnull(allow);
	ck_assert_str_eq(allow, "POST");
	free(allow);
	harness_response_release(&r);
}
END_TEST

/* ---- limits --------------------------------------------------------------- */

START_TEST(test_too_large)
{
	struct harness_response r;
	size_t len = 16 * 1024;
	char *body = xmalloc(len + 1);
	struct hook k;

	memset(body, ' ', len);
	body[0] = '{';
	body[len - 1] = '}';
	body[len] = '\0';
	hook_init(&k, body, len, "too-large-1");
	ck_assert_int_eq(harness_post(h, "/hooks/zammad", k.headers, body, len, &r), 0);
	assert_error(&r, 413, "payload too large");
	ck_assert_ptr_nonnull(strstr(r.body, "8192"));
	harness_response_release(&r);
	ck_assert_int_eq(events_with_delivery(h, "too-large-1"), 0);
	free(body);
}
END_TEST

START_TEST(test_length_required)
{
	struct harness_response r;
	size_t len;
	char *body = fixture(&len);
	struct hook k;

	/* A POST without a body has no Content-Length at all. */
	hook_init(&k, "", 0, "no-length-1");
	ck_assert_int_eq(harness_request(h, &(struct harness_request){
						    .method = "POST",
						    .path = "/hooks/zammad",
						    .headers = k.headers,
					    },
					 &r),
			 0);
	assert_error(&r, 411, "length required");
	harness_response_release(&r);

	/* A body streamed without a length (chunked, with nginx's
	 * fastcgi_request_buffering off) reaches deskpilot with an empty
	 * CONTENT_LENGTH -- unless nginx happened to have the whole body
	 * already, so that case is driven over FastCGI directly. */
	{
		const char *params[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad",
					"CONTENT_TYPE=application/json", "CONTENT_LENGTH=",
					NULL};

		ck_assert_int_eq(harness_fcgi_request(h, params, body, len, &r), 0);
		assert_error(&r, 411, "length required");
		harness_response_release(&r);
	}
	ck_assert_int_eq(events_with_delivery(h, "no-length-1"), 0);
	ck_assert_int_eq(all_events(h), 0);
	free(body);
}
END_TEST

START_TEST(test_bad_length)
{
	static const char *const bad[] = {"abc", "-1", "99999999999999999999999", "1e3"};
	struct harness_response r;
	int64_t before = all_events(h);

	/* nginx itself refuses an unparseable Content-Length... */
	ck_assert_int_eq(harness_post(h, "/hooks/zammad",
				      (const char *const[]){"Content-Length: abc", NULL},
				      "{}", 2, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	harness_response_release(&r);

	/* ...so deskpilot's own check is driven over FastCGI directly. */
	for (size_t i = 0; i < DP_ARRAY_LEN(bad); i++) {
		char *cl = xasprintf("CONTENT_LENGTH=%s", bad[i]);
		const char *params[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad",
					"CONTENT_TYPE=application/json", cl, NULL};

		ck_assert_int_eq(harness_fcgi_request(h, params, "{}", 2, &r), 0);
		assert_error(&r, 400, "bad request");
		harness_response_release(&r);
		free(cl);
	}
	/* A body shorter than declared is truncated, not a short event. */
	{
		const char *params[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad",
					"CONTENT_TYPE=application/json",
					"CONTENT_LENGTH=500", NULL};

		ck_assert_int_eq(harness_fcgi_request(h, params, "{}", 2, &r), 0);
		assert_error(&r, 400, "bad request");
		ck_assert_ptr_nonnull(strstr(r.body, "shorter"));
		harness_response_release(&r);
	}
	ck_assert_int_eq(all_events(h), before);
}
END_TEST

START_TEST(test_header_flood)
{
	enum { N = 300 };
	const char *headers[N + 1];
	char names[N][32];
	struct harness_response r;

	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "X-Flood-%d: %d", i, i);
		headers[i] = names[i];
	}
	headers[N] = NULL;
	ck_assert_int_eq(harness_request(h, &(struct harness_request){
						    .path = "/healthz",
						    .headers = headers,
					    },
					 &r),
			 0);
	assert_error(&r, 431, "request header fields too large");
	harness_response_release(&r);
}
END_TEST

/* ---- ingest ------------------------------------------------------------- */

START_TEST(test_ingest_and_dedupe)
{
	struct harness_response r;
	size_t len;
	char *body = fixture(&len);
	struct hook k;
	json_int_t id;
	json_t *j;
	char *m;

	hook_init(&k, body, len, "ingest-1");
	ck_assert_int_eq(harness_post(h, "/hooks/zammad", k.headers, body, len, &r), 0);
	ck_assert_msg(r.status == 202, "status %ld: %s", r.status, r.body);
	j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "accepted");
	id = json_integer_value(json_object_get(j, "event_id"));
	ck_assert_int_gt(id, 0);
	json_decref(j);
	harness_response_release(&r);
	ck_assert_int_eq(events_with_delivery(h, "ingest-1"), 1);

	/* The same delivery again: acknowledged, recognised, not stored. */
	ck_assert_int_eq(harness_post(h, "/hooks/zammad", k.headers, body, len, &r), 0);
	ck_assert_int_eq(r.status, 200);
	j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "duplicate");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "event_id")), id);
	json_decref(j);
	harness_response_release(&r);
	ck_assert_int_eq(events_with_delivery(h, "ingest-1"), 1);

	m = metrics();
	ck_assert_double_ge(sample(m, "deskpilot_events_stored_total"), 1);
	free(m);
	free(body);
}
END_TEST

START_TEST(test_bad_signature)
{
	struct harness_response r;
	size_t len;
	char *body = fixture(&len);
	struct hook k;

	hook_init(&k, body, len, "forged-1");
	body[len / 2] ^= 1; /* signed bytes differ from sent bytes */
	ck_assert_int_eq(harness_post(h, "/hooks/zammad", k.headers, body, len, &r), 0);
	assert_error(&r, 401, "unauthorized");
	harness_response_release(&r);
	ck_assert_int_eq(events_with_delivery(h, "forged-1"), 0);
	free(body);
}
END_TEST

/* ---- lifecycle: each test owns its processes ------------------------------ */

struct sockets_above {
	pid_t pid;
	int base;
};

static bool has_more_sockets(void *arg)
{
	struct sockets_above *s = arg;

	return harness_count_sockets(s->pid) > s->base;
}

struct log_wait {
	const char *path;
	const char *needle;
};

static bool log_contains(void *arg)
{
	struct log_wait *w = arg;
	char *text = harness_slurp(w->path, NULL);
	bool found = text && strstr(text, w->needle);

	free(text);
	return found;
}

/* Wait for deskpilot to have accepted one more connection, then SIGTERM
 * it and wait until it says it is shutting down. */
static void term_after_accept(struct harness *hh, int base)
{
	struct sockets_above s = {hh->deskpilot, base};
	struct log_wait w = {hh->log, "shutting down"};

	/* Generous waits: under sanitizers or valgrind on a busy machine a
	 * thread can take seconds to be scheduled. */
	ck_assert_msg(harness_wait_until(has_more_sockets, &s, 20000),
		      "deskpilot never accepted the connection");
	ck_assert_int_eq(kill(hh->deskpilot, SIGTERM), 0);
	ck_assert_msg(harness_wait_until(log_contains, &w, 20000),
		      "deskpilot did not log its shutdown");
}

static void assert_clean_exit(struct harness *hh)
{
	int status = harness_wait_exit(hh, hh->deskpilot, 10000);

	ck_assert_msg(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "deskpilot exit status %d", status);
	ck_assert_msg(access(hh->sock, F_OK) != 0, "socket %s left behind", hh->sock);
}

START_TEST(test_drain_fastcgi)
{
	struct harness *hh = harness_up(&(struct harness_opts){.no_nginx = true});
	const char *params[] = {"REQUEST_METHOD=GET", "DOCUMENT_URI=/healthz",
				"CONTENT_LENGTH=", NULL};
	struct harness_response r;
	int fd, base;

	ck_assert_msg(hh != NULL, "%s", harness_error());
	base = harness_count_sockets(hh->deskpilot);
	ck_assert_int_gt(base, 0);
	/* Half a request: the params stream stays open. */
	fd = harness_fcgi_connect(hh);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(harness_fcgi_send_params(fd, params, false), 0);
	term_after_accept(hh, base);

	/* Shutting down: the request in flight still gets its answer. */
	ck_assert_int_eq(harness_fcgi_end_params(fd), 0);
	ck_assert_int_eq(harness_fcgi_send_stdin(fd, NULL, 0), 0);
	ck_assert_int_eq(harness_fcgi_read_response(fd, &r, 10000), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"store\":\"ok\""));
	harness_response_release(&r);
	close(fd);
	assert_clean_exit(hh);
	harness_free(hh);
}
END_TEST

/* Send raw bytes to 127.0.0.1:port; returns the connected fd. */
static int raw_send(int port, const char *data, size_t len)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	return fd;
}

static char *raw_read_all(int fd)
{
	char *out = xmalloc(65536);
	size_t n = 0;

	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;

		ck_assert_msg(poll(&p, 1, 10000) == 1, "no response within 10 s");
		r = read(fd, out + n, 65535 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	return out;
}

START_TEST(test_drain_through_nginx)
{
	struct harness *hh = harness_up(&(struct harness_opts){.ini = INI});
	size_t len, half;
	char *body = fixture(&len);
	char hex[HMAC_HEX_MAX], *head, *resp;
	int fd, base;

	ck_assert_msg(hh != NULL, "%s", harness_error());
	hmac_hex(HMAC_SHA1, SECRET, body, len, hex);
	head = xasprintf("POST /hooks/zammad HTTP/1.1\r\nHost: localhost\r\n"
			 "Content-Type: application/json\r\n"
			 "X-Hub-Signature: sha1=%s\r\nX-Zammad-Delivery: drain-1\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 hex, len);
	base = harness_count_sockets(hh->deskpilot);
	/* nginx streams what it has (request buffering off), so deskpilot
	 * is reading this body when SIGTERM arrives. */
	half = len / 2;
	fd = raw_send(hh->port_unbuffered, head, strlen(head));
	ck_assert_int_eq(write(fd, body, half), (ssize_t)half);
	term_after_accept(hh, base);
	ck_assert_int_eq(write(fd, body + half, len - half), (ssize_t)(len - half));
	resp = raw_read_all(fd);
	close(fd);
	ck_assert_msg(strncmp(resp, "HTTP/1.1 202", 12) == 0, "response: %s", resp);
	assert_clean_exit(hh);
	ck_assert_int_eq(events_with_delivery(hh, "drain-1"), 1);
	free(resp);
	free(head);
	free(body);
	harness_free(hh);
}
END_TEST

static void assert_healthy(struct harness *hh, const char *when)
{
	struct harness_response r;

	ck_assert_int_eq(harness_get(hh, "/healthz", &r), 0);
	ck_assert_msg(r.status == 200, "%s: status %ld: %s", when, r.status, r.body);
	ck_assert_ptr_nonnull(strstr(r.body, "\"store\":\"ok\""));
	harness_response_release(&r);
}

START_TEST(test_inherited_socket)
{
	/* As spawn-fcgi and systemd's socket units do: the socket is fd 0, and
	 * the supervisor keeps it open across restarts. */
	struct harness *hh = harness_up(&(struct harness_opts){.inherit_fd0 = true});

	ck_assert_msg(hh != NULL, "%s", harness_error());
	assert_healthy(hh, "first start");
	ck_assert_int_eq(harness_restart_deskpilot(hh, SIGTERM), 0);
	assert_healthy(hh, "after a restart on the same socket");
	harness_free(hh);
}
END_TEST

START_TEST(test_tcp_listen)
{
	struct harness *hh = harness_up(&(struct harness_opts){.tcp = true});

	ck_assert_msg(hh != NULL, "%s", harness_error());
	assert_healthy(hh, "over TCP");
	harness_free(hh);
}
END_TEST

START_TEST(test_restart_after_kill)
{
	struct harness *hh = harness_up(&(struct harness_opts){.ini = INI});
	struct harness_response r;
	size_t len;
	char *body = fixture(&len);
	struct hook k;

	ck_assert_msg(hh != NULL, "%s", harness_error());
	hook_init(&k, body, len, "kill-1");
	ck_assert_int_eq(harness_post(hh, "/hooks/zammad", k.headers, body, len, &r), 0);
	ck_assert_int_eq(r.status, 202);
	harness_response_release(&r);
	/* A crash leaves a stale socket file; the next start replaces it. */
	ck_assert_int_eq(harness_restart_deskpilot(hh, SIGKILL), 0);
	assert_healthy(hh, "after SIGKILL and a restart");
	ck_assert_int_eq(events_with_delivery(hh, "kill-1"), 1);
	ck_assert_int_eq(harness_post(hh, "/hooks/zammad", k.headers, body, len, &r), 0);
	ck_assert_int_eq(r.status, 200); /* still recognised after the crash */
	harness_response_release(&r);
	free(body);
	harness_free(hh);
}
END_TEST

/* ---- the command line ------------------------------------------------------ */

static char *binary(void)
{
	const char *b = getenv("DP_BUILDDIR");

	return xasprintf("%s/src/deskpilot", b && *b ? b : ".");
}

/* Run `deskpilot <cmd> -c conf`; returns the exit code, output in *out. */
static int run_cmd(const char *cmd, const char *conf, char **out)
{
	char *bin = binary();
	const char *argv[] = {bin, cmd, "-c", conf, NULL};
	int status = harness_run(argv, out, 10000);

	free(bin);
	ck_assert_msg(status >= 0 && WIFEXITED(status), "deskpilot %s did not exit", cmd);
	return WEXITSTATUS(status);
}

START_TEST(test_check_config_typo)
{
	struct harness *hh = harness_new(&(struct harness_opts){.no_nginx = true});
	char *conf, *out, *where;

	ck_assert_msg(hh != NULL, "%s", harness_error());
	conf = harness_write_file(hh, "typo.conf",
				  "# a typo on line 4\n[server]\nthreads = 2\nthraeds = 4\n");
	ck_assert_int_eq(run_cmd("check-config", conf, &out), 1);
	where = xasprintf("%s:4:", conf);
	ck_assert_msg(strstr(out, where) && strstr(out, "'thraeds'"),
		      "output does not name %s and the key: %s", where, out);
	free(where);
	free(out);
	free(conf);
	harness_free(hh);
}
END_TEST

START_TEST(test_check_config_masks_secrets)
{
	struct harness *hh = harness_new(&(struct harness_opts){.no_nginx = true});
	char *secret, *text, *conf, *out;

	ck_assert_msg(hh != NULL, "%s", harness_error());
	secret = harness_write_file(hh, "hook.secret", "from-a-file-secret\n");
	text = xasprintf("[zammad]\nurl = http://127.0.0.1:9\n"
			 "token = inline-token-value\nwebhook_secret_file = %s\n",
			 secret);
	conf = harness_write_file(hh, "secrets.conf", text);
	ck_assert_int_eq(run_cmd("check-config", conf, &out), 0);
	ck_assert_msg(strstr(out, "token = ********") &&
			      strstr(out, "webhook_secret = ********"),
		      "secrets not shown masked: %s", out);
	ck_assert_ptr_null(strstr(out, "inline-token-value"));
	ck_assert_ptr_null(strstr(out, "from-a-file-secret"));
	free(out);
	free(conf);
	free(text);
	free(secret);
	harness_free(hh);
}
END_TEST

START_TEST(test_check_config_example)
{
	char *conf = harness_srcdir_path("examples/deskpilot.conf");
	char *out;

	ck_assert_msg(run_cmd("check-config", conf, &out) == 0,
		      "examples/deskpilot.conf does not check: %s", out);
	free(out);
	free(conf);
}
END_TEST

/* `deskpilot serve` with database = path must exit 1 naming path. */
static void assert_start_fails(struct harness *hh, const char *db)
{
	char *text = xasprintf("[server]\nlisten = unix:%s\ndatabase = %s\n", hh->sock, db);
	char *conf = harness_write_file(hh, "bad-db.conf", text);
	char *out;

	ck_assert_int_eq(run_cmd("serve", conf, &out), 1);
	ck_assert_msg(strstr(out, db) != NULL, "error does not name '%s': %s", db, out);
	ck_assert_msg(access(hh->sock, F_OK) != 0, "socket created anyway");
	free(out);
	free(conf);
	free(text);
}

START_TEST(test_bad_database)
{
	struct harness *hh = harness_new(&(struct harness_opts){.no_nginx = true});
	char garbage[8192];
	char *corrupt, *missing;

	ck_assert_msg(hh != NULL, "%s", harness_error());
	memset(garbage, 'x', sizeof(garbage) - 1);
	garbage[sizeof(garbage) - 1] = '\0';
	corrupt = harness_write_file(hh, "corrupt.db", garbage);
	assert_start_fails(hh, corrupt);
	missing = harness_path(hh, "no-such-dir/deskpilot.db");
	assert_start_fails(hh, missing);
	assert_start_fails(hh, hh->dir); /* a directory */
	free(corrupt);
	free(missing);
	harness_free(hh);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("serve");
	TCase *http = tcase_create("http");
	TCase *life = tcase_create("lifecycle");
	TCase *cli = tcase_create("cli");

	tcase_add_unchecked_fixture(http, up, down);
	tcase_set_timeout(http, 30);
	tcase_add_test(http, test_healthz);
	tcase_add_test(http, test_thread_priorities);
	tcase_add_test(http, test_metrics);
	tcase_add_test(http, test_not_found);
	tcase_add_test(http, test_unconfigured_helpdesk);
	tcase_add_test(http, test_method_not_allowed);
	tcase_add_test(http, test_too_large);
	tcase_add_test(http, test_length_required);
	tcase_add_test(http, test_bad_length);
	tcase_add_test(http, test_header_flood);
	tcase_add_test(http, test_ingest_and_dedupe);
	tcase_add_test(http, test_bad_signature);
	suite_add_tcase(s, http);

	tcase_set_timeout(life, 90);
	tcase_add_test(life, test_drain_fastcgi);
	tcase_add_test(life, test_drain_through_nginx);
	tcase_add_test(life, test_inherited_socket);
	tcase_add_test(life, test_tcp_listen);
	tcase_add_test(life, test_restart_after_kill);
	suite_add_tcase(s, life);

	tcase_set_timeout(cli, 30);
	tcase_add_test(cli, test_check_config_typo);
	tcase_add_test(cli, test_check_config_masks_secrets);
	tcase_add_test(cli, test_check_config_example);
	tcase_add_test(cli, test_bad_database);
	suite_add_tcase(s, cli);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
