/*
 * check_pipeline.c - what deskpilot promises when things go wrong:
 * nothing acknowledged is lost, nothing is decided or written twice, a
 * helpdesk outage delays write-back without losing or reordering it, and
 * hostile requests are refused with a 4xx while nothing is stored and the
 * service keeps serving, and what cannot be checked goes to a person.
 *
 * Every case builds its own stack (deskpilot + nginx + fake Zammad), since
 * they kill and restart processes; the runner's safety net stops them all
 * when a test fails.
 */
#include "harness.h"
#include "zammad_peer.h"

#include "common/dp.h"
#include "front/front.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 60000
/* More FastCGI parameters than the front accepts. */
#define FLOOD (FRONT_MAX_PARAMS + 20)
#define TICKETS 8

static int zammad_port;

/* A stack whose fake Zammad knows tickets 1000..1000+TICKETS-1. */
static struct harness *stack(const char *extra_ini)
{
	char *ini;
	struct harness *h;
	char tickets[256];
	size_t n = 0;

	/* Short leases: work a killed process had claimed comes back soon. */
	ini = xasprintf("[workers]\nthreads = 2\npoll_ms = 20\nlease_seconds = 2\n"
			"[outbox]\nretry_base_ms = 100\nretry_max_ms = 500\n"
			"[policy]\nmode = draft\n%s",
			extra_ini ? extra_ini : "");
	h = zammad_harness(ini, "timeout_ms = 1000\nconnect_timeout_ms = 500\n",
			   &zammad_port);
	free(ini);
	n += (size_t)snprintf(tickets + n, sizeof(tickets) - n, "{\"create_tickets\": [");
	for (int i = 0; i < TICKETS; i++)
		n += (size_t)snprintf(tickets + n, sizeof(tickets) - n, "%s%d",
				      i ? "," : "", 1000 + i);
	snprintf(tickets + n, sizeof(tickets) - n, "]}");
	harness_assert_fake_control(h, zammad_port, tickets);
	ck_assert_msg(harness_start_deskpilot(h) == 0, "%s", harness_error());
	ck_assert_msg(harness_start_nginx(h) == 0, "%s", harness_error());
	return h;
}

struct settle {
	struct harness *h;
	int64_t decisions;
};

/* Every expected decision is there and no action is pending. */
static bool settled(void *arg)
{
	struct settle *s = arg;
	int64_t d = -1, pending = -1, queue = -1;

	harness_sql_int(s->h, "SELECT count(*) FROM decisions", &d);
	harness_sql_int(s->h, "SELECT count(*) FROM outbox WHERE state = 'pending'", &pending);
	harness_sql_int(s->h, "SELECT count(*) FROM events WHERE state IN ('pending','claimed')", &queue);
	return d == s->decisions && pending == 0 && queue == 0;
}

static bool all_decided(void *arg)
{
	struct settle *s = arg;
	int64_t d = -1;

	harness_sql_int(s->h, "SELECT count(*) FROM decisions", &d);
	return d == s->decisions;
}

