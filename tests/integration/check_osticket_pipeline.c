/*
 * check_osticket_pipeline.c - osTicket end to end without osTicket: signed
 * JSON and XML events as the plugin sends them, through the real nginx
 * into `deskpilot serve`, the pipeline deciding them, and the decisions
 * arriving at fake_osticket.py, which answers like the plugin's route
 * inside osTicket (API key, signature, JSON answers, 201/4xx, one
 * application per installation and decision id); the fake is first
 * checked against the route's protocol steps the plugin's own tests run
 * (tests/data/osticket/decision_route.json).
 *
 * Decision ids restart at 1 in every deskpilot database: two databases
 * writing to one osTicket both get their notes, and a database restored
 * from a backup, whose decision 1 went to another ticket before, ends in a
 * dead letter that says so instead of a silent "duplicate".
 *
 * The service runs with a trained intent model and the example knowledge
 * base, as after the quick start. Events get a fresh timestamp and
 * delivery id (the fixtures' own are long stale).
 */
#include "harness.h"
#include "osticket_peer.h"

#include "common/dp.h"
#include "common/hmac.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECRET "s3cret-shared-with-the-plugin"
#define API_KEY "0123456789ABCDEF0123456789ABCDEF"
#define WAIT_MS 20000

static struct harness *h;
static int fake_port;

/* The service's config: osTicket is the fake. */
static char *service_ini(void)
{
	return xasprintf("[workers]\npoll_ms = 20\n"
			 "[outbox]\nretry_base_ms = 100\nretry_max_ms = 400\n"
			 "[policy]\nmode = draft\n"
			 "[osticket]\nurl = http://127.0.0.1:%d/\napi_key = " API_KEY "\n"
			 "webhook_secret = " SECRET "\nvip_team = VIP\n"
			 "vip_priority = high\n",
			 fake_port);
}

static void up(void)
{
	char *ini;

	fake_port = harness_free_port();
	ck_assert_int_gt(fake_port, 0);
	ini = service_ini();
	h = harness_new(&(struct harness_opts){.ini = ini});
	free(ini);
	ck_assert_msg(h != NULL, "%s", harness_error());
	osticket_fake_start(h, fake_port);
	harness_assert_started(h);
}

static void down(void)
{
	harness_free(h);
	h = NULL;
}

static long deliver(const char *ctype, const char *body, const char *key,
		    long long ts, struct harness_response *resp)
{
	return osticket_deliver(h, ctype, body, key, ts, resp);
}

static long long now_s(void)
{
	return (long long)time(NULL);
}

/* ---- tests ------------------------------------------------------------ */

START_TEST(test_vip_xml_goes_to_a_human)
{
	struct harness_response r;
	size_t len;
	char *xml = osticket_fixture("message_vip.xml", &len);
	char *stamped, *at;
	long long ts = now_s();
	json_t *st, *t, *note;

	/* The fixture's timestamp attribute, made current. */
	at = strstr(xml, "timestamp=\"1732550460\"");
	ck_assert_ptr_nonnull(at);
	stamped = xasprintf("%.*stimestamp=\"%lld\"%s", (int)(at - xml), xml, ts,
			    at + strlen("timestamp=\"1732550460\""));
	ck_assert_int_eq(deliver("application/xml", stamped, SECRET, ts, &r), 202);
	harness_response_release(&r);
	harness_assert_settled(h, "SELECT count(*) FROM outbox o JOIN decisions d ON d.id = o.decision_id"
				  " WHERE d.outcome = 'human_vip' AND o.state = 'done'",
			       WAIT_MS);
	st = harness_assert_fake_state(h, fake_port);
	t = osticket_fake_ticket(st, 343);
	ck_assert(json_is_true(json_object_get(t, "vip")));
	ck_assert_str_eq(json_string_value(json_object_get(t, "priority")), "High");
	ck_assert_str_eq(json_string_value(json_object_get(t, "team")), "VIP");
	ck_assert_int_eq(json_array_size(json_object_get(t, "notes")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(t, "replies")), 0);
	note = json_array_get(json_object_get(t, "notes"), 0);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(note, "title")),
				     "human_vip"));
	ck_assert_ptr_null(strstr(json_string_value(json_object_get(note, "body")),
				  "Suggested reply"));
	json_decref(st);
	free(stamped);
	free(xml);
}
END_TEST

