/*
 * check_front.c - front_handle without libfcgi: routing, request limits
 * (411, 400, 413 before reading, 431) and ingest, driven with a fake body
 * reader. Every refusal is checked to have stored nothing.
 */
#include "front/front.h"

#include "common/hmac.h"
#include "connectors/zammad.h"
#include "store/events.h"
#include "test.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET "unit-secret"

struct fake_body {
	const char *data;
	size_t len, pos;
	int calls;
};

static int fake_read(void *ctx, char *p, int n)
{
	struct fake_body *b = ctx;
	size_t left = b->len - b->pos;
	size_t take = left < (size_t)n ? left : (size_t)n;

	b->calls++;
	if (take)
		memcpy(p, b->data + b->pos, take);
	b->pos += take;
	return (int)take;
}

static struct test_db db;
static struct config cfg;
static struct front_ctx ctx;

static void setup(void)
{
	struct config_helpdesk *zammad;
	struct zammad_settings *z;

	config_init(&cfg);
	cfg.max_body = 8192;
	zammad = config_helpdesk_slot(&cfg, &zammad_connector);
	zammad->enabled = true;
	z = zammad->settings;
	free(z->webhook_secret);
	z->webhook_secret = xstrdup(SECRET);
	ctx.cfg = &cfg;
	ctx.store = test_db_open(&db, "front");
}

static void teardown(void)
{
	store_close(ctx.store);
	config_release(&cfg);
	test_db_remove(&db);
}

/* Run one request; envp entries are "NAME=value". */
static void run(const char *const *envp, struct fake_body *body,
		struct front_response *resp)
{
	static struct fake_body empty;
	/* front_handle only reads the parameters. */
	struct front_request req = {(char **)envp, fake_read, body ? body : &empty};

	empty = (struct fake_body){0};
	front_response_init(resp);
	front_handle(&ctx, &req, resp);
}

static void assert_error(struct front_response *r, int status, const char *error)
{
	json_error_t jerr;
	json_t *j = json_loads(buf_str(&r->body), 0, &jerr);

	ck_assert_msg(r->status == status, "status %d, want %d: %s", r->status, status,
		      buf_str(&r->body));
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")), error);
	ck_assert_int_gt(json_string_length(json_object_get(j, "detail")), 0);
	ck_assert_str_eq(r->content_type, "application/json");
	json_decref(j);
	front_response_release(r);
}

START_TEST(test_routing)
{
	const char *healthz[] = {"REQUEST_METHOD=GET", "DOCUMENT_URI=/healthz", "CONTENT_LENGTH=", NULL};
	const char *metrics[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/metrics?x=1", NULL};
	const char *post_healthz[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/healthz", NULL};
	const char *get_hook[] = {"REQUEST_METHOD=GET", "DOCUMENT_URI=/hooks/zammad", NULL};
	const char *unknown[] = {"REQUEST_METHOD=GET", "DOCUMENT_URI=/admin", NULL};
	const char *off_hook[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/osticket",
				  "CONTENT_LENGTH=2", NULL};
	struct front_response r;

	run(healthz, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "\"store\":\"ok\""));
	front_response_release(&r);

	run(metrics, NULL, &r); /* the query string is not part of the path */
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.content_type, "text/plain; version=0.0.4");
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "deskpilot_http_requests_total{route=\"/healthz\",status=\"200\"} "));
	front_response_release(&r);

	run(post_healthz, NULL, &r);
	ck_assert_str_eq(r.allow, "GET, HEAD");
	assert_error(&r, 405, "method not allowed");
	run(get_hook, NULL, &r);
	ck_assert_str_eq(r.allow, "POST");
	assert_error(&r, 405, "method not allowed");
	run(unknown, NULL, &r);
	assert_error(&r, 404, "not found");
	run(off_hook, NULL, &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "not configured"));
	assert_error(&r, 404, "not found");
	ck_assert_int_eq(store_event_count(ctx.store), 0);
}
END_TEST

