/*
 * vip_rules.c - deskpilot's own premium-customer rules as values (see
 * vip_rules.h).
 */
#include "common/vip_rules.h"

#include <ctype.h>
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

int vip_value_check(enum vip_kind kind, const char *value,
		    struct dp_error *err)
{
	const char *v, *at;
	size_t n;

	dp_trim(value, &v, &n);
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

	dp_trim(value, &v, &n);
	if (kind == VIP_DOMAIN && n > 0 && *v == '@')
		v++, n--;
	out = xstrndup(v, n);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}
