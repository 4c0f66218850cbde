/*
 * check_outbox.c - the queues behind the front: events claimed in order per
 * ticket under leases, the outbox (ordering per ticket, retries, dead
 * letters, requeue), exactly-once decisions, and the retention purge.
 */
#include <check.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/event.h"
#include "store/decisions.h"
#include "store/events.h"
#include "store/outbox.h"
#include "store/retention.h"
#include "test.h"

static struct test_db db;
static store *s;

static void setup(void)
{
	s = test_db_open(&db, "outbox");
}

static void teardown(void)
{
	store_close(s);
	test_db_remove(&db);
}

/* Exact bodies kept for an event, read through a connection of its own. */
static int64_t raw_bodies(int64_t event_id)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	ck_assert_int_eq(sqlite3_open(db.path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM event_raw"
					       " WHERE event_id = ?1",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, event_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* Store a customer event and a decision for it; returns the decision id. */
static int64_t decided_event(int64_t ticket, int64_t article, int64_t at_ms)
{
	struct ticket_event ev;
	struct decision d;
	int64_t eid, did;

	ticket_event_init(&ev);
	ev.source = strdup("zammad");
	ev.kind = EVENT_CUSTOMER_MESSAGE;
	ev.ticket_id = ticket;
	ev.article_id = article;
	ev.body = strdup("my parcel is late");
	ck_assert_int_eq(store_event_insert(s, &ev, "{}", 2, at_ms, &eid), 0);
	decision_init(&d);
	d.outcome = OUTCOME_AI_DRAFT;
	struct decision_record r = {eid, "zammad", ticket, at_ms, &d, "kb",
				    "a draft", 10, 0, 0, 0};
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_decision_insert(s, &r, &did), 0);
	ck_assert_int_eq(store_event_mark_done(s, eid), 0);
	ck_assert_int_eq(store_commit(s), 0);
	/* The same event again is refused: exactly one decision. */
	int64_t again = 0;
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_decision_insert(s, &r, &again), DP_EDUP);
	store_rollback(s);
	ticket_event_release(&ev);
	return did;
}

START_TEST(test_order_per_ticket)
{
	int64_t d1 = decided_event(1, 11, 1000);
	int64_t d2 = decided_event(2, 21, 1000);
	struct outbox_item it;

	ck_assert_int_eq(store_outbox_add(s, d1, "zammad", 1, "tag_add", "{\"n\":1}", 1000), 0);
	ck_assert_int_eq(store_outbox_add(s, d1, "zammad", 1, "note", "{\"n\":2}", 1000), 0);
	ck_assert_int_eq(store_outbox_add(s, d2, "zammad", 2, "note", "{\"n\":3}", 1000), 0);
	outbox_item_init(&it);

	/* First claim: ticket 1's first action. */
	ck_assert_int_eq(store_outbox_claim(s, 2000, 5000, &it), 0);
	ck_assert_str_eq(it.payload, "{\"n\":1}");
	ck_assert_int_eq(it.attempts, 1);
	int64_t first = it.id;
	/* It fails and waits; ticket 1's second action must not overtake it,
	 * but ticket 2 may go ahead. */
	ck_assert_int_eq(store_outbox_retry(s, first, 10000, "http 500"), 0);
	ck_assert_int_eq(store_outbox_claim(s, 3000, 5000, &it), 0);
	ck_assert_str_eq(it.payload, "{\"n\":3}");
	ck_assert_int_eq(store_outbox_done(s, it.id, "{\"ok\":true}", 3000), 0);
	ck_assert_int_eq(store_outbox_claim(s, 4000, 5000, &it), DP_ENOTFOUND);
	/* Once due, the first action comes back with its attempt count. */
	ck_assert_int_eq(store_outbox_claim(s, 10000, 5000, &it), 0);
	ck_assert_int_eq(it.id, first);
	ck_assert_int_eq(it.attempts, 2);
	ck_assert_str_eq(it.last_error, "http 500");
	ck_assert_int_eq(store_outbox_done(s, first, NULL, 10000), 0);
	ck_assert_int_eq(store_outbox_claim(s, 10001, 5000, &it), 0);
	ck_assert_str_eq(it.payload, "{\"n\":2}");
	outbox_item_release(&it);
}
END_TEST

