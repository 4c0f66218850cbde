/*
 * check_http_client.c - the outbound HTTP client against the fake Zammad on
 * a loopback port: statuses, bodies, headers, Retry-After, the response
 * cap, no redirects, protocol restriction, timeouts and refused
 * connections.
 */
#include "common/http_client.h"
#include "test.h"

#include "fake_zammad_ctl.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fake_zammad fake;

static void start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fake_zammad_start(&fake);
}

static void stop(void)
{
	fake_zammad_stop(&fake);
	curl_global_cleanup();
}

static void reset(void)
{
	ck_assert_int_eq(fake_zammad_control(&fake, "{\"reset\":true}"), 0);
}

/* One call to the fake; path is appended to its URL. */
static int call(const char *method, const char *path, const char *const *headers,
		const char *body, int timeout_ms, struct http_response *r,
		struct dp_error *err)
{
	struct http_client *c = http_client_new();
	char url[256];
	struct http_call hc = {method, url, headers, body, body ? strlen(body) : 0,
			       2000, timeout_ms, true};
	int rc;

	snprintf(url, sizeof(url), "%s%s", fake.url, path);
	rc = http_client_do(c, &hc, r, err);
	http_client_free(c);
	return rc;
}

static const char *const auth[] = {"Authorization: Token token=" FAKE_TOKEN,
				   "Content-Type: application/json", NULL};

START_TEST(get_and_post_with_headers)
{
	struct http_response r;
	struct dp_error err = {{0}};
	json_t *state;

	reset();
	http_response_init(&r);
	ck_assert_int_eq(call("POST", "/api/v1/tags/add", auth,
			      "{\"item\":\"vip\",\"object\":\"Ticket\",\"o_id\":82}",
			      5000, &r, &err),
			 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(buf_str(&r.body), "true");
	ck_assert_int_eq(call("GET", "/api/v1/tags?object=Ticket&o_id=82", auth, NULL,
			      5000, &r, &err),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(buf_str(&r.body), "{\"tags\": [\"vip\"]}");
	ck_assert_str_eq(r.retry_after, "");
	http_response_release(&r);
	state = fake_zammad_state(&fake);
	ck_assert_ptr_nonnull(state);
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(state, "tags"), "82")), 1);
	json_decref(state);
}
END_TEST

START_TEST(error_status_is_a_response)
{
	struct http_response r;

	reset();
	http_response_init(&r);
	/* No token: Zammad's 401 is a response, not a transport error. */
	ck_assert_int_eq(call("GET", "/api/v1/users/me", NULL, NULL, 5000, &r, NULL), 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "Authentication required"));
	http_response_release(&r);
}
END_TEST

START_TEST(retry_after_is_kept)
{
	struct http_response r;

	reset();
	ck_assert_int_eq(fake_zammad_control(&fake,
					     "{\"fail_next\":1,\"status\":503,\"retry_after\":\"7\"}"),
			 0);
	http_response_init(&r);
	ck_assert_int_eq(call("GET", "/api/v1/users/me", auth, NULL, 5000, &r, NULL), 0);
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(r.retry_after, "7");
	/* The next call on a fresh response has no stale header. */
	ck_assert_int_eq(call("GET", "/api/v1/users/me", auth, NULL, 5000, &r, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.retry_after, "");
	http_response_release(&r);
}
END_TEST

START_TEST(redirects_are_not_followed)
{
	struct http_response r;

	http_response_init(&r);
	ck_assert_int_eq(call("GET", "/__redirect", NULL, NULL, 5000, &r, NULL), 0);
	ck_assert_int_eq(r.status, 302);
	ck_assert_ptr_null(strstr(buf_str(&r.body), "tickets"));
	http_response_release(&r);
}
END_TEST

START_TEST(response_body_is_capped)
{
	struct http_response r;
	struct dp_error err = {{0}};
	char path[64];

	http_response_init(&r);
	ck_assert_int_eq(call("GET", "/__blob?size=1000", NULL, NULL, 5000, &r, &err), 0);
	ck_assert_uint_eq(r.body.len, 1000);
	snprintf(path, sizeof(path), "/__blob?size=%u", HTTP_CLIENT_MAX_RESPONSE + 1);
	ck_assert_int_eq(call("GET", path, NULL, NULL, 10000, &r, &err), DP_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than"));
	ck_assert_uint_eq(r.body.len, 0);
	http_response_release(&r);
}
END_TEST

START_TEST(only_http_and_https)
{
	struct http_client *c = http_client_new();
	struct http_response r;
	struct dp_error err = {{0}};
	struct http_call hc = {"GET", "file:///etc/hostname", NULL, NULL, 0, 1000, 1000, true};

	http_response_init(&r);
	ck_assert_int_eq(http_client_do(c, &hc, &r, &err), DP_EIO);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.body.len, 0);
	http_response_release(&r);
	http_client_free(c);
}
END_TEST

START_TEST(total_timeout)
{
	struct http_response r;
	struct dp_error err = {{0}};

	reset();
	ck_assert_int_eq(fake_zammad_control(&fake, "{\"delay_ms\":3000}"), 0);
	http_response_init(&r);
	ck_assert_int_eq(call("GET", "/api/v1/users/me", auth, NULL, 300, &r, &err),
			 DP_ETIMEOUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "timed out"));
	http_response_release(&r);
	reset();
}
END_TEST

START_TEST(refused_connection)
{
	struct http_client *c = http_client_new();
	struct http_response r;
	struct dp_error err = {{0}};
	char url[64];
	struct http_call hc = {"GET", url, NULL, NULL, 0, 1000, 2000, true};

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", fake_zammad_dead_port());
	http_response_init(&r);
	ck_assert_int_eq(http_client_do(c, &hc, &r, &err), DP_EIO);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "127.0.0.1"));
	http_response_release(&r);
	http_client_free(c);
}
END_TEST

START_TEST(client_is_reused)
{
	struct http_client *c = http_client_new();
	struct http_response r;
	char url[128];
	struct http_call hc = {"GET", url, auth, NULL, 0, 2000, 5000, true};

	reset();
	snprintf(url, sizeof(url), "%s/api/v1/tickets/81", fake.url);
	http_response_init(&r);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(http_client_do(c, &hc, &r, NULL), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "\"number\": \"26081\""));
	}
	http_response_release(&r);
	http_client_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("http_client");
	TCase *tc = tcase_create("fake");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, get_and_post_with_headers);
	tcase_add_test(tc, error_status_is_a_response);
	tcase_add_test(tc, retry_after_is_kept);
	tcase_add_test(tc, redirects_are_not_followed);
	tcase_add_test(tc, response_body_is_capped);
	tcase_add_test(tc, only_http_and_https);
	tcase_add_test(tc, total_timeout);
	tcase_add_test(tc, refused_connection);
	tcase_add_test(tc, client_is_reused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