START_TEST(test_routine_json_gets_a_note)
{
	struct harness_response r;
	long long ts = now_s();
	char *body = osticket_event("message_html.json", ts, "routine-1",
				    (const char *const[]){
					    "subject", "\"Where is my order?\"",
					    "message", "{\"type\":\"text/html\",\"body\":\"<p>Hello, I ordered "
						       "a coffee grinder last week (order 88412) and it has not "
						       "arrived yet. Can you tell me where my order is?</p>\"}",
					    NULL});
	json_t *st, *t, *note;
	int64_t drafts;

	ck_assert_int_eq(deliver("application/json", body, SECRET, ts, &r), 202);
	harness_response_release(&r);
	harness_assert_settled(h, "SELECT count(*) FROM outbox o JOIN decisions d ON d.id = o.decision_id"
				  " JOIN events e ON e.id = d.event_id"
				  " WHERE e.ticket_id = 342 AND o.state = 'done'",
			       WAIT_MS);
	drafts = harness_assert_sql_int(h, "SELECT count(*) FROM decisions d JOIN events e ON e.id = d.event_id"
					   " WHERE e.ticket_id = 342 AND d.outcome = 'ai_draft'");
	st = harness_assert_fake_state(h, fake_port);
	t = osticket_fake_ticket(st, 342);
	ck_assert_int_eq(json_array_size(json_object_get(t, "notes")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(t, "replies")), 0);
	ck_assert(!json_is_true(json_object_get(t, "vip")));
	note = json_array_get(json_object_get(t, "notes"), 0);
	if (drafts == 1)
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(note, "body")),
					     "Suggested reply (not sent to the customer)"));
	json_decref(st);
	free(body);
}
END_TEST

START_TEST(test_refused_and_nothing_stored)
{
	struct harness_response r;
	long long ts = now_s();
	size_t len;
	char *body = osticket_event("reply_text.json", ts, "refused-1", NULL);
	char *xxe = osticket_fixture("hostile_xxe_file.xml", &len);
	char *bomb = osticket_fixture("hostile_billion_laughs.xml", &len);
	int64_t before = harness_assert_sql_int(h, "SELECT count(*) FROM events");

	ck_assert_int_eq(deliver("application/json", body, "wrong-secret", ts, &r), 401);
	harness_response_release(&r);
	ck_assert_int_eq(deliver("application/json", body, SECRET, ts - 3600, &r), 401);
	ck_assert_ptr_nonnull(strstr(r.body, "stale or replayed"));
	harness_response_release(&r);
	ck_assert_int_eq(deliver("text/plain", body, SECRET, ts, &r), 415);
	harness_response_release(&r);
	ck_assert_int_eq(deliver("application/xml", xxe, SECRET, ts, &r), 400);
	ck_assert_ptr_nonnull(strstr(r.body, "DTD"));
	ck_assert_ptr_null(strstr(r.body, "root:"));
	harness_response_release(&r);
	ck_assert_int_eq(deliver("text/xml", bomb, SECRET, ts, &r), 400);
	harness_response_release(&r);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM events"), before);

	/* The same delivery twice is stored once. */
	ck_assert_int_eq(deliver("application/json", body, SECRET, ts, &r), 202);
	harness_response_release(&r);
	ck_assert_int_eq(deliver("application/json", body, SECRET, ts, &r), 200);
	ck_assert_ptr_nonnull(strstr(r.body, "duplicate"));
	harness_response_release(&r);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM events"), before + 1);
	free(body);
	free(xxe);
	free(bomb);
}
END_TEST

