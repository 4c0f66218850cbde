/*
 * check_replay.c - `deskpilot replay` (pipeline/replay.h): a stored
 * customer message decided again on the workers' path (pipeline/decide.h)
 * and compared with its stored decision; and that path failing toward a
 * person when the VIP rules cannot be read.
 *
 * Events use the source "helpdesk", which has no connector: nothing is
 * read from a helpdesk.
 */
#include "pipeline/replay.h"

#include "common/event.h"
#include "config/config.h"
#include "store/decisions.h"
#include "store/events.h"
#include "store/vip.h"
#include "test.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2024-05-03 16:30:00 UTC, a Friday. */
#define FRI_1630 1714753800000LL

static int64_t next_article = 1;

/* An event of kind on ticket from email (may be NULL); returns its id. */
static int64_t stored(store *s, int64_t ticket, enum event_kind kind,
		      const char *email, const char *body)
{
	struct ticket_event ev;
	int64_t id;

	ticket_event_init(&ev);
	ev.source = xstrdup("helpdesk");
	ev.kind = kind;
	ev.ticket_id = ticket;
	ev.article_id = next_article++;
	ev.customer_email = xstrdup(email);
	ev.body = xstrdup(body);
	ck_assert_int_eq(store_event_insert(s, &ev, "{}", 2, FRI_1630, &id), 0);
	ticket_event_release(&ev);
	return id;
}

static bool has_change(const json_t *r, const char *prefix)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(r, "changed"), i, c)
		if (strncmp(json_string_value(c), prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* The replayed decision's outcome, and whether it has reason code. */
static const char *replayed_outcome(const json_t *r)
{
	return json_string_value(
		json_object_get(json_object_get(r, "replayed"), "outcome"));
}

static bool replayed_reason(const json_t *r, const char *code)
{
	const json_t *reasons =
		json_object_get(json_object_get(r, "replayed"), "reasons");
	size_t i;
	json_t *x;

	json_array_foreach(reasons, i, x)
		if (strcmp(json_string_value(json_object_get(x, "code")), code) == 0)
			return true;
	return false;
}

START_TEST(test_replay_shows_changes)
{
	struct test_db db;
	store *s = test_db_open(&db, "replay");
	struct config cfg;
	struct dp_error err;
	struct ticket_event ev;
	int64_t eid, did;
	struct decision d;
	json_t *r;

	/* A customer the helpdesk now marks as VIP, decided as ai_draft
	 * before. */
	config_init(&cfg);
	ticket_event_init(&ev);
	ev.source = strdup("helpdesk");
	ev.kind = EVENT_CUSTOMER_MESSAGE;
	ev.ticket_id = 110;
	ev.article_id = 100000;
	ev.customer_vip = true;
	ev.body = strdup("Where is my parcel?");
	ck_assert_int_eq(store_event_insert(s, &ev, "{}", 2, FRI_1630, &eid), 0);
	ticket_event_release(&ev);
	decision_init(&d);
	d.outcome = OUTCOME_AI_DRAFT;
	snprintf(d.intent, sizeof(d.intent), "track_order");
	d.confidence = 0.8;
	decision_add_reason(&d, "old_reason", "gone now");
	struct decision_record rec = {eid, "helpdesk", 110, FRI_1630, &d, "kb",
				      "draft", 1, 0, 0, 0};
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_decision_insert(s, &rec, &did), 0);
	ck_assert_int_eq(store_commit(s), 0);

	r = replay_event(s, &cfg, eid, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "stored"), "outcome")),
			 "ai_draft");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "replayed"), "outcome")),
			 "human_vip");
	ck_assert(has_change(r, "outcome ai_draft -> human_vip"));
	ck_assert(has_change(r, "+reason vip"));
	ck_assert(has_change(r, "-reason old_reason: \"gone now\""));
	ck_assert(json_is_false(json_object_get(json_object_get(r, "event"), "text_purged")));
	/* Nothing was written: the stored decision is unchanged. */
	ck_assert_int_eq(store_decision_of_event(s, eid, &d, &did), 0);
	ck_assert_int_eq(d.outcome, OUTCOME_AI_DRAFT);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	replay_print(r, f);
	fclose(f);
	ck_assert_msg(strstr(text, "stored    ai_draft, intent track_order (0.80)\n"), "%s", text);
	ck_assert_msg(strstr(text, "now       human_vip"), "%s", text);
	ck_assert_msg(strstr(text, "changes:\n  outcome ai_draft -> human_vip\n"), "%s", text);
	free(text);
	json_decref(r);

	/* Only customer messages; unknown ids are named. */
	int64_t note = stored(s, 110, EVENT_AGENT_REPLY, NULL, "hi");
	ck_assert_ptr_null(replay_event(s, &cfg, note, &err));
	ck_assert_msg(strstr(err.msg, "agent_reply") != NULL, "%s", err.msg);
	ck_assert_ptr_null(replay_event(s, &cfg, 9999, &err));
	ck_assert_str_eq(err.msg, "no event 9999");
	config_release(&cfg);
	store_close(s);
	test_db_remove(&db);
}
END_TEST

/* A premium customer by deskpilot's own rule asks a routine question.
 * When the rules cannot be read, nobody can tell whether the customer is
 * premium: the message goes to a person, with the reason, never to an AI
 * draft (the pipeline decides on the same path; check_pipeline takes it
 * end to end). */
START_TEST(test_unreadable_vip_rules_go_to_a_person)
{
	struct test_db db;
	store *s = test_db_open(&db, "replay-vip");
	struct config cfg;
	struct dp_error err = {{0}};
	int64_t eid;
	sqlite3 *h;
	json_t *r;

	config_init(&cfg);
	ck_assert_int_eq(store_vip_add(s, VIP_EMAIL, "vera@example.com", NULL,
				       FRI_1630, &err),
			 0);
	eid = stored(s, 120, EVENT_CUSTOMER_MESSAGE, "vera@example.com",
		     "Where is my order? I placed it two weeks ago.");
	r = replay_event(s, &cfg, eid, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	ck_assert_str_eq(replayed_outcome(r), "human_vip");
	json_decref(r);

	/* The rules become unreadable (here: their table is gone). */
	ck_assert_int_eq(sqlite3_open(db.path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "ALTER TABLE vip_rules RENAME TO vip_rules_away",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);

	r = replay_event(s, &cfg, eid, &err);
	ck_assert_msg(r != NULL, "replay failed instead of deciding: %s", err.msg);
	ck_assert_str_eq(replayed_outcome(r), "human");
	ck_assert(replayed_reason(r, "vip_unknown"));
	json_decref(r);
	config_release(&cfg);
	store_close(s);
	test_db_remove(&db);
}
END_TEST

static Suite *suite(void)
{
	Suite *su = suite_create("replay");
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, test_replay_shows_changes);
	tcase_add_test(tc, test_unreadable_vip_rules_go_to_a_person);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return test_main(suite());
}