START_TEST(test_lease_hides_claimed_row)
{
	int64_t d = decided_event(3, 31, 1000);
	struct outbox_item it;

	outbox_item_init(&it);
	ck_assert_int_eq(store_outbox_add(s, d, "zammad", 3, "note", "{}", 1000), 0);
	ck_assert_int_eq(store_outbox_claim(s, 1000, 5000, &it), 0);
	/* Claimed by a dispatcher that may have died: hidden until the lease
	 * runs out, then claimable again. */
	ck_assert_int_eq(store_outbox_claim(s, 2000, 5000, &it), DP_ENOTFOUND);
	ck_assert_int_eq(store_outbox_claim(s, 6001, 5000, &it), 0);
	ck_assert_int_eq(it.attempts, 2);
	outbox_item_release(&it);
}
END_TEST

START_TEST(test_dead_and_requeue)
{
	int64_t d = decided_event(4, 41, 1000);
	struct outbox_item it;

	outbox_item_init(&it);
	ck_assert_int_eq(store_outbox_add(s, d, "zammad", 4, "ticket_update", "{}", 1000), 0);
	ck_assert_int_eq(store_outbox_claim(s, 1000, 5000, &it), 0);
	ck_assert_int_eq(store_outbox_dead(s, it.id, "422 unknown group"), 0);
	ck_assert_int_eq(store_outbox_count(s, "dead"), 1);
	ck_assert_int_eq(store_outbox_count(s, "pending"), 0);
	ck_assert_int_eq(store_outbox_claim(s, 99999, 5000, &it), DP_ENOTFOUND);
	ck_assert_int_eq(store_outbox_requeue(s, 0, NULL, 50000), 1);
	ck_assert_int_eq(store_outbox_count(s, "dead"), 0);
	ck_assert_int_eq(store_outbox_claim(s, 50000, 5000, &it), 0);
	ck_assert_int_eq(it.attempts, 1);
	ck_assert_int_eq(it.created_at, 50000);
	/* Requeueing a row that is not dead changes nothing. */
	ck_assert_int_eq(store_outbox_requeue(s, it.id, NULL, 60000), 0);
	ck_assert_int_eq(store_outbox_dead(s, it.id, "422 unknown group"), 0);
	outbox_item_release(&it);

	/* Under a new installation id: only the conflicts, re-keyed. */
	ck_assert_int_eq(store_outbox_add(s, d, "osticket", 5, "decision",
					  "{\"action\":\"decision\",\"installation\":\"old\",\"decision_id\":1}",
					  70000),
			 0);
	ck_assert_int_eq(store_outbox_add(s, d, "osticket", 6, "decision",
					  "{\"action\":\"decision\",\"installation\":\"old\",\"decision_id\":2}",
					  70000),
			 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(store_outbox_claim(s, 70000, 5000, &it), 0);
		ck_assert_int_eq(store_outbox_dead(s, it.id,
						   it.ticket_id == 5 ? OUTBOX_CONFLICT "osticket answered 422: ..."
								     : "osticket answered 422: unknown ticket"),
				 0);
		outbox_item_release(&it);
	}
	ck_assert_int_eq(store_outbox_count(s, "dead"), 3);
	ck_assert_int_eq(store_outbox_requeue(s, 0, "new", 80000), 1);
	ck_assert_int_eq(store_outbox_claim(s, 80000, 5000, &it), 0);
	ck_assert_int_eq(it.ticket_id, 5);
	ck_assert_str_eq(it.payload, "{\"action\":\"decision\",\"installation\":\"new\",\"decision_id\":1}");
	outbox_item_release(&it);
	ck_assert_int_eq(store_outbox_claim(s, 80000, 5000, &it), DP_ENOTFOUND);
	/* A plain retry takes the rest as they are. */
	ck_assert_int_eq(store_outbox_requeue(s, 0, NULL, 90000), 2);
	ck_assert_int_eq(store_outbox_count(s, "dead"), 0);
}
END_TEST

