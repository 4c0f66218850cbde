/*
 * check_zammad_fidelity.c - what a real Zammad does that the happy path
 * does not show, end to end: signed webhooks through the real nginx into
 * `deskpilot serve`, decided by the pipeline in mode auto, written back to
 * the fake Zammad over its REST API.
 *
 * - an out-of-office reply (article preferences "is-auto-response": true)
 *   is a customer article that fires the triggers like any other, and
 *   must get no answer;
 * - a public reply on a ticket whose group has no e-mail address is
 *   refused by Zammad with HTTP 500 on every attempt, and must end with
 *   the draft in front of a human, not in a day of retries;
 * - a customer is premium through any of their organizations, and the
 *   webhook carries the VIP flag of the ticket's organization only: the
 *   others are read from Zammad, and when that fails no AI text goes out.
 *
 * The tests run in order against one stack.
 */
#include "harness.h"
#include "zammad_peer.h"

#include "common/dp.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 20000

static struct harness *h;
static int zammad_port;

static void up(void)
{
	/* Routine password questions are answered publicly (mode auto). */
	h = zammad_harness(HARNESS_QUICK
			   "[policy]\nmode = auto\nauto_reply_intents = recover_password\n",
			   "vip_group = VIP\nvip_priority = 3 high\n", &zammad_port);
	harness_assert_started(h);
}

static void down(void)
{
	harness_free(h);
	h = NULL;
}

/* The routine fixture as a new message on ticket, its customer also in
 * the organizations ids (compact JSON, new string). */
static char *event_with_orgs(long ticket, long article, json_t *ids, size_t *len)
{
	size_t n;
	char *raw = zammad_fixture("webhook-default-customer-email.body", &n);
	json_t *j = json_loadb(raw, n, 0, NULL);
	json_t *t = json_object_get(j, "ticket");
	json_t *a = json_object_get(j, "article");
	char *out;

	ck_assert_ptr_nonnull(j);
	json_object_set_new(t, "id", json_integer(ticket));
	json_object_set_new(t, "number", json_sprintf("%ld", 26000 + ticket));
	json_object_set_new(json_object_get(t, "customer"), "organization_ids", ids);
	json_object_set_new(a, "id", json_integer(article));
	json_object_set_new(a, "ticket_id", json_integer(ticket));
	out = json_dumps(j, JSON_COMPACT);
	*len = strlen(out);
	json_decref(j);
	free(raw);
	return out;
}

/* Deliver that message (ids: the organizations, a new reference taken
 * over) and wait until its ticket is decided and written back. */
static void decided_with_orgs(long ticket, long article, json_t *ids,
			      const char *delivery)
{
	struct harness_response r;
	size_t len;
	char *body = event_with_orgs(ticket, article, ids, &len);
	char *sql = xasprintf("SELECT count(*) FROM decisions WHERE ticket_id = %ld", ticket);

	ck_assert_int_eq(zammad_deliver(h, body, len, delivery, ZAMMAD_SECRET, &r), 202);
	harness_response_release(&r);
	harness_assert_settled(h, sql, WAIT_MS);
	free(sql);
	free(body);
}

/* ---- tests ------------------------------------------------------------ */

/* Ticket 81's group has no e-mail address. The routine question is
 * decided ai_reply; Zammad refuses the reply with 500 "No email address
 * found for group"; the reply is dead-lettered with that reason at once,
 * and the ticket gets the draft as an internal note and needs-human. */
START_TEST(test_undeliverable_reply_goes_to_a_human)
{
	struct harness_response r;
	size_t len;
	char *body = zammad_fixture("webhook-default-customer-email.body", &len);
	char *why;
	json_t *st;

	harness_assert_fake_control(h, zammad_port, "{\"ticket_group\": {\"81\": 4}, \"admin\": true}");
	ck_assert_int_eq(zammad_deliver(h, body, len, "nomail-1", ZAMMAD_SECRET, &r), 202);
	harness_response_release(&r);
	harness_assert_settled(h, "SELECT count(*) FROM decisions WHERE ticket_id = 81", WAIT_MS);
	ck_assert(harness_sql_text_is(h, "SELECT outcome FROM decisions WHERE ticket_id = 81",
				      "ai_reply"));
	/* Dead at the first refusal, not retried until max age. */
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE ticket_id = 81"
						   " AND action = 'reply' AND state = 'dead' AND attempts = 1"),
			 1);
	why = harness_sql_text(h, "SELECT last_error FROM outbox WHERE ticket_id = 81"
				  " AND action = 'reply'");
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, "No email address found for group 'Phone Desk' (4)"), "%s", why);
	free(why);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE ticket_id = 81"
						   " AND state = 'dead'"),
			 1);
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert_int_eq(zammad_articles(st, 81, false, NULL), 0);
	ck_assert_int_eq(zammad_articles(st, 81, true, NULL), 1);
	ck_assert_int_eq(zammad_articles(st, 81, true, "could not be delivered"), 1);
	ck_assert_int_eq(zammad_articles(st, 81, true, "password"), 1);
	ck_assert(zammad_has_tag(st, 81, "needs-human"));
	ck_assert(!zammad_has_tag(st, 81, "ai-replied"));
	json_decref(st);
	free(body);
}
END_TEST

/* Nora's mailbox answers with an out-of-office mail. Zammad stores it as
 * a public customer article flagged is-auto-response and fires the
 * triggers: deskpilot records it and answers nothing. */
