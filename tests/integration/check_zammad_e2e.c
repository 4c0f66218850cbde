/*
 * check_zammad_e2e.c - Zammad end to end: signed webhooks through the real
 * nginx into `deskpilot serve`, the pipeline deciding them, and the
 * write-back arriving at a fake Zammad that speaks Zammad's REST API.
 *
 * The service runs with a trained intent model (data/bitext/train.csv)
 * and the example knowledge base, as after the quick start. The tests run
 * in order against one stack and read the fake's state to assert what an
 * agent would see in the ticket.
 */
#include "harness.h"
#include "zammad_peer.h"

#include "common/dp.h"
#include "common/hmac.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SECRET ZAMMAD_SECRET
#define TOKEN ZAMMAD_TOKEN
#define WAIT_MS 20000

static struct harness *h;
static int zammad_port;

/* ---- the stack -------------------------------------------------------- */

static void up(void)
{
	h = zammad_harness(HARNESS_QUICK "[policy]\nmode = draft\n",
			   "vip_group = VIP\nvip_priority = 3 high\n", &zammad_port);
	harness_assert_started(h);
}

static void down(void)
{
	harness_free(h);
	h = NULL;
}

/* ---- tests ------------------------------------------------------------ */

START_TEST(test_vip_goes_to_a_human_and_is_routed)
{
	struct harness_response r;
	size_t len;
	char *body = zammad_fixture("webhook-default-vip-customer.body", &len);
	json_t *st;

	ck_assert_int_eq(zammad_deliver(h, body, len, "vip-1", SECRET, &r), 202);
	harness_response_release(&r);
	harness_assert_settled(h, "SELECT count(*) FROM outbox o JOIN decisions d ON d.id = o.decision_id"
				  " WHERE d.outcome = 'human_vip' AND o.state = 'done'",
			       WAIT_MS);
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert(zammad_has_tag(st, 82, "vip"));
	ck_assert(zammad_has_tag(st, 82, "human-only"));
	ck_assert(!zammad_has_tag(st, 82, "ai-draft"));
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(st, "tickets"), "82"), "priority")),
			 "3 high");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(st, "tickets"), "82"), "group")),
			 "VIP");
	ck_assert_int_eq(zammad_articles(st, 82, true, "vip"), 1);
	ck_assert_int_eq(zammad_articles(st, 82, true, NULL), 1);
	ck_assert_int_eq(zammad_articles(st, 82, false, NULL), 0);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
	json_decref(st);
	free(body);
}
END_TEST

START_TEST(test_routine_email_gets_a_draft_note)
{
	struct harness_response r;
	size_t len;
	char *body = zammad_fixture("webhook-default-customer-email.body", &len);
	json_t *st;

	ck_assert_int_eq(zammad_deliver(h, body, len, "3f1c2b9e-8d0a-4c55-9a51-0d6e3b7a9c10",
					SECRET, &r),
			 202);
	harness_response_release(&r);
	harness_assert_settled(h, "SELECT count(*) FROM decisions WHERE ticket_id = 81", WAIT_MS);
	ck_assert(harness_sql_text_is(h, "SELECT outcome FROM decisions WHERE ticket_id = 81",
				      "ai_draft"));
	ck_assert(harness_sql_text_is(h, "SELECT intent FROM decisions WHERE ticket_id = 81",
				      "recover_password"));
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert(zammad_has_tag(st, 81, "ai-draft"));
	ck_assert(!zammad_has_tag(st, 81, "vip"));
	ck_assert_int_eq(zammad_articles(st, 81, true, NULL), 1);
	ck_assert_int_eq(zammad_articles(st, 81, true, "password"), 1);
	ck_assert_int_eq(zammad_articles(st, 81, false, NULL), 0);
	json_decref(st);
	free(body);
}
END_TEST

START_TEST(test_wrong_signature_is_401_and_stores_nothing)
{
	struct harness_response r;
	size_t len;
	char *body = zammad_fixture("webhook-default-customer-email.body", &len);
	int64_t before = harness_assert_sql_int(h, "SELECT count(*) FROM events");

	ck_assert_int_eq(zammad_deliver(h, body, len, "forged-1", "not-the-secret", &r), 401);
	ck_assert_ptr_nonnull(strstr(r.body, "\"error\""));
	ck_assert_ptr_null(strstr(r.body, SECRET));
	harness_response_release(&r);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM events"), before);
	free(body);
}
END_TEST

