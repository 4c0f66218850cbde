/*
 * check_ops_e2e.c - operations end to end, with short windows: the VIP SLA
 * watchdog escalating an unanswered premium ticket in a fake Zammad (and
 * leaving an answered one alone), agents' replies measured against AI
 * drafts until the intent is taken off the auto-reply list, and the
 * admin's view of it all through `deskpilot stats`, `decisions`,
 * `intents` and `replay` and GET /metrics.
 *
 * One stack (real nginx, `deskpilot serve`, fake Zammad) with a trained
 * model and the example knowledge base; the tests run in order.
 */
#include "harness.h"
#include "zammad_peer.h"

#include "common/dp.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SECRET ZAMMAD_SECRET
#define WAIT_MS 30000
/* [sla] vip_sla_minutes = 0.05: three seconds. */
#define SLA_MS 3000

static struct harness *h;
static int zammad_port;

/* Run `deskpilot ARGS... -c CONF`; returns its output (new string) and
 * asserts on the exit status. */
static char *cli(int want_status, const char *const *args)
{
	char *out = NULL;
	int st = harness_cli(h, args, &out);

	ck_assert_msg(st == want_status, "deskpilot %s: status %d, want %d: %s", args[0],
		      st, want_status, out ? out : "");
	return out ? out : xstrdup("");
}

static void up(void)
{
	h = zammad_harness(HARNESS_QUICK "[policy]\nmode = draft\n"
					 "[sla]\nvip_sla_minutes = 0.05\n"
					 "[quality]\nacceptance_window = 2\nacceptance_min = 0.5\n",
			   "vip_group = VIP\n"
			   "vip_priority = 2 normal\nurgent_priority = 3 high\n",
			   &zammad_port);
	harness_assert_fake_control(h, zammad_port, "{\"create_tickets\": [90, 91, 92, 93]}");
	harness_assert_started(h);
}

static void down(void)
{
	harness_free(h);
	h = NULL;
}

/* A Zammad webhook on ticket: the customer's article, as a premium
 * customer when vip, or an agent's public reply when agent. */
static void deliver(long ticket, long article, const char *text, bool vip,
		    bool agent)
{
	struct harness_response r;
	json_error_t jerr;
	size_t len;
	char *body = zammad_event(ticket, article, text, &len);
	json_t *j = json_loadb(body, len, 0, &jerr);
	json_t *a = json_object_get(j, "article");
	char delivery[64];

	ck_assert_ptr_nonnull(j);
	if (vip)
		json_object_set_new(json_object_get(json_object_get(j, "ticket"), "customer"),
				    "vip", json_true());
	if (agent) {
		json_object_set_new(a, "sender", json_string("Agent"));
		json_object_set_new(json_object_get(a, "created_by"), "login",
				    json_string("agent.alex@example.test"));
	}
	free(body);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	snprintf(delivery, sizeof(delivery), "ops-%ld-%ld", ticket, article);
	ck_assert_int_eq(zammad_deliver(h, body, strlen(body), delivery, SECRET, &r), 202);
	harness_response_release(&r);
	free(body);
}

/* Condition: ticket 91's VIP decision is over SLA_MS + 2 s old, so the
 * watchdog (once a second) has looked at it after its deadline. */
static bool past_deadline(void *arg)
{
	int64_t age = 0;

	(void)arg;
	harness_sql_int(h,
			"SELECT CAST(strftime('%s','now') AS INTEGER) * 1000 - decided_at"
			" FROM decisions WHERE ticket_id = 91",
			&age);
	return age > SLA_MS + 2000;
}

START_TEST(test_unanswered_vip_is_escalated_once)
{
	json_t *st, *t;
	struct harness_response r;

	/* Ticket 90: premium and unanswered. Ticket 91: premium, and an agent
	 * answers at once. */
	deliver(90, 9001, "Where is my order? It should have arrived.", true, false);
	deliver(91, 9101, "Where is my order? It should have arrived.", true, false);
	deliver(91, 9102, "Hello, I am looking into it right now.", false, true);
	harness_assert_settled(h, "SELECT count(*) FROM sla_escalations WHERE ticket_id = 90", WAIT_MS);
	if (!harness_wait_until(past_deadline, NULL, WAIT_MS))
		ck_abort_msg("ticket 91 was never decided");

	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM decisions WHERE ticket_id IN (90, 91)"
						   " AND outcome = 'human_vip'"),
			 2);
	/* Once: the escalation is not repeated however long it waits. */
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM sla_escalations"), 1);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM sla_escalations WHERE ticket_id = 91"), 0);
	harness_assert_settled(h, "SELECT count(*) FROM outbox WHERE ticket_id = 90 AND state = 'done'", WAIT_MS);
	st = harness_assert_fake_state(h, zammad_port);
	t = json_object_get(json_object_get(st, "tickets"), "90");
	ck_assert(zammad_has_tag(st, 90, "vip"));
	ck_assert(zammad_has_tag(st, 90, "vip-sla-breach"));
	ck_assert_str_eq(json_string_value(json_object_get(t, "priority")), "3 high");
	/* The VIP note and the escalation note: internal, never public. */
	ck_assert_int_eq(zammad_articles(st, 90, true, NULL), 2);
	ck_assert_int_eq(zammad_articles(st, 90, false, NULL), 0);
	ck_assert(!zammad_has_tag(st, 91, "vip-sla-breach"));
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(st, "tickets"), "91"), "priority")),
			 "2 normal");
	json_decref(st);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);

	ck_assert_int_eq(harness_get(h, "/metrics", &r), 0);
	ck_assert_msg(strstr(r.body, "\ndeskpilot_sla_breaches_total 1\n"), "%s", r.body);
	ck_assert_msg(strstr(r.body, "deskpilot_decision_reasons_total{code=\"vip\"} 2\n"),
		      "%s", r.body);
	harness_response_release(&r);
}
END_TEST