static void wait_settled(struct harness *h, int64_t decisions)
{
	struct settle s = {h, decisions};

	if (!harness_wait_until(settled, &s, WAIT_MS)) {
		harness_dump_logs(h);
		ck_abort_msg("not settled: want %lld decisions, have %lld; %lld pending actions",
			     (long long)decisions,
			     (long long)harness_assert_sql_int(h, "SELECT count(*) FROM decisions"),
			     (long long)harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'pending'"));
	}
}

/* Deliver event i like Zammad: until a 2xx (Zammad itself stops after five
 * tries; the sender keeps going so every event ends acknowledged). Returns
 * the number of tries, or -1 when it was never acknowledged. */
static int deliver_until_acked(struct harness *h, int i)
{
	char text[128], delivery[64];
	struct harness_response r;
	size_t len;
	char *body;
	int tries = 0;
	long st;

	snprintf(text, sizeof(text), "Where is my parcel number %d? It has not arrived.", i);
	snprintf(delivery, sizeof(delivery), "event-%d", i);
	body = zammad_event(1000 + i % TICKETS, 5000 + i, text, &len);
	do {
		if (tries)
			usleep(50 * 1000);
		st = zammad_deliver(h, body, len, delivery, ZAMMAD_SECRET, &r);
		harness_response_release(&r);
		tries++;
	} while ((st < 200 || st > 299) && tries < 400);
	free(body);
	return st >= 200 && st <= 299 ? tries : -1;
}

static void deliver(struct harness *h, int i)
{
	ck_assert_msg(deliver_until_acked(h, i) > 0, "event %d never acknowledged", i);
}

/* Every decision's write-back reached Zammad exactly once. */
static void assert_applied_once(struct harness *h, int64_t decisions)
{
	json_t *st = harness_assert_fake_state(h, zammad_port);

	for (int64_t id = 1; id <= decisions; id++)
		ck_assert_msg(zammad_marked(st, (long long)id) == 1,
			      "decision %lld has %d notes in Zammad", (long long)id,
			      zammad_marked(st, (long long)id));
	ck_assert_int_eq(zammad_articles(st, 1000, false, NULL), 0);
	json_decref(st);
}

/* ---- crash safety ------------------------------------------------------ */

#define CRASH_EVENTS 200
#define CRASHES 5

/* The sender: a process of its own, like Zammad, delivering every event
 * until it is acknowledged while the test kills deskpilot under it. Writes
 * how many events needed more than one try to `report` and exits 0 when
 * all were acknowledged. */
static void sender(struct harness *h, const char *report)
{
	int redelivered = 0, tries;
	FILE *f;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int i = 0; i < CRASH_EVENTS; i++) {
		tries = deliver_until_acked(h, i);
		if (tries < 0)
			_exit(1);
		redelivered += tries > 1;
		usleep(10 * 1000); /* a steady stream, not a burst */
	}
	f = fopen(report, "w");
	if (!f)
		_exit(1);
	fprintf(f, "%d\n", redelivered);
	fclose(f);
	_exit(0);
}

START_TEST(test_kill9_loses_and_repeats_nothing)
{
	struct harness *h = stack(NULL);
	char *report = harness_path(h, "sender.report");
	char *text;
	int status = 0, kills = 0;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		sender(h, report);
	/* kill -9 at uneven moments while events stream in: mid-request,
	 * mid-decision, mid-write-back. */
	while (waitpid(pid, &status, WNOHANG) == 0 && kills < CRASHES) {
		usleep((useconds_t)(200 + 70 * kills) * 1000);
		ck_assert_msg(harness_restart_deskpilot(h, SIGKILL) == 0, "%s",
			      harness_error());
		kills++;
	}
	if (kills == CRASHES)
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the sender could not get every event acknowledged");
	/* One more with the queue and outbox still busy, then let it drain. */
	ck_assert_int_eq(harness_restart_deskpilot(h, SIGKILL), 0);
	kills++;
	wait_settled(h, CRASH_EVENTS);

	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM events"), CRASH_EVENTS);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(DISTINCT event_id) FROM decisions"),
			 CRASH_EVENTS);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state <> 'done'"), 0);
	assert_applied_once(h, CRASH_EVENTS);
	text = harness_slurp(report, NULL);
	ck_assert_ptr_nonnull(text);
	fprintf(stderr, "crash test: %d events sent, %d acked (%ld after redelivery), "
			"%d decided, %d applied once each, %d kill -9\n",
		CRASH_EVENTS, CRASH_EVENTS, strtol(text, NULL, 10),
		(int)harness_assert_sql_int(h, "SELECT count(*) FROM decisions"), CRASH_EVENTS, kills);
	free(text);
	free(report);
	harness_free(h);
}
END_TEST

/* ---- helpdesk outage --------------------------------------------------- */

START_TEST(test_outage_refused_500s_slow_then_back)
{
	struct harness *h = stack(NULL);
	pid_t fake = h->procs[0].pid;
	int n = 0;

	/* Connection refused: Zammad is down while events keep arriving. */
	ck_assert_int_ge(harness_stop_pid(h, fake, SIGTERM), 0);
	for (; n < 10; n++)
		deliver(h, n);
	/* Deciding does not wait for the helpdesk. */
	struct settle decided = {h, n};
	ck_assert_msg(harness_wait_until(all_decided, &decided, WAIT_MS),
		      "events were not decided while Zammad was down");
	usleep(1500 * 1000);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'done'"), 0);
	ck_assert(harness_assert_sql_int(h, "SELECT max(attempts) FROM outbox") >= 2);

	/* Back, but answering 500 for a while... */
	zammad_fake_start(h, zammad_port);
	harness_assert_fake_control(h, zammad_port, "{\"fail_next\": 15, \"status\": 500}");
	for (; n < 20; n++)
		deliver(h, n);
	/* ...then slower than deskpilot's 1 s timeout... */
	harness_assert_fake_control(h, zammad_port, "{\"delay_ms\": 1500}");
	for (; n < 24; n++)
		deliver(h, n);
	usleep(2500 * 1000);
	/* ...then healthy. */
	harness_assert_fake_control(h, zammad_port, "{\"delay_ms\": 0, \"fail_next\": 0}");
	wait_settled(h, n);

	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
	assert_applied_once(h, n);
	/* In order per ticket: each ticket's actions finished in id order. */
	ck_assert_int_eq(harness_assert_sql_int(h,
						"SELECT count(*) FROM outbox a JOIN outbox b ON a.source = b.source"
						" AND a.ticket_id = b.ticket_id AND a.id < b.id AND a.done_at > b.done_at"),
			 0);
	harness_free(h);
}
END_TEST