START_TEST(test_same_delivery_twice_is_decided_once)
{
	struct harness_response r;
	size_t len;
	char *body = zammad_fixture("webhook-default-customer-email.body", &len);
	json_t *st;

	/* Zammad retrying the delivery the previous test sent. */
	ck_assert_int_eq(zammad_deliver(h, body, len, "3f1c2b9e-8d0a-4c55-9a51-0d6e3b7a9c10",
					SECRET, &r),
			 200);
	ck_assert_ptr_nonnull(strstr(r.body, "duplicate"));
	harness_response_release(&r);
	/* The same article under a new delivery id is the same event too. */
	ck_assert_int_eq(zammad_deliver(h, body, len, "another-delivery", SECRET, &r), 200);
	harness_response_release(&r);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM events WHERE ticket_id = 81"), 1);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM decisions WHERE ticket_id = 81"), 1);
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert_int_eq(zammad_articles(st, 81, true, NULL), 1);
	json_decref(st);
	free(body);
}
END_TEST

START_TEST(test_outage_then_recovery_applies_each_action_once)
{
	struct harness_response r;
	size_t len;
	char *body = zammad_event(81, 105,
				  "This did not help at all. I want to talk to a real person, please.",
				  &len);
	json_t *st;
	int64_t did;

	/* Zammad answers 500 to the next four calls, then recovers. */
	harness_assert_fake_control(h, zammad_port, "{\"fail_next\": 4, \"status\": 500}");
	ck_assert_int_eq(zammad_deliver(h, body, len, "follow-up-1", SECRET, &r), 202);
	harness_response_release(&r);
	harness_assert_settled(h, "SELECT count(*) FROM decisions WHERE ticket_id = 81 AND outcome = 'human'", WAIT_MS);
	did = harness_assert_sql_int(h, "SELECT id FROM decisions WHERE ticket_id = 81 AND outcome = 'human'");
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
	ck_assert_int_ge(harness_assert_sql_int(h, "SELECT max(attempts) FROM outbox"), 2);
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert(zammad_has_tag(st, 81, "needs-human"));
	/* One note for the first decision, one for this one: no copies. */
	ck_assert_int_eq(zammad_articles(st, 81, true, NULL), 2);
	ck_assert_int_eq(zammad_marked(st, did), 1);
	ck_assert_int_eq(zammad_articles(st, 81, false, NULL), 0);
	json_decref(st);
	free(body);
}
END_TEST

/* ---- write-back: wake-ups, actions of different tickets at once --------- */

/* A stack whose threads poll only once a minute (so anything sooner was a
 * wake-up), with three helpdesk calls at once against a fake Zammad that
 * takes 100 ms a call. */
#define IN_FLIGHT 3

static void up_writeback(void)
{
	h = zammad_harness("[policy]\nmode = draft\n"
			   "[workers]\npoll_ms = 60000\n"
			   "[outbox]\nmax_in_flight = 3\nretry_base_ms = 100\n"
			   "retry_max_ms = 400\n",
			   NULL, &zammad_port);
	harness_assert_started(h);
	harness_assert_fake_control(h, zammad_port,
				    "{\"delay_ms\": 100, \"create_tickets\":"
				    " [301, 302, 303, 304, 305, 306, 307]}");
}

static void deliver_to(long ticket, long article, const char *delivery)
{
	struct harness_response r;
	size_t len;
	char *body = zammad_event(ticket, article,
				  "I want to talk to a real person about my order, please.",
				  &len);

	ck_assert_int_eq(zammad_deliver(h, body, len, delivery, SECRET, &r), 202);
	harness_response_release(&r);
	free(body);
}

/* Every action of the tickets > 300 done, and at least `want` of them. */
static void wait_applied(int want)
{
	char sql[160];

	harness_assert_settled(h, "SELECT count(*) FROM outbox WHERE ticket_id > 300 AND state = 'done'",
			       WAIT_MS);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) >= %d AND sum(state != 'done') = 0 FROM outbox WHERE ticket_id > 300",
		 want);
	ck_assert_int_eq(harness_assert_sql_int(h, sql), 1);
}

/* Nothing polls within the test's time: the stored message woke a worker,
 * the committed decision a dispatcher. */
START_TEST(test_committed_work_wakes_workers_and_dispatchers)
{
	deliver_to(301, 3011, "wake-1");
	harness_assert_settled(h, "SELECT count(*) FROM decisions WHERE ticket_id = 301", WAIT_MS);
	wait_applied(1);
}
END_TEST

/* The write request an action makes ("POST /api/v1/tags/add"), or NULL
 * for one this test does not know. */