START_TEST(test_plugin_failures_are_retried_once)
{
	struct harness_response r;
	long long ts = now_s();
	char *body;
	json_t *st, *req;
	size_t i;
	int n503 = 0, n201 = 0;

	harness_assert_fake_control(h, fake_port, "{\"ticket\":{\"id\":345,\"number\":\"604130\"}}");
	harness_assert_fake_control(h, fake_port, "{\"fail_next\":2,\"status\":503}");
	body = osticket_event("message_vip.json", ts, "retry-1",
			      (const char *const[]){"ticket_id", "345", "number", "\"604130\"",
						    "entry_id", "1300", NULL});
	ck_assert_int_eq(deliver("application/json", body, SECRET, ts, &r), 202);
	harness_response_release(&r);
	harness_assert_settled(h, "SELECT count(*) FROM outbox o JOIN decisions d ON d.id = o.decision_id"
				  " JOIN events e ON e.id = d.event_id"
				  " WHERE e.ticket_id = 345 AND o.state = 'done'",
			       WAIT_MS);
	st = harness_assert_fake_state(h, fake_port);
	json_array_foreach(json_object_get(st, "requests"), i, req) {
		long code = (long)json_integer_value(json_array_get(req, 2));

		n503 += code == 503;
		n201 += code == 201;
	}
	ck_assert_int_eq(n503, 2);
	ck_assert_int_ge(n201, 1);
	ck_assert_int_eq(osticket_fake_notes(st, 345), 1);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
	json_decref(st);
	free(body);
}
END_TEST

START_TEST(test_fake_speaks_the_plugins_protocol)
{
	char *script = harness_srcdir_path("tests/fakes/fake_osticket.py");
	char *steps = harness_srcdir_path("tests/data/osticket/decision_route.json");
	const char *py = getenv("DP_PYTHON3");
	const char *argv[] = {py && *py ? py : "/usr/bin/python3", script, "--check",
			      steps, NULL};
	char *out = NULL;
	int st = harness_run(argv, &out, 30000);

	ck_assert_msg(st == 0, "fake_osticket.py differs from the plugin's route:\n%s",
		      out ? out : "");
	free(out);
	free(steps);
	free(script);
}
END_TEST

/* A second deskpilot with a database of its own, writing to the same fake
 * osTicket; no intent model, so its decisions go to a human (with a note).
 * Owned by the test that starts it. */
static struct harness *another_service(void)
{
	char *ini = service_ini();
	struct harness *hh = harness_up(&(struct harness_opts){.ini = ini});

	free(ini);
	ck_assert_msg(hh != NULL, "%s", harness_error());
	return hh;
}

/* One customer message on a ticket the fake knows, through hh. */
static void customer_message(struct harness *hh, int ticket, const char *number,
			     const char *delivery)
{
	struct harness_response r;
	long long ts = now_s();
	char *control = xasprintf("{\"ticket\":{\"id\":%d,\"number\":\"%s\"}}",
				  ticket, number);
	char *id = xasprintf("%d", ticket);
	char *num = xasprintf("\"%s\"", number);
	char *entry = xasprintf("%d", ticket * 10);
	char *body;

	harness_assert_fake_control(h, fake_port, control);
	body = osticket_event("message_html.json", ts, delivery,
			      (const char *const[]){"ticket_id", id,
						    "number", num, "entry_id", entry,
						    "message", "\"Please call me back about my contract.\"",
						    NULL});
	ck_assert_int_eq(osticket_deliver(hh, "application/json", body, SECRET, ts, &r), 202);
	harness_response_release(&r);
	free(body);
	free(entry);
	free(num);
	free(id);
	free(control);
}

