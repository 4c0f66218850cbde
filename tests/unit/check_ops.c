/*
 * check_ops.c - operations and insight: the acceptance measure, business
 * hours and SLA deadlines, the VIP watchdog and intent auto-demotion with
 * short windows and a fake clock, and the figures behind `deskpilot stats`
 * and `deskpilot decisions`. (`deskpilot replay` is check_replay's.)
 *
 * Store tests use the source "helpdesk", which has no connector, so the
 * watchdog records escalations without planning helpdesk calls; the
 * connectors' escalation actions are tested with the connectors.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/event.h"
#include "config/config.h"
#include "ops/acceptance.h"
#include "ops/stats.h"
#include "ops/watchdog.h"
#include "store/decisions.h"
#include "store/demotions.h"
#include "store/events.h"
#include "store/outbox.h"
#include "store/reports.h"
#include "store/sla.h"
#include "test.h"

#define MIN_MS (60LL * 1000)
/* 2024-05-03 16:30:00 UTC, a Friday. */
#define FRI_1630 1714753800000LL

static struct test_db db;
static store *s;
static struct config cfg;
static int64_t next_article = 1;

static void setup(void)
{
	s = test_db_open(&db, "ops");
	config_init(&cfg);
}

static void teardown(void)
{
	config_release(&cfg);
	store_close(s);
	test_db_remove(&db);
}

/* Store an event of `kind` on ticket; returns its id. */
static int64_t event(int64_t ticket, enum event_kind kind, const char *body,
		     const char *state, int64_t at_ms)
{
	struct ticket_event ev;
	int64_t id;

	ticket_event_init(&ev);
	ev.source = strdup("helpdesk");
	ev.kind = kind;
	ev.ticket_id = ticket;
	ev.article_id = next_article++;
	ev.body = body ? strdup(body) : NULL;
	ev.state = state ? strdup(state) : NULL;
	ck_assert_int_eq(store_event_insert(s, &ev, "{}", 2, at_ms, &id), 0);
	ticket_event_release(&ev);
	return id;
}

struct spec {
	enum outcome outcome;
	enum outcome would_be;
	const char *intent;
	const char *reason; /* one reason code, or NULL */
	const char *draft;
	int64_t latency_us;
	int64_t model_ms;
	int tokens_in, tokens_out;
};

/* A customer message on ticket at at_ms and its decision; returns the
 * decision id. */
static int64_t decided(int64_t ticket, int64_t at_ms, const struct spec *sp)
{
	struct decision d;
	int64_t eid = event(ticket, EVENT_CUSTOMER_MESSAGE, "hello", "open", at_ms);
	int64_t did;

	decision_init(&d);
	d.outcome = sp->outcome;
	d.would_be = sp->would_be;
	if (sp->intent)
		snprintf(d.intent, sizeof(d.intent), "%s", sp->intent);
	d.confidence = 0.9;
	if (sp->reason)
		decision_add_reason(&d, sp->reason, "evidence here");
	struct decision_record r = {eid,
				    "helpdesk",
				    ticket,
				    at_ms,
				    &d,
				    sp->draft ? "kb" : NULL,
				    sp->draft,
				    sp->latency_us,
				    sp->model_ms,
				    sp->tokens_in,
				    sp->tokens_out};
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_decision_insert(s, &r, &did), 0);
	ck_assert_int_eq(store_event_mark_done(s, eid), 0);
	ck_assert_int_eq(store_commit(s), 0);
	return did;
}

static int64_t vip(int64_t ticket, int64_t at_ms)
{
	return decided(ticket, at_ms,
		       &(struct spec){OUTCOME_HUMAN_VIP, OUTCOME_NONE, NULL,
				      "vip_customer", NULL, 1000, 0, 0, 0});
}

/* ---- the acceptance measure ------------------------------------------- */