START_TEST(test_auto_response_gets_no_answer)
{
	struct harness_response r;
	size_t len;
	char *body = zammad_fixture("webhook-auto-response.body", &len);
	int64_t outbox_before = harness_assert_sql_int(h, "SELECT count(*) FROM outbox");
	char *reasons;
	json_t *st;

	ck_assert_int_eq(zammad_deliver(h, body, len, "ooo-1", ZAMMAD_SECRET, &r), 202);
	harness_response_release(&r);
	harness_assert_settled(h, "SELECT count(*) FROM decisions d JOIN events e ON e.id = d.event_id"
				  " WHERE e.article_id = 106",
			       WAIT_MS);
	ck_assert(harness_sql_text_is(h, "SELECT d.outcome FROM decisions d JOIN events e"
					 " ON e.id = d.event_id WHERE e.article_id = 106",
				      "none"));
	ck_assert(harness_sql_text_is(h, "SELECT coalesce(d.would_be, 'none') FROM decisions d"
					 " JOIN events e ON e.id = d.event_id"
					 " WHERE e.article_id = 106",
				      "none"));
	reasons = harness_sql_text(h, "SELECT d.reasons FROM decisions d JOIN events e"
				      " ON e.id = d.event_id WHERE e.article_id = 106");
	ck_assert_ptr_nonnull(reasons);
	ck_assert_msg(strstr(reasons, "\"auto_response\""), "%s", reasons);
	free(reasons);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox"), outbox_before);
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert_int_eq(zammad_articles(st, 81, false, NULL), 0);
	ck_assert_int_eq(zammad_articles(st, 81, true, "out of the office"), 0);
	json_decref(st);
	free(body);
}
END_TEST

/* Nora also belongs to BigCorp Group (secondary organization 12, VIP in
 * Zammad 6.1+): the ticket, filed under her non-VIP primary organization,
 * is premium - a human, the VIP routing, no AI text. */
START_TEST(test_premium_through_secondary_organization)
{
	json_t *st;

	harness_assert_fake_control(h, zammad_port,
				    "{\"create_tickets\": [83], \"organizations\": {\"12\":"
				    " {\"id\": 12, \"name\": \"BigCorp Group\", \"vip\": true,"
				    " \"active\": true, \"member_ids\": [8]}}}");
	decided_with_orgs(83, 830, json_pack("[i,i]", 3, 12), "org-1");
	ck_assert(harness_sql_text_is(h, "SELECT outcome FROM decisions WHERE ticket_id = 83",
				      "human_vip"));
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert(zammad_has_tag(st, 83, "vip"));
	ck_assert(zammad_has_tag(st, 83, "human-only"));
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(st, "tickets"), "83"), "group")),
			 "VIP");
	ck_assert_int_eq(zammad_articles(st, 83, false, NULL), 0);
	ck_assert_int_eq(zammad_articles(st, 83, true, "premium"), 1);
	json_decref(st);
}
END_TEST

/* deskpilot's own rule names Nora's secondary organization, which a
 * Zammad before 6.1 does not flag: its name, read by the enrich step,
 * makes the ticket premium all the same. */
START_TEST(test_rule_names_a_secondary_organization)
{
	char *reasons;

	ck_assert_int_eq(harness_cli(h, (const char *const[]){"vip", "add", "organization", "Initech Holdings", NULL},
				     NULL),
			 0);
	harness_assert_fake_control(h, zammad_port,
				    "{\"create_tickets\": [85], \"organizations\": {\"14\":"
				    " {\"id\": 14, \"name\": \"Initech Holdings\", \"active\": true}}}");
	decided_with_orgs(85, 850, json_pack("[i,i]", 3, 14), "org-3");
	ck_assert(harness_sql_text_is(h, "SELECT outcome FROM decisions WHERE ticket_id = 85",
				      "human_vip"));
	reasons = harness_sql_text(h, "SELECT reasons FROM decisions WHERE ticket_id = 85");
	ck_assert_msg(reasons && strcasestr(reasons, "organization=Initech Holdings"), "%s",
		      reasons ? reasons : "");
	free(reasons);
}
END_TEST

/* The secondary organization cannot be read (Zammad answers 500): whether
 * the customer is premium is unknown, so the routine question that would
 * have been answered in public goes to a human. */
START_TEST(test_unreadable_organization_holds_ai_back)
{
	char *reasons;
	json_t *st;

	harness_assert_fake_control(h, zammad_port,
				    "{\"create_tickets\": [84], \"fail_next\": 1000, \"status\": 500,"
				    " \"fail_match\": \"GET /api/v1/organizations/13\"}");
	decided_with_orgs(84, 840, json_pack("[i]", 13), "org-2");
	harness_assert_fake_control(h, zammad_port, "{\"fail_next\": 0}");
	ck_assert(harness_sql_text_is(h, "SELECT outcome FROM decisions WHERE ticket_id = 84",
				      "human"));
	reasons = harness_sql_text(h, "SELECT reasons FROM decisions WHERE ticket_id = 84");
	ck_assert_ptr_nonnull(reasons);
	ck_assert_msg(strstr(reasons, "\"vip_unknown\""), "%s", reasons);
	free(reasons);
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert_int_eq(zammad_articles(st, 84, false, NULL), 0);
	ck_assert(zammad_has_tag(st, 84, "needs-human"));
	ck_assert(!zammad_has_tag(st, 84, "ai-replied"));
	json_decref(st);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("zammad_fidelity");
	TCase *tc = tcase_create("zammad");

	tcase_add_unchecked_fixture(tc, up, down);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_undeliverable_reply_goes_to_a_human);
	tcase_add_test(tc, test_auto_response_gets_no_answer);
	tcase_add_test(tc, test_premium_through_secondary_organization);
	tcase_add_test(tc, test_rule_names_a_secondary_organization);
	tcase_add_test(tc, test_unreadable_organization_holds_ai_back);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