START_TEST(test_two_databases_overlapping_decision_ids)
{
	struct harness *a = another_service(), *b = another_service();
	char *ia, *ib;
	json_t *st;

	customer_message(a, 346, "604131", "two-db-a");
	ck_assert(harness_wait_settled(a, "SELECT count(*) FROM outbox WHERE state != 'pending'",
				       WAIT_MS));
	customer_message(b, 347, "604132", "two-db-b");
	ck_assert(harness_wait_settled(b, "SELECT count(*) FROM outbox WHERE state != 'pending'",
				       WAIT_MS));
	/* Both databases called their decision 1 ... */
	ck_assert_int_eq(harness_assert_sql_int(a, "SELECT max(decision_id) FROM outbox"), 1);
	ck_assert_int_eq(harness_assert_sql_int(b, "SELECT max(decision_id) FROM outbox"), 1);
	/* ... and both were applied, each to its own ticket. */
	st = harness_assert_fake_state(h, fake_port);
	ck_assert_int_eq(osticket_fake_notes(st, 346), 1);
	ck_assert_int_eq(osticket_fake_notes(st, 347), 1);
	json_decref(st);
	ck_assert_int_eq(harness_assert_sql_int(a, "SELECT count(*) FROM outbox WHERE state = 'done'"), 1);
	ck_assert_int_eq(harness_assert_sql_int(b, "SELECT count(*) FROM outbox WHERE state = 'done'"), 1);
	/* Told apart by their installation ids. */
	ia = harness_sql_text(a, "SELECT uuid FROM installation");
	ib = harness_sql_text(b, "SELECT uuid FROM installation");
	ck_assert_ptr_nonnull(ia);
	ck_assert_ptr_nonnull(ib);
	ck_assert_str_ne(ia, ib);
	free(ia);
	free(ib);
	harness_free(a);
	harness_free(b);
}
END_TEST

/* Stop hh's service, put the backup in place of its database, give it a
 * new installation id when renew is set (as the README says to), and
 * start it again. */
static void restore(struct harness *hh, const char *backup, bool renew)
{
	char *out = NULL;

	ck_assert_int_eq(harness_stop_deskpilot(hh, SIGTERM), 0);
	for (int i = 0; i < 3; i++) {
		static const char *const suffix[] = {"", "-wal", "-shm"};
		char *p = xasprintf("%s%s", hh->db, suffix[i]);

		unlink(p);
		free(p);
	}
	ck_assert_int_eq(rename(backup, hh->db), 0);
	if (renew) {
		ck_assert_int_eq(harness_cli(hh, (const char *const[]){"outbox", "renew-id", NULL},
					     &out),
				 0);
		ck_assert_msg(strstr(out, "installation id is now "), "%s", out);
		free(out);
	}
	ck_assert_msg(harness_start_deskpilot(hh) == 0, "%s", harness_error());
}

START_TEST(test_restored_database_is_a_dead_letter)
{
	struct harness *a = another_service();
	char *backup = harness_path(a, "backup.db");
	char *vacuum = xasprintf("VACUUM INTO '%s'", backup);
	char *error;
	json_t *st;

	/* A backup taken before any decision. */
	ck_assert_msg(harness_sql_exec(a, vacuum) == 0, "%s", harness_error());

	customer_message(a, 348, "604133", "restore-1");
	ck_assert(harness_wait_settled(a, "SELECT count(*) FROM outbox WHERE state = 'done'",
				       WAIT_MS));

	/* The database is restored from that backup: decision 1 again. */
	restore(a, backup, false);
	customer_message(a, 349, "604134", "restore-2");
	ck_assert(harness_wait_settled(a, "SELECT count(*) FROM outbox WHERE state = 'dead'",
				       WAIT_MS));

	/* Not counted as applied: a dead letter that says what happened. */
	ck_assert_int_eq(harness_assert_sql_int(a, "SELECT decision_id FROM outbox WHERE state = 'dead'"), 1);
	ck_assert_int_eq(harness_assert_sql_int(a, "SELECT count(*) FROM outbox WHERE state = 'done'"), 0);
	error = harness_sql_text(a, "SELECT last_error FROM outbox WHERE state = 'dead'");
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(strncmp(error, "conflict: ", 10) == 0 &&
			      strstr(error, "osticket answered 422: decision 1 of deskpilot installation") &&
			      strstr(error, "was applied to ticket 348 before, not to ticket 349"),
		      "dead letter says '%s'", error);
	st = harness_assert_fake_state(h, fake_port);
	ck_assert_int_eq(osticket_fake_notes(st, 348), 1);
	ck_assert_int_eq(osticket_fake_notes(st, 349), 0);
	json_decref(st);

	/* A plain retry is refused again; under a new installation id the
	 * decision is the restored database's own, and applied. */
	ck_assert_int_eq(harness_cli(a, (const char *const[]){"outbox", "retry", "--all", NULL}, NULL), 0);
	ck_assert(harness_wait_settled(a, "SELECT count(*) FROM outbox WHERE state = 'dead'",
				       WAIT_MS));
	ck_assert_int_eq(harness_cli(a, (const char *const[]){"outbox", "renew-id", NULL}, NULL), 0);
	ck_assert_int_eq(harness_cli(a, (const char *const[]){"outbox", "retry", "--all", "--new-id", NULL},
				     NULL),
			 0);
	ck_assert(harness_wait_settled(a, "SELECT count(*) FROM outbox WHERE state = 'done'",
				       WAIT_MS));
	st = harness_assert_fake_state(h, fake_port);
	ck_assert_int_eq(osticket_fake_notes(st, 348), 1);
	ck_assert_int_eq(osticket_fake_notes(st, 349), 1);
	json_decref(st);
	free(error);
	free(vacuum);
	free(backup);
	harness_free(a);
}
END_TEST