START_TEST(test_measure_values)
{
	/* Every word kept, in order, whatever the agent added around it. */
	ck_assert_double_eq_tol(acceptance_measure("Your parcel ships today.",
						   "Hi Ann, your parcel ships TODAY. Bye"),
				1.0, 1e-9);
	/* 3 of 4 draft words survive in order (LCS "a c d"). */
	ck_assert_double_eq_tol(acceptance_measure("a b c d", "a x c d y"), 0.75, 1e-9);
	/* Order matters: reversed, only one word can be matched. */
	ck_assert_double_eq_tol(acceptance_measure("a b c d", "d c b a"), 0.25, 1e-9);
	/* Punctuation and case do not count; digits are words. */
	ck_assert_double_eq_tol(acceptance_measure("Order #123, shipped!",
						   "order 123 shipped"),
				1.0, 1e-9);
	/* Non-ASCII letters belong to words. */
	ck_assert_double_eq_tol(acceptance_measure("Grüße aus Köln", "grüße aus Bonn"),
				2.0 / 3.0, 1e-9);
	ck_assert_double_eq_tol(acceptance_measure("a b", ""), 0.0, 1e-9);
	ck_assert_double_eq_tol(acceptance_measure("", "a b"), 0.0, 1e-9);
	ck_assert_double_eq_tol(acceptance_measure("...", "a b"), 0.0, 1e-9);
}
END_TEST

START_TEST(test_measure_caps_words)
{
	size_t n = (ACCEPTANCE_MAX_WORDS + 500) * 2;
	char *big = malloc(n + 1);

	for (size_t i = 0; i < n; i += 2) {
		big[i] = 'w';
		big[i + 1] = ' ';
	}
	big[n] = '\0';
	/* Both sides are cut at the cap, so all counted words match. */
	ck_assert_double_eq_tol(acceptance_measure(big, big), 1.0, 1e-9);
	ck_assert_double_eq_tol(acceptance_measure(big, "w w"),
				2.0 / ACCEPTANCE_MAX_WORDS, 1e-9);
	free(big);
}
END_TEST

/* ---- business hours and deadlines ------------------------------------- */

START_TEST(test_hours_parse)
{
	struct business_hours h;
	struct dp_error err;

	ck_assert_int_eq(hours_parse("", 0, &h, &err), 0);
	ck_assert(h.always);
	ck_assert_int_eq(hours_parse("Mon-Fri 09:00-17:00", 60, &h, &err), 0);
	ck_assert(!h.always);
	ck_assert_int_eq(h.days, 0x3e); /* Mon..Fri */
	ck_assert_int_eq(h.open_min, 540);
	ck_assert_int_eq(h.close_min, 1020);
	ck_assert_int_eq(h.utc_offset_min, 60);
	/* Lists and ranges that wrap over the week's end. */
	ck_assert_int_eq(hours_parse("fri-MON 00:00-24:00", 0, &h, &err), 0);
	ck_assert_int_eq(h.days, 0x63); /* Sun, Mon, Fri, Sat */
	ck_assert_int_eq(h.close_min, 1440);
	ck_assert_int_eq(hours_parse("Mon,Wed-Thu 08:30-12:00", 0, &h, &err), 0);
	ck_assert_int_eq(h.days, 0x1a);
	ck_assert_int_eq(hours_parse("Mon-Fri 17:00-09:00", 0, NULL, &err),
			 DP_EINVAL);
	ck_assert_msg(strstr(err.msg, "after opening") != NULL, "%s", err.msg);
	ck_assert_int_eq(hours_parse("Mon-Fri", 0, NULL, &err), DP_EINVAL);
	ck_assert_msg(strstr(err.msg, "Mon-Fri 09:00-17:00") != NULL, "%s", err.msg);
	ck_assert_int_eq(hours_parse("Xyz 09:00-17:00", 0, NULL, &err), DP_EINVAL);
	ck_assert_int_eq(hours_parse("Mon- 09:00-17:00", 0, NULL, &err), DP_EINVAL);
	ck_assert_int_eq(hours_parse("Mon, 09:00-17:00", 0, NULL, &err), DP_EINVAL);
	ck_assert_int_eq(hours_parse("Mon 9:00-17:00", 0, NULL, &err), DP_EINVAL);
	ck_assert_int_eq(hours_parse("Mon 09:60-17:00", 0, NULL, &err), DP_EINVAL);
	ck_assert_int_eq(hours_parse("Mon 09:00-24:01", 0, NULL, &err), DP_EINVAL);
}
END_TEST