START_TEST(test_prior_ai_and_counts)
{
	decided_event(5, 51, 1000);
	ck_assert(store_decision_prior_ai(s, "zammad", 5, 1000000));
	ck_assert(!store_decision_prior_ai(s, "zammad", 6, 1000000));
	ck_assert(!store_decision_prior_ai(s, "osticket", 5, 1000000));
}
END_TEST

START_TEST(test_purge_keeps_decisions)
{
	struct ticket_event ev;

	decided_event(7, 71, 1000);   /* old */
	decided_event(8, 81, 900000); /* recent */
	ck_assert_int_eq(raw_bodies(1), 1);
	ck_assert_int_eq(store_purge(s, 500000), 2); /* one event, one draft */
	ck_assert_int_eq(raw_bodies(1), 0);
	ck_assert_int_eq(raw_bodies(2), 1);
	ticket_event_init(&ev);
	ck_assert_int_eq(store_event_get(s, 1, &ev), 0);
	ck_assert_ptr_null(ev.body);
	ck_assert_int_eq(ev.ticket_id, 7);
	ticket_event_release(&ev);
	ticket_event_init(&ev);
	ck_assert_int_eq(store_event_get(s, 2, &ev), 0);
	ck_assert_str_eq(ev.body, "my parcel is late");
	ticket_event_release(&ev);
	ck_assert(store_decision_prior_ai(s, "zammad", 7, 1000000));
	/* Nothing left to purge the second time. */
	ck_assert_int_eq(store_purge(s, 500000), 0);
}
END_TEST

static int64_t pending_event(int64_t ticket, int64_t article)
{
	struct ticket_event ev;
	int64_t id;

	ticket_event_init(&ev);
	ev.source = strdup("zammad");
	ev.kind = EVENT_CUSTOMER_MESSAGE;
	ev.ticket_id = ticket;
	ev.article_id = article;
	ck_assert_int_eq(store_event_insert(s, &ev, "{}", 2, 1000, &id), 0);
	ticket_event_release(&ev);
	return id;
}

START_TEST(test_events_of_a_ticket_in_order)
{
	int64_t a = pending_event(9, 91), b = pending_event(9, 92);
	int64_t c = pending_event(10, 101), id;
	struct ticket_event ev;

	ticket_event_init(&ev);
	ck_assert_int_eq(store_event_claim(s, 2000, 5000, &id, &ev), 0);
	ck_assert_int_eq(id, a);
	ticket_event_release(&ev);
	/* b waits for a (same ticket); c may go ahead. */
	ck_assert_int_eq(store_event_claim(s, 2000, 5000, &id, &ev), 0);
	ck_assert_int_eq(id, c);
	ticket_event_release(&ev);
	ck_assert_int_eq(store_event_claim(s, 2000, 5000, &id, &ev), DP_ENOTFOUND);
	/* a's worker died: after its lease a is claimed again before b. */
	ck_assert_int_eq(store_event_claim(s, 7001, 5000, &id, &ev), 0);
	ck_assert_int_eq(id, a);
	ticket_event_release(&ev);
	ck_assert_int_eq(store_event_mark_done(s, a), 0);
	ck_assert_int_eq(store_event_claim(s, 7002, 5000, &id, &ev), 0);
	ck_assert_int_eq(id, b);
	ticket_event_release(&ev);
	ck_assert_int_eq(store_event_queue_depth(s), 2); /* b and c claimed */
}
END_TEST

static Suite *suite(void)
{
	Suite *su = suite_create("outbox");
	TCase *tc = tcase_create("outbox");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_order_per_ticket);
	tcase_add_test(tc, test_lease_hides_claimed_row);
	tcase_add_test(tc, test_dead_and_requeue);
	tcase_add_test(tc, test_prior_ai_and_counts);
	tcase_add_test(tc, test_purge_keeps_decisions);
	tcase_add_test(tc, test_events_of_a_ticket_in_order);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return test_main(suite());
}