/* The same restore, with `outbox renew-id` run before the service starts:
 * the decisions the restored database gives out again (1 and 2, which the
 * original applied to other tickets) are its own, and applied. */
START_TEST(test_restored_database_with_a_new_id)
{
	struct harness *a = another_service();
	char *backup = harness_path(a, "backup.db");
	char *vacuum = xasprintf("VACUUM INTO '%s'", backup);
	char *before = NULL, *after = NULL;
	json_t *st;

	ck_assert_msg(harness_sql_exec(a, vacuum) == 0, "%s", harness_error());
	before = harness_sql_text(a, "SELECT uuid FROM installation");
	customer_message(a, 361, "604161", "renew-1");
	customer_message(a, 362, "604162", "renew-2");
	ck_assert(harness_wait_settled(a, "SELECT count(*) = 2 FROM outbox WHERE state = 'done'",
				       WAIT_MS));

	restore(a, backup, true);
	after = harness_sql_text(a, "SELECT uuid FROM installation");
	ck_assert(before && after && strlen(after) == 32 && strcmp(before, after) != 0);
	customer_message(a, 363, "604163", "renew-3");
	customer_message(a, 364, "604164", "renew-4");
	ck_assert(harness_wait_settled(a, "SELECT count(*) = 2 FROM outbox WHERE state = 'done'",
				       WAIT_MS));
	ck_assert_int_eq(harness_assert_sql_int(a, "SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
	ck_assert_int_eq(harness_assert_sql_int(a, "SELECT max(decision_id) FROM outbox"), 2);
	st = harness_assert_fake_state(h, fake_port);
	for (int t = 361; t <= 364; t++)
		ck_assert_int_eq(osticket_fake_notes(st, t), 1);
	json_decref(st);
	free(before);
	free(after);
	free(vacuum);
	free(backup);
	harness_free(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("osticket_pipeline");
	TCase *tc = tcase_create("e2e");

	tcase_add_unchecked_fixture(tc, up, down);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_fake_speaks_the_plugins_protocol);
	tcase_add_test(tc, test_vip_xml_goes_to_a_human);
	tcase_add_test(tc, test_routine_json_gets_a_note);
	tcase_add_test(tc, test_refused_and_nothing_stored);
	tcase_add_test(tc, test_plugin_failures_are_retried_once);
	tcase_add_test(tc, test_two_databases_overlapping_decision_ids);
	tcase_add_test(tc, test_restored_database_is_a_dead_letter);
	tcase_add_test(tc, test_restored_database_with_a_new_id);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