START_TEST(test_lengths)
{
	static const char *const bad[] = {"abc", "-1", "12x", " 5", "99999999999999999999999"};
	const char *missing[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad", NULL};
	const char *empty[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad", "CONTENT_LENGTH=", NULL};
	const char *big[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad", "CONTENT_LENGTH=8193", NULL};
	const char *short_cl[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad", "CONTENT_LENGTH=10", NULL};
	const char *long_cl[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad", "CONTENT_LENGTH=3", NULL};
	struct fake_body body = {"0123456789", 10, 0, 0};
	struct front_response r;

	run(missing, NULL, &r);
	assert_error(&r, 411, "length required");
	run(empty, NULL, &r);
	assert_error(&r, 411, "length required");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char cl[64];
		const char *env[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad", cl, NULL};

		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%s", bad[i]);
		run(env, NULL, &r);
		assert_error(&r, 400, "bad request");
	}
	/* Over max_body: refused before a single byte is read. */
	run(big, &body, &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "8192"));
	assert_error(&r, 413, "payload too large");
	ck_assert_int_eq(body.calls, 0);

	body = (struct fake_body){"01234", 5, 0, 0};
	run(short_cl, &body, &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "shorter"));
	assert_error(&r, 400, "bad request");
	body = (struct fake_body){"0123456789", 10, 0, 0};
	run(long_cl, &body, &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "longer"));
	assert_error(&r, 400, "bad request");
	ck_assert_int_eq(store_event_count(ctx.store), 0);
}
END_TEST

START_TEST(test_header_flood)
{
	char **env = xcalloc(FRONT_MAX_PARAMS + 10, sizeof(char *));
	struct front_response r;
	int i = 0;

	env[i++] = xstrdup("REQUEST_METHOD=GET");
	env[i++] = xstrdup("DOCUMENT_URI=/healthz");
	for (; i < FRONT_MAX_PARAMS + 1; i++)
		env[i] = xasprintf("HTTP_X_FLOOD_%d=1", i);
	run((const char *const *)env, NULL, &r);
	assert_error(&r, 431, "request header fields too large");
	/* Exactly at the limit is fine. */
	free(env[--i]);
	env[i] = NULL;
	run((const char *const *)env, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	front_response_release(&r);
	while (i > 0)
		free(env[--i]);
	free(env);
}
END_TEST

START_TEST(test_ingest)
{
	static const char payload[] =
		"{\"ticket\":{\"id\":12,\"number\":\"31012\",\"title\":\"Where is my order\","
		"\"customer\":{\"id\":3,\"email\":\"c@customer.example.test\"}},"
		"\"article\":{\"id\":120,\"ticket_id\":12,\"sender\":\"Customer\",\"type\":\"email\","
		"\"internal\":false,\"content_type\":\"text/plain\",\"body\":\"Where is my order?\"}}";
	char hex[HMAC_HEX_MAX], sig[128], cl[64];
	const char *env[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad",
			     "CONTENT_TYPE=application/json", "HTTP_X_ZAMMAD_DELIVERY=u-1",
			     sig, cl, NULL};
	struct fake_body body = {payload, sizeof(payload) - 1, 0, 0};
	struct front_response r;

	hmac_hex(HMAC_SHA1, SECRET, payload, sizeof(payload) - 1, hex);
	snprintf(sig, sizeof(sig), "HTTP_X_HUB_SIGNATURE=sha1=%s", hex);
	snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", sizeof(payload) - 1);
	run(env, &body, &r);
	ck_assert_msg(r.status == 202, "%d: %s", r.status, buf_str(&r.body));
	front_response_release(&r);
	ck_assert_int_eq(store_event_count(ctx.store), 1);

	body.pos = 0;
	run(env, &body, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "duplicate"));
	front_response_release(&r);

	/* Signed over other bytes: 401, nothing more stored. */
	snprintf(sig, sizeof(sig), "HTTP_X_HUB_SIGNATURE=sha1=%040d", 0);
	body.pos = 0;
	run(env, &body, &r);
	assert_error(&r, 401, "unauthorized");
	ck_assert_int_eq(store_event_count(ctx.store), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("front");
	TCase *tc = tcase_create("front");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_routing);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_header_flood);
	tcase_add_test(tc, test_ingest);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
