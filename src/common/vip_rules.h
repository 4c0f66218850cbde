/*
 * vip_rules.h - deskpilot's own premium-customer rules as plain values:
 * what the store keeps (store/vip.h), the admin edits (`deskpilot vip`)
 * and triage matches (triage/tier.h).
 */
#ifndef DP_VIP_RULES_H
#define DP_VIP_RULES_H

#include <stddef.h>

#include "common/dp.h"

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

#endif
