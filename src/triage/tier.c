/*
 * tier.c - premium customers (see tier.h).
 *
 * Design: helpdesk flags first (they need no rules), then rules in their
 * stored order; the first match is the evidence. Matching trims spaces
 * and ignores ASCII case on both sides; domains also match subdomains
 * ("example.com" matches "eu.example.com").
 */
#include "triage/tier.h"

#include "common/dp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Case-insensitive equality of a trimmed value and the span b, trimmed
 * too. */
static bool same(const char *a, size_t na, const char *b, size_t nb)
{
	while (nb > 0 && isspace((unsigned char)*b))
		b++, nb--;
	while (nb > 0 && isspace((unsigned char)b[nb - 1]))
		nb--;
	return na == nb && na > 0 && strncasecmp(a, b, na) == 0;
}

/* Whether one item of list (separated by sep) is the value a. */
static bool listed(const char *a, size_t na, const char *list, char sep)
{
	const char *s = list;

	while (s && *s) {
		const char *end = strchr(s, sep);
		size_t item = end ? (size_t)(end - s) : strlen(s);

		if (same(a, na, s, item))
			return true;
		s = end ? end + 1 : s + item;
	}
	return false;
}

static bool rule_matches(const struct vip_rule *r, const struct ticket_event *ev)
{
	const char *v, *s;
	size_t n, len;

	dp_trim(r->value, &v, &n);
	if (r->kind == VIP_DOMAIN && n > 0 && *v == '@')
		v++, n--;
	if (n == 0)
		return false;
	switch (r->kind) {
	case VIP_EMAIL:
		return ev->customer_email &&
		       same(v, n, ev->customer_email, strlen(ev->customer_email));
	case VIP_DOMAIN:
		s = ticket_event_email_domain(ev);
		if (!s)
			return false;
		dp_trim(s, &s, &len);
		if (len == n)
			return strncasecmp(s, v, n) == 0;
		return len > n && s[len - n - 1] == '.' &&
		       strncasecmp(s + len - n, v, n) == 0;
	case VIP_ORGANIZATION:
		return (ev->organization &&
			same(v, n, ev->organization, strlen(ev->organization))) ||
		       listed(v, n, ev->other_organizations, '\n');
	case VIP_TAG:
		return listed(v, n, ev->tags, ',');
	}
	return false;
}

bool tier_is_premium(const struct ticket_event *ev,
		     const struct vip_rules *rules, char *evidence, size_t cap)
{
	const char *what = NULL;
	const struct vip_rule *hit = NULL;

	if (ev->customer_vip)
		what = "helpdesk flag customer_vip";
	else if (ev->organization_vip)
		what = "helpdesk flag organization_vip";
	for (size_t i = 0; !what && !hit && rules && i < rules->n; i++)
		if (rule_matches(&rules->items[i], ev))
			hit = &rules->items[i];
	if (!what && !hit)
		return false;
	if (cap > 0) {
		if (what)
			snprintf(evidence, cap, "%s", what);
		else
			snprintf(evidence, cap, "rule %s=%s",
				 vip_kind_name(hit->kind), hit->value);
	}
	return true;
}