START_TEST(test_due_times)
{
	struct business_hours h;
	struct dp_error err;

	ck_assert_int_eq(hours_parse("", 0, &h, &err), 0);
	ck_assert_int_eq(hours_due_ms(FRI_1630, 60, &h), FRI_1630 + 60 * MIN_MS);
	ck_assert_int_eq(hours_due_ms(FRI_1630, 0.05, &h), FRI_1630 + 3000);

	ck_assert_int_eq(hours_parse("Mon-Fri 09:00-17:00", 0, &h, &err), 0);
	/* Friday 16:30 + 60 open minutes: 30 on Friday, 30 on Monday. */
	ck_assert_int_eq(hours_due_ms(FRI_1630, 60, &h),
			 FRI_1630 + 3 * 86400000LL - 7 * 60 * MIN_MS);
	/* Inside the day: plain addition. */
	ck_assert_int_eq(hours_due_ms(FRI_1630 - 7 * 60 * MIN_MS, 60, &h),
			 FRI_1630 - 6 * 60 * MIN_MS);
	/* Saturday 12:00: the clock starts Monday 09:00. */
	ck_assert_int_eq(hours_due_ms(FRI_1630 + 86400000LL - 270 * MIN_MS, 15, &h),
			 FRI_1630 + 3 * 86400000LL - 450 * MIN_MS + 15 * MIN_MS);
	/* Two full business days span a weekend: Fri 16:30 + 16 h of open
	 * time ends Tuesday 16:30. */
	ck_assert_int_eq(hours_due_ms(FRI_1630, 16 * 60, &h),
			 FRI_1630 + 4 * 86400000LL);

	/* Local time UTC+2: 16:30 UTC is 18:30 local, after hours; the clock
	 * starts Monday 09:00 local = 07:00 UTC. */
	ck_assert_int_eq(hours_parse("Mon-Fri 09:00-17:00", 120, &h, &err), 0);
	ck_assert_int_eq(hours_due_ms(FRI_1630, 60, &h),
			 FRI_1630 + 3 * 86400000LL - 570 * MIN_MS + 60 * MIN_MS);
}
END_TEST

/* ---- the watchdog ---------------------------------------------------- */

START_TEST(test_watchdog_escalates_once)
{
	int64_t t0 = FRI_1630;
	int64_t d1, d2, d3;

	cfg.vip_sla_minutes = 1;
	d1 = vip(10, t0);
	/* Ticket 11 is answered in time, ticket 12 is closed without one. */
	vip(11, t0);
	event(11, EVENT_AGENT_REPLY, "we are on it", "open", t0 + 20000);
	vip(12, t0);
	event(12, EVENT_SYSTEM, NULL, "closed", t0 + 20000);

	watchdog_step(s, &cfg, t0 + 59000);
	ck_assert_int_eq(store_sla_breaches(s, 0), 0);
	watchdog_step(s, &cfg, t0 + 61000);
	ck_assert_int_eq(store_sla_breaches(s, 0), 1);
	/* A second unanswered message does not escalate the ticket again. */
	d2 = vip(10, t0 + 90000);
	watchdog_step(s, &cfg, t0 + 10 * MIN_MS);
	ck_assert_int_eq(store_sla_breaches(s, 0), 1);

	json_t *list = store_report_decisions(s, &(struct decision_filter){.ticket_id = 10});
	ck_assert_int_eq(json_array_size(list), 2);
	/* Newest first: d2 has none, d1 carries the escalation time. */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")), d2);
	ck_assert(json_is_null(json_object_get(json_array_get(list, 0), "sla_escalated_at")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 1), "id")), d1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 1),
							    "sla_escalated_at")),
			 t0 + 61000);
	json_decref(list);

	/* An agent answers; a new VIP message starts a new clock. */
	event(10, EVENT_AGENT_REPLY, "sorry for the wait", "open", t0 + 11 * MIN_MS);
	d3 = vip(10, t0 + 12 * MIN_MS);
	watchdog_step(s, &cfg, t0 + 12 * MIN_MS + 30000);
	ck_assert_int_eq(store_sla_breaches(s, 0), 1);
	watchdog_step(s, &cfg, t0 + 13 * MIN_MS + 1000);
	ck_assert_int_eq(store_sla_breaches(s, 0), 2);
	ck_assert_int_eq(store_sla_breaches(s, t0 + 13 * MIN_MS), 1);
	list = store_report_decisions(s, &(struct decision_filter){.ticket_id = 10, .limit = 1});
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")), d3);
	ck_assert(json_is_integer(json_object_get(json_array_get(list, 0), "sla_escalated_at")));
	json_decref(list);
}
END_TEST

