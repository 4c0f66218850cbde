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
#include "common/hours.h"
#include "config/config.h"
#include "store/store.h"

/* One check: escalate every VIP ticket whose SLA ran out by now_ms (at
 * most a bounded batch per call; the next call takes the rest). Tickets
 * decided more than 14 days before now are no longer escalated. Does
 * nothing when vip_sla_minutes is 0. Errors are logged, not returned: the
 * next step tries again. */
void watchdog_step(store *s, const struct config *cfg, int64_t now_ms);

#endif
