/*
 * tier.h - premium (VIP) customers: who always gets a human.
 *
 * A customer is premium when the helpdesk says so (Zammad customer or
 * organization `vip`, the osTicket plugin's VIP field, both carried in
 * struct ticket_event) or when one of deskpilot's own rules matches: the
 * exact e-mail address, the e-mail's domain, the organization name, or a
 * helpdesk tag of the ticket. All comparisons are case-insensitive and
 * ignore surrounding spaces. Rules live in the store (store/vip.h); this
 * module only matches them and is pure.
 */
#ifndef DP_TIER_H
#define DP_TIER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/event.h"

enum vip_kind { VIP_EMAIL,
		VIP_DOMAIN,
		VIP_ORGANIZATION,
		VIP_TAG };

/* Longest accepted rule value (an e-mail address may be 254 bytes). */
#define VIP_VALUE_MAX 254

struct vip_rule {
	enum vip_kind kind;
	char *value; /* owned by the rule set */
};

struct vip_rules {
	struct vip_rule *items;
	size_t n;
};

/* An empty rule set. */
void vip_rules_init(struct vip_rules *r);
/* Frees every rule; the set is empty again afterwards. */
void vip_rules_release(struct vip_rules *r);
/* Append a rule; value is copied. */
void vip_rules_add(struct vip_rules *r, enum vip_kind kind, const char *value);

/* "email", "domain", "organization", "tag" (the store's spelling). */
const char *vip_kind_name(enum vip_kind k);
/* 0 or DP_EINVAL; case-insensitive, "org" is accepted for organization. */
int vip_kind_parse(const char *s, enum vip_kind *out);

/* Check a rule value for its kind: non-empty, at most VIP_VALUE_MAX bytes,
 * no control characters; an e-mail has one '@' with text on both sides; a
 * domain has a dot and no '@' or spaces (a leading "@" is allowed and
 * dropped by vip_value_normalize). 0 or DP_EINVAL with err naming why. */
int vip_value_check(enum vip_kind kind, const char *value,
		    struct dp_error *err);
/* Returns a new string: value trimmed, lowercased (ASCII), a domain's
 * leading '@' dropped. */
char *vip_value_normalize(enum vip_kind kind, const char *value);

/* Whether the event's customer is premium. On true, evidence (cap bytes,
 * may be NULL when cap is 0) names what matched, e.g. "helpdesk flag
 * customer_vip" or "rule domain=example.com". rules may be NULL. */
bool tier_is_premium(const struct ticket_event *ev,
		     const struct vip_rules *rules, char *evidence, size_t cap);

#endif