/* Both events decided and every action given up on. */
static bool all_dead(void *arg)
{
	struct harness *h = arg;
	int64_t d = -1, pending = -1, dead = -1;

	harness_sql_int(h, "SELECT count(*) FROM decisions", &d);
	harness_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'pending'", &pending);
	harness_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'dead'", &dead);
	return d == 2 && pending == 0 && dead > 0;
}

START_TEST(test_dead_letters_visible_and_retryable)
{
	struct harness *h = stack("[outbox]\nmax_age_seconds = 1\n");
	struct harness_response r;
	char *bin = xasprintf("%s/src/deskpilot", getenv("DP_BUILDDIR"));
	char *out = NULL;
	int64_t dead;
	int st;

	ck_assert_int_ge(harness_stop_pid(h, h->procs[0].pid, SIGTERM), 0);
	deliver(h, 0);
	deliver(h, 1);
	if (!harness_wait_until(all_dead, h, WAIT_MS)) {
		harness_dump_logs(h);
		ck_abort_msg("actions did not dead-letter");
	}
	dead = harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'dead'");
	ck_assert_int_gt(dead, 0);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 0);

	/* Visible in /metrics... */
	ck_assert_int_eq(harness_get(h, "/metrics", &r), 0);
	char *line = xasprintf("deskpilot_outbox_actions{state=\"dead\"} %lld", (long long)dead);
	ck_assert_msg(strstr(r.body, line), "no '%s' in /metrics", line);
	free(line);
	harness_response_release(&r);
	/* ...and in the CLI, with the reason. */
	st = harness_run((const char *const[]){bin, "outbox", "list", "-c", h->conf,
					       "--state", "dead", NULL},
			 &out, 10000);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "dead"));
	ck_assert_ptr_nonnull(strstr(out, "error:"));
	free(out);

	/* Zammad is back: retry them all, each applied once. */
	zammad_fake_start(h, zammad_port);
	st = harness_run((const char *const[]){bin, "outbox", "retry", "-c", h->conf,
					       "--all", NULL},
			 &out, 10000);
	ck_assert_int_eq(st, 0);
	free(out);
	wait_settled(h, 2);
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
	assert_applied_once(h, 2);
	free(bin);
	harness_free(h);
}
END_TEST

/* ---- hostile input ----------------------------------------------------- */

struct hostile {
	const char *name;
	const char *content_type;
	const char *body;
	long want;
};

