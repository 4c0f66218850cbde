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

static const char *const kind_names[] = {
	[VIP_EMAIL] = "email",
	[VIP_DOMAIN] = "domain",
	[VIP_ORGANIZATION] = "organization",
	[VIP_TAG] = "tag",
};

void vip_rules_init(struct vip_rules *r)
{
	r->items = NULL;
	r->n = 0;
}

void vip_rules_release(struct vip_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i].value);
	free(r->items);
	vip_rules_init(r);
}

void vip_rules_add(struct vip_rules *r, enum vip_kind kind, const char *value)
{
	r->items = xrealloc(r->items, (r->n + 1) * sizeof(*r->items));
	r->items[r->n].kind = kind;
	r->items[r->n].value = xstrdup(value);
	r->n++;
}

const char *vip_kind_name(enum vip_kind k)
{
	return (size_t)k < DP_ARRAY_LEN(kind_names) ? kind_names[k] : "unknown";
}

int vip_kind_parse(const char *s, enum vip_kind *out)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(kind_names); i++) {
		if (strcasecmp(s, kind_names[i]) == 0) {
			*out = (enum vip_kind)i;
			return 0;
		}
	}
	if (strcasecmp(s, "org") == 0) {
		*out = VIP_ORGANIZATION;
		return 0;
	}
	return DP_EINVAL;
}

/* [*start, *start + *len) is s without surrounding spaces. */
static void trim(const char *s, const char **start, size_t *len)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	*start = s;
	*len = n;
}

int vip_value_check(enum vip_kind kind, const char *value,
		    struct dp_error *err)
{
	const char *v, *at;
	size_t n;

	trim(value, &v, &n);
	if (kind == VIP_DOMAIN && n > 0 && *v == '@')
		v++, n--;
	if (n == 0)
		return dp_fail(err, DP_EINVAL, "empty %s", vip_kind_name(kind));
	if (n > VIP_VALUE_MAX)
		return dp_fail(err, DP_EINVAL, "%s longer than %d bytes",
			       vip_kind_name(kind), VIP_VALUE_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7F)
			return dp_fail(err, DP_EINVAL,
				       "control character in %s",
				       vip_kind_name(kind));
	at = memchr(v, '@', n);
	switch (kind) {
	case VIP_EMAIL:
		if (!at || at == v || at == v + n - 1 ||
		    memchr(at + 1, '@', (size_t)(v + n - at - 1)) ||
		    memchr(v, ' ', n))
			return dp_fail(err, DP_EINVAL,
				       "'%.*s' is not an e-mail address",
				       (int)n, v);
		break;
	case VIP_DOMAIN:
		if (at || memchr(v, ' ', n) || !memchr(v, '.', n) ||
		    v[0] == '.' || v[n - 1] == '.')
			return dp_fail(err, DP_EINVAL,
				       "'%.*s' is not a domain (e.g. example.com)",
				       (int)n, v);
		break;
	case VIP_TAG:
		if (memchr(v, ',', n))
			return dp_fail(err, DP_EINVAL,
				       "a tag cannot contain a comma");
		break;
	case VIP_ORGANIZATION:
		break;
	}
	return 0;
}

char *vip_value_normalize(enum vip_kind kind, const char *value)
{
	const char *v;
	size_t n;
	char *out;

	trim(value, &v, &n);
	if (kind == VIP_DOMAIN && n > 0 && *v == '@')
		v++, n--;
	out = xstrndup(v, n);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* Case-insensitive equality of a trimmed span and a trimmed string. */
static bool same(const char *a, size_t na, const char *b)
{
	const char *bs;
	size_t nb;

	trim(b, &bs, &nb);
	return na == nb && na > 0 && strncasecmp(a, bs, na) == 0;
}

static bool rule_matches(const struct vip_rule *r, const struct ticket_event *ev)
{
	const char *v, *s;
	size_t n, len;

	trim(r->value, &v, &n);
	if (r->kind == VIP_DOMAIN && n > 0 && *v == '@')
		v++, n--;
	if (n == 0)
		return false;
	switch (r->kind) {
	case VIP_EMAIL:
		return ev->customer_email && same(v, n, ev->customer_email);
	case VIP_DOMAIN:
		s = ticket_event_email_domain(ev);
		if (!s)
			return false;
		trim(s, &s, &len);
		if (len == n)
			return strncasecmp(s, v, n) == 0;
		return len > n && s[len - n - 1] == '.' &&
		       strncasecmp(s + len - n, v, n) == 0;
	case VIP_ORGANIZATION:
		return ev->organization && same(v, n, ev->organization);
	case VIP_TAG:
		for (s = ev->tags; s && *s;) {
			const char *comma = strchr(s, ',');
			size_t item = comma ? (size_t)(comma - s) : strlen(s);
			const char *ts;
			size_t tn;
			char tmp[VIP_VALUE_MAX + 1];

			if (item <= VIP_VALUE_MAX) {
				memcpy(tmp, s, item);
				tmp[item] = '\0';
				trim(tmp, &ts, &tn);
				if (tn == n && strncasecmp(ts, v, n) == 0)
					return true;
			}
			s = comma ? comma + 1 : s + item;
		}
		return false;
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
