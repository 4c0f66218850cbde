/*
 * tier.h - premium (VIP) customers: who always gets a human.
 *
 * A customer is premium when the helpdesk says so (the customer_vip and
 * organization_vip flags a connector sets in struct ticket_event) or when
 * one of deskpilot's own rules matches: the
 * exact e-mail address, the e-mail's domain, the organization name, or a
 * helpdesk tag of the ticket. All comparisons are case-insensitive and
 * ignore surrounding spaces. The rules are values (common/vip_rules.h)
 * kept in the store (store/vip.h); this module only matches them and is
 * pure.
 */
#ifndef DP_TIER_H
#define DP_TIER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/event.h"
#include "common/vip_rules.h"

/* Whether the event's customer is premium. On true, evidence (cap bytes,
 * may be NULL when cap is 0) names what matched, e.g. "helpdesk flag
 * customer_vip" or "rule domain=example.com". rules may be NULL. */
bool tier_is_premium(const struct ticket_event *ev,
		     const struct vip_rules *rules, char *evidence, size_t cap);

#endif