START_TEST(test_watchdog_off_old_and_business_hours)
{
	int64_t t0 = FRI_1630;

	vip(20, t0);
	/* 0 turns the watchdog off. */
	cfg.vip_sla_minutes = 0;
	watchdog_step(s, &cfg, t0 + 86400000LL);
	ck_assert_int_eq(store_sla_breaches(s, 0), 0);
	/* Past the look-back (14 days) nothing is escalated any more. */
	cfg.vip_sla_minutes = 1;
	watchdog_step(s, &cfg, t0 + 15 * 86400000LL);
	ck_assert_int_eq(store_sla_breaches(s, 0), 0);
	/* Business hours: Friday 16:30 + 60 min is due Monday 09:30. */
	cfg.vip_sla_minutes = 60;
	free(cfg.business_hours);
	cfg.business_hours = strdup("Mon-Fri 09:00-17:00");
	watchdog_step(s, &cfg, t0 + 2 * 86400000LL); /* Sunday */
	ck_assert_int_eq(store_sla_breaches(s, 0), 0);
	watchdog_step(s, &cfg, t0 + 3 * 86400000LL - 7 * 60 * MIN_MS);
	ck_assert_int_eq(store_sla_breaches(s, 0), 1);
}
END_TEST

START_TEST(test_shadow_vip_not_escalated)
{
	cfg.vip_sla_minutes = 1;
	/* Shadow mode writes nothing to the helpdesk: nothing to escalate. */
	/* clang-format off */
	decided(30, FRI_1630, &(struct spec){OUTCOME_NONE, OUTCOME_HUMAN_VIP, NULL,
					     "vip_customer", NULL, 1, 0, 0, 0});
	/* clang-format on */
	watchdog_step(s, &cfg, FRI_1630 + 10 * MIN_MS);
	ck_assert_int_eq(store_sla_breaches(s, 0), 0);
}
END_TEST

/* ---- acceptance and demotion ------------------------------------------- */

/* An ai_draft decision for intent at at_ms, answered by the agent with
 * reply one second later. */
static int64_t answered_draft(int64_t ticket, const char *intent, const char *draft,
			      const char *reply, int64_t at_ms)
{
	int64_t id = decided(ticket, at_ms,
			     &(struct spec){OUTCOME_AI_DRAFT, OUTCOME_NONE, intent,
					    NULL, draft, 1000, 0, 0, 0});

	event(ticket, EVENT_AGENT_REPLY, reply, "open", at_ms + 1000);
	return id;
}

static double acceptance_of(int64_t decision_id)
{
	json_t *list = store_report_decisions(s, &(struct decision_filter){.limit = 1000});
	size_t i;
	json_t *d;
	double a = -1;

	json_array_foreach(list, i, d)
		if (json_integer_value(json_object_get(d, "id")) == decision_id)
			a = json_is_null(json_object_get(d, "acceptance"))
				    ? -1
				    : json_number_value(json_object_get(d, "acceptance"));
	json_decref(list);
	return a;
}

static bool demoted(const char *intent)
{
	struct demotion dm;

	ck_assert_int_eq(store_demotion_get(s, intent, &dm), 0);
	return dm.demoted;
}

START_TEST(test_acceptance_measured_from_agent_reply)
{
	int64_t now = FRI_1630;
	int64_t kept, waiting;

	kept = answered_draft(40, "track_order", "Your parcel ships today.",
			      "Hello,\n\nyour parcel ships today.\n\n"
			      "On Fri, 3 May 2024, Ann wrote:\n> where is my parcel\n",
			      now);
	/* clang-format off */
	waiting = decided(41, now, &(struct spec){OUTCOME_AI_DRAFT, OUTCOME_NONE,
						  "track_order", NULL, "Draft text",
						  1000, 0, 0, 0});
	/* clang-format on */
	/* An agent note is not a reply. */
	event(41, EVENT_NOTE, "Draft text", "open", now + 1000);
	acceptance_step(s, &cfg, now + 5000);
	ck_assert_double_eq_tol(acceptance_of(kept), 1.0, 1e-9);
	ck_assert_double_eq_tol(acceptance_of(waiting), -1, 1e-9);
	/* The reply comes later: measured on the next pass. */
	event(41, EVENT_AGENT_REPLY, "Something else entirely", "open", now + 9000);
	acceptance_step(s, &cfg, now + 10000);
	ck_assert_double_eq_tol(acceptance_of(waiting), 0.0, 1e-9);
}
END_TEST

