/*
 * check_llm.c - the llm drafter against tests/fakes/fake_llm.py on a free
 * loopback port: success, 429 with Retry-After then success, 500 and the
 * kb fallback, timeout, malformed answers, answers citing nothing, a wrong
 * key, and the in-flight bound across threads.
 *
 * The fake is started once per run in an unchecked fixture (by pid,
 * through the harness, which also stops it when a test fails); each test
 * sets the fake's behaviour it needs through POST /__control first.
 */
#include "common/http_client.h"
#include "config/config.h"
#include "draft/drafter.h"
#include "store/kb.h"

#include "integration/harness.h"

#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "test-key-123"

static struct harness *h;
static int port;

static store *st;
static struct config cfg;
static int64_t order_id;

static void fake_up(void)
{
	const char *const args[] = {"--key", KEY, NULL};

	h = harness_new(&(struct harness_opts){.no_nginx = true});
	ck_assert_msg(h != NULL, "%s", harness_error());
	ck_assert_msg(harness_start_python(h, "tests/fakes/fake_llm.py", args, &port) > 0,
		      "%s", harness_error());
}

static void fake_down(void)
{
	harness_free(h);
	h = NULL;
}

/* One call to the fake's control routes; returns the parsed answer. */
static json_t *fake(const char *method, const char *path, const char *body)
{
	struct http_client *c = http_client_new();
	struct http_response resp;
	char url[128];
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct http_call call = {method, url, headers, body, body ? strlen(body) : 0,
				 2000, 5000, false};
	struct dp_error err;
	json_t *j;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	http_response_init(&resp);
	ck_assert_msg(http_client_do(c, &call, &resp, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(resp.status, 200);
	j = json_loads(buf_str(&resp.body), 0, NULL);
	http_response_release(&resp);
	http_client_free(c);
	return j;
}

static void fake_mode(const char *control)
{
	json_decref(fake("POST", "/__control", control));
}

static long long fake_stat(const char *name)
{
	json_t *j = fake("GET", "/__stats", NULL);
	long long v = json_integer_value(json_object_get(j, name));

	json_decref(j);
	return v;
}

/* A knowledge base with one track_order entry, on a new connection. */
static store *kb_store(void)
{
	struct dp_error err;
	struct kb_entry e;
	char intent[] = "track_order", title[] = "Where is my order?",
	     body[] = "Hello {{customer_first_name|there}}, follow your parcel under My account, Orders.",
	     lang[] = "en";
	store *s = store_open(":memory:", &err);

	ck_assert_msg(s != NULL, "%s", err.msg);
	kb_entry_init(&e);
	e.intent = intent;
	e.title = title;
	e.body = body;
	e.language = lang;
	ck_assert_int_eq(store_kb_add(s, &e, 1, &order_id, &err), 0);
	return s;
}

static void setup(void)
{
	st = kb_store();
	config_init(&cfg);
	free(cfg.drafter_backend);
	cfg.drafter_backend = xstrdup("llm");
	free(cfg.llm_endpoint);
	cfg.llm_endpoint = xasprintf("http://127.0.0.1:%d/v1/chat/completions", port);
	free(cfg.llm_api_key);
	cfg.llm_api_key = xstrdup(KEY);
	cfg.llm_timeout_ms = 5000;
	cfg.llm_retries = 2;
	fake_mode("{\"mode\": \"ok\", \"latency\": 0, \"fail_times\": -1, \"retry_after\": \"1\"}");
}

static void teardown(void)
{
	store_close(st);
	config_release(&cfg);
}

static void event(struct ticket_event *ev, const char *body)
{
	ticket_event_init(ev);
	ev->subject = xstrdup("My order");
	ev->body = xstrdup(body);
	ev->customer_name = xstrdup("Maria Lopez");
	ev->customer_email = xstrdup("maria@customer.example");
}

/* Draft for intent with a fresh drafter on store s; customer-facing. */
static int run_on(store *s, const char *intent, const char *body,
		  struct draft_result *r)
{
	struct drafter *d = drafter_new(&cfg);
	struct ticket_event ev;
	struct decision dec;
	int rc;

	event(&ev, body);
	decision_init(&dec);
	snprintf(dec.intent, sizeof(dec.intent), "%s", intent);
	draft_result_init(r);
	rc = drafter_run(d, s, &ev, &dec, true, r);
	drafter_free(d);
	ticket_event_release(&ev);
	return rc;
}

static int run(const char *intent, const char *body, struct draft_result *r)
{
	return run_on(st, intent, body, r);
}

START_TEST(test_success)
{
	struct draft_result r;
	json_t *stats, *msgs;
	const char *user;
	long long before = fake_stat("requests");

	ck_assert_int_eq(run("track_order", "Where is my parcel? Write to maria.l@home.example", &r), 0);
	ck_assert_str_eq(r.drafter, "llm");
	ck_assert_ptr_nonnull(strstr(r.text, "Hello Maria, follow your parcel"));
	ck_assert_ptr_nonnull(strstr(r.text, "talk to a person")); /* default footer */
	ck_assert_int_gt(r.tokens_in, 0);
	ck_assert_int_gt(r.tokens_out, 0);
	ck_assert_int_ge(r.model_ms, 0);
	ck_assert_int_eq(fake_stat("requests"), before + 1);
	/* what left the machine: key, fenced and redacted customer text */
	stats = fake("GET", "/__stats", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(stats, "last_auth")),
			 "Bearer " KEY);
	msgs = json_object_get(json_object_get(stats, "last_request"), "messages");
	user = json_string_value(json_object_get(json_array_get(msgs, 1), "content"));
	ck_assert_ptr_nonnull(strstr(user, "<<<CUSTOMER_MESSAGE"));
	ck_assert_ptr_nonnull(strstr(user, "[EMAIL_1]"));
	ck_assert_ptr_null(strstr(user, "maria.l@home.example"));
	json_decref(stats);
	draft_result_release(&r);
}
END_TEST

START_TEST(test_429_retry_after)
{
	struct draft_result r;
	long long before = fake_stat("requests");

	fake_mode("{\"mode\": \"429\", \"fail_times\": 1, \"retry_after\": \"1\"}");
	ck_assert_int_eq(run("track_order", "Where is my parcel?", &r), 0);
	ck_assert_str_eq(r.drafter, "llm");
	ck_assert_int_eq(fake_stat("requests"), before + 2);
	/* the second try waited for Retry-After */
	ck_assert_int_ge(r.model_ms, 1000);
	draft_result_release(&r);

	/* Retry-After past the time budget: no second try */
	before = fake_stat("requests");
	fake_mode("{\"mode\": \"429\", \"fail_times\": 1, \"retry_after\": \"60\"}");
	ck_assert_int_eq(run("", "parcel", &r), DP_EREMOTE);
	ck_assert_str_eq(r.failure, DRAFT_MODEL_FAILED);
	ck_assert_ptr_nonnull(strstr(r.detail, "429"));
	ck_assert_int_eq(fake_stat("requests"), before + 1);
	draft_result_release(&r);
}
END_TEST

START_TEST(test_500_fallback)
{
	struct draft_result r;
	long long before = fake_stat("requests");

	fake_mode("{\"mode\": \"500\", \"fail_times\": -1}");
	/* a confident kb answer exists: it is used instead */
	ck_assert_int_eq(run("track_order", "Where is my parcel?", &r), 0);
	ck_assert_str_eq(r.drafter, "kb");
	ck_assert_ptr_nonnull(strstr(r.text, "Hello Maria"));
	ck_assert_int_eq(fake_stat("requests"), before + 1 + cfg.llm_retries);
	draft_result_release(&r);
	/* none: model_failed */
	ck_assert_int_lt(run("", "parcel", &r), 0);
	ck_assert_str_eq(r.failure, DRAFT_MODEL_FAILED);
	ck_assert_ptr_nonnull(strstr(r.detail, "500"));
	ck_assert_ptr_null(r.text);
	draft_result_release(&r);
}
END_TEST

START_TEST(test_timeout)
{
	struct draft_result r;

	fake_mode("{\"mode\": \"hang\"}");
	cfg.llm_timeout_ms = 800;
	ck_assert_int_eq(run("", "parcel", &r), DP_ETIMEOUT);
	ck_assert_str_eq(r.failure, DRAFT_MODEL_FAILED);
	ck_assert_ptr_nonnull(strstr(r.detail, "no answer within 800 ms"));
	draft_result_release(&r);
}
END_TEST

START_TEST(test_bad_answers)
{
	static const struct {
		const char *mode;
		const char *detail;
	} cases[] = {
		{"malformed", "not a chat completion"},
		{"not_json", "not a JSON object"},
		{"no_cite", "cites no kb entry"},
		{"invent_id", "not given"},
		{"promise", "refund"},
		{"link", "a link"},
		{"leak", "instructions"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct draft_result r;
		char *ctl = xasprintf("{\"mode\": \"%s\"}", cases[i].mode);

		fake_mode(ctl);
		free(ctl);
		ck_assert_int_lt(run("", "parcel", &r), 0);
		ck_assert_str_eq(r.failure, DRAFT_MODEL_FAILED);
		ck_assert_msg(strstr(r.detail, cases[i].detail), "%s: detail '%s'",
			      cases[i].mode, r.detail);
		ck_assert_ptr_null(r.text);
		draft_result_release(&r);
	}
}
END_TEST

START_TEST(test_wrong_key)
{
	struct draft_result r;
	long long before = fake_stat("requests");

	free(cfg.llm_api_key);
	cfg.llm_api_key = xstrdup("wrong");
	ck_assert_int_lt(run("", "parcel", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.detail, "401"));
	ck_assert_int_eq(fake_stat("requests"), before + 1); /* not retried */
	draft_result_release(&r);
}
END_TEST

#define THREADS 6

/* One worker: its own connection and drafter, as in the pipeline. */
static void *draft_thread(void *arg)
{
	store *s = kb_store();

	run_on(s, "track_order", "Where is my parcel?", arg);
	store_close(s);
	return NULL;
}

START_TEST(test_in_flight_bound)
{
	pthread_t t[THREADS];
	struct draft_result r[THREADS];

	fake_mode("{\"mode\": \"ok\", \"latency\": 0.3, \"reset\": true}");
	cfg.llm_max_in_flight = 2;
	for (int i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, draft_thread, &r[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		ck_assert_ptr_nonnull(r[i].text);
		ck_assert_str_eq(r[i].drafter, "llm");
		draft_result_release(&r[i]);
	}
	ck_assert_int_eq(fake_stat("completions"), THREADS);
	ck_assert_int_le(fake_stat("max_in_flight"), 2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("llm");
	TCase *tc = tcase_create("fake");

	tcase_add_unchecked_fixture(tc, fake_up, fake_down);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_success);
	tcase_add_test(tc, test_429_retry_after);
	tcase_add_test(tc, test_500_fallback);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_bad_answers);
	tcase_add_test(tc, test_wrong_key);
	tcase_add_test(tc, test_in_flight_bound);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
