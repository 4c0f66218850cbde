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

static Suite *suite(void)
{
	Suite *s = suite_create("zammad_e2e");
	TCase *tc = tcase_create("zammad");

	tcase_add_unchecked_fixture(tc, up, down);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_vip_goes_to_a_human_and_is_routed);
	tcase_add_test(tc, test_routine_email_gets_a_draft_note);
	tcase_add_test(tc, test_wrong_signature_is_401_and_stores_nothing);
	tcase_add_test(tc, test_same_delivery_twice_is_decided_once);
	tcase_add_test(tc, test_outage_then_recovery_applies_each_action_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