START_TEST(test_demotion_short_window_and_restore)
{
	int64_t t = FRI_1630;
	struct decision d;

	cfg.acceptance_window = 3;
	cfg.acceptance_min = 0.5;
	/* Two bad drafts: below the threshold, but the window is not full. */
	answered_draft(50, "get_refund", "We refund you today", "No refund sorry", t);
	answered_draft(51, "get_refund", "We refund you today", "Please call us", t + 1);
	/* A good intent alongside. */
	for (int i = 0; i < 3; i++)
		answered_draft(60 + i, "track_order", "It ships today",
			       "Hi, it ships today", t + 2 + i);
	acceptance_step(s, &cfg, t + 10000);
	ck_assert(!demoted("get_refund"));
	answered_draft(52, "get_refund", "We refund you today", "We refund you", t + 20000);
	acceptance_step(s, &cfg, t + 30000);
	/* Mean (0.25 + 0 + 0.75) / 3 = 0.333 < 0.5 over a full window. */
	ck_assert(demoted("get_refund"));
	ck_assert(!demoted("track_order"));

	struct demotion dm;
	ck_assert_int_eq(store_demotion_get(s, "get_refund", &dm), 0);
	ck_assert_int_eq(dm.drafts, 3);
	ck_assert_double_eq_tol(dm.mean, 1.0 / 3.0, 1e-9);
	ck_assert_int_eq(dm.demoted_at, t + 30000);

	/* The pipeline's view: an auto-reply for it becomes a draft. */
	decision_init(&d);
	d.outcome = OUTCOME_AI_REPLY;
	snprintf(d.intent, sizeof(d.intent), "get_refund");
	ck_assert(acceptance_apply_demotion(s, &d));
	ck_assert_int_eq(d.outcome, OUTCOME_AI_DRAFT);
	ck_assert(decision_has_reason(&d, "intent_demoted"));
	/* Shadow mode changes would_be; drafts and other intents stay. */
	decision_init(&d);
	d.outcome = OUTCOME_NONE;
	d.would_be = OUTCOME_AI_REPLY;
	snprintf(d.intent, sizeof(d.intent), "get_refund");
	ck_assert(acceptance_apply_demotion(s, &d));
	ck_assert_int_eq(d.would_be, OUTCOME_AI_DRAFT);
	ck_assert_int_eq(d.outcome, OUTCOME_NONE);
	decision_init(&d);
	d.outcome = OUTCOME_AI_REPLY;
	snprintf(d.intent, sizeof(d.intent), "track_order");
	ck_assert(!acceptance_apply_demotion(s, &d));
	ck_assert_int_eq(d.outcome, OUTCOME_AI_REPLY);

	/* The admin restores it: the old figures no longer count... */
	ck_assert_int_eq(store_demotion_restore(s, "get_refund", t + 40000), 0);
	ck_assert_int_eq(store_demotion_restore(s, "get_refund", t + 40000), DP_ENOTFOUND);
	ck_assert_int_eq(store_demotion_restore(s, "never_demoted", t), DP_ENOTFOUND);
	ck_assert(!demoted("get_refund"));
	answered_draft(53, "get_refund", "We refund you today", "no", t + 50000);
	acceptance_step(s, &cfg, t + 60000);
	ck_assert(!demoted("get_refund"));
	/* ...until a new full window of bad drafts demotes it again. */
	answered_draft(54, "get_refund", "We refund you today", "no", t + 70000);
	answered_draft(55, "get_refund", "We refund you today", "no", t + 80000);
	acceptance_step(s, &cfg, t + 90000);
	ck_assert(demoted("get_refund"));

	/* acceptance_min = 0 never demotes. */
	cfg.acceptance_min = 0;
	for (int i = 0; i < 3; i++)
		answered_draft(70 + i, "cancel_order", "Cancelled", "no", t + 100000 + i);
	acceptance_step(s, &cfg, t + 200000);
	ck_assert(!demoted("cancel_order"));
}
END_TEST

/* ---- stats and decisions ---------------------------------------------- */