static char *nested(int depth)
{
	char *s = xmalloc((size_t)depth * 2 + 64);
	size_t n = 0;

	n += (size_t)snprintf(s, 64, "{\"ticket\":{\"id\":1},\"x\":");
	for (int i = 0; i < depth; i++)
		s[n++] = '[';
	for (int i = 0; i < depth; i++)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

START_TEST(test_hostile_requests_refused_nothing_stored)
{
	struct harness *h = stack("[server]\nmax_body = 64k\n");
	char *deep = nested(5000);
	char *big = xmalloc(100 * 1024);
	const struct hostile cases[] = {
		{"not json", "application/json", "this is not json", 400},
		{"no ticket id", "application/json", "{\"ticket\":{},\"article\":{}}", 400},
		{"invalid utf-8", "application/json",
		 "{\"ticket\":{\"id\":1},\"article\":{\"body\":\"\xff\xfe\xc3\"}}", 400},
		{"duplicate keys", "application/json",
		 "{\"ticket\":{\"id\":1,\"id\":2},\"article\":{}}", 400},
		{"huge number", "application/json",
		 "{\"ticket\":{\"id\":123456789012345678901234567890},\"article\":{}}", 400},
		{"deep nesting", "application/json", deep, 400},
		{"wrong content type", "text/plain", "{\"ticket\":{\"id\":1},\"article\":{}}", 415},
		{"xml to the json hook", "application/xml",
		 "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>", 415},
		{"oversized", "application/json", big, 413},
	};
	struct harness_response r;
	int64_t events = 0;

	memset(big, ' ', 100 * 1024 - 1);
	big[0] = '{';
	big[100 * 1024 - 2] = '}';
	big[100 * 1024 - 1] = '\0';
	for (size_t i = 0; i < DP_ARRAY_LEN(cases); i++) {
		const struct hostile *c = &cases[i];
		/* Correctly signed: the refusal must come from the parser, not
		 * from the signature check. */
		long st = zammad_deliver_as(h, c->content_type, c->body,
					    strlen(c->body), "hostile",
					    ZAMMAD_SECRET, &r);

		ck_assert_msg(st == c->want, "%s: got %ld, want %ld (%s)", c->name, st,
			      c->want, r.body);
		ck_assert_msg(strstr(r.body, "\"error\"") && strstr(r.body, "\"detail\""),
			      "%s: error body is not {error, detail}: %s", c->name, r.body);
		ck_assert_msg(!strstr(r.body, ZAMMAD_SECRET), "%s: secret in body", c->name);
		harness_response_release(&r);
		ck_assert_int_eq(harness_sql_int(h, "SELECT count(*) FROM events", &events), 0);
		ck_assert_msg(events == 0, "%s: something was stored", c->name);
		/* Still serving. */
		ck_assert_int_eq(harness_get(h, "/healthz", &r), 0);
		ck_assert_int_eq(r.status, 200);
		harness_response_release(&r);
	}

	/* Missing and forged signatures. */
	{
		const char *hh[] = {"Content-Type: application/json", NULL};
		const char *forged[] = {"Content-Type: application/json",
					"X-Hub-Signature: sha1=0000000000000000000000000000000000000000",
					NULL};
		size_t len;
		char *body = zammad_fixture("webhook-default-customer-email.body", &len);

		ck_assert_int_eq(harness_post(h, "/hooks/zammad", hh, body, len, &r), 0);
		ck_assert_int_eq(r.status, 401);
		harness_response_release(&r);
		ck_assert_int_eq(harness_post(h, "/hooks/zammad", forged, body, len, &r), 0);
		ck_assert_int_eq(r.status, 401);
		harness_response_release(&r);
		free(body);
	}

	/* Truncated body and a header flood, as raw FastCGI (nginx never
	 * forwards either). */
	{
		const char *params[] = {"REQUEST_METHOD=POST", "DOCUMENT_URI=/hooks/zammad",
					"CONTENT_TYPE=application/json",
					"CONTENT_LENGTH=500", NULL};
		const char *flood[FLOOD + 3];
		char names[FLOOD][32];

		ck_assert_int_eq(harness_fcgi_request(h, params, "{\"ticket\":", 10, &r), 0);
		ck_assert_int_eq(r.status, 400);
		harness_response_release(&r);
		for (int i = 0; i < FLOOD; i++) {
			snprintf(names[i], sizeof(names[i]), "HTTP_X_FLOOD_%d=x", i);
			flood[i] = names[i];
		}
		flood[FLOOD] = "REQUEST_METHOD=GET";
		flood[FLOOD + 1] = "DOCUMENT_URI=/healthz";
		flood[FLOOD + 2] = NULL;
		ck_assert_int_eq(harness_fcgi_request(h, flood, NULL, 0, &r), 0);
		ck_assert_int_eq(r.status, 431);
		harness_response_release(&r);
	}
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM events"), 0);

	/* The secret never reached the log. */
	{
		char *log = harness_slurp(h->log, NULL);

		ck_assert_ptr_nonnull(log);
		ck_assert_ptr_null(strstr(log, ZAMMAD_SECRET));
		ck_assert_ptr_null(strstr(log, ZAMMAD_TOKEN));
		free(log);
	}
	free(deep);
	free(big);
	harness_free(h);
}
END_TEST

/* ---- failing toward a person ------------------------------------------ */

/* deskpilot's own VIP rules cannot be read (here: their table is gone)
 * when a customer who is premium by such a rule asks a routine question.
 * Nobody can tell whether the customer is premium, so the ticket goes to a
 * person with the reason and no AI draft; `deskpilot replay`, on the same
 * path, says the same. */
START_TEST(test_unreadable_vip_rules_send_to_a_person)
{
	struct harness *h = stack(NULL);
	struct harness_response r;
	size_t len;
	char *body, *reasons, *out = NULL;
	json_t *st;

	ck_assert_msg(harness_import_kb(h) == 0, "%s", harness_error());
	ck_assert_int_eq(harness_cli(h, (const char *const[]){"vip", "add", "email", "nora.customer@customer.example.test", NULL},
				     NULL),
			 0);
	ck_assert_msg(harness_sql_exec(h, "ALTER TABLE vip_rules RENAME TO vip_rules_away") == 0,
		      "%s", harness_error());

	body = zammad_event(1000, 7000, "Where is my order? I placed it two weeks ago.",
			    &len);
	ck_assert_int_eq(zammad_deliver(h, body, len, "vip-unreadable", ZAMMAD_SECRET, &r),
			 202);
	harness_response_release(&r);
	free(body);
	wait_settled(h, 1);
	ck_assert(harness_sql_text_is(h, "SELECT outcome FROM decisions", "human"));
	reasons = harness_sql_text(h, "SELECT reasons FROM decisions");
	ck_assert_msg(reasons && strstr(reasons, "\"vip_unknown\""), "%s", reasons);
	free(reasons);
	st = harness_assert_fake_state(h, zammad_port);
	ck_assert(zammad_has_tag(st, 1000, "needs-human"));
	ck_assert(!zammad_has_tag(st, 1000, "ai-draft"));
	json_decref(st);

	ck_assert_int_eq(harness_cli(h, (const char *const[]){"replay", "1", "--json", NULL},
				     &out),
			 0);
	ck_assert_msg(strstr(out, "vip_unknown"), "%s", out);
	free(out);
	harness_free(h);
}
END_TEST

/* The database holds a model this version cannot load (an older
 * version's, say). Every ticket goes to a person, and the model is not
 * read again for each one: the error is logged at most once per worker,
 * not once per event. */
START_TEST(test_unloadable_model_read_once)
{
	struct harness *h = stack(NULL);
	char *log;
	int logged = 0;

	ck_assert_msg(harness_sql_exec(h, "INSERT OR REPLACE INTO models"
					  " (name, data, rows, trained_at, meta)"
					  " VALUES ('intent', x'00010203', 1, 42, '{}')") == 0,
		      "%s", harness_error());
	for (int i = 0; i < 6; i++) {
		struct harness_response r;
		size_t len;
		char *body = zammad_event(1000 + i, 7100 + i,
					  "Where is my order? I placed it two weeks ago.", &len);
		char id[32];

		snprintf(id, sizeof(id), "unloadable-%d", i);
		ck_assert_int_eq(zammad_deliver(h, body, len, id, ZAMMAD_SECRET, &r), 202);
		harness_response_release(&r);
		free(body);
		/* One at a time, so each worker decides several. */
		wait_settled(h, i + 1);
	}
	ck_assert_int_eq(harness_assert_sql_int(h, "SELECT count(*) FROM decisions"
						   " WHERE outcome = 'human'"
						   " AND reasons LIKE '%\"no_model\"%'"),
			 6);
	log = harness_slurp(h->log, NULL);
	ck_assert_ptr_nonnull(log);
	for (const char *p = log; (p = strstr(p, "cannot load the intent model")); p++)
		logged++;
	free(log);
	ck_assert_msg(logged >= 1 && logged <= 2, "logged %d times", logged);
	harness_free(h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *crash = tcase_create("crash");
	TCase *outage = tcase_create("outage");
	TCase *hostile = tcase_create("hostile");
	TCase *closed = tcase_create("closed");

	tcase_set_timeout(crash, 240);
	tcase_add_test(crash, test_kill9_loses_and_repeats_nothing);
	tcase_set_timeout(outage, 240);
	tcase_add_test(outage, test_outage_refused_500s_slow_then_back);
	tcase_add_test(outage, test_dead_letters_visible_and_retryable);
	tcase_set_timeout(hostile, 120);
	tcase_add_test(hostile, test_hostile_requests_refused_nothing_stored);
	suite_add_tcase(s, crash);
	suite_add_tcase(s, outage);
	tcase_set_timeout(closed, 120);
	tcase_add_test(closed, test_unreadable_vip_rules_send_to_a_person);
	tcase_add_test(closed, test_unloadable_model_read_once);
	suite_add_tcase(s, hostile);
	suite_add_tcase(s, closed);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