START_TEST(test_rewritten_drafts_take_intent_off_auto_reply)
{
	const char *ask = "Hi, I forgot my password. How can I reset it?";
	struct harness_response r;
	char *out;

	deliver(92, 9201, ask, false, false);
	deliver(93, 9301, ask, false, false);
	harness_assert_settled(h, "SELECT count(*) = 2 FROM decisions WHERE ticket_id IN (92, 93)"
				  " AND outcome = 'ai_draft' AND intent = 'recover_password'",
			       WAIT_MS);
	/* The agents throw the drafts away and write their own. */
	deliver(92, 9202, "We called you and sorted this out by phone.", false, true);
	deliver(93, 9302, "Our colleague will contact you tomorrow.", false, true);
	harness_assert_settled(h, "SELECT count(*) FROM intent_demotions"
				  " WHERE intent = 'recover_password' AND restored_at IS NULL",
			       WAIT_MS);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM decisions WHERE ticket_id IN (92, 93)"
						   " AND acceptance < 0.5"),
			 2);

	out = cli(0, (const char *const[]){"intents", NULL});
	ck_assert_msg(strstr(out, "recover_password") && strstr(out, "demoted"), "%s", out);
	free(out);
	out = cli(0, (const char *const[]){"stats", NULL});
	ck_assert_msg(strstr(out, "(off auto-reply)"), "%s", out);
	ck_assert_msg(strstr(out, "1 SLA breaches"), "%s", out);
	free(out);

	json_error_t jerr;
	out = cli(0, (const char *const[]){"stats", "--json", "--since", "1d", NULL});
	json_t *st = json_loads(out, 0, &jerr);
	ck_assert_msg(st != NULL, "%s", out);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "vip"), "tickets")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "vip"), "answered")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "outcomes"), "ai_draft")), 2);
	json_decref(st);
	free(out);

	ck_assert_int_eq(harness_get(h, "/metrics", &r), 0);
	ck_assert_msg(strstr(r.body, "deskpilot_intent_demoted{intent=\"recover_password\"} 1\n"),
		      "%s", r.body);
	harness_response_release(&r);

	/* The admin puts it back; a second restore has nothing to do. */
	free(cli(0, (const char *const[]){"intents", "restore", "recover_password", NULL}));
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM intent_demotions"
						   " WHERE restored_at IS NOT NULL"),
			 1);
	free(cli(1, (const char *const[]){"intents", "restore", "recover_password", NULL}));
}
END_TEST

START_TEST(test_audit_log_and_replay)
{
	char id[32];
	char *out;

	out = cli(0, (const char *const[]){"decisions", "--ticket", "90", NULL});
	ck_assert_msg(strstr(out, "outcome    human_vip"), "%s", out);
	ck_assert_msg(strstr(out, "vip sla    escalated"), "%s", out);
	ck_assert_msg(strstr(out, " done (1 attempt"), "%s", out);
	ck_assert_msg(!strstr(out, "ticket 91"), "%s", out);
	free(out);

	/* Nothing changed since ticket 92 was decided. */
	snprintf(id, sizeof(id), "%lld",
		 (long long)harness_assert_sql_int(h, "SELECT event_id FROM decisions WHERE ticket_id = 92"));
	out = cli(0, (const char *const[]){"replay", id, NULL});
	ck_assert_msg(strstr(out, "stored    ai_draft, intent recover_password"), "%s", out);
	ck_assert_msg(strstr(out, "no change"), "%s", out);
	free(out);
	/* An agent reply is not something to decide. */
	snprintf(id, sizeof(id), "%lld",
		 (long long)harness_assert_sql_int(h, "SELECT id FROM events WHERE kind = 'agent_reply' LIMIT 1"));
	out = cli(1, (const char *const[]){"replay", id, NULL});
	ck_assert_msg(strstr(out, "only customer messages are decided"), "%s", out);
	free(out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops_e2e");
	TCase *tc = tcase_create("ops");

	tcase_add_unchecked_fixture(tc, up, down);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_unanswered_vip_is_escalated_once);
	tcase_add_test(tc, test_rewritten_drafts_take_intent_off_auto_reply);
	tcase_add_test(tc, test_audit_log_and_replay);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