START_TEST(test_stats_figures)
{
	int64_t t = FRI_1630;
	json_t *st, *it;
	int64_t d;

	cfg.vip_sla_minutes = 1;
	cfg.minutes_per_human_ticket = 10;
	cfg.minutes_per_ai_draft = 4;
	/* Before the period: not counted. */
	/* clang-format off */
	decided(1, t - 86400000LL, &(struct spec){OUTCOME_HUMAN, OUTCOME_NONE, NULL,
						  "angry", NULL, 100, 0, 0, 0});
	decided(2, t, &(struct spec){OUTCOME_HUMAN, OUTCOME_NONE, "get_refund",
				     "money_sensitive", NULL, 1000, 0, 0, 0});
	decided(2, t + 1, &(struct spec){OUTCOME_HUMAN, OUTCOME_NONE, "get_refund",
					 "money_sensitive", NULL, 2000, 0, 0, 0});
	decided(3, t + 2, &(struct spec){OUTCOME_HUMAN, OUTCOME_NONE, NULL,
					 "asked_for_human", NULL, 3000, 0, 0, 0});
	d = decided(4, t + 3, &(struct spec){OUTCOME_AI_DRAFT, OUTCOME_NONE,
					     "track_order", NULL, "It ships today",
					     4000, 800, 100, 20});
	decided(5, t + 4, &(struct spec){OUTCOME_AI_REPLY, OUTCOME_NONE,
					 "track_order", NULL, "It ships today",
					 5000, 1200, 150, 30});
	decided(6, t + 5, &(struct spec){OUTCOME_HUMAN, OUTCOME_NONE, "track_order",
					 "model_failed", NULL, 6000, 3000, 0, 0});
	decided(7, t + 6, &(struct spec){OUTCOME_NONE, OUTCOME_AI_DRAFT,
					 "track_order", NULL, "shadow draft",
					 7000, 0, 0, 0});
	/* clang-format on */
	vip(8, t + 7);
	vip(9, t + 8);
	event(9, EVENT_AGENT_REPLY, "hello", "open", t + 9);
	event(4, EVENT_AGENT_REPLY, "Hi, it ships tomorrow", "open", t + 10);
	acceptance_step(s, &cfg, t + 20);
	watchdog_step(s, &cfg, t + 2 * MIN_MS);

	st = stats_collect(s, &cfg, t);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "decisions")), 9);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "tickets")), 8);
	json_t *o = json_object_get(st, "outcomes");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "human")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "human_vip")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "ai_draft")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "ai_reply")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "none")), 1);
	o = json_object_get(st, "effective");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "ai_draft")), 2);
	ck_assert_ptr_null(json_object_get(o, "none"));
	/* AI: 2 drafts (one in shadow) + 1 reply, of 9 decided. */
	ck_assert_double_eq_tol(json_number_value(json_object_get(st, "ai_share")), 1.0 / 3.0, 1e-9);
	/* 1 reply x 10 + 1 live draft x (10 - 4); the shadow draft saved nothing. */
	ck_assert_double_eq_tol(json_number_value(json_object_get(st, "minutes_saved")), 16, 1e-9);

	json_t *r = json_object_get(st, "human_reasons");
	ck_assert_int_eq(json_array_size(r), 4);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 0), "code")),
			 "money_sensitive");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(r, 0), "n")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 1), "code")),
			 "vip_customer");

	it = json_array_get(json_object_get(st, "intents"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(it, "intent")), "track_order");
	ck_assert_int_eq(json_integer_value(json_object_get(it, "n")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(it, "ai")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(it, "acceptance_n")), 1);
	/* "It ships today" vs "Hi, it ships tomorrow": 2 of 3 words. */
	ck_assert_double_eq_tol(json_number_value(json_object_get(it, "acceptance_mean")),
				2.0 / 3.0, 1e-9);
	ck_assert(json_is_false(json_object_get(it, "demoted")));
	ck_assert_double_eq_tol(acceptance_of(d), 2.0 / 3.0, 1e-9);

	json_t *v = json_object_get(st, "vip");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "tickets")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "answered")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "breaches")), 1);

	/* Latencies sorted: 1000 1000 1000 2000 3000 4000 5000 6000 7000;
	 * nearest rank p50 is the 5th, p95 the 9th. */
	json_t *lat = json_object_get(st, "latency_us");
	ck_assert_int_eq(json_integer_value(json_object_get(lat, "n")), 9);
	ck_assert_int_eq(json_integer_value(json_object_get(lat, "p50")), 3000);
	ck_assert_int_eq(json_integer_value(json_object_get(lat, "p95")), 7000);
	ck_assert_int_eq(json_integer_value(json_object_get(lat, "mean")), 3333);

	json_t *m = json_object_get(st, "model");
	ck_assert_int_eq(json_integer_value(json_object_get(m, "calls")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "failures")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "ms_sum")), 5000);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "ms_mean")), 1667);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "ms_p95")), 3000);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "tokens_in")), 250);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "tokens_out")), 50);
	ck_assert_str_eq(json_string_value(json_object_get(st, "since")),
			 "2024-05-03T16:30:00Z");

	/* The table prints the same figures. */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	stats_print_table(st, f);
	fclose(f);
	ck_assert_msg(strstr(text, "9 on 8 tickets") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "3 (33.3% of decided)") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "about 16 (10 per AI reply, 6 per AI draft)") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "2 tickets, 1 answered by an agent, 1 SLA breaches") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "track_order                        4      3         1        0.67") != NULL,
		      "%s", text);
	free(text);
	json_decref(st);

	/* All time includes the older decision. */
	st = stats_collect(s, &cfg, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "decisions")), 10);
	ck_assert(json_is_null(json_object_get(st, "since")));
	json_decref(st);
}
END_TEST