static const char *write_of(const char *action)
{
	if (strcmp(action, "tag_add") == 0)
		return "POST /api/v1/tags/add";
	if (strcmp(action, "ticket_update") == 0)
		return "PUT /api/v1/tickets/";
	if (strcmp(action, "note") == 0 || strcmp(action, "reply") == 0)
		return "POST /api/v1/ticket_articles";
	return NULL;
}

/* Seven tickets' actions against a slow helpdesk: calls for different
 * tickets overlap, never more than max_in_flight of them, and each
 * ticket's calls come one after another in the planned order. */
START_TEST(test_tickets_in_parallel_each_in_order)
{
	json_t *st, *timeline, *ev;
	int64_t max;
	size_t i;

	for (long t = 302; t <= 307; t++) {
		char delivery[32];

		snprintf(delivery, sizeof(delivery), "par-%ld", t);
		deliver_to(t, t * 10, delivery);
	}
	harness_assert_settled(h, "SELECT count(*) FROM decisions WHERE ticket_id > 301", WAIT_MS);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM decisions WHERE ticket_id > 301"), 6);
	wait_applied(6 * 2);
	st = harness_assert_fake_state(h, zammad_port);
	max = json_integer_value(json_object_get(st, "max_in_flight"));
	ck_assert_msg(max >= 2 && max <= IN_FLIGHT, "max in flight %lld", (long long)max);
	timeline = json_object_get(st, "timeline");
	for (long t = 302; t <= 307; t++) {
		char sql[200], *planned, *p;
		const char *want[32];
		size_t n_want = 0, k = 0;
		double last_end = 0;

		snprintf(sql, sizeof(sql),
			 "SELECT group_concat(action, ',') FROM"
			 " (SELECT action FROM outbox WHERE ticket_id = %ld ORDER BY id)",
			 t);
		planned = harness_sql_text(h, sql);
		ck_assert_ptr_nonnull(planned);
		for (p = planned; p && *p && n_want < DP_ARRAY_LEN(want);) {
			char *comma = strchr(p, ',');

			if (comma)
				*comma = '\0';
			if (write_of(p))
				want[n_want++] = write_of(p);
			p = comma ? comma + 1 : NULL;
		}
		ck_assert_uint_ge(n_want, 2);
		json_array_foreach(timeline, i, ev) {
			const char *method = json_string_value(json_array_get(ev, 2));
			const char *path = json_string_value(json_array_get(ev, 3));
			char call[160];

			if (json_integer_value(json_array_get(ev, 4)) != t)
				continue;
			/* One call of the ticket at a time. */
			ck_assert_msg(json_number_value(json_array_get(ev, 0)) >= last_end,
				      "ticket %ld: calls overlap", t);
			last_end = json_number_value(json_array_get(ev, 1));
			if (strcmp(method, "GET") == 0)
				continue;
			/* Its writes in the order the actions were planned. */
			snprintf(call, sizeof(call), "%s %s", method, path);
			ck_assert_msg(k < n_want && strncmp(call, want[k], strlen(want[k])) == 0,
				      "ticket %ld: %s where %s was next", t, call,
				      k < n_want ? want[k] : "nothing");
			k++;
		}
		ck_assert_msg(k == n_want, "ticket %ld: %zu of %zu planned writes", t, k, n_want);
		free(planned);
	}
	json_decref(st);
	ck_assert_int_eq(harness_assert_sql_int(h,
						"SELECT count(*) FROM outbox a JOIN outbox b"
						" ON a.ticket_id = b.ticket_id AND a.id < b.id"
						" WHERE a.done_at > b.done_at"),
			 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("zammad_e2e");
	TCase *tc = tcase_create("zammad");
	TCase *wb = tcase_create("writeback");

	tcase_add_unchecked_fixture(tc, up, down);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_vip_goes_to_a_human_and_is_routed);
	tcase_add_test(tc, test_routine_email_gets_a_draft_note);
	tcase_add_test(tc, test_wrong_signature_is_401_and_stores_nothing);
	tcase_add_test(tc, test_same_delivery_twice_is_decided_once);
	tcase_add_test(tc, test_outage_then_recovery_applies_each_action_once);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(wb, up_writeback, down);
	tcase_set_timeout(wb, 60);
	tcase_add_test(wb, test_committed_work_wakes_workers_and_dispatchers);
	tcase_add_test(wb, test_tickets_in_parallel_each_in_order);
	suite_add_tcase(s, wb);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
