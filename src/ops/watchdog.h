/*
 * watchdog.h - the VIP SLA watchdog: a premium ticket that no human agent
 * has answered in time is escalated once more.
 *
 * The clock starts at the first human_vip decision of a ticket that has no
 * public agent reply after it, and runs for [sla] vip_sla_minutes, counted
 * only inside [sla] business_hours when those are set. What stops it is an
 * event the helpdesk sends: an agent_reply on the same ticket, or any
 * event showing the ticket closed, resolved or merged. When the time runs
 * out, watchdog_step records an escalation (at most one per unanswered
 * stretch: after the next agent reply a new VIP message starts a new
 * clock) and queues the connector's escalation actions - tag
 * vip-sla-breach, urgent priority, an internal note - in the outbox, in
 * the same transaction. Nothing polls the helpdesk.
 *
 * Everything here is driven by `now` passed in, so tests use short windows
 * and fake clocks.
 */
#ifndef DP_WATCHDOG_H
#define DP_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dp.h"
#include "config/config.h"
#include "store/store.h"

/* Business hours: the SLA clock runs only while open. */
struct business_hours {
	bool always;        /* no business hours: the clock always runs */
	unsigned char days; /* bit d set: weekday d is open (0 = Sunday) */
	int open_min;       /* minutes after local midnight, < close_min */
	int close_min;      /* up to 1440 */
	int utc_offset_min; /* local time = UTC + offset */
};

/* Parse spec: "" (around the clock) or "DAYS HH:MM-HH:MM", where DAYS is a
 * comma-separated list of day names or ranges, e.g. "Mon-Fri",
 * "Mon-Thu,Sat", "Sun-Thu" (three-letter English names, any case; a range
 * may wrap over the week's end). Closing time may be 24:00 and must be
 * after opening time. 0, or DP_EINVAL with the reason in err. out may be
 * NULL (validation only). */
int watchdog_hours_parse(const char *spec, int utc_offset_min,
			 struct business_hours *out, struct dp_error *err);

/* When an SLA of `minutes` started at start_ms runs out: start_ms plus
 * that many minutes of open time. Pure. */
int64_t watchdog_due_ms(int64_t start_ms, double minutes,
			const struct business_hours *h);

/* One check: escalate every VIP ticket whose SLA ran out by now_ms (at
 * most a bounded batch per call; the next call takes the rest). Tickets
 * decided more than 14 days before now are no longer escalated. Does
 * nothing when vip_sla_minutes is 0. Errors are logged, not returned: the
 * next step tries again. */
void watchdog_step(store *s, const struct config *cfg, int64_t now_ms);

#endif