START_TEST(test_decisions_report_calls)
{
	/* clang-format off */
	int64_t d1 = decided(90, FRI_1630, &(struct spec){OUTCOME_HUMAN, OUTCOME_NONE,
							  "get_refund", "money_sensitive",
							  NULL, 1234, 0, 0, 0});
	decided(91, FRI_1630 + 1, &(struct spec){OUTCOME_AI_DRAFT, OUTCOME_NONE,
						 "track_order", NULL, "draft", 1, 0, 0, 0});
	/* clang-format on */
	struct outbox_item it;
	json_t *list, *row, *calls;

	ck_assert_int_eq(store_outbox_add(s, d1, "helpdesk", 90, "tag_add", "{}", FRI_1630), 0);
	ck_assert_int_eq(store_outbox_add(s, d1, "helpdesk", 90, "note", "{}", FRI_1630), 0);
	outbox_item_init(&it);
	ck_assert_int_eq(store_outbox_claim(s, FRI_1630, 1000, &it), 0);
	ck_assert_int_eq(store_outbox_done(s, it.id, "{\"tags\":1}", FRI_1630 + 5), 0);
	ck_assert_int_eq(store_outbox_claim(s, FRI_1630, 1000, &it), 0);
	ck_assert_int_eq(store_outbox_dead(s, it.id, "http 422: no such tag"), 0);
	outbox_item_release(&it);

	list = store_report_decisions(s, &(struct decision_filter){.ticket_id = 90});
	ck_assert_int_eq(json_array_size(list), 1);
	row = json_array_get(list, 0);
	ck_assert_str_eq(json_string_value(json_object_get(row, "outcome")), "human");
	ck_assert_str_eq(json_string_value(json_object_get(row, "intent")), "get_refund");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "latency_us")), 1234);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(row, "reasons"), 0), "code")),
			 "money_sensitive");
	calls = json_object_get(row, "calls");
	ck_assert_int_eq(json_array_size(calls), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(calls, 0), "state")),
			 "done");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(calls, 0), "result")),
			 "{\"tags\":1}");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(calls, 1), "state")),
			 "dead");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(calls, 1), "last_error")),
			 "http 422: no such tag");
	json_decref(list);

	/* Filters: source, since, limit. */
	list = store_report_decisions(s, &(struct decision_filter){.source = "other"});
	ck_assert_int_eq(json_array_size(list), 0);
	json_decref(list);
	list = store_report_decisions(s, &(struct decision_filter){.since_ms = FRI_1630 + 1});
	ck_assert_int_eq(json_array_size(list), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "ticket_id")), 91);
	json_decref(list);

	/* The stored decision comes back as a value (for replay). */
	struct decision d;
	int64_t id;
	ck_assert_int_eq(store_decision_of_event(s, 1, &d, &id), 0);
	ck_assert_int_eq(id, d1);
	ck_assert_int_eq(d.outcome, OUTCOME_HUMAN);
	ck_assert_str_eq(d.intent, "get_refund");
	ck_assert(decision_has_reason(&d, "money_sensitive"));
	ck_assert_int_eq(store_decision_of_event(s, 999, &d, &id), DP_ENOTFOUND);
}
END_TEST

START_TEST(test_parse_since)
{
	struct dp_error err;
	int64_t ms;

	ck_assert_int_eq(stats_parse_since("2024-05-03", 0, &ms, &err), 0);
	ck_assert_int_eq(ms, FRI_1630 - (16 * 60 + 30) * MIN_MS);
	ck_assert_int_eq(stats_parse_since("2024-05-03T16:30", 0, &ms, &err), 0);
	ck_assert_int_eq(ms, FRI_1630);
	ck_assert_int_eq(stats_parse_since("2024-05-03T16:30:05Z", 0, &ms, &err), 0);
	ck_assert_int_eq(ms, FRI_1630 + 5000);
	ck_assert_int_eq(stats_parse_since("7d", FRI_1630, &ms, &err), 0);
	ck_assert_int_eq(ms, FRI_1630 - 7 * 86400000LL);
	ck_assert_int_eq(stats_parse_since("24h", FRI_1630, &ms, &err), 0);
	ck_assert_int_eq(ms, FRI_1630 - 86400000LL);
	ck_assert_int_eq(stats_parse_since("30m", FRI_1630, &ms, &err), 0);
	ck_assert_int_eq(ms, FRI_1630 - 30 * MIN_MS);
	ck_assert_int_eq(stats_parse_since("2024-02-30", 0, &ms, &err), DP_EINVAL);
	ck_assert_msg(strstr(err.msg, "'2024-02-30'") != NULL, "%s", err.msg);
	ck_assert_int_eq(stats_parse_since("yesterday", 0, &ms, &err), DP_EINVAL);
	ck_assert_int_eq(stats_parse_since("7w", 0, &ms, &err), DP_EINVAL);
	ck_assert_int_eq(stats_parse_since("-7d", 0, &ms, &err), DP_EINVAL);
	ck_assert_int_eq(stats_parse_since("2024-05-03T25:00", 0, &ms, &err), DP_EINVAL);
	ck_assert_int_eq(stats_parse_since("", 0, &ms, &err), DP_EINVAL);
}
END_TEST

START_TEST(test_metrics_lines)
{
	struct buf b;

	cfg.vip_sla_minutes = 1;
	cfg.acceptance_window = 1;
	cfg.acceptance_min = 0.5;
	vip(100, FRI_1630);
	/* clang-format off */
	decided(101, FRI_1630, &(struct spec){OUTCOME_HUMAN, OUTCOME_NONE, NULL,
					      "model_failed", NULL, 1, 250, 10, 0});
	/* clang-format on */
	answered_draft(102, "track_\"order", "a b c d", "a", FRI_1630);
	acceptance_step(s, &cfg, FRI_1630 + 2000);
	watchdog_step(s, &cfg, FRI_1630 + 2 * MIN_MS);
	buf_init(&b, 1 << 20);
	stats_render_metrics(s, &b);
	ck_assert_msg(strstr(b.data, "deskpilot_decision_reasons_total{code=\"model_failed\"} 1\n"),
		      "%s", b.data);
	ck_assert_msg(strstr(b.data, "deskpilot_decision_reasons_total{code=\"vip_customer\"} 1\n"),
		      "%s", b.data);
	ck_assert_msg(strstr(b.data, "deskpilot_sla_breaches_total 1\n"), "%s", b.data);
	ck_assert_msg(strstr(b.data, "deskpilot_model_calls_total 1\n"), "%s", b.data);
	ck_assert_msg(strstr(b.data, "deskpilot_model_failures_total 1\n"), "%s", b.data);
	ck_assert_msg(strstr(b.data, "deskpilot_model_wait_seconds_total 0.250\n"), "%s", b.data);
	ck_assert_msg(strstr(b.data, "deskpilot_model_tokens_total{direction=\"in\"} 10\n"),
		      "%s", b.data);
	/* Label values are escaped. */
	ck_assert_msg(strstr(b.data, "deskpilot_draft_acceptance{intent=\"track_\\\"order\"} 0.2500\n"),
		      "%s", b.data);
	ck_assert_msg(strstr(b.data, "deskpilot_intent_demoted{intent=\"track_\\\"order\"} 1\n"),
		      "%s", b.data);
	buf_release(&b);
}
END_TEST

static Suite *suite(void)
{
	Suite *su = suite_create("ops");
	TCase *pure = tcase_create("pure");
	TCase *tc = tcase_create("store");

	tcase_add_test(pure, test_measure_values);
	tcase_add_test(pure, test_measure_caps_words);
	tcase_add_test(pure, test_hours_parse);
	tcase_add_test(pure, test_due_times);
	tcase_add_test(pure, test_parse_since);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_watchdog_escalates_once);
	tcase_add_test(tc, test_watchdog_off_old_and_business_hours);
	tcase_add_test(tc, test_shadow_vip_not_escalated);
	tcase_add_test(tc, test_acceptance_measured_from_agent_reply);
	tcase_add_test(tc, test_demotion_short_window_and_restore);
	tcase_add_test(tc, test_stats_figures);
	tcase_add_test(tc, test_decisions_report_calls);
	tcase_add_test(tc, test_metrics_lines);
	suite_add_tcase(su, pure);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return test_main(suite());
}
